"""Provider faults as a team meets them: retried and visible on that agent, or a clear error on that agent
alone while the rest of the team goes on. Everything goes through the real SDK on the scripted transport."""

from __future__ import annotations

from pathlib import Path

import pytest

from demo_args import headless_run
from partytui.cli import main
from partytui.core.truth.log import read_log
from partytui.core.truth.state import fold

TEAM = """---
name: {name}
description: {name} of a small test team
tools: Read, Write, Bash, SendMessage, TaskList, TaskUpdate{extra}
model: sonnet
permissionMode: bypassPermissions
{lead}---
You are {name}.
"""

SCENARIO = """
name: faults
goal: survive the network
agents_dir: agents
agents:
  lead:
    - text: Asking dev to write a file.
      tools: [{{name: SendMessage, input: {{recipient: dev, content: "write ok.txt"}}}}]
    - text: Waiting.
    - when: {{messages: 1}}
      faults: {lead_faults}
      text: Dev replied, ending.
      tools: [{{name: EndRun, input: {{status: failed, summary: "fault test over"}}}}]
  dev:
    - faults: {dev_faults}
      text: Writing it.
      tools: [{{name: Write, input: {{file_path: ok.txt, content: "ok"}}}}]
    - text: Telling the lead.
      tools: [{{name: SendMessage, input: {{recipient: lead, content: "done"}}}}]
    - text: Done.
"""


def _setup(tmp_path: Path, dev_faults: str, lead_faults: str = "[]") -> Path:
    agents = tmp_path / "agents"
    agents.mkdir()
    (agents / "lead.md").write_text(TEAM.format(name="lead", extra=", AdvancePhase, EndRun", lead="lead: true\n"))
    (agents / "dev.md").write_text(TEAM.format(name="dev", extra="", lead=""))
    scenario = tmp_path / "faults.yaml"
    scenario.write_text(SCENARIO.format(dev_faults=dev_faults, lead_faults=lead_faults))
    return scenario


def _run(tmp_path: Path, scenario: Path) -> tuple[int, object, list]:
    code = main(headless_run(scenario, tmp_path / "ws", tmp_path / "s"))
    (log,) = (tmp_path / "s").glob("*.jsonl")
    events = read_log(log).events
    return code, fold(events), events


@pytest.mark.parametrize(
    "fault, reason",
    [
        ("{status: 529}", "overloaded"),
        ("{status: 429, retry_after_ms: 1}", "rate limited"),
        ("{status: 500}", "server error"),
        ("{midstream: overloaded_error}", "overloaded"),
        ("{reset: true}", "connection"),
        ("{timeout: true}", "timeout"),
        ("{malformed: true}", "malformed"),
    ],
)
def test_retryable_faults_are_retried_visibly_and_the_run_goes_on(tmp_path, capsys, fault, reason):
    code, state, events = _run(tmp_path, _setup(tmp_path, f"[{fault}, {fault}]"))
    assert code == 1 and state.reason == "fault test over"  # the lead ended it as scripted
    retries = [e for e in events if e.type == "turn.retry" and e.agent == "dev"]
    assert [r.attempt for r in retries] == [2, 3]
    assert all(reason in r.reason for r in retries), [r.reason for r in retries]
    entries = [e.text for e in state.agents["dev"].transcript if e.kind == "retry"]
    assert entries and entries[0].startswith("retrying in") and "attempt 2/5" in entries[0]
    assert (tmp_path / "ws" / "ok.txt").read_text() == "ok"
    assert "dev: retrying in" in capsys.readouterr().out


def test_a_fatal_fault_stops_that_agent_only(tmp_path):
    _code, state, events = _run(tmp_path, _setup(tmp_path, "[{status: 401}]"))
    dev = state.agents["dev"]
    assert dev.state == "error" and "401" in dev.reason
    assert not any(e.type == "turn.retry" for e in events)
    # the lead heard about it (and, in this script, could not go on without dev's reply)
    lead_inputs = [i for e in events if e.type == "turn.started" and e.agent == "lead" for i in e.inputs]
    assert any("dev stopped with an error" in i for i in lead_inputs)
    assert state.agents["lead"].state != "error"


def test_attempts_exhausted_is_an_error_on_that_agent(tmp_path):
    _code, state, events = _run(tmp_path, _setup(tmp_path, "[" + ", ".join(["{status: 529}"] * 6) + "]"))
    assert state.agents["dev"].state == "error"
    assert "gave up after 5 attempts" in state.agents["dev"].reason
    assert len([e for e in events if e.type == "turn.retry"]) == 4


def test_a_tool_input_that_is_not_valid_json_is_an_error_result(tmp_path):
    scenario = _setup(tmp_path, "[]")
    text = scenario.read_text().replace(
        'tools: [{name: Write, input: {file_path: ok.txt, content: "ok"}}]',
        "tools: [{name: Write, input: {file_path: 7}}]",
    )
    scenario.write_text(text)
    _code, state, events = _run(tmp_path, scenario)
    result = next(e for e in events if e.type == "tool.result" and e.agent == "dev")
    assert not result.ok and "Write: invalid input" in result.output
    assert state.agents["dev"].state != "error"  # a bad tool call is the model's mistake, reported back to it
