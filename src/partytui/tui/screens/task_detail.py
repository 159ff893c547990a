"""TaskDetailScreen: one task in full — description, owner, dependencies and its status history.

Returns the owner's name (to jump to its transcript) or None.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Markdown, Static

from ...core.truth.state import TaskView, TeamState
from ...core.views.present import age
from ..plain import plain, plain_line, plain_text
from .approval import agent_style
from .help import HELP_BINDING, OffersHelp

STATUS_STYLES = {
    "pending": ("○ pending", "dim"),
    "in_progress": ("◐ in progress", "bold yellow"),
    "completed": ("● completed", "bold green"),
    "deleted": ("✕ deleted", "red"),
}


class TaskDetailScreen(OffersHelp, ModalScreen[str | None]):
    HELP_SECTION = "Task detail"
    CSS_PATH = "task_detail.tcss"

    BINDINGS = [
        Binding("o,enter", "open_owner", "Owner's transcript", key_display="o"),
        Binding("escape,q", "close", "Close", key_display="esc"),
        HELP_BINDING,
    ]

    def __init__(self, view: TaskView, state: TeamState, clock: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.view = view
        self.state = state
        self.clock = clock

    def _agent(self, name: str | None) -> Text:
        if not name:
            return Text("nobody", style="dim")
        agent = self.state.agents.get(name)
        return plain_text(plain_line(name), style=agent_style(agent.info.color if agent else None, name))

    def _status(self, status: str) -> Text:
        label, style = STATUS_STYLES.get(status, (plain_line(status), ""))
        return Text().append(label, style=style)  # a span, so text appended later keeps its own style

    def compose(self) -> ComposeResult:
        task = self.view.task
        now = self.clock()
        with Vertical(id="task"):
            head = Text.assemble((f"#{plain_line(task.id)} ", "dim"), (plain(task.subject), "bold"))
            yield Static(head, id="task-title")
            facts = Table.grid(padding=(0, 2))
            facts.add_column(style="dim", no_wrap=True)
            facts.add_column()
            facts.add_row("status", self._status(task.status))
            facts.add_row("owner", self._agent(task.owner))
            if self.view.created_by:
                facts.add_row(
                    "created",
                    Text.assemble(self._agent(self.view.created_by), (f"  {age(now - self.view.created_at)}", "dim")),
                )
            facts.add_row("updated", Text(age(now - self.view.updated_at), style="dim"))
            for label, ids in (("blocked by", task.blocked_by), ("blocks", task.blocks)):
                if ids:
                    facts.add_row(label, self._task_refs(ids))
            if task.source != "team":
                facts.add_row("list", plain_text(plain_line(task.source)))
            with VerticalScroll(id="task-body"):
                yield Static(facts, id="task-facts")
                if task.description:
                    yield Static(Text("Description", style="bold underline"), classes="section")
                    yield Markdown(plain(task.description), id="task-description")
                yield Static(Text("History", style="bold underline"), classes="section")
                yield Static(self._history(now), id="task-history")
        yield Footer()

    def _task_refs(self, ids: list[str]) -> Text:
        text = Text()
        for i, tid in enumerate(ids):
            if i:
                text.append("\n")
            other = self.state.tasks.get(tid)
            text.append(f"#{plain_line(tid)} ", style="bold")
            if other is None:
                text.append("(unknown task)", style="dim")
            else:
                text.append(plain(other.task.subject) + "  ")
                text.append_text(self._status(other.task.status))
        return text

    def _history(self, now: float) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="dim", no_wrap=True, justify="right")
        table.add_column(no_wrap=True)
        table.add_column()
        for ts, status, owner, by in self.view.history:
            what = self._status(status)
            if owner:
                what.append("  owner ", style="dim")
                what.append_text(self._agent(owner))
            who = Text.assemble(("by ", "dim"), self._agent(by)) if by else Text("")
            table.add_row(age(now - ts), what, who)
        if not self.view.history:
            table.add_row("", Text("no changes recorded", style="dim"), "")
        return table

    def on_mount(self) -> None:
        self.query_one("#task-body").focus()

    def action_open_owner(self) -> None:
        owner = self.view.task.owner
        if not owner:
            self.notify("This task has no owner yet.", severity="warning", timeout=2)
            return
        self.dismiss(owner)

    def action_close(self) -> None:
        self.dismiss(None)
