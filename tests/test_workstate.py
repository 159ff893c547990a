"""An agent's working state is folded from the log by one function: the live run keeps it current, resume folds
it and continues. Paused and cancelled are the person's events, so they survive a stop and a resume."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path

from demo_args import headless_demo
from engine_fakes import FakeProvider, call, make_team, member, text
from partytui.cli import build_parser
from partytui.commands.run import prepare_run
from partytui.core.team.approvals import ApprovalBroker
from partytui.core.team.orchestrator import Team
from partytui.core.team.policy import Policy, PolicyFile, Rule
from partytui.core.truth.events import AgentControl, ToolCalled, ToolResult, TurnEnded, TurnStarted, UserMessage
from partytui.core.truth.log import read_log
from partytui.core.truth.session import Session
from partytui.core.truth.state import fold
from partytui.core.truth.workstate import AgentWork, WorkState, fold_work, step, taken_back


async def test_the_demo_s_log_folds_to_the_live_working_state_at_every_event(tmp_path: Path) -> None:
    args = build_parser().parse_args(headless_demo(tmp_path / "ws", tmp_path / "s"))
    prepared = prepare_run(args)
    session, team = prepared.session, prepared.team
    live: dict[int, WorkState] = {}
    session.subscribe(lambda e: live.__setitem__(e.seq, session.work))
    provider = team.backends.provider
    asked: list[tuple[str, int, list]] = []  # what each model request carried, and how far the log was then
    real = provider.stream_turn

    async def recording(**kw):
        asked.append((kw["agent"], session.state.last_seq, copy.deepcopy(kw["messages"])))
        return await real(**kw)

    provider.stream_turn = recording
    prepared.start()
    try:
        assert await asyncio.wait_for(team.run(), 120) == 0
    finally:
        session.close()
        prepared.lock.release()

    logged = read_log(prepared.log_path).events
    assert len(logged) == len(live) and len(asked) > 10
    folded, at = WorkState(), {}
    for event in logged:  # the fold of every prefix of the log, one event further each time
        folded = step(folded, event)
        at[event.seq] = folded
        assert folded == live[event.seq], f"after event {event.seq} ({event.type})"
    assert folded == fold_work(logged)
    for agent, seq, messages in asked:  # each request sent the conversation the log holds at that point
        assert messages == list(at[seq].agent(agent).messages)
    assert {a for a, _, _ in asked} == set(team.runners)  # every agent of the demo


def test_the_fold_leaves_its_input_as_it_was() -> None:
    before = WorkState().with_agent("dev", AgentWork())
    started = TurnStarted(agent="dev", turn=1, inputs=["go"])
    after = step(before, started)
    assert before.agent("dev") == AgentWork() and after.agent("dev").messages[0]["content"] == [
        {"type": "text", "text": "go"}
    ]
    ended = step(
        after, TurnEnded(agent="dev", turn=1, content=[{"type": "tool_use", "id": "t1", "name": "Bash", "input": {}}])
    )
    assert after.agent("dev").calls == () and [c["id"] for c in ended.agent("dev").unfinished] == ["t1"]
    called = step(ended, ToolCalled(agent="dev", tool_use_id="t1", tool="Bash"))
    done = step(called, ToolResult(agent="dev", tool_use_id="t1", tool="Bash", output="ok"))
    assert "t1" in called.agent("dev").unresolved and not done.agent("dev").unresolved
    assert done.agent("dev").answered == (
        {"type": "tool_result", "tool_use_id": "t1", "content": "ok", "is_error": False},
    )
    assert ended.agent("dev").answered == ()
    # a turn cut short is taken back: its results and inputs wait for the turn that asks it again
    cut = step(done, TurnStarted(agent="dev", turn=2, inputs=["more"]))
    back = taken_back(cut.agent("dev"))
    assert back.turn == 1 and back.messages == done.agent("dev").messages and back.inputs == ("more",)
    assert back.answered == done.agent("dev").answered and cut.agent("dev").turn_open


def _recording(events: list) -> Session:
    session = Session(state=fold(events))
    session.subscribe(events.append)
    return session


def _team(tmp_path: Path, scripts, session: Session, policy: Policy | None = None) -> Team:
    broker = ApprovalBroker(session, policy)
    broker.human_attached = True
    return Team(
        session,
        broker,
        FakeProvider(scripts),
        [member("lead", lead=True), member("dev")],
        workspace=tmp_path / "ws",
        goal="build it",
    )


QUESTION = {"question": "Which database?", "header": "DB", "options": [{"label": "SQLite"}]}


async def _asking(tmp_path: Path, scripts) -> tuple[Team, list, asyncio.Task]:
    """A team at work whose lead waits for the person's answer; the events so far, and the running team."""
    team, _ = make_team(tmp_path, scripts, [member("lead", lead=True), member("dev")])
    team.broker.human_attached = True
    events: list = []
    team.session.subscribe(events.append)
    team.start_session("s1", mode="scripted", scenario=None)
    running = asyncio.create_task(team.run())
    await team.session.wait_until(lambda s: bool(s.pending_approvals) and s.agents["dev"].state == "idle")
    return team, events, running


async def test_a_paused_agent_stays_paused_after_a_kill_and_a_resume(tmp_path: Path) -> None:
    scripts = {
        "lead": [[call("AskUserQuestion", questions=[QUESTION])], [text("waiting for dev")]],
        "dev": [[text("on it")]],
    }
    team, events, running = await _asking(tmp_path, scripts)
    team.pause("dev")
    team.send("dev", "hello")  # read when dev goes on, not before
    await team.session.wait_until(lambda s: s.agents["dev"].state == "paused")
    log = list(events)  # the log as a kill here leaves it: the pause is in it
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)
    assert [e.action for e in log if isinstance(e, AgentControl)] == ["pause"]

    recorded = list(log)
    session = _recording(recorded)
    policy = Policy(PolicyFile(rules=[Rule(kind="question", decision="answer")]))
    team2 = _team(tmp_path, scripts, session, policy)
    team2.continue_session(log)
    assert team2.is_paused("dev") and not team2.is_paused("lead")
    running = asyncio.create_task(team2.run())
    # the lead goes on; dev has something to read but waits, paused, until the person lets it go on
    await session.wait_until(lambda s: s.agents["lead"].turns == 2)
    assert session.state.agents["dev"].state == "paused"
    assert not [e for e in recorded[len(log) :] if e.type == "turn.started" and e.agent == "dev"]
    team2.resume("dev")
    await session.wait_until(lambda s: s.agents["dev"].turns == 1)
    (turn,) = [e for e in recorded if e.type == "turn.started" and e.agent == "dev"]
    assert "Message from the person supervising: hello" in turn.inputs
    assert [e.action for e in recorded if isinstance(e, AgentControl)] == ["pause", "resume"]
    team2.stop("done here")
    await asyncio.wait_for(running, 30)


async def test_a_cancelled_agent_stays_cancelled_after_a_resume(tmp_path: Path) -> None:
    scripts = {"lead": [[call("AskUserQuestion", questions=[QUESTION])], [text("carry on")]], "dev": [[text("on it")]]}
    team, events, running = await _asking(tmp_path, scripts)
    team.cancel("dev")
    await team.session.wait_until(lambda s: s.agents["dev"].state == "cancelled")
    # a kill just after the person's word was written (it is fsynced), before the agent's state was
    control = next(i for i, e in enumerate(events) if isinstance(e, AgentControl))
    log = events[: control + 1]
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)

    for cut in (log, list(events)):
        recorded = list(cut)
        session = _recording(recorded)
        policy = Policy(PolicyFile(rules=[Rule(kind="question", decision="answer")]))
        team2 = _team(tmp_path, scripts, session, policy)
        team2.continue_session(cut)
        assert team2.runners["dev"].stopped
        session.emit(UserMessage(agent="dev", text="are you there?"))
        code = await asyncio.wait_for(team2.run(), 30)
        assert code == 1 and session.state.status == "stalled"
        assert not [e for e in recorded if e.type == "turn.started" and e.agent == "dev"]


async def test_a_reply_answered_before_a_kill_is_read_after_the_resume(tmp_path: Path) -> None:
    scripts = {"lead": [[text("Which colour should it be?")], [text("blue it is")]], "dev": []}
    team, events, running = await _asking(tmp_path, scripts)
    (asked,) = team.session.state.pending_approvals
    assert asked.request.kind == "reply"
    team.broker.answer(asked.request.id, "answered", answers=["blue"])
    # a kill before the lead's next turn began: the reply is in the log, and nobody has read it yet
    log = events[: next(i for i, e in enumerate(events) if e.type == "approval.answered") + 1]
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)

    recorded = list(log)
    session = _recording(recorded)
    team2 = _team(tmp_path, scripts, session)
    team2.continue_session(log)
    running = asyncio.create_task(team2.run())
    await session.wait_until(lambda s: s.agents["lead"].turns == 2)
    (turn,) = [e for e in recorded[len(log) :] if e.type == "turn.started" and e.agent == "lead"]
    assert turn.inputs == ["Reply from the person supervising: blue"]
    team2.stop("done here")
    await asyncio.wait_for(running, 30)
