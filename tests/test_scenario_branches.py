"""The demo listens: a scenario's turns branch on the person's answers (the option chosen, a rejection's reason),
and a policy answers a question with an option by number or label."""

from __future__ import annotations

from pathlib import Path

import pytest

from partytui.cli import main
from partytui.core.providers.scenario import ScenarioError, condition_holds, parse_scenario
from partytui.core.team.policy import Policy, PolicyFile, load_policy
from partytui.core.truth import events as ev
from partytui.core.truth.log import read_log
from partytui.core.truth.state import fold
from partytui.resources import demo_scenario

SCRIPT = """
name: branches
agents:
  dev:
    - text: the default
      tools: [{name: TaskList, input: {}}]
      variants:
        - if: {chosen: HTTP API}
          text: the API
        - if: {reason: index, rejected: migration}
          text: no index
          tools: []
"""

INTERFACE = ev.Question(
    question="Which interface?",
    options=[ev.QuestionOption(label="Command line (Recommended)"), ev.QuestionOption(label="HTTP API")],
)
TAGS = ev.Question(
    question="Tags?",
    options=[ev.QuestionOption(label="Yes, free-form tags"), ev.QuestionOption(label="No tags for now")],
)


def state_with(*events: ev.EventBase):
    start = ev.SessionStarted(seq=1, session_id="s", agents=[ev.AgentInfo(name="dev", model="m")])
    return fold([start, *events])


def asked(id: int, kind: str, **fields) -> ev.ApprovalRequested:  # type: ignore[no-untyped-def]
    return ev.ApprovalRequested(seq=id * 10, request=ev.ApprovalRequest(id=id, kind=kind, agent="dev", **fields))


def test_a_turn_takes_the_first_variant_whose_condition_holds() -> None:
    turn = parse_scenario(SCRIPT, "b.yaml").agents["dev"][0]
    assert turn.resolved(state_with(), "dev").text == "the default"
    chose_api = state_with(
        asked(1, "question", questions=[INTERFACE]),
        ev.ApprovalAnswered(seq=11, id=1, decision="answered", answers=["Which interface? → HTTP API"]),
    )
    api = turn.resolved(chose_api, "dev")
    assert api.text == "the API" and [t.name for t in api.tools] == ["TaskList"]  # what a variant leaves out stays
    rejected = state_with(
        asked(2, "migration"), ev.ApprovalAnswered(seq=21, id=2, decision="rejected", note="Drop the INDEX for now")
    )
    revised = turn.resolved(rejected, "dev")
    assert revised.text == "no index" and revised.tools == []


def test_chosen_and_reason_conditions() -> None:
    state = state_with(
        asked(1, "question", questions=[INTERFACE, TAGS]),
        ev.ApprovalAnswered(
            seq=11,
            id=1,
            decision="answered",
            answers=["Which interface? → Command line (Recommended)", "Tags? → No tags for now"],
        ),
    )
    assert condition_holds({"chosen": "No tags"}, state, "dev")
    assert condition_holds({"chosen": ["no tags", "command line"]}, state, "dev")
    assert not condition_holds({"chosen": "HTTP API"}, state, "dev")
    assert not condition_holds({"reason": "index"}, state, "dev")  # nothing was rejected
    assert condition_holds({"rejections": 0}, state, "dev") and not condition_holds({"rejections": 1}, state, "dev")
    state = state.apply(asked(2, "migration"))
    state = state.apply(ev.ApprovalAnswered(seq=21, id=2, decision="rejected", note="no"))
    assert condition_holds({"rejections": 1, "rejected": "migration"}, state, "dev")
    assert not condition_holds({"rejections": 1, "rejected": "design"}, state, "dev")
    assert not condition_holds({"rejections": 2}, state, "dev")
    with pytest.raises(ScenarioError, match=r"b\.yaml:6"):
        parse_scenario("name: b\nagents:\n  dev:\n    - text: x\n      variants:\n        - if: {chosn: x}\n", "b.yaml")


def test_a_policy_answers_with_an_option_by_number_or_label(tmp_path: Path) -> None:
    request = ev.ApprovalRequest(id=1, kind="question", agent="lead", questions=[INTERFACE, TAGS])

    def answers(answer):  # type: ignore[no-untyped-def]
        spec = PolicyFile.model_validate({"rules": [{"kind": "question", "decision": "answer", "answer": answer}]})
        return Policy(spec).decide(request).answers  # type: ignore[union-attr]

    assert answers("first") == ["Which interface? → Command line (Recommended)", "Tags? → Yes, free-form tags"]
    assert answers(2) == ["Which interface? → HTTP API", "Tags? → No tags for now"]
    assert answers(["http api", "No tags"]) == ["Which interface? → HTTP API", "Tags? → No tags for now"]
    assert answers([2]) == ["Which interface? → HTTP API", "Tags? → Yes, free-form tags"]  # the rest: first
    assert answers("a web page") == ["Which interface? → a web page", "Tags? → a web page"]  # free text stays
    file = tmp_path / "p.yaml"
    file.write_text("rules:\n  - {kind: question, decision: answer, answer: [2, 'No tags']}\n")
    assert load_policy(str(file)).decide(request).answers == ["Which interface? → HTTP API", "Tags? → No tags for now"]


# ── the demo reacts ──────────────────────────────────────────────────────────


def run_demo(tmp_path: Path, policy: str, clean: bool = True) -> tuple[Path, object]:
    file = tmp_path / "policy.yaml"
    file.write_text(policy)
    ws = tmp_path / "ws"
    code = main(
        [
            "run",
            "--headless",
            "--scenario",
            str(demo_scenario()),
            "--approve",
            str(file),
            "--speed",
            "0",
            "--workspace",
            str(ws),
            "--session-dir",
            str(tmp_path / "s"),
        ]
    )
    (log,) = (tmp_path / "s").glob("*.jsonl")
    state = fold(read_log(log).events)
    failed = [e.output for v in state.agents.values() for e in v.transcript if e.kind == "tool" and e.ok is False]
    assert not (clean and failed), failed
    return ws, (code, state)


def test_choosing_http_api_and_no_tags_changes_the_design_and_the_code(tmp_path: Path) -> None:
    ws, (code, state) = run_demo(
        tmp_path, "default: approve\nrules:\n  - {kind: question, decision: answer, answer: [HTTP API, No tags]}\n"
    )
    assert code == 0 and state.status == "done"  # type: ignore[attr-defined]
    design = (ws / "docs" / "design.md").read_text()
    assert "notes/api.py" in design and "notes/cli.py" not in design and "No tags" in design
    assert (ws / "notes" / "api.py").is_file() and not (ws / "notes" / "cli.py").exists()
    assert (ws / "tests" / "test_api.py").is_file() and not (ws / "tests" / "test_cli.py").exists()
    assert "tags" not in (ws / "migrations" / "001_create_notes.sql").read_text().split("(plain notes, no tags)")[1]
    assert "NO_TAGS" in (ws / "notes" / "store.py").read_text()
    migration = next(a for a in state.approvals.values() if a.request.kind == "migration")  # type: ignore[attr-defined]
    assert "tags" not in migration.request.summary.replace("no tags", "")  # it asks for what the file holds
    subjects = [t.task.subject for t in state.tasks.values()]  # type: ignore[attr-defined]
    assert "Build the notes HTTP API" in subjects


def test_rejecting_the_migration_makes_the_revision_answer_the_reason(tmp_path: Path) -> None:
    ws, (_code, state) = run_demo(
        tmp_path,
        "default: approve\nrules:\n  - {kind: migration, decision: reject, note: Drop the index for now.}\n",
    )  # it says no every time: the later asks change nothing, and no edit fails
    migrations = [a for a in state.approvals.values() if a.request.kind == "migration"]  # type: ignore[attr-defined]
    assert migrations[1].request.title == "Migration 001 (revised): the notes table, no index"
    # a second "no" gets no pretended revision: the backend says the script has none, and asks again as it stands
    assert [a.request.title for a in migrations[2:]] == ["Migration 001 (unchanged since the revision)"] * 2
    backend = state.agents["backend"].transcript  # type: ignore[attr-defined]
    assert any("You rejected the migration again" in e.text for e in backend if e.kind == "text")
    assert all(a.note == "Drop the index for now." for a in migrations)
    sql = (ws / "migrations" / "001_create_notes.sql").read_text()
    assert "CREATE TABLE notes" in sql and "INDEX" not in sql
    assert "INDEX" not in (ws / "migrations" / "001_create_notes.rollback.sql").read_text()


def test_the_header_says_a_scripted_run_is_scripted_and_where_the_team_works() -> None:
    from partytui.tui.widgets.timeline import render_header

    start = ev.SessionStarted(
        seq=1,
        ts=0,
        session_id="s",
        mode="scripted",
        workspace="/work/ws-of-the-team",
        scenario="/somewhere/scenarios/party-demo.yaml",
    )
    for width in (78, 198):
        line = render_header(fold([start]), 10, width).plain
        assert line.rstrip().endswith("scripted demo") and len(line) <= width
        assert ("/work/ws-of-the-team" in line) is (width > 100) and "ws-of-the-team" in line
    live = ev.SessionStarted(seq=1, ts=0, session_id="s", mode="live", workspace="/w")
    assert "scripted" not in render_header(fold([live]), 10, 198).plain
