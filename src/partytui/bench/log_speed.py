"""Section 4, the session log: how fast events are written, read back into the final state, and sought.

The log is a realistic session of N events (eight agents' turns, tool calls, tasks, messages, phases and
approvals, mostly text deltas) written with the log's real flushing (a write per event group, an fsync per
approval). Opening it (``read_log`` + ``fold``) is timed beside a bare ``json.loads`` of each line of the
same file; seeking is ``ReplayPlayer.seek`` to random positions after ``prepare``.
"""

from __future__ import annotations

import gc
import json
import random
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from ..core.truth.events import (
    PHASES,
    ApprovalAnswered,
    ApprovalRequest,
    ApprovalRequested,
    EventBase,
    MessageSent,
    PhaseChanged,
    Task,
    TaskCreated,
    TaskUpdated,
)
from ..core.truth.log import SessionLog, read_log
from ..core.truth.session import Session
from ..core.truth.state import fold
from ..replay.player import ReplayPlayer
from .feed import AGENTS, agent_script, session_started
from .harness import percentile


@dataclass
class LogResult:
    events: int
    file_mb: float
    append_per_s: float  # SessionLog.append alone
    emit_per_s: float  # Session.emit: stamp, log, fold, listeners
    open_s: float  # read_log + fold, median
    bare_parse_s: float  # json.loads per line, median
    open_ratio: float
    prepare_s: float  # ReplayPlayer construction + prepare (every checkpoint taken)
    seeks: int
    seek_p99_ms: float
    seek_max_ms: float

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def session_events(count: int, seed: int = 3) -> Iterator[EventBase]:
    """``count`` events of a plausible session (envelopes unstamped: ``Session.emit`` stamps them)."""
    rng = random.Random(seed)
    scripts = {name: agent_script(name, seed) for name in AGENTS}
    yield session_started("bench-log")
    made, tasks, approvals, phase = 1, 0, 0, 0
    yield PhaseChanged(phase=PHASES[0], agent="lead")
    made += 1
    while made < count:
        roll = rng.random()
        agent = rng.choice(AGENTS)
        if roll < 0.002 and phase + 1 < len(PHASES):
            phase += 1
            event: EventBase = PhaseChanged(phase=PHASES[phase], previous=PHASES[phase - 1], agent="lead")
        elif roll < 0.006:
            tasks += 1
            event = TaskCreated(agent="lead", task=Task(id=str(tasks), subject=f"task {tasks}", owner=agent))
        elif roll < 0.010 and tasks:
            tid = str(rng.randint(1, tasks))
            status = rng.choice(["in_progress", "completed"])
            event = TaskUpdated(agent=agent, task=Task(id=tid, subject=f"task {tid}", owner=agent, status=status))
        elif roll < 0.013:
            other = rng.choice([a for a in AGENTS if a != agent])
            event = MessageSent(agent=agent, recipient=other, content="the schema is ready for review", summary="ready")
        elif roll < 0.0145:
            approvals += 1
            request = ApprovalRequest(
                id=approvals, kind="design", agent=agent, title=f"design {approvals}", body="# Design"
            )
            yield ApprovalRequested(agent=agent, request=request)
            made += 1
            event = ApprovalAnswered(agent=agent, id=approvals, decision="approved", note="fine")
        else:
            event = next(scripts[agent])
        yield event
        made += 1


def write_log(path: Path, count: int) -> tuple[float, float]:
    """Write the session twice: once by ``SessionLog.append`` (timed), once by ``Session.emit`` into ``path``."""
    events = list(session_events(count))
    clock = iter(range(10**9))
    stamp_session = Session(clock=lambda: 1.0e9 + next(clock) * 1e-3)
    for event in events:  # stamp seq/ts once, so the append-only run writes real envelopes
        stamp_session.emit(event)
    scratch = path.with_suffix(".append.jsonl")
    log = SessionLog(scratch, secrets=())
    start = time.perf_counter()
    for event in events:
        log.append(event)
    log.close()
    append_s = time.perf_counter() - start
    scratch.unlink()
    fresh = [type(e).model_validate(e.model_dump()) for e in events]
    session = Session(log=SessionLog(path, secrets=()))
    start = time.perf_counter()
    for event in fresh:
        session.emit(event)
    session.close()
    emit_s = time.perf_counter() - start
    return len(events) / append_s, len(events) / emit_s


def _bare_parse(path: Path) -> int:
    with open(path, "rb") as handle:
        return len([json.loads(line) for line in handle if line.strip()])


def _open(path: Path) -> int:
    return fold(read_log(path).events).last_seq


def _median_time(fn: Callable[[Path], object], path: Path, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(count: int, folder: Path, *, repeat: int = 3, seeks: int = 200) -> LogResult:
    path = folder / "session.jsonl"
    append_rate, emit_rate = write_log(path, count)
    bare = _median_time(_bare_parse, path, repeat)
    opened = _median_time(_open, path, repeat)
    events = read_log(path).events
    start = time.perf_counter()
    player = ReplayPlayer(events)
    player.prepare()
    prepare_s = time.perf_counter() - start
    rng = random.Random(5)
    targets = [0, len(events), len(events) // 2, 1] + [rng.randint(0, len(events)) for _ in range(seeks)]
    times = []
    try:
        for target in targets:
            start = time.perf_counter()
            player.seek(target)
            times.append(time.perf_counter() - start)
    finally:
        gc.unfreeze()  # prepare() froze the player's objects; the rest of the benchmark is not a replay
    times.sort()
    return LogResult(
        events=len(events),
        file_mb=round(path.stat().st_size / 2**20, 1),
        append_per_s=round(append_rate),
        emit_per_s=round(emit_rate),
        open_s=round(opened, 3),
        bare_parse_s=round(bare, 3),
        open_ratio=round(opened / bare, 2) if bare else 0.0,
        prepare_s=round(prepare_s, 3),
        seeks=len(times),
        seek_p99_ms=round((percentile(times, 99) or 0.0) * 1000, 2),
        seek_max_ms=round(times[-1] * 1000, 2),
    )
