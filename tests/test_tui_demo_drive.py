"""The real demo in the real app, driven from the keyboard under Pilot: answer, reject with a reason, approve."""

from __future__ import annotations

from partytui.cli import build_parser
from partytui.commands.run import prepare_run
from partytui.resources import demo_scenario
from partytui.tui.app import make_app
from partytui.tui.screens.approval import ApprovalModal
from waiting import DEADLINE_S, wait_until


async def _until(pilot, predicate, timeout: float = DEADLINE_S) -> None:
    await wait_until(predicate, seconds=timeout, step=lambda: pilot.pause(0.05))


def _demo_app(tmp_path):
    """The demo run as ``partytui demo`` builds it, in the real app, at full speed."""
    args = build_parser().parse_args(
        [
            "run",
            "--scenario",
            str(demo_scenario()),
            "--speed",
            "0",
            "--workspace",
            str(tmp_path / "ws"),
            "--session-dir",
            str(tmp_path / "s"),
        ]
    )
    prepared = prepare_run(args)
    prepared.start()
    team = prepared.team
    return (
        prepared,
        team,
        make_app(prepared.session, broker=team.broker, controller=team, runner=team.run, approval_delay=0),
    )


def _modal_for(app, kind: str):
    return lambda: isinstance(app.screen, ApprovalModal) and app.screen.request.kind == kind and app.screen.armed


async def test_keys_answer_reject_and_approve_and_the_reason_reaches_the_model(tmp_path):
    prepared, team, app = _demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(pilot, _modal_for(app, "question"))
        await pilot.press("1")
        await pilot.press("1")  # both questions answered: the form shows them for a final review
        await _until(pilot, lambda: app.screen._reviewing and app.screen.armed)
        await pilot.press("enter")
        await _until(pilot, _modal_for(app, "design"))
        await pilot.press("r")
        await pilot.press(*"needs an index on tags")
        await pilot.press("enter")
        # the lead revises and asks again; the reason was in its next model request
        await _until(
            pilot, lambda: len([a for a in team.session.state.approvals.values() if a.request.kind == "design"]) == 2
        )
        lead = team.runners["lead"]
        results = [
            b
            for m in lead.messages
            if m["role"] == "user" and isinstance(m["content"], list)
            for b in m["content"]
            if b.get("type") == "tool_result"
        ]
        assert any("REJECTED" in b["content"] and "needs an index on tags" in b["content"] for b in results)
        await _until(pilot, _modal_for(app, "design"))
        assert app.screen.request.title.startswith("Design (revised)")
        await pilot.press("a")
        await _until(pilot, _modal_for(app, "migration"))
        # while the backend waits, the rest of the team is not blocked: the board has moved on
        assert team.session.state.phase == "BUILD"
        assert team.session.state.agents["backend"].state == "waiting"
        await pilot.press("a")
        await _until(pilot, lambda: app.run_code is not None, timeout=2 * DEADLINE_S)
        assert app.run_code == 0
        state = team.session.state
        assert [p.name for p in state.phases] == ["BRAINSTORM", "PLAN", "BUILD", "VALIDATE"]
        assert {t.task.status for t in state.tasks.values()} == {"completed"}
        decisions = [(a.request.kind, a.decision, a.by) for a in state.approvals.values()]
        assert decisions == [
            ("question", "answered", "human"),
            ("design", "rejected", "human"),
            ("design", "approved", "human"),
            ("migration", "approved", "human"),
        ]
        await pilot.press("q")
    prepared.session.close()


async def test_message_pause_and_cancel_reach_the_real_team(tmp_path):
    prepared, team, app = _demo_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await _until(pilot, _modal_for(app, "question"))
        await pilot.press("escape")  # set aside: it stays pending
        await _until(pilot, lambda: not isinstance(app.screen, ApprovalModal))
        await pilot.press("1", "m")
        await pilot.press(*"keep it small")
        await pilot.press("enter")
        await _until(pilot, lambda: team.session.state.messages and team.session.state.messages[-1].sender == "you")
        assert team.session.state.messages[-1].recipient == "lead"
        assert any("keep it small" in text for text in team.runners["lead"].pending_inputs)
        await pilot.press("2", "p")
        assert team.is_paused("backend")
        await pilot.press("p")
        assert not team.is_paused("backend")
        await pilot.press("4", "x")
        await pilot.press("y")
        await _until(pilot, lambda: team.session.state.agents["qa"].state == "cancelled")
        assert team.session.state.approvals[1].pending
        await pilot.press("q")
        await pilot.press("y")
    prepared.session.close()
