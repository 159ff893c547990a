"""A recorded session as a view's source: the player's state, played, stepped and sought (``playback``).

No model is called, no tool runs and nothing is answered: the source has no ``answers`` and no ``team``. The
player tells the view what each event it folds changed (playing, stepping, a short seek ahead), as a live
session does; a seek back (or far ahead) replaces the state and tells the view to redraw everything.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ..core.truth.events import EventBase
from ..core.truth.session import Session
from ..core.truth.state import Change
from ..core.views.source import ReplayStatus, SessionSource
from .player import JUMP_KINDS, ReplayPlayer

# Speeds that faster / slower step through; None is as fast as possible.
SPEEDS: tuple[float | None, ...] = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, None)
# A long idle stretch in the recording (a person thinking over a request) plays as at most this many seconds.
MAX_GAP_S = 2.0
# A forward seek of at most this many events is shown like live events (panes keep their scroll and zoom);
# a longer one, or any seek back, redraws from the new state.
INCREMENTAL_SEEK = 400


def speed_label(speed: float | None) -> str:
    """``0.5x``, ``2x``…; None is as fast as possible."""
    if speed is None:
        return "max"
    return f"{speed:g}x"


__all__ = ["INCREMENTAL_SEEK", "MAX_GAP_S", "SPEEDS", "Playback", "ReplaySource", "ReplayStatus", "speed_label"]


class Playback:
    """Play, pause, step, jump between markers and seek through a recording; the view's replay controls."""

    def __init__(self, source: ReplaySource, speed: float | None) -> None:
        self.source = source
        self.player = source.player
        self.speed = speed
        self._task: asyncio.Task[None] | None = None
        player = self.player
        self.markers = tuple(sorted((p, kind) for kind in JUMP_KINDS for p in player.markers([kind])))

    @property
    def playing(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def end(self) -> int:
        return len(self.player.events)

    def status(self) -> ReplayStatus:
        player = self.player
        return ReplayStatus(
            position=player.position,
            total=len(player.events),
            elapsed=player.time_at(player.position),
            duration=player.duration,
            speed=self.speed,
            playing=self.playing,
            markers=self.markers,
        )

    async def _play(self) -> None:
        try:
            await self.player.play(self.speed, None, max_gap=MAX_GAP_S)
        finally:
            self.source._tell_status()  # the bar says "end" (or "paused")

    def play(self) -> None:
        """Play from here (at the end: from the start again)."""
        if self.player.at_end:
            self.seek(0)
        self.stop()
        self._task = asyncio.ensure_future(self._play())
        self._task.add_done_callback(self._played)
        self.source._tell_status()

    def _played(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            self.source.notice(f"The replay stopped: {task.exception()}", "error")

    def stop(self) -> None:
        """Pause: the player's task is cancelled between two events, never in the middle of one."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
        self.source._tell_status()

    def toggle(self) -> None:
        if self.playing:
            self.stop()
        else:
            self.play()

    def change_speed(self, direction: int) -> bool:
        """One speed faster (1) or slower (-1); False when there is none further that way."""
        i = SPEEDS.index(self.speed) if self.speed in SPEEDS else 1
        new = SPEEDS[max(0, min(len(SPEEDS) - 1, i + direction))]
        if new == self.speed:
            return False
        self.speed = new
        if self.playing:
            self.play()  # the player paces by the speed it started with
        self.source.notice(f"Replay speed {speed_label(new)}")
        return True

    def step(self) -> bool:
        """One event forward (pauses); False at the end."""
        self.stop()
        return bool(self.player.step(1))

    def jump(self, direction: int) -> EventBase | None:
        """To the next (1) or previous (-1) phase change, approval or error; the event there, or None."""
        find = self.player.next_marker if direction > 0 else self.player.prev_marker
        target = find(kinds=JUMP_KINDS)
        if target is None:
            return None
        self.seek(target)
        return self.player.events[target - 1]

    def seek(self, position: int) -> None:
        """Show the session after ``position`` events; keeps playing if it was."""
        was_playing = self.playing
        self.stop()
        player = self.player
        before = player.position
        player.seek(position)
        after = player.position
        self.source._follow()
        if not 0 <= after - before <= min(INCREMENTAL_SEEK, player.checkpoint_every):
            # a short step forward is folded from where the player was, its changes told live-style;
            # a seek back or a long jump starts from a checkpoint: redraw from the new state
            self.source._tell_reset()
        if was_playing and not player.at_end:
            self.play()


class ReplaySource(SessionSource):
    """A session log played again; its state is ``player.state``, its "now" the time of the last event shown."""

    kind = "replay"
    no_answers = "This is a replay: its requests cannot be answered here."
    no_team = "No live team here (a replay): nothing to {what}."

    def __init__(
        self,
        player: ReplayPlayer,
        *,
        autoplay: bool = True,
        speed: float | None = 1.0,
        title: str = "partytui — replay",
    ) -> None:
        self.player = player
        self._t0 = player.events[0].ts if player.events else 0.0
        super().__init__(Session(state=player.state, clock=self._now), title=title, clock=self._now)
        self.autoplay = autoplay
        self.playback: Playback = Playback(self, speed)
        # first of the player's listeners: the session follows each fold before a view hears of it
        player.subscribe_changes(self._follow)

    @classmethod
    def of_events(
        cls,
        events: list[EventBase],
        *,
        autoplay: bool = True,
        speed: float | None = 1.0,
        title: str = "partytui — replay",
        freeze_gc: bool = True,
    ) -> ReplaySource:
        """A replay of ``events``, folded once to the end first so every seek is quick.

        ``freeze_gc``: see ``ReplayPlayer.prepare``; a process that builds many replays (tests) passes False.
        """
        player = ReplayPlayer(events)
        player.prepare(freeze_gc=freeze_gc)
        return cls(player, autoplay=autoplay, speed=speed, title=title)

    def _now(self) -> float:
        """The replay's "now": the time of the last event shown, so ages and clocks read as they did then."""
        return self._t0 + self.player.time_at(self.player.position)

    def _follow(self, _: object = None) -> None:
        """The session shows the player's latest state (a value: each fold makes a new one)."""
        self.session.state = self.player.state

    def _follow_changes(self, listener: Callable[[Change], None]) -> Callable[[], None]:
        # the player folds the events; the session only holds its state and never publishes
        return self.player.subscribe_changes(listener)

    def start(self) -> None:
        """The view is up: play, unless it was made paused."""
        if self.autoplay:
            self.playback.play()

    def close(self) -> None:
        self.playback.stop()
