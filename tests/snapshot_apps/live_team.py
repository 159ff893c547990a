"""Test scaffolding: a scripted team that streams into a live app, to try the TUI by hand in a terminal.

    python tests/snapshot_apps/live_team.py

It emits events into the Session with pauses, the way the engine does, and asks for one approval.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from partytui.core.team.approvals import ApprovalBroker
from partytui.core.truth.events import (
    AgentState,
    PhaseChanged,
    TextDelta,
    ThinkingDelta,
    ToolCalled,
    ToolResult,
    TurnEnded,
    TurnStarted,
    parse_event,
)
from partytui.core.truth.session import Session
from partytui.tui import make_app
from snapshot_apps.team_sample import AGENTS

session = Session()
broker = ApprovalBroker(session)
REPORT = (
    "## Progress\n\nI read the spec and wrote **three** endpoints:\n\n"
    + "".join(f"- `GET /todos/{n}` returns todo {n}\n" for n in range(1, 30))
    + "\nNext I will write the migration.\n"
)


async def stream(agent: str, text: str, pace: float = 0.01) -> None:
    for i in range(0, len(text), 3):
        session.emit(TextDelta(agent=agent, text=text[i : i + 3]))
        await asyncio.sleep(pace)


async def backend() -> None:
    session.emit(AgentState(agent="backend", state="running"))
    session.emit(TurnStarted(agent="backend", turn=1))
    session.emit(ThinkingDelta(agent="backend", text="Endpoints first, then the migration."))
    session.emit(ToolCalled(agent="backend", tool_use_id="b1", tool="Bash", input={"command": "pytest -q"}))
    await asyncio.sleep(1.5)
    session.emit(ToolResult(agent="backend", tool_use_id="b1", tool="Bash", output="3 passed", duration_ms=1500))
    await stream("backend", REPORT)
    session.emit(TurnEnded(agent="backend", turn=1, usage={"input_tokens": 4000, "output_tokens": 900}, cost_usd=0.02))
    session.emit(AgentState(agent="backend", state="waiting"))
    view = await broker.request("backend", "migration", title="Create the users table", body="Rollback: drop it")
    session.emit(AgentState(agent="backend", state="running"))
    await stream("backend", f"\n\nThe migration was **{view.decision}**.\n")
    session.emit(AgentState(agent="backend", state="done"))


async def lead() -> None:
    session.emit(AgentState(agent="lead", state="running"))
    session.emit(TurnStarted(agent="lead", turn=1))
    await stream("lead", "Splitting the work: backend takes the API, qa the tests.\n", 0.05)
    for n, (subject, owner) in enumerate([("Write the API", "backend"), ("Test the API", "qa")], 1):
        session.emit(
            parse_event(
                {"type": "task.created", "agent": "lead", "task": {"id": str(n), "subject": subject, "owner": owner}}
            )
        )
        await asyncio.sleep(0.5)
    session.emit(AgentState(agent="lead", state="idle", reason="waiting for the team"))


async def run() -> int:
    session.emit(parse_event({"type": "session.started", "session_id": "live-try", "agents": AGENTS}))
    session.emit(PhaseChanged(agent="lead", phase="BUILD"))
    await asyncio.gather(lead(), backend())
    session.emit(parse_event({"type": "session.ended", "status": "done"}))
    return 0


app = make_app(session, broker=broker, runner=run)

if __name__ == "__main__":
    app.run()
    print("exit code", app.return_code)
