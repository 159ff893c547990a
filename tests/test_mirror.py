"""The workspace mirror on a real temporary workspace and a real Session: checklists, markers, documents."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import subprocess
from pathlib import Path

import pytest

from partytui.core.team.mirror import WorkspaceMirror, checklist_owner, matches, parse_checklist
from partytui.core.team.tasks import TaskBoard
from partytui.core.truth import events as ev
from partytui.core.truth.log import SessionLog, read_log
from partytui.core.truth.session import Session
from partytui.core.truth.state import fold

AGENTS = ["lead", "backend", "qa"]

CHECKLIST = """\
# Backend tasks

## In Progress
- [ ] Build the store

## To Do
- [ ] Write the CLI
* [X] Sketch the schema

## Completed
- [x] Read requirements.md
1. Set up the project

Notes:
- not an item, because it is not under a heading? it is: the heading above is Completed
"""


def make_session(tmp_path: Path, log: bool = False) -> Session:
    ticks = itertools.count(1)
    session = Session(log=SessionLog(tmp_path / "log.jsonl") if log else None, clock=lambda: 1000.0 + next(ticks))
    session.emit(
        ev.SessionStarted(
            session_id="s1",
            workspace=str(tmp_path / "ws"),
            agents=[ev.AgentInfo(name=n, model="m", lead=n == "lead") for n in AGENTS],
        )
    )
    return session


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    return root


def write(ws: Path, rel: str, text: str) -> None:
    path = ws / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def changed(session: Session, agent: str, rel: str, action: str = "write") -> None:
    session.emit(ev.FileChanged(agent=agent, path=rel, action=action))


def bash(session: Session, agent: str, ws: Path, command: str, n: int = 1) -> None:
    """Run a real shell command in the workspace and report it as the Bash tool would."""
    session.emit(ev.ToolCalled(agent=agent, tool_use_id=f"b{n}", tool="Bash", input={"command": command}))
    out = subprocess.run(command, shell=True, cwd=ws, capture_output=True, text=True, check=True)
    session.emit(ev.ToolResult(agent=agent, tool_use_id=f"b{n}", tool="Bash", output=out.stdout))


def of_type(session: Session, kind: str) -> list[ev.EventBase]:
    return [e for e in read_log(session.log.path).events if e.type == kind] if session.log else []


# ── parsing ──────────────────────────────────────────────────────────────────


def test_parse_checklist_is_lenient_about_boxes_numbers_and_sections():
    items, more = parse_checklist(CHECKLIST)
    assert not more
    got = [(i.text, i.done, i.section, i.status) for i in items]
    assert got[:5] == [
        ("Build the store", False, "In Progress", "in_progress"),
        ("Write the CLI", False, "To Do", "pending"),
        ("Sketch the schema", True, "To Do", "completed"),
        ("Read requirements.md", True, "Completed", "completed"),
        ("Set up the project", True, "Completed", "completed"),
    ]
    # a plain item under a heading counts, and takes its status from the heading
    assert got[5][0].startswith("not an item") and got[5][1] is True
    assert len(items) == 6


def test_parse_checklist_in_progress_marks_strikes_and_code_blocks():
    text = "- [~] half done\n- [ ] ~~dropped~~\n```\n- [ ] inside code\n```\n  - [x] nested box\nplain prose line\n"
    items, _ = parse_checklist(text)
    assert [(i.text, i.status) for i in items] == [
        ("half done", "in_progress"),
        ("dropped", "completed"),
        ("nested box", "completed"),
    ]
    # without a heading, plain list items are prose, not tasks
    assert parse_checklist("- just a bullet\n1. a numbered line\n")[0] == []


def test_parse_checklist_caps_the_number_of_items():
    items, more = parse_checklist("".join(f"- [ ] item {i}\n" for i in range(20)), max_items=5)
    assert len(items) == 5 and more


def test_patterns_match_part_by_part():
    assert matches("MULTI_AGENT_PLAN.md", "*PLAN*.md")
    assert not matches("docs/MY_PLAN.md", "*PLAN*.md")
    assert matches("docs/api.md", "docs/*.md") and not matches("docs/sub/api.md", "docs/*.md")
    assert checklist_owner(".claude/tasks/backend-tasks.md", AGENTS, "qa") == "backend"
    assert checklist_owner(".claude/tasks/api-work.md", AGENTS, "qa") == "qa"
    assert checklist_owner(".claude/tasks/api-work.md", AGENTS, None) is None
    assert checklist_owner(".claude/tasks/api-work.md", AGENTS, "stranger") is None


# ── checklists ───────────────────────────────────────────────────────────────


def test_checklist_written_then_edited_follows_the_file(tmp_path, ws):
    session = make_session(tmp_path)
    mirror = WorkspaceMirror(session, ws)
    mirror.attach()
    write(ws, ".claude/tasks/backend-tasks.md", "## To Do\n- [ ] store\n- [ ] cli\n")
    changed(session, "backend", ".claude/tasks/backend-tasks.md")
    mirror.sync()
    view = session.state.checklists[".claude/tasks/backend-tasks.md"]
    assert view.owner == "backend" and view.by == "backend"
    assert [(i.text, i.done) for i in view.items] == [("store", False), ("cli", False)]
    assert session.state.checklists_of("backend") == [view]

    write(ws, ".claude/tasks/backend-tasks.md", "## To Do\n- [ ] cli\n## Completed\n- [x] store\n")
    changed(session, "backend", ".claude/tasks/backend-tasks.md", "edit")
    mirror.sync()
    view = session.state.checklists[".claude/tasks/backend-tasks.md"]
    assert [(i.text, i.status) for i in view.items] == [("cli", "pending"), ("store", "completed")]

    # a write that changes nothing in the list is no new event
    before = session.state.last_seq
    changed(session, "backend", ".claude/tasks/backend-tasks.md", "edit")
    mirror.sync()
    assert session.state.last_seq == before + 1  # only the file.changed itself


def test_checklist_changed_by_a_shell_command_is_credited_to_that_agent(tmp_path, ws):
    session = make_session(tmp_path)
    mirror = WorkspaceMirror(session, ws)
    mirror.attach()
    command = "mkdir -p .claude/tasks && printf '## To Do\\n- [ ] run the tests\\n' > .claude/tasks/qa-tasks.md"
    bash(session, "qa", ws, command)
    mirror.sync()
    view = session.state.checklists[".claude/tasks/qa-tasks.md"]
    assert view.owner == "qa" and view.by == "qa" and view.items[0].text == "run the tests"

    bash(session, "qa", ws, "sed -i 's/- \\[ \\]/- [x]/' .claude/tasks/qa-tasks.md", n=2)
    mirror.sync()
    assert session.state.checklists[".claude/tasks/qa-tasks.md"].items[0].done

    bash(session, "qa", ws, "rm .claude/tasks/qa-tasks.md", n=3)
    mirror.sync()
    assert ".claude/tasks/qa-tasks.md" not in session.state.checklists


def test_a_checklist_another_agent_keeps_for_backend_is_backends(tmp_path, ws):
    session = make_session(tmp_path)
    mirror = WorkspaceMirror(session, ws)
    mirror.attach()
    write(ws, ".claude/tasks/backend-tasks.md", "- [ ] handed over\n")
    changed(session, "lead", ".claude/tasks/backend-tasks.md")
    mirror.sync()
    view = session.state.checklists[".claude/tasks/backend-tasks.md"]
    assert (view.owner, view.by) == ("backend", "lead")


# ── completion markers ───────────────────────────────────────────────────────


def test_a_marker_completes_its_task_exactly_once(tmp_path, ws):
    session = make_session(tmp_path, log=True)
    board = TaskBoard(session)
    board.create("lead", "[TASK-007] Build the store")
    other = board.create("lead", "Write the docs")
    board.update("lead", "1", owner="backend", status="in_progress")
    told: list[tuple[str, str, str | None]] = []
    mirror = WorkspaceMirror(session, ws, on_marker=lambda task, path, by: told.append((task.id, path, by)))
    mirror.attach()

    write(ws, ".orchestrator/complete/TASK-007.done", "store built, tests pass\n")
    changed(session, "backend", ".orchestrator/complete/TASK-007.done")
    mirror.sync()
    assert session.state.tasks["1"].task.status == "completed"
    assert session.state.tasks[other.id].task.status == "pending"
    marker = session.state.markers[".orchestrator/complete/TASK-007.done"]
    assert (marker.marker, marker.task_id, marker.by) == ("TASK-007", "1", "backend")
    assert marker.note == "store built, tests pass"
    assert told == [("1", ".orchestrator/complete/TASK-007.done", "backend")]
    assert session.state.tasks["1"].history[-1][1:] == ("completed", "backend", "backend")

    # reopened by someone, then the marker is touched and rescanned again: it does not complete it twice
    board.update("lead", "1", status="in_progress")
    write(ws, ".orchestrator/complete/TASK-007.done", "touched again\n")
    changed(session, "backend", ".orchestrator/complete/TASK-007.done")
    bash(session, "backend", ws, "touch .orchestrator/complete/TASK-007.done")
    mirror.sync()
    mirror.scan(None)
    assert session.state.tasks["1"].task.status == "in_progress"
    assert len(of_type(session, "marker.found")) == 1 and len(told) == 1
    completions = [e for e in of_type(session, "task.updated") if e.task.status == "completed"]
    assert len(completions) == 1


def test_a_marker_by_task_number_and_one_before_its_task_exists(tmp_path, ws):
    session = make_session(tmp_path)
    board = TaskBoard(session)
    board.create("lead", "Migrate the database")
    mirror = WorkspaceMirror(session, ws)
    mirror.attach()
    markers = ".orchestrator/complete"
    bash(session, "backend", ws, f"mkdir -p {markers} && touch {markers}/1.done {markers}/QA-2.done")
    mirror.sync()
    assert session.state.tasks["1"].task.status == "completed"
    early = session.state.markers[".orchestrator/complete/QA-2.done"]
    assert early.task_id is None and early.by == "backend"

    # the task it names is created later: the marker completes it then
    board.create("lead", "Check the migration [QA-2]")
    mirror.sync()
    assert session.state.tasks["2"].task.status == "completed"
    assert session.state.markers[".orchestrator/complete/QA-2.done"].task_id == "2"
    assert session.state.tasks["2"].history[-1][3] == "backend"


@pytest.mark.parametrize(
    "subject",
    [
        "[TASK-555] Build the store",
        "TASK-555: Build the store",
        "TASK-555 - Build the store",
        "TASK-555 — Build the store",
        "TASK-555",
        "task-555: build the store",
        "Build the store (TASK-555)",
    ],
)
def test_a_marker_completes_the_task_its_subject_names_never_a_longer_id(tmp_path, ws, subject):
    session = make_session(tmp_path)
    board = TaskBoard(session)
    board.create("lead", "TASK-5550: the longer id comes first")
    board.create("lead", "[TASK-5550] and again")
    board.create("lead", "SUBTASK-555: a longer name")
    board.create("lead", "Follow-up to TASK-555 mentioned in passing")
    target = board.create("lead", subject)
    mirror = WorkspaceMirror(session, ws)
    mirror.attach()
    bash(session, "qa", ws, "mkdir -p .orchestrator/complete && touch .orchestrator/complete/TASK-555.done")
    mirror.sync()
    done = {v.task.id for v in session.state.tasks.values() if v.task.status == "completed"}
    assert done == {target.id}
    assert session.state.markers[".orchestrator/complete/TASK-555.done"].task_id == target.id


def test_a_marker_with_a_longer_id_completes_nothing_of_a_shorter_one(tmp_path, ws):
    session = make_session(tmp_path)
    board = TaskBoard(session)
    board.create("lead", "[TASK-555] Build the store")
    board.create("lead", "TASK-55: the shorter id")
    mirror = WorkspaceMirror(session, ws)
    mirror.attach()
    bash(session, "qa", ws, "mkdir -p .orchestrator/complete && touch .orchestrator/complete/TASK-5550.done")
    mirror.sync()
    assert all(v.task.status == "pending" for v in session.state.tasks.values())
    assert session.state.markers[".orchestrator/complete/TASK-5550.done"].task_id is None


def test_a_task_handed_to_an_agent_that_works_by_ids_carries_its_id(tmp_path, ws):
    from partytui.core.team.tasks import asks_for_task_id, task_tag

    assert asks_for_task_id("When verified, write .orchestrator/complete/<TASK-ID>.done")
    assert asks_for_task_id("Your prompt names a {task_id}.")
    assert not asks_for_task_id("Claim a task with TaskUpdate (taskId, owner) and complete it.")

    session = make_session(tmp_path)
    board = TaskBoard(session, works_by_ids={"qa"})
    named = board.create("lead", "[TASK-002] Verify the round trip", "Run kv.py twice.")
    plain = board.create("lead", "Check the error messages")
    other = board.create("lead", "Write the docs")
    board.update("lead", named.id, owner="qa")
    board.update("lead", plain.id, owner="qa")
    board.update("lead", other.id, owner="backend")  # works by the board, not by ids: left as it was
    tasks = session.state.tasks
    assert tasks[named.id].task.description == "Task ID: TASK-002\n\nRun kv.py twice."
    assert tasks[plain.id].task.description == f"Task ID: TASK-{plain.id}"
    assert tasks[other.id].task.description == ""
    assert "its task id: TASK-002" in board.describe(tasks[named.id].task)
    # handed over again, the line is not repeated; and the id it gives is the one a marker completes
    board.update("lead", named.id, owner="qa", status="in_progress")
    tasks = session.state.tasks  # the state is a value: read it again after a change
    assert tasks[named.id].task.description.count("Task ID:") == 1
    assert task_tag(tasks[plain.id].task) == f"TASK-{plain.id}"
    mirror = WorkspaceMirror(session, ws, board=board)
    mirror.attach()
    bash(session, "qa", ws, f"mkdir -p .orchestrator/complete && touch .orchestrator/complete/TASK-{plain.id}.done")
    mirror.sync()
    tasks = session.state.tasks
    assert tasks[plain.id].task.status == "completed" and tasks[named.id].task.status == "in_progress"


def test_the_leads_briefing_says_how_to_hand_tasks_to_agents_that_work_by_ids():
    from partytui.core.team.orchestrator import Member, team_briefing

    lead = Member(name="lead", model="m", system_prompt="You lead.", tools=[], lead=True)
    qa = Member(name="qa", model="m", system_prompt="Write .orchestrator/complete/<TASK-ID>.done", tools=[])
    dev = Member(name="dev", model="m", system_prompt="Claim tasks with TaskUpdate.", tools=[])
    briefing = team_briefing(lead, [lead, qa, dev], "goal", solo=False)
    assert "qa work by task ids" in briefing and "[TASK-001]" in briefing and "dev work" not in briefing
    assert "work by task ids" not in team_briefing(qa, [lead, qa, dev], "goal", solo=False)
    assert "work by task ids" not in team_briefing(lead, [lead, dev], "goal", solo=False)


async def test_a_team_waiting_on_a_marker_sees_it(tmp_path, ws):
    session = make_session(tmp_path)
    board = TaskBoard(session)
    board.create("lead", "[T1] ship it")
    mirror = WorkspaceMirror(session, ws, interval=0.05)
    mirror.start()
    try:
        waiter = asyncio.create_task(session.wait_until(lambda s: s.tasks["1"].task.status == "completed"))
        await asyncio.sleep(0.1)
        assert not waiter.done()
        # written outside any tool: the timer finds it, and credits nobody
        write(ws, ".orchestrator/complete/T1.done", "")
        await asyncio.wait_for(waiter, 5)
        assert session.state.markers[".orchestrator/complete/T1.done"].by is None
    finally:
        await mirror.stop()


# ── documents ────────────────────────────────────────────────────────────────


def test_documents_are_listed_with_their_content_and_last_writer(tmp_path, ws):
    write(ws, "CLAUDE.md", "# Conventions\nUse pytest.\n")
    write(ws, "src/notes.md", "not a document: outside the watched paths\n")
    session = make_session(tmp_path)
    mirror = WorkspaceMirror(session, ws)
    mirror.attach()
    mirror.scan(None, initial=True)
    docs = session.state.documents
    assert list(docs) == ["CLAUDE.md"] and docs["CLAUDE.md"].changed_by is None

    write(ws, "MULTI_AGENT_PLAN.md", "# Plan\n- backend: store\n")
    changed(session, "lead", "MULTI_AGENT_PLAN.md")
    write(ws, "docs/api.md", "# API\n")
    changed(session, "backend", str(ws / "docs" / "api.md"))  # an absolute path names the same file
    write(ws, "notes/plan.txt", "ignored")
    changed(session, "backend", "notes/plan.txt")
    mirror.sync()
    docs = session.state.documents  # the state is a value: read it again after a change
    assert set(docs) == {"CLAUDE.md", "MULTI_AGENT_PLAN.md", "docs/api.md"}
    assert docs["MULTI_AGENT_PLAN.md"].changed_by == "lead"
    assert docs["docs/api.md"].changed_by == "backend"

    bash(session, "qa", ws, "echo '- qa: validate' >> MULTI_AGENT_PLAN.md")
    mirror.sync()
    plan = session.state.documents["MULTI_AGENT_PLAN.md"]
    assert plan.changed_by == "qa" and plan.content.endswith("- qa: validate\n") and plan.changes == 2

    bash(session, "qa", ws, "rm docs/api.md", n=2)
    mirror.sync()
    assert "docs/api.md" not in session.state.documents


def test_a_write_is_read_as_that_tool_left_it(tmp_path, ws):
    session = make_session(tmp_path)
    mirror = WorkspaceMirror(session, ws)
    mirror.attach()
    write(ws, "PLAN.md", "# by backend\n")
    changed(session, "backend", "PLAN.md")
    write(ws, "PLAN.md", "# rewritten by a command still running\n")  # no event yet
    assert session.state.documents["PLAN.md"].content == "# by backend\n"
    assert session.state.documents["PLAN.md"].changed_by == "backend"
    bash(session, "qa", ws, "true")
    assert session.state.documents["PLAN.md"].content.startswith("# rewritten")
    assert session.state.documents["PLAN.md"].changed_by == "qa"


def test_reads_are_recorded_against_the_document(tmp_path, ws):
    write(ws, "requirements.md", "- notes\n")
    session = make_session(tmp_path)
    mirror = WorkspaceMirror(session, ws)
    mirror.attach()
    mirror.scan(None, initial=True)
    for n, (agent, path, ok) in enumerate(
        [
            ("backend", "requirements.md", True),
            ("qa", "./requirements.md", True),
            ("lead", "requirements.md", False),
            ("qa", "src/app.py", True),
        ]
    ):
        session.emit(ev.ToolCalled(agent=agent, tool_use_id=f"r{n}", tool="Read", input={"file_path": path}))
        session.emit(ev.ToolResult(agent=agent, tool_use_id=f"r{n}", tool="Read", ok=ok, output="…"))
    # a document made by a command and read before any rescan is listed, then marked read
    subprocess.run("echo '# Plan' > PLAN.md", shell=True, cwd=ws, check=True)
    session.emit(ev.ToolCalled(agent="lead", tool_use_id="r9", tool="Read", input={"file_path": str(ws / "PLAN.md")}))
    session.emit(ev.ToolResult(agent="lead", tool_use_id="r9", tool="Read", output="# Plan"))
    mirror.sync()
    assert set(session.state.documents["requirements.md"].reads) == {"backend", "qa"}
    assert set(session.state.documents["PLAN.md"].reads) == {"lead"}


def test_a_symlink_out_of_the_workspace_is_ignored(tmp_path, ws):
    outside = tmp_path / "secret"
    outside.mkdir()
    (outside / "PLAN.md").write_text("# private\n")
    (outside / "notes.md").write_text("# private notes\n")
    os.symlink(outside / "PLAN.md", ws / "PLAN.md")
    os.symlink(outside, ws / "docs")
    (ws / ".claude").mkdir()
    os.symlink(outside, ws / ".claude" / "tasks")
    (outside / "qa-tasks.md").write_text("- [ ] leaked\n")
    write(ws, "README.md", "# real\n")
    os.symlink(ws / "README.md", ws / "MY_PLAN.md")  # a link that stays inside is fine
    session = make_session(tmp_path)
    mirror = WorkspaceMirror(session, ws)
    mirror.attach()
    mirror.scan(None, initial=True)
    changed(session, "backend", "PLAN.md")
    changed(session, "backend", "docs/notes.md")
    changed(session, "backend", "../secret/PLAN.md")
    mirror.sync()
    assert set(session.state.documents) == {"README.md", "MY_PLAN.md"}
    assert session.state.checklists == {}
    assert all("private" not in d.content for d in session.state.documents.values())


def test_a_huge_document_is_capped(tmp_path, ws):
    write(ws, "docs/huge.md", "# big\n" + "x" * 5_000_000)
    write(ws, ".claude/tasks/qa-tasks.md", "".join(f"- [ ] item {i}\n" for i in range(5000)))
    session = make_session(tmp_path)
    mirror = WorkspaceMirror(session, ws, document_cap=10_000)
    mirror.attach()
    mirror.scan(None, initial=True)
    doc = session.state.documents["docs/huge.md"]
    assert len(doc.content) == 10_000 and doc.truncated and doc.size == 5_000_006
    checklist = session.state.checklists[".claude/tasks/qa-tasks.md"]
    assert checklist.truncated and len(checklist.items) == 500


# ── replay, timer, restarts ──────────────────────────────────────────────────


async def test_the_log_alone_replays_the_same_board(tmp_path, ws):
    write(ws, "CLAUDE.md", "# rules\n")
    session = make_session(tmp_path, log=True)
    TaskBoard(session).create("lead", "[X1] do it")
    mirror = WorkspaceMirror(session, ws, interval=0.02)
    mirror.start()
    write(ws, ".claude/tasks/backend-tasks.md", "## Doing\n- [ ] x\n")
    changed(session, "backend", ".claude/tasks/backend-tasks.md")
    write(ws, ".orchestrator/complete/X1.done", "")
    changed(session, "backend", ".orchestrator/complete/X1.done")
    await session.wait_until(lambda s: bool(s.markers) and bool(s.checklists))
    await mirror.stop()
    session.close()
    for path in (ws / "CLAUDE.md", ws / ".claude/tasks/backend-tasks.md"):
        path.unlink()  # the replay must not need the workspace
    replayed = fold(read_log(tmp_path / "log.jsonl").events)
    live = session.state
    assert replayed.documents == live.documents and replayed.checklists == live.checklists
    assert replayed.markers == live.markers and replayed.tasks["1"].task.status == "completed"
    assert replayed.checklists[".claude/tasks/backend-tasks.md"].items[0].status == "in_progress"


def test_a_restarted_mirror_on_the_same_state_repeats_nothing(tmp_path, ws):
    write(ws, "PLAN.md", "# plan\n")
    write(ws, ".claude/tasks/qa-tasks.md", "- [ ] a\n")
    session = make_session(tmp_path)
    first = WorkspaceMirror(session, ws)
    first.scan(None, initial=True)
    seq = session.state.last_seq
    second = WorkspaceMirror(session, ws)
    second.scan(None, initial=True)
    assert session.state.last_seq == seq
    # a document deleted while nobody watched is dropped on the next start
    (ws / "PLAN.md").unlink()
    WorkspaceMirror(session, ws).scan(None, initial=True)
    assert "PLAN.md" not in session.state.documents


async def test_the_timer_waits_while_a_tool_runs(tmp_path, ws):
    session = make_session(tmp_path)
    mirror = WorkspaceMirror(session, ws, interval=0.02)
    mirror.start()
    try:
        session.emit(ev.ToolCalled(agent="qa", tool_use_id="b1", tool="Bash", input={"command": "long"}))
        write(ws, "PLAN.md", "# plan\n")
        await asyncio.sleep(0.15)
        assert "PLAN.md" not in session.state.documents
        session.emit(ev.ToolResult(agent="qa", tool_use_id="b1", tool="Bash", output=""))
        await session.wait_until(lambda s: "PLAN.md" in s.documents)
        assert session.state.documents["PLAN.md"].changed_by == "qa"
    finally:
        await mirror.stop()


def test_a_large_docs_folder_lists_only_so_many_documents(tmp_path, ws):
    for i in range(8):
        write(ws, f"docs/page{i}.md", f"# page {i}\n")
    session = make_session(tmp_path)
    WorkspaceMirror(session, ws, max_documents=5).scan(None, initial=True)
    assert len(session.state.documents) == 5


# ── end to end: Claude Code agent files with their own protocols, on the scripted provider ──

PROTOCOLS = Path(__file__).parent / "fixtures" / "protocols"


def test_a_team_keeping_files_by_its_own_protocols_shows_on_the_board(tmp_path, capsys, monkeypatch):
    from partytui.cli import main

    monkeypatch.delenv(
        "PARTYTUI_CONFIG", raising=False
    )  # no config file: the defaults (the home directory is a temporary one)

    ws = tmp_path / "ws"
    code = main(
        [
            "run",
            "--headless",
            "--scenario",
            str(PROTOCOLS / "scenario.yaml"),
            "--approve",
            "all",
            "--speed",
            "0",
            "--workspace",
            str(ws),
            "--session-dir",
            str(tmp_path / "sessions"),
        ]
    )
    out = capsys.readouterr()
    assert code == 0, out.out[-3000:] + out.err[-3000:]
    log = next((tmp_path / "sessions").glob("*.jsonl"))
    events = read_log(log).events
    state = fold(events)  # the log alone: nothing is read back from the workspace
    assert state.status == "done"

    # the checklist backend-dev keeps, written by Write and rewritten by a shell command
    checklist = state.checklists[".claude/tasks/backend-dev-tasks.md"]
    assert checklist.owner == "backend-dev" and checklist.by == "backend-dev"
    assert [(i.text, i.done) for i in checklist.items] == [
        ("Read MULTI_AGENT_PLAN.md", True),
        ("TASK-001 kv.py get/set", True),
        ("Run a round trip", True),
    ]
    first = next(e for e in events if e.type == "checklist.updated")
    assert [i.status for i in first.items] == ["in_progress", "pending", "completed"]
    assert state.agents["lead"].todos[0].status == "completed"  # TodoWrite sits beside it

    # qa-engineer only wrote its marker; the mirror closed TASK-002, once
    marker = state.markers[".orchestrator/complete/TASK-002.done"]
    assert (marker.task_id, marker.by, marker.note) == ("2", "qa-engineer", "round trip ok")
    assert state.tasks["2"].task.status == "completed" and state.tasks["2"].history[-1][3] == "qa-engineer"
    assert sum(1 for e in events if e.type == "task.updated" and e.task.id == "2" and e.task.status == "completed") == 1
    # qa-engineer's file asks for a TASK-ID: the task handed to it says which (backend-dev's does not)
    assert state.tasks["2"].task.description.startswith("Task ID: TASK-002")
    assert "Task ID:" not in state.tasks["1"].task.description

    # the shared documents with who wrote and read them
    docs = state.documents
    assert set(docs) == {"CLAUDE.md", "requirements.md", "MULTI_AGENT_PLAN.md"}
    assert docs["MULTI_AGENT_PLAN.md"].changed_by == "architect" and "TASK-002" in docs["MULTI_AGENT_PLAN.md"].content
    assert set(docs["MULTI_AGENT_PLAN.md"].reads) == {"lead", "qa-engineer"}
    assert docs["CLAUDE.md"].changed_by is None and set(docs["CLAUDE.md"].reads) == {"architect"}

    # the summary tells the same story: JSON, text and both exports
    sessions = str(tmp_path / "sessions")
    assert main(["summary", str(log), "--json", "--session-dir", sessions]) == 0
    data = json.loads(capsys.readouterr().out)
    [checklist] = data["checklists"]
    assert (checklist["path"], checklist["owner"], checklist["done"], checklist["total"]) == (
        ".claude/tasks/backend-dev-tasks.md",
        "backend-dev",
        3,
        3,
    )
    assert [i["text"] for i in checklist["items"]][1] == "TASK-001 kv.py get/set"
    assert data["markers"] == [
        {
            "path": ".orchestrator/complete/TASK-002.done",
            "id": "TASK-002",
            "by": "qa-engineer",
            "task_id": "2",
            "task": "[TASK-002] Verify the kv.py round trip",
            "note": "round trip ok",
        }
    ]
    documents = {d["path"]: d for d in data["documents"]}
    plan = documents["MULTI_AGENT_PLAN.md"]
    assert (plan["versions"], plan["changed_by"], plan["read_by"]) == (1, ["architect"], ["lead", "qa-engineer"])
    assert (documents["CLAUDE.md"]["changed_by"], documents["CLAUDE.md"]["read_by"]) == ([], ["architect"])

    assert main(["summary", str(log), "--session-dir", sessions]) == 0
    text = capsys.readouterr().out
    assert "  backend-dev: 3/3 done (.claude/tasks/backend-dev-tasks.md)" in text
    assert "  TASK-002 by qa-engineer: completed #2 [TASK-002] Verify the kv.py round trip" in text
    assert "  MULTI_AGENT_PLAN.md: 1 version; changed by architect; read by lead, qa-engineer" in text

    for fmt in ("md", "html"):
        out_file = tmp_path / f"report.{fmt}"
        assert main(["export", str(log), "--format", fmt, "-o", str(out_file), "--session-dir", sessions]) == 0
        report = out_file.read_text()
        for heading in ("Checklists", "Completion markers", "Documents"):
            assert (f"## {heading}" if fmt == "md" else f"<h2>{heading}</h2>") in report
        assert "qa-engineer" in report and "3/3" in report and "#2 [TASK-002] Verify the kv.py round trip" in report
