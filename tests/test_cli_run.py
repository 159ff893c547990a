"""The command line end to end: the headless demo, one agent against a loopback API, usage errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from demo_args import headless_demo
from partytui.cli import main
from partytui.resources import demo_scenario

REPO = Path(__file__).resolve().parent.parent


def _cli(*args: str, env: dict[str, str] | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "partytui", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
    )


def _summary(log: Path) -> dict:
    result = _cli("summary", str(log), "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _session_log(stderr: str) -> Path:
    line = next(s for s in stderr.splitlines() if s.startswith("session log: "))
    return Path(line.removeprefix("session log: "))


def test_the_headless_demo_completes_every_phase_task_and_approval(tmp_path):
    ws = tmp_path / "ws"
    result = _cli(
        *headless_demo(ws, tmp_path / "sessions"),
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    data = _summary(_session_log(result.stderr))
    assert data["status"] == "done"
    assert [p["name"] for p in data["phases"]] == ["BRAINSTORM", "PLAN", "BUILD", "VALIDATE"]
    assert all(p["ended_at"] is not None for p in data["phases"])
    assert len(data["tasks"]) == 5 and {t["status"] for t in data["tasks"]} == {"completed"}
    assert {t["owner"] for t in data["tasks"]} == {"backend", "frontend", "qa"}
    kinds = {a["kind"]: a for a in data["approvals"]}
    assert kinds["design"]["decision"] == "approved" and kinds["migration"]["decision"] == "approved"
    assert kinds["question"]["decision"] == "answered" and all(a["by"] == "policy" for a in data["approvals"])
    for rel in [
        "docs/design.md",
        "migrations/001_create_notes.sql",
        "notes/store.py",
        "notes/cli.py",
        "tests/test_store.py",
        "VALIDATION.md",
    ]:
        assert rel in data["files_written"] and (ws / rel).is_file()
    # the Bash steps really ran: the migration created the table and the tests passed
    assert (ws / "notes.db").is_file() and (ws / "validate.db").is_file()
    assert "OK" in _bash_outputs(_session_log(result.stderr), "qa")
    assert all(a["turns"] > 0 and a["cost_usd"] is not None for a in data["agents"])
    assert "phase VALIDATE" in result.stdout and "request #1 (question) from lead" in result.stdout


def _bash_outputs(log: Path, agent: str) -> str:
    out = []
    for line in log.read_text().splitlines():
        event = json.loads(line)
        if event["type"] == "tool.result" and event.get("agent") == agent and event["tool"] == "Bash":
            assert event["ok"], event["output"]
            out.append(event["output"])
    return "\n".join(out)


def test_without_a_policy_the_demo_stops_at_the_first_request(tmp_path):
    result = _cli(
        "run",
        "--headless",
        "--scenario",
        str(demo_scenario()),
        "--speed",
        "0",
        "--workspace",
        str(tmp_path / "ws"),
        "--session-dir",
        str(tmp_path / "sessions"),
    )
    assert result.returncode == 3, result.stderr
    data = _summary(_session_log(result.stderr))
    assert data["status"] == "waiting"
    assert [(a["kind"], a["decision"]) for a in data["approvals"]] == [("question", "pending")]
    assert "partytui resume" in result.stderr


def test_one_agent_against_a_loopback_api_writes_a_file(tmp_path):
    script = tmp_path / "script.json"
    script.write_text(
        json.dumps(
            [
                {
                    "text": "Writing it.",
                    "tool_calls": [{"name": "Write", "input": {"file_path": "hello.txt", "content": "hi\n"}}],
                },
                {"text": "Done: hello.txt written."},
            ]
        )
    )
    port_file, requests_file = tmp_path / "port", tmp_path / "requests.jsonl"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.fakeapi",
            "--port-file",
            str(port_file),
            "--script",
            str(script),
            "--requests-file",
            str(requests_file),
            "--idle-timeout",
            "180",
        ],  # generous: a loaded machine is slow
        cwd=REPO,
    )
    try:
        deadline = time.monotonic() + 60  # a bound on a hang: Python starts slowly on a busy machine
        while not port_file.exists() or not port_file.read_text().strip():
            assert time.monotonic() < deadline and server.poll() is None, "fake API did not start"
            time.sleep(0.05)
        port = port_file.read_text().strip()
        canary = "sk-ant-api03-CANARYkey0123456789"
        result = _cli(
            "run",
            "--headless",
            "--agent",
            "backend",
            "--prompt",
            "write hello.txt",
            "--workspace",
            str(tmp_path / "ws"),
            "--session-dir",
            str(tmp_path / "sessions"),
            env={"ANTHROPIC_API_KEY": canary, "ANTHROPIC_BASE_URL": f"http://127.0.0.1:{port}"},
            timeout=240,
        )
    finally:
        server.terminate()
        server.wait(10)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "ws" / "hello.txt").read_text() == "hi\n"
    bodies = [json.loads(line)["body"] for line in requests_file.read_text().splitlines()]
    assert len(bodies) == 2
    second = bodies[1]["messages"]
    assert second[1]["content"][-1]["type"] == "tool_use" and second[2]["content"][0]["type"] == "tool_result"
    log = _session_log(result.stderr)
    assert canary not in log.read_text()
    data = _summary(log)
    assert data["files_written"] == ["hello.txt"] and data["status"] == "done"


def test_run_without_a_key_points_to_the_demo(tmp_path, capsys):
    code = main(
        ["run", "build a thing", "--headless", "--workspace", str(tmp_path), "--session-dir", str(tmp_path / "s")]
    )
    assert code == 2
    assert "partytui demo" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", "--agent", "lead"], "--agent needs --prompt"),
        (["run", "goal", "--scenario", "/nonexistent.yaml"], "/nonexistent.yaml"),
        (["run", "goal", "--approve", "/nonexistent-policy.yaml", "--scenario", "SCENARIO"], "no such policy file"),
        (["summary", "no-such-session"], "no session log"),
        (["run", "goal", "--agents", "/nonexistent-dir"], "no such agents directory"),
    ],
)
def test_usage_errors_exit_2_with_a_message_and_no_traceback(tmp_path, capsys, args, message):
    args = [str(demo_scenario()) if a == "SCENARIO" else a for a in args]
    assert main([*args, "--session-dir", str(tmp_path)] if args[0] != "summary" else args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_bad_speed_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["demo", "--speed", "fast"])
    assert info.value.code == 2


def test_core_never_imports_textual():
    code = (
        "import sys, pkgutil, importlib, partytui.core as core\n"
        "for m in pkgutil.walk_packages(core.__path__, 'partytui.core.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_refused_runs_write_nothing(tmp_path, capsys):
    sessions = tmp_path / "s"
    assert (
        main(["run", "a goal", "--headless", "--workspace", str(tmp_path / "ws"), "--session-dir", str(sessions)]) == 2
    )
    assert (
        main(
            [
                "run",
                "--headless",
                "--scenario",
                str(demo_scenario()),
                "--approve",
                str(tmp_path / "nope.yaml"),
                "--workspace",
                str(tmp_path / "ws"),
                "--session-dir",
                str(sessions),
            ]
        )
        == 2
    )
    assert not sessions.exists() or not any(sessions.iterdir())


def test_the_config_files_session_dir_is_where_sessions_go_and_are_found(tmp_path, monkeypatch, capsys):
    from partytui.core.truth.sessions import session_dir

    monkeypatch.delenv("PARTYTUI_SESSION_DIR", raising=False)
    config = tmp_path / "config.yaml"
    config.write_text(f"session_dir: {tmp_path / 'mine'}\n")
    monkeypatch.setenv("PARTYTUI_CONFIG", str(config))
    assert session_dir() == tmp_path / "mine"
    assert main(headless_demo(tmp_path / "ws")) == 0
    (log,) = (tmp_path / "mine").glob("*.jsonl")
    capsys.readouterr()
    assert main(["summary", log.stem]) == 0 and "done" in capsys.readouterr().out
