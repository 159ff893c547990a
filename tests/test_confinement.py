"""Bash without a sandbox says so on screen and in the log, and asks the person first unless they chose not to."""

from __future__ import annotations

import argparse
import asyncio

import pytest

from engine_fakes import call, make_team, member, results
from partytui.cli import CliError
from partytui.commands.run import _limits
from partytui.core.config import Config
from partytui.core.team.policy import Policy, PolicyFile, Rule
from partytui.core.tools.shell import bwrap_available


async def _run(team):
    team.start_session("t1", mode="scripted", scenario=None)
    return await asyncio.wait_for(team.run(), 30)


def _notices(team) -> list[str]:
    return [e for e in team.session.state.errors if "NOT sandboxed" in e]


SCRIPT = [
    [call("Bash", command="echo hi > made.txt")],
    [call("Bash", command="echo again > again.txt")],
    [call("EndRun", status="failed", summary="stop")],
]


async def test_unsandboxed_bash_is_announced_and_asks_even_in_bypass_mode(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PARTYTUI_BASH_SANDBOX", "off")
    monkeypatch.setenv("PARTYTUI_UNSANDBOXED_BASH", "ask")
    policy = Policy(PolicyFile(rules=[Rule(kind="permission", decision="reject", note="not without a sandbox")]))
    team, _ = make_team(tmp_path, {"lead": SCRIPT}, [member("lead", lead=True)], policy=policy)  # bypassPermissions
    await _run(team)
    out = results(team, "lead")
    assert not out[0][1] and "did not allow Bash: not without a sandbox" in out[0][2]
    assert not (team.workspace / "made.txt").exists() and not (team.workspace / "again.txt").exists()
    asked = [a.request for a in team.session.state.approvals.values()]
    assert [r.kind for r in asked] == ["permission", "permission"]
    assert asked[0].title == "Bash (not sandboxed): echo hi > made.txt" and "WITHOUT a sandbox" in asked[0].body
    # said once per agent, in the log (an error event the pane and the headless lines show), with the reason
    (notice,) = _notices(team)
    assert "PARTYTUI_BASH_SANDBOX=off" in notice and "asks you first" in notice


async def test_the_person_may_let_unsandboxed_bash_run_without_asking(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PARTYTUI_BASH_SANDBOX", "off")
    monkeypatch.setenv("PARTYTUI_UNSANDBOXED_BASH", "allow")
    team, _ = make_team(tmp_path, {"lead": SCRIPT}, [member("lead", lead=True)])
    await _run(team)
    assert [ok for _, ok, _ in results(team, "lead")][:2] == [True, True]
    assert not team.session.state.approvals
    (notice,) = _notices(team)
    assert "you chose to let Bash run without asking" in notice


async def test_an_always_for_bash_is_not_asked_again(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PARTYTUI_BASH_SANDBOX", "off")
    monkeypatch.setenv("PARTYTUI_UNSANDBOXED_BASH", "ask")
    policy = Policy(PolicyFile(rules=[Rule(kind="permission", decision="approve", note="always")]))
    team, _ = make_team(tmp_path, {"lead": SCRIPT}, [member("lead", lead=True)], policy=policy)
    await _run(team)
    assert [ok for _, ok, _ in results(team, "lead")][:2] == [True, True]
    assert len(team.session.state.approvals) == 1


async def test_sandboxed_bash_neither_asks_nor_warns(tmp_path, monkeypatch) -> None:
    ok, why = await bwrap_available(tmp_path)
    if not ok:
        pytest.skip(f"bubblewrap does not work here: {why}")
    monkeypatch.setenv("PARTYTUI_BASH_SANDBOX", "auto")
    monkeypatch.setenv("PARTYTUI_UNSANDBOXED_BASH", "ask")
    team, _ = make_team(tmp_path, {"lead": SCRIPT}, [member("lead", lead=True)])
    await _run(team)
    assert [ok for _, ok, _ in results(team, "lead")][:2] == [True, True]
    assert not team.session.state.approvals and not _notices(team)


def test_the_choice_flag_beats_env_beats_config(monkeypatch) -> None:
    args = argparse.Namespace(allow_unsandboxed_bash=False)
    monkeypatch.delenv("PARTYTUI_UNSANDBOXED_BASH")
    assert _limits(args, Config()).unsandboxed_bash == "ask"
    assert _limits(args, Config(unsandboxed_bash="allow")).unsandboxed_bash == "allow"
    monkeypatch.setenv("PARTYTUI_UNSANDBOXED_BASH", "ask")
    assert _limits(args, Config(unsandboxed_bash="allow")).unsandboxed_bash == "ask"
    assert _limits(argparse.Namespace(allow_unsandboxed_bash=True), Config()).unsandboxed_bash == "allow"
    monkeypatch.setenv("PARTYTUI_UNSANDBOXED_BASH", "sometimes")
    with pytest.raises(CliError, match="PARTYTUI_UNSANDBOXED_BASH='sometimes' is not one of ask, allow"):
        _limits(args, Config())
