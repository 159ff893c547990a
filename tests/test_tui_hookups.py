"""The main screen's documents view (key d) and each agent's own lists, in its pane and on the board."""

from __future__ import annotations

from partytui.core.truth import events as ev
from partytui.core.truth.session import Session
from partytui.core.truth.state import fold
from partytui.tui import make_app
from partytui.tui.screens.documents import DocumentsScreen
from partytui.tui.screens.help import HelpScreen
from partytui.tui.screens.main import MainScreen
from partytui.tui.widgets.agent_lists import AgentLists
from snapshot_apps.team_sample import NOW, mid_run_events
from test_tui_main import LARGE, SMALL, settled, until


def with_documents_and_checklists() -> list[ev.EventBase]:
    events = mid_run_events()
    seq = events[-1].seq
    extra = [
        ev.DocumentChanged(agent="lead", path="MULTI_AGENT_PLAN.md", content="# Plan\n\n- backend: schema\n", size=30),
        ev.DocumentRead(agent="backend", path="MULTI_AGENT_PLAN.md"),
        ev.ChecklistUpdated(
            agent="backend",
            by="lead",
            path=".claude/tasks/backend-tasks.md",
            items=[
                ev.ChecklistItem(text="Migration 001", done=True),
                ev.ChecklistItem(text="Seed data"),
            ],
        ),
    ]
    for i, event in enumerate(extra, 1):
        event.seq, event.ts = seq + i, NOW - 5
    return events + extra


def app_for(events: list[ev.EventBase]):  # type: ignore[no-untyped-def]
    return make_app(Session(state=fold(events), clock=lambda: NOW), clock=lambda: NOW)


async def test_d_opens_the_documents_view_and_escape_closes_it() -> None:
    app = app_for(with_documents_and_checklists())
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, DocumentsScreen), "the documents view")
        screen = app.screen
        assert screen.state is app.session.state  # type: ignore[attr-defined]
        assert "MULTI_AGENT_PLAN.md" in str(screen.query_one("#document-list").render_line(0))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen), "back")


async def test_documents_are_in_the_help_and_the_palette() -> None:
    app = app_for(mid_run_events())
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        assert dict(app.main.key_help())["d"] == "Docs"
        commands = {title: callback for title, _, callback in app.main.palette_commands()}
        commands["Shared documents"]()
        await until(pilot, lambda: isinstance(app.screen, DocumentsScreen), "the documents view from the palette")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen), "back")
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        assert ("d", "Docs") in app.screen.bindings  # type: ignore[attr-defined]


async def test_the_pane_shows_the_todo_list_and_the_checklist_files() -> None:
    app = app_for(with_documents_and_checklists())
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        qa, backend, lead = (app.main.panes[name].checklist for name in ("qa", "backend", "lead"))
        assert all(isinstance(widget, AgentLists) for widget in (qa, backend, lead))
        assert str(qa.content).splitlines()[:2] == ["todo 1/3", "◐ Writing the happy-path test"]
        assert ".claude/tasks/backend-tasks.md 1/2" in str(backend.content)
        assert lead.has_class("-empty") and not lead.display


async def test_the_board_shows_each_agents_lists_beside_the_columns() -> None:
    events = with_documents_and_checklists()
    app = app_for(events)
    async with app.run_test(size=SMALL) as pilot:
        await settled(pilot)
        await pilot.press("t")
        lists = app.main.board.lists  # type: ignore[union-attr]
        assert lists.display and lists.region.width > 0
        text = str(lists.body.content).splitlines()
        assert text.index("backend") < text.index("qa")  # the panes' order: lead, backend, frontend, qa
        assert "◐ Writing the happy-path test" in text and "☐ Seed data" in text
        assert "frontend" not in text and "lead" not in text  # no list, no section
        assert lists.border_title == "agents' lists (2)"

    # nobody keeps a list: the column is not there and the kanban columns take the width
    quiet = [e for e in mid_run_events() if e.type != "todo.updated"]
    app = app_for(quiet)
    async with app.run_test(size=SMALL) as pilot:
        await settled(pilot)
        await pilot.press("t")
        assert not app.main.board.lists.display  # type: ignore[union-attr]
