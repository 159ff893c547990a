"""Exactly once, for side effects too: quitting or SIGTERM leaves a team that resumes, and a call interrupted
before its result was logged runs again only if the person (or the policy) says so."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from demo_args import headless_demo
from engine_fakes import FakeProvider, call, member, results, text
from partytui.core.team.approvals import ApprovalBroker
from partytui.core.team.orchestrator import Team
from partytui.core.team.policy import Policy, PolicyFile, Rule
from partytui.core.truth.session import Session
from partytui.core.truth.state import fold


def _team(tmp_path: Path, scripts, members, session: Session, policy=None, human=False) -> Team:
    broker = ApprovalBroker(session, policy)
    broker.human_attached = human
    workspace = tmp_path / "ws"
    workspace.mkdir(exist_ok=True)
    return Team(session, broker, FakeProvider(scripts), members, workspace=workspace, goal="build it")


def _recording() -> tuple[Session, list]:
    session, events = Session(), []
    session.subscribe(events.append)
    return session, events


def _resumed(events: list) -> tuple[Session, list]:
    session = Session(state=fold(events))
    recorded = list(events)
    session.subscribe(recorded.append)
    return session, recorded


QUESTION = {"question": "Which database?", "header": "DB", "options": [{"label": "SQLite"}, {"label": "Postgres"}]}


async def test_quitting_while_a_request_waits_leaves_a_team_that_resumes(tmp_path: Path) -> None:
    scripts = {
        "lead": [
            [call("AskUserQuestion", questions=[QUESTION])],
            [call("SendMessage", recipient="dev", content="go")],
            [call("AdvancePhase", phase="PLAN")],
            [call("EndRun", status="failed", summary="stop")],
        ],
        "dev": [[text("on it")]],
    }
    members = [member("lead", lead=True), member("dev")]
    session, events = _recording()
    team = _team(tmp_path, scripts, members, session, human=True)  # a person is attached, as in the TUI
    team.start_session("s1", mode="scripted", scenario=None)
    running = asyncio.create_task(team.run())
    await session.wait_until(lambda s: bool(s.pending_approvals))
    running.cancel()  # what quitting the TUI does to the team (any key that quits: the app's exit)
    await asyncio.gather(running, return_exceptions=True)

    assert not [e for e in events if e.type == "agent.state" and e.state == "cancelled"]
    ended = events[-1]
    assert ended.type == "session.ended" and ended.status == "cancelled"
    assert "1 request(s) wait for you" in ended.reason and "partytui resume" in ended.reason

    # resume: the same request is asked again (not a new one), answered, and the agents go on
    session2, recorded = _resumed(events)
    policy = Policy(PolicyFile(rules=[Rule(kind="question", decision="answer")]))
    team2 = _team(tmp_path, scripts, members, session2, policy=policy)
    team2.continue_session(events)
    assert await asyncio.wait_for(team2.run(), 30) == 1
    asked = [e for e in recorded if e.type == "approval.requested"]
    assert len(asked) == 1 and [e.id for e in recorded if e.type == "approval.answered"] == [asked[0].request.id]
    assert [ok for _, ok, _ in results(team2, "lead")] == [True, True, True, True]
    assert session2.state.status == "failed" and session2.state.phase == "PLAN"


async def test_a_call_interrupted_mid_run_is_not_run_again_without_a_yes(tmp_path: Path) -> None:
    pay = "echo paid >> payments.txt; test -e hold && sleep 30; true"  # holds only while the file 'hold' exists
    scripts = {"lead": [[call("Bash", command=pay)], [call("EndRun", status="failed", summary="stop")]]}
    members = [member("lead", lead=True)]
    session, events = _recording()
    team = _team(tmp_path, scripts, members, session, human=True)
    (team.workspace / "hold").touch()
    team.start_session("s1", mode="scripted", scenario=None)
    running = asyncio.create_task(team.run())
    payments = team.workspace / "payments.txt"
    for _ in range(600):
        if payments.exists():
            break
        await asyncio.sleep(0.05)
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)
    assert payments.read_text() == "paid\n"
    (team.workspace / "hold").unlink()
    assert [e.type for e in events].count("tool.called") == 1 and "tool.result" not in [e.type for e in events]

    for decision, lines in (("reject", 1), ("approve", 2)):
        session2, recorded = _resumed(events)
        rule = Rule(kind="permission", tool="Bash", decision=decision, note="checked the ledger")
        team2 = _team(tmp_path, scripts, members, session2, policy=Policy(PolicyFile(rules=[rule])))
        team2.continue_session(events)
        await asyncio.wait_for(team2.run(), 60)
        (asked,) = [e.request for e in recorded if e.type == "approval.requested"]
        assert asked.title == f"Run again? Bash: {pay}" and "before its result was logged" in asked.body
        assert [e.decision for e in recorded if e.type == "approval.answered"] == [decision.rstrip("e") + "ed"]
        first = results(team2, "lead")[0]
        if decision == "reject":
            assert not first[1] and "Interrupted" in first[2] and "checked the ledger" in first[2]
        assert payments.read_text() == "paid\n" * lines


async def test_a_message_sent_before_a_crash_is_not_sent_again(tmp_path: Path) -> None:
    scripts = {
        "lead": [[call("SendMessage", recipient="dev", content="deploy once")], [call("EndRun", status="failed")]],
        "dev": [[text("ok")]],
    }
    members = [member("lead", lead=True), member("dev")]
    session, events = _recording()
    team = _team(tmp_path, scripts, members, session)
    team.start_session("s1", mode="scripted", scenario=None)
    await asyncio.wait_for(team.run(), 30)
    # the log as a crash between "sent" and the call's result would leave it
    cut = next(i for i, e in enumerate(events) if e.type == "message.sent") + 1
    crashed = events[:cut]
    session2, recorded = _resumed(crashed)
    team2 = _team(tmp_path, scripts, members, session2)
    team2.continue_session(crashed)
    await asyncio.wait_for(team2.run(), 30)
    assert [e.content for e in recorded if e.type == "message.sent"] == ["deploy once"]
    assert results(team2, "lead")[0] == ("SendMessage", True, "Message sent to dev.")
    dev = team2.runners["dev"]  # what dev has read or will read next: the message, once
    read = [b.get("text") for m in dev.messages if m["role"] == "user" for b in m["content"] if isinstance(b, dict)]
    assert (read + dev.pending_inputs).count("Message from lead: deploy once") == 1


def _partytui(*args: str, env: dict | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "partytui", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        **kw,
    )


def _events(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


PAYMENT_SCENARIO = """name: payment
agents:
  backend:
    - tools:
        - name: Bash
          input: {command: "echo paid >> payments.txt; kill -KILL $PPID; sleep 5"}
    - text: Done.
"""


def test_a_bash_call_that_kills_partytui_is_not_run_twice_on_resume(tmp_path: Path) -> None:
    """The payment line: appended, then partytui dies before the result is logged (SIGKILL from inside)."""
    scenario, ws, sessions = tmp_path / "pay.yaml", tmp_path / "ws", tmp_path / "sessions"
    scenario.write_text(PAYMENT_SCENARIO)
    env = {"PARTYTUI_BASH_SANDBOX": "off"}  # so that $PPID is partytui itself
    common = ["--headless", "--speed", "0"]
    killed = _partytui(
        "run",
        "--scenario",
        str(scenario),
        "--agent",
        "backend",
        "--prompt",
        "pay",
        *common,
        "--workspace",
        str(ws),
        "--session-dir",
        str(sessions),
        env=env,
    )
    assert killed.returncode == -9, killed.stderr[-1000:]
    assert (ws / "payments.txt").read_text() == "paid\n"
    (log,) = sessions.glob("*.jsonl")
    resumed = _partytui("resume", str(log), "--approve", "none", *common, env=env)
    assert resumed.returncode == 0, resumed.stdout[-1000:] + resumed.stderr[-1000:]
    assert (ws / "payments.txt").read_text() == "paid\n"
    events = _events(log)
    (asked,) = [e["request"] for e in events if e["type"] == "approval.requested"]
    assert asked["title"].startswith("Run again? Bash: echo paid >> payments.txt")
    assert [(e["decision"], e["by"]) for e in events if e["type"] == "approval.answered"] == [("rejected", "policy")]
    (result,) = [e for e in events if e["type"] == "tool.result"]
    assert not result["ok"] and result["output"].startswith("Interrupted")


def test_sigterm_ends_a_run_cleanly_and_it_resumes(tmp_path: Path) -> None:
    ws, sessions = tmp_path / "ws", tmp_path / "sessions"
    proc = subprocess.Popen(
        # at a third of full speed, so SIGTERM comes mid-run (the later --speed wins)
        [sys.executable, "-m", "partytui", *headless_demo(ws, sessions), "--speed", "0.3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        for line in proc.stdout:  # wait for the team to be at work, then ask it to stop
            if "task #1 created" in line:
                break
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143
    (log,) = sessions.glob("*.jsonl")
    events = _events(log)
    assert events[-1]["type"] == "session.ended" and "stopped by SIGTERM" in events[-1]["reason"]
    assert not [e for e in events if e["type"] == "agent.state" and e["state"] == "cancelled"]
    done = _partytui("resume", str(log), "--headless", "--approve", "all", "--speed", "0")
    assert done.returncode == 0, done.stdout[-1500:] + done.stderr[-1500:]
    data = json.loads(_partytui("summary", str(log), "--json").stdout)
    assert data["status"] == "done" and [t["status"] for t in data["tasks"]] == ["completed"] * 5
    created = Counter(e["task"]["id"] for e in _events(log) if e["type"] == "task.created")
    assert set(created.values()) == {1}
