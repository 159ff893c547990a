"""Where a view's session comes from: a team running here, a recorded log, or a team in another process.

A view (the TUI) draws one ``SessionSource``: its ``state``, and what changed, told through :meth:`watch`.
What the person may do to it is optional and discoverable: ``answers`` (answer requests), ``team`` (pause,
message, cancel an agent), ``playback`` (play, step and seek a recording) are None when this source cannot,
and :meth:`can` names each action. The source decides; the view only hides what it cannot do.

The implementations: :class:`LiveSource` (a team in this process, or a session shown as it is),
``replay.source.ReplaySource`` (a log played again) and ``core.attach.attached.AttachedSource`` (a team running
detached, over its socket).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Literal, Protocol

from ..team.services import TeamController
from ..truth.events import EventBase
from ..truth.session import Session
from ..truth.state import Change, TeamState

Severity = Literal["information", "warning", "error"]
Runner = Callable[[], Awaitable[int]]

# the controls a view may ask a source about (``can``)
TEAM_ACTIONS = frozenset({"pause", "message", "cancel"})


class Answers(Protocol):
    """Answers a request (the team's ApprovalBroker, or a stand-in that sends the answer to the team)."""

    human_attached: bool  # a person is here: requests wait for them rather than for a policy

    def answer(
        self, approval_id: int, decision: str, note: str = "", answers: list[str] | None = None, by: str = "human"
    ) -> bool: ...


@dataclass(frozen=True)
class ReplayStatus:
    """Where a recording is: what the replay bar shows."""

    position: int
    total: int
    elapsed: float  # session seconds up to the position
    duration: float
    speed: float | None
    playing: bool
    markers: tuple[tuple[int, str], ...] = field(default=())  # (position just after the event, kind)


class Playback(Protocol):
    """Plays a recording: the replay's controls (``replay.source.Playback`` is the one there is)."""

    @property
    def playing(self) -> bool: ...
    @property
    def end(self) -> int: ...
    def status(self) -> ReplayStatus: ...
    def toggle(self) -> None: ...
    def step(self) -> bool: ...
    def jump(self, direction: int) -> EventBase | None: ...
    def change_speed(self, direction: int) -> bool: ...
    def seek(self, position: int) -> None: ...


def _ignore(*_: object) -> None:
    pass


@dataclass
class Watcher:
    """What a view is told: what each event folded changed (the reducer's answer), the state replaced whole
    (a seek), the source's own status moved (playing, connected, the run ended), its controls changed (a view
    unlocked), and a notice to show."""

    on_change: Callable[[Change], None] = _ignore
    on_reset: Callable[[], None] = _ignore
    on_status: Callable[[], None] = _ignore
    on_controls: Callable[[], None] = _ignore
    on_notice: Callable[[str, Severity], None] = _ignore


class SessionSource:
    """One session as a view sees it. Subclasses fill in the controls they have."""

    kind: ClassVar[str] = "live"
    # what the person is told when they ask for something this source cannot do
    no_answers: ClassVar[str] = "No team here: answers are not recorded."
    no_team: ClassVar[str] = "No team here: nothing to {what}."
    # whether leaving the view stops the team (a team run here) or leaves it running (attached)
    leaving_stops_the_team: ClassVar[bool] = True

    def __init__(
        self,
        session: Session,
        *,
        title: str = "partytui",
        clock: Callable[[], float] = time.time,
        log_path: Path | None = None,
    ) -> None:
        self.session = session
        self.title = title
        self.clock = clock
        self.log_path = log_path
        self.answers: Answers | None = None
        self.team: TeamController | None = None
        self.playback: Playback | None = None
        self.runner: Runner | None = None  # the run this view follows to its end; None: nothing runs
        self.run_code: int | None = None  # the run's exit code once it ended
        # a folder of sessions running detached: the person picks one (``pick``) before anything is shown
        self.pick_from: Path | None = None
        self._watchers: list[Watcher] = []

    # ── what is shown ───────────────────────────────────────────────────────

    @property
    def state(self) -> TeamState:
        return self.session.state

    @property
    def live(self) -> bool:
        """Whether its events happen now (a replay's are history: no bell, no toast for its requests)."""
        return self.playback is None

    @property
    def running(self) -> bool:
        return self.runner is not None and self.run_code is None

    @property
    def run_over(self) -> bool:
        return self.runner is not None and self.run_code is not None

    def can(self, action: str) -> bool:
        """Whether this source can do ``action`` now: answer, pause, message, cancel, play, seek, stop, unlock."""
        if action == "answer":
            return self.answers is not None
        if action in TEAM_ACTIONS:
            return self.team is not None and not self.run_over
        if action in ("play", "seek"):
            return self.playback is not None
        return False

    # ── what changed ────────────────────────────────────────────────────────

    def watch(self, watcher: Watcher) -> Callable[[], None]:
        """Be told what changes; returns the call that stops it."""
        self._watchers.append(watcher)
        unsubscribe = self._follow_changes(watcher.on_change)

        def stop() -> None:
            unsubscribe()
            if watcher in self._watchers:
                self._watchers.remove(watcher)

        return stop

    def _follow_changes(self, listener: Callable[[Change], None]) -> Callable[[], None]:
        return self.session.subscribe_changes(listener)

    def _tell_status(self) -> None:
        for watcher in list(self._watchers):
            watcher.on_status()

    def _tell_controls(self) -> None:
        for watcher in list(self._watchers):
            watcher.on_controls()

    def _tell_reset(self) -> None:
        for watcher in list(self._watchers):
            watcher.on_reset()

    def notice(self, text: str, severity: Severity = "information") -> None:
        for watcher in list(self._watchers):
            watcher.on_notice(text, severity)

    # ── the view's life ─────────────────────────────────────────────────────

    def pick(self, log_path: Path) -> None:
        """Follow the session the person picked from ``pick_from``."""
        raise NotImplementedError(f"a {self.kind} source has nothing to pick from")

    def start(self) -> None:
        """The view is up and watching (a replay starts playing)."""

    def close(self) -> None:
        """The view is leaving (a replay stops playing)."""

    # ── the run ─────────────────────────────────────────────────────────────

    async def run(self) -> int:
        """Run (or follow) the team to its end and record its exit code; a failure of the run itself is told
        as a notice and ends it with exit code 1."""
        assert self.runner is not None
        try:
            code = await self.runner()
        except Exception as exc:
            self.notice(f"The run failed: {exc}", "error")
            code = 1
        self.run_code = code
        self._tell_status()  # the view stops offering what acts on a running team
        return code


class LiveSource(SessionSource):
    """A team running in this process (its broker answers, the team is the controller, ``runner`` runs it);
    without them, a session shown as it is."""

    def __init__(
        self,
        session: Session,
        *,
        answers: Answers | None = None,
        team: TeamController | None = None,
        runner: Runner | None = None,
        title: str = "partytui",
        clock: Callable[[], float] = time.time,
        log_path: Path | None = None,
    ) -> None:
        super().__init__(session, title=title, clock=clock, log_path=log_path)
        self.answers = answers
        self.team = team
        self.runner = runner
        if answers is not None:
            answers.human_attached = True
