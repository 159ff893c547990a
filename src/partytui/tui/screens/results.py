"""ResultsScreen: the end of a run — its status, what was built, the tasks, the requests and how each was
answered, what every agent cost, and the commands that come next (export, replay, resume)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from ...core.truth.state import TeamState
from ...core.views.present import duration, one_line
from ...core.views.summary import summarize
from ..plain import plain_line
from ..theme import DECISION_COLORS, agent_color
from ..widgets.labels import cost, pane_order, tokens
from ..widgets.statusbar import session_elapsed, team_cost
from .help import HELP_BINDING, OffersHelp

STATUS_STYLES = {
    "done": "bold #7ccf6b",
    "failed": "bold #ef6f6c",
    "stalled": "bold #e8c547",
    "cancelled": "bold #e8c547",
    "waiting": "bold #e8c547",
}
STATUS_MARKS = {"done": "✓", "failed": "✗", "stalled": "◌", "cancelled": "■", "waiting": "⚑"}
TASK_MARKS = {"completed": ("✓", "#7ccf6b"), "in_progress": ("◐", "#e8c547"), "pending": ("○", "#8a8a8a")}


def session_ref(state: TeamState, log_path: Path | None, default_dir: Path | None) -> str:
    """How a command names this session: its id when the log is in the usual sessions dir, else its path."""
    if log_path is None or (default_dir is not None and log_path.parent == default_dir):
        return state.session_id or str(log_path)
    return str(log_path)


def next_commands(state: TeamState, ref: str) -> list[tuple[str, str]]:
    commands = [
        (f"partytui export {ref} --format html -o report.html", "a readable report"),
        (f"partytui replay {ref}", "watch it again"),
        (f"partytui summary {ref}", "this summary as text (--json)"),
    ]
    if state.status != "done":
        commands.insert(0, (f"partytui resume {ref}", "carry on from where it stopped"))
    return commands


class ResultsScreen(OffersHelp, ModalScreen[str | None]):
    HELP_SECTION = "Results"
    """Dismissed with ``"quit"`` to leave partytui, or ``None`` to look at the team's screen again."""

    CSS_PATH = "results.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back to the team"),
        Binding("q", "quit", "Quit"),
        Binding("pageup", "scroll('page_up')", show=False),
        Binding("pagedown", "scroll('page_down')", show=False),
        HELP_BINDING,
    ]

    def __init__(self, state: TeamState, now: float, ref: str) -> None:
        super().__init__()
        self.state = state
        self.now = now
        self.ref = ref
        self.data = summarize(state)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="results"):
            yield Static(self._headline(), id="results-head")
            with Horizontal(id="results-top"):
                yield Static(self._files(), id="results-files", classes="results-part")
                yield Static(self._tasks(), id="results-tasks", classes="results-part")
            yield Static(self._requests(), id="results-requests", classes="results-part")
            yield Static(self._costs(), id="results-costs", classes="results-part")
            yield Static(self._next(), id="results-next", classes="results-part")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#results").focus()

    def on_resize(self) -> None:
        self.set_class(self.size.width < 110, "-narrow")

    # ── parts ───────────────────────────────────────────────────────────────

    def _headline(self) -> Text:
        status = self.state.status
        text = Text()
        text.append(
            f" {STATUS_MARKS.get(status, '•')} Session {status} ", style=f"reverse {STATUS_STYLES.get(status, 'bold')}"
        )
        text.append(f"  {duration(session_elapsed(self.state, self.now))}", style="bold")
        text.append(f" · {len(self.state.agents)} agents · {one_line(self.state.session_id or '', 80)}", style="dim")
        if self.state.reason:
            text.append("\n")
            text.append(one_line(self.state.reason, 300))
        if self.state.goal:
            text.append("\nGoal: ", style="dim")
            text.append(one_line(self.state.goal, 300), style="italic")
        return text

    def _files(self) -> RenderableType:
        files = self.data["files_written"]
        lines = [Text(f"Built · {len(files)} file{'s' if len(files) != 1 else ''} written", style="bold underline")]
        if not files:
            lines.append(Text("nothing was written", style="dim italic"))
        for path in files:
            view = self.state.files.get(path)
            who = view.agent if view is not None else None
            line = Text.assemble(("• ", "dim"), one_line(path, 200))
            if who:
                line.append(
                    f"  {one_line(who, 40)}",
                    style=agent_color(self.state.agents[who].info.color, who) if who in self.state.agents else "dim",
                )
            lines.append(line)
        return Group(*lines)

    def _tasks(self) -> RenderableType:
        tasks = [t for t in self.data["tasks"] if t["status"] != "deleted"]
        done = sum(1 for t in tasks if t["status"] == "completed")
        lines = [Text(f"Tasks · {done}/{len(tasks)} completed", style="bold underline")]
        if not tasks:
            lines.append(Text("no tasks on the board", style="dim italic"))
        for t in tasks:
            mark, colour = TASK_MARKS.get(t["status"], ("·", "#8a8a8a"))
            line = Text.assemble(
                (f"{mark} ", colour), (f"#{one_line(t['id'], 20)} ", "dim"), one_line(t["subject"], 80)
            )
            if t["owner"]:
                line.append(f"  {one_line(t['owner'], 40)}", style=self._agent_style(t["owner"]))
            lines.append(line)
        return Group(*lines)

    def _requests(self) -> RenderableType:
        approvals = self.data["approvals"]
        lines = [Text(f"Requests · {len(approvals)}", style="bold underline")]
        if not approvals:
            lines.append(Text("the team asked you nothing", style="dim italic"))
        for a in approvals:
            decision = a["decision"]
            line = Text.assemble(
                (f"#{a['id']} ", "dim"),
                (one_line(a["kind"], 20), "bold"),
                " from ",
                (one_line(a["agent"], 40), self._agent_style(a["agent"])),
                ": ",
                one_line(a["title"] or "", 60),
                "  ",
            )
            line.append(one_line(decision, 20), style=f"bold {DECISION_COLORS.get(decision, '#d8d8d8')}")
            if a["by"]:
                line.append(" by you" if a["by"] == "human" else f" by {one_line(a['by'], 20)}", style="dim")
            said = list(a["answers"]) + ([f"“{a['note']}”"] if a["note"] and a["note"] != "always" else [])
            if said:
                line.append(": " + one_line("; ".join(said), 160), style="italic")
            lines.append(line)
        return Group(*lines)

    def _costs(self) -> RenderableType:
        table = Table(box=None, padding=(0, 1), show_edge=False, header_style="dim", expand=False)
        for name, justify in (
            ("agent", "left"),
            ("model", "left"),
            ("turns", "right"),
            ("input", "right"),
            ("cache read", "right"),
            ("cache write", "right"),
            ("output", "right"),
            ("cost", "right"),
        ):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        totals = [0, 0, 0, 0, 0]
        for view in (self.state.agents[name] for name in pane_order(self.state)):
            u = view.usage
            row = [
                view.turns,
                u.input_tokens,
                u.cache_read_input_tokens,
                u.cache_creation_input_tokens,
                u.output_tokens,
            ]
            totals = [t + r for t, r in zip(totals, row, strict=True)]
            table.add_row(
                Text(one_line(view.name, 40), style=self._agent_style(view.name)),
                Text(one_line(view.info.model, 40), style="dim"),
                str(view.turns),
                *(tokens(n) for n in row[1:]),
                cost(view.cost_usd),
            )
        table.add_row(
            Text("total", style="bold"),
            "",
            str(totals[0]),
            *(tokens(n) for n in totals[1:]),
            Text(cost(team_cost(self.state)), style="bold"),
        )
        return Group(Text("Cost", style="bold underline"), table)

    def _next(self) -> RenderableType:
        lines = [Text("Next", style="bold underline")]
        for command, why in next_commands(self.state, self.ref):
            lines.append(Text.assemble(("$ ", "dim"), (plain_line(command), "bold"), (f"   {why}", "dim")))
        if self.state.workspace:
            lines.append(Text.assemble(("workspace: ", "dim"), plain_line(self.state.workspace)))
        return Group(*lines)

    def _agent_style(self, name: str) -> str:
        view = self.state.agents.get(name)
        return agent_color(view.info.color if view else None, name)

    # ── keys ────────────────────────────────────────────────────────────────

    def action_back(self) -> None:
        self.dismiss(None)

    def action_quit(self) -> None:
        self.dismiss("quit")

    def action_scroll(self, where: str) -> None:
        box = self.query_one("#results", VerticalScroll)
        (box.action_page_up if where == "page_up" else box.action_page_down)()
