"""A Party Mode agent file, restricted to Claude Code's tools, in a team: it still reports and claims.

Through the real SDK path: ``partytui run --scenario`` drives the Anthropic provider against the offline
scripted transport, with partytui's real tools, broker and log.
"""

from __future__ import annotations

from pathlib import Path

from partytui.cli import main
from partytui.core.team.definitions import load_agent_file
from partytui.core.tools import build_toolset
from partytui.core.tools.names import COORDINATION_TOOLS
from partytui.core.truth.log import read_log
from partytui.core.truth.state import fold

PARTY = Path(__file__).parent / "fixtures" / "party"
BACKEND = PARTY / "agents" / "party-backend.md"
PHASES = ("BRAINSTORM", "PLAN", "BUILD", "VALIDATE")


def run_party(tmp_path: Path, capsys, *extra: str, scenario: Path = PARTY / "scenario.yaml"):  # type: ignore[no-untyped-def]
    sessions = tmp_path / "sessions"
    code = main(
        [
            "run",
            "--headless",
            "--scenario",
            str(scenario),
            "--approve",
            "all",
            "--speed",
            "0",
            "--workspace",
            str(tmp_path / "ws"),
            "--session-dir",
            str(sessions),
            *extra,
        ]
    )
    out = capsys.readouterr()
    events = read_log(next(sessions.glob("*.jsonl"))).events
    return code, out, events


def test_a_restricted_party_mode_agent_reports_in_every_phase_and_claims_the_leads_task(tmp_path, capsys):
    code, out, events = run_party(tmp_path, capsys)
    assert code == 0, out.out[-3000:] + out.err[-3000:]
    state = fold(events)
    assert state.status == "done"

    # its file lists none of the team's tools; in the team it has them, and nothing it cannot use
    tools = state.agents["party-backend"].info.tools
    assert set(COORDINATION_TOOLS) <= set(tools)
    assert not {"Task", "TaskOutput", "WebFetch", "WebSearch", "Skill", "NotebookEdit"} & set(tools)
    assert not {"AdvancePhase", "EndRun"} & set(tools)

    # none of its calls was refused
    failed = [e for e in events if e.type == "tool.result" and e.agent == "party-backend" and not e.ok]
    assert failed == []

    # a structured report reached the lead in each of the four phases, while the team was in that phase
    phase = None
    reports = []
    for event in events:
        if event.type == "phase.changed":
            phase = event.phase
        elif event.type == "message.sent" and event.agent == "party-backend" and event.recipient == "party-lead":
            reports.append((phase, event.content.splitlines()[0]))
    assert reports == [(p, f"PHASE: {p}") for p in PHASES]
    # the lead's pane shows every one; the lead read the first three in its next turns (the last ends the run)
    heard = [
        x.text.splitlines()[0]
        for x in state.agents["party-lead"].transcript
        if x.kind == "message_in" and x.peer == "party-backend"
    ]
    assert heard == [f"PHASE: {p}" for p in PHASES]
    read = " ".join(" ".join(e.inputs) for e in events if e.type == "turn.started" and e.agent == "party-lead")
    assert all(f"Message from party-backend: PHASE: {p}" in read for p in PHASES[:3])

    # the lead's task: assigned by the lead, claimed and completed by the backend
    history = [(status, owner, by) for _, status, owner, by in state.tasks["1"].history]
    assert ("pending", "party-backend", "party-lead") in history
    assert history[-2:] == [
        ("in_progress", "party-backend", "party-backend"),
        ("completed", "party-backend", "party-backend"),
    ]

    # and it talked with its teammate, who heard it
    [to_frontend] = [e for e in events if e.type == "message.sent" and e.recipient == "party-frontend"]
    assert to_frontend.agent == "party-backend" and "GET /todos" in to_frontend.content
    assert any(
        e.type == "turn.started" and e.agent == "party-frontend" and "GET /todos" in " ".join(e.inputs) for e in events
    )


def test_alone_the_same_file_keeps_exactly_its_list(tmp_path, capsys):
    alone = tmp_path / "alone.yaml"
    alone.write_text("name: alone\nagents:\n  party-backend:\n    - text: Alone, I only read and write files.\n")
    code, out, events = run_party(
        tmp_path,
        capsys,
        "--agents",
        str(PARTY / "agents"),
        "--agent",
        "party-backend",
        "--prompt",
        "Report on the API.",
        scenario=alone,
    )
    assert code == 0, out.err[-2000:]
    started = next(e for e in events if e.type == "session.started")
    [agent] = started.agents
    assert agent.name == "party-backend"
    assert agent.tools == ["Bash", "Glob", "Grep", "Read", "Edit", "Write", "AskUserQuestion"]


def test_disallowed_tools_take_the_coordination_tools_away(tmp_path):
    path = tmp_path / "quiet.md"
    path.write_text(
        "---\nname: quiet\ndescription: d\ntools: Read\ndisallowedTools: SendMessage, TaskCreate\n---\nQuiet.\n"
    )
    quiet = load_agent_file(path)
    assert quiet.allowed_tools(team=True) == ["Read", "TaskList", "TaskGet", "TaskUpdate"]
    assert quiet.allowed_tools() == ["Read"]
    backend = load_agent_file(BACKEND)
    in_team = backend.agent_info(team=True).tools
    assert sorted(build_toolset(in_team, lead=False)) == sorted(in_team)  # every name is a tool it can call
    assert backend.agent_info().tools == ["Bash", "Glob", "Grep", "Read", "Edit", "Write", "AskUserQuestion"]
