"""Hand-written sessions and a small host app for the modal screens' Pilot and snapshot tests.

Every timestamp is fixed and every modal gets :data:`CLOCK`, so ages read the same on every run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from textual.app import App
from textual.screen import Screen
from textual.widgets import Input, Static, TextArea

from partytui.core import events as ev
from partytui.core.state import TeamState, fold

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
        ev.SessionStarted(seq=1, ts=T0, session_id="s-test", goal="a notes service", workspace="/ws",
                          agents=AGENTS),
        ev.PhaseChanged(seq=2, ts=T0 + 1, phase="BRAINSTORM"),
        request("question", 1, "lead", T0 + 30, title="Storage and scope", summary="Two choices before planning",
                questions=[DB_QUESTION, FEATURES_QUESTION]),
        request("design", 2, "backend", T0 + 120, title="Notes service design",
                summary="Storage, API and risks", body=DESIGN_BODY),
        request("migration", 3, "backend", T0 + 400, title="Migration 0002: tags",
                summary="Two tables and an index", body=MIGRATION_BODY,
                files=["migrations/0002_tags.sql", "migrations/0003_missing.sql", "../outside.sql"]),
        request("permission", 4, "qa", T0 + 540, title="Bash: run the test suite",
                tool="Bash", tool_input={"command": "pytest -q tests/ && ruff check src/",
                                         "description": "Run the tests and the linter"}),
        request("reply", 5, "frontend", T0 + 590, title="frontend asks",
                body="Should the note list show **relative** dates (\"3 days ago\") or ISO dates?"),
        request("plan", 6, "lead", T0 + 200, title="Build plan", body="1. Schema\n2. API\n3. UI\n4. Tests"),
        ev.ApprovalAnswered(seq=300, ts=T0 + 260, agent="lead", id=6, decision="approved", by="human"),
        request("other", 7, "qa", T0 + 280, title="Skip flaky e2e test?", body="The browser test times out."),
        ev.ApprovalAnswered(seq=301, ts=T0 + 290, agent="qa", id=7, decision="rejected", by="policy",
                            note="keep every test"),
    ]
    return events


def session_state() -> TeamState:
    return fold(session_events())


def task_state() -> TeamState:
    """A team with tasks: task 2 moved pending → in progress (backend) → completed, and blocks task 3."""
    task = ev.Task(id="2", subject="Write the tags migration", description="Add `tags` and `note_tags`.\n\n"
                   "Keep the rollback script beside it.", active_form="Writing the tags migration")
    events: list[ev.EventBase] = [
        ev.SessionStarted(seq=1, ts=T0, session_id="s-test", goal="a notes service", workspace="/ws",
                          agents=AGENTS),
        ev.TaskCreated(seq=2, ts=T0 + 10, agent="lead",
                       task=ev.Task(id="1", subject="Design the schema", status="completed", owner="backend")),
        ev.TaskCreated(seq=3, ts=T0 + 20, agent="lead", task=task.model_copy(update={"blocked_by": ["1"],
                                                                                      "blocks": ["3"]})),
        ev.TaskCreated(seq=4, ts=T0 + 30, agent="lead",
                       task=ev.Task(id="3", subject="Tag filter in the UI", blocked_by=["2"])),
        ev.TaskUpdated(seq=5, ts=T0 + 100, agent="lead", task=task.model_copy(
            update={"owner": "backend", "blocked_by": ["1"], "blocks": ["3"]})),
        ev.TaskUpdated(seq=6, ts=T0 + 160, agent="backend", task=task.model_copy(
            update={"owner": "backend", "status": "in_progress", "blocked_by": ["1"], "blocks": ["3"]})),
        ev.TaskUpdated(seq=7, ts=T0 + 480, agent="backend", task=task.model_copy(
            update={"owner": "backend", "status": "completed", "blocked_by": ["1"], "blocks": ["3"]})),
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
