"""Short words for what the screen shows: durations, an agent's state with its reason, a tool call's key argument."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...core.truth.events import Usage
from ...core.truth.state import AgentView, TeamState
from ...core.views.diffs import edit_hunks
from ...core.views.plain import plain_line

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
        1 for t in state.team_tasks()
        if t.task.source == "team" and t.task.status == "pending" and t.task.owner in (None, view.name)
        and not state.is_blocked(t.task)
    )


def cost(usd: float | None) -> str:
    return "$?" if usd is None else f"${usd:.2f}"


def one_line(text: str, width: int) -> str:
    """``text`` as one plain line (see ``core/views/plain.py``), cut to ``width`` with an ellipsis."""
    text = " ".join(plain_line(text).split())
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def _task_change(data: dict[str, Any]) -> str:
    """``#2 → completed · owner backend · blocked by #1``: what a TaskUpdate did, in its own words."""
    parts = [f"#{data.get('taskId', '?')}"]
    if isinstance(data.get("status"), str):
        parts[0] += f" → {data['status']}"
    if isinstance(data.get("owner"), str):
        parts.append(f"owner {data['owner']}")
    for key, words in (("addBlockedBy", "blocked by"), ("addBlocks", "blocks")):
        ids = data.get(key)
        if isinstance(ids, list) and ids:
            parts.append(f"{words} " + ", ".join(f"#{i}" for i in ids))
    if isinstance(data.get("subject"), str):
        parts.append(f"“{data['subject']}”")
    return " · ".join(parts)


def _edit_size(tool: str, data: dict[str, Any]) -> str:
    added = removed = 0
    for hunk in edit_hunks(tool, data):
        a, r = hunk.counts
        added, removed = added + a, removed + r
    return f" +{added} −{removed}"


def tool_key_arg(tool: str | None, data: dict[str, Any] | None) -> str:
    """What a tool call is about in a few words: its file, command or subject, or what it changed."""
    if not data:
        return ""
    if tool == "TaskUpdate" and "taskId" in data:
        return _task_change(data)
    if tool == "TaskGet" and "taskId" in data:
        return f"#{data['taskId']}"
    if tool == "AdvancePhase" and isinstance(data.get("phase"), str):
        return f"→ {data['phase']}"
    if tool == "SendMessage" and isinstance(data.get("recipient"), str):
        about = data.get("summary") or data.get("content") or ""
        return f"→ {data['recipient']}" + (f": {about}" if isinstance(about, str) and about else "")
    if tool in ("Edit", "MultiEdit") and isinstance(data.get("file_path"), str):
        return data["file_path"] + _edit_size(tool, data)
    if tool == "Write" and isinstance(data.get("file_path"), str) and isinstance(data.get("content"), str):
        lines = data["content"].count("\n") + (not data["content"].endswith("\n") and bool(data["content"]))
        return f"{data['file_path']} ({lines} line{'s' if lines != 1 else ''})"
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
