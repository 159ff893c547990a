"""The end of a run is an event: the results panel (status, files, tasks, requests, costs, next commands), and a
footer that stops offering what acts on a running team."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.pilot import Pilot

from partytui.core.truth.events import parse_event
from partytui.core.truth.session import Session
from partytui.core.truth.state import fold
from partytui.tui import PartyApp, make_app
from partytui.tui.screens.main import MainScreen
from partytui.tui.screens.results import ResultsScreen, session_ref
from snapshot_apps.team_sample import NOW, RecordingController, event, mid_run_events
from test_tui_main import settled, until
from test_tui_modals import text_of
from test_tui_snapshots_main import finished_records
from waiting import wait_until


def finished_app(code: int = 0, extra: list[dict] | None = None) -> PartyApp:
    written = [
        event("file.changed", 650, "backend", path="backend/app.py"),
        event("file.changed", 651, "qa", path="tests/e2e.spec.ts", action="write"),
    ]
    events = mid_run_events() + [parse_event(r) for r in written + finished_records() + (extra or [])]

    async def runner() -> int:
        # as a real run does, it ends after the team's screen was drawn: the panel opens over it
        await wait_until(lambda: team_in_place(app), "the team's screen drawn")
        drawn = asyncio.Event()
        app.call_after_refresh(drawn.set)
        await drawn.wait()
        return code

    app = make_app(Session(state=fold(events), clock=lambda: NOW), runner=runner, clock=lambda: NOW)
    return app


def team_in_place(app: PartyApp) -> bool:
    """The team's screen is built and every pane on it is laid out and following its agent's last line."""
    if not app.main.is_mounted:
        return False
    shown = [pane.transcript for pane in app.main.panes.values() if pane.transcript.size.height > 0]
    return bool(shown) and all(t.scroll_y >= t.max_scroll_y for t in shown)


async def wait_for(pilot: Pilot, condition, what: str) -> None:  # type: ignore[no-untyped-def]
    await until(pilot, condition, what)


async def results_over_the_team(pilot: Pilot) -> None:
    """The panel is on top of the team's screen, drawn."""
    app: PartyApp = pilot.app  # type: ignore[assignment]
    await wait_for(pilot, lambda: isinstance(app.screen, ResultsScreen), "the results panel")
    await settled(pilot)
    # the screen beneath drawn again whole: a pane's scrollbar moved while the panel opened is not always
    # repainted beneath a screen on top (its thumb was caught at either end from run to run)
    app.main.refresh(layout=True)
    await pilot.pause()
    await pilot.pause()


def footer_keys(app: PartyApp) -> set[str]:
    return {binding.action for (_, binding, enabled, _) in app.active_bindings.values() if binding.show and enabled}


async def test_the_results_panel_opens_when_the_run_ends() -> None:
    app = finished_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await results_over_the_team(pilot)
        text = text_of(app.screen)
        assert "Session done" in text and "all tasks complete" in text
        assert "Built · 2 files written" in text and "backend/app.py" in text
        assert "Tasks · 5/5 completed" in text and "#3 Build the list view" in text
        assert "#2 migration from backend" in text and "approved by you" in text
        # every agent's cost, cached tokens apart, and the total
        assert "cache read" in text and "cache write" in text
        assert all(name in text for name in ("lead", "backend", "frontend", "qa")) and "total" in text
        assert "partytui export 20231114-221320-abc123" in text and "partytui replay 20231114-221320-abc123" in text
        assert "partytui resume" not in text  # a finished run has nothing to resume
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), "the team's screen")
        keys = footer_keys(app)
        assert {"pause", "message", "cancel_agent"}.isdisjoint(keys) and "results" in keys
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultsScreen), "the results again")
        await pilot.press("q")
        await wait_for(pilot, lambda: not app.is_running, "the app to quit")
    assert app.return_code == 0


async def test_a_run_that_stopped_offers_resume_first() -> None:
    app = finished_app(1, [event("session.ended", 730, "lead", status="failed", reason="lead: API key rejected")])
    async with app.run_test(size=(80, 24)) as pilot:
        await results_over_the_team(pilot)
        text = text_of(app.screen)
        assert "Session failed" in text and "API key rejected" in text
        assert text.index("partytui resume 20231114-221320-abc123") < text.index(
            "partytui export 20231114-221320-abc123"
        )


async def test_while_the_team_runs_the_footer_offers_what_acts_on_it() -> None:
    app = make_app(
        Session(state=fold(mid_run_events()), clock=lambda: NOW), controller=RecordingController(), clock=lambda: NOW
    )
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.main.is_mounted and bool(app.main.panes), "the main screen")
        keys = footer_keys(app)
        assert {"pause", "message", "cancel_agent"} <= keys and "results" not in keys


def test_commands_name_the_session_by_id_in_the_usual_dir_else_by_path(tmp_path: Path) -> None:
    state = fold(mid_run_events())
    log = tmp_path / "elsewhere" / "20231114-221320-abc123.jsonl"
    assert session_ref(state, tmp_path / log.name, tmp_path) == "20231114-221320-abc123"
    assert session_ref(state, log, tmp_path) == str(log)


def test_results_panel_80x24(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(finished_app(), terminal_size=(80, 24), run_before=results_over_the_team)


def test_results_panel_160x48(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(finished_app(), terminal_size=(160, 48), run_before=results_over_the_team)
