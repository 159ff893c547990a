"""What a change does to a file, as data the views draw: an edit applied to the file as it is now, the lines of
a diff, and what an agent changed between a rejected request and the one that asks again."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ..tools.base import ToolError
from ..tools.files import replace_exact
from ..truth.state import ApprovalView, TeamState

FILE_TOOLS = ("Write", "Edit", "MultiEdit")

Tag = Literal["=", "-", "+", "~", "@"]  # same, removed, added, replaced (side by side), a gap


@dataclass
class FileChange:
    """A file before and after a change; ``problem`` says why the change cannot apply to the file as it is."""

    path: str
    before: str
    after: str
    problem: str = ""

    @property
    def counts(self) -> tuple[int, int]:
        """(lines added, lines removed)."""
        added = removed = 0
        for tag, *_ in unified(self.before, self.after):
            added += tag == "+"
            removed += tag == "-"
        return added, removed


def _edits(tool: str | None, data: dict[str, Any]) -> list[tuple[str, str, bool]]:
    if tool == "Edit":
        return [(str(data.get("old_string", "")), str(data.get("new_string", "")), bool(data.get("replace_all")))]
    if tool == "MultiEdit" and isinstance(data.get("edits"), list):
        return [
            (str(e.get("old_string", "")), str(e.get("new_string", "")), bool(e.get("replace_all")))
            for e in data["edits"]
            if isinstance(e, dict)
        ]
    return []


def proposed(tool: str | None, data: dict[str, Any] | None, current: str | None) -> FileChange | None:
    """What ``tool`` with ``data`` would make of a file whose text is ``current`` (None: it does not exist).

    None for a tool that does not change a file. An edit that cannot apply (its text is not in the file any
    more) is the file unchanged, with the reason in ``problem``.
    """
    data = data or {}
    if tool not in FILE_TOOLS or not isinstance(data.get("file_path"), str):
        return None
    path = data["file_path"]
    if tool == "Write":
        return FileChange(path, current or "", str(data.get("content", "")))
    edits = _edits(tool, data)
    if current is None:
        if not edits or edits[0][0] != "":  # Edit with an empty old_string creates the file
            return FileChange(path, "", "", "the file does not exist")
        text, edits = edits[0][1], edits[1:]
        current = ""
    else:
        text = current
    for i, (old, new, every) in enumerate(edits, start=1):
        try:
            text, _ = replace_exact(text, old, new, every, path)
        except ToolError as exc:
            where = f"edit {i} of {len(edits)}: " if len(edits) > 1 else ""
            return FileChange(path, current, current, f"{where}{exc}")
    return FileChange(path, current, text)


def edit_hunks(tool: str | None, data: dict[str, Any] | None) -> list[FileChange]:
    """An Edit's or MultiEdit's replacements as small before/after pairs (no file needed)."""
    data = data or {}
    path = str(data.get("file_path", ""))
    return [FileChange(path, old, new) for old, new, _ in _edits(tool, data)]


def unified(before: str, after: str, context: int = 3) -> Iterator[tuple[Tag, int | None, int | None, str]]:
    """Diff lines as (tag, old line number, new line number, text); ``@`` marks a gap between hunks."""
    a, b = before.splitlines(), after.splitlines()
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for n, group in enumerate(matcher.get_grouped_opcodes(context)):
        if n:
            yield "@", None, None, "⋯"
        for op, i1, i2, j1, j2 in group:
            if op == "equal":
                for k in range(i2 - i1):
                    yield "=", i1 + k + 1, j1 + k + 1, a[i1 + k]
                continue
            for k in range(i1, i2):
                yield "-", k + 1, None, a[k]
            for k in range(j1, j2):
                yield "+", None, k + 1, b[k]


def side_by_side(
    before: str, after: str, context: int = 3
) -> Iterator[tuple[Tag, tuple[int, str] | None, tuple[int, str] | None]]:
    """Diff rows as (tag, (old number, old text) or None, (new number, new text) or None); a replaced block
    pairs its removed and added lines row by row."""
    a, b = before.splitlines(), after.splitlines()
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for n, group in enumerate(matcher.get_grouped_opcodes(context)):
        if n:
            yield "@", None, None
        for op, i1, i2, j1, j2 in group:
            if op == "equal":
                for k in range(i2 - i1):
                    yield "=", (i1 + k + 1, a[i1 + k]), (j1 + k + 1, b[j1 + k])
                continue
            for k in range(max(i2 - i1, j2 - j1)):
                left = (i1 + k + 1, a[i1 + k]) if i1 + k < i2 else None
                right = (j1 + k + 1, b[j1 + k]) if j1 + k < j2 else None
                yield ("-" if right is None else "+" if left is None else "~"), left, right


# ── a request asked again ────────────────────────────────────────────────────


def rejected_before(state: TeamState, request_id: int) -> ApprovalView | None:
    """The rejected request this one asks again: the same agent's latest earlier request of the same kind,
    if that one was rejected (for a tool permission, also for the same tool)."""
    view = state.approvals.get(request_id)
    if view is None:
        return None
    req = view.request
    earlier = [
        a
        for a in state.approvals.values()
        if a.request.id < req.id
        and a.request.agent == req.agent
        and a.request.kind == req.kind
        and (req.kind != "permission" or a.request.tool == req.tool)
    ]
    if not earlier:
        return None
    last = max(earlier, key=lambda a: a.request.id)
    return last if last.decision == "rejected" else None


def changed_since(state: TeamState, earlier: ApprovalView, later: ApprovalView) -> list[FileChange]:
    """What the asking agent changed in files between two of its requests, call by call (successful
    Write, Edit and MultiEdit calls logged after ``earlier`` and before ``later``)."""
    agent = state.agents.get(later.request.agent)
    if agent is None:
        return []
    changes: list[FileChange] = []
    for entry in agent.transcript:
        if entry.kind != "tool" or entry.tool not in FILE_TOOLS or entry.ok is not True:
            continue
        if not earlier.seq < entry.seq < later.seq:
            continue
        if entry.tool == "Write":
            given: Mapping[str, Any] = entry.input or {}
            path = str(given.get("file_path", ""))
            previous = last_written(state, path, before_seq=entry.seq)
            changes.append(FileChange(path, previous or "", str(given.get("content", ""))))
        else:
            changes.extend(edit_hunks(entry.tool, entry.input))
    return changes


def last_written(state: TeamState, path: str, before_seq: int) -> str | None:
    """The content the team's last Write of ``path`` before ``before_seq`` gave it, if a Write is logged."""
    found: tuple[int, str] | None = None
    for agent in state.agents.values():
        for entry in agent.transcript:
            if entry.kind == "tool" and entry.tool == "Write" and entry.ok and entry.seq < before_seq:
                data: Mapping[str, Any] = entry.input or {}
                if data.get("file_path") == path and (found is None or entry.seq > found[0]):
                    found = (entry.seq, str(data.get("content", "")))
    return found[1] if found else None


def request_text(view: ApprovalView) -> str:
    """A request's words as one text to compare: title, summary, body, files named, tool input."""
    req = view.request
    parts = [req.title, req.summary, req.body]
    if req.files:
        parts.append("files: " + ", ".join(req.files))
    data = req.tool_input or {}
    for key in ("command", "content", "new_string"):
        if isinstance(data.get(key), str):
            parts.append(data[key])
    return "\n".join(p for p in parts if p)
