"""The folded final state of a session as plain data: what ``partytui summary --json`` prints."""

from __future__ import annotations

from typing import Any

from .state import TeamState


def summarize(state: TeamState) -> dict[str, Any]:
    return {
        "session_id": state.session_id,
        "status": state.status,
        "reason": state.reason,
        "goal": state.goal,
        "workspace": state.workspace,
        "phase": state.phase,
        "phases": [
            {"name": p.name, "started_at": p.started_at, "ended_at": p.ended_at} for p in state.phases
        ],
        "tasks": [
            {
                "id": t.task.id,
                "subject": t.task.subject,
                "status": t.task.status,
                "owner": t.task.owner,
                "blocked_by": t.task.blocked_by,
            }
            for t in state.tasks.values()
            if t.task.source == "team"
        ],
        "approvals": [
            {
                "id": a.request.id,
                "kind": a.request.kind,
                "agent": a.request.agent,
                "title": a.request.title,
                "decision": a.decision or "pending",
                "by": a.by,
                "note": a.note,
                "answers": a.answers,
            }
            for a in state.approvals.values()
        ],
        "agents": [
            {
                "name": a.name,
                "model": a.info.model,
                "state": a.state,
                "turns": a.turns,
                "input_tokens": a.usage.input_tokens,
                "output_tokens": a.usage.output_tokens,
                "cache_read_input_tokens": a.usage.cache_read_input_tokens,
                "cache_creation_input_tokens": a.usage.cache_creation_input_tokens,
                "cost_usd": None if a.cost_usd is None else round(a.cost_usd, 6),
            }
            for a in state.agents.values()
        ],
        "messages": len(state.messages),
        "files_written": sorted(state.files),
        "errors": state.errors,
        "started_at": state.started_at,
        "ended_at": state.ended_at,
    }
