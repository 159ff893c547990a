"""Snapshots of the main screen from a hand-written mid-run session with a fixed clock.

Update the pictures with ``pytest tests/test_tui_snapshots_main.py --snapshot-update`` and look at them.
"""

from __future__ import annotations

from textual.pilot import Pilot

from partytui.core.truth.events import parse_event
from partytui.core.truth.session import Session
from partytui.core.truth.state import fold
from partytui.tui import PartyApp, make_app
from snapshot_apps.team_sample import NOW, RecordingController, event, mid_run_events, task


def frozen_app(extra: list[dict] | None = None) -> PartyApp:
    """A live team, still: its keys are those of a run (the team only records what it is asked)."""
    events = mid_run_events() + [parse_event(record) for record in extra or []]
    return make_app(Session(state=fold(events), clock=lambda: NOW), controller=RecordingController(), clock=lambda: NOW)


async def drawn(pilot: Pilot) -> None:
    app: PartyApp = pilot.app  # type: ignore[assignment]
    while not (app.main.is_mounted and app.main.panes):
        await pilot.pause(0.02)
    await app.flush_view()
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()


def finished_records() -> list[dict]:
    done = [
        task("2", "Write the REST API", "completed", "backend", blocked_by=["1"]),
        task("3", "Build the list view", "completed", "frontend", blocked_by=["2"]),
        task("4", "Write the users migration", "completed", "backend"),
        task("5", "End-to-end test plan", "completed", "qa"),
        task("6", "Pick a CSS framework", "deleted"),
    ]
    records = [event("task.updated", 500 + i, "lead", task=t) for i, t in enumerate(done)]
    records += [
        event("approval.answered", 440, "backend", id=2, decision="approved", by="human"),
        event("phase.changed", 600, "lead", phase="VALIDATE", previous="BUILD"),
        *[event("agent.state", 700, name, state="done") for name in ("lead", "backend", "frontend", "qa")],
        event("session.ended", 720, "lead", status="done", reason="all tasks complete"),
    ]
    return records


def test_main_screen_80x24(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(frozen_app(), terminal_size=(80, 24), run_before=drawn)


def test_main_screen_160x48(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(frozen_app(), terminal_size=(160, 48), run_before=drawn)


def test_backend_pane_80x24(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def show_backend(pilot: Pilot) -> None:
        await drawn(pilot)
        await pilot.press("2")
        await pilot.pause()

    assert snap_compare(frozen_app(), terminal_size=(80, 24), run_before=show_backend)


def test_board_80x24(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def show_board(pilot: Pilot) -> None:
        await drawn(pilot)
        await pilot.press("t")
        await pilot.pause()

    assert snap_compare(frozen_app(), terminal_size=(80, 24), run_before=show_board)


def test_zoomed_pane_160x48(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def zoom_qa(pilot: Pilot) -> None:
        await drawn(pilot)
        await pilot.press("4", "z")
        await pilot.pause()

    assert snap_compare(frozen_app(), terminal_size=(160, 48), run_before=zoom_qa)


def test_finished_session_timeline_and_board_120x36(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(frozen_app(finished_records()), terminal_size=(120, 36), run_before=drawn)


def test_an_open_tool_call_80x24(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def open_failed_bash(pilot: Pilot) -> None:
        await drawn(pilot)
        await pilot.press("2", "k", "k", "enter")  # the backend's failed Bash call, chosen and opened
        await pilot.pause()

    assert snap_compare(frozen_app(), terminal_size=(80, 24), run_before=open_failed_bash)
