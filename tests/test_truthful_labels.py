"""Labels never contradict the state: claimable tasks counted now and only for an agent that can claim, cached
tokens shown apart, the blocked column red only while something is blocked, news below only when it is below."""

from __future__ import annotations

from partytui.core.truth.events import AgentInfo, AgentState, SessionStarted, Task, TaskCreated, TaskUpdated, Usage
from partytui.core.truth.session import Session
from partytui.core.truth.state import fold
from partytui.tui import make_app
from partytui.tui.widgets.board import BoardColumn
from partytui.tui.widgets.labels import agent_status, token_count
from partytui.tui.widgets.statusbar import render_status
from snapshot_apps.team_sample import NOW, mid_run_events
from test_tui_main import LARGE, settled


def test_idle_claimable_is_counted_now_and_only_for_an_agent_that_can_claim() -> None:
    agents = [
        AgentInfo(name="dev", model="m", tools=["Read", "TaskUpdate"]),
        AgentInfo(name="bot", model="m", tools=["Read"]),
    ]
    events = [
        SessionStarted(seq=1, session_id="s", agents=agents),
        TaskCreated(seq=2, task=Task(id="1", subject="a")),
        AgentState(seq=3, agent="dev", state="idle", reason="1 claimable task(s)"),
        AgentState(seq=4, agent="bot", state="idle", reason="1 claimable task(s)"),
    ]
    state = fold(events)
    assert agent_status(state.agents["dev"], state, 10) == "idle: 1 claimable task"
    assert agent_status(state.agents["bot"], state, 10) == "idle: no claimable task"  # it has no TaskUpdate
    state = state.apply(
        TaskUpdated(seq=5, agent="dev", task=Task(id="1", subject="a", owner="other", status="in_progress"))
    )
    assert agent_status(state.agents["dev"], state, 10) == "idle: no claimable task"  # the board moved on


def test_token_counts_show_cached_tokens_apart() -> None:
    assert token_count([Usage(input_tokens=1200, output_tokens=300)]) == "1.5k tok"
    assert (
        token_count(
            [
                Usage(
                    input_tokens=1000,
                    output_tokens=500,
                    cache_read_input_tokens=20_000,
                    cache_creation_input_tokens=4_000,
                )
            ]
        )
        == "1.5k tok +24.0k cached"
    )
    assert token_count([Usage()]) == ""
    state = fold(mid_run_events())
    state.agents["lead"].usage.cache_read_input_tokens = 50_000
    assert "+50.0k cached" in render_status(state, NOW, 200).plain


async def test_the_blocked_column_is_red_only_while_something_is_blocked() -> None:
    session = Session(state=fold(mid_run_events()), clock=lambda: NOW)
    app = make_app(session, clock=lambda: NOW)
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        blocked = next(c for c in app.main.query(BoardColumn) if c.column == "blocked")
        assert blocked.has_class("-occupied") and not blocked.has_class("-empty")
        # #3 waits on #2: complete #2 and nothing is blocked any more
        task2 = session.state.tasks["2"].task
        session.emit(TaskUpdated(agent="backend", task=task2.model_copy(update={"status": "completed"})))
        await app.flush_view()
        await pilot.pause()
        assert not blocked.has_class("-occupied") and blocked.has_class("-empty")
        pending = next(c for c in app.main.query(BoardColumn) if c.column == "pending")
        assert pending.size.width > blocked.size.width  # an empty column gives its room to the others


async def test_news_below_only_when_something_is_below() -> None:
    session = Session(state=fold(mid_run_events()), clock=lambda: NOW)
    app = make_app(session, clock=lambda: NOW)
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        transcript = app.main.panes["frontend"].transcript  # a short transcript: nothing to scroll
        transcript.unseen = 3  # as if entries had arrived while the person read further up
        assert transcript.news_below == 0
        app.main.panes["frontend"].refresh_title(session.state, NOW)
        assert "new below" not in str(app.main.panes["frontend"].border_subtitle)


def test_an_agent_whose_request_is_pending_says_it_waits_for_the_person() -> None:
    from partytui.core.truth.events import ApprovalRequest, ApprovalRequested, SessionResumed, ToolCalled

    events = [
        SessionStarted(seq=1, session_id="s", agents=[AgentInfo(name="dev", model="m")]),
        ApprovalRequested(seq=2, agent="dev", request=ApprovalRequest(id=1, kind="migration", agent="dev")),
        SessionResumed(seq=3),
        AgentState(seq=4, agent="dev", state="running"),  # a resumed agent runs its call again, finds the request
        ToolCalled(seq=5, agent="dev", tool_use_id="t", tool="RequestApproval", input={"kind": "migration"}),
    ]
    state = fold(events)
    assert agent_status(state.agents["dev"], state, 10) == "waiting: approval #1 (migration)"
