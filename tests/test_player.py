"""ReplayPlayer: seeking anywhere gives exactly the state that folding up to there gives."""

from __future__ import annotations

import asyncio
import random

import pytest

from partytui.core.truth import events as ev
from partytui.core.truth.state import TeamState, fold
from partytui.core.views.summary import summarize
from partytui.replay.player import ReplayPlayer
from replay_sessions import build_session


def fingerprint(state: TeamState) -> dict:
    return {
        "summary": summarize(state),
        "transcripts": {
            name: [(e.kind, e.seq, e.text, e.tool, e.output, e.ok, e.peer, e.approval_id) for e in a.transcript]
            for name, a in state.agents.items()
        },
        "todos": {name: [t.content for t in a.todos] for name, a in state.agents.items()},
        "running": {name: (a.running_tool, a.state) for name, a in state.agents.items()},
        "pending": [a.request.id for a in state.pending_approvals],
        "history": {k: list(t.history) for k, t in state.tasks.items()},
        "phase_ends": [p.ended_at for p in state.phases],
    }


@pytest.fixture(scope="module")
def session() -> list[ev.EventBase]:
    return build_session(1500)


def test_seeking_back_and_forth_matches_a_fresh_fold(session):
    player = ReplayPlayer(session, checkpoint_every=64)
    rng = random.Random(7)
    targets = [len(session), 0, 1, 700, 65, 64, 63, 1499, 3, len(session), 640]
    targets += [rng.randrange(len(session) + 1) for _ in range(25)]
    for target in targets:
        state = player.seek(target)
        assert player.position == target
        assert fingerprint(state) == fingerprint(fold(session[:target])), target


def test_stepping_after_a_seek_back_leaves_checkpoints_intact(session):
    player = ReplayPlayer(session, checkpoint_every=50)
    player.seek(len(session))
    player.seek(120)  # restored from the checkpoint at 100, then stepped
    applied = player.step(300)
    assert applied == session[120:420]
    assert player.position == 420
    # the checkpoints shared with that state must not have been changed by stepping it
    for target in (100, 150, 400, 420):
        assert fingerprint(player.seek(target)) == fingerprint(fold(session[:target]))


def test_step_stops_at_the_end(session):
    player = ReplayPlayer(session)
    player.seek(len(session) - 2)
    assert len(player.step(10)) == 2
    assert player.at_end and player.step() == []


def _small_session() -> list[ev.EventBase]:
    raw = [
        ev.SessionStarted(session_id="s", agents=[ev.AgentInfo(name="a", model="unknown")]),
        ev.PhaseChanged(phase="PLAN"),
        ev.TurnStarted(agent="a", turn=1, model="claude-sonnet-4-5"),
        ev.TextDelta(agent="a", text="hello"),
        ev.ToolCalled(agent="a", tool_use_id="t1", tool="Bash", input={"command": "ls"}),
        ev.ToolResult(agent="a", tool_use_id="t1", tool="Bash", output="first"),
        ev.ApprovalRequested(request=ev.ApprovalRequest(id=1, kind="design", agent="a", title="Design")),
        ev.ToolResult(agent="a", tool_use_id="t1", tool="Bash", output="second", ok=False),
        ev.ApprovalAnswered(id=1, decision="approved"),
        ev.ErrorEvent(agent="a", message="boom"),
        ev.PhaseChanged(phase="BUILD"),
        ev.SessionEnded(status="done"),
    ]
    for i, event in enumerate(raw):
        event.seq, event.ts = i + 1, 100.0 + 2 * i
    return raw


def test_replay_never_changes_the_events_or_a_rewritten_tool_entry():
    events = _small_session()
    # a checkpoint at 7, where t1's entry is finished and not the last, before its second result
    player = ReplayPlayer(events, checkpoint_every=7)
    player.seek(len(events))
    assert player.seek(1).agents["a"].info.model == "unknown"  # the turn has not started yet
    assert events[0].agents[0].model == "unknown"

    # t1 gets two results: going back must show the first again
    def tool_entry(state):
        return next(e for e in state.agents["a"].transcript if e.kind == "tool")

    assert (tool_entry(player.seek(6)).output, tool_entry(player.state).ok) == ("first", True)
    assert tool_entry(player.seek(8)).output == "second"
    assert tool_entry(player.seek(7)).output == "first"  # restored from the checkpoint at 7


def test_markers_and_jumps():
    player = ReplayPlayer(_small_session())
    assert player.markers() == [2, 7, 9, 10, 11]
    assert player.markers(["phase"]) == [2, 11]
    assert player.next_marker(0) == 2
    assert player.next_marker(2) == 7
    assert player.prev_marker(7) == 2
    assert player.prev_marker(2) is None
    assert player.next_marker(11) is None
    player.seek(player.next_marker(2, kinds=["phase"]))
    assert player.state.phase == "BUILD"
    with pytest.raises(ValueError):
        player.markers(["nonsense"])


def test_time_of_positions():
    player = ReplayPlayer(_small_session())
    assert player.duration == 22.0
    assert player.time_at(0) == 0.0
    assert player.time_at(1) == 0.0
    assert player.time_at(3) == 4.0
    assert player.time_at(999) == 22.0
    assert player.position_at(4.0) == 3
    assert player.position_at(1000) == 12


@pytest.mark.parametrize("speed", [None, 0])
async def test_play_as_fast_as_possible_batches_and_never_waits(session, speed):
    player = ReplayPlayer(session)
    delays: list[float] = []
    batches: list[int] = []

    async def no_sleep(delay: float) -> None:
        delays.append(delay)

    await player.play(speed, lambda batch: batches.append(len(batch)), batch=400, sleep=no_sleep)
    assert player.at_end
    assert sum(batches) == len(session) and max(batches) == 400 and len(batches) == 4
    assert delays and set(delays) == {0}
    assert fingerprint(player.state) == fingerprint(fold(session))


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.slept.append(delay)
        self.now += delay


async def test_play_paces_by_timestamps_over_speed():
    events = _small_session()  # 2 s apart
    clock = FakeClock()
    seen: list[tuple[float, int]] = []

    async def on_events(batch):
        seen.extend((clock.now, e.seq) for e in batch)

    player = ReplayPlayer(events)
    await player.play(4.0, on_events, tick=0.1, clock=clock, sleep=clock.sleep)
    assert [seq for _, seq in seen] == list(range(1, 13))
    for at, seq in seen:
        due = (events[seq - 1].ts - events[0].ts) / 4.0
        assert due - 1e-9 <= at <= due + 0.1 + 1e-9
    assert clock.now == pytest.approx(22.0 / 4.0, abs=0.11)
    assert max(clock.slept) <= 0.1


async def test_play_shortens_long_idle_gaps():
    events = _small_session()
    events[5].ts += 10_000  # a person away for hours
    for later in events[6:]:
        later.ts += 10_000
    clock = FakeClock()
    await ReplayPlayer(events).play(1.0, None, tick=1.0, max_gap=0.5, clock=clock, sleep=clock.sleep)
    assert clock.now < 25.0


async def test_play_can_pause_and_resume(session):
    player = ReplayPlayer(session)
    calls = 0

    def on_events(batch):
        nonlocal calls
        calls += 1
        if calls == 1:
            player.pause()

    task = asyncio.create_task(player.play(None, on_events, batch=100))
    for _ in range(20):
        await asyncio.sleep(0)
    assert player.paused and player.position == 100 and not task.done()
    player.resume()
    await asyncio.wait_for(task, 5)
    assert player.at_end


async def test_stop_ends_play_early(session):
    player = ReplayPlayer(session)
    await player.play(None, lambda batch: player.stop(), batch=10)
    assert player.position == 10
