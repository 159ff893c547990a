"""Hand-written sessions and a small host app for the modal screens' Pilot and snapshot tests.

Every timestamp is fixed and every modal gets :data:`CLOCK`, so ages read the same on every run.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App
from textual.screen import Screen
from textual.widgets import Input, Static, TextArea

from partytui.core.truth import events as ev
from partytui.core.truth.state import TeamState, fold

T0 = 1_700_000_000.0
NOW = T0 + 600.0  # ten minutes into the session


def CLOCK() -> float:
    return NOW


AGENTS = [
    ev.AgentInfo(name="lead", model="claude-sonnet-4-5", color="purple", lead=True),
    ev.AgentInfo(name="backend", model="claude-sonnet-4-5", color="green"),
    ev.AgentInfo(name="frontend", model="claude-sonnet-4-5", color="blue"),
    ev.AgentInfo(name="qa", model="claude-haiku-4-5", color="orange"),
]

DESIGN_BODY = """\
# Notes service — design

## Storage
SQLite through `sqlite3`, one file per workspace. Tables: `notes`, `tags`, `note_tags`.

## API
| Method | Path | What |
|---|---|---|
| GET | /notes | list, newest first |
| POST | /notes | create |
| DELETE | /notes/{id} | delete |

## Risks
- Full-text search later needs FTS5; the schema keeps `body` as TEXT so it can be added.
- No auth in the first cut; the server binds to 127.0.0.1 only.
"""

MIGRATION_BODY = """\
Adds the `tags` and `note_tags` tables and an index on `notes.created_at`.

**Rollback:** `migrations/0002_tags.down.sql` drops both tables and the index; no existing data changes.
"""

MIGRATION_SQL = """\
-- 0002: tags for notes
CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE note_tags (
    note_id INTEGER NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (note_id, tag_id)
);
CREATE INDEX notes_created_at ON notes(created_at);
"""


def request(kind: str, id: int, agent: str, at: float, **fields: Any) -> ev.ApprovalRequested:
    return ev.ApprovalRequested(
        seq=id + 100, ts=at, agent=agent, request=ev.ApprovalRequest(id=id, kind=kind, agent=agent, **fields)
    )


def q(question: str, header: str, labels: list[tuple[str, str]], multi: bool = False) -> ev.Question:
    return ev.Question(
        question=question,
        header=header,
        multi_select=multi,
        options=[ev.QuestionOption(label=label, description=desc) for label, desc in labels],
    )


DB_QUESTION = q(
    "Which database?",
    "Storage",
    [("SQLite", "one file, zero setup"), ("PostgreSQL", "a server to run"), ("JSON files", "simplest")],
)
FEATURES_QUESTION = q(
    "Which features ship first?",
    "Scope",
    [("Tags", ""), ("Search", "full text"), ("Export", "Markdown files")],
    multi=True,
)


def session_events() -> list[ev.EventBase]:
    """A session ten minutes in: requests of every kind, two of them already answered."""
    events: list[ev.EventBase] = [
        ev.SessionStarted(seq=1, ts=T0, session_id="s-test", goal="a notes service", workspace="/ws", agents=AGENTS),
        ev.PhaseChanged(seq=2, ts=T0 + 1, phase="BRAINSTORM"),
        request(
            "question",
            1,
            "lead",
            T0 + 30,
            title="Storage and scope",
            summary="Two choices before planning",
            questions=[DB_QUESTION, FEATURES_QUESTION],
        ),
        request(
            "design",
            2,
            "backend",
            T0 + 120,
            title="Notes service design",
            summary="Storage, API and risks",
            body=DESIGN_BODY,
        ),
        request(
            "migration",
            3,
            "backend",
            T0 + 400,
            title="Migration 0002: tags",
            summary="Two tables and an index",
            body=MIGRATION_BODY,
            files=["migrations/0002_tags.sql", "migrations/0003_missing.sql", "../outside.sql"],
        ),
        request(
            "permission",
            4,
            "qa",
            T0 + 540,
            title="Bash: run the test suite",
            tool="Bash",
            tool_input={
                "command": "pytest -q tests/ && ruff check src/",
                "description": "Run the tests and the linter",
            },
        ),
        request(
            "reply",
            5,
            "frontend",
            T0 + 590,
            title="frontend asks",
            body='Should the note list show **relative** dates ("3 days ago") or ISO dates?',
        ),
        request("plan", 6, "lead", T0 + 200, title="Build plan", body="1. Schema\n2. API\n3. UI\n4. Tests"),
        ev.ApprovalAnswered(seq=300, ts=T0 + 260, agent="lead", id=6, decision="approved", by="human"),
        request("other", 7, "qa", T0 + 280, title="Skip flaky e2e test?", body="The browser test times out."),
        ev.ApprovalAnswered(
            seq=301, ts=T0 + 290, agent="qa", id=7, decision="rejected", by="policy", note="keep every test"
        ),
    ]
    return events


def session_state() -> TeamState:
    return fold(session_events())


def task_state() -> TeamState:
    """A team with tasks: task 2 moved pending → in progress (backend) → completed, and blocks task 3."""
    task = ev.Task(
        id="2",
        subject="Write the tags migration",
        description="Add `tags` and `note_tags`.\n\nKeep the rollback script beside it.",
        active_form="Writing the tags migration",
    )
    events: list[ev.EventBase] = [
        ev.SessionStarted(seq=1, ts=T0, session_id="s-test", goal="a notes service", workspace="/ws", agents=AGENTS),
        ev.TaskCreated(
            seq=2,
            ts=T0 + 10,
            agent="lead",
            task=ev.Task(id="1", subject="Design the schema", status="completed", owner="backend"),
        ),
        ev.TaskCreated(
            seq=3, ts=T0 + 20, agent="lead", task=task.model_copy(update={"blocked_by": ["1"], "blocks": ["3"]})
        ),
        ev.TaskCreated(
            seq=4, ts=T0 + 30, agent="lead", task=ev.Task(id="3", subject="Tag filter in the UI", blocked_by=["2"])
        ),
        ev.TaskUpdated(
            seq=5,
            ts=T0 + 100,
            agent="lead",
            task=task.model_copy(update={"owner": "backend", "blocked_by": ["1"], "blocks": ["3"]}),
        ),
        ev.TaskUpdated(
            seq=6,
            ts=T0 + 160,
            agent="backend",
            task=task.model_copy(
                update={"owner": "backend", "status": "in_progress", "blocked_by": ["1"], "blocks": ["3"]}
            ),
        ),
        ev.TaskUpdated(
            seq=7,
            ts=T0 + 480,
            agent="backend",
            task=task.model_copy(
                update={"owner": "backend", "status": "completed", "blocked_by": ["1"], "blocks": ["3"]}
            ),
        ),
    ]
    return fold(events)


def make_workspace(root: Path) -> Path:
    ws = root / "ws"
    (ws / "migrations").mkdir(parents=True)
    (ws / "migrations" / "0002_tags.sql").write_text(MIGRATION_SQL)
    (root / "outside.sql").write_text("DROP TABLE notes;\n")
    return ws


class ModalHost(App[None]):
    """Shows one modal over a plain background and keeps what it returns in ``result``."""

    CSS = "Screen { background: $background; } #behind { color: $text-muted; padding: 1 2; }"

    def __init__(self, make_screen: Callable[[], Screen[Any]]) -> None:
        super().__init__()
        self.make_screen = make_screen
        self.result: Any = "not dismissed"
        self.dismissed = False

    def compose(self):
        yield Static("partytui — the main screen would be here", id="behind")

    def on_mount(self) -> None:
        self.push_screen(self.make_screen(), callback=self._done)
        self.call_after_refresh(self._still)

    def _still(self) -> None:
        # a blinking cursor would make snapshots flaky
        for widget in self.screen.query("Input, TextArea"):
            if isinstance(widget, (Input, TextArea)):
                widget.cursor_blink = False

    def _done(self, result: Any) -> None:
        self.result = result
        self.dismissed = True


# ── changes: an edit to approve as a diff, and a migration asked again after a rejection ──────────────

INDEX_LINE = "CREATE INDEX notes_created_at ON notes(created_at);"
EDIT_INPUT = {
    "file_path": "migrations/0002_tags.sql",
    "old_string": INDEX_LINE,
    "new_string": "CREATE INDEX IF NOT EXISTS notes_created_at ON notes(created_at);\n"
    "CREATE INDEX tags_name ON tags(name);",
}
REASON = "Name the rollback file and make the index creation idempotent."


def change_events() -> list[ev.EventBase]:
    """Migration #3 rejected with a reason; backend edits the file; migration #8 asks again; an Edit to allow (#9)."""
    events = session_events()
    events += [
        ev.ApprovalAnswered(seq=402, ts=T0 + 410, agent="backend", id=3, decision="rejected", by="human", note=REASON),
        ev.ToolCalled(seq=403, ts=T0 + 420, agent="backend", tool_use_id="t1", tool="Edit", input=EDIT_INPUT),
        ev.ToolResult(seq=404, ts=T0 + 421, agent="backend", tool_use_id="t1", tool="Edit", output="Edited."),
        ev.ApprovalRequested(
            seq=405,
            ts=T0 + 430,
            agent="backend",
            request=ev.ApprovalRequest(
                id=8,
                kind="migration",
                agent="backend",
                title="Migration 0002 (revised): tags",
                summary="Two tables and an idempotent index",
                files=["migrations/0002_tags.sql"],
                body=MIGRATION_BODY.replace("0002_tags.down.sql", "0002_tags.rollback.sql"),
            ),
        ),
        ev.ApprovalRequested(
            seq=406,
            ts=T0 + 440,
            agent="backend",
            request=ev.ApprovalRequest(
                id=9,
                kind="permission",
                agent="backend",
                title="Edit migrations/0002_tags.sql",
                tool="Edit",
                tool_input=EDIT_INPUT,
            ),
        ),
    ]
    return events


def change_state() -> TeamState:
    return fold(change_events())


class SessionModalHost(ModalHost):
    """A host that, like the real app, offers the session's state to the modal (``app.session.state``)."""

    def __init__(self, make_screen: Callable[[], Screen[Any]], state: TeamState) -> None:
        super().__init__(make_screen)
        self.session = type("SessionView", (), {"state": state})()
