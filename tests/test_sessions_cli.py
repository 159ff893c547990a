"""``partytui sessions`` and ``resume --last``: finding the sessions a person ran and continuing the newest."""

from __future__ import annotations

import json
import os
from pathlib import Path

from partytui.cli import main
from partytui.core.truth.events import (
    AgentInfo,
    ApprovalRequest,
    ApprovalRequested,
    SessionEnded,
    SessionStarted,
)
from partytui.core.truth.log import SessionLog
from partytui.core.truth.sessions import last_resumable, list_sessions


def _write(folder: Path, sid: str, *events, mtime: float) -> Path:
    path = folder / f"{sid}.jsonl"
    log = SessionLog(path)
    start = SessionStarted(
        session_id=sid,
        goal=f"goal of {sid}",
        workspace=f"/ws/{sid}",
        mode="scripted",
        agents=[AgentInfo(name="lead", model="m", lead=True)],
        seq=1,
        ts=mtime,
    )
    for i, event in enumerate([start, *events], start=1):
        event.seq, event.ts = i, mtime + i
        log.append(event)
    log.close()
    os.utime(path, (mtime, mtime))
    return path


def _three(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    _write(folder, "a-done", SessionEnded(status="done"), mtime=1000)
    _write(
        folder,
        "b-waiting",
        ApprovalRequested(request=ApprovalRequest(id=1, kind="design", agent="lead")),
        SessionEnded(status="waiting", reason="request #1"),
        mtime=2000,
    )
    _write(folder, "c-done", SessionEnded(status="done"), mtime=3000)
    (folder / "d-garbage.jsonl").write_text("not json\n{}\n")
    os.utime(folder / "d-garbage.jsonl", (500, 500))


def test_sessions_are_listed_newest_first_with_status_pending_and_workspace(tmp_path, capsys):
    folder = tmp_path / "sessions"
    _three(folder)
    entries = list_sessions(folder)
    assert [e.id for e in entries] == ["c-done", "b-waiting", "a-done", "d-garbage"]
    waiting = entries[1]
    assert (waiting.status, waiting.pending, waiting.workspace, waiting.resumable) == (
        "waiting",
        1,
        "/ws/b-waiting",
        True,
    )
    assert entries[3].problem and not entries[3].resumable
    assert [e.id for e in list_sessions(folder, limit=2)] == ["c-done", "b-waiting"]

    assert main(["sessions", "--session-dir", str(folder)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["ID", "STATUS", "WAIT", "STARTED"]
    assert lines[2].split()[:3] == ["b-waiting", "waiting", "1"]
    assert "goal of b-waiting" in lines[2] and "/ws/b-waiting" in lines[2]
    assert "unreadable" in lines[4]
    assert "partytui resume --last" in out and "partytui resume b-waiting" in out

    assert main(["sessions", "--json", "--session-dir", str(folder)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["id"] for d in data] == ["c-done", "b-waiting", "a-done", "d-garbage"]
    assert data[1] | {"path": None} == data[1] | {
        "path": None,
        "goal": "goal of b-waiting",
        "status": "waiting",
        "pending": 1,
        "workspace": "/ws/b-waiting",
        "resumable": True,
        "started_at": 2001.0,
    }


def test_no_sessions_says_how_to_start_one(tmp_path, capsys):
    assert main(["sessions", "--session-dir", str(tmp_path / "none")]) == 0
    assert "partytui demo" in capsys.readouterr().out


def test_resume_last_picks_the_newest_session_that_can_continue(tmp_path, capsys):
    folder = tmp_path / "sessions"
    _three(folder)
    assert last_resumable(folder).id == "b-waiting"
    # the newest resumable log is found, then read: its scenario is missing, which is reported by file
    code = main(["resume", "--last", "--headless", "--session-dir", str(folder)])
    err = capsys.readouterr().err
    assert "resuming b-waiting" in err
    assert code == 2 and "Traceback" not in err


def test_resume_needs_a_session_or_last_not_both(tmp_path, capsys):
    assert main(["resume", "--headless"]) == 2
    assert "--last" in capsys.readouterr().err
    assert main(["resume", "x", "--last", "--headless"]) == 2
    assert "not both" in capsys.readouterr().err
    assert main(["resume", "--last", "--headless", "--session-dir", str(tmp_path / "empty")]) == 2
    assert "no session to continue" in capsys.readouterr().err


def test_a_run_that_did_not_finish_says_how_to_continue_it(tmp_path, capsys):
    from partytui.resources import demo_scenario

    folder = tmp_path / "sessions"
    code = main(
        [
            "run",
            "--headless",
            "--scenario",
            str(demo_scenario()),
            "--approve",
            "none",
            "--speed",
            "0",
            "--workspace",
            str(tmp_path / "ws"),
            "--session-dir",
            str(folder),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "the session is stalled; continue it with: partytui resume " in err and "--last" in err
    assert last_resumable(folder) is not None


AGENT = """---
name: dev
description: writes files
tools: Write
permissionMode: bypassPermissions
---
You write files.
"""

FAILING = """
name: retry
agents_dir: agents
agents:
  dev:
    - faults: [{status: 400, message: "the request was refused"}]
      text: Writing it.
      tools: [{name: Write, input: {file_path: done.txt, content: "ok\\n"}}]
    - text: Written.
"""


def test_a_failed_session_is_resumed_and_its_failed_agent_retried(tmp_path, capsys):
    from partytui.core.truth.log import read_log
    from partytui.core.truth.state import fold

    (tmp_path / "agents").mkdir()
    (tmp_path / "agents" / "dev.md").write_text(AGENT)
    (tmp_path / "failing.yaml").write_text(FAILING)
    (tmp_path / "fixed.yaml").write_text(
        FAILING.replace('    - faults: [{status: 400, message: "the request was refused"}]\n      text', "    - text")
    )
    folder, ws = tmp_path / "sessions", tmp_path / "ws"
    common = ["--headless", "--speed", "0", "--session-dir", str(folder)]
    code = main(
        [
            "run",
            "--agent",
            "dev",
            "--prompt",
            "write done.txt",
            "--scenario",
            str(tmp_path / "failing.yaml"),
            "--workspace",
            str(ws),
            *common,
        ]
    )
    assert code == 1 and not (ws / "done.txt").exists()
    assert "the session is failed; continue it with: partytui resume" in capsys.readouterr().err
    # the API is back (here: the same script without the fault): the failed agent is asked again, and finishes
    code = main(["resume", "--last", "--scenario", str(tmp_path / "fixed.yaml"), *common])
    assert code == 0, capsys.readouterr().err
    assert (ws / "done.txt").read_text() == "ok\n"
    (log,) = folder.glob("*.jsonl")
    state = fold(read_log(log).events)
    assert state.status == "done" and state.resumes == 1
