"""Synthetic but realistic partytui sessions for the replay, export and player tests."""

from __future__ import annotations

from partytui.core.truth import events as ev

AGENTS = ("lead", "backend", "frontend", "qa")


def build_session(n_events: int = 2000, start: float = 1_700_000_000.0) -> list[ev.EventBase]:
    """A team session of about ``n_events`` events: phases, turns with deltas, tools, tasks, messages,
    approvals (one of each decision), an error, and a session end."""
    out: list[ev.EventBase] = []
    clock = [start]

    def add(event: ev.EventBase, dt: float = 0.05) -> None:
        clock[0] += dt
        event.ts, event.seq = clock[0], len(out) + 1
        out.append(event)

    add(
        ev.SessionStarted(
            session_id="replay-test",
            goal="Build a URL shortener",
            agents=[ev.AgentInfo(name=a, model="claude-sonnet-4-5", lead=a == "lead") for a in AGENTS],
        )
    )
    turn = {a: 0 for a in AGENTS}
    approval = 0
    task = 0
    i = 0
    while len(out) < n_events - 2:
        i += 1
        if i % 40 == 1:
            phase = ev.PHASES[(i // 40) % 4]
            add(ev.PhaseChanged(phase=phase, agent="lead"), 1.0)
        agent = AGENTS[i % len(AGENTS)]
        turn[agent] += 1
        add(ev.TurnStarted(agent=agent, turn=turn[agent], model="claude-sonnet-4-5"))
        add(ev.ThinkingDelta(agent=agent, text="Let me think. "))
        for k in range(5):
            add(ev.TextDelta(agent=agent, text=f"chunk {k} of turn {turn[agent]}. "))
        tool_id = f"tu_{i}"
        add(ev.ToolCalled(agent=agent, tool_use_id=tool_id, tool="Bash", input={"command": f"echo {i}"}))
        add(
            ev.TurnEnded(
                agent=agent, turn=turn[agent], usage=ev.Usage(input_tokens=100, output_tokens=20), cost_usd=0.001
            )
        )
        add(ev.ToolResult(agent=agent, tool_use_id=tool_id, tool="Bash", ok=i % 9 != 0, output=f"{i}\n"), 0.3)
        if i % 7 == 0:
            task += 1
            add(ev.TaskCreated(agent="lead", task=ev.Task(id=str(task), subject=f"Task {task}", owner=agent)))
        if i % 7 == 3 and task:
            add(
                ev.TaskUpdated(
                    agent=agent, task=ev.Task(id=str(task), subject=f"Task {task}", owner=agent, status="completed")
                )
            )
        if i % 11 == 0:
            add(ev.MessageSent(agent=agent, recipient="lead", content=f"status from {agent} at {i}"))
        if i % 25 == 0:
            approval += 1
            add(
                ev.ApprovalRequested(
                    request=ev.ApprovalRequest(id=approval, kind="design", agent=agent, title=f"Design {approval}")
                ),
                0.1,
            )
            decision = ("approved", "rejected", "answered")[approval % 3]
            add(ev.ApprovalAnswered(id=approval, decision=decision, note="ok" if approval % 2 else ""), 2.0)
        if i % 97 == 0:
            add(ev.ErrorEvent(agent=agent, message=f"rate limited at {i}"))
    add(ev.SessionEnded(status="done"), 0.5)
    return out
