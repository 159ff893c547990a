"""Pilot tests for the modal screens: every key of every modal, and what each returns."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.text import Text
from textual.screen import Screen
from textual.widgets import Static, TextArea

from partytui.core.truth import events as ev
from partytui.core.truth.state import fold
from partytui.core.views.present import age as format_age
from partytui.tui.screens.approval import Answer, ApprovalModal, QuestionBlock, read_workspace_file
from partytui.tui.screens.confirm import ConfirmScreen
from partytui.tui.screens.help import HelpScreen, modal_keys
from partytui.tui.screens.inbox import InboxScreen
from partytui.tui.screens.message import MessageScreen
from partytui.tui.screens.task_detail import TaskDetailScreen
from snapshot_apps.modals_common import (
    CLOCK,
    DB_QUESTION,
    FEATURES_QUESTION,
    T0,
    ModalHost,
    make_workspace,
    request,
    session_state,
    task_state,
)


async def run(make: Callable[[], Screen[Any]], *keys: str, size: tuple[int, int] = (80, 24)) -> ModalHost:
    """Show the modal, press the keys, and return the host (its ``result`` is what the modal returned)."""
    app = ModalHost(make)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await armed(pilot)
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
            await armed(pilot)  # a form of several questions arms again for its final review
    return app


async def armed(pilot: Any) -> None:
    """Wait until an approval modal on top takes answers (these modals arm as soon as they are drawn)."""
    for _ in range(200):
        screen = pilot.app.screen
        if not isinstance(screen, ApprovalModal) or screen.armed:
            return
        await pilot.pause()
    raise AssertionError("the approval modal never armed")


def approval(approval_id: int, workspace: Path | None = None) -> Callable[[], ApprovalModal]:
    state = session_state()
    return lambda: ApprovalModal(state.approvals[approval_id], workspace, CLOCK, arm_delay=0)


def text_of(screen: Screen[Any]) -> str:
    """Everything the modal's Static widgets show, as plain text."""
    console = Console(width=200, file=io.StringIO(), color_system=None)
    with console.capture() as capture:
        for widget in screen.query(Static):
            content = widget.content
            if isinstance(content, (str, Text)) or hasattr(content, "__rich_console__"):
                console.print(content)
    return capture.get()


def one_question(question: ev.Question, *questions: ev.Question) -> Callable[[], ApprovalModal]:
    state = fold([request("question", 1, "lead", T0, title="Pick", questions=[question, *questions])])
    return lambda: ApprovalModal(state.approvals[1], None, CLOCK, arm_delay=0)


# ── design / plan / other: a, r + reason, escape ──────────────────────────────────────────────────────


@pytest.mark.parametrize("approval_id", [2, 6, 7])  # design, plan, other
async def test_a_approves(approval_id: int) -> None:
    app = await run(approval(approval_id), "a")
    assert app.result == Answer("approved")


async def test_r_asks_for_a_reason_and_rejects_with_it() -> None:
    app = await run(approval(2), "r", *"use postgres", "enter")
    assert app.result == Answer("rejected", note="use postgres")


async def test_escape_in_the_reason_prompt_goes_back_not_away() -> None:
    host = ModalHost(approval(2))
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("r", "x", "escape")
        await pilot.pause()
        assert not host.dismissed
        assert not host.screen.query_one("#reason-box").display
        await pilot.press("a")
        await pilot.pause()
    assert host.result == Answer("approved")


async def test_escape_sets_aside() -> None:
    app = await run(approval(2), "escape")
    assert app.dismissed and app.result is None


async def test_buttons_work_with_the_mouse() -> None:
    host = ModalHost(approval(2))
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.click("#reject")
        await pilot.pause()
        await pilot.press(*"no", "enter")
        await pilot.pause()
    assert host.result == Answer("rejected", note="no")
    host = ModalHost(approval(2))
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.click("#approve")
        await pilot.pause()
    assert host.result == Answer("approved")


async def test_header_shows_agent_kind_title_and_age() -> None:
    host = ModalHost(approval(2))
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = text_of(host.screen)
    assert "backend" in text and "DESIGN" in text and "Notes service design" in text
    assert "asked 8m ago" in text  # requested at T0+120, clock at T0+600


# ── permission ────────────────────────────────────────────────────────────────────────────────────────


async def test_permission_a_allows_once() -> None:
    assert (await run(approval(4), "a")).result == Answer("approved")


@pytest.mark.parametrize("key", ["A", "s"])
async def test_permission_allow_for_the_session(key: str) -> None:
    assert (await run(approval(4), key)).result == Answer("approved", note="always")


async def test_permission_r_rejects_with_reason() -> None:
    assert (await run(approval(4), "r", *"not now", "enter")).result == Answer("rejected", note="not now")


async def test_permission_shows_the_command() -> None:
    host = ModalHost(approval(4))
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        svg = host.export_screenshot()
    assert "pytest" in svg and "ruff" in svg and "Run the tests and the linter" in svg.replace("&#160;", " ")


async def test_allow_for_session_is_only_for_permissions() -> None:
    host = await run(approval(2), "s")
    assert not host.dismissed


# ── questions ─────────────────────────────────────────────────────────────────────────────────────────


async def test_number_key_answers_a_single_question() -> None:
    app = await run(one_question(DB_QUESTION), "2")
    assert app.result == Answer("answered", answers=["Which database? → PostgreSQL"])


async def test_arrows_and_enter_pick() -> None:
    app = await run(one_question(DB_QUESTION), "down", "down", "enter")
    assert app.result == Answer("answered", answers=["Which database? → JSON files"])


async def test_multiselect_numbers_toggle_and_enter_confirms() -> None:
    app = await run(one_question(FEATURES_QUESTION), "1", "3", "2", "2", "enter")
    assert app.result == Answer("answered", answers=["Which features ship first? → Tags, Export"])


async def test_multiselect_enter_with_nothing_picked_does_not_submit() -> None:
    app = await run(one_question(FEATURES_QUESTION), "enter")
    assert not app.dismissed


async def test_free_text_in_other() -> None:
    app = await run(one_question(DB_QUESTION), "tab", *"DuckDB", "enter")
    assert app.result == Answer("answered", answers=["Which database? → DuckDB"])


async def test_picking_an_option_after_typing_replaces_the_free_text() -> None:
    host = ModalHost(one_question(DB_QUESTION))
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("tab", *"maybe")
        await pilot.pause()
        block = host.screen.query_one(QuestionBlock)
        assert block.other == "maybe"
        await pilot.press("shift+tab")
        await pilot.pause()
        assert host.screen.focused is block
        await pilot.press("1")
        await pilot.pause()
    assert host.result == Answer("answered", answers=["Which database? → SQLite"])


async def test_two_questions_one_after_another() -> None:
    # 1 answers the first and moves on; the second is multiSelect: toggle 2, enter confirms; the last enter
    # shows every answer for a final review, and only the next one submits
    app = await run(approval(1), "1", "2", "enter", size=(100, 40))
    assert not app.dismissed
    app = await run(approval(1), "1", "2", "enter", "enter", size=(100, 40))
    assert app.result == Answer("answered", answers=["Which database? → SQLite", "Which features ship first? → Search"])


async def test_submit_with_an_unanswered_question_moves_to_it() -> None:
    host = ModalHost(approval(1))
    async with host.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("1", "a")  # first answered; second not: a must not submit
        await pilot.pause()
        assert not host.dismissed
        assert host.screen.focused is host.screen.query_one("#q1")
        await pilot.press("3", "a")  # all answered: a shows them for review
        await pilot.pause()
        assert not host.dismissed
        await armed(pilot)
        await pilot.press("a")
        await pilot.pause()
    assert host.result == Answer(
        "answered", answers=["Which database? → SQLite", "Which features ship first? → Export"]
    )


async def test_tab_moves_to_the_next_question() -> None:
    host = ModalHost(approval(1))
    async with host.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert host.screen.focused is host.screen.query_one("#q0")
        await pilot.press("tab", "tab")  # the Other… field, then the next question
        await pilot.pause()
        assert host.screen.focused is host.screen.query_one("#q1")


async def test_option_out_of_range_is_ignored() -> None:
    app = await run(one_question(DB_QUESTION), "7")
    assert not app.dismissed


async def test_question_declined_with_reason() -> None:
    app = await run(one_question(DB_QUESTION), "r", *"ask later", "enter")
    assert app.result == Answer("rejected", note="ask later")


async def test_clicking_an_option_picks_it() -> None:
    host = ModalHost(one_question(DB_QUESTION))
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.click("#q0-opt1")
        await pilot.pause()
    assert host.result == Answer("answered", answers=["Which database? → PostgreSQL"])


# ── reply ─────────────────────────────────────────────────────────────────────────────────────────────


async def test_reply_sends_the_text() -> None:
    host = ModalHost(approval(5))
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(host.screen.focused, TextArea)
        await pilot.press(*"ISO dates", "ctrl+s")
        await pilot.pause()
    assert host.result == Answer("answered", answers=["ISO dates"])


async def test_reply_empty_is_not_sent_and_escape_sets_aside() -> None:
    host = ModalHost(approval(5))
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not host.dismissed
        await pilot.press("escape")
        await pilot.pause()
    assert host.dismissed and host.result is None


async def test_reply_shows_the_agents_prose() -> None:
    host = ModalHost(approval(5))
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        svg = host.export_screenshot().replace("&#160;", " ")
    assert "relative" in svg and "ISO dates?" in svg


# ── migration files ───────────────────────────────────────────────────────────────────────────────────


async def test_migration_shows_file_missing_file_and_escaping_path(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    host = ModalHost(approval(3, ws))
    async with host.run_test(size=(120, 60)) as pilot:
        await pilot.pause()
        text = text_of(host.screen)
        svg = host.export_screenshot().replace("&#160;", " ")
    assert "CREATE" in svg and "note_tags" in svg
    assert "0003_missing.sql: the file does not exist" in text
    assert "../outside.sql: the path is outside the workspace" in text
    assert "DROP TABLE" not in svg  # the file outside the workspace is never read
    assert "Rollback" in svg


def test_read_workspace_file_guards(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    (ws / "blob.bin").write_bytes(b"\x00\x01\x02")
    (ws / "latin.txt").write_bytes("caf\xe9".encode("latin-1"))
    assert read_workspace_file(ws, "migrations/0002_tags.sql")[0] is not None
    assert "outside" in read_workspace_file(ws, "../outside.sql")[1]
    assert "outside" in read_workspace_file(ws, str(tmp_path / "outside.sql"))[1]  # absolute path
    assert "binary" in read_workspace_file(ws, "blob.bin")[1]
    assert "UTF-8" in read_workspace_file(ws, "latin.txt")[1]
    assert "not a regular file" in read_workspace_file(ws, "migrations")[1]
    assert "no workspace" in read_workspace_file(None, "x.sql")[1]


async def test_migration_without_rollback_warns(tmp_path: Path) -> None:
    state = fold([request("migration", 1, "backend", T0, title="m", body="Adds a column.", files=[])])
    host = ModalHost(lambda: ApprovalModal(state.approvals[1], tmp_path, CLOCK, arm_delay=0))
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = text_of(host.screen)
    assert "No rollback is stated" in text


def test_format_age() -> None:
    assert [format_age(s) for s in (0, 42, 185, 3600, 7500, 90000)] == [
        "just now",
        "42s ago",
        "3m ago",
        "1h ago",
        "2h 5m ago",
        "1d 1h ago",
    ]


# ── inbox ─────────────────────────────────────────────────────────────────────────────────────────────


async def test_inbox_lists_pending_then_answered_and_returns_the_chosen_id() -> None:
    state = session_state()
    host = ModalHost(lambda: InboxScreen(state, CLOCK))
    async with host.run_test(size=(130, 30)) as pilot:
        await pilot.pause()
        options = host.screen.query_one("#requests")
        lines = [str(getattr(options.get_option_at_index(i).prompt, "plain", "")) for i in range(options.option_count)]
        await pilot.press("down", "down", "enter")
        await pilot.pause()
    listed = [line for line in lines if line.startswith("#")]
    assert [line.split()[0] for line in listed] == ["#1", "#2", "#3", "#4", "#5", "#7", "#6"]
    assert "9m ago" in listed[0] and "lead" in listed[0] and "QUESTION" in listed[0]
    assert "10s ago" in listed[4]
    assert "rejected by policy" in listed[5] and "keep every test" in listed[5] and "5m ago" in listed[5]
    assert "approved by human" in listed[6]
    assert host.result == 3


async def test_inbox_answered_rows_cannot_be_opened_and_escape_returns_none() -> None:
    state = session_state()
    host = ModalHost(lambda: InboxScreen(state, CLOCK))
    async with host.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        for _ in range(5):  # past the last pending request the cursor wraps: answered rows are skipped
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
    assert host.result == 1
    assert (await run(lambda: InboxScreen(state, CLOCK), "escape")).result is None


async def test_inbox_empty() -> None:
    state = fold([])
    host = ModalHost(lambda: InboxScreen(state, CLOCK))
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert not host.dismissed
        await pilot.press("escape")
        await pilot.pause()
    assert host.result is None


# ── help, confirm, message ────────────────────────────────────────────────────────────────────────────


async def test_help_lists_the_bindings_it_is_given() -> None:
    keys = [("", "Main screen"), ("p", "pause or resume the focused agent"), ("z", "zoom the pane")]
    host = ModalHost(lambda: HelpScreen(keys + modal_keys()))
    async with host.run_test(size=(100, 50)) as pilot:
        await pilot.pause()
        svg = host.export_screenshot().replace("&#160;", " ")
        await pilot.press("escape")
        await pilot.pause()
    for _key, description in keys:
        assert description in svg
    assert "allow the tool for this agent" in svg
    assert host.dismissed and host.result is None


@pytest.mark.parametrize(
    ("keys", "expected"),
    [(("y",), True), (("n",), False), (("escape",), False), (("enter",), False), (("tab", "enter"), True)],
)
async def test_confirm(keys: tuple[str, ...], expected: bool) -> None:
    # enter on the default (No) button declines; tab moves to Yes... around the two buttons
    host = await run(lambda: ConfirmScreen("Quit?", "The run is in progress."), *keys)
    assert host.result is expected


async def test_message_returns_text_and_none_on_escape() -> None:
    host = await run(lambda: MessageScreen("backend"), *"use sqlite", "enter")
    assert host.result == "use sqlite"
    host = await run(lambda: MessageScreen("backend"), *"never mind", "escape")
    assert host.dismissed and host.result is None


async def test_message_empty_is_not_sent() -> None:
    host = await run(lambda: MessageScreen("backend"), "enter")
    assert not host.dismissed


# ── task detail ───────────────────────────────────────────────────────────────────────────────────────


async def test_task_detail_shows_history_and_returns_the_owner() -> None:
    state = task_state()
    host = ModalHost(lambda: TaskDetailScreen(state.tasks["2"], state, CLOCK))
    async with host.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        text = text_of(host.screen)
        await pilot.press("o")
        await pilot.pause()
    assert "Write the tags migration" in text
    for age, status in (("9m ago", "pending"), ("7m ago", "in progress"), ("2m ago", "completed")):
        assert any(age in line and status in line for line in text.splitlines()), (age, status)
    assert "#1 Design the schema" in text and "#3 Tag filter in the UI" in text
    assert host.result == "backend"


async def test_task_detail_escape_and_no_owner() -> None:
    state = task_state()
    host = await run(lambda: TaskDetailScreen(state.tasks["3"], state, CLOCK), "o")
    assert not host.dismissed  # no owner to jump to
    host = await run(lambda: TaskDetailScreen(state.tasks["3"], state, CLOCK), "escape")
    assert host.dismissed and host.result is None


async def test_enter_on_a_document_approves_nothing_and_page_keys_scroll_it() -> None:
    host = ModalHost(approval(2))
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        dialog = host.screen.query_one("#dialog")
        await pilot.press("enter", "tab")  # tab moves onto the Approve button; paging still scrolls the document
        await pilot.pause()
        assert not host.dismissed
        await pilot.press("pagedown")
        await pilot.pause()
        assert dialog.scroll_y > 0
        await pilot.press("home")
        await pilot.pause()
        assert dialog.scroll_y == 0


async def test_a_design_request_shows_the_documents_it_names(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "design.md").write_text("# Storage plan\n\nOne **notes** table.\n")
    events = [
        ev.SessionStarted(session_id="s", agents=[ev.AgentInfo(name="lead", model="m")], ts=1.0, seq=1),
        ev.ApprovalRequested(
            seq=2,
            ts=2.0,
            agent="lead",
            request=ev.ApprovalRequest(
                id=1,
                kind="design",
                agent="lead",
                title="D",
                body="Summary.",
                files=["docs/design.md", "docs/missing.md"],
            ),
        ),
    ]
    state = fold(events)
    app = ModalHost(lambda: ApprovalModal(state.approvals[1], tmp_path, clock=lambda: 3.0, arm_delay=0))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        from partytui.tui.screens.approval import Document

        documents = [m.source for m in app.screen.query(Document)]
        notes = text_of(app.screen)
    assert documents[0] == "Summary." and "# Storage plan" in documents[1]
    assert "docs/design.md" in notes and "docs/missing.md" in notes and "⚠" in notes
