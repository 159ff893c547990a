"""Short words for what the screen shows: durations, an agent's state with its reason, a tool call's key argument."""

from __future__ import annotations

from typing import Any

from ...core.state import AgentView, TeamState

# The argument that says what a tool call is about, in the order a card looks for them.
KEY_ARGS = ("file_path", "command", "pattern", "path", "subject", "recipient", "to", "taskId", "url", "query")


def duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def clock_time(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60:02d}:{rest % 60:02d}"


def tokens(count: int) -> str:
    if count < 1000:
        return str(count)
    if count < 1_000_000:
        return f"{count / 1000:.1f}k"
    return f"{count / 1_000_000:.2f}M"


def cost(usd: float | None) -> str:
    return "$?" if usd is None else f"${usd:.2f}"


def one_line(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def tool_key_arg(tool: str | None, data: dict[str, Any] | None) -> str:
    if not data:
        return ""
    if tool == "TodoWrite" and isinstance(data.get("todos"), list):
        return f"{len(data['todos'])} items"
    if tool == "AskUserQuestion" and isinstance(data.get("questions"), list) and data["questions"]:
        first = data["questions"][0]
        return str(first.get("question", "")) if isinstance(first, dict) else ""
    for key in KEY_ARGS:
        value = data.get(key)
        if isinstance(value, (str, int, float)) and str(value):
            return str(value)
    return ""


def agent_status(view: AgentView, state: TeamState, now: float) -> str:
    """What an agent is doing, in a few words: "running Bash 12s", "waiting: approval #3 (migration)"."""
    name, reason = view.state, view.reason.strip()
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
    if name in ("idle", "error", "cancelled") and reason:
        return f"{name}: {reason}"
    return name


def pane_order(state: TeamState) -> list[str]:
    """The agents in the order the screen shows them: the lead first (key 1), then as the session named them."""
    lead = state.lead
    return ([lead] if lead else []) + [name for name in state.agents if name != lead]
