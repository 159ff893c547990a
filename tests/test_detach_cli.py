"""``--detach``, ``stop`` and a killed team process, through the real command in real processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from partytui.core.attach.running import running_team, running_teams
from partytui.core.truth.log import read_log
from partytui.core.truth.state import fold


@pytest.fixture(autouse=True)
def no_team_left_behind():
    """A test that fails half-way must not leave a background team waiting for a person forever."""
    yield
    for team in running_teams(Path(os.environ["PARTYTUI_SESSION_DIR"])).values():
        if team.detached and team.pid > 0:
            os.kill(team.pid, signal.SIGTERM)


def _partytui(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "partytui", *args], capture_output=True, text=True, timeout=timeout)


def _wait(predicate, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout  # a bound on a hang, not a duration under test
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _detached_demo() -> Path:
    started = _partytui("demo", "--detach", "--speed", "0")
    assert started.returncode == 0, started.stderr
    sid = started.stdout.split()[1]
    assert f"partytui attach {sid}" in started.stdout
    log = Path(os.environ["PARTYTUI_SESSION_DIR"]) / f"{sid}.jsonl"
    _wait(lambda: running_team(log) is not None, "the team process")
    _wait(lambda: fold(read_log(log).events).pending_approvals, "the first request")
    return log


def _answers(log: Path) -> list[int]:
    return [e.id for e in read_log(log).events if e.type == "approval.answered"]


def test_a_killed_team_process_is_a_killed_run_resume_asks_again():
    log = _detached_demo()
    team = running_team(log)
    assert team is not None and team.detached
    os.kill(team.pid, signal.SIGKILL)
    _wait(lambda: running_team(log) is None, "the lock to go with the process")
    assert fold(read_log(log).events).pending_approvals  # nothing answered it, nothing ended the log
    resumed = _partytui("resume", log.stem, "--headless", "--approve", "all", "--speed", "0")
    assert resumed.returncode == 0, resumed.stderr
    events = read_log(log).events
    assert any(e.type == "session.resumed" for e in events)
    answers = _answers(log)
    assert 1 in answers and len(answers) == len(set(answers))
    assert fold(events).status == "done"


def test_stop_ends_a_detached_run_cleanly_and_resume_goes_on():
    log = _detached_demo()
    listed = _partytui("sessions", "--json")
    entry = next(e for e in json.loads(listed.stdout) if e["id"] == log.stem)
    assert (entry["running"], entry["pending"], entry["resumable"]) == ("detached", 1, False)
    assert f"partytui attach {log.stem}" in _partytui("sessions").stdout
    refused = _partytui("stop")
    assert refused.returncode == 2 and "name the session" in refused.stderr
    stopped = _partytui("stop", log.stem)
    assert stopped.returncode == 0, stopped.stderr
    assert f"partytui resume {log.stem}" in stopped.stdout
    _wait(lambda: running_team(log) is None, "the team process to end")
    ended = read_log(log).events[-1]
    assert ended.type == "session.ended" and ended.status == "cancelled" and "stopped" in ended.reason
    assert not log.with_suffix(".sock").exists()
    # a second team on the same log is refused while one runs; after the stop, resume carries on
    resumed = _partytui("resume", log.stem, "--headless", "--approve", "all", "--speed", "0")
    assert resumed.returncode == 0, resumed.stderr
    assert fold(read_log(log).events).status == "done"
    entry = next(e for e in json.loads(_partytui("sessions", "--json").stdout) if e["id"] == log.stem)
    assert entry["running"] is None and entry["status"] == "done"


def test_a_running_session_is_not_resumed_twice_and_attach_explains_what_is_not_running():
    log = _detached_demo()
    twice = _partytui("resume", log.stem, "--headless", "--approve", "all")
    assert twice.returncode == 2 and "is running in process" in twice.stderr and "partytui attach" in twice.stderr
    both = _partytui("attach", "--pick", log.stem)
    assert both.returncode == 2 and "not both" in both.stderr
    assert _partytui("stop", log.stem).returncode == 0
    gone = _partytui("attach", log.stem)
    assert gone.returncode == 2 and "is not running" in gone.stderr and "--detach" in gone.stderr


def _drain(fd: int, into: bytearray) -> None:
    """Read what a terminal app draws until its pty closes (an app whose output is not read stalls)."""
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:
            return
        if not data:
            return
        into.extend(data)


def test_killing_an_attached_tui_changes_nothing_for_the_team():
    import asyncio
    import pty
    import threading

    from partytui.core.attach.attached import RemoteBroker, TeamLink
    from partytui.core.team.policy import Policy

    log = _detached_demo()
    team = running_team(log)
    master, slave = pty.openpty()
    screen = bytearray()
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="120", LINES="40")
    viewer = subprocess.Popen(
        [sys.executable, "-m", "partytui", "attach", log.stem],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    threading.Thread(target=_drain, args=(master, screen), daemon=True).start()
    try:
        _wait(lambda: b"Decline" in screen, "the attached TUI to show the request")  # it reached the team
        os.kill(viewer.pid, signal.SIGKILL)  # mid-request: no detach, no goodbye on the socket
        viewer.wait(30)
    finally:
        if viewer.poll() is None:
            viewer.kill()
        os.close(master)
    # the team goes on unchanged: same process, the request still waits, nobody answered it
    assert running_team(log) == team
    assert [v.request.id for v in fold(read_log(log).events).pending_approvals] == [1]
    assert _answers(log) == []

    async def answer_everything() -> dict:
        """Another view attaches and answers each request once, as the headless policy would, until the end."""
        link = TeamLink(log)
        follower = asyncio.create_task(link.run(await link.connect()))
        sent: set[int] = set()
        while not follower.done():
            for view in link.session.state.pending_approvals:
                if view.request.id not in sent:
                    answer = Policy.approve_all().decide(view.request)
                    assert RemoteBroker(link).answer(view.request.id, answer.decision, answer.note, answer.answers)
                    sent.add(view.request.id)
            await asyncio.sleep(0.05)
        await follower
        return link.ended or {}

    ended = asyncio.run(asyncio.wait_for(answer_everything(), 300))
    assert ended.get("status") == "done"
    _wait(lambda: running_team(log) is None, "the team process to end")
    events = read_log(log).events
    assert fold(events).status == "done"
    answers = _answers(log)
    assert answers[0] == 1 and len(answers) == len(set(answers))
