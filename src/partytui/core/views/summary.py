"""The folded final state of a session as plain data: what ``partytui summary --json`` prints."""

from __future__ import annotations

from typing import Any

from ..truth.state import TeamState


def summarize(state: TeamState) -> dict[str, Any]:
    return {
        "session_id": state.session_id,
        "status": state.status,
        "reason": state.reason,
        "goal": state.goal,
        "workspace": state.workspace,
        "phase": state.phase,
        "phases": [{"name": p.name, "started_at": p.started_at, "ended_at": p.ended_at} for p in state.phases],
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
                "answers": list(a.answers),
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
        "checklists": checklists(state),
        "markers": markers(state),
        "documents": documents(state),
        "messages": len(state.messages),
        "files_written": sorted(state.files),
        "errors": list(state.errors),
        "load_warnings": list(state.load_warnings),
        "started_at": state.started_at,
        "ended_at": state.ended_at,
    }


def checklists(state: TeamState) -> list[dict[str, Any]]:
    """The Markdown checklists agents keep in the workspace: whose, every item, how many are done."""
    return [
        {
            "path": c.path,
            "owner": c.owner,
            "updated_by": c.by,
            "done": sum(item.done for item in c.items),
            "total": len(c.items),
            "truncated": c.truncated,
            "items": [{"text": i.text, "status": i.status, "section": i.section} for i in c.items],
        }
        for c in state.checklists.values()
    ]


def markers(state: TeamState) -> list[dict[str, Any]]:
    """The completion markers found: the id each names, who wrote it, the task it completed (None: none yet)."""
    out = []
    for m in state.markers.values():
        task = state.tasks.get(m.task_id) if m.task_id else None
        out.append(
            {
                "path": m.path,
                "id": m.marker,
                "by": m.by,
                "task_id": m.task_id,
                "task": task.task.subject if task else None,
                "note": m.note,
            }
        )
    return out


def documents(state: TeamState) -> list[dict[str, Any]]:
    """The shared plan and context documents: how many versions, who changed and who read each."""
    return [
        {
            "path": d.path,
            "versions": d.changes,
            "changed_by": list(d.changers),
            "last_changed_by": d.changed_by,
            "read_by": sorted(d.reads),
            "size": d.size,
        }
        for d in state.documents.values()
    ]
