"""Short words only the screen shows: an agent's state with its reason, tokens and cost, the panes' order.

The words the screen shares with headless lines and reports (durations, ages, a tool call's key argument)
are in ``core/views/present.py``.
"""

from __future__ import annotations

from collections.abc import Iterable

from ...core.truth.events import Usage
from ...core.truth.state import AgentView, TeamState
from ...core.views.present import duration


def tokens(count: int) -> str:
    if count < 1000:
        return str(count)
    if count < 1_000_000:
        return f"{count / 1000:.1f}k"
    return f"{count / 1_000_000:.2f}M"


def token_count(usages: Iterable[Usage]) -> str:
    """Tokens used: input and output, then the cached input (read or written) apart, when there is any."""
    used = cached = 0
    for u in usages:
        used += u.input_tokens + u.output_tokens
        cached += u.cache_read_input_tokens + u.cache_creation_input_tokens
    if not (used or cached):
        return ""
    return f"{tokens(used)} tok" + (f" +{tokens(cached)} cached" if cached else "")


def claimable_count(view: AgentView, state: TeamState) -> int | None:
    """The team tasks this agent could claim now (pending, free or its own, unblocked); None if it has no
    tool to claim with."""
    if view.info.tools and "TaskUpdate" not in view.info.tools:
        return None
    return sum(
        1
        for t in state.team_tasks()
        if t.task.source == "team"
        and t.task.status == "pending"
        and t.task.owner in (None, view.name)
        and not state.is_blocked(t.task)
    )


def cost(usd: float | None) -> str:
    return "$?" if usd is None else f"${usd:.2f}"


def agent_status(view: AgentView, state: TeamState, now: float) -> str:
    """What an agent is doing, in a few words: "running Bash 12s", "waiting: approval #3 (migration)"."""
    name, reason = view.state, view.reason.strip()
    if name in ("running", "idle", "waiting") and any(a.request.agent == view.name for a in state.pending_approvals):
        name = "waiting"  # a request of its own is pending (a resumed agent asks again): it waits for the person
    if name == "running" or (name == "idle" and view.running_tool):
        if view.running_tool:
            return f"running {view.running_tool} {duration(now - view.tool_since)}"
        return f"running {duration(now - view.state_since)}" + (f": {reason}" if reason else "")
    if name == "waiting":
        pending = [a for a in state.pending_approvals if a.request.agent == view.name]
        if pending:
            req = pending[-1].request
            if req.kind == "reply":
                return "waiting: reply from you"
            if req.kind == "question":
                return f"waiting: answer from you #{req.id}"
            return f"waiting: approval #{req.id} ({req.kind})"
        return f"waiting: {reason}" if reason else "waiting"
    if name == "idle" and "claimable task" in reason:
        # said when it went idle; the board has moved since, and an agent that cannot claim has none to claim
        count = claimable_count(view, state)
        reason = f"{count} claimable task{'s' if count != 1 else ''}" if count else "no claimable task"
    if name in ("idle", "error", "cancelled") and reason:
        return f"{name}: {reason}"
    return name


def pane_order(state: TeamState) -> list[str]:
    """The agents in the order the screen shows them: the lead first (key 1), then as the session named them."""
    lead = state.lead
    return ([lead] if lead else []) + [name for name in state.agents if name != lead]
