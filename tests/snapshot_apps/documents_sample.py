"""A hand-written session with shared documents, for the documents screen's Pilot and snapshot tests."""

from __future__ import annotations

from partytui.core.truth import events as ev
from partytui.core.truth.state import TeamState, fold
from snapshot_apps.modals_common import AGENTS, T0

PLAN = """\
# Multi-agent plan

| Agent | Owns | Status |
|---|---|---|
| backend | store, migration | in progress |
| qa | tests | waiting |

## Handoffs
1. backend writes `.orchestrator/complete/TASK-001.done` when the store is ready.
2. qa starts on TASK-002 after that.
"""

CLAUDE = """\
# Project conventions

- Python 3.11, standard library only.
- Tests with pytest under `tests/`.
"""

REQUIREMENTS = "# Requirements\n\n" + "".join(f"- R{i}: the tool does thing number {i}.\n" for i in range(1, 41))


def documents_state() -> TeamState:
    def at(minutes: float) -> float:
        return T0 + minutes * 60

    events: list[ev.EventBase] = [
        ev.SessionStarted(seq=1, ts=T0, session_id="docs", workspace="/work/notes", agents=AGENTS),
        ev.DocumentChanged(seq=2, ts=at(0), path="CLAUDE.md", content=CLAUDE, size=len(CLAUDE)),
        ev.DocumentChanged(
            seq=3, ts=at(1), agent="lead", path="requirements.md", content=REQUIREMENTS, size=len(REQUIREMENTS)
        ),
        ev.DocumentChanged(seq=4, ts=at(2), agent="lead", path="MULTI_AGENT_PLAN.md", content="# Plan\n", size=7),
        ev.DocumentRead(seq=5, ts=at(3), agent="backend", path="CLAUDE.md"),
        ev.DocumentRead(seq=6, ts=at(4), agent="qa", path="CLAUDE.md"),
        ev.DocumentChanged(seq=7, ts=at(6), agent="backend", path="MULTI_AGENT_PLAN.md", content=PLAN, size=len(PLAN)),
        ev.DocumentRead(seq=8, ts=at(7), agent="qa", path="MULTI_AGENT_PLAN.md"),
        ev.DocumentChanged(
            seq=9,
            ts=at(8),
            agent="backend",
            path="docs/schema.md",
            content="# Schema\n\n" + "x" * 2000,
            size=90_000,
            truncated=True,
        ),
    ]
    return fold(events)
