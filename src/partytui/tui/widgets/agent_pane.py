"""An agent's pane: a title with its name, model and state, its own lists (TodoWrite, checklist files), its transcript."""

from __future__ import annotations

from typing import Any

from textual.containers import Vertical
from textual.content import Content

from ...core.state import TeamState
from ..theme import agent_color, state_color
from .agent_lists import AgentLists
from .labels import agent_status, cost, tokens
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

    def compose(self):  # type: ignore[override]
        yield self.checklist
        yield self.transcript

    def refresh_title(self, state: TeamState, now: float) -> None:
        view = state.agents.get(self.agent)
        if view is None:
            return
        status = agent_status(view, state, now)
        key = (status, view.info.model, view.usage.input_tokens, view.usage.output_tokens, view.cost_usd)
        if key == self._title:
            return
        self._title = key
        color = agent_color(view.info.color, view.name)
        self.border_title = Content.assemble(
            (f"{self.index} " if self.index < 10 else "", "dim"),
            (view.name, f"bold {color}"),
            (f" · {view.info.model}", "dim"),
            " · ",
            (status, state_color(view.state)),
        )
        used = view.usage.input_tokens + view.usage.output_tokens
        self.border_subtitle = Content(f"{tokens(used)} tok {cost(view.cost_usd)}") if used else ""

    async def sync(self, state: TeamState, now: float) -> None:
        view = state.agents.get(self.agent)
        if view is None:
            return
        self.refresh_title(state, now)
        self.checklist.show(view, state)
        await self.transcript.sync(view, state)

    def on_descendant_focus(self) -> None:
        self.add_class("-focused")

    def on_descendant_blur(self) -> None:
        self.remove_class("-focused")
