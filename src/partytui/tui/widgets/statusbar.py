"""The status bar: pending-requests badge, session time, each agent's state, tokens and cost."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from ...core.truth.state import TeamState
from ...core.views.present import clock_time, one_line
from ..theme import agent_color, state_color, state_word
from .labels import cost, token_count


def session_elapsed(state: TeamState, now: float) -> float:
    if state.started_at is None:
        return 0.0
    end = state.ended_at if state.status != "running" and state.ended_at else now
    return max(0.0, end - state.started_at)


def team_cost(state: TeamState) -> float | None:
    total = 0.0
    for view in state.agents.values():
        if view.cost_usd is None:
            return None
        total += view.cost_usd
    return total


def render_status(state: TeamState, now: float, width: int = 200, paused: bool = False) -> Content:
    pending = len(state.pending_approvals)
    badge = (
        Content.styled(f" ⚑ {pending} pending ", "bold reverse $text-warning")
        if pending
        else Content.styled(" ⚑ 0 ", "dim")
    )
    parts = [badge, Content.styled(f" {clock_time(session_elapsed(state, now))} ", "bold")]
    if state.status != "running":
        parts.append(
            Content.styled(
                f"{one_line(state.status, 20)} ", "bold $text-success" if state.status == "done" else "bold $text-error"
            )
        )
    elif paused:
        parts.append(Content.styled("paused ", "bold $text-primary"))
    used = token_count(v.usage for v in state.agents.values()) or "0 tok"
    tail = Content.styled(f" {used} {cost(team_cost(state))} ", "")
    # the agents get what is left; drop their state words first, then their names, when narrow
    room = width - sum(p.cell_length for p in parts) - tail.cell_length
    for style in ("full", "names", "dots"):
        agents = []
        for view in state.agents.values():
            dot = Content.styled("●", state_color(view.state))
            name = Content.styled(one_line(view.name, 40), agent_color(view.info.color, view.name))
            if style == "full":
                agents.append(Content.assemble(dot, " ", name, " ", (one_line(state_word(view.state), 8), "dim")))
            elif style == "names":
                agents.append(Content.assemble(dot, name))
            else:
                agents.append(dot)
        line = Content("  " if style == "full" else " ").join(agents)
        if line.cell_length + 2 <= room or style == "dots":
            break
    return Content.assemble(*parts, " ", line, " ", (" " * max(0, room - line.cell_length - 2)), tail)


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def show(self, state: TeamState, now: float, paused: bool = False) -> None:
        self.update(render_status(state, now, self.size.width or 200, paused))
