"""A hand-written mid-run session of a four-agent team, with fixed timestamps, for TUI tests and snapshots."""

from __future__ import annotations

from typing import Any

from partytui.core.truth.events import EventBase, parse_event

T0 = 1_700_000_000.0
NOW = T0 + 437.0  # the fixed "now" of every picture: 7m17s into the session

AGENTS = [
    {"name": "lead", "model": "claude-opus-4-1", "color": "purple", "lead": True},
    {"name": "backend", "model": "claude-sonnet-4-5", "color": "blue"},
    {"name": "frontend", "model": "claude-sonnet-4-5", "color": "green"},
    {"name": "qa", "model": "claude-haiku-4-5", "color": "orange"},
]


class RecordingController:
    """A TeamController that only remembers what it was asked (the team of a picture of a live run)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, ...]] = []
        self.paused: set[str] = set()

    def pause(self, agent: str) -> None:
        self.calls.append(("pause", agent))
        self.paused.add(agent)

    def resume(self, agent: str) -> None:
        self.calls.append(("resume", agent))
        self.paused.discard(agent)

    def cancel(self, agent: str) -> None:
        self.calls.append(("cancel", agent))

    def send(self, agent: str, text: str) -> None:
        self.calls.append(("send", agent, text))

    def is_paused(self, agent: str) -> bool:
        return agent in self.paused


def event(type_: str, at: float, agent: str | None = None, **fields: Any) -> dict[str, Any]:
    return {"type": type_, "ts": T0 + at, "agent": agent, **fields}


def task(id_: str, subject: str, status: str = "pending", owner: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"id": id_, "subject": subject, "status": status, "owner": owner, **extra}


def mid_run_records() -> list[dict[str, Any]]:
    return [
        event(
            "session.started",
            0,
            session_id="20231114-221320-abc123",
            goal="A todo app with a Postgres backend",
            workspace="",
            mode="scripted",
            agents=AGENTS,
        ),
        event("phase.changed", 1, "lead", phase="BRAINSTORM"),
        event("agent.state", 1, "lead", state="running"),
        event("turn.started", 2, "lead", turn=1),
        event("thinking.delta", 3, "lead", text="The goal needs a schema first, then the API and UI in parallel."),
        event(
            "text.delta", 5, "lead", text="## Plan\n\nWe build a **todo app**:\n\n- `backend`: schema, migration, API\n"
        ),
        event("text.delta", 6, "lead", text="- `frontend`: the list view\n- `qa`: end-to-end checks\n"),
        event("turn.ended", 8, "lead", turn=1, usage={"input_tokens": 2400, "output_tokens": 380}, cost_usd=0.064),
        event("phase.changed", 60, "lead", phase="PLAN", previous="BRAINSTORM"),
        event("task.created", 61, "lead", task=task("1", "Design the database schema", owner="backend")),
        event("task.created", 62, "lead", task=task("2", "Write the REST API", owner="backend", blocked_by=["1"])),
        event("task.created", 63, "lead", task=task("3", "Build the list view", owner="frontend", blocked_by=["2"])),
        event("task.created", 64, "lead", task=task("4", "Write the users migration", owner="backend")),
        event("task.created", 65, "lead", task=task("5", "End-to-end test plan", owner="qa")),
        event("task.created", 66, "lead", task=task("6", "Pick a CSS framework")),
        event("message.sent", 70, "lead", recipient="backend", content="Start with the schema; send me the design."),
        event("agent.state", 71, "backend", state="running"),
        event("turn.started", 72, "backend", turn=1),
        event("tool.called", 73, "backend", tool_use_id="tu1", tool="Read", input={"file_path": "README.md"}),
        event("tool.result", 73.4, "backend", tool_use_id="tu1", tool="Read", output="# todo\n", duration_ms=380),
        event("text.delta", 80, "backend", text="The schema has two tables, `users` and `todos`."),
        event(
            "approval.requested",
            120,
            "backend",
            request={
                "id": 1,
                "kind": "design",
                "agent": "backend",
                "title": "Schema design",
                "body": "users(id, email)\ntodos(id, user_id, title, done)",
            },
        ),
        event("approval.answered", 150, "backend", id=1, decision="approved", by="human", note="looks good"),
        event("task.updated", 151, "backend", task=task("1", "Design the database schema", "completed", "backend")),
        event("phase.changed", 200, "lead", phase="BUILD", previous="PLAN"),
        event(
            "task.updated",
            201,
            "backend",
            task=task("2", "Write the REST API", "in_progress", "backend", blocked_by=["1"]),
        ),
        event("agent.state", 202, "frontend", state="idle", reason="no claimable task"),
        event("turn.started", 210, "backend", turn=2),
        event("tool.called", 211, "backend", tool_use_id="tu2", tool="Bash", input={"command": "pytest -q tests/api"}),
        event(
            "tool.result",
            214,
            "backend",
            tool_use_id="tu2",
            tool="Bash",
            ok=False,
            output="1 failed, 3 passed",
            duration_ms=2900,
        ),
        event("turn.retry", 215, "backend", attempt=1, max_attempts=3, delay_s=2, reason="overloaded (529)"),
        event(
            "text.delta", 220, "backend", text="One test fails: the `done` flag defaults to NULL. Fixing the migration."
        ),
        event(
            "tool.called",
            230,
            "backend",
            tool_use_id="tu3",
            tool="Write",
            input={"file_path": "migrations/001_users.sql", "content": "CREATE TABLE users (id serial);"},
        ),
        event("tool.result", 230.2, "backend", tool_use_id="tu3", tool="Write", output="wrote 1 line", duration_ms=150),
        event("task.updated", 231, "backend", task=task("4", "Write the users migration", "in_progress", "backend")),
        event(
            "turn.ended", 232, "backend", turn=2, usage={"input_tokens": 9100, "output_tokens": 1210}, cost_usd=0.046
        ),
        event(
            "approval.requested",
            240,
            "backend",
            request={
                "id": 2,
                "kind": "migration",
                "agent": "backend",
                "title": "Create the users table",
                "files": ["migrations/001_users.sql"],
                "body": "Rollback: `DROP TABLE users;`",
            },
        ),
        event("agent.state", 240, "backend", state="waiting", reason="approval"),
        event("agent.state", 300, "qa", state="running"),
        event("turn.started", 300, "qa", turn=1),
        event(
            "todo.updated",
            301,
            "qa",
            todos=[
                {"content": "Read the API spec", "status": "completed"},
                {
                    "content": "Write the happy-path test",
                    "status": "in_progress",
                    "active_form": "Writing the happy-path test",
                },
                {"content": "Write the error-path tests", "status": "pending"},
            ],
        ),
        event("task.updated", 302, "qa", task=task("5", "End-to-end test plan", "in_progress", "qa")),
        event("message.sent", 310, "qa", recipient="lead", content="Which port does the API listen on?"),
        event("message.sent", 330, "lead", recipient="qa", content="8080, see `backend/app.py`."),
        event("tool.called", 420, "qa", tool_use_id="tu4", tool="Bash", input={"command": "npx playwright test"}),
        event("agent.state", 400, "lead", state="idle", reason="waiting for the team"),
        event("error", 410, "frontend", message="the model returned an empty reply"),
    ]


def mid_run_events() -> list[EventBase]:
    events = [parse_event(record) for record in mid_run_records()]
    for seq, e in enumerate(events, 1):
        e.seq = seq
    return events
