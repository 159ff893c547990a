"""The transcript's window: tens of entries mounted, earlier ones on demand, hidden panes catch up when shown."""

from __future__ import annotations

from partytui.core.events import TextDelta, ToolCalled, ToolResult, parse_event
from partytui.tui import make_app
from partytui.tui.widgets.transcript import TextBlock, ToolCard
from snapshot_apps.team_sample import NOW
from test_tui_main import LARGE, SMALL, live_session, settled, shown_lines, until


async def test_only_a_window_is_mounted_and_e_brings_earlier_entries() -> None:
    session = live_session()
    app = make_app(session, clock=lambda: NOW)
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        for n in range(120):
            session.emit(ToolCalled(agent="qa", tool_use_id=f"x{n}", tool="Read", input={"file_path": f"f{n}.py"}))
            session.emit(ToolResult(agent="qa", tool_use_id=f"x{n}", tool="Read", output="ok"))
        await app.flush_view()
        transcript = app.main.panes["qa"].transcript
        mounted = len(transcript.items)
        assert mounted <= transcript.HIGH_WATER
        assert transcript.hidden == len(session.state.agents["qa"].transcript) - mounted
        transcript.scroll_home(animate=False, immediate=True, force=True)
        assert f"{transcript.hidden} earlier entries: press e" in shown_lines(transcript)[0]
        hidden = transcript.hidden
        await pilot.press("4", "e")
        assert transcript.hidden == max(0, hidden - transcript.EARLIER_STEP)
        assert len(transcript.items) == mounted + hidden - transcript.hidden
        cards = [w for w in transcript.items if isinstance(w, ToolCard)]
        numbers = [int(c.entry.input["file_path"][1:-3]) for c in cards]  # type: ignore[index]
        assert numbers == sorted(numbers) and numbers[-1] == 119  # in order, contiguous to the newest


async def test_a_hidden_tab_catches_up_when_it_is_shown() -> None:
    session = live_session()
    app = make_app(session, clock=lambda: NOW)
    async with app.run_test(size=SMALL) as pilot:
        await settled(pilot)
        assert app.main.focused_agent == "lead"
        session.emit(parse_event({"type": "turn.started", "agent": "frontend", "turn": 2}))
        session.emit(TextDelta(agent="frontend", text="Building the **list view** now."))
        await app.flush_view()
        transcript = app.main.panes["frontend"].transcript
        assert transcript.behind  # not drawn while its tab is not shown
        assert "list view" not in transcript.text
        await pilot.press("3")
        await until(pilot, lambda: "Building the **list view** now." in transcript.text, "caught up when shown")
        assert not transcript.behind
        block = [w for w in transcript.items if isinstance(w, TextBlock)][-1]
        lines = block.document.lines(app.console, app.console.options)
        assert "Building the list view now." in ["".join(segment.text for segment in line).strip() for line in lines]
