"""Crash campaign: SIGKILL a headless demo at many exact points, then resume it and account for everything.

Each run is killed by the log itself right after a chosen event (``PARTYTUI_CRASH_AFTER``): while an
approval is pending, between a tool call and its result, between a message sent and its call's result,
during a phase change, mid-stream, and so on. After each kill, ``summary`` must read the log, and
``resume`` must finish the run with every task, approval, message and tool result accounted for exactly
once, and a call that changes something run again only by a logged decision.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from demo_args import headless_demo
from partytui.resources import demo_scenario

CRASH_POINTS = [
    "phase.changed#1",
    "phase.changed#2",
    "phase.changed#3",
    "phase.changed#4",
    "approval.requested#1",
    "approval.requested#2",
    "approval.requested#3",
    "approval.answered#1",
    "approval.answered#2",
    "approval.answered#3",
    "tool.called#3",
    "tool.called#9",
    "tool.called#16",
    "tool.called#27",
    "tool.called#41",
    "tool.result#5",
    "tool.result#14",
    "tool.result#33",
    "file.changed#2",
    "file.changed#7",
    "task.updated#4",
    "task.updated#11",
    "message.sent#1",
    "message.sent#3",
    "task.created#2",
    "turn.started#12",
    "turn.ended#20",
    "text.delta#60",
    "agent.state#40",
]


def _partytui(*args: str, crash: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PARTYTUI_CRASH_AFTER"}
    if crash:
        env["PARTYTUI_CRASH_AFTER"] = crash
    return subprocess.run(
        [sys.executable, "-m", "partytui", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def _events(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


@pytest.mark.slow
@pytest.mark.parametrize("point", CRASH_POINTS)
def test_killed_anywhere_the_demo_resumes_and_accounts_for_everything_once(tmp_path, point):
    ws, sessions = tmp_path / "ws", tmp_path / "sessions"
    killed = _partytui(*headless_demo(ws, sessions), crash=point)
    assert killed.returncode == -9, f"not killed at {point}: {killed.returncode} {killed.stderr[-500:]}"
    (log,) = sessions.glob("*.jsonl")

    after_crash = _partytui("summary", str(log), "--json")
    assert after_crash.returncode == 0, after_crash.stderr
    assert json.loads(after_crash.stdout)["status"] == "running"

    resumed = _partytui("resume", str(log), "--headless", "--approve", "all", "--speed", "0")
    assert resumed.returncode == 0, resumed.stdout[-2000:] + resumed.stderr[-2000:]

    data = json.loads(_partytui("summary", str(log), "--json").stdout)
    assert data["status"] == "done"
    assert [p["name"] for p in data["phases"]] == ["BRAINSTORM", "PLAN", "BUILD", "VALIDATE"]
    assert [t["status"] for t in data["tasks"]] == ["completed"] * 5
    events = _events(log)
    # a call killed between its call and its result that changes something was run again only by a decision
    # (here the policy's), asked once: "Run again? …", for exactly the calls that had no result at the crash
    again = [
        e["request"]
        for e in events
        if e["type"] == "approval.requested" and e["request"]["title"].startswith("Run again?")
    ]
    crashed_at = next(i for i, e in enumerate(events) if e["type"] == "session.resumed")
    before = events[:crashed_at]
    unfinished = {e["tool_use_id"] for e in before if e["type"] == "tool.called"} - {
        e["tool_use_id"] for e in before if e["type"] == "tool.result"
    }
    assert {r["tool_use_id"] for r in again} <= {f"{i}:again" for i in unfinished}
    assert all(r["tool"] not in ("Read", "Glob", "Grep", "LS", "SendMessage", "TaskCreate") for r in again)
    asked = [a for a in data["approvals"] if not a["title"].startswith("Run again?")]
    assert sorted(a["kind"] for a in asked) == ["design", "migration", "question"]
    assert all(a["decision"] in ("approved", "answered") for a in data["approvals"])

    assert sum(e["type"] == "session.resumed" for e in events) == 1
    answered = Counter(e["id"] for e in events if e["type"] == "approval.answered")
    assert set(answered.values()) == {1}, f"an approval answered twice: {answered}"
    asked = Counter(e["request"]["tool_use_id"] for e in events if e["type"] == "approval.requested")
    assert set(asked.values()) == {1}, f"a request asked twice: {asked}"
    called = Counter(e["tool_use_id"] for e in events if e["type"] == "tool.called")
    results = Counter(e["tool_use_id"] for e in events if e["type"] == "tool.result")
    assert set(called.values()) == {1} and set(results.values()) == {1}
    assert called.keys() == results.keys()
    assert Counter(e["task"]["id"] for e in events if e["type"] == "task.created") == Counter(
        {str(i): 1 for i in range(1, 6)}
    )
    # a message is sent once, whenever the run was killed
    sent = Counter((e["agent"], e["content"]) for e in events if e["type"] == "message.sent")
    assert set(sent.values()) == {1}, f"a message sent twice: {sent}"
    for rel in ["docs/design.md", "notes/store.py", "notes/cli.py", "tests/test_cli.py", "VALIDATION.md"]:
        assert (ws / rel).is_file(), rel


def test_a_run_stopped_at_a_request_resumes_with_that_request_asked_again(tmp_path):
    ws, sessions = tmp_path / "ws", tmp_path / "sessions"
    stopped = _partytui(
        "run",
        "--headless",
        "--scenario",
        str(demo_scenario()),
        "--speed",
        "0",
        "--workspace",
        str(ws),
        "--session-dir",
        str(sessions),
    )
    assert stopped.returncode == 3
    (log,) = sessions.glob("*.jsonl")
    # resumed without a policy it stops again at the same request, asking nothing new
    again = _partytui("resume", str(log), "--headless", "--speed", "0")
    assert again.returncode == 3
    assert [e["request"]["id"] for e in _events(log) if e["type"] == "approval.requested"] == [1]
    done = _partytui("resume", str(log), "--headless", "--approve", "all", "--speed", "0")
    assert done.returncode == 0, done.stderr
    assert "request #1 answered by policy" in done.stdout
    assert json.loads(_partytui("summary", str(log), "--json").stdout)["status"] == "done"


def test_a_finished_session_is_not_resumed(tmp_path):
    sessions = tmp_path / "sessions"
    _partytui(*headless_demo(tmp_path / "ws", sessions))
    (log,) = sessions.glob("*.jsonl")
    result = _partytui("resume", str(log), "--headless")
    assert result.returncode == 2 and "already finished" in result.stderr
