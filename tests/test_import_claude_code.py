"""Importing Claude Code transcripts: merged turns, subagents, rewinds, bad lines, and the CLI."""

from __future__ import annotations

import itertools
import json
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partytui.cli import main as cli_main
from partytui.core.truth import events as ev
from partytui.core.truth.log import read_log
from partytui.core.truth.state import fold
from partytui.core.views.summary import summarize
from partytui.replay.claude_code import import_claude_code

FIXTURES = Path(__file__).parent / "fixtures" / "claude_code" / "project"
MAIN = FIXTURES / "5e55-1011.jsonl"
CORPUS = Path("/work/shared/corpus/claude-code")


@pytest.fixture(scope="module")
def result():
    return import_claude_code(MAIN)


def of(result, kind, agent=None):
    return [e for e in result.events if e.type == kind and (agent is None or e.agent == agent)]


def test_session_and_agents(result):
    started = result.events[0]
    assert isinstance(started, ev.SessionStarted)
    assert (started.mode, started.session_id, started.goal) == (
        "imported",
        "5e55-1011",
        "Build a tiny todo CLI in Python",
    )
    assert started.workspace == "/home/dev/todo"
    agents = {a.name: a for a in started.agents}
    assert list(agents) == ["claude", "explorer-b1c2d3e", "reviewer-f9e8d7c"]  # not the other session's file
    assert agents["claude"].lead and agents["claude"].model == "claude-sonnet-4-5"
    assert agents["explorer-b1c2d3e"].model == "claude-haiku-4-5"
    assert agents["reviewer-f9e8d7c"].model == "claude-opus-4-1"
    assert [e.seq for e in result.events] == list(range(1, len(result.events) + 1))
    assert all(a.ts <= b.ts for a, b in itertools.pairwise(result.events))
    assert result.events[-1].type == "session.ended"


def test_one_turn_per_api_message(result):
    turns = of(result, "turn.ended", "claude")
    assert len(turns) == 4  # msg_A (four lines), msg_B, msg_C, msg_E; msg_D was rewound away
    first = turns[0]
    assert [b["type"] for b in first.content] == ["thinking", "text", "tool_use", "tool_use"]
    # usage is repeated on each of the four lines and counted once
    assert (first.usage.input_tokens, first.usage.output_tokens, first.usage.cache_creation_input_tokens) == (
        10,
        40,
        100,
    )
    assert first.stop_reason == "tool_use"
    state = fold(result.events)
    assert state.agents["claude"].turns == 4
    assert state.agents["claude"].usage.input_tokens == 10 + 5 + 5 + 30
    assert result.stats.turns == 8


def test_blocks_become_deltas_and_tool_calls_in_order(result):
    kinds = [e.type for e in result.events if e.agent == "claude"][:7]
    assert kinds == [
        "user.message",
        "turn.started",
        "thinking.delta",
        "text.delta",
        "tool.called",
        "todo.updated",
        "tool.called",
    ]


def test_tool_results_string_list_and_errors(result):
    results = {e.tool_use_id: e for e in of(result, "tool.result")}
    assert results["tu_todo"].output == "Todos have been modified" and results["tu_todo"].tool == "TodoWrite"
    assert results["tu_task"].output == "Found cli.py and todo.py."  # list content
    assert results["tu_read"].ok is False and results["tu_read"].output == "File does not exist."
    assert results["tu_read"].agent == "explorer-b1c2d3e"
    assert results["tu_todo"].duration_ms == pytest.approx(1000.0)
    # the first of two parallel calls' results hangs off its own call, beside the kept branch: still kept
    assert "tu_tc" in results


def test_todos_tasks_and_messages(result):
    state = fold(result.events)
    assert [(t.content, t.status) for t in state.agents["claude"].todos] == [
        ("Write the parser", "in_progress"),
        ("Add tests", "pending"),
    ]
    task = state.tasks["1"].task
    assert (task.subject, task.status, task.owner) == ("Write parser", "in_progress", "claude")
    sent = [(m.sender, m.recipient, m.content) for m in state.messages if m.sender != "you"]
    assert sent == [
        ("claude", "explorer-b1c2d3e", "List the Python files and summarise them."),
        ("claude", "reviewer-f9e8d7c", "Review todo.py for style."),
        ("claude", "reviewer-f9e8d7c", "Thanks, merging now."),
    ]


def test_subagent_events_interleave_by_time(result):
    call = next(e.seq for e in of(result, "tool.called") if e.tool_use_id == "tu_task")
    done = next(e.seq for e in of(result, "tool.result") if e.tool_use_id == "tu_task")
    explorer = [e.seq for e in result.events if e.agent == "explorer-b1c2d3e"]
    assert explorer and call < min(explorer) and max(explorer) < done


def test_rewound_branch_is_dropped(result):
    text = json.dumps([ev.to_json(e) for e in result.events])
    assert "Now delete the tests" not in text and "Deleting every test file" not in text
    assert "Now add a --json flag" in text and "Added a --json flag" in text
    assert result.stats.rewound == 2


def test_bad_lines_are_problems_not_crashes(result):
    assert result.problems == [
        f"{MAIN}:10: not JSON (Expecting value: line 1 column 59 (char 58)); skipped",
        f"{MAIN}:25: the last line is cut short (a partial write); skipped",
    ]
    assert result.stats.skipped_lines == 2
    assert result.stats.unknown == {"mystery-record": 1}
    assert result.stats.passed["progress"] == 1


def test_directory_forms(tmp_path):
    assert import_claude_code(FIXTURES).stats.agents == 3  # the project directory with one session
    assert import_claude_code(FIXTURES / "5e55-1011").stats.agents == 3  # the session's own directory
    lone = import_claude_code(FIXTURES / "agent-f9e8d7c.jsonl")  # a subagent file on its own
    assert lone.stats.turns == 1 and lone.events[0].agents[0].name == "claude"
    shutil.copy(MAIN, tmp_path / "a.jsonl")
    shutil.copy(MAIN, tmp_path / "b.jsonl")
    several = import_claude_code(tmp_path)
    assert not several.events and "several transcripts" in several.problems[0]
    assert "no such file" in import_claude_code(tmp_path / "missing.jsonl").problems[0]


def test_team_task_files(tmp_path):
    project = tmp_path / ".claude" / "projects" / "-home-dev-todo"
    project.mkdir(parents=True)
    shutil.copy(MAIN, project / "5e55-1011.jsonl")
    tasks = tmp_path / ".claude" / "tasks" / "5e55-1011"
    tasks.mkdir(parents=True)
    (tasks / "1.json").write_text(
        json.dumps({"id": "1", "subject": "Write parser", "status": "completed", "owner": "claude", "blocks": ["2"]})
    )
    (tasks / "2.json").write_text(json.dumps({"id": "2", "subject": "Ship it", "blockedBy": ["1"]}))
    (tasks / "3.json").write_text("{broken")
    out = import_claude_code(project / "5e55-1011.jsonl")
    state = fold(out.events)
    assert state.tasks["1"].task.status == "completed"
    assert state.tasks["2"].task.blocked_by == ["1"]
    assert any("3.json: not a task file" in p for p in out.problems)


# ── never crash on anything ──────────────────────────────────────────────────

UUIDS = st.sampled_from(["u1", "u2", "u3", "u4", None, 7])
INPUT_KEYS = st.sampled_from(
    ["todos", "taskId", "status", "recipient", "content", "questions", "prompt", "subagent_type", "addBlocks"]
)
INPUT_VALUES = st.one_of(
    st.text(max_size=5),
    st.integers(),
    st.lists(
        st.one_of(
            st.text(max_size=3),
            st.dictionaries(st.sampled_from(["content", "status", "question", "options"]), st.text(max_size=3)),
        )
    ),
)
BLOCK = st.fixed_dictionaries(
    {"type": st.sampled_from(["text", "tool_use", "tool_result", "thinking", "image", "weird", 3])},
    optional={
        "text": st.one_of(st.text(max_size=20), st.integers()),
        "id": st.sampled_from(["t1", "t2", None]),
        "tool_use_id": st.sampled_from(["t1", "t2", 5]),
        "name": st.sampled_from(
            [
                "Task",
                "Agent",
                "TodoWrite",
                "TaskCreate",
                "TaskUpdate",
                "SendMessage",
                "AskUserQuestion",
                "ExitPlanMode",
                "Bash",
                None,
            ]
        ),
        "input": st.one_of(st.none(), st.text(max_size=5), st.dictionaries(INPUT_KEYS, INPUT_VALUES)),
        "content": st.one_of(
            st.text(max_size=10), st.lists(st.dictionaries(st.sampled_from(["type", "text"]), st.text(max_size=5)))
        ),
        "is_error": st.one_of(st.booleans(), st.text(max_size=2)),
    },
)
RECORD = st.fixed_dictionaries(
    {"type": st.sampled_from(["user", "assistant", "system", "progress", "summary", "odd", 1, None])},
    optional={
        "uuid": UUIDS,
        "parentUuid": UUIDS,
        "logicalParentUuid": UUIDS,
        "timestamp": st.one_of(
            st.text(max_size=25), st.floats(allow_nan=True), st.integers(), st.just("2026-03-01T10:00:00Z")
        ),
        "requestId": st.one_of(st.just("r1"), st.integers()),
        "sessionId": st.one_of(st.just("s"), st.integers()),
        "agentName": st.one_of(st.text(max_size=4), st.integers()),
        "isApiErrorMessage": st.booleans(),
        "toolUseResult": st.one_of(
            st.text(max_size=4),
            st.dictionaries(st.sampled_from(["agentId", "task"]), st.one_of(st.text(max_size=4), st.integers())),
        ),
        "message": st.one_of(
            st.text(max_size=5),
            st.fixed_dictionaries(
                {},
                optional={
                    "id": st.sampled_from(["m1", "m2", 3]),
                    "model": st.one_of(st.sampled_from(["claude-sonnet-4-5", "<synthetic>"]), st.integers()),
                    "content": st.one_of(st.text(max_size=20), st.lists(BLOCK, max_size=4), st.integers(), st.none()),
                    "usage": st.one_of(
                        st.text(max_size=3),
                        st.dictionaries(
                            st.sampled_from(["input_tokens", "output_tokens"]),
                            st.one_of(st.integers(min_value=-5, max_value=10**6), st.text(max_size=3), st.none()),
                        ),
                    ),
                    "stop_reason": st.one_of(st.none(), st.text(max_size=5), st.integers()),
                },
            ),
        ),
    },
)
LINE = st.one_of(
    RECORD.map(json.dumps),
    st.text(max_size=40),
    st.binary(max_size=30).map(lambda b: b.decode("latin-1")),
    st.just("[1, 2]"),
    st.just('{"type": "user", "message": {"content": ['),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(LINE, max_size=25), trailing_newline=st.booleans())
def test_random_lines_never_crash(lines, trailing_newline):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.jsonl"
        path.write_text("\n".join(lines) + ("\n" if trailing_newline else ""), encoding="utf-8", errors="surrogatepass")
        out = import_claude_code(path)
        state = fold(out.events)  # whatever came out folds, serialises, and reads back
        summarize(state)
        for event in out.events:
            assert ev.parse_event(json.loads(ev.to_json(event))).type == event.type
        for problem in out.problems:
            assert problem.startswith(str(path))


# ── the command ──────────────────────────────────────────────────────────────


def test_cli_import_writes_a_log(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PARTYTUI_SESSION_DIR", str(tmp_path / "sessions"))
    assert cli_main(["import", "claude-code", str(MAIN)]) == 0
    written = tmp_path / "sessions" / "5e55-1011.jsonl"
    contents = read_log(written)
    assert not contents.torn_tail and len(contents.events) == len(import_claude_code(MAIN).events)
    captured = capsys.readouterr()
    assert "3 agents, 8 turns, 8 tool calls, 1 tasks, 3 messages" in captured.out
    assert ":10: not JSON" in captured.err and ":25: the last line is cut short" in captured.err
    out = tmp_path / "x.jsonl"
    assert cli_main(["import", "claude-code", str(MAIN), "-o", str(out)]) == 0
    assert out.read_bytes() == written.read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file left


def test_cli_import_refuses_what_it_cannot_import(tmp_path, capsys):
    assert cli_main(["import", "claude-code", str(tmp_path / "missing.jsonl")]) == 2
    junk = tmp_path / "junk.jsonl"
    junk.write_text('not json\n{"type": "progress"}\n')
    assert cli_main(["import", "claude-code", str(junk), "-o", str(tmp_path / "o.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "nothing could be imported" in err and "junk.jsonl:1: not JSON" in err
    assert not (tmp_path / "o.jsonl").exists()
    # an output folder that does not exist is an error, not created
    assert cli_main(["import", "claude-code", str(MAIN), "-o", str(tmp_path / "typo" / "o.jsonl")]) == 2
    assert "typo no such directory" in capsys.readouterr().err and not (tmp_path / "typo").exists()


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared sample transcripts are not on this machine")
def test_real_transcripts_import_cleanly():
    short = import_claude_code(CORPUS / "spotter-short.jsonl")
    assert short.problems == []
    turns = [e for e in short.events if e.type == "turn.ended"]
    assert len(turns) == 1 and len(turns[0].content) == 5  # one response written as five lines
    for path in sorted(CORPUS.glob("*.jsonl")):
        out = import_claude_code(path)
        assert out.problems == [] and out.stats.turns > 0, path
        fold(out.events)
