"""An agent's pane: a title with its name, model and state, its own lists (TodoWrite, checklist files), its transcript."""

from __future__ import annotations

from typing import Any

from textual.containers import Vertical
from textual.content import Content

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
        self._latest: tuple[TeamState, float] | None = None

    def compose(self):  # type: ignore[override]
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
        self.border_title = Content.assemble(
            (f"{self.index} " if self.index < 10 else "", "dim"),
            (plain_line(view.name), f"bold {color}"),
            (f" · {plain_line(view.info.model)}", "dim"),
            (" on Claude Code" if view.info.runtime == "claude-code" else "", "dim"),  # which runtime runs it
            " · ",
            (plain_line(status), state_color(view.state)),
        )
        news = Content.assemble((f"↓ {unseen} new below ", "bold $accent")) if unseen else Content("")
        self.border_subtitle = Content.assemble(news, f"{used} {cost(view.cost_usd)}" if used else "")

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
