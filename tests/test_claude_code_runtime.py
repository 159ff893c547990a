"""The Claude Code runtime: choosing it, its requests through partytui's broker, the loopback Messages API
that serves a scenario to it, and the real bundled CLI end to end (a few runs: each CLI costs a second or
more and ~240 MB)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from partytui.cli import main
from partytui.core.providers import sse
from partytui.core.providers.loopback import claude_code_turn, conversation_view
from partytui.core.runtimes import AgentSpec, Backends, claude_code
from partytui.core.runtimes.claude_code import ClaudeCodeBackend, claude_code_name, partytui_name
from partytui.core.team.approvals import ApprovalBroker
from partytui.core.team.orchestrator import Team
from partytui.core.team.policy import load_policy
from partytui.core.truth.session import Session

FIXTURES = Path(__file__).parent / "fixtures" / "claude_code_runtime"
sdk = pytest.importorskip("claude_agent_sdk")


# ── names and the loopback dialect ───────────────────────────────────────────


def test_team_tools_travel_as_mcp_tools_and_come_back_as_partytui_names():
    assert claude_code_name("SendMessage") == "mcp__partytui__SendMessage"
    assert claude_code_name("Write") == "Write" and claude_code_name("AskUserQuestion") == "AskUserQuestion"
    assert partytui_name("mcp__partytui__EndRun") == "EndRun" and partytui_name("Bash") == "Bash"


def test_a_deferred_team_tool_is_loaded_with_toolsearch_before_the_scripted_call():
    turn = sse.WireTurn(
        msg_id="msg_lead_3",
        model="m",
        text="Telling the team.",
        tool_calls=[sse.ToolCall("toolu_lead_3_0", "SendMessage", {"recipient": "qa", "content": "hi"})],
    )
    first = claude_code_turn({"tools": [{"name": "ToolSearch"}, {"name": "Bash"}]}, turn)
    assert [c.name for c in first.tool_calls] == ["ToolSearch"] and first.text is None
    assert first.tool_calls[0].input["query"] == "select:mcp__partytui__SendMessage"
    assert first.tool_calls[0].id != "toolu_lead_3_0"
    then = claude_code_turn({"tools": [{"name": "mcp__partytui__SendMessage"}]}, turn)
    assert [c.name for c in then.tool_calls] == ["mcp__partytui__SendMessage"] and then.text == "Telling the team."


def test_the_scenario_reads_the_conversation_without_claude_codes_additions():
    messages = [
        {"role": "system", "content": "cwd: /tmp/ws"},
        {"role": "user", "content": [{"type": "text", "text": "the goal"}]},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "s1", "name": "ToolSearch", "input": {}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "s1", "content": "loaded"}]},
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "t1", "name": "mcp__partytui__RequestApproval", "input": {}}],
        },
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "t1",
                    "content": [{"type": "text", "text": "REJECTED. Note from the person: no"}],
                }
            ],
        },
    ]
    view = conversation_view(messages)
    assert [m["role"] for m in view] == ["user", "assistant", "user"]  # turn 1 of the script answers next
    assert view[1]["content"][0]["name"] == "RequestApproval"


# ── choosing the runtime ─────────────────────────────────────────────────────


def _choose(monkeypatch, *, key: bool, installed: bool, login: bool, flag=None, config=None):
    from partytui.commands import run as run_cmd
    from partytui.core.config import Config

    if key:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    monkeypatch.setattr(claude_code, "available", lambda: installed)
    monkeypatch.setattr(claude_code, "logged_in", lambda: login)
    return run_cmd._runtime(SimpleNamespace(runtime=flag), config or Config(), None)


def test_the_default_runtime_follows_the_credentials_at_hand(monkeypatch, capsys):
    from partytui.core.config import Config

    assert _choose(monkeypatch, key=True, installed=True, login=True) == "api"
    assert _choose(monkeypatch, key=False, installed=True, login=False) == "api"  # then: the missing-key message
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    assert _choose(monkeypatch, key=False, installed=True, login=True) == "claude-code"
    assert "Claude Code sessions" in capsys.readouterr().err  # and it says so
    assert _choose(monkeypatch, key=True, installed=True, login=True, flag="claude-code") == "claude-code"
    assert (
        _choose(monkeypatch, key=True, installed=True, login=True, config=Config(runtime="claude-code"))
        == "claude-code"
    )


def test_without_the_extra_claude_code_is_one_line_naming_the_install(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(claude_code, "available", lambda: False)
    code = main(["demo", "--runtime", "claude-code", "--headless", "--session-dir", str(tmp_path / "s")])
    err = capsys.readouterr().err
    assert code == 2
    assert (
        'pip install "partytui[claude-code]"' in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    )
    assert not (tmp_path / "s").exists() or not list((tmp_path / "s").iterdir())  # nothing written


def test_a_config_names_the_runtime_per_agent_and_a_wrong_one_is_reported_with_its_line(tmp_path, monkeypatch, capsys):
    config = tmp_path / "config.yaml"
    config.write_text("default_model: sonnet\nagent_runtimes:\n  backend: claude-cod\n")
    monkeypatch.setenv("PARTYTUI_CONFIG", str(config))
    code = main(["demo", "--headless", "--session-dir", str(tmp_path / "s")])
    err = capsys.readouterr().err
    assert code == 2 and f"{config}:2" in err and "claude-cod" in err


# ── requests through the broker (no CLI) ─────────────────────────────────────


def _runtime(tmp_path: Path, policy=None, mode: str = "default"):
    session = Session()
    spec = AgentSpec(
        name="dev",
        model="claude-sonnet-5-5",
        system_prompt="You are dev.",
        tools=["Read", "Write", "Bash", "AskUserQuestion"],
        runtime="claude-code",
        permission_mode=mode,
    )
    workspace = tmp_path / "ws"
    workspace.mkdir()
    team = Team(
        session,
        ApprovalBroker(session, policy),
        None,
        [spec],
        workspace=workspace,
        goal="g",
        solo=True,
        backends=Backends(claude_code=ClaudeCodeBackend()),
    )
    return team, team.runners["dev"]


async def test_a_permission_is_logged_before_it_waits_and_a_refusal_note_is_the_models_result(tmp_path):
    team, runtime = _runtime(tmp_path)
    context = SimpleNamespace(tool_use_id="toolu_1")
    asked = asyncio.ensure_future(runtime._can_use_tool("Bash", {"command": "rm -rf build"}, context))
    await asyncio.sleep(0)
    while not team.session.state.pending_approvals:
        await asyncio.sleep(0.01)
    request = team.session.state.pending_approvals[0].request
    assert (request.kind, request.tool, request.tool_use_id) == ("permission", "Bash", "toolu_1")
    assert not asked.done()  # waiting for the person
    team.broker.answer(request.id, "rejected", "never delete the build folder")
    result = await asked
    assert isinstance(result, sdk.PermissionResultDeny)
    assert result.message == "The person did not allow Bash: never delete the build folder"
    called = [e for e in team.session.state.agents["dev"].transcript if e.kind == "tool"]
    assert called and called[0].tool == "Bash"  # the call is on the card before its answer


async def test_allow_for_the_session_is_not_asked_again_and_paths_read_relative(tmp_path):
    team, runtime = _runtime(tmp_path)
    path = str(team.workspace / "migrations" / "001.sql")
    first = asyncio.ensure_future(
        runtime._can_use_tool("Write", {"file_path": path, "content": "x"}, SimpleNamespace(tool_use_id="t1"))
    )
    while not team.session.state.pending_approvals:
        await asyncio.sleep(0.01)
    request = team.session.state.pending_approvals[0].request
    assert request.tool_input["file_path"] == "migrations/001.sql" and request.title == "Write: migrations/001.sql"
    team.broker.answer(request.id, "approved", "always")
    assert isinstance(await first, sdk.PermissionResultAllow)
    again = await runtime._can_use_tool("Write", {"file_path": path, "content": "y"}, SimpleNamespace(tool_use_id="t2"))
    assert isinstance(again, sdk.PermissionResultAllow)
    assert len(team.session.state.approvals) == 1


async def test_askuserquestion_is_the_question_modal_and_the_labels_go_back(tmp_path):
    policy = load_policy("all")
    team, runtime = _runtime(tmp_path, policy)
    question = {
        "questions": [
            {
                "question": "Which database?",
                "header": "DB",
                "multiSelect": False,
                "options": [{"label": "SQLite", "description": "small"}, {"label": "Postgres"}],
            }
        ]
    }
    result = await runtime._can_use_tool("AskUserQuestion", question, SimpleNamespace(tool_use_id="q1"))
    assert isinstance(result, sdk.PermissionResultAllow)
    assert result.updated_input["answers"] == {"Which database?": "SQLite"}
    (approval,) = team.session.state.approvals.values()
    assert approval.request.kind == "question" and approval.request.questions[0].options[1].label == "Postgres"


# ── the real CLI, offline ────────────────────────────────────────────────────


def _cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "partytui", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(os.environ),
        stdin=subprocess.DEVNULL,
    )


def _log(result: subprocess.CompletedProcess) -> Path:
    line = next(s for s in result.stderr.splitlines() if s.startswith("session log: "))
    return Path(line.removeprefix("session log: "))


def _events(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_a_subagent_file_runs_unmodified_in_claude_code_through_every_request_and_a_resume(tmp_path):
    common = [
        "--scenario",
        str(FIXTURES / "migration.yaml"),
        "--speed",
        "0",
        "--headless",
        "--session-dir",
        str(tmp_path / "sessions"),
        "--workspace",
        str(tmp_path / "ws"),
    ]
    first = _cli(
        "run",
        "--runtime",
        "claude-code",
        "--agents",
        str(FIXTURES / "agents"),
        "--agent",
        "backend-developer",
        "--prompt",
        "Add a notes table",
        *common,
    )
    assert first.returncode == 3, first.stdout[-2000:] + first.stderr[-2000:]  # stopped at the question
    log = _log(first)
    resumed = _cli("resume", str(log), "--approve", str(FIXTURES / "policy.yaml"), *common[2:])
    assert resumed.returncode == 0, resumed.stdout[-3000:] + resumed.stderr[-3000:]
    events = _events(log)
    asked = [e["request"] for e in events if e["type"] == "approval.requested"]
    assert [(r["kind"], r.get("tool")) for r in asked] == [
        ("question", None),
        ("design", None),
        ("permission", "Write"),
        ("migration", None),
        ("permission", "Bash"),
        ("permission", "Bash"),
    ]  # the question left pending was asked again, not anew; nothing was asked twice
    answers = {e["id"]: e for e in events if e["type"] == "approval.answered"}
    assert len(answers) == len(asked) and answers[5]["decision"] == "rejected"
    # the refusal's note is the tool result Claude Code gave its model
    refused = next(e for e in events if e["type"] == "tool.result" and not e["ok"])
    assert refused["tool"] == "Bash" and "never delete the build folder" in refused["output"]
    ws = tmp_path / "ws"
    assert (ws / "migrations" / "001_create_notes.sql").is_file() and not (ws / "build").exists()
    import sqlite3

    assert sqlite3.connect(ws / "notes.db").execute("select count(*) from notes").fetchone() == (0,)
    started = next(e for e in events if e["type"] == "session.started")
    assert started["agents"][0]["runtime"] == "claude-code"
    turns = [e for e in events if e["type"] == "turn.started"]
    assert turns and all(t["resume_id"] == turns[0]["resume_id"] for t in turns)  # one Claude Code conversation
    assert any(e["type"] == "text.delta" for e in events)  # streamed live


def test_the_demo_runs_the_shipped_team_as_claude_code_sessions(tmp_path):
    ws = tmp_path / "ws"
    result = _cli(
        "demo",
        "--runtime",
        "claude-code",
        "--headless",
        "--approve",
        "all",
        "--speed",
        "0",
        "--workspace",
        str(ws),
        "--session-dir",
        str(tmp_path / "sessions"),
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summary = json.loads(_cli("summary", str(_log(result)), "--json").stdout)
    assert summary["status"] == "done"
    assert [p["name"] for p in summary["phases"]] == ["BRAINSTORM", "PLAN", "BUILD", "VALIDATE"]
    assert len(summary["tasks"]) == 5 and {t["status"] for t in summary["tasks"]} == {"completed"}
    assert {t["owner"] for t in summary["tasks"]} == {"backend", "frontend", "qa"}
    kinds = {a["kind"]: a for a in summary["approvals"]}
    assert kinds["design"]["decision"] == "approved" and kinds["migration"]["decision"] == "approved"
    assert kinds["question"]["decision"] == "answered"
    for rel in [
        "docs/design.md",
        "migrations/001_create_notes.sql",
        "notes/store.py",
        "notes/cli.py",
        "tests/test_store.py",
        "VALIDATION.md",
    ]:
        assert rel in summary["files_written"] and (ws / rel).is_file()
    assert (ws / "notes.db").is_file() and (ws / "validate.db").is_file()
    assert all(a["turns"] > 0 and a["cost_usd"] is not None for a in summary["agents"])
    events = _events(_log(result))
    assert {a["runtime"] for a in events[0]["agents"]} == {"claude-code"}
    assert not [e for e in events if e["type"] == "tool.result" and not e["ok"]]  # every step really worked


def test_the_config_chooses_per_agent_and_runtime_on_the_command_line_is_for_the_whole_team():
    from partytui.commands import run as run_cmd
    from partytui.core.config import Config
    from partytui.core.team.definitions import load_agents
    from partytui.resources import bundled_agents_dir

    agents = load_agents([bundled_agents_dir()])
    config = Config(agent_runtimes={"backend": "claude-code"})
    mixed = {m.name: m.runtime for m in run_cmd._members(agents, config, solo=None)}
    assert mixed["backend"] == "claude-code" and mixed["lead"] == "api"
    whole = run_cmd._members(agents, config, solo=None, runtime="api", per_agent={})
    assert {m.runtime for m in whole} == {"api"}


def test_a_sub_agents_calls_show_in_the_owners_pane_as_the_sub_agents(tmp_path):
    from partytui.tui.widgets.transcript import ToolCard

    team, runtime = _runtime(tmp_path)
    spawn = sdk.ToolUseBlock(id="t_agent", name="Agent", input={"subagent_type": "explorer", "prompt": "look"})
    runtime._on_message(sdk.AssistantMessage(content=[spawn], model="m"))
    read = sdk.ToolUseBlock(id="t_sub", name="Read", input={"file_path": "notes.py"})
    runtime._on_message(sdk.AssistantMessage(content=[read], model="m", parent_tool_use_id="t_agent"))
    runtime._on_message(
        sdk.UserMessage(
            content=[sdk.ToolResultBlock(tool_use_id="t_sub", content="print(1)")], parent_tool_use_id="t_agent"
        )
    )
    cards = {e.tool_use_id: e for e in team.session.state.agents["dev"].transcript if e.kind == "tool"}
    assert cards["t_agent"].tool == "Agent" and cards["t_agent"].via is None
    assert cards["t_sub"].via == "explorer" and cards["t_sub"].ok is True and cards["t_sub"].output == "print(1)"
    title = ToolCard(cards["t_sub"]).title
    assert "↳ explorer" in getattr(title, "plain", title)


def test_bench_section_6_measures_both_runtimes(tmp_path):
    from partytui.bench.run import runtimes_section

    section = runtimes_section((1,), tmp_path, lambda line: None)
    runs = {run["runtime"]: run for run in section.detail["runs"]}
    assert set(runs) == {"api", "claude-code"}
    assert len(runs["claude-code"]["rss_claude_mb"]) == 1 and runs["claude-code"]["rss_claude_mb"][0] > 0
    assert runs["claude-code"]["cpu_claude_s"] > 0 and runs["api"]["cpu_claude_s"] == 0
    assert all(len(run["request_ms"]) == 1 for run in runs.values())  # each agent's Write asked once
    assert {m.key for m in section.metrics} >= {"api_1_cpu", "claude_code_1_rss", "claude_code_1_request"}


async def test_a_claude_code_agents_pane_says_which_runtime_runs_it(tmp_path):
    from textual.content import Content

    from partytui.core.truth.events import AgentInfo, SessionStarted
    from partytui.tui.app import make_app

    session = Session()
    session.emit(
        SessionStarted(
            session_id="s",
            goal="g",
            workspace=str(tmp_path),
            mode="live",
            agents=[
                AgentInfo(name="dev", model="claude-sonnet-5-5", runtime="claude-code"),
                AgentInfo(name="qa", model="claude-haiku-4-5"),
            ],
        )
    )
    app = make_app(session)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        await app.flush_view()
        titles = {name: Content.from_markup(pane.border_title).plain for name, pane in app.main.panes.items()}
    assert "claude-sonnet-5-5 on Claude Code" in titles["dev"]
    assert "Claude Code" not in titles["qa"]


_WAITING_RUN = """
import sys
from partytui.cli import main
from partytui.commands import run as run_cmd

real_prepare = run_cmd._prepare

def prepare(args):  # as the TUI does: a person is there, so requests wait instead of ending the run
    prepared = real_prepare(args)
    prepared.team.broker.human_attached = True
    return prepared

run_cmd._prepare = prepare
sys.exit(main(sys.argv[1:]))
"""


def test_killed_while_a_request_waits_the_resume_asks_it_again_and_completes(tmp_path):
    import signal
    import time

    sessions = tmp_path / "sessions"
    args = [
        "run",
        "--runtime",
        "claude-code",
        "--scenario",
        str(FIXTURES / "migration.yaml"),
        "--agents",
        str(FIXTURES / "agents"),
        "--agent",
        "backend-developer",
        "--prompt",
        "Add a notes table",
        "--speed",
        "0",
        "--headless",
        "--session-dir",
        str(sessions),
        "--workspace",
        str(tmp_path / "ws"),
    ]
    proc = subprocess.Popen(
        [sys.executable, "-c", _WAITING_RUN, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        while True:  # until the first request is in the log, waiting
            logs = list(sessions.glob("*.jsonl")) if sessions.exists() else []
            if logs and '"approval.requested"' in logs[0].read_text():
                break
            assert proc.poll() is None and time.monotonic() < deadline, "the run never asked"
            time.sleep(0.2)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    log = logs[0]
    resumed = _cli(
        "resume",
        str(log),
        "--approve",
        str(FIXTURES / "policy.yaml"),
        "--speed",
        "0",
        "--headless",
        "--session-dir",
        str(sessions),
    )
    assert resumed.returncode == 0, resumed.stdout[-3000:] + resumed.stderr[-3000:]
    events = _events(log)
    questions = [e for e in events if e["type"] == "approval.requested" and e["request"]["kind"] == "question"]
    assert len(questions) == 1  # asked again after the kill, not anew
    answered = [e for e in events if e["type"] == "approval.answered" and e["id"] == questions[0]["request"]["id"]]
    assert len(answered) == 1 and answered[0]["by"] == "policy"
    assert [e["tool"] for e in events if e["type"] == "tool.called"].count("AskUserQuestion") == 1
    assert events[-1]["type"] == "session.ended" and events[-1]["status"] == "done"
    assert (tmp_path / "ws" / "notes.db").is_file()
