"""The main screen: the phase timeline, one pane per agent, the task board and the status bar.

On a large terminal the panes sit in a grid above the board; on a small one (80x24) each pane, and the
board, is a tab. Everything is drawn from ``TeamState``; the app calls :meth:`MainScreen.sync` on each
flush with the agents whose transcripts changed.

The screen owns its keys and the screens they open (message, cancel, inbox, task, documents, results, help);
what they act on is the app's source, and a key the source cannot do is hidden (``check_action`` asks it).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Literal

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Grid
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Footer, TabbedContent, TabPane

from ...core.truth.state import TeamState
from ...core.views.present import one_line
from ...core.views.source import SessionSource
from ..theme import agent_color
from ..widgets.agent_pane import AgentPane, FoldedPanes
from ..widgets.board import TaskBoard, TaskCard
from ..widgets.labels import pane_order
from ..widgets.palette import PartyCommands
from ..widgets.statusbar import StatusBar
from ..widgets.timeline import PhaseTimeline
from .help import modal_keys

if TYPE_CHECKING:
    from ..app import PartyApp

Layout = Literal["grid", "tabs"]

# Below this size the panes become tabs.
GRID_MIN_WIDTH, GRID_MIN_HEIGHT = 110, 32
# A pane narrower or shorter than this is hard to read: the grid never makes one so, unless it must.
PANE_MIN_WIDTH, PANE_MIN_HEIGHT = 60, 8
# An idle or finished agent's pane folds to a one-line header after this long with nothing new to read.
FOLD_AFTER_S = 5.0
FOLDABLE_STATES = frozenset({"idle", "done", "cancelled"})


def choose_layout(width: int, height: int) -> Layout:
    return "grid" if width >= GRID_MIN_WIDTH and height >= GRID_MIN_HEIGHT else "tabs"


def grid_columns(panes: int, width: int, height: int = 40) -> int:
    """How many columns ``panes`` panes take in a ``width`` x ``height`` area.

    Each choice is judged by its panes' shorter side, counted in columns (a row is about two columns tall):
    the biggest wins, then the one leaving fewer empty cells. A pane is never narrower than PANE_MIN_WIDTH
    nor shorter than PANE_MIN_HEIGHT when another choice avoids it. So four panes are 2x2 at 160x48 and
    side by side at 250x70.
    """
    if panes <= 1:
        return 1
    best: tuple[tuple[bool, int, int], int] | None = None
    for columns in range(1, panes + 1):
        rows = math.ceil(panes / columns)
        w, h = width // columns, height // rows
        readable = w >= PANE_MIN_WIDTH and h >= PANE_MIN_HEIGHT
        score = (readable, min(w, 2 * h), -(columns * rows - panes))
        if best is None or score > best[0]:
            best = (score, columns)
    assert best is not None
    return best[1]


def body_height(height: int) -> int:
    """The rows between the timeline and the status bar and footer."""
    return max(0, height - 3)


def board_height(height: int) -> int:
    """The board's rows in the grid layout (main.tcss: 30% of the body, at least 10)."""
    return max(10, int(body_height(height) * 0.3))


# Keys of the modal screens, for the help screen (the modals own them; help.py lists them in sections).
MODAL_KEYS: list[tuple[str, str]] = modal_keys()


# What a team key asks of the source (``SessionSource.can``), by action.
TEAM_KEYS = {"pause": "pause", "message": "message", "cancel_agent": "cancel"}


def cannot_bindings() -> list[Binding]:
    """p, m and x where the source has no team to act on: off the footer, they only say so when pressed."""
    return [
        Binding(key, f"cannot('{what}')", what.capitalize(), show=False)
        for key, what in (("p", "pause"), ("m", "message"), ("x", "cancel"))
    ]


class MainScreen(Screen[None]):
    CSS_PATH = "main.tcss"
    ALLOW_IN_MAXIMIZED_VIEW = "Footer, StatusBar"
    COMMANDS = {PartyCommands}
    BINDINGS = [
        *[Binding(str(n), f"focus_agent({n})", f"Focus agent {n}", show=False) for n in range(1, 10)],
        Binding("p", "pause", "Pause"),
        Binding("m", "message", "Message"),
        Binding("x", "cancel_agent", "Cancel"),
        *cannot_bindings(),
        Binding("z", "zoom", "Zoom", show=False),  # in the help and the palette: the footer fits 80 columns
        Binding("f", "fold", "Fold idle panes", show=False),
        Binding("t", "board", "Board"),
        Binding("i", "inbox", "Inbox"),
        Binding("d", "documents", "Docs"),
        Binding("w", "load_warnings", "agent file warnings", show=False),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("s", "results", "Results"),
        Binding("q", "quit_app", "Quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.panes: dict[str, AgentPane] = {}
        self.board: TaskBoard | None = None
        self.layout_mode: Layout | None = None
        self.focused_agent: str | None = None
        self.fold_idle = True  # key f: idle panes fold to one line (the focused one stays open)
        self.folded: list[str] = []
        self._built_for: tuple[tuple[str, ...], Layout | None] = ((), None)
        self._arranged: tuple[object, ...] | None = None

    @property
    def party(self) -> PartyApp:
        return self.app  # type: ignore[return-value]

    @property
    def source(self) -> SessionSource:
        return self.party.source

    def compose(self) -> ComposeResult:
        yield PhaseTimeline(id="timeline")
        yield Container(id="body")
        yield StatusBar(id="status")
        yield Footer(compact=True)

    # ── rendering ───────────────────────────────────────────────────────────

    def wanted_layout(self) -> Layout:
        return choose_layout(*self.app.size)

    async def _build_body(self, state: TeamState, mode: Layout) -> None:
        body = self.query_one("#body", Container)
        await body.remove_children()
        names = pane_order(state)
        self.panes = {name: AgentPane(name, i, id=f"pane-{i}") for i, name in enumerate(names, 1)}
        self.board = TaskBoard(id="board")
        self.folded, self._arranged = [], None
        if self.focused_agent not in self.panes:
            self.focused_agent = names[0] if names else None
        if mode == "grid":
            await body.mount_all([FoldedPanes(id="folded"), Grid(*self.panes.values(), id="panes"), self.board])
        else:
            # built whole and mounted once: adding panes one by one to a mounted TabbedContent races its
            # own tab activation on a slow machine ("No Tab with id ..."); the focused agent's tab is made
            # active once mounted, not as `initial`, which Textual checks even when the app closes mid-mount
            tab_panes = []
            for i, (name, pane) in enumerate(self.panes.items(), 1):
                view = state.agents[name]
                label = Content.assemble((f"{i}", "dim"), " ", (one_line(name, 40), agent_color(view.info.color, name)))
                tab_panes.append(TabPane(label, pane, id=f"tab-agent-{i}"))
            tab_panes.append(TabPane("board", self.board, id="tab-board"))
            focused = self.panes.get(self.focused_agent or "")
            tabs = TabbedContent(id="tabs")
            for tab_pane in tab_panes:
                tabs.compose_add_child(tab_pane)  # what `with TabbedContent():` does in a compose
            await body.mount(tabs)
            if focused is not None and focused.index != 1 and self.app.is_running:
                tabs.active = f"tab-agent-{focused.index}"
        self.layout_mode = mode
        self.set_class(mode == "grid", "-grid")
        self.set_class(mode == "tabs", "-tabs")
        self._built_for = (tuple(names), mode)
        if self.focused_agent and not isinstance(self.app.focused, TaskCard):
            self.panes[self.focused_agent].transcript.focus()  # its tab is the active one

    # ── the grid: idle panes fold, the rest share the room ──────────────────

    def _foldable(self, name: str, state: TeamState, now: float) -> bool:
        """Idle or finished for a while, nothing of its own waiting, nothing unread below: a header is enough."""
        view, pane = state.agents.get(name), self.panes.get(name)
        if view is None or pane is None or name == self.focused_agent:
            return False
        if view.state not in FOLDABLE_STATES or view.running_tool or now - view.state_since < FOLD_AFTER_S:
            return False
        if view.transcript and now - view.transcript[-1].ts < FOLD_AFTER_S:
            return False  # it has just written something: that is news to read
        if any(a.request.agent == name for a in state.pending_approvals):
            return False  # "waiting: approval #3" stays in sight
        return pane.transcript.news_below == 0

    def _arrange(self, state: TeamState, now: float) -> None:
        """Fold the idle panes to one-line headers above the grid and give their room to the others."""
        if self.layout_mode != "grid" or not self.panes:
            return
        folded = [n for n in self.panes if self.fold_idle and self._foldable(n, state, now)]
        open_panes = [pane for name, pane in self.panes.items() if name not in folded]
        width, height = self.app.size
        headers = FoldedPanes.rows_for(len(folded), width)
        columns = grid_columns(len(open_panes), width, body_height(height) - board_height(height) - headers)
        key = (tuple(folded), columns, headers)
        strip = self.query_one("#folded", FoldedPanes)
        if key != self._arranged:
            self._arranged, self.folded = key, folded
            rows = max(1, math.ceil(len(open_panes) / columns))
            grid = self.query_one("#panes", Grid)
            grid.styles.grid_size_columns = columns
            grid.styles.grid_size_rows = rows
            for name, pane in self.panes.items():
                pane.display = name not in folded
                pane.styles.column_span = 1
                pane.transcript.catch_up()  # opened: what came while it was folded
            if open_panes:  # the last pane takes the cells its row leaves empty
                open_panes[-1].styles.column_span = columns * rows - len(open_panes) + 1
        strip.show([self.panes[name] for name in folded], width)

    def _unfold(self, name: str) -> None:
        """Open a folded pane at once (it is about to be focused)."""
        if name in self.folded:
            self.folded = [n for n in self.folded if n != name]
            self.panes[name].display = True
            self.panes[name].transcript.catch_up()
            self._arranged = None  # the next structural flush lays the grid out again
            self.party.request_structural()

    async def sync(self, state: TeamState, now: float, dirty: set[str], structural: bool, full: bool) -> None:
        """Bring the screen up to date: ``dirty`` agents' transcripts; the rest when ``structural`` or ``full``."""
        mode = self.wanted_layout()
        zoomed: str | None = None
        if full or self._built_for != (tuple(pane_order(state)), mode):
            if self.maximized is not None:  # rebuilt (a replay's seek): the same agent's pane zooms again
                zoomed = self.focused_agent
                self.minimize()
            await self._build_body(state, mode)
            full = True
        for name in state.agents if full else dirty:
            pane = self.panes.get(name)
            if pane is not None:
                await pane.sync(state, now)
        if zoomed is not None and (zoomed_pane := self.panes.get(zoomed)) is not None:
            self.maximize(zoomed_pane, container=False)
        if not (structural or full or dirty.intersection(self.folded)):
            # deltas move neither titles, the board, the phases nor the totals (the once-a-second tick is
            # structural); a folded pane's agent writing something opens its pane now
            return
        for pane in self.panes.values():
            pane.refresh_title(state, now)  # the changed panes did theirs; the others' clocks move
        self._arrange(state, now)
        if self.board is not None:
            await self.board.sync(state, now)
        # looked up among the screen's own children (a query would walk every widget of every pane at
        # each flush), and tolerant of their absence: if the app closes mid-rebuild they are already gone
        for child in self.children:
            if isinstance(child, (PhaseTimeline, StatusBar)):
                child.show(state, now)

    async def tick(self, state: TeamState, now: float) -> None:
        """Once a second: the clocks (ages, elapsed times) move even when nothing happens."""
        await self.sync(state, now, set(), structural=True, full=False)

    def on_resize(self) -> None:
        self.party.request_structural()

    # ── focus ───────────────────────────────────────────────────────────────

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        node: DOMNode | None = event.widget
        while node is not None and not isinstance(node, AgentPane):
            node = node.parent
        if isinstance(node, AgentPane):
            self.focused_agent = node.agent

    def _show_agent(self, name: str) -> None:
        pane = self.panes.get(name)
        if pane is None:
            return
        self.focused_agent = name
        if self.layout_mode == "tabs":
            self.query_one("#tabs", TabbedContent).active = f"tab-agent-{pane.index}"
        self._unfold(name)
        pane.transcript.focus()

    def _agent_or_complain(self) -> str | None:
        if self.focused_agent is None:
            self.notify("No agent to act on yet.", severity="warning")
        return self.focused_agent

    # ── actions ─────────────────────────────────────────────────────────────

    def action_focus_agent(self, number: int) -> None:
        names = list(self.panes)
        if not 1 <= number <= len(names):
            self.app.bell()
            return
        if self.maximized is not None:
            self.minimize()
        self._show_agent(names[number - 1])

    def action_pause(self) -> None:
        if (agent := self._agent_or_complain()) is not None:
            self.toggle_pause(agent)

    def action_message(self) -> None:
        if (agent := self._agent_or_complain()) is not None:
            self.message_agent(agent)

    def action_cancel_agent(self) -> None:
        if (agent := self._agent_or_complain()) is not None:
            self.cancel_agent(agent)

    def action_cannot(self, what: str) -> None:
        self.notify(self.source.no_team.format(what=what), severity="warning")

    def action_zoom(self) -> None:
        if self.maximized is not None:
            self.minimize()
            if self.focused_agent:
                self._show_agent(self.focused_agent)
            return
        pane = self.panes.get(self.focused_agent or "")
        if pane is not None:
            self.maximize(pane, container=False)
            pane.transcript.focus()

    def action_fold(self) -> None:
        self.fold_idle = not self.fold_idle
        if self.layout_mode == "grid":
            self.notify("Idle panes fold to one line." if self.fold_idle else "Every pane open.", timeout=2)
        self._arranged = None
        self.party.request_structural()

    def action_board(self) -> None:
        if self.board is None:
            return
        if self.maximized is not None:
            self.minimize()
        if self.layout_mode == "tabs":
            self.query_one("#tabs", TabbedContent).active = "tab-board"
        if not self.board.focus_first_card():
            self.notify("No tasks on the board yet.")

    def action_inbox(self) -> None:
        self.open_inbox()

    def action_documents(self) -> None:
        self.open_documents()

    def action_help(self) -> None:
        self.open_help()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """What the source cannot do is hidden: its key is off the footer and does nothing (or says why)."""
        if action in TEAM_KEYS:
            return self.source.can(TEAM_KEYS[action])
        if action == "cannot":
            return not self.source.can(str(parameters[0]))
        if action == "results":
            return self.source.run_over
        return True

    def action_results(self) -> None:
        self.show_results()

    def action_load_warnings(self) -> None:
        self.open_load_warnings()

    def action_quit_app(self) -> None:
        self.party.request_quit()

    def on_task_card_selected(self, message: TaskCard.Selected) -> None:
        self.open_task(message.task_id)

    def show_agent(self, name: str) -> None:
        """Focus an agent's pane (the task detail screen's jump)."""
        if self.maximized is not None:
            self.minimize()
        self._show_agent(name)

    # ── what the keys open ──────────────────────────────────────────────────

    def _no_team(self, what: str) -> bool:
        if not self.source.can(what):
            self.action_cannot(what)
            return True
        return False

    def toggle_pause(self, agent: str) -> None:
        team = self.source.team
        if self._no_team("pause") or team is None:
            return
        if team.is_paused(agent):
            team.resume(agent)
            self.notify(f"{agent} resumed")
        else:
            team.pause(agent)
            self.notify(f"{agent} paused: it stops after its current step")

    def message_agent(self, agent: str) -> None:
        if self._no_team("message"):
            return
        from .message import MessageScreen

        def send(text: str | None) -> None:
            if text and text.strip() and self.source.team is not None:
                self.source.team.send(agent, text.strip())
                self.notify(f"Sent to {agent}")

        view = self.source.state.agents.get(agent)
        self.app.push_screen(MessageScreen(agent, color=view.info.color if view else None), send)

    def cancel_agent(self, agent: str) -> None:
        if self._no_team("cancel"):
            return
        from .confirm import ConfirmScreen

        def confirmed(yes: bool | None) -> None:
            if yes and self.source.team is not None:
                self.source.team.cancel(agent)
                self.notify(f"{agent} cancelled")

        body = f"{agent} stops now; its unfinished work stays as it is. The rest of the team goes on."
        self.app.push_screen(ConfirmScreen(f"Cancel {agent}?", body), confirmed)

    def open_inbox(self) -> None:
        from .inbox import InboxScreen

        def chosen(approval_id: int | None) -> None:
            if approval_id is not None:
                self.app.run_worker(self.party.answer_request(approval_id), group="inbox")

        self.app.push_screen(InboxScreen(self.source.state, self.source.clock), chosen)

    def open_next_request(self) -> None:
        """The oldest request still waiting, in its modal (where it arms and is answered as any other)."""
        pending = sorted(self.source.state.pending_approvals, key=lambda v: v.request.id)
        if not pending:
            self.notify("No request is waiting.")
        elif not self.source.can("answer"):
            self.notify(self.source.no_answers, severity="warning")
        else:
            self.app.run_worker(self.party.answer_request(pending[0].request.id), group="inbox")

    def _session_ref(self) -> str:
        """How the commands that name this session name it (its id, or its log's path)."""
        from ...core.truth.sessions import session_dir
        from .results import session_ref

        try:
            default_dir = session_dir()
        except OSError:
            default_dir = None
        return session_ref(self.source.state, self.source.log_path, default_dir)

    def show_results(self) -> None:
        """The end of the run as a panel: status, files, tasks, requests, costs and the next commands."""
        from .results import ResultsScreen

        def closed(choice: str | None) -> None:
            if choice == "quit":
                self.party.request_quit()

        self.app.push_screen(ResultsScreen(self.source.state, self.source.clock(), self._session_ref()), closed)

    async def export_report(self, fmt: str) -> None:
        """Write a readable report of the session beside its log (what ``partytui export`` writes)."""
        from ...commands.port import write_atomically
        from ...core.truth.log import LogError, read_log
        from ...replay.export import export_html, export_markdown

        log_path = self.source.log_path
        if log_path is None:
            self.notify("No session log here to export.", severity="warning")
            return
        target = log_path.with_name(f"{log_path.stem}-report.{fmt}")
        render = export_html if fmt == "html" else export_markdown
        state = self.source.state

        def write() -> None:
            contents = read_log(log_path)
            write_atomically(target, render(state, contents.events))

        try:
            await asyncio.to_thread(write)
        except (OSError, LogError) as exc:
            self.notify(f"The report was not written: {exc}", severity="error", timeout=10)
            return
        self.notify(f"Wrote {target}", title="Report", timeout=10)

    def replay_command(self) -> str:
        """The command that replays this session (copied to the clipboard by the palette)."""
        command = f"partytui replay {self._session_ref()}"
        self.app.copy_to_clipboard(command)
        self.notify(f"{command}\n(copied: run it in another terminal)", title="Replay this session")
        return command

    def open_documents(self) -> None:
        from .documents import DocumentsScreen

        self.app.push_screen(DocumentsScreen(lambda: self.source.state, self.party.workspace, self.source.clock))

    def open_load_warnings(self) -> None:
        from .warnings import LoadWarningsScreen

        self.app.push_screen(LoadWarningsScreen(self.source.state.load_warnings))

    def open_help(self) -> None:
        from .help import HelpScreen

        self.app.push_screen(HelpScreen(self.key_help()))  # this screen's section comes first

    def open_task(self, task_id: str) -> None:
        from .task_detail import TaskDetailScreen

        view = self.source.state.tasks.get(task_id)
        if view is None:
            return

        def jump(agent: str | None) -> None:
            if agent:
                self.show_agent(agent)

        self.app.push_screen(TaskDetailScreen(view, self.source.state, self.source.clock), jump)

    # ── help and palette ────────────────────────────────────────────────────

    def key_help(self) -> list[tuple[str, str]]:
        return [("", "Main screen"), *self.screen_keys(), *MODAL_KEYS]

    @classmethod
    def screen_keys(cls, leave_out: tuple[str, ...] = ()) -> list[tuple[str, str]]:
        """The main screen's keys for the help (a replay leaves out the ones that act on a live team)."""
        keys = [("1-9", "focus agent N")]
        bindings = [b for b in MainScreen.BINDINGS if isinstance(b, Binding)]  # all are Bindings here
        keys += [
            (b.key_display or b.key, b.description) for b in bindings if not b.key.isdigit() and b.key not in leave_out
        ]
        keys += [
            ("enter", "open the task card under the cursor; in a pane, open or close the chosen tool call or thinking"),
            ("k / j", "choose the previous / next tool call or thinking in the focused pane (or click one)"),
            ("e", "show earlier entries of the focused transcript"),
            ("ctrl+p", "command palette"),
            ("escape", "leave zoom"),
        ]
        return keys

    def palette_commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        commands: list[tuple[str, str, Callable[[], object]]] = []
        for i, name in enumerate(self.panes, 1):
            commands += [
                (f"Focus {name}", f"show its transcript (key {i})", partial(self.action_focus_agent, i)),
                (f"Pause or resume {name}", "key p on its pane", partial(self.toggle_pause, name)),
                (f"Message {name}", "key m on its pane", partial(self.message_agent, name)),
                (f"Cancel {name}", "key x on its pane (asks first)", partial(self.cancel_agent, name)),
            ]
        commands += [
            ("Open the next request", "the oldest one waiting for you, to answer it", self.open_next_request),
            ("Zoom the focused pane", "key z: full screen and back", self.action_zoom),
            (
                "Fold idle panes, or open them all",
                "key f: an idle agent's pane as one line, its room to the rest",
                self.action_fold,
            ),
            ("Task board", "key t", self.action_board),
            ("Inbox of requests", "key i", self.action_inbox),
            (
                "Export a report (Markdown)",
                "written beside the session log",
                lambda: self.app.run_worker(self.export_report("md"), group="export"),
            ),
            (
                "Export a report (HTML)",
                "written beside the session log",
                lambda: self.app.run_worker(self.export_report("html"), group="export"),
            ),
            ("Replay this session", "copies the command that replays it", self.replay_command),
            ("Shared documents", "key d: plans and context files, who wrote and read them", self.action_documents),
            ("Agent file warnings", "key w: what partytui will not do as the files ask", self.action_load_warnings),
            ("Help: keys", "key ?", self.action_help),
            ("Quit", "key q", self.action_quit_app),
        ]
        return commands
