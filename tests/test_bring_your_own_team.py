"""Claude Code agent files run unmodified: partytui's lead leads them, and each permission mode, plan mode
and a question asked in prose reach the person (here: a policy file) the way Claude Code users expect."""

from __future__ import annotations

import shutil
from pathlib import Path

from partytui.cli import main
from partytui.commands.run import _default_agent_dirs
from partytui.core.truth.log import read_log
from partytui.core.truth.state import fold

FIXTURE = Path(__file__).parent / "fixtures" / "byo"


def _tools(state, agent):
    return [(e.tool, e.ok, e.output) for e in state.agents[agent].transcript if e.kind == "tool"]


def test_a_team_of_claude_code_agents_runs_unmodified(tmp_path, capsys):
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    code = main(
        [
            "run",
            "--headless",
            "--scenario",
            str(project / "scenario.yaml"),
            "--approve",
            str(project / "policy.yaml"),
            "--speed",
            "0",
            "--workspace",
            str(project / "ws"),
            "--session-dir",
            str(tmp_path / "s"),
        ]
    )
    out = capsys.readouterr()
    assert code == 0, out.out[-3000:] + out.err[-2000:]
    (log,) = (tmp_path / "s").glob("*.jsonl")
    events = read_log(log).events
    state = fold(events)

    started = events[0]
    assert [a.name for a in started.agents] == ["lead", "api-designer", "implementer", "reviewer"]
    assert started.agents[0].lead and not any(a.lead for a in started.agents[1:])
    models = {a.name: a.model for a in started.agents}
    assert models["api-designer"] == "claude-haiku-4-5" and models["reviewer"] == "claude-sonnet-5"
    assert models["implementer"] == "claude-sonnet-5-5"  # inherit: the configured default
    assert "Bash" in started.agents[2].tools  # no tools field: every tool

    kinds = [(a.request.agent, a.request.kind, a.decision) for a in state.approvals.values()]

    # plan mode: reads only, until the plan is approved; then edits without asking
    designer = _tools(state, "api-designer")
    assert designer[0][0] == "Write" and not designer[0][1] and "plan mode" in designer[0][2]
    assert ("api-designer", "plan", "approved") in kinds
    assert designer[2][0] == "Write" and designer[2][1]
    assert not any(a == "api-designer" and k == "permission" for a, k, _ in kinds)

    # default mode: Write and Bash each ask; the policy's tool patterns answer
    assert [(k, d) for a, k, d in kinds if a == "implementer"] == [("permission", "approved")] * 2
    assert (project / "ws" / "src" / "health.py").exists()
    assert "ok" in _tools(state, "implementer")[1][2]

    # acceptEdits: the edit runs, Bash asks and is rejected with the note reaching the agent
    reviewer = _tools(state, "reviewer")
    assert reviewer[0][1] and (project / "ws" / "REVIEW.md").exists()
    assert not reviewer[1][1] and "never delete files" in reviewer[1][2]
    assert (project / "ws" / "src" / "health.py").exists()

    # a question in prose waits for a reply, which reaches the agent's next turn
    assert ("reviewer", "reply", "answered") in kinds
    inputs = [i for e in events if e.type == "turn.started" and e.agent == "reviewer" for i in e.inputs]
    assert any("Yes, approve it as it is." in i for i in inputs)
    assert state.status == "done"


def test_without_a_policy_a_prose_question_stops_a_headless_run(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    policy = project / "policy.yaml"
    policy.write_text(
        policy.read_text().replace('  - {kind: reply, decision: answer, answer: "Yes, approve it as it is."}\n', "")
    )
    code = main(
        [
            "run",
            "--headless",
            "--scenario",
            str(project / "scenario.yaml"),
            "--approve",
            str(policy),
            "--speed",
            "0",
            "--workspace",
            str(project / "ws"),
            "--session-dir",
            str(tmp_path / "s"),
        ]
    )
    assert code == 3
    (log,) = (tmp_path / "s").glob("*.jsonl")
    state = fold(read_log(log).events)
    assert [(a.request.kind, a.request.agent) for a in state.pending_approvals] == [("reply", "reviewer")]
    assert state.agents["reviewer"].reason == "reply from you"


def test_dot_claude_agents_is_picked_up_by_default(tmp_path, monkeypatch):
    shutil.copytree(FIXTURE / ".claude", tmp_path / ".claude")
    monkeypatch.chdir(tmp_path)
    assert _default_agent_dirs(None, None) == [(tmp_path / ".claude" / "agents").resolve()]
