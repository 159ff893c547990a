"""The parts of a request that show change: a file tool's edit as a diff of the file as it is now, and for a
request asked again after a rejection, what changed since the rejected one with the person's reason beside it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from ...core.truth.state import ApprovalView, TeamState
from ...core.views.diffs import (
    FILE_TOOLS,
    FileChange,
    changed_since,
    edit_hunks,
    proposed,
    rejected_before,
    request_text,
)
from ..plain import plain, plain_line
from ..widgets.diff import DiffRender, change_counts


def file_tool_diff(
    tool: str, data: dict[str, Any], workspace: Path | None, read: Callable[[Path | None, str], tuple[str | None, str]]
) -> list[RenderableType] | None:
    """A Write/Edit/MultiEdit of an existing file as a diff against the file as it is now; None when there is
    no existing file to compare with (a new file is shown as its content)."""
    if tool not in FILE_TOOLS or not isinstance(data.get("file_path"), str):
        return None
    path = data["file_path"]
    current, why = read(workspace, path)
    if current is None and tool == "Write":
        return None
    change = proposed(tool, data, current)
    if change is None:
        return None
    parts: list[RenderableType] = [Text.assemble(("File  ", "dim"), plain_line(path), "  ", change_counts(change))]
    if change.problem:
        # the edit does not apply to the file as it is: show what it asks to replace, and why it cannot
        parts.append(
            Text(plain(f"⚠ {change.problem}" + (f" ({why})" if current is None and why else "")), style="bold yellow")
        )
        parts += [DiffRender(hunk) for hunk in edit_hunks(tool, data)]
    else:
        parts.append(DiffRender(change))
    return parts


def reask_section(state: TeamState | None, view: ApprovalView) -> ComposeResult:
    """For a request that asks again after a rejection: the person's reason, and what changed since."""
    if state is None:
        return
    earlier = rejected_before(state, view.request.id)
    if earlier is None:
        return
    reason = earlier.note.strip() or "(you gave no reason)"
    card = Text.assemble(
        ("↺ Asked again ", "bold"),
        (f"after you rejected #{earlier.request.id}\n", "bold"),
        ("Your reason: ", "dim"),
        (f"“{plain(reason)}”", "italic"),
    )
    changes: list[RenderableType] = []
    words = FileChange("request", request_text(earlier), request_text(view))
    if words.before != words.after:
        changes += [Text("The request's words", style="bold"), DiffRender(words)]
    for change in changed_since(state, earlier, view):
        changes += [
            Text.assemble(("▌ ", "bold"), (plain_line(change.path), "bold"), "  ", change_counts(change)),
            DiffRender(change),
        ]
    if not changes:
        changes.append(
            Text("⚠ Nothing changed since the rejected request: it asks the same again.", style="bold yellow")
        )
    with Horizontal(id="reask"):
        yield Static(card, id="reask-reason")
        yield Static(
            Group(Text(f"What changed since #{earlier.request.id}", style="bold underline"), *changes),
            id="reask-changes",
        )


def is_reask(state: TeamState | None, view: ApprovalView) -> bool:
    return state is not None and rejected_before(state, view.request.id) is not None
