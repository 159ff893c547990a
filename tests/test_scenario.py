"""Scenario files: loading, errors that name the line, and the `when` conditions against a real TeamState."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partytui.core.providers.scenario import (
    Condition,
    Scenario,
    ScenarioError,
    condition_holds,
    load_scenario,
    parse_scenario,
)
from partytui.core.truth import events as ev
from partytui.core.truth.state import TeamState, fold

GOOD = """\
name: party-demo
title: A small team builds a todo API
goal: "Build a todo API"
agents_dir: ../agents
workspace_files:
  README.md: "# todo\\n"
agents:
  lead:
    - thinking: "Who does what?"
      text: "Let's plan."
      tools:
        - name: TaskCreate
          input: {subject: "Schema", description: "Tables"}
    - when: {phase: PLAN, idle: [backend]}
      pause: 1.5
      text: "Plan done."
      stop: end_turn
      usage: {input_tokens: 1200, output_tokens: 300}
  backend:
    - when: {messages: 1, from: lead}
      faults:
        - {status: 529, retry_after_ms: 5}
        - {midstream: overloaded_error}
        - {malformed: true}
        - {reset: true}
      text: "On it."
"""


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_full_scenario_loads(tmp_path: Path) -> None:
    (tmp_path / "scen").mkdir()
    scenario = load_scenario(write(tmp_path / "scen", GOOD))
    assert scenario.name == "party-demo" and scenario.goal == "Build a todo API"
    assert scenario.agents_path() == (tmp_path / "agents").resolve()
    assert scenario.workspace_files == {"README.md": "# todo\n"}
    first, second = scenario.agents["lead"]
    assert first.stop_reason == "tool_use" and first.tools[0].input == {"subject": "Schema", "description": "Tables"}
    assert second.stop_reason == "end_turn" and second.pause == 1.5 and second.usage.input_tokens == 1200
    assert second.when.phase == "PLAN" and second.when.idle == ["backend"]
    backend = scenario.turn("backend", 0)
    assert [f.kind for f in backend.faults] == ["status", "midstream", "malformed", "reset"]
    assert backend.when.from_ == "lead"
    assert scenario.turn("backend", 1) is None and scenario.turn("nobody", 0) is None


def test_json_scenarios_load_too(tmp_path: Path) -> None:
    data = {"name": "j", "agents": {"lead": [{"text": "hi", "when": {"completed": [1, "2"]}}]}}
    scenario = load_scenario(write(tmp_path, json.dumps(data, indent=2), "s.json"))
    assert scenario.turn("lead", 0).when.completed == ["1", "2"]
    assert scenario.agents_path() is None


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("name: x\nagents:\n  lead:\n    - text: hi\n      colour: red\n", 5, "unknown key 'colour'"),
        ("name: x\nagents:\n  lead:\n    - when:\n        phase: PLAN\n        sunny: 1\n", 6, "unknown key 'sunny'"),
        ("name: x\nagents:\n  lead:\n    - tools:\n        - name: Read\n        - name: 42\n", 6, "tools[1].name"),
        (
            "name: x\nagents:\n  lead:\n    - tools:\n        - name: Read\n          input: [1]\n",
            6,
            "valid dictionary",
        ),
        ("name: x\nagents:\n  lead:\n    - text: a\n    - pause: -2\n", 5, "greater than or equal to 0"),
        ("name: x\nagents:\n  lead:\n    - usage: {output_tokens: -1}\n", 4, "usage.output_tokens"),
        ("name: x\nagents:\n  lead:\n    - when: {phase: LAUNCH}\n", 4, "unknown phase 'LAUNCH'"),
        ("name: x\nagents:\n  lead:\n    - when: {approved: vibes}\n", 4, "unknown approval kind"),
        ("name: x\nagents:\n  lead:\n\n    - when: {idle: [qa]}\n", 5, "agent 'qa' has no script"),
        ("name: x\nagents:\n  lead:\n    - when: {messages: 1, from: ghost}\n", 4, "agent 'ghost'"),
        ("name: x\nagents:\n  lead:\n    - faults:\n        - {status: 529, reset: true}\n", 5, "exactly one of"),
        ("name: x\nagents:\n  lead:\n    - faults:\n        - {status: 200}\n", 5, "greater than or equal to 400"),
        ("name: x\nagents:\n  lead:\n    - stop: done\n", 4, "stop"),
        ("name: x\nagents:\n  Lead Agent: []\n", 3, "agent name 'Lead Agent'"),
        ("name: x\nworkspace_files:\n  ../escape.txt: hi\n", 3, "relative path inside the workspace"),
        ("name: x\nagents:\n  lead: [\n", 4, "invalid YAML"),
        ("title: no name\nagents: {}\n", 1, "name: Field required"),
        ("- just\n- a list\n", 1, "a scenario is a mapping"),
    ],
)
def test_errors_name_the_file_and_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert err.value.line == line, str(err.value)
    assert str(err.value).startswith(f"{path}:{line}: ")
    assert words in str(err.value)


def test_json_syntax_error_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(write(tmp_path, '{\n  "name": "x",\n  "agents": {,}\n}', "s.json"))
    assert err.value.line == 3 and "invalid JSON" in str(err.value)


def test_unreadable_files_are_scenario_errors(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(tmp_path / "missing.yaml")
    bad = tmp_path / "latin.yaml"
    bad.write_bytes(b"name: caf\xe9\n")
    with pytest.raises(ScenarioError, match="not UTF-8"):
        load_scenario(bad)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_loads_or_raises_scenario_error(text: str) -> None:
    try:
        parse_scenario(text, "fuzz.yaml")
    except ScenarioError as err:
        assert str(err).startswith("fuzz.yaml")


_yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from(["PLAN", "lead", "all", "x"]))
_yamlish = st.recursive(
    _yaml_scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "name",
                    "agents",
                    "lead",
                    "when",
                    "text",
                    "tools",
                    "input",
                    "faults",
                    "status",
                    "phase",
                    "completed",
                    "idle",
                    "usage",
                    "pause",
                    "from",
                    "messages",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(_yamlish)
def test_any_scenario_shaped_data_loads_or_raises_scenario_error(data: object) -> None:
    try:
        parse_scenario(json.dumps(data), "fuzz.yaml")
    except ScenarioError as err:
        assert err.path == "fuzz.yaml"


# ── conditions ───────────────────────────────────────────────────────────────


def team(*events: ev.EventBase) -> TeamState:
    start = ev.SessionStarted(
        session_id="s", agents=[ev.AgentInfo(name=n, model="m", lead=n == "lead") for n in ("lead", "backend", "qa")]
    )
    for seq, event in enumerate((start, *events), 1):
        event.seq, event.ts = seq, float(seq)
    return fold([start, *events])


def holds(cond: dict, state: TeamState, agent: str = "backend") -> bool:
    return condition_holds(Condition.model_validate(cond), state, agent)


def test_phase_means_reached_or_later() -> None:
    assert not holds({"phase": "PLAN"}, team())
    assert not holds({"phase": "PLAN"}, team(ev.PhaseChanged(phase="BRAINSTORM")))
    assert holds({"phase": "PLAN"}, team(ev.PhaseChanged(phase="PLAN")))
    assert holds({"phase": "PLAN"}, team(ev.PhaseChanged(phase="BUILD")))
    # sent back from VALIDATE to BUILD: VALIDATE was still reached
    assert holds({"phase": "VALIDATE"}, team(ev.PhaseChanged(phase="VALIDATE"), ev.PhaseChanged(phase="BUILD")))


def test_messages_counted_per_receiver_and_sender() -> None:
    state = team(
        ev.MessageSent(agent="lead", recipient="backend", content="schema first"),
        ev.MessageSent(agent="qa", recipient="backend", content="tests?"),
        ev.UserMessage(agent="backend", text="use sqlite"),
        ev.MessageSent(agent="lead", recipient="qa", content="wait"),
    )
    assert holds({"messages": 3}, state) and not holds({"messages": 4}, state)
    assert holds({"messages": 1, "from": "lead"}, state) and not holds({"messages": 2, "from": "lead"}, state)
    assert holds({"from": "you"}, state)  # `from` alone: at least one
    assert not holds({"from": "qa"}, state, agent="qa")
    assert holds({"messages": 1}, state, agent="qa") and not holds({"messages": 1}, state, agent="lead")


def test_messages_to_everyone_count_for_each_agent() -> None:
    state = team(ev.MessageSent(agent="lead", recipient="*", content="kickoff"))
    assert holds({"messages": 1, "from": "lead"}, state, "backend") and holds({"messages": 1}, state, "qa")
    assert not holds({"messages": 1}, state, "lead")


def test_tasks_completed_and_owned() -> None:
    def task(i: str, status: str = "pending", owner: str | None = None, source: str = "team") -> ev.Task:
        return ev.Task(id=i, subject=f"t{i}", status=status, owner=owner, source=source)

    state = team(
        ev.TaskCreated(task=task("1")),
        ev.TaskCreated(task=task("2", owner="backend")),
        ev.TaskCreated(task=task("9", source="todo:qa")),
    )
    assert holds({"tasks": 2}, state) and not holds({"tasks": 3}, state)
    assert holds({"owned": 1}, state) and not holds({"owned": 1}, state, agent="qa")
    assert not holds({"completed": "all"}, state) and not holds({"completed": ["1"]}, state)
    state = team(
        ev.TaskCreated(task=task("1")),
        ev.TaskCreated(task=task("2", owner="backend")),
        ev.TaskUpdated(task=task("1", "completed")),
        ev.TaskCreated(task=task("3")),
        ev.TaskUpdated(task=task("3", "deleted")),
    )
    assert holds({"completed": ["1"]}, state) and not holds({"completed": ["1", "2"]}, state)
    assert not holds({"completed": ["7"]}, state)
    assert not holds({"completed": "all"}, state)
    state = team(ev.TaskCreated(task=task("1", "completed")), ev.TaskCreated(task=task("3", "deleted")))
    assert holds({"completed": "all"}, state)
    assert not holds({"completed": "all"}, team())  # no tasks: nothing is "all done"


def test_approvals_answered_approved_rejected() -> None:
    def ask(i: int, kind: str) -> ev.ApprovalRequested:
        return ev.ApprovalRequested(request=ev.ApprovalRequest(id=i, kind=kind, agent="lead"))

    pending = team(ask(1, "design"))
    assert not holds({"answered": "design"}, pending)
    state = team(
        ask(1, "design"),
        ev.ApprovalAnswered(id=1, decision="approved"),
        ask(2, "migration"),
        ev.ApprovalAnswered(id=2, decision="rejected"),
        ask(3, "question"),
        ev.ApprovalAnswered(id=3, decision="answered", answers=["sqlite"]),
    )
    assert holds({"approved": "design"}, state) and not holds({"rejected": "design"}, state)
    assert holds({"rejected": "migration"}, state) and not holds({"approved": "migration"}, state)
    assert holds({"answered": "question"}, state) and holds({"answered": "migration"}, state)
    assert not holds({"approved": "plan"}, state)


def test_files_idle_and_all_keys_together() -> None:
    state = team(
        ev.FileChanged(agent="backend", path="api/app.py"),
        ev.AgentState(agent="qa", state="running"),
        ev.AgentState(agent="lead", state="done"),
        ev.PhaseChanged(phase="BUILD"),
    )
    assert holds({"files": ["api/app.py"]}, state) and not holds({"files": ["api/app.py", "x.py"]}, state)
    assert holds({"idle": ["backend", "lead"]}, state) and not holds({"idle": ["qa"]}, state)
    assert holds({"phase": "BUILD", "files": ["api/app.py"], "idle": ["lead"]}, state)
    assert not holds({"phase": "BUILD", "files": ["api/app.py"], "idle": ["qa"]}, state)
    assert condition_holds(None, state, "lead")
    assert Scenario.condition_holds({"phase": "PLAN"}, state, "lead")  # a plain mapping works too


def test_the_documented_example_loads() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "scenarios.md").read_text(encoding="utf-8")
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    scenario = parse_scenario(example, "docs/scenarios.md")
    assert scenario.turn("lead", 1).when.completed == "all"
    assert scenario.turn("backend", 0).faults[0].status == 529
