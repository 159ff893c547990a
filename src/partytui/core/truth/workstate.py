"""Each agent's working state, folded from the log: the conversation it continues and the person's controls.

:func:`step` is pure: it takes a :class:`WorkState` and one event and gives the next :class:`WorkState`,
never changing either. The live run keeps ``Session.work`` current with it as each event is emitted, and
``resume`` folds the log with it (:func:`fold_work`) and continues from there — so a resumed agent stands
exactly where the live one stood, with no second reading of the log.

What is folded, per agent:

- the conversation in the Messages API's shape (``turn.started`` opens a user message from the tool results
  logged since the last turn and the turn's inputs; ``turn.ended`` adds the assistant's content);
- the tool calls of the last turn still without a result (run again on resume), and every call logged (a call
  is never logged twice);
- what reached the agent since its last turn began (messages, the person's words and replies, phase news);
- Claude Code's own conversation id and where in it the last turn began;
- paused, cancelled, done, and held (a scripted turn waiting for a condition of the team).

At ``session.resumed`` a turn that a stop cut short is taken back (:func:`taken_back`): its tool results and
inputs wait for the turn that asks it again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from . import events as ev

RUN_ENDED = "the run ended"  # the reason given to agents the end of a run stopped (a resume carries them on)
INTERRUPTED = "interrupted"  # the result of a call a later turn began without (it never got one)


def phase_news(event: ev.PhaseChanged) -> str:
    """What the rest of the team reads when an agent moves the team to another phase."""
    return f"{event.agent} moved the team to the {event.phase} phase." + (f" {event.note}" if event.note else "")


def reply_input(decision: str | None, answers: Iterable[str], note: str) -> str:
    """What an agent reads of the person's reply to the question it asked in prose (a reply request)."""
    if decision == "rejected":
        return "The person chose not to reply" + (f": {note}" if note else ". Carry on.")
    return f"Reply from the person supervising: {chr(10).join(answers) or note or '(empty reply)'}"


def _result_block(event: ev.ToolResult) -> dict[str, Any]:
    return {"type": "tool_result", "tool_use_id": event.tool_use_id, "content": event.output, "is_error": not event.ok}


@dataclass(frozen=True)
class AgentWork:
    """One agent's working state; every field is replaced, never changed in place."""

    turn: int = 0  # the number of the last turn begun (a turn taken back on resume is not counted)
    turn_open: bool = False  # a turn began and has not ended
    taken: bool = False  # the last turn began was taken back at a resume (a stop cut it short)
    messages: tuple[dict[str, Any], ...] = ()  # the conversation, as the Messages API takes it
    calls: tuple[dict[str, Any], ...] = ()  # the tool_use blocks of the last turn that ended
    answered: tuple[dict[str, Any], ...] = ()  # tool_result blocks for those calls (or carried back), for the next turn
    called: frozenset[str] = frozenset()  # tool_use ids logged as called: a call is never logged twice
    unresolved: frozenset[str] = frozenset()  # top-level calls since the turn began that have no result yet
    inputs: tuple[str, ...] = ()  # what reached the agent since its turn began: read on its next turn
    notes: tuple[str, ...] = ()  # news that waits for the next turn without starting one
    resume_id: str | None = None  # the runtime's own conversation (Claude Code's session id)
    resume_at: str | None = None  # where in it the last turn began
    paused: bool = False
    cancelled: bool = False  # by the person: stays stopped on resume
    done: bool = False
    held: str = ""  # why a scripted turn waits (empty: not held)

    @property
    def unfinished(self) -> list[dict[str, Any]]:
        """Calls of the last turn with no result yet (on resume: run again, or asked whether to be)."""
        answered = {r["tool_use_id"] for r in self.answered}
        return [c for c in self.calls if c.get("id") not in answered]

    @property
    def stopped(self) -> bool:
        """Finished, or cancelled by the person: no more turns, on resume either."""
        return self.done or self.cancelled


@dataclass(frozen=True)
class WorkState:
    """Every agent's :class:`AgentWork`, by name; ``agents`` is replaced as a whole, never changed."""

    agents: Mapping[str, AgentWork] = field(default_factory=dict)
    replies: Mapping[int, str] = field(default_factory=dict)  # reply requests not answered yet → who asked

    def agent(self, name: str | None) -> AgentWork:
        return self.agents.get(name or "") or _EMPTY

    def with_agent(self, name: str, work: AgentWork) -> WorkState:
        return replace(self, agents={**self.agents, name: work})

    @property
    def held(self) -> dict[str, str]:
        """Agents whose scripted turn waits for the team, and why."""
        return {name: w.held for name, w in self.agents.items() if w.held}


_EMPTY = AgentWork()


def opening(work: AgentWork, inputs: Iterable[str]) -> dict[str, Any]:
    """The user message a turn given ``inputs`` opens with: the last turn's tool results, then the inputs.
    Calls of the last turn that never got a result are answered as interrupted."""
    gaps = [
        {"type": "tool_result", "tool_use_id": c.get("id"), "content": INTERRUPTED, "is_error": True}
        for c in work.unfinished
    ]
    return {"role": "user", "content": [*work.answered, *gaps, *({"type": "text", "text": t} for t in inputs)]}


def taken_back(work: AgentWork) -> AgentWork:
    """A turn a stop cut short, taken back: asked again, with the same tool results and inputs, on resume."""
    if not work.turn_open:
        return replace(work, held="")
    last = work.messages[-1] if work.messages and work.messages[-1]["role"] == "user" else None
    content = last["content"] if last is not None else []
    return replace(
        work,
        turn=work.turn - 1,
        turn_open=False,
        taken=True,
        unresolved=frozenset(),
        messages=work.messages[:-1] if last is not None else work.messages,
        calls=(),
        answered=tuple(b for b in content if b.get("type") == "tool_result"),
        inputs=tuple(b["text"] for b in content if b.get("type") == "text") + work.inputs,
        held="",
    )


# ── the fold ─────────────────────────────────────────────────────────────────


def step(state: WorkState, event: ev.EventBase) -> WorkState:
    """The working state after ``event``; ``state`` and ``event`` are left as they were."""
    handler = _HANDLERS.get(type(event))
    return state if handler is None else handler(state, event)


def fold_work(events: Iterable[ev.EventBase]) -> WorkState:
    state = WorkState()
    for event in events:
        state = step(state, event)
    return state


def _one(change: Callable[[AgentWork, Any], AgentWork]) -> Callable[[WorkState, Any], WorkState]:
    """A handler for an event that changes only its own agent's work."""

    def handler(state: WorkState, event: ev.EventBase) -> WorkState:
        if event.agent is None:
            return state
        before = state.agent(event.agent)
        after = change(before, event)
        return state if after is before else state.with_agent(event.agent, after)

    return handler


def _session_started(state: WorkState, e: ev.SessionStarted) -> WorkState:
    return replace(state, agents={**state.agents, **{a.name: state.agent(a.name) for a in e.agents}})


def _agent_joined(state: WorkState, e: ev.AgentJoined) -> WorkState:
    return state.with_agent(e.info.name, state.agent(e.info.name))


def _session_resumed(state: WorkState, e: ev.SessionResumed) -> WorkState:
    return replace(state, agents={name: taken_back(work) for name, work in state.agents.items()})


def _turn_started(work: AgentWork, e: ev.TurnStarted) -> AgentWork:
    return replace(
        work,
        turn=e.turn,
        turn_open=True,
        taken=False,
        messages=(*work.messages, opening(work, e.inputs)),
        calls=(),
        answered=(),
        unresolved=frozenset(),
        inputs=(),
        notes=(),
        resume_id=e.resume_id,
        resume_at=e.resume_at,
    )


def _turn_ended(work: AgentWork, e: ev.TurnEnded) -> AgentWork:
    return replace(
        work,
        turn_open=False,
        messages=(*work.messages, {"role": "assistant", "content": e.content}),
        calls=tuple(b for b in e.content if b.get("type") == "tool_use"),
        answered=(),
    )


def _tool_called(work: AgentWork, e: ev.ToolCalled) -> AgentWork:
    top = e.parent_tool_use_id is None
    return replace(
        work,
        called=work.called | {e.tool_use_id},
        unresolved=work.unresolved | {e.tool_use_id} if top else work.unresolved,
    )


def _tool_result(work: AgentWork, e: ev.ToolResult) -> AgentWork:
    ours = any(c.get("id") == e.tool_use_id for c in work.calls)
    return replace(
        work,
        unresolved=work.unresolved - {e.tool_use_id},
        answered=(*work.answered, _result_block(e)) if ours else work.answered,
    )


def _agent_state(work: AgentWork, e: ev.AgentState) -> AgentWork:
    if e.state == "done":
        return replace(work, done=True)
    if e.state == "cancelled" and e.reason != RUN_ENDED:
        return replace(work, cancelled=True)  # logs written before the person's cancel was an event of its own
    return work


def _control(work: AgentWork, e: ev.AgentControl) -> AgentWork:
    if e.action == "cancel":
        return replace(work, cancelled=True)
    return replace(work, paused=e.action == "pause")


def _held(work: AgentWork, e: ev.AgentHeld) -> AgentWork:
    return replace(work, held=e.why)


def _user_message(work: AgentWork, e: ev.UserMessage) -> AgentWork:
    return replace(work, inputs=(*work.inputs, f"Message from the person supervising: {e.text}"))


def _message_sent(state: WorkState, e: ev.MessageSent) -> WorkState:
    text = f"Message from {e.agent}: {e.content}"
    agents = dict(state.agents)
    for name in e.recipients_in(state.agents):
        work = state.agent(name)
        agents[name] = replace(work, inputs=(*work.inputs, text))
    return replace(state, agents=agents)


def _approval_requested(state: WorkState, e: ev.ApprovalRequested) -> WorkState:
    if e.request.kind != "reply":
        return state
    return replace(state, replies={**state.replies, e.request.id: e.request.agent})


def _approval_answered(state: WorkState, e: ev.ApprovalAnswered) -> WorkState:
    """A reply is the asking agent's next input (a resume finds it there if no turn has read it yet)."""
    agent = state.replies.get(e.id)
    if agent is None:
        return state  # not a reply, or answered already: the first answer stands
    work = state.agent(agent)
    rest = {i: a for i, a in state.replies.items() if i != e.id}
    return replace(
        state,
        replies=rest,
        agents={
            **state.agents,
            agent: replace(work, inputs=(*work.inputs, reply_input(e.decision, e.answers, e.note))),
        },
    )


def _phase_changed(state: WorkState, e: ev.PhaseChanged) -> WorkState:
    if e.previous is None:
        return state  # the team's first phase is nobody's news
    news = phase_news(e)
    return replace(
        state,
        agents={
            name: work if name == e.agent else replace(work, notes=(*work.notes, news))
            for name, work in state.agents.items()
        },
    )


# what each event does to the working state; any other event changes nothing
_HANDLERS: dict[type[ev.EventBase], Callable[[WorkState, Any], WorkState]] = {
    ev.SessionStarted: _session_started,
    ev.AgentJoined: _agent_joined,
    ev.SessionResumed: _session_resumed,
    ev.TurnStarted: _one(_turn_started),
    ev.TurnEnded: _one(_turn_ended),
    ev.ToolCalled: _one(_tool_called),
    ev.ToolResult: _one(_tool_result),
    ev.AgentState: _one(_agent_state),
    ev.AgentControl: _one(_control),
    ev.AgentHeld: _one(_held),
    ev.UserMessage: _one(_user_message),
    ev.MessageSent: _message_sent,
    ev.PhaseChanged: _phase_changed,
    ev.ApprovalRequested: _approval_requested,
    ev.ApprovalAnswered: _approval_answered,
}
