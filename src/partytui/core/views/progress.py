"""Headless progress: one readable line per significant event, for terminals and CI logs."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TextIO

from ..truth import events as ev
from ..truth.state import TeamState
from .plain import plain_line
from .present import clock_time, key_argument, one_line


def describe(event: ev.EventBase, state: TeamState) -> str | None:
    """The progress line for an event, or None for events too small to print (deltas, turn bookkeeping)."""
    who = event.agent or "team"
    match event:
        case ev.SessionStarted():
            names = ", ".join(a.name for a in event.agents)
            return f"session {event.session_id} started: {names}" + (f" — goal: {event.goal}" if event.goal else "")
        case ev.SessionResumed():
            return "session resumed"
        case ev.SessionEnded():
            return f"session ended: {event.status}" + (f" — {event.reason}" if event.reason else "")
        case ev.PhaseChanged():
            return f"phase {event.phase}" + (f" ({event.note})" if event.note else "")
        case ev.ToolCalled():
            return f"{who}: {event.tool} {one_line(key_argument(event.tool, event.input), 70)}".rstrip()
        case ev.ToolResult() if not event.ok:
            first = event.output.strip().splitlines()[0] if event.output.strip() else "failed"
            return f"{who}: {event.tool} failed: {first[:120]}"
        case ev.TaskCreated():
            return f"task #{event.task.id} created: {event.task.subject}"
        case ev.TaskUpdated():
            view = state.tasks.get(event.task.id)
            if view is None or len(view.history) < 2 or view.history[-1][0] != event.ts:
                return None  # an edit that moved nothing
            owner = f" ({event.task.owner})" if event.task.owner else ""
            return f"task #{event.task.id} {event.task.status}{owner}: {event.task.subject}"
        case ev.MessageSent():
            text = (event.summary or event.content).replace("\n", " ")
            return f"{who} → {event.recipient}: {text[:100]}"
        case ev.UserMessage():
            return f"you → {who}: {event.text[:100]}"
        case ev.ApprovalRequested():
            r = event.request
            return f"request #{r.id} ({r.kind}) from {r.agent}: {r.title or r.summary}"
        case ev.ApprovalAnswered():
            detail = "; ".join(event.answers) or event.note
            return f"request #{event.id} {event.decision} by {event.by}" + (f": {detail[:120]}" if detail else "")
        case ev.TurnRetry():
            return (
                f"{who}: retrying in {event.delay_s:g}s ({event.reason}), attempt {event.attempt}/{event.max_attempts}"
            )
        case ev.ErrorEvent():
            return f"{who}: error: {event.message}"
        case ev.AgentState() if event.state in ("error", "cancelled", "done"):
            return f"{who} {event.state}" + (f": {event.reason}" if event.reason else "")
    return None


class ProgressPrinter:
    def __init__(self, state: Callable[[], TeamState], out: TextIO, clock: Callable[[], float] | None = None) -> None:
        self.state = state  # the session's state now (a value each event replaces)
        self.out = out
        self.started: float | None = None

    def __call__(self, event: ev.EventBase) -> None:
        line = describe(event, self.state())
        if line is None:
            return
        line = plain_line(line)  # names, subjects and commands come from agents: never terminal control
        if self.started is None:
            self.started = event.ts
        try:
            self.out.write(f"[{clock_time(event.ts - self.started)}] {line}\n")
            self.out.flush()
        except (BrokenPipeError, ValueError):
            # the reader went away (`| head`): the run goes on and its log keeps everything
            self.out = open(os.devnull, "w")  # noqa: SIM115  # the output for the rest of the run
