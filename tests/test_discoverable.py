"""Discoverable: `?` (or F1) inside every modal opens the help at that modal's section, the help scrolls at
80x24, the footers fit 80 columns, and the command palette offers partytui's own actions."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.screen import Screen
from textual.widgets import Footer

from partytui.core.team.approvals import ApprovalBroker
from partytui.core.truth.log import SessionLog
from partytui.core.truth.session import Session
from partytui.core.truth.state import fold
from partytui.tui import PartyApp, make_app
from partytui.tui.screens.approval import ApprovalModal
from partytui.tui.screens.confirm import ConfirmScreen
from partytui.tui.screens.documents import DocumentsScreen
from partytui.tui.screens.help import HelpScreen, modal_keys, section_first
from partytui.tui.screens.inbox import InboxScreen
from partytui.tui.screens.message import MessageScreen
from partytui.tui.screens.task_detail import TaskDetailScreen
from snapshot_apps.documents_sample import documents_state
from snapshot_apps.modals_common import CLOCK, ModalHost, session_state, task_state
from snapshot_apps.team_sample import NOW, mid_run_events
from test_modal_keys import until

SMALL = (80, 24)


def first_heading(screen: Screen[Any]) -> str:
    assert isinstance(screen, HelpScreen)
    return next(text for key, text in screen.bindings if not key)


MODALS: dict[str, tuple[Callable[[], Screen[Any]], str, str]] = {
    "approval": (
        lambda: ApprovalModal(session_state().approvals[2], None, CLOCK, arm_delay=0),
        "question_mark",
        "Approval requests",
    ),
    "inbox": (lambda: InboxScreen(session_state(), CLOCK), "question_mark", "Inbox"),
    "documents": (lambda: DocumentsScreen(documents_state(), None, CLOCK), "question_mark", "Documents"),
    "task-detail": (
        lambda: TaskDetailScreen(task_state().tasks["2"], task_state(), CLOCK),
        "question_mark",
        "Task detail",
    ),
    "confirm": (lambda: ConfirmScreen("Quit partytui?", "The team is still working."), "question_mark", "Confirm"),
    "message": (lambda: MessageScreen("backend"), "f1", "Message"),  # its text box takes the `?`
}


@pytest.mark.parametrize("name", list(MODALS))
async def test_help_opens_inside_every_modal_at_its_own_section(name: str) -> None:
    make, key, section = MODALS[name]
    host = ModalHost(make)
    async with host.run_test(size=SMALL) as pilot:
        await pilot.pause()
        modal = host.screen
        await until(lambda: getattr(modal, "armed", True))
        await pilot.press(key)
        await until(lambda: isinstance(host.screen, HelpScreen))
        assert first_heading(host.screen) == section
        await pilot.press("escape")
        await until(lambda: host.screen is modal)
        assert not host.dismissed  # the help closed; the modal is still there, unanswered


def test_section_first_moves_one_section_to_the_top_and_keeps_the_rest() -> None:
    rows = [("", "Main screen"), ("q", "quit"), *modal_keys()]
    moved = section_first(rows, "Inbox")
    assert moved[0] == ("", "Inbox") and sorted(moved) == sorted(rows)
    assert section_first(rows, "No such section") == rows


def live_app(**kwargs: Any) -> tuple[PartyApp, Session, ApprovalBroker]:
    kept = [e for e in mid_run_events() if e.type not in ("approval.requested", "approval.answered")]
    session = Session(state=fold(kept), clock=lambda: NOW)
    broker = ApprovalBroker(session)
    return make_app(session, broker=broker, clock=lambda: NOW, approval_delay=0, **kwargs), session, broker


async def test_the_help_scrolls_at_80x24_and_starts_with_the_main_screen() -> None:
    app, _, _ = live_app()
    async with app.run_test(size=SMALL) as pilot:
        await until(lambda: bool(app.main.panes))
        await pilot.press("question_mark")
        await until(lambda: isinstance(app.screen, HelpScreen) and bool(app.screen.query("#help-body")))
        assert first_heading(app.screen) == "Main screen"
        headings = [text for key, text in app.screen.bindings if not key]
        assert {"Approval requests", "Inbox", "Documents", "Results", "Message", "Confirm"} <= set(headings)
        body = app.screen.query_one("#help-body")
        await pilot.pause()
        assert body.max_scroll_y > 0, "the help fits? then this test needs a smaller terminal"
        await pilot.press("end")
        await until(lambda: body.scroll_y == body.max_scroll_y)


def footer_overflow(screen: Screen[Any]) -> list[str]:
    """The footer keys that do not fit in the footer's width."""
    footer = screen.query_one(Footer)
    right = footer.region.right
    return [str(key.render()) for key in footer.children if key.region.right > right or key.region.width == 0]


async def test_the_footers_fit_80_columns() -> None:
    app, session, broker = live_app()
    requests = {
        "design": {"title": "the design", "body": "# Plan"},
        "permission": {"title": "Bash", "tool": "Bash", "tool_input": {"command": "pytest"}},
        "question": {
            "title": "Pick",
            "questions": [{"question": "Which?", "options": [{"label": "A"}, {"label": "B"}]}],
        },
        "reply": {"title": "ISO dates?", "body": "ISO dates?"},
    }
    async with app.run_test(size=SMALL) as pilot:
        await until(lambda: bool(app.main.panes))
        await pilot.pause()
        footer = app.main.query_one(Footer)
        assert footer.virtual_size.width <= footer.size.width
        asked = []  # the requests' tasks, kept referenced while they wait
        for kind, fields in requests.items():
            asked.append(asyncio.ensure_future(broker.request("backend", kind, **fields)))
            await until(lambda: isinstance(app.screen, ApprovalModal) and app.screen.armed)
            await pilot.pause()
            assert footer_overflow(app.screen) == [], kind
            broker.answer(max(session.state.approvals), "approved", by="policy")
            await until(lambda: app.screen is app.main)


def palette_titles(app: PartyApp) -> list[str]:
    return [title for title, _, _ in app.main.palette_commands()]


async def test_the_palette_offers_partytuis_own_actions_and_they_work(tmp_path: Path) -> None:
    log_path = tmp_path / "s-1.jsonl"
    log = SessionLog(log_path, secrets=())
    for event in mid_run_events():
        log.append(event)
    log.close()
    app, _session, broker = live_app(log_path=log_path)
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    async with app.run_test(size=SMALL) as pilot:
        await until(lambda: bool(app.main.panes))
        titles = palette_titles(app)
        for wanted in (
            "Focus lead",
            "Open the next request",
            "Inbox of requests",
            "Export a report (Markdown)",
            "Export a report (HTML)",
            "Replay this session",
            "Help: keys",
            "Quit",
        ):
            assert wanted in titles
        commands = {title: run for title, _, run in app.main.palette_commands()}
        commands["Open the next request"]()
        await pilot.pause()
        assert not isinstance(app.screen, ApprovalModal)  # nothing waits yet: a toast says so
        assert any("No request is waiting" in n.message for n in app._notifications)
        asked = asyncio.ensure_future(broker.request("qa", "plan", title="the plan"))
        await until(lambda: isinstance(app.screen, ApprovalModal) and app.screen.armed)
        await pilot.press("escape")  # set aside; the palette's "next request" brings it back
        await until(lambda: app.screen is app.main)
        commands["Open the next request"]()
        await until(lambda: isinstance(app.screen, ApprovalModal) and app.screen.armed)
        await pilot.press("a")
        await until(asked.done)
        commands["Export a report (Markdown)"]()
        report = tmp_path / "s-1-report.md"
        await until(report.exists)
        assert report.read_text(encoding="utf-8").startswith("# partytui session")
        commands["Replay this session"]()
        assert copied == [f"partytui replay {log_path}"]
