"""The documents screen: list, select, content, live changes, escape; and snapshots at two sizes."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from textual.widgets import Markdown, OptionList, Static

from partytui.core.truth import events as ev
from partytui.core.truth.state import Reducer, TeamState
from partytui.tui.screens.documents import DocumentsScreen
from snapshot_apps.documents_sample import PLAN, documents_state
from snapshot_apps.modals_common import CLOCK, NOW, ModalHost


def facts(host: ModalHost) -> str:
    console = Console(width=200, file=io.StringIO(), color_system=None)
    with console.capture() as capture:
        console.print(host.screen.query_one("#document-facts", Static).content)
    return capture.get()


def shown(host: ModalHost) -> str:
    return host.screen.query_one("#document-content", Markdown).source


def listed(host: ModalHost) -> list[str | None]:
    options = host.screen.query_one("#document-list", OptionList)
    return [options.get_option_at_index(i).id for i in range(options.option_count)]


async def test_lists_the_documents_and_shows_the_first() -> None:
    state = documents_state()
    host = ModalHost(lambda: DocumentsScreen(state, "/work/notes", CLOCK))
    async with host.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert listed(host) == ["CLAUDE.md", "MULTI_AGENT_PLAN.md", "requirements.md", "docs/schema.md"]
        assert "Project conventions" in shown(host)
        text = facts(host)
        assert "changed by nobody known" in text
        assert "read by qa 6m ago, backend 7m ago" in text


async def test_selecting_a_document_shows_its_content_writer_and_readers() -> None:
    state = documents_state()
    host = ModalHost(lambda: DocumentsScreen(state, None, CLOCK))
    async with host.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("down")
        await pilot.pause()
        assert shown(host) == PLAN
        text = facts(host)
        assert "changed by backend 4m ago · 2 versions" in text and "read by qa 3m ago" in text
        await pilot.press("down", "down")
        await pilot.pause()
        assert "showing the first 2.0 KB of 87.9 KB" in facts(host)
        assert "nobody yet" in facts(host)
        # enter moves into the document so the keys scroll it; tab goes back to the list
        await pilot.press("up", "enter")  # requirements.md: long enough to scroll
        await pilot.pause()
        assert "R1:" in shown(host)
        scroll = host.screen.query_one("#document-scroll")
        assert scroll.has_focus
        await pilot.press("pagedown")
        await pilot.pause()
        assert scroll.scroll_y > 0
        await pilot.press("tab")
        assert host.screen.query_one("#document-list").has_focus


async def test_a_document_changed_while_open_appears_and_updates() -> None:
    reducer = Reducer(documents_state())
    host = ModalHost(lambda: DocumentsScreen(lambda: reducer.state, None, CLOCK, refresh_s=0.05))
    async with host.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("down")  # MULTI_AGENT_PLAN.md
        reducer.apply(ev.DocumentChanged(seq=20, ts=NOW, agent="qa", path="PLAN.md", content="# QA plan\n", size=10))
        reducer.apply(
            ev.DocumentChanged(seq=21, ts=NOW, agent="lead", path="MULTI_AGENT_PLAN.md", content="# v3\n", size=5)
        )
        await pilot.pause(0.2)
        assert listed(host) == ["CLAUDE.md", "MULTI_AGENT_PLAN.md", "PLAN.md", "requirements.md", "docs/schema.md"]
        assert shown(host) == "# v3\n"  # still the same document, now its new content
        assert "changed by lead just now · 3 versions" in facts(host)


async def test_escape_closes_and_an_empty_session_says_so() -> None:
    host = ModalHost(lambda: DocumentsScreen(TeamState(), None, CLOCK))
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert host.screen.has_class("-empty")
        assert "No shared documents yet" in str(host.screen.query_one("#documents-empty", Static).content)
        await pilot.press("escape")
        await pilot.pause()
    assert host.dismissed and host.result is None


def test_documents_80x24(snap_compare: Any) -> None:
    state = documents_state()
    assert snap_compare(ModalHost(lambda: DocumentsScreen(state, "/work/notes", CLOCK)), terminal_size=(80, 24))


def test_documents_plan_selected_120x36(snap_compare: Any) -> None:
    state = documents_state()
    host = ModalHost(lambda: DocumentsScreen(state, "/work/notes", CLOCK))
    assert snap_compare(host, press=["down"], terminal_size=(120, 36))
