"""ReplayPlayer: step, seek and play through a recorded session, folding the same reducer the live app uses.

Seeking is fast because the player keeps the state every ``checkpoint_every`` events and re-folds from
the nearest one. The folded state is a value (see ``core/truth/state.py``), so a checkpoint is a reference to
it: folding on from there makes new states and leaves the checkpoint as it was.
"""

from __future__ import annotations

import asyncio
import bisect
import gc
import inspect
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from ..core.truth.events import MARKER_KINDS, EventBase
from ..core.truth.state import Change, Reducer, TeamState

# the markers [ and ] jump between, and the player's default
JUMP_KINDS = ("phase", "approval", "error")

OnEvents = Callable[[list[EventBase]], "Awaitable[Any] | Any"]


class ReplayPlayer:
    """A cursor over a session's events: ``position`` events have been folded into ``state``."""

    def __init__(self, events: Iterable[EventBase], checkpoint_every: int = 1000) -> None:
        self.events: list[EventBase] = list(events)
        self.checkpoint_every = max(1, checkpoint_every)
        self._reducer = Reducer()
        self._position = 0
        self._checkpoints: dict[int, TeamState] = {0: self._reducer.state}
        # timestamps made non-decreasing, so a time maps to a position by bisection
        self._times: list[float] = []
        latest = self.events[0].ts if self.events else 0.0
        for event in self.events:
            latest = max(latest, event.ts)
            self._times.append(latest)
        self._running = asyncio.Event()
        self._running.set()
        self._stopped = False
        self._change_listeners: list[Callable[[Change], None]] = []

    def subscribe_changes(self, listener: Callable[[Change], None]) -> Callable[[], None]:
        """Be told what each event the player folds changed (as ``Session.subscribe_changes``)."""
        self._change_listeners.append(listener)
        return lambda: self._change_listeners.remove(listener)

    # ── position and state ──────────────────────────────────────────────────

    @property
    def position(self) -> int:
        return self._position

    @property
    def state(self) -> TeamState:
        """The state after ``position`` events."""
        return self._reducer.state

    @property
    def at_end(self) -> bool:
        return self._position >= len(self.events)

    def step(self, n: int = 1) -> list[EventBase]:
        """Fold the next ``n`` events; returns them (fewer at the end)."""
        start = self._position
        stop = min(len(self.events), start + max(0, n))
        every = self.checkpoint_every
        reducer = self._reducer
        listeners = self._change_listeners
        for i in range(start, stop):
            if listeners:
                change = reducer.apply(self.events[i])
                for listener in listeners:
                    listener(change)
            else:
                reducer.fold(self.events[i])
            if (i + 1) % every == 0 and (i + 1) not in self._checkpoints:
                self._checkpoints[i + 1] = reducer.state
        self._position = stop
        return self.events[start:stop]

    def seek(self, index: int) -> TeamState:
        """Move to ``index`` (0 … len(events)), backwards or forwards; returns the state there."""
        index = max(0, min(len(self.events), index))
        if not (self._position <= index <= self._position + self.checkpoint_every):
            base = max(k for k in self._checkpoints if k <= index)
            if not (base <= self._position <= index):
                self._reducer = Reducer(self._checkpoints[base])
                self._position = base
        self.step(index - self._position)
        return self._reducer.state

    def prepare(self, freeze_gc: bool = True) -> None:
        """Fold once to the end (taking every checkpoint), then come back to where the player was.

        With ``freeze_gc`` the events and checkpoints, which live as long as the player, are moved out of
        the collector's reach (``gc.freeze``): with 100,000 events a full collection otherwise takes a
        few hundred milliseconds and lands in the middle of some seek.
        """
        here = self._position
        self.seek(len(self.events))
        self.seek(here)
        if freeze_gc:
            gc.collect()
            gc.freeze()

    # ── markers ─────────────────────────────────────────────────────────────

    def markers(self, kinds: Iterable[str] = JUMP_KINDS) -> list[int]:
        """Positions just after each marker event (seeking there shows the change)."""
        wanted = set(kinds)
        for kind in wanted - set(MARKER_KINDS):
            raise ValueError(f"unknown marker kind {kind!r} (one of {', '.join(MARKER_KINDS)})")
        return [i + 1 for i, event in enumerate(self.events) if event.replay_marker in wanted]

    def next_marker(self, pos: int | None = None, kinds: Iterable[str] = JUMP_KINDS) -> int | None:
        found = self.markers(kinds)
        i = bisect.bisect_right(found, self._position if pos is None else pos)
        return found[i] if i < len(found) else None

    def prev_marker(self, pos: int | None = None, kinds: Iterable[str] = JUMP_KINDS) -> int | None:
        found = self.markers(kinds)
        i = bisect.bisect_left(found, self._position if pos is None else pos)
        return found[i - 1] if i > 0 else None

    # ── time ────────────────────────────────────────────────────────────────

    @property
    def duration(self) -> float:
        return self._times[-1] - self._times[0] if self._times else 0.0

    def time_at(self, index: int) -> float:
        """Seconds from the first event to the last event folded at position ``index``."""
        if not self._times or index <= 0:
            return 0.0
        return self._times[min(index, len(self._times)) - 1] - self._times[0]

    def position_at(self, seconds: float) -> int:
        """The position that shows the session ``seconds`` after its first event."""
        if not self._times:
            return 0
        return bisect.bisect_right(self._times, self._times[0] + seconds)

    # ── playing ─────────────────────────────────────────────────────────────

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def stop(self) -> None:
        self._stopped = True
        self._running.set()

    async def play(
        self,
        speed: float | None = 1.0,
        on_events: OnEvents | None = None,
        *,
        tick: float = 1 / 30,
        batch: int = 2000,
        max_gap: float | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        """Fold events from ``position`` to the end, paced by their timestamps divided by ``speed``.

        ``speed`` None or 0 runs as fast as possible, ``batch`` events per call of ``on_events`` and a bare
        yield to the event loop between batches. Paced, each tick hands over every event that is due.
        ``max_gap`` (seconds of wall time) shortens long idle stretches, e.g. a person thinking.
        """
        self._stopped = False
        now = clock or asyncio.get_running_loop().time
        fast = not speed
        anchor_wall, anchor_ts = now(), self._time_of(self._position)
        while not self.at_end and not self._stopped:
            if self.paused:
                await self._running.wait()
                anchor_wall, anchor_ts = now(), self._time_of(self._position)
                continue
            if fast:
                applied = self.step(batch)
            else:
                assert speed is not None
                horizon = anchor_ts + (now() - anchor_wall) * speed
                due = self._time_of(self._position + 1)
                if due > horizon:
                    delay = (due - horizon) / speed
                    if max_gap is not None and delay > max_gap:
                        anchor_ts += (delay - max_gap) * speed  # skip the idle part of the gap
                        delay = max_gap
                    await sleep(min(delay, tick))
                    continue
                end = bisect.bisect_right(self._times, horizon, lo=self._position)
                applied = self.step(min(batch, max(1, end - self._position)))
            if on_events is not None:
                result = on_events(applied)
                if inspect.isawaitable(result):
                    await result
            if fast:
                await sleep(0)

    def _time_of(self, position: int) -> float:
        """The timestamp of the event that brings the player to ``position``."""
        if not self._times:
            return 0.0
        return self._times[max(0, min(position, len(self._times)) - 1)]
