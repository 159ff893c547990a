"""The team runtime: phases and their gates, tasks, messages, permissions, questions in prose, controls."""

from __future__ import annotations

import asyncio

import pytest

from engine_fakes import call, make_team, member, results, text
from partytui.core.team.approvals import ApprovalBroker
from partytui.core.team.policy import Policy, PolicyFile, Rule
from partytui.core.team.tasks import TaskBoard, TaskError
from partytui.core.truth.session import Session


async def _run(team, session_id="t1", timeout=10):
    team.start_session(session_id, mode="scripted", scenario=None)
    return await asyncio.wait_for(team.run(), timeout)


async def test_build_needs_an_approved_design_and_done_needs_validate(tmp_path):
    lead = [
        [call("AdvancePhase", phase="PLAN"), call("AdvancePhase", phase="BUILD")],
        [call("RequestApproval", kind="design", title="D", body="# design")],
        [call("AdvancePhase", phase="BUILD"), call("EndRun", status="done")],
        [call("AdvancePhase", phase="VALIDATE"), call("EndRun", status="done")],
    ]
    team, _ = make_team(tmp_path, {"lead": lead}, [member("lead", lead=True)], policy=Policy.approve_all())
    assert await _run(team) == 0
    out = results(team, "lead")
    assert out[1][0] == "AdvancePhase" and not out[1][1] and "approved design" in out[1][2]
    assert out[2] == ("RequestApproval", True, "APPROVED.")
    assert out[3][1] and not out[4][1] and "after VALIDATE" in out[4][2]
    assert out[-1][1]
    assert [p.name for p in team.session.state.phases] == ["BRAINSTORM", "PLAN", "BUILD", "VALIDATE"]
    assert team.session.state.status == "done"


async def test_only_the_lead_moves_phases_and_phases_go_in_order(tmp_path):
    scripts = {
        "lead": [
            [call("SendMessage", recipient="dev", content="try it")],
            [text("waiting")],
            [call("AdvancePhase", phase="VALIDATE")],
            [call("EndRun", status="failed", summary="x")],
        ],
        "dev": [
            [call("AdvancePhase", phase="PLAN"), call("SendMessage", recipient="lead", content="done")],
            [text("ok")],
        ],
    }
    team, _ = make_team(tmp_path, scripts, [member("lead", lead=True), member("dev")])
    assert await _run(team) == 1
    dev = results(team, "dev")
    assert not dev[0][1] and "not one of your tools" in dev[0][2]  # AdvancePhase is the lead's alone
    lead = results(team, "lead")
    assert not lead[1][1] and "next phase is PLAN" in lead[1][2]
    assert team.session.state.status == "failed"


APPLY = "python3 -c \"import sqlite3; sqlite3.connect('app.db').execute('CREATE TABLE t (a)')\""


async def test_migration_is_applied_only_after_approval(tmp_path):
    script = [
        [call("Bash", command=APPLY)],
        [call("RequestApproval", kind="migration", title="M1", files=["m.sql"])],
        [call("Bash", command=APPLY + " && echo migrated")],
        [call("EndRun", status="failed", summary="stop")],
    ]
    policy = Policy(PolicyFile(rules=[Rule(kind="migration", decision="approve")]))
    team, _ = make_team(tmp_path, {"lead": script}, [member("lead", lead=True)], policy=policy)
    await _run(team)
    out = results(team, "lead")
    assert not out[0][1] and "needs the person's approval" in out[0][2]
    assert out[2][1] and "migrated" in out[2][2]


async def test_rejection_note_reaches_the_agent(tmp_path):
    script = [[call("RequestApproval", kind="design", title="D")], [call("EndRun", status="failed")]]
    policy = Policy(PolicyFile(rules=[Rule(kind="design", decision="reject", note="add a rollback plan")]))
    team, provider = make_team(tmp_path, {"lead": script}, [member("lead", lead=True)], policy=policy)
    await _run(team)
    last_user = provider.requests["lead"][1][-1]["content"]
    assert last_user[0]["type"] == "tool_result"
    assert "REJECTED" in last_user[0]["content"] and "add a rollback plan" in last_user[0]["content"]


async def test_headless_without_policy_stops_at_the_first_request_with_it_pending(tmp_path):
    script = [[call("AskUserQuestion", questions=[{"question": "SQLite?", "options": [{"label": "yes"}]}])]]
    team, _ = make_team(tmp_path, {"lead": script}, [member("lead", lead=True)])
    assert await _run(team) == 3
    state = team.session.state
    assert state.status == "waiting"
    assert [a.request.kind for a in state.pending_approvals] == ["question"]


async def test_question_answer_comes_back_one_line_per_question(tmp_path):
    questions = [
        {"question": "Storage?", "options": [{"label": "SQLite"}, {"label": "JSON"}]},
        {"question": "Tags?", "options": [{"label": "yes"}]},
    ]
    script = [[call("AskUserQuestion", questions=questions)], [call("EndRun", status="failed")]]
    team, _ = make_team(tmp_path, {"lead": script}, [member("lead", lead=True)], policy=Policy.approve_all())
    await _run(team)
    assert results(team, "lead")[0][2] == "Storage? → SQLite\nTags? → yes"


async def test_tools_outside_the_definition_and_unavailable_tools_are_errors(tmp_path):
    script = [
        [
            call("Write", file_path="x.txt", content="x"),
            call("WebFetch", url="http://x"),
            call("EndRun", status="failed"),
        ]
    ]
    team, _ = make_team(tmp_path, {"lead": script}, [member("lead", lead=True, tools=["Read", "EndRun"])])
    await _run(team)
    out = results(team, "lead")
    assert "not one of your tools" in out[0][2] and not (tmp_path / "ws" / "x.txt").exists()
    assert "not available in partytui" in out[1][2] and "network" in out[1][2]


@pytest.mark.parametrize(
    "mode, asks",
    [("default", ["permission", "permission"]), ("acceptEdits", ["permission"]), ("bypassPermissions", [])],
)
async def test_permission_modes(tmp_path, mode, asks):
    script = [[call("Write", file_path="a.txt", content="a"), call("Bash", command="echo hi")], [text("done")]]
    team, _ = make_team(tmp_path, {"dev": script}, [member("dev", mode=mode)], policy=Policy.approve_all(), solo=True)
    assert await _run(team) == 0
    assert [a.request.kind for a in team.session.state.approvals.values()] == asks
    assert (tmp_path / "ws" / "a.txt").read_text() == "a"


async def test_plan_mode_reads_until_the_plan_is_approved(tmp_path):
    script = [
        [call("Write", file_path="a.txt", content="a")],
        [call("ExitPlanMode", plan="1. write a.txt")],
        [call("Write", file_path="a.txt", content="a")],
        [text("done")],
    ]
    team, _ = make_team(tmp_path, {"dev": script}, [member("dev", mode="plan")], policy=Policy.approve_all(), solo=True)
    await _run(team)
    out = results(team, "dev")
    assert not out[0][1] and "plan mode" in out[0][2]
    assert out[1][1] and out[2][1]
    assert [a.request.kind for a in team.session.state.approvals.values()] == ["plan"]


async def test_allow_for_the_session_is_remembered(tmp_path):
    script = [[call("Bash", command="echo 1")], [call("Bash", command="echo 2")], [text("done")]]
    team, _ = make_team(tmp_path, {"dev": script}, [member("dev", mode="default")], solo=True)

    def allow_always(request):
        team.broker.answer(request.id, "approved", answers=["always"])

    team.broker.on_unanswered = allow_always
    await _run(team)
    assert len(team.session.state.approvals) == 1
    assert [ok for _, ok, _ in results(team, "dev")] == [True, True]


async def test_policy_tool_patterns(tmp_path):
    policy = Policy(
        PolicyFile(rules=[Rule(kind="permission", tool="Bash(echo:*)", decision="approve")], default="reject")
    )
    script = [[call("Bash", command="echo ok"), call("Bash", command="rm -rf x")], [text("done")]]
    team, _ = make_team(tmp_path, {"dev": script}, [member("dev", mode="default")], policy=policy, solo=True)
    await _run(team)
    out = results(team, "dev")
    assert out[0][1] and not out[1][1]
    assert [a.decision for a in team.session.state.approvals.values()] == ["approved", "rejected"]


async def test_a_question_in_prose_waits_for_the_person(tmp_path):
    script = [[text("I drafted the schema. Does this design look good to you?")], [text("Thanks, proceeding.")]]
    team, provider = make_team(tmp_path, {"dev": script}, [member("dev")], solo=True)
    replies = []

    def reply(request):
        replies.append(request.kind)
        team.broker.answer(request.id, "answered", answers=["Yes, but add an index."])

    team.broker.on_unanswered = reply
    assert await _run(team) == 0
    assert replies == ["reply"]
    assert "add an index" in provider.requests["dev"][1][-1]["content"][0]["text"]


async def test_messages_wake_teammates_and_the_team_ends_stalled_when_nobody_acts(tmp_path):
    scripts = {
        "lead": [
            [call("SendMessage", recipient="dev", content="hello dev")],
            [text("waiting")],
            [text("still nothing to do")],
            [text("really nothing")],
        ],
        "dev": [[call("SendMessage", recipient="lead", content="hi lead")], [text("idle now")]],
    }
    team, provider = make_team(tmp_path, scripts, [member("lead", lead=True), member("dev")])
    assert await _run(team) == 1
    assert team.session.state.status == "stalled"
    assert "hello dev" in provider.requests["dev"][0][0]["content"][0]["text"]
    # the lead was nudged once when everyone fell idle
    assert any("Everyone on the team is idle" in str(r) for r in provider.requests["lead"])


async def test_a_task_assigned_by_a_teammate_wakes_its_new_owner(tmp_path):
    scripts = {
        "lead": [
            [call("TaskCreate", subject="Write the parser")],
            [call("TaskUpdate", taskId="1", owner="dev")],
            [text("assigned")],
            [text("nothing more")],
            [text("still nothing")],
        ],
        "dev": [[call("TaskUpdate", taskId="1", status="in_progress")], [text("working on it")]],
    }
    team, provider = make_team(tmp_path, scripts, [member("lead", lead=True), member("dev")])
    await _run(team)
    assert "lead assigned you task #1: Write the parser" in str(provider.requests["dev"][0])
    # claiming its own task wakes nobody: the lead was not told by dev's update
    assert not any("assigned you" in str(r) for r in provider.requests["lead"])


async def test_pause_holds_the_agent_and_resume_lets_it_go(tmp_path):
    script = [[call("Bash", command="echo one")], [text("done")]]
    team, _ = make_team(tmp_path, {"dev": script}, [member("dev")], solo=True)
    team.pause("dev")
    team.start_session("p", mode="scripted", scenario=None)
    runner = asyncio.create_task(team.run())
    await asyncio.sleep(0.2)
    assert team.session.state.agents["dev"].state == "paused"
    assert team.is_paused("dev")
    team.resume("dev")
    assert await asyncio.wait_for(runner, 5) == 0


async def test_cancelling_the_lead_ends_the_run(tmp_path):
    scripts = {"lead": [[call("Bash", command="sleep 5")]]}
    team, _ = make_team(tmp_path, scripts, [member("lead", lead=True)])
    team.start_session("c", mode="scripted", scenario=None)
    runner = asyncio.create_task(team.run())
    await asyncio.sleep(0.3)
    team.cancel("lead")
    assert await asyncio.wait_for(runner, 5) == 1
    assert team.session.state.status == "cancelled"


async def test_person_message_reaches_the_agent(tmp_path):
    scripts = {"lead": [[text("waiting")], [call("EndRun", status="failed")]]}
    team, provider = make_team(tmp_path, scripts, [member("lead", lead=True)])
    team.start_session("m", mode="scripted", scenario=None)
    runner = asyncio.create_task(team.run())
    await asyncio.sleep(0.1)
    team.send("lead", "please stop")
    await asyncio.wait_for(runner, 5)
    assert "please stop" in str(provider.requests["lead"][1][-1])
    assert team.session.state.messages[-1].sender == "you"


def test_task_board_ids_dependencies_and_claimable():
    session = Session()
    board = TaskBoard(session)
    one = board.create("lead", "first")
    two = board.create("lead", "second")
    board.update("lead", two.id, add_blocked_by=[one.id])
    assert session.state.tasks["1"].task.blocks == ["2"]
    assert [t.id for t in board.claimable("dev")] == ["1"]
    board.update("dev", "1", status="completed", owner="dev", known_agents={"dev", "lead"})
    assert [t.id for t in board.claimable("dev")] == ["2"]
    with pytest.raises(TaskError):
        board.update("dev", "9", status="completed")
    with pytest.raises(TaskError):
        board.update("dev", "2", owner="nobody", known_agents={"dev"})


async def test_an_answer_is_taken_once_and_a_repeated_request_is_not_asked_again():
    session = Session()
    broker = ApprovalBroker(session)
    broker.human_attached = True
    waiting = asyncio.create_task(broker.request("dev", "design", tool_use_id="toolu_9", title="D"))
    await asyncio.sleep(0)
    assert broker.answer(1, "approved", "fine")
    assert not broker.answer(1, "rejected", "changed my mind")
    view = await waiting
    assert (view.decision, view.note) == ("approved", "fine")
    # the same tool call asking again (a resumed session) gets the logged answer, and nothing new is logged
    count = session.state.last_seq
    again = await broker.request("dev", "design", tool_use_id="toolu_9", title="D")
    assert again.decision == "approved" and session.state.last_seq == count


async def test_an_unexpected_failure_stops_that_agent_visibly_and_never_hangs(tmp_path):
    scripts = {
        "lead": [
            [call("SendMessage", recipient="dev", content="go")],
            [text("waiting")],
            [call("EndRun", status="failed", summary="dev broke")],
        ]
    }
    team, provider = make_team(tmp_path, scripts, [member("lead", lead=True), member("dev")])
    real = provider.stream_turn

    async def flaky(**kw):
        if kw["agent"] == "dev":
            raise RuntimeError("transport exploded")
        return await real(**kw)

    provider.stream_turn = flaky
    assert await _run(team) == 1
    dev = team.session.state.agents["dev"]
    assert dev.state == "error" and "transport exploded" in dev.reason
    # the lead heard about it and the rest of the team went on
    assert "dev stopped with an error" in str(provider.requests["lead"][-1])


async def test_a_broken_view_does_not_stop_the_team(tmp_path, capsys):
    scripts = {"dev": [[call("Bash", command="echo hi")], [text("done")]]}
    team, _ = make_team(tmp_path, scripts, [member("dev")], solo=True)

    def broken(event):
        raise ValueError("view bug")

    team.session.subscribe(broken)
    assert await _run(team) == 0
    assert "view bug" in capsys.readouterr().err


async def test_disallowed_tool_patterns_are_refused_whatever_the_mode(tmp_path):
    script = [[call("Bash", command="rm -rf build"), call("Bash", command="echo fine")], [text("done")]]
    dev = member("dev")
    dev.disallowed_patterns = {"Bash": ["rm:*"]}
    team, _ = make_team(tmp_path, {"dev": script}, [dev], solo=True)
    await _run(team)
    out = results(team, "dev")
    assert not out[0][1] and "disallowedTools" in out[0][2]
    assert out[1][1]


async def test_pausing_an_idle_agent_shows_at_once_and_resuming_returns_it_to_idle(tmp_path):
    scripts = {
        "lead": [
            [call("SendMessage", recipient="dev", content="hi")],
            [text("waiting")],
            [call("EndRun", status="failed")],
        ],
        "dev": [],
    }
    team, _ = make_team(tmp_path, scripts, [member("lead", lead=True), member("dev")])
    team.start_session("idle", mode="scripted", scenario=None)
    team.pause("dev")  # before dev ever runs: it is idle, waiting for work
    runner = asyncio.create_task(team.run())
    await asyncio.sleep(0.1)
    team.pause("dev")
    assert team.session.state.agents["dev"].state == "paused"
    team.resume("dev")
    await asyncio.sleep(0.05)
    assert team.session.state.agents["dev"].state != "paused"
    team.send("lead", "end it")
    await asyncio.wait_for(runner, 5)


def test_a_phase_change_an_agent_has_not_read_yet_is_still_to_be_read_after_a_resume(tmp_path):
    from partytui.core.truth.events import PhaseChanged, TurnEnded, TurnStarted

    team, _ = make_team(tmp_path, {}, [member("lead", lead=True), member("backend")])
    seen: list = []
    team.session.subscribe(seen.append)
    team.session.emit(PhaseChanged(agent="lead", phase="BRAINSTORM"))  # the start: nobody is told
    team.session.emit(PhaseChanged(agent="lead", phase="PLAN", previous="BRAINSTORM"))  # read in turn 1
    team.session.emit(TurnStarted(agent="backend", turn=1, inputs=["lead moved the team to the PLAN phase."]))
    team.session.emit(TurnEnded(agent="backend", turn=1, content=[{"type": "text", "text": "Proposal sent."}]))
    team.session.emit(PhaseChanged(agent="lead", phase="BUILD", previous="PLAN", note="Design approved."))
    from partytui.core.truth.workstate import fold_work

    backend, lead = team.runners["backend"], team.runners["lead"]
    work = fold_work(seen)
    backend.continue_from(work.agent("backend"))
    lead.continue_from(work.agent("lead"))
    assert backend.pending_notes == ["lead moved the team to the BUILD phase. Design approved."]
    assert not backend.pending_inputs  # news, not a reason to start a turn: as when it was delivered live
    assert lead.pending_notes == []  # the lead moved the team itself
