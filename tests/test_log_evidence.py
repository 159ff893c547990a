"""A log is evidence, not authority: a resume shows the folders a log names and asks when nothing vouches for
them, and what in a log does not add up is reported with file and line."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from partytui.cli import main
from partytui.core.team.approvals import ApprovalBroker
from partytui.core.truth import events as ev
from partytui.core.truth.evidence import inconsistencies
from partytui.core.truth.session import Session
from partytui.core.truth.state import fold
from waiting import wait_until

AGENT = """---
name: asker
description: asks before it builds
tools: Read, RequestApproval
---
You ask.
"""

SCENARIO = """name: ask
goal: build it
agents_dir: agents
agents:
  asker:
    - tools:
        - {name: RequestApproval, input: {kind: design, title: "The design", body: "A plan."}}
    - text: done
"""


def _waiting_session(tmp_path: Path) -> Path:
    """A run that stops (exit 3) with a request waiting, its log in the sessions dir."""
    (tmp_path / "agents").mkdir()
    (tmp_path / "agents" / "asker.md").write_text(AGENT)
    (tmp_path / "ask.yaml").write_text(SCENARIO)
    sessions = tmp_path / "s"
    code = main(
        [
            "run",
            "--agent",
            "asker",
            "--prompt",
            "go",
            "--headless",
            "--scenario",
            str(tmp_path / "ask.yaml"),
            "--speed",
            "0",
            "--workspace",
            str(tmp_path / "ws"),
            "--session-dir",
            str(sessions),
        ]
    )
    assert code == 3
    (log,) = sessions.glob("*.jsonl")
    return log


def _rewrite_first(log: Path, **fields) -> None:
    lines = log.read_text().splitlines()
    first = json.loads(lines[0])
    first.update(fields)
    lines[0] = json.dumps(first)
    log.write_text("\n".join(lines) + "\n")


def _resume(log: Path, *extra: str) -> int:
    return main(["resume", str(log), "--headless", "--speed", "0", "--approve", "all", *extra])


def test_a_resume_where_the_session_started_goes_on(tmp_path):
    log = _waiting_session(tmp_path)
    assert _resume(log) == 0


def test_a_rewritten_workspace_is_shown_and_refused_until_accepted(tmp_path, capsys):
    log = _waiting_session(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    _rewrite_first(log, workspace=str(elsewhere))
    before = log.read_text()
    capsys.readouterr()
    assert _resume(log) == 2
    err = capsys.readouterr().err
    assert f"workspace: {elsewhere} (the session started with {tmp_path / 'ws'})" in err and "--trust-log" in err
    assert log.read_text() == before and not elsewhere.exists()  # nothing written, nobody sent there
    assert _resume(log, "--workspace", str(tmp_path / "ws")) == 0  # the person names the folder: theirs


def test_a_log_with_no_record_of_its_start_asks_and_trust_log_accepts(tmp_path, capsys):
    log = _waiting_session(tmp_path)
    copy = tmp_path / "copy.jsonl"
    copy.write_text(log.read_text())  # a log from elsewhere: nothing beside it says where it started
    capsys.readouterr()
    assert _resume(copy) == 2
    err = capsys.readouterr().err
    assert "no record of where this session started" in err and "agent folders:" in err and "scenario:" in err
    assert _resume(copy, "--trust-log") == 0


def test_a_log_that_does_not_add_up_is_reported_with_file_and_line(tmp_path, capsys):
    log = _waiting_session(tmp_path)
    lines = log.read_text().splitlines()
    started = lines[0]
    asked = next(i for i, line in enumerate(lines) if '"approval.requested"' in line)
    seq = json.loads(lines[-1])["seq"]
    answer = {"type": "approval.answered", "seq": seq + 1, "ts": 1.0, "id": 1, "decision": "approved", "by": "human"}
    stray = {"type": "approval.answered", "seq": seq + 2, "ts": 1.0, "id": 99, "decision": "approved", "by": "human"}
    lines += [
        json.dumps(answer),
        json.dumps({**answer, "seq": seq + 3, "decision": "rejected"}),
        json.dumps(stray),
        json.dumps({**json.loads(started), "seq": seq + 4}),
        json.dumps({**answer, "seq": 2}),
    ]
    log.write_text("\n".join(lines) + "\n")
    n = len(lines)
    capsys.readouterr()
    assert main(["summary", str(log)]) == 0  # still read (the first answer stands), but not in silence
    err = capsys.readouterr().err
    assert f"{log}:{n - 3}: request #1 answered twice (first on line {n - 4}, which stands)" in err
    assert f"{log}:{n - 2}: an answer to request #99, which was never asked" in err
    assert f"{log}:{n - 1}: a second session start (the session started on line 1)" in err
    assert f"{log}:{n}: sequence number 2 after {seq + 4}" in err
    assert asked  # the request itself is fine
    assert _resume(log) == 2 and "does not add up" in capsys.readouterr().err


def test_inconsistencies_names_each_kind():
    events = [
        ev.SessionStarted(seq=1, session_id="s"),
        ev.ApprovalAnswered(seq=2, id=1, decision="approved"),
        ev.ApprovalRequested(seq=3, agent="a", request=ev.ApprovalRequest(id=1, kind="design", agent="a")),
        ev.ToolResult(seq=5, agent="a", tool_use_id="t9", tool="Bash"),
    ]
    found = inconsistencies(events, [1, 2, 3, 4], "x.jsonl")
    assert found == [
        "x.jsonl:2: an answer to request #1 before it was asked (line 3)",
        "x.jsonl:4: sequence number 5 after 3: 1 missing",
        "x.jsonl:4: a result for tool call 't9' of a, which was never made",
    ]
    assert inconsistencies(events[:1], [1], "x") == []


def test_in_the_tui_waiting_requests_wait_for_the_yes():
    from partytui.tui.app import make_app
    from partytui.tui.screens.approval import ApprovalModal
    from partytui.tui.screens.confirm import ConfirmScreen

    events = [
        ev.SessionStarted(seq=1, ts=1, session_id="s", agents=[ev.AgentInfo(name="a", model="m")]),
        ev.ApprovalRequested(seq=2, ts=2, agent="a", request=ev.ApprovalRequest(id=1, kind="design", agent="a")),
    ]

    async def resume(key: str) -> tuple[int | None, list[str]]:
        session = Session(state=fold(events), clock=lambda: 3.0)
        seen: list[str] = []

        async def runner() -> int:
            if not await app.confirm_first("Resume this session?", "workspace: /elsewhere"):
                app.exit(None, return_code=2)
                return 2
            return 0

        app = make_app(
            session, broker=ApprovalBroker(session, None), runner=runner, clock=lambda: 3.0, approval_delay=0
        )
        app.hold_requests = True
        async with app.run_test(size=(160, 48)) as pilot:
            await app.flush_view()
            await pilot.pause()
            seen.append(type(app.screen).__name__)
            await pilot.press(key)
            await wait_until(
                lambda: not app.is_running or isinstance(app.screen, ApprovalModal),
                "the run declined or the request asked",
                step=pilot.pause,
            )
            seen.append(type(app.screen).__name__ if app.is_running else "gone")
        return app.return_code, seen

    code, seen = asyncio.run(resume("n"))
    assert code == 2 and seen == [ConfirmScreen.__name__, "gone"]  # the request was never shown
    code, seen = asyncio.run(resume("y"))
    assert seen == [ConfirmScreen.__name__, ApprovalModal.__name__]
