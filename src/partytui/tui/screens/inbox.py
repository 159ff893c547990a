"""InboxScreen: every request for the person — pending ones to open, answered ones below for the record."""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ...core.truth.state import ApprovalView, TeamState
from ...core.views.present import age
from ...core.views.present import one_line as _one_line
from ..theme import DECISION_COLORS
from .approval import KIND_LABELS, agent_style
from .choice_list import MOVE_BINDINGS, ChoosesFromList
from .help import HELP_BINDING, OffersHelp


class InboxScreen(ChoosesFromList, OffersHelp, ModalScreen[int | None]):
    HELP_SECTION = "Inbox"
    """Returns the id of the pending request to open, or None."""

    CSS_PATH = "inbox.tcss"

    BINDINGS = [
        Binding("enter", "choose", "Open"),
        Binding("escape,i,q", "close", "Close", key_display="esc"),
        *MOVE_BINDINGS,
        HELP_BINDING,
    ]

    def __init__(self, state: TeamState, clock: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.state = state
        self.clock = clock

    def compose(self) -> ComposeResult:
        pending = sorted(self.state.pending_approvals, key=lambda a: a.requested_at)
        answered = sorted(
            (a for a in self.state.approvals.values() if not a.pending),
            key=lambda a: a.answered_at or a.requested_at,
            reverse=True,
        )
        agent_width = max((len(_one_line(a.request.agent, 40)) for a in self.state.approvals.values()), default=5)
        # the title column takes what the card's width leaves after the fixed columns
        card = self._line_width = min(120, self.app.size.width) - 6
        self._title_width = max(12, card - (5 + agent_width + 1 + 11) - 10)
        with Vertical(id="inbox"):
            heading = Text.assemble(("Inbox", "bold"), "  ")
            heading.append(f"{len(pending)} pending", style="bold yellow" if pending else "dim")
            heading.append(f" · {len(answered)} answered", style="dim")
            yield Static(heading, id="inbox-heading")
            options: list[Option | None] = []
            if not pending:
                options.append(Option(Text("Nothing waits for you.", style="dim italic"), disabled=True))
            for view in pending:
                options.append(Option(self._pending_line(view, agent_width), id=str(view.request.id)))
            if answered:
                options.append(None)
                options.append(Option(Text("Answered", style="bold dim"), disabled=True))
                for view in answered:
                    options.append(
                        Option(self._answered_line(view, agent_width), id=f"done-{view.request.id}", disabled=True)
                    )
            yield OptionList(*options, id="requests")
            yield Static(Text("↑↓ move · enter open · esc close", style="dim"), id="inbox-hint")
        yield Footer()

    def _columns(self, view: ApprovalView, agent_width: int) -> Text:
        req = view.request
        color = self.state.agents[req.agent].info.color if req.agent in self.state.agents else None
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f"#{req.id:<3} ", style="dim")
        line.append(_one_line(req.agent, 40).ljust(agent_width + 1), style=agent_style(color, req.agent))
        line.append(f"{KIND_LABELS.get(req.kind) or _one_line(req.kind.upper(), 11):<11}", style="bold")
        return line

    def _pending_line(self, view: ApprovalView, agent_width: int) -> Text:
        req = view.request
        line = self._columns(view, agent_width)
        width = self._title_width
        line.append(_one_line(req.title or req.summary or "(untitled)", width - 1).ljust(width))
        line.append(age(self.clock() - view.requested_at), style="yellow")
        return line

    def _answered_line(self, view: ApprovalView, agent_width: int) -> Text:
        req = view.request
        line = self._columns(view, agent_width)
        width = max(10, self._title_width // 2)
        line.append(_one_line(req.title or req.summary or "(untitled)", width - 1).ljust(width))
        decision = view.decision or "?"
        line.append(_one_line(decision, 20), style=DECISION_COLORS.get(decision, ""))
        line.append(f" by {_one_line(view.by or '?', 40)}")
        if view.answered_at is not None:
            line.append(f" {age(self.clock() - view.answered_at)}", style="dim")
        line.truncate(self._line_width, overflow="ellipsis")
        # under it, what was answered and the note (a replay reads past decisions here)
        said = list(view.answers)
        if view.note:
            said.append(f"“{view.note}”")
        if said:
            detail = Text(
                "     ↳ " + _one_line("; ".join(said), self._line_width - 7),
                style="italic",
                no_wrap=True,
                overflow="ellipsis",
            )
            line = Text("\n", no_wrap=True).join([line, detail])
        return line

    def on_mount(self) -> None:
        requests = self.query_one(OptionList)
        requests.focus()
        if self.state.pending_approvals:
            requests.highlighted = 0

    def chosen(self, option: Option) -> int | None:
        """A pending request's id (the answered ones are there for the record)."""
        return int(option.id) if option.id and option.id.isdigit() else None

    def action_close(self) -> None:
        self.dismiss(None)
