"""Diffs wherever something changed: an edit to allow against the file as it is, a request asked again after a
rejection (what changed, and the person's reason beside it), and Edit cards that open to a diff."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from partytui.core.truth.events import ToolCalled, ToolResult
from partytui.core.views.diffs import FileChange, changed_since, proposed, rejected_before, unified
from partytui.tui import make_app
from partytui.tui.screens.approval import ApprovalModal
from partytui.tui.widgets.diff import SIDE_BY_SIDE_WIDTH, DiffRender
from partytui.tui.widgets.transcript import ToolCard
from snapshot_apps.modals_common import (
    CLOCK,
    EDIT_INPUT,
    INDEX_LINE,
    MIGRATION_SQL,
    REASON,
    SessionModalHost,
    change_state,
    make_workspace,
)
from test_tui_main import LARGE, live_session, settled
from test_tui_modals import text_of


def drawn(renderable, width: int) -> str:
    console = Console(width=width, file=io.StringIO(), color_system=None)
    console.print(renderable)
    return console.file.getvalue()


# ── the diff itself ──────────────────────────────────────────────────────────


def test_an_edit_applies_to_the_file_as_it_is_now() -> None:
    change = proposed("Edit", EDIT_INPUT, MIGRATION_SQL)
    assert change is not None and not change.problem
    assert change.before == MIGRATION_SQL and "IF NOT EXISTS" in change.after and INDEX_LINE not in change.after
    assert change.counts == (2, 1)
    tags = [(tag, line) for tag, _, _, line in unified(change.before, change.after)]
    assert ("-", INDEX_LINE) in tags and ("+", "CREATE INDEX tags_name ON tags(name);") in tags
    # a MultiEdit applies in order; an edit whose text is gone says why and changes nothing
    multi = proposed(
        "MultiEdit",
        {
            "file_path": "m.sql",
            "edits": [
                {"old_string": "tags", "new_string": "labels", "replace_all": True},
                {"old_string": "TABLE labels (", "new_string": "TABLE labels("},
            ],
        },
        MIGRATION_SQL,
    )
    assert multi is not None and "tags" not in multi.after and not multi.problem
    stale = proposed("Edit", {**EDIT_INPUT, "old_string": "DROP TABLE x;"}, MIGRATION_SQL)
    assert stale is not None and "not found" in stale.problem and stale.after == stale.before
    assert proposed("Write", {"file_path": "a", "content": "new\n"}, "old\n") == FileChange("a", "old\n", "new\n")
    assert proposed("Bash", {"command": "ls"}, None) is None


def test_unified_on_narrow_side_by_side_on_wide() -> None:
    change = FileChange("a.py", "a\nb\nc\n", "a\nB\nc\n")
    narrow = drawn(DiffRender(change), 80).splitlines()
    assert any(line.strip().startswith("2") and "- b" in line for line in narrow)
    assert any("+ B" in line for line in narrow)
    wide = drawn(DiffRender(change), 160).splitlines()
    # one row holds the old line and the new one beside it
    assert any("- b" in line and "+ B" in line for line in wide)


# ── a permission to edit an existing file ────────────────────────────────────


async def test_a_permission_to_edit_shows_the_diff_of_the_file(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    state = change_state()
    for size, wide in (((80, 24), False), ((200, 60), True)):
        app = SessionModalHost(lambda: ApprovalModal(state.approvals[9], ws, CLOCK), state)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            text = text_of(app.screen)
            assert "+2 −1" in text
            assert "- CREATE INDEX notes_created_at ON notes(created_at);" in text
            assert "+ CREATE INDEX IF NOT EXISTS" in text
            assert '"old_string"' not in text  # not the raw input
            # side by side (see DiffRender) only where the card has the room
            room = app.screen.query_one("#tool").content_region.width
            assert (room >= SIDE_BY_SIDE_WIDTH) is wide and app.screen.has_class("-wide") is wide


# ── a request asked again ────────────────────────────────────────────────────


def test_the_rejected_request_and_what_changed_since() -> None:
    state = change_state()
    earlier = rejected_before(state, 8)
    assert earlier is not None and earlier.request.id == 3 and earlier.note == REASON
    changes = changed_since(state, earlier, state.approvals[8])
    assert [c.path for c in changes] == ["migrations/0002_tags.sql"] and changes[0].before == INDEX_LINE
    assert rejected_before(state, 3) is None  # the first ask
    assert rejected_before(state, 9) is None  # another kind


async def test_a_reask_shows_the_reason_beside_what_changed(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    state = change_state()
    app = SessionModalHost(lambda: ApprovalModal(state.approvals[8], ws, CLOCK), state)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        reason = app.screen.query_one("#reask-reason")
        changes = app.screen.query_one("#reask-changes")
        assert reason.region.y == changes.region.y and reason.region.right <= changes.region.x  # beside it
        text = text_of(app.screen)
        assert "Asked again after you rejected #3" in text and "Name the rollback file" in text
        assert "What changed since #3" in text
        assert "- CREATE INDEX notes_created_at ON notes(created_at);" in text
        assert "Migration 0002 (revised): tags" in text
    # the first ask has no such section
    app = SessionModalHost(lambda: ApprovalModal(state.approvals[3], ws, CLOCK), state)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not app.screen.query("#reask")


# ── Edit cards in a transcript ───────────────────────────────────────────────


async def test_an_edit_card_opens_to_a_diff() -> None:
    session = live_session()
    app = make_app(session, clock=CLOCK)
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        session.emit(ToolCalled(agent="lead", tool_use_id="e1", tool="Edit", input=EDIT_INPUT))
        session.emit(ToolResult(agent="lead", tool_use_id="e1", tool="Edit", ok=True, output="Edited it."))
        await app.flush_view()
        transcript = app.main.panes["lead"].transcript
        card = [i for i in transcript.items if isinstance(i, ToolCard)][-1]
        assert "migrations/0002_tags.sql +2 −1" in card.content().plain
        card.toggle()
        transcript.refresh()
        await app.flush_view()
        opened = card.content().plain
        assert f"- {INDEX_LINE}" in opened and "+ CREATE INDEX tags_name ON tags(name);" in opened
        assert "old_string" not in opened and "result: Edited it." in opened
