"""An agent's pane: a title with its name, model and state, its own lists (TodoWrite, checklist files), its
transcript; and, for the panes of idle agents, the one-line headers they fold to."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.content import Content
from textual.widgets import Static

from ...core.truth.state import TeamState
from ..plain import plain_line
from ..theme import agent_color, state_color
from .agent_lists import AgentLists
from .labels import agent_status, cost, token_count
from .transcript import Transcript


class AgentPane(Vertical):
    """Renders from ``TeamState``: ``sync`` brings it up to date, ``refresh_title`` ticks its clock."""

    ALLOW_MAXIMIZE = True
    DEFAULT_CSS = """
    AgentPane { border: round $panel-lighten-2; border-title-align: left; border-subtitle-align: right; height: 1fr; }
    AgentPane.-focused { border: round $accent; }
    """

    def __init__(self, agent: str, index: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.agent = agent
        self.index = index
        self.checklist = AgentLists()  # hidden until the agent keeps a list
        self.transcript = Transcript(agent)
        self._title: tuple[Any, ...] = ()
        self._header_title, self._header_used = Content(plain_line(agent)), Content("")
        self._latest: tuple[TeamState, float] | None = None

    def compose(self) -> ComposeResult:
        yield self.checklist
        yield self.transcript

    def refresh_title(self, state: TeamState, now: float) -> None:
        self._latest = (state, now)
        view = state.agents.get(self.agent)
        if view is None:
            return
        status = agent_status(view, state, now)
        unseen = self.transcript.news_below
        used = token_count([view.usage])
        key = (status, view.info.model, used, view.cost_usd, unseen)
        if key == self._title:
            return
        self._title = key
        color = agent_color(view.info.color, view.name)
        self._header_title = Content.assemble(
            (f"{self.index} " if self.index < 10 else "", "dim"),
            (plain_line(view.name), f"bold {color}"),
            (f" · {plain_line(view.info.model)}", "dim"),
            (" on Claude Code" if view.info.runtime == "claude-code" else "", "dim"),  # which runtime runs it
            " · ",
            (plain_line(status), state_color(view.state)),
        )
        self.border_title = self._header_title
        news = Content.assemble((f"↓ {unseen} new below ", "bold $accent")) if unseen else Content("")
        self._header_used = Content(f"{used} {cost(view.cost_usd)}" if used else "")
        self.border_subtitle = Content.assemble(news, self._header_used)

    def header(self) -> Content:
        """The pane folded to one line: its title, then its tokens and cost."""
        return Content.assemble(("▸ ", "dim"), self._header_title, "  ", self._header_used.stylize("dim"))

    def on_transcript_caught_up(self) -> None:
        if self._latest is not None:
            self.refresh_title(*self._latest)

    async def sync(self, state: TeamState, now: float) -> None:
        view = state.agents.get(self.agent)
        if view is None:
            return
        self.checklist.show(view, state)
        await self.transcript.sync(view, state)
        self.refresh_title(state, now)  # after the transcript: it counts what arrived below the person

    def on_descendant_focus(self) -> None:
        self.add_class("-focused")

    def on_descendant_blur(self) -> None:
        self.remove_class("-focused")


class FoldedHeader(Static):
    """A folded pane's one line; a click opens it (as its number key does)."""

    DEFAULT_CSS = """
    FoldedHeader { height: 1; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    FoldedHeader:hover { background: $boost; }
    """

    def __init__(self, pane: AgentPane) -> None:
        super().__init__("")
        self.pane = pane
        self._shown: Content | None = None

    def show(self) -> None:
        header = self.pane.header()
        if header != self._shown:
            self._shown = header
            self.update(header)

    def on_click(self) -> None:
        screen = self.screen
        if hasattr(screen, "show_agent"):
            screen.show_agent(self.pane.agent)


class FoldedPanes(Grid):
    """The headers of the folded panes, a few to a line on a wide terminal; hidden while none is folded."""

    DEFAULT_CSS = """
    FoldedPanes { height: auto; grid-rows: 1; grid-gutter: 0 2; display: none; }
    """

    # a header is about this wide (number, name, model, state, tokens): fewer fit a line, more would be cut
    HEADER_WIDTH = 72

    @classmethod
    def per_row(cls, width: int) -> int:
        return max(1, width // cls.HEADER_WIDTH)

    @classmethod
    def rows_for(cls, folded: int, width: int) -> int:
        return -(-folded // cls.per_row(width))

    def show(self, panes: list[AgentPane], width: int) -> None:
        headers = [h for h in self.children if isinstance(h, FoldedHeader)]
        if [h.pane for h in headers] != panes:
            headers = [FoldedHeader(pane) for pane in panes]
            self.remove_children()
            self.mount_all(headers)
        self.styles.grid_size_columns = min(self.per_row(width), max(1, len(panes)))
        self.display = bool(panes)
        for header in headers:
            header.show()
