"""A rejected request sends a scripted agent through its revision turns, then back to its script."""

from __future__ import annotations

from demo_args import headless_run
from partytui.cli import main
from partytui.core.providers.scenario import MAX_REVISIONS, parse_scenario
from partytui.core.truth.log import read_log
from partytui.core.truth.state import fold
from partytui.resources import demo_scenario

SCRIPT = """
name: revisions
agents:
  dev:
    - text: asking
      tools: [{name: RequestApproval, input: {kind: design, title: D}}]
      on_rejected:
        - text: revising
        - text: asking again
          tools: [{name: RequestApproval, input: {kind: design, title: D2}}]
    - text: building
"""


def _conversation(*outcomes: str) -> list[dict]:
    """user, assistant, user(tool result), assistant, ... with the given tool results."""
    messages = [{"role": "user", "content": "go"}]
    for outcome in outcomes:
        messages.append({"role": "assistant", "content": [{"type": "text", "text": "."}]})
        content = (
            [{"type": "tool_result", "tool_use_id": "t", "content": outcome}]
            if outcome
            else [{"type": "text", "text": "next"}]
        )
        messages.append({"role": "user", "content": content})
    return messages


def _texts(scenario, *outcomes):
    turn = scenario.select("dev", _conversation(*outcomes))
    return None if turn is None else turn.text


def test_select_follows_rejections_and_returns_to_the_script():
    s = parse_scenario(SCRIPT, "revisions.yaml")
    assert _texts(s) == "asking"
    assert _texts(s, "APPROVED.") == "building"
    assert _texts(s, "REJECTED. Note from the person: no") == "revising"
    assert _texts(s, "REJECTED. x", "") == "asking again"
    assert _texts(s, "REJECTED. x", "", "APPROVED.") == "building"
    assert _texts(s, "REJECTED. x", "", "REJECTED. y") == "revising"
    # a person who keeps saying no ends the script rather than looping forever
    outcomes = []
    for _ in range(MAX_REVISIONS + 1):
        outcomes += ["REJECTED.", ""]
    assert _texts(s, *outcomes[:-1]) is None


def test_demo_lead_revises_a_rejected_design_and_the_team_never_builds(tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text("default: approve\nrules:\n  - {kind: design, decision: reject, note: add a search index}\n")
    code = main([*headless_run(demo_scenario(), tmp_path / "ws", tmp_path / "s"), "--approve", str(policy)])
    assert code == 1
    (log,) = (tmp_path / "s").glob("*.jsonl")
    state = fold(read_log(log).events)
    designs = [a for a in state.approvals.values() if a.request.kind == "design"]
    assert len(designs) == MAX_REVISIONS + 1 and all(a.decision == "rejected" for a in designs)
    assert all(a.note == "add a search index" for a in designs)
    assert "BUILD" not in [p.name for p in state.phases]
    assert "## Review" in (tmp_path / "ws" / "docs" / "design.md").read_text()
    assert state.status == "stalled"


def test_unquoted_text_cut_by_a_yaml_comment_is_refused_with_its_line():
    import pytest

    from partytui.core.providers.scenario import ScenarioError

    with pytest.raises(ScenarioError, match=r"x\.yaml:4: ' #' in unquoted text"):
        parse_scenario("name: x\nagents:\n  a:\n    - text: blocked by #2, waiting\n", "x.yaml")
    ok = parse_scenario('name: x\nagents:\n  a:\n    - text: "blocked by #2"  # a real comment\n', "x.yaml")
    assert ok.agents["a"][0].text == "blocked by #2"
