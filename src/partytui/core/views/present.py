"""Words for what a session shows, the same on screen, in headless lines, in requests and in reports: what a
tool call is about, how long something took, how long ago it was, a running clock."""

from __future__ import annotations

from typing import Any

from .diffs import edit_hunks
from .plain import plain_line

# The input fields that say what a tool call is about, in the order they are looked for.
KEY_FIELDS = (
    "file_path",
    "command",
    "pattern",
    "path",
    "subject",
    "recipient",
    "to",
    "taskId",
    "url",
    "query",
    "phase",
    "title",
    "description",
    "prompt",
)


def key_field(data: dict[str, Any] | None) -> str:
    """The first of ``KEY_FIELDS`` a tool call's input holds, as it is (a request's title names it)."""
    for key in KEY_FIELDS:
        value = (data or {}).get(key)
        if isinstance(value, (str, int, float)) and str(value).strip():
            return str(value)
    return ""


def key_argument(tool: str | None, data: dict[str, Any] | None) -> str:
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
        return f"{data['file_path']}{_edit_size(tool, data)}"
    if tool == "Write" and isinstance(data.get("file_path"), str) and isinstance(data.get("content"), str):
        lines = data["content"].count("\n") + (not data["content"].endswith("\n") and bool(data["content"]))
        return f"{data['file_path']} ({lines} line{'s' if lines != 1 else ''})"
    if tool == "TodoWrite" and isinstance(data.get("todos"), list):
        done = sum(1 for t in data["todos"] if isinstance(t, dict) and t.get("status") == "completed")
        return f"{len(data['todos'])} items" + (f", {done} done" if done else "")
    if tool == "AskUserQuestion" and isinstance(data.get("questions"), list) and data["questions"]:
        first = data["questions"][0]
        return str(first.get("question", "")) if isinstance(first, dict) else ""
    return key_field(data)


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


def one_line(text: str, width: int) -> str:
    """``text`` as one plain line (see ``plain.py``), cut to ``width`` with an ellipsis."""
    text = " ".join(plain_line(text).split())
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def duration(seconds: float | None) -> str:
    """How long something took: ``42s``, ``3m05s``, ``1h05m``; ``—`` when it is not known."""
    if seconds is None:
        return "—"
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def clock_time(seconds: float) -> str:
    """A running clock: ``04:07``, ``1:02:03``."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60:02d}:{rest % 60:02d}"


def age(seconds: float) -> str:
    """How long ago, compactly: ``just now``, ``42s ago``, ``3m ago``, ``2h 5m ago``, ``1d 4h ago``."""
    s = max(0, int(seconds))
    if s < 5:
        return "just now"
    if s < 60:
        return f"{s}s ago"
    m = s // 60
    if m < 60:
        return f"{m}m ago"
    h = m // 60
    if h < 24:
        return f"{h}h {m % 60}m ago" if m % 60 else f"{h}h ago"
    d = h // 24
    return f"{d}d {h % 24}h ago" if h % 24 else f"{d}d ago"
