"""The partytui app: draws one ``SessionSource`` (a live team, a replay, an attached team) and hands the
person's answers to it. ``make_app`` builds it, with the main screen that suits the source.

The source calls :meth:`PartyApp._on_change` synchronously as each event is folded, with what the reducer
says it changed (which agents, whether anything structural); it only notes that and queues approval
requests. A 60 Hz timer flushes
those notes to the widgets (one pane per flush), which render from ``session.state``. One worker shows approval
requests one at a time; another runs (or follows) the team to its end. The screens own their keys, modals and
actions; what the source cannot do, they hide.

A request never takes keys meant for something else: while a text box has focus (a message, a rejection's
reason, a free-text answer, the palette) it waits behind the badge and opens when the person leaves the box,
and its modal ignores answer keys until it has been on screen for ``approval_delay`` seconds.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Callable
from pathlib import Path

from textual import events
from textual.app import App, ScreenStackError
from textual.css.query import NoMatches
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widget import MountError
from textual.widgets import Input, TextArea

from ..core.config import APPROVAL_DELAY_S
from ..core.team.approvals import ApprovalBroker
from ..core.team.services import TeamController
from ..core.truth.events import ApprovalRequested
from ..core.truth.session import Session
from ..core.truth.state import Change
from ..core.views.source import LiveSource, Runner, SessionSource, Severity, Watcher
from .collector import free_strips_promptly, release_collector, tune_collector
from .plain import plain, plain_line
from .screens.main import MainScreen
from .terminal_alerts import AlertSettings, TerminalAlerts

FLUSH_HZ = 60
EXIT_INTERRUPTED = 130
MODAL_FLUSH_S = 0.25  # how often the screen behind an approval modal is redrawn
# At most this share of the time goes to timed flushes and the frames they bring, however slow the machine:
# the rest is left for key presses (each takes several hops between message queues, and waits for
# whatever step is running at each). A frame that took 40 ms holds the next flush back by another 40 ms.
FLUSH_SHARE = 0.5
MAX_FLUSH_GAP_S = 0.5  # each busy pane is still redrawn a few times a second
TYPING_POLL_S = 0.05  # how often a held request looks whether the person has left the text box
TUNE_COLLECTOR_AFTER_S = 1.0  # the collector is tuned this long after start-up (see _start)


class PartyApp(App[int | None]):
    CSS_PATH = "app.tcss"
    FLUSH_HZ = FLUSH_HZ
    PANES_PER_FLUSH = 1

    def __init__(
        self,
        source: SessionSource,
        main: MainScreen,
        *,
        approval_delay: float = APPROVAL_DELAY_S,
        monotonic: Callable[[], float] = time.monotonic,
        alerts: AlertSettings = AlertSettings(),
        hold_requests: bool = False,
    ) -> None:
        super().__init__()
        free_strips_promptly()  # once per process: see collector.py
        self.source = source
        self.main = main
        self.title = plain_line(source.title)  # a title may carry a session's name or goal
        self.approval_delay = approval_delay
        self.monotonic = monotonic  # the approval modals' arming clock (tests drive it)
        # the title, bell and desktop notification that reach the person outside the terminal: only where
        # answers can be given (a live or attached run, not a replay)
        self.alerts = TerminalAlerts(alerts, lambda sequence: self.write_terminal(sequence), lambda: self.bell())
        self.hold_requests = hold_requests  # True: waiting requests are asked only after confirm_first
        self._dirty: dict[str, None] = {}  # agents whose panes have news, oldest first
        self._structural = True
        self._full = True
        self._new_requests: list[int] = []
        self._approvals: asyncio.Queue[int] = asyncio.Queue()
        self._showing: dict[int, Screen[object]] = {}
        self._flush_lock = asyncio.Lock()
        self._last_second = -1
        self._warned: list[str] = []  # the load warnings already announced (a resume may bring others)
        self._modal_flushed = 0.0
        self._flush_after = 0.0  # a timed flush waits until then (see _frame_drawn)
        self._unsubscribe: Callable[[], None] | None = None
        # the screen on top when each key was pressed, until the key is handled (see _on_key)
        self._pressed_on: weakref.WeakKeyDictionary[events.Key, Screen[object]] = weakref.WeakKeyDictionary()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every toast (``Widget.notify`` too) is plain text: names, titles and errors in it come from agents,
        files and logs, so nothing in it is read as markup or reaches the terminal as control."""
        super().notify(plain(message), title=plain_line(title), severity=severity, timeout=timeout, markup=False)

    @property
    def session(self) -> Session:
        return self.source.session

    @property
    def clock(self) -> Callable[[], float]:
        return self.source.clock

    @property
    def workspace(self) -> Path | None:
        return Path(self.session.state.workspace) if self.session.state.workspace else None

    @property
    def run_code(self) -> int | None:
        """The run's exit code once it finished."""
        return self.source.run_code

    @property
    def run_in_progress(self) -> bool:
        return self.source.running

    @property
    def typing(self) -> bool:
        """Whether the person is typing in a text box (a request then waits instead of taking the keys)."""
        return isinstance(self.focused, (Input, TextArea)) if self.screen_stack else False

    # ── the source's listener: O(1), no widgets ─────────────────────────────

    def _on_change(self, change: Change) -> None:
        for agent in change.agents:
            self._dirty[agent] = None
        if change.structural:
            self._structural = True
        if isinstance(change.event, ApprovalRequested):
            request_id = change.event.request.id
            self._new_requests.append(request_id)
            if self.source.answers is not None:
                self._approvals.put_nowait(request_id)

    def _on_controls(self) -> None:
        """The source may do more (or less) now (a read-only view unlocked): keys and waiting requests follow."""
        self.queue_pending()
        self._structural = True
        self.refresh_bindings()

    def _on_status(self) -> None:
        self._structural = True
        self.refresh_bindings()  # the footer follows what the source can do (a run that ended, a replay paused)

    def _on_notice(self, text: str, severity: Severity) -> None:
        self.notify(text, severity=severity, timeout=30 if severity == "error" else 10)

    # ── lifecycle ───────────────────────────────────────────────────────────

    def on_mount(self) -> None:
        if self.source.pick_from is not None:
            from .screens.pick_session import SessionPicker

            self.push_screen(SessionPicker(self.source.pick_from), self._picked)  # nothing to show before it
            return
        self._start()

    def _picked(self, log_path: Path | None) -> None:
        if log_path is None:
            self.exit(0, return_code=0)
            return
        self.source.pick(log_path)
        self.title = plain_line(self.source.title)
        self._start()

    def _start(self) -> None:
        # pushed rather than made the default screen, so its .tcss is loaded like any other screen's
        self.push_screen(self.main)
        self._unsubscribe = self.source.watch(
            Watcher(
                on_change=self._on_change,
                on_reset=self.reset_view,
                on_status=self._on_status,
                on_controls=self._on_controls,
                on_notice=self._on_notice,
            )
        )
        if not self.hold_requests:
            self.queue_pending()
        self.set_interval(1 / self.FLUSH_HZ, self._flush_tick)
        # once the team is drawn (a full collection before that frame would only delay it): start-up's
        # objects are all built by then
        self.set_timer(TUNE_COLLECTOR_AFTER_S, tune_collector)
        self.run_worker(self._approval_loop(), name="approvals", group="approvals")
        if self.source.runner is not None:
            self.run_worker(self._run_team(), name="runner", group="runner", exit_on_error=False)
        self.source.start()

    def queue_pending(self) -> None:
        """Queue every request still waiting (a resumed session; a view that may now answer)."""
        if self.source.answers is not None:
            for view in sorted(self.session.state.pending_approvals, key=lambda v: v.request.id):
                self._approvals.put_nowait(view.request.id)

    def write_terminal(self, sequence: str) -> None:
        """Raw output for the terminal (an escape sequence), through the driver Textual draws with."""
        if not self.is_headless and self._driver is not None:
            self._driver.write(sequence)

    def on_unmount(self) -> None:
        self.alerts.restore()
        release_collector()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.source.close()

    async def confirm_first(self, title: str, body: str) -> bool:
        """A yes/no before the run starts (a resume of a log in doubt); call it from a worker: it waits.
        The requests the log left waiting are asked only once the person said yes."""
        from .screens.confirm import ConfirmScreen

        # mypy reads Textual's overload as wanting a Screen[object]; a ModalScreen[bool] is what it takes
        yes = bool(await self.push_screen_wait(ConfirmScreen(title, body)))  # type: ignore[arg-type]
        if yes:
            self.hold_requests = False
            self.queue_pending()
        return yes

    async def _run_team(self) -> None:
        await self.source.run()  # a failure of the run itself comes back as a notice and exit code 1
        if self.is_running and self.return_code is None:  # not when the run was declined and the app is leaving
            self.main.show_results()

    @property
    def run_over(self) -> bool:
        return self.source.run_over

    def reset_view(self) -> None:
        """Redraw everything from ``session.state`` (after a replay seek replaced it) on the next flush."""
        self._full = True

    def request_structural(self) -> None:
        self._structural = True

    async def _flush_tick(self) -> None:
        """The timer's flush, FLUSH_HZ times a second: paced, a few panes at a time (see ``_take_dirty``)."""
        await self.flush_view(paced=True)

    async def flush_view(self, *, paced: bool = False) -> None:
        """Apply what the listener noted since the last flush.

        Unpaced (a caller that needs the screen to show the state now: a seek, a test, a screenshot), every
        pane with news is drawn; paced (the timer), the work is spread over several flushes.
        """
        # Closing stops the app (is_running) before it removes the screens, while timers may still fire
        if not self.is_running or not self.main.is_mounted:
            return
        async with self._flush_lock:
            if paced and self._showing and not self._full and time.monotonic() - self._modal_flushed < MODAL_FLUSH_S:
                # An approval modal is on top: the team behind it stays visible and live, but is redrawn a
                # few times a second only, so the modal's first frame and the person's keys come first.
                self._close_answered_modals()
                return
            if paced and not self._full and time.monotonic() < self._flush_after:
                self._close_answered_modals()
                return  # the last flush's frame was long: the loop stays free for keys as long again
            self._modal_flushed = time.monotonic()
            now = self.clock()
            full, self._full = self._full, False
            dirty = self._take_dirty(everything=full or not paced)
            structural, self._structural = self._structural, False
            if int(now) != self._last_second:
                self._last_second, structural = int(now), True
            try:
                if dirty or structural or full:
                    started = time.monotonic()
                    await self.main.sync(self.session.state, now, dirty, structural, full)
                    if paced:
                        self.call_after_refresh(self._frame_drawn, started)
                if (structural or full) and self.source.answers is not None:
                    self.alerts.show_waiting(self.title, len(self.session.state.pending_approvals))
                self._announce_requests()
                self._announce_load_warnings()
                self._close_answered_modals()
            except (NoMatches, MountError, ScreenStackError):
                if self.is_running:
                    raise
                # the app began to close during this flush and removed the widgets it was drawing

    def _frame_drawn(self, started: float) -> None:
        """After a timed flush's frame: the next timed flush waits as long as this one and its frame took."""
        busy = time.monotonic() - started
        self._flush_after = time.monotonic() + min(MAX_FLUSH_GAP_S, busy * (1 - FLUSH_SHARE) / FLUSH_SHARE)

    async def on_event(self, event: events.Event) -> None:
        # A key (posted by the terminal's thread) can still arrive while the app closes: once the screens
        # are gone there is nobody to give it to, and Textual would raise ScreenStackError looking for one.
        if isinstance(event, events.InputEvent) and not self.screen_stack:
            return
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._pressed_on[event] = self.screen
        await super().on_event(event)

    def on_key(self, event: events.Key) -> None:
        # A key travels through the focused widget's queue before it comes back here to be matched with
        # the bindings, and Textual matches it against whatever screen is on top *then*. A modal pushed or
        # dismissed meanwhile would take a key pressed on another screen: a second quick `a` would approve
        # the next request before it was ever drawn. A key belongs to the screen it was pressed on.
        pressed_on = self._pressed_on.pop(event, None)
        if pressed_on is not None and self.screen_stack and pressed_on is not self.screen:
            event.prevent_default()  # App's own handler would match it with the new screen's bindings
            self.log.debug(f"key {event.key!r} dropped: pressed on {pressed_on!r}, which is no longer on top")

    def _take_dirty(self, everything: bool = False) -> set[str]:
        """The panes this flush updates: the longest-waiting PANES_PER_FLUSH of those with news.

        Every pane that changes is laid out and drawn again in the next frame; eight at once make one long
        step of the event loop, and a key press waits for the whole step. One pane per flush at 60 Hz keeps
        steps short and still updates each of eight busy panes ~7 times a second (a lone one 60 times).
        """
        if everything or len(self._dirty) <= self.PANES_PER_FLUSH:  # a full redraw draws every pane
            taken, self._dirty = self._dirty, {}
            return set(taken)
        names = list(self._dirty)
        for name in names[: self.PANES_PER_FLUSH]:
            del self._dirty[name]
        return set(names[: self.PANES_PER_FLUSH])

    def _announce_requests(self) -> None:
        fresh, self._new_requests = self._new_requests, []
        if not self.source.live:
            return  # past requests ring no bell: the transcript and the inbox show them with their answers
        answering = self.source.answers is not None
        for approval_id in fresh:
            view = self.session.state.approvals.get(approval_id)
            if view is None or not view.pending:
                continue  # a policy answered it already
            req = view.request
            if not answering:
                self.bell()  # a view that cannot answer: only the bell
            else:
                self.alerts.request(
                    "partytui — a request for you", f"#{req.id} {req.kind} from {req.agent}: {req.title or req.summary}"
                )
            held = answering and self.typing
            if answering and not held and not self._showing_other(approval_id):
                continue  # its modal is opening now: a toast saying the same would only slow it down
            self.notify(
                f"#{req.id} {req.kind} from {req.agent}: {req.title or req.summary}"
                + ("\nIt opens when you leave the text box." if held else ""),
                title="A request for you",
                severity="warning",
                timeout=8,
            )

    def _announce_load_warnings(self) -> None:
        """Once per set of warnings: a notice that says how many, and the key that shows them again."""
        warnings = self.session.state.load_warnings
        if not warnings or warnings == self._warned:
            return
        self._warned = list(warnings)
        count = len(warnings)
        self.notify(
            f"{count} thing{'s' if count != 1 else ''} the agent files ask that partytui will not do "
            "(tools, skills, same-named files, unknown fields). Press w to read them.",
            title="Agent files",
            severity="warning",
            timeout=12,
        )

    def _showing_other(self, approval_id: int) -> bool:
        """Whether the person is looking at another request (this one waits in the queue behind it)."""
        return any(shown != approval_id for shown in self._showing)

    def _close_answered_modals(self) -> None:
        for approval_id, modal in list(self._showing.items()):
            view = self.session.state.approvals.get(approval_id)
            if view is not None and not view.pending and self.screen is modal:
                modal.dismiss(None)  # answered elsewhere (a policy, another path): nothing left to decide

    # ── approvals ───────────────────────────────────────────────────────────

    async def _approval_loop(self) -> None:
        while True:
            approval_id = await self._approvals.get()
            await self._until_not_typing()
            await self.answer_request(approval_id)

    async def _until_not_typing(self) -> None:
        """Hold a request while the person types: its modal would take the rest of their sentence."""
        while self.typing:
            await asyncio.sleep(TYPING_POLL_S)

    async def answer_request(self, approval_id: int) -> None:
        """Show one request and log the person's answer; must run in a worker (it waits for the modal)."""
        from .screens.approval import ApprovalModal

        view = self.session.state.approvals.get(approval_id)
        if view is None or not view.pending or approval_id in self._showing:
            return
        agent = self.session.state.agents.get(view.request.agent)
        modal = ApprovalModal(
            view,
            self.workspace,
            clock=self.clock,
            color=agent.info.color if agent else None,
            arm_delay=self.approval_delay,
            monotonic=self.monotonic,
        )
        self._showing[approval_id] = modal
        try:
            answer = await self.push_screen_wait(modal)
        finally:
            self._showing.pop(approval_id, None)
        if answer is None:
            return  # set aside: still pending, still in the inbox and the badge
        if self.source.answers is None:
            self.notify(self.source.no_answers, severity="warning")
            return
        self.source.answers.answer(approval_id, answer.decision, answer.note, list(answer.answers), by="human")

    async def action_quit(self) -> None:
        """ctrl+q and the palette's "Quit": every way out asks first, like ``q``."""
        self.request_quit()

    def _quit_warning(self) -> str:
        """Why quitting now loses something ("" when nothing would be): agents at work, requests waiting."""
        waiting = len(self.session.state.pending_approvals) if self.source.answers is not None else 0
        reasons = []
        if self.run_in_progress:
            reasons.append("The team is still working; quitting stops it.")
        if waiting:
            reasons.append(
                f"{waiting} request{'s' if waiting != 1 else ''} still wait{'s' if waiting == 1 else ''} "
                "for your answer; resuming the session asks again."
            )
        if not reasons:
            return ""
        return " ".join(reasons) + " The session log keeps everything so far."

    def request_quit(self) -> None:
        from .screens.confirm import ConfirmScreen

        body = self._quit_warning() if self.source.leaving_stops_the_team else ""  # detaching loses nothing
        if not body:
            self.exit(self.run_code, return_code=self.run_code or 0)
            return
        if any(isinstance(screen, ConfirmScreen) and screen.purpose == "quit" for screen in self.screen_stack):
            return  # already asking

        def confirmed(yes: bool | None) -> None:
            if yes:
                code = EXIT_INTERRUPTED if self.run_in_progress else (self.run_code or 0)
                self.exit(None if self.run_in_progress else self.run_code, return_code=code)

        self.push_screen(ConfirmScreen("Quit partytui?", body, purpose="quit"), confirmed)


def make_app(
    source: SessionSource | Session,
    *,
    broker: ApprovalBroker | None = None,
    controller: TeamController | None = None,
    runner: Runner | None = None,
    clock: Callable[[], float] = time.time,
    title: str = "partytui",
    log_path: Path | None = None,
    approval_delay: float = APPROVAL_DELAY_S,
    monotonic: Callable[[], float] = time.monotonic,
    alerts: AlertSettings = AlertSettings(),
    hold_requests: bool = False,
) -> PartyApp:
    """The one way the CLI, the screenshot script, the tests and the snapshot apps build the app.

    ``source``: a live team, a replay or an attached team; a bare ``Session`` is shown live, with ``broker``,
    ``controller``, ``runner``, ``clock``, ``title`` and ``log_path`` (``LiveSource``'s arguments). The main
    screen is the one that suits the source (a replay's has its bar and keys; an attached one detaches).
    """
    if isinstance(source, Session):
        source = LiveSource(
            source, answers=broker, team=controller, runner=runner, clock=clock, title=title, log_path=log_path
        )
    elif broker or controller or runner:
        raise TypeError("a source brings its own answers, team and run")
    return PartyApp(
        source,
        main_screen_for(source),
        approval_delay=approval_delay,
        monotonic=monotonic,
        alerts=alerts,
        hold_requests=hold_requests,
    )


def main_screen_for(source: SessionSource) -> MainScreen:
    if source.kind == "replay":
        from .replay import ReplayScreen

        return ReplayScreen()
    if source.kind == "attached":
        from .attached import AttachedScreen

        return AttachedScreen()
    return MainScreen()
