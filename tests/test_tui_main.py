"""Pilot tests of the main screen and the app: keys, the approval queue, live streaming, layout, the board."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import Static, TabbedContent

from partytui.core.team.approvals import ApprovalBroker
from partytui.core.truth.events import (
    AgentState,
    EventBase,
    PhaseChanged,
    SessionEnded,
    TaskUpdated,
    TextDelta,
    ToolCalled,
    ToolResult,
    parse_event,
)
from partytui.core.truth.session import Session
from partytui.core.truth.state import fold
from partytui.core.views.present import key_argument as tool_key_arg
from partytui.tui import PartyApp, make_app
from partytui.tui.screens.approval import ApprovalModal
from partytui.tui.screens.confirm import ConfirmScreen
from partytui.tui.screens.help import HelpScreen
from partytui.tui.screens.inbox import InboxScreen
from partytui.tui.screens.main import MainScreen, choose_layout, grid_columns
from partytui.tui.screens.message import MessageScreen
from partytui.tui.screens.task_detail import TaskDetailScreen
from partytui.tui.widgets.board import board_columns
from partytui.tui.widgets.labels import agent_status
from partytui.tui.widgets.statusbar import render_status
from partytui.tui.widgets.streamed_markdown import StreamedMarkdown
from partytui.tui.widgets.timeline import gate_state, render_timeline
from partytui.tui.widgets.transcript import Item, TextBlock, ToolCard, Transcript
from snapshot_apps.team_sample import NOW, T0, RecordingController, event, mid_run_events, task
from waiting import DEADLINE_S, wait_until

SMALL, LARGE = (80, 24), (160, 48)


def sample_session() -> Session:
    return Session(state=fold(mid_run_events()), clock=lambda: NOW)


def sample_app(**kwargs) -> PartyApp:  # type: ignore[no-untyped-def]
    session = kwargs.pop("session", None) or sample_session()
    return make_app(session, clock=lambda: NOW, **kwargs)


async def until(
    pilot: Pilot, condition: Callable[[], bool], what: str = "condition", seconds: float = DEADLINE_S
) -> None:
    """Let the app run until ``condition`` holds (bounded, so a broken app fails instead of hanging)."""
    await wait_until(condition, what, seconds, step=lambda: pilot.pause(0.02))


def armed_modal(app: PartyApp) -> bool:
    """An approval modal is on top and takes answers (with approval_delay=0: from its first frame)."""
    return isinstance(app.screen, ApprovalModal) and app.screen.armed


async def settled(pilot: Pilot) -> None:
    app: PartyApp = pilot.app  # type: ignore[assignment]
    await until(pilot, lambda: app.main.is_mounted and bool(app.main.panes), "the main screen is built")
    await app.flush_view()
    await pilot.pause()


# ── pure helpers ────────────────────────────────────────────────────────────


def test_layout_is_tabs_when_small_and_a_grid_when_large() -> None:
    assert choose_layout(80, 24) == "tabs"
    assert choose_layout(160, 48) == "grid"
    assert grid_columns(4, 160) == 2  # 2x2
    assert grid_columns(4, 200) == 2
    assert grid_columns(6, 250) == 3
    assert grid_columns(1, 200) == 1
    # large terminals use their room: the panes' area of 250x70 holds four side by side, 200x60 two by two
    assert grid_columns(4, 250, 47) == 4
    assert grid_columns(4, 200, 40) == 2
    assert grid_columns(6, 200, 40) == 3
    assert grid_columns(2, 160, 31) == 2  # two open panes of four (the others folded) sit side by side
    assert grid_columns(3, 110, 30) == 1  # never narrower than a readable pane when stacking avoids it


def test_agent_status_words() -> None:
    state = fold(mid_run_events())
    assert agent_status(state.agents["backend"], state, NOW) == "waiting: approval #2 (migration)"
    assert agent_status(state.agents["qa"], state, NOW) == "running Bash 17s"
    # counted from the board now (#6 is pending and free), not the words logged when it went idle
    assert agent_status(state.agents["frontend"], state, NOW) == "idle: 1 claimable task"
    state = state.apply(
        parse_event(event("approval.requested", 440, "lead", request={"id": 3, "kind": "reply", "agent": "lead"}))
    )
    state = state.apply(parse_event(event("agent.state", 440, "lead", state="waiting")))
    assert agent_status(state.agents["lead"], state, NOW) == "waiting: reply from you"
    state = state.apply(parse_event(event("agent.state", 441, "lead", state="paused")))
    assert agent_status(state.agents["lead"], state, NOW) == "paused"
    state = state.apply(parse_event(event("agent.state", 442, "lead", state="error", reason="API key rejected")))
    assert agent_status(state.agents["lead"], state, NOW) == "error: API key rejected"


def test_tool_key_argument() -> None:
    assert tool_key_arg("Bash", {"command": "ls -la", "description": "list"}) == "ls -la"
    assert tool_key_arg("Edit", {"file_path": "a.py", "old_string": "x"}) == "a.py +0 −1"
    assert tool_key_arg("Edit", {"file_path": "a.py", "old_string": "x\ny", "new_string": "x\nz\nw"}) == "a.py +2 −1"
    assert tool_key_arg("Write", {"file_path": "a.py", "content": "1\n2\n"}) == "a.py (2 lines)"
    assert tool_key_arg("SendMessage", {"recipient": "qa", "content": "hi"}) == "→ qa: hi"
    assert tool_key_arg("SendMessage", {"recipient": "qa", "summary": "ready", "content": "long"}) == "→ qa: ready"
    # what a task update did, not its bare id
    assert tool_key_arg("TaskUpdate", {"taskId": "2", "status": "completed"}) == "#2 → completed"
    assert tool_key_arg("TaskUpdate", {"taskId": "1", "owner": "backend", "status": "in_progress"}) == (
        "#1 → in_progress · owner backend"
    )
    assert tool_key_arg("TaskUpdate", {"taskId": "4", "addBlockedBy": ["2", "3"]}) == "#4 · blocked by #2, #3"
    assert tool_key_arg("AdvancePhase", {"phase": "BUILD", "note": "go"}) == "→ BUILD"
    assert tool_key_arg("TaskCreate", {"subject": "Write tests"}) == "Write tests"
    assert tool_key_arg("TodoWrite", {"todos": [{}, {}]}) == "2 items"
    assert tool_key_arg("Read", None) == ""


def test_board_columns_blocked_and_own_lists() -> None:
    state = fold(mid_run_events())
    state = state.apply(parse_event(event("task.created", 430, "qa", task=task("q1", "qa's own step", source="qa"))))
    columns = {name: [v.task.id for v in views] for name, views in board_columns(state).items()}
    assert columns == {"pending": ["6"], "in_progress": ["2", "4", "5"], "blocked": ["3"], "completed": ["1"]}
    state = state.apply(
        parse_event(event("task.updated", 431, "backend", task=task("2", "Write the REST API", "completed", "backend")))
    )
    columns = {name: [v.task.id for v in views] for name, views in board_columns(state).items()}
    assert columns["pending"] == ["3", "6"] and columns["blocked"] == []


def test_timeline_marks_phases_and_gates() -> None:
    state = fold(mid_run_events())
    line = render_timeline(state, NOW).plain
    assert (
        line.index("BRAINSTORM")
        < line.index("design")
        < line.index("BUILD")
        < line.index("migration")
        < line.index("VALIDATE")
    )
    assert "✓ BRAINSTORM 59s" in line and "✓ PLAN 2m20s" in line and "● BUILD 3m57s" in line
    assert "◆ design ✓" in line and "◆ migration ?" in line and "○ VALIDATE" in line
    assert gate_state(state, "migration") == "pending"
    state = state.apply(parse_event(event("approval.answered", 436, "backend", id=2, decision="rejected", note="no")))
    assert gate_state(state, "migration") == "rejected"
    assert "◆ migration ✗" in render_timeline(state, NOW).plain
    narrow = render_timeline(state, NOW, width=60).plain
    assert len(narrow) <= 60 and "BUILD" in narrow


def test_status_bar_counts_pending_and_cost() -> None:
    state = fold(mid_run_events())
    line = render_status(state, NOW, width=160).plain
    assert "⚑ 1 pending" in line and "07:17" in line and "$0.11" in line and "13.1k tok" in line
    assert "backend wait" in line and "qa run" in line
    state = state.apply(parse_event(event("turn.ended", 436, "qa", turn=1, cost_usd=None)))
    assert "$?" in render_status(state, NOW, width=160).plain
    assert len(render_status(state, NOW, width=80).plain) <= 80


# ── the screen ──────────────────────────────────────────────────────────────


async def test_small_terminal_uses_tabs_and_large_a_grid() -> None:
    app = sample_app()
    async with app.run_test(size=SMALL) as pilot:
        await settled(pilot)
        assert app.main.layout_mode == "tabs"
        assert app.main.query_one("#tabs", TabbedContent).active == "tab-agent-1"
        await pilot.resize_terminal(*LARGE)
        await until(pilot, lambda: app.main.layout_mode == "grid", "grid after resize")
        await app.flush_view()
        assert len(app.main.panes) == 4
        assert app.main.query_one("#panes").styles.grid_size_columns == 2


async def test_panes_render_the_transcript_from_state() -> None:
    app = sample_app()
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        backend = app.main.panes["backend"]
        transcript = backend.transcript
        cards = [item for item in transcript.items if isinstance(item, ToolCard)]
        assert [c.entry.tool for c in cards] == ["Read", "Bash", "Write"]
        assert [c.entry.ok for c in cards] == [True, False, True]
        assert "`done` flag" in transcript.text
        assert "waiting: approval #2 (migration)" in backend.border_title
        assert "running Bash 17s" in app.main.panes["qa"].border_title
        assert "Writing the happy-path test" in str(app.main.panes["qa"].checklist.render())
        assert app.main.panes["lead"].checklist.has_class("-empty")
        # a tool card opens to the full input and result (enter on the one chosen with k and j, or a
        # click), and closes again
        assert "1 failed, 3 passed" not in "\n".join(shown_lines(transcript))
        await pilot.press("2", "k")
        assert transcript.cursor is cards[2]  # the newest on screen first
        await pilot.press("k", "enter")
        assert transcript.cursor is cards[1] and not cards[1].collapsed
        details = "\n".join(shown_lines(transcript))
        assert "pytest -q tests/api" in details and "1 failed, 3 passed" in details
        await pilot.press("enter")
        assert cards[1].collapsed and "1 failed, 3 passed" not in "\n".join(shown_lines(transcript))
        await pilot.click(transcript, offset=line_offset(transcript, cards[2]))
        assert not cards[2].collapsed and "wrote 1 line" in "\n".join(shown_lines(transcript))


def shown_lines(transcript: Transcript) -> list[str]:
    """The transcript's lines as they are drawn on screen now."""
    return [
        line.text.rstrip()
        for line in (transcript.render_line(y) for y in range(transcript.scrollable_content_region.height))
    ]


def line_offset(transcript: Transcript, item: Item) -> tuple[int, int]:
    """Where an item's first line is on screen, relative to the transcript widget."""
    top = transcript._tops[transcript.items.index(item)] - transcript.scroll_offset.y
    assert 0 <= top < transcript.scrollable_content_region.height, "the item is on screen"
    return (transcript.styles.padding.left + 2, top)


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_number_keys_focus_agents(size: tuple[int, int]) -> None:
    app = sample_app()
    async with app.run_test(size=size) as pilot:
        await settled(pilot)
        await pilot.press("3")
        assert app.main.focused_agent == "frontend"
        assert app.focused is app.main.panes["frontend"].transcript
        if size == SMALL:
            assert app.main.query_one("#tabs", TabbedContent).active == "tab-agent-3"
        await pilot.press("9")  # no ninth agent: nothing moves
        assert app.main.focused_agent == "frontend"
        await pilot.press("1")
        assert app.focused is app.main.panes["lead"].transcript


async def test_p_pauses_and_resumes_the_focused_agent() -> None:
    controller = RecordingController()
    app = sample_app(controller=controller)
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        await pilot.press("2", "p")
        await pilot.press("p")
        assert controller.calls == [("pause", "backend"), ("resume", "backend")]


async def test_p_without_a_team_only_says_so() -> None:
    app = sample_app()
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        await pilot.press("p")
        assert any("nothing to pause" in n.message for n in app._notifications)


async def test_m_sends_a_message_through_the_controller() -> None:
    controller = RecordingController()
    app = sample_app(controller=controller)
    async with app.run_test(size=SMALL) as pilot:
        await settled(pilot)
        await pilot.press("4", "m")
        await until(pilot, lambda: isinstance(app.screen, MessageScreen), "the message screen")
        await pilot.press(*"use port 8080", "enter")
        await until(pilot, lambda: isinstance(app.screen, MainScreen), "back on the main screen")
        assert controller.calls == [("send", "qa", "use port 8080")]


async def test_x_cancels_only_after_confirming() -> None:
    controller = RecordingController()
    app = sample_app(controller=controller)
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        await pilot.press("3", "x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, MainScreen), "back")
        assert controller.calls == []
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation again")
        await pilot.press("y")
        await until(pilot, lambda: controller.calls == [("cancel", "frontend")], "the cancel")


async def test_z_zooms_the_focused_pane_and_back() -> None:
    app = sample_app()
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        await pilot.press("2", "z")
        assert app.main.maximized is app.main.panes["backend"]
        lead_region = app.main.panes["lead"].region
        assert app.main.panes["backend"].region.height > LARGE[1] // 2
        await pilot.press("z")
        assert app.main.maximized is None
        await pilot.pause()
        assert app.main.panes["backend"].region.height < LARGE[1] // 2
        assert lead_region.area == 0


async def test_t_then_enter_opens_the_task_and_jumps_to_its_owner() -> None:
    app = sample_app()
    async with app.run_test(size=SMALL) as pilot:
        await settled(pilot)
        await pilot.press("t")
        assert app.main.query_one("#tabs", TabbedContent).active == "tab-board"
        assert getattr(app.focused, "task_id", None) == "6"  # the first card of the first column
        card = app.main.board.columns["in_progress"].cards["2"]  # type: ignore[union-attr]
        card.focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, TaskDetailScreen), "the task detail")
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, MainScreen), "back")
        assert app.main.focused_agent == "backend"
        assert app.main.query_one("#tabs", TabbedContent).active == "tab-agent-2"


async def test_i_opens_the_inbox_and_question_mark_the_help() -> None:
    app = sample_app()
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, InboxScreen), "the inbox")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen), "back")
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        keys = dict(app.main.key_help())
        assert {"p", "m", "x", "z", "t", "i", "?", "q", "1-9", "a", "r"} <= set(keys)


async def test_palette_offers_the_screen_actions() -> None:
    app = sample_app(controller=RecordingController())
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        titles = [title for title, _, _ in app.main.palette_commands()]
        assert "Pause or resume backend" in titles and "Task board" in titles and "Quit" in titles
        dict((t, c) for t, _, c in app.main.palette_commands())["Focus qa"]()
        assert app.main.focused_agent == "qa"


async def test_q_asks_while_the_run_goes_on_and_quits_at_once_after() -> None:
    session = live_session()
    finish = asyncio.Event()

    async def runner() -> int:
        await finish.wait()
        return 0

    app = sample_app(session=session, runner=runner, broker=ApprovalBroker(session))
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "asked first")
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, MainScreen), "still running")
        assert app.return_code is None
        finish.set()
        await until(pilot, lambda: app.run_code == 0, "the run ends")
        await pilot.press("q")
        await until(pilot, lambda: app.return_code is not None, "quit at once")
    assert app.return_code == 0


async def test_q_confirmed_mid_run_exits_as_interrupted() -> None:
    async def runner() -> int:
        await asyncio.Event().wait()
        return 0

    app = sample_app(runner=runner)
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "asked first")
        await pilot.press("y")
        await until(pilot, lambda: app.return_code is not None, "the app exits")
    assert app.return_code == 130


# ── approvals ───────────────────────────────────────────────────────────────


def live_session() -> Session:
    """A fresh session (nothing pending) whose clock stands still."""
    events = [e for e in mid_run_events() if e.type not in ("approval.requested", "approval.answered")]
    return Session(state=fold(events), clock=lambda: NOW)


def record(session: Session) -> list[EventBase]:
    seen: list[EventBase] = []
    session.subscribe(seen.append)
    return seen


async def test_a_request_opens_the_modal_and_a_answers_through_the_broker() -> None:
    session = live_session()
    broker = ApprovalBroker(session)
    seen = record(session)

    async def runner() -> int:
        await asyncio.sleep(0.05)
        view = await broker.request("backend", "design", title="Schema design", body="users, todos")
        session.emit(TextDelta(agent="backend", text=f"The design was {view.decision}; building it now."))
        return 0

    app = make_app(session, broker=broker, approval_delay=0, runner=runner, clock=lambda: NOW)
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        await until(pilot, lambda: armed_modal(app), "the approval modal")
        assert broker.human_attached
        assert not any("#1 design" in n.message for n in app._notifications)  # the modal is the announcement
        await pilot.press("a")
        await until(pilot, lambda: app.run_code == 0, "the run goes on and ends")
        await app.flush_view()
        await until(pilot, lambda: "building it now" in app.main.panes["backend"].transcript.text, "the pane shows it")
    answered = [e for e in seen if e.type == "approval.answered"]
    assert len(answered) == 1
    assert (answered[0].id, answered[0].decision, answered[0].by) == (1, "approved", "human")  # type: ignore[attr-defined]


async def test_two_requests_queue_and_are_answered_in_order() -> None:
    session = live_session()
    broker = ApprovalBroker(session)
    seen = record(session)
    outcome: list[tuple[str, str | None]] = []

    async def ask(agent: str, kind: str, title: str) -> None:
        view = await broker.request(agent, kind, title=title)
        outcome.append((agent, view.decision))

    async def runner() -> int:
        await asyncio.sleep(0.05)
        await asyncio.gather(ask("backend", "migration", "users table"), ask("frontend", "design", "the list view"))
        return 0

    app = make_app(session, broker=broker, approval_delay=0, runner=runner, clock=lambda: NOW)
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        await until(pilot, lambda: armed_modal(app), "the first modal")
        assert len(session.state.pending_approvals) == 2
        assert app.screen.view.request.id == 1  # type: ignore[attr-defined]
        await pilot.press("a")
        await until(pilot, lambda: armed_modal(app) and app.screen.view.request.id == 2, "the second")  # type: ignore[attr-defined]
        await pilot.press("r")
        await pilot.press(*"not yet", "enter")
        await until(pilot, lambda: app.run_code == 0, "both answered")
    answers = [(e.id, e.decision, e.note) for e in seen if e.type == "approval.answered"]  # type: ignore[attr-defined]
    assert answers == [(1, "approved", ""), (2, "rejected", "not yet")]
    assert sorted(outcome) == [("backend", "approved"), ("frontend", "rejected")]


async def test_escape_sets_aside_and_the_badge_counts_it() -> None:
    session = live_session()
    broker = ApprovalBroker(session)

    async def runner() -> int:
        await asyncio.sleep(0.05)
        await broker.request(
            "qa",
            "question",
            title="Which browser?",
            questions=[{"question": "Which browser?", "options": [{"label": "chromium"}]}],
        )
        return 0

    app = make_app(session, broker=broker, approval_delay=0, runner=runner, clock=lambda: NOW)
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        await until(pilot, lambda: armed_modal(app), "the modal")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen), "set aside")
        await app.flush_view()
        status = str(app.main.query_one("#status").render())
        assert "1 pending" in status
        assert session.state.approvals[1].pending
        # the inbox opens it again, and answering it there lets the run finish
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, InboxScreen), "the inbox")
        await pilot.press("enter")
        await until(pilot, lambda: armed_modal(app), "the modal again")
        await pilot.press("1")
        await until(pilot, lambda: app.run_code == 0, "answered")
        await app.flush_view()
        assert "⚑ 0" in str(app.main.query_one("#status").render())
    [line] = session.state.approvals[1].answers
    assert "chromium" in line


async def test_a_request_answered_by_a_policy_meanwhile_closes_its_modal() -> None:
    session = live_session()
    broker = ApprovalBroker(session)

    async def runner() -> int:
        await asyncio.sleep(0.05)
        await broker.request("backend", "plan", title="the plan")
        return 0

    app = make_app(session, broker=broker, approval_delay=0, runner=runner, clock=lambda: NOW)
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        await until(pilot, lambda: armed_modal(app), "the modal")
        broker.answer(1, "approved", by="policy")
        # the modal closes (the run then ends, and its results may open over the team's screen)
        await until(pilot, lambda: not isinstance(app.screen, ApprovalModal), "the modal closes")
        await until(pilot, lambda: app.run_code == 0, "the run ends")


# ── live streaming ──────────────────────────────────────────────────────────


def markdown_document() -> str:
    parts = ["## Build report\n\n"]
    for n in range(40):
        parts.append(f"Step {n}: wrote `module_{n}.py` with **{n * 3} lines** and *no* surprises.\n\n")
        if n % 10 == 9:
            parts.append("- checked the tests\n- checked the types\n\n```python\nprint('ok')\n```\n\n")
    return "".join(parts)


async def test_a_thousand_deltas_end_as_the_right_markdown() -> None:
    session = live_session()
    document = markdown_document()
    cuts = [len(document) * i // 1000 for i in range(1001)]
    chunks = [document[a:b] for a, b in itertools.pairwise(cuts)]
    assert len(chunks) == 1000 and all(chunks)

    async def runner() -> int:
        session.emit(AgentState(agent="frontend", state="running"))
        session.emit(parse_event({"type": "turn.started", "agent": "frontend", "turn": 2}))
        for i, chunk in enumerate(chunks):
            session.emit(TextDelta(agent="frontend", text=chunk))
            if i % 25 == 0:
                await asyncio.sleep(0.001)
        return 0

    app = make_app(session, runner=runner, clock=lambda: NOW)
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        await until(pilot, lambda: app.run_code == 0, "the stream ends")
        transcript = app.main.panes["frontend"].transcript
        await app.flush_view()
        blocks = [item for item in transcript.items if isinstance(item, TextBlock)]
        await until(pilot, lambda: blocks[-1].source == document, "the whole document in the pane")
        assert blocks[-1].entry.text == document
        # parsed as Markdown: a heading, paragraphs, lists and code blocks, not one blob; drawn as the whole
        # document drawn at once would be, without its Markdown marks
        assert blocks[-1].blocks > 40
        whole = StreamedMarkdown()
        whole.update(document)
        options = app.console.options.update_width(transcript.scrollable_content_region.width - 1)

        def shown(doc: StreamedMarkdown) -> list[str]:
            return ["".join(segment.text for segment in line).rstrip() for line in doc.lines(app.console, options)]

        assert shown(blocks[-1].document) == shown(whole)
        assert not any(line.startswith(("#", "```", "- ")) for line in shown(whole))
        # it follows the bottom
        await until(
            pilot,
            lambda: transcript.max_scroll_y > 0 and transcript.scroll_y == transcript.max_scroll_y,
            "at the bottom",
        )


async def test_tool_cards_update_when_results_arrive() -> None:
    session = live_session()
    app = make_app(session, clock=lambda: NOW)
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        session.emit(ToolCalled(agent="lead", tool_use_id="t9", tool="Grep", input={"pattern": "TODO"}))
        await app.flush_view()
        card = [i for i in app.main.panes["lead"].transcript.items if isinstance(i, ToolCard)][-1]
        assert card.entry.ok is None and "Grep" in str(card.title) and "⋯" in str(card.title)
        assert "running Grep" in app.main.panes["lead"].border_title
        session.emit(
            ToolResult(agent="lead", tool_use_id="t9", tool="Grep", ok=True, output="3 hits", duration_ms=1200)
        )
        await app.flush_view()
        assert "✓" in str(card.title) and "1.2s" in str(card.title)


async def test_cards_move_live_and_the_timeline_follows() -> None:
    session = live_session()
    app = make_app(session, clock=lambda: NOW)
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        board = app.main.board
        assert board is not None and "3" in board.columns["blocked"].cards
        for update in [
            task("2", "Write the REST API", "completed", "backend"),
            task("3", "Build the list view", "in_progress", "frontend", blocked_by=["2"]),
        ]:
            session.emit(TaskUpdated(agent="backend", task=parse_event({"type": "task.created", "task": update}).task))  # type: ignore[attr-defined]
        session.emit(PhaseChanged(agent="lead", phase="VALIDATE", previous="BUILD"))
        await app.flush_view()
        assert list(board.columns["completed"].cards) == ["1", "2"]
        assert "3" in board.columns["in_progress"].cards and not board.columns["blocked"].cards
        assert "● VALIDATE" in str(app.main.query_one("#timeline").render())
        session.emit(SessionEnded(status="done"))
        await app.flush_view()
        assert "done" in str(app.main.query_one("#status").render())


async def test_long_transcripts_are_pruned_but_the_state_keeps_everything() -> None:
    session = live_session()
    app = make_app(session, clock=lambda: NOW)
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        for n in range(300):
            session.emit(ToolCalled(agent="qa", tool_use_id=f"x{n}", tool="Read", input={"file_path": f"f{n}.py"}))
            session.emit(ToolResult(agent="qa", tool_use_id=f"x{n}", tool="Read", output="ok"))
        await app.flush_view()
        transcript = app.main.panes["qa"].transcript
        mounted = transcript.items
        assert len(mounted) <= transcript.HIGH_WATER
        assert len(session.state.agents["qa"].transcript) > 300
        assert mounted[-1].entry.input == {"file_path": "f299.py"}  # type: ignore[attr-defined]
        transcript.scroll_home(animate=False, immediate=True, force=True)
        assert "earlier entries" in shown_lines(transcript)[0]


async def test_reset_view_redraws_from_a_replaced_state() -> None:
    session = live_session()
    app = make_app(session, clock=lambda: NOW)
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        assert any(isinstance(i, ToolCard) for i in app.main.panes["backend"].transcript.items)
        session.state = fold(mid_run_events()[:18])  # a replay seeking back
        app.reset_view()
        await app.flush_view()
        assert not any(isinstance(i, ToolCard) for i in app.main.panes["backend"].transcript.items)
        assert not app.main.board.columns["completed"].cards  # type: ignore[union-attr]
        assert "1" in app.main.board.columns["pending"].cards  # type: ignore[union-attr]
        assert "○ BUILD" in str(app.main.query_one("#timeline").render())


async def test_an_agent_joining_gets_a_pane() -> None:
    session = live_session()
    app = make_app(session, clock=lambda: NOW)
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        session.emit(parse_event({"type": "agent.joined", "info": {"name": "docs", "model": "m", "color": "cyan"}}))
        session.emit(TextDelta(agent="docs", text="Hello from docs"))
        await app.flush_view()
        assert "docs" in app.main.panes and "Hello from docs" in app.main.panes["docs"].transcript.text
        grid = app.main.query_one("#panes").styles
        open_panes = [p for p in app.main.panes.values() if p.display]
        assert app.main.panes["docs"] in open_panes  # it has just spoken: not folded
        assert (grid.grid_size_columns or 1) * (grid.grid_size_rows or 1) >= len(open_panes)


def test_sample_timestamps_are_fixed() -> None:
    assert all(T0 <= e.ts <= NOW for e in mid_run_events())


async def test_the_lead_gets_key_1_whatever_the_order_of_the_team() -> None:
    records = [dict(r) for r in (parse_event(e.model_dump()).model_dump() for e in mid_run_events())]
    records[0]["agents"] = records[0]["agents"][1:] + records[0]["agents"][:1]  # the lead named last
    session = Session(state=fold(parse_event(r) for r in records), clock=lambda: NOW)
    app = make_app(session, clock=lambda: NOW)
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        assert list(app.main.panes) == ["lead", "backend", "frontend", "qa"]
        await pilot.press("1")
        assert app.main.focused_agent == "lead"


def ask_design(session: Session, request_id: int) -> None:
    """A design request from the backend, as its runtime logs one."""
    request = {"id": request_id, "kind": "design", "agent": "backend", "title": "D"}
    session.emit(parse_event({"type": "approval.requested", "agent": "backend", "request": request}))


async def test_the_team_behind_an_approval_modal_stays_live() -> None:
    session = live_session()
    broker = ApprovalBroker(session)
    app = make_app(session, broker=broker, approval_delay=0, clock=lambda: NOW)
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        ask_design(session, 99)
        await until(pilot, lambda: armed_modal(app), "the modal opens")
        # while the person reads the request, another agent keeps streaming and its pane keeps up
        session.emit(parse_event({"type": "turn.started", "agent": "frontend", "turn": 9}))
        session.emit(TextDelta(agent="frontend", text="still streaming behind the modal"))
        transcript = app.main.panes["frontend"].transcript
        await until(
            pilot,
            lambda: any(
                b.source == "still streaming behind the modal" for b in transcript.items if isinstance(b, TextBlock)
            ),
            "the pane behind updates",
        )
        assert isinstance(app.screen, ApprovalModal)
        await pilot.press("a")
        await until(pilot, lambda: not session.state.approvals[99].pending, "the answer")


async def test_a_request_that_waits_behind_another_is_announced() -> None:
    session = live_session()
    broker = ApprovalBroker(session)
    app = make_app(session, broker=broker, approval_delay=0, clock=lambda: NOW)
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        first = asyncio.create_task(broker.request("backend", "design", title="Schema design"))
        await until(pilot, lambda: armed_modal(app), "the first modal")
        second = asyncio.create_task(broker.request("qa", "plan", title="Test plan"))
        await until(
            pilot,
            lambda: any("plan from qa: Test plan" in n.message for n in app._notifications),
            "a toast for the request queued behind the open one",
        )
        assert not any("design from backend" in n.message for n in app._notifications)
        await pilot.press("a")
        await until(pilot, lambda: first.done(), "the first answered")
        await until(pilot, lambda: armed_modal(app) and app.screen.request.kind == "plan", "the second opens")
        await pilot.press("a")
        await until(pilot, lambda: second.done(), "the second answered")


def test_each_flush_takes_the_pane_that_has_waited_longest_and_a_full_redraw_takes_all() -> None:
    app = make_app(live_session(), clock=lambda: NOW)
    for name in ("a", "b", "c"):
        app._dirty[name] = None
    assert app._take_dirty() == {"a"}
    app._dirty["a"] = None  # news again for a: it waits behind b and c
    assert [app._take_dirty(), app._take_dirty(), app._take_dirty()] == [{"b"}, {"c"}, {"a"}]
    app._dirty.update(dict.fromkeys("xyz"))
    assert app._take_dirty(everything=True) == {"x", "y", "z"} and not app._dirty


# ── density: idle panes fold, empty columns narrow ──────────────────────────


async def test_an_idle_pane_folds_to_one_line_and_its_number_opens_it() -> None:
    app = sample_app()
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        main = app.main
        # frontend has been idle for minutes with nothing unread: a header above the grid, its room to the others
        assert main.folded == ["frontend"] and not main.panes["frontend"].display
        header = main.query_one("#folded")
        assert header.display and "frontend" in str(header.children[0].render())
        assert "idle: 1 claimable task" in str(header.children[0].render())
        # the lead is idle too, but focused: it stays open; backend waits for the person, qa runs
        assert all(main.panes[n].display for n in ("lead", "backend", "qa"))
        await pilot.press("3")  # the folded pane opens and takes the focus
        await until(
            pilot,
            lambda: main.panes["frontend"].display and app.focused is main.panes["frontend"].transcript,
            "frontend opened and focused",
        )
        await app.flush_view()
        assert "frontend" not in main.folded
        assert "lead" in main.folded  # no longer focused, idle long enough: folded in its turn
        await pilot.press("f")  # every pane open
        await app.flush_view()
        await pilot.pause()
        assert main.folded == [] and all(p.display for p in main.panes.values()) and not header.display
        await pilot.press("f")
        await app.flush_view()
        assert main.folded == ["lead"]


async def test_an_agent_that_just_went_idle_or_has_news_below_stays_open() -> None:
    fresh = [event("agent.state", (NOW - 2) - T0, "frontend", state="idle")]  # 2 s ago: not yet
    app = make_app(
        Session(state=fold(mid_run_events() + [parse_event(r) for r in fresh]), clock=lambda: NOW), clock=lambda: NOW
    )
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        assert app.main.folded == [] and app.main.panes["frontend"].display


async def test_small_terminals_keep_tabs_and_fold_nothing() -> None:
    app = sample_app()
    async with app.run_test(size=SMALL) as pilot:
        await settled(pilot)
        assert app.main.layout_mode == "tabs" and app.main.folded == []


async def test_empty_board_columns_narrow_to_strips_while_another_holds_cards() -> None:
    done = [
        event("task.updated", 500 + i, "lead", task=task(str(i), f"t{i}", "completed", "backend")) for i in range(1, 7)
    ]
    app = make_app(
        Session(state=fold(mid_run_events() + [parse_event(r) for r in done]), clock=lambda: NOW), clock=lambda: NOW
    )
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        await pilot.pause()
        columns = app.main.board.columns  # type: ignore[union-attr]
        strips = [name for name, column in columns.items() if column.has_class("-strip")]
        assert strips == ["pending", "in_progress", "blocked"]
        assert all(columns[name].outer_size.width == columns[name].STRIP_WIDTH for name in strips)
        assert columns["completed"].outer_size.width > 60  # the room of the empty ones
        assert not columns["blocked"].has_class("-occupied")  # red only when something is blocked
    # a board with nothing on it keeps its four columns as they are: there is no room to give
    empty = [e for e in mid_run_events() if not e.type.startswith("task.")]
    app = make_app(Session(state=fold(empty), clock=lambda: NOW), clock=lambda: NOW)
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        assert not any(c.has_class("-strip") for c in app.main.board.columns.values())  # type: ignore[union-attr]


async def test_the_modal_keeps_counting_how_long_ago_it_was_asked() -> None:
    session = live_session()
    now = [NOW]
    app = make_app(session, broker=ApprovalBroker(session), approval_delay=0, clock=lambda: now[0])
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        ask_design(session, 98)
        await until(pilot, lambda: armed_modal(app), "the modal opens")
        header = app.screen.query_one("#header", Static)
        assert "asked just now" in str(header.render())
        now[0] += 42  # the person reads for a while
        await until(pilot, lambda: "asked 42s ago" in str(header.render()), "the age counts up")


async def test_a_folded_pane_opened_by_its_agent_shows_what_it_wrote_without_waiting_for_textual() -> None:
    # a pane folded and opened again between two layouts of the screen (as behind a modal, which lays the
    # team out less often) gets no Show: the screen that opens it brings it up to date itself
    session = live_session()
    app = make_app(session, clock=lambda: NOW)
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        main = app.main
        pane = main.panes["frontend"]
        main.folded, main._arranged = ["frontend"], None
        pane.display = False  # folded, and not laid out since
        session.emit(parse_event({"type": "turn.started", "agent": "frontend", "turn": 9}))
        session.emit(TextDelta(agent="frontend", text="written while folded"))
        await app.flush_view()  # synced while folded, then opened: its agent is busy again
        assert pane.display and "written while folded" in pane.transcript.text
