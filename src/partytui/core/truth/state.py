"""TeamState: what a session looks like after a sequence of events, built by a reducer with no I/O.

The live TUI, headless runs, ``summary``, resume and replay all fold events through the same handlers, so
they cannot disagree about what happened. The state is a value: every record is frozen and every collection
read-only (``core/truth/frozen.py``), and folding an event makes a new state that shares everything the event did
not touch. Whoever holds a state (a view, a replay checkpoint) holds it as it was; assigning to it raises.
:class:`Reducer` folds events one at a time for a live session or a replay, and hands out its state by
reference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

from . import events as ev
from .events import AgentInfo, ApprovalRequest, ChecklistItem, Task, Todo, Usage
from .frozen import FrozenDict, PVector, pvector, with_item, without_item

_T = TypeVar("_T")
_new = object.__new__


def _evolve(record: _T, **changes: Any) -> _T:
    """A copy of a frozen record with some fields changed (``dataclasses.replace`` without its checks: the
    reducer calls this once per streamed delta)."""
    new = _new(type(record))
    fields = new.__dict__
    fields.update(record.__dict__)
    fields.update(changes)
    return new


@dataclass(frozen=True)
class Entry:
    """One item of an agent's transcript."""

    kind: str  # text | thinking | tool | message_in | message_out | user | approval | error | retry | context
    seq: int
    ts: float
    chunks: PVector[str] = field(default_factory=pvector)
    # tool calls
    tool: str | None = None
    tool_use_id: str | None = None
    input: FrozenDict[str, Any] | None = None
    output: str | None = None
    ok: bool | None = None  # None while the tool runs
    duration_ms: float | None = None
    # messages and approvals
    peer: str | None = None
    approval_id: int | None = None
    via: str | None = None  # a sub-agent's call: which sub-agent made it

    @property
    def text(self) -> str:
        # joined once per version of the entry (a streamed block is a new version per delta)
        cached = self.__dict__.get("_text")
        if cached is not None and cached[0] is self.chunks:
            joined: str = cached[1]
            return joined
        text = "".join(self.chunks)
        self.__dict__["_text"] = (self.chunks, text)
        return text


@dataclass(frozen=True)
class AgentView:
    info: AgentInfo
    state: str = "idle"
    reason: str = ""
    state_since: float = 0.0
    turns: int = 0
    usage: Usage = field(default_factory=Usage)
    cost_usd: float | None = 0.0  # None once any turn's cost is unknown
    transcript: PVector[Entry] = field(default_factory=pvector)
    todos: PVector[Todo] = field(default_factory=pvector)
    running_tool: str | None = None
    tool_since: float = 0.0
    fresh_block: bool = True  # the next delta starts a new transcript entry (a new turn began)
    turn_start: int = 0  # transcript length when the current turn began (a retry discards what came after)
    turn_open: bool = False  # a turn started and has not ended (a crash may leave one so)

    @property
    def name(self) -> str:
        return self.info.name


@dataclass(frozen=True)
class PhaseSpan:
    name: str
    started_at: float
    ended_at: float | None = None


@dataclass(frozen=True)
class TaskView:
    task: Task
    created_at: float
    updated_at: float
    created_by: str | None = None
    # (ts, status, owner, by) for each change
    history: PVector[tuple[float, str, str | None, str | None]] = field(default_factory=pvector)


@dataclass(frozen=True)
class ApprovalView:
    request: ApprovalRequest
    requested_at: float
    seq: int
    decision: str | None = None  # approved | rejected | answered; None while pending
    by: str | None = None
    note: str = ""
    answers: PVector[str] = field(default_factory=pvector)
    answered_at: float | None = None

    @property
    def pending(self) -> bool:
        return self.decision is None


@dataclass(frozen=True)
class MessageView:
    sender: str
    recipient: str
    content: str
    summary: str
    ts: float


@dataclass(frozen=True)
class FileView:
    path: str
    agent: str | None
    action: str
    ts: float


@dataclass(frozen=True)
class ChecklistView:
    """A Markdown checklist an agent keeps in the workspace, as last parsed."""

    path: str
    owner: str | None
    items: PVector[ChecklistItem]
    by: str | None
    updated_at: float
    truncated: bool = False


@dataclass(frozen=True)
class DocumentView:
    """A shared plan or context document: its current content, who last changed it, who read it."""

    path: str
    content: str
    size: int
    truncated: bool
    changed_by: str | None
    changed_at: float
    changes: int = 1
    reads: FrozenDict[str, float] = field(default_factory=FrozenDict)  # agent → when it last read the document
    changers: PVector[str] = field(default_factory=pvector)  # every agent that changed it, first change first


@dataclass(frozen=True)
class MarkerView:
    path: str
    marker: str
    task_id: str | None
    by: str | None
    found_at: float
    note: str = ""


@dataclass(frozen=True)
class TeamState:
    session_id: str = ""
    goal: str = ""
    workspace: str = ""
    mode: str = "live"
    scenario: str | None = None
    status: str = "running"
    reason: str = ""
    phase: str | None = None
    phases: PVector[PhaseSpan] = field(default_factory=pvector)
    agents: FrozenDict[str, AgentView] = field(default_factory=FrozenDict)
    tasks: FrozenDict[str, TaskView] = field(default_factory=FrozenDict)
    approvals: FrozenDict[int, ApprovalView] = field(default_factory=FrozenDict)
    messages: PVector[MessageView] = field(default_factory=pvector)
    # what a tool call already did to the team, by its tool_use_id (a message's recipient, a task's id):
    # a call run again after a crash finds its effect here instead of doing it twice
    effects: FrozenDict[str, str] = field(default_factory=FrozenDict)
    files: FrozenDict[str, FileView] = field(default_factory=FrozenDict)
    checklists: FrozenDict[str, ChecklistView] = field(default_factory=FrozenDict)  # by workspace-relative path
    documents: FrozenDict[str, DocumentView] = field(default_factory=FrozenDict)
    markers: FrozenDict[str, MarkerView] = field(default_factory=FrozenDict)
    errors: PVector[str] = field(default_factory=pvector)
    load_warnings: PVector[str] = field(default_factory=pvector)  # of the agent files, as last loaded
    started_at: float | None = None
    ended_at: float | None = None
    last_ts: float = 0.0
    last_seq: int = 0
    resumes: int = 0

    # ── queries ──────────────────────────────────────────────────────────────

    @property
    def pending_approvals(self) -> list[ApprovalView]:
        return [a for a in self.approvals.values() if a.pending]

    @property
    def lead(self) -> str | None:
        return next((a.name for a in self.agents.values() if a.info.lead), None)

    def team_tasks(self) -> list[TaskView]:
        return [t for t in self.tasks.values() if t.task.status != "deleted"]

    def is_blocked(self, task: Task) -> bool:
        return any((dep := self.tasks.get(b)) is not None and dep.task.status != "completed" for b in task.blocked_by)

    def checklists_of(self, agent: str) -> list[ChecklistView]:
        return [c for c in self.checklists.values() if c.owner == agent]

    def approved(self, kind: str, agent: str | None = None) -> list[ApprovalView]:
        return [
            a
            for a in self.approvals.values()
            if a.request.kind == kind and a.decision == "approved" and (agent is None or a.request.agent == agent)
        ]

    # ── folding ─────────────────────────────────────────────────────────────

    def apply(self, event: ev.EventBase) -> TeamState:
        """The state after ``event`` (this one stays as it is)."""
        reducer = Reducer(self)
        reducer.fold(event)
        return reducer.state

    def apply_all(self, events: Iterable[ev.EventBase]) -> TeamState:
        """The state after ``events``, in order (this one stays as it is)."""
        reducer = Reducer(self)
        for event in events:
            reducer.fold(event)
        return reducer.state


def fold(events: Iterable[ev.EventBase]) -> TeamState:
    return TeamState().apply_all(events)


class Reducer:
    """Folds events one at a time; ``state`` is the state after the last one, a value to keep as long as wanted.

    Each handler returns the top-level fields an event changes (records and collections below are new
    values that share what the event did not touch). The reducer writes them into a copy of the state that
    nobody else has seen yet, and keeps writing into that copy until ``state`` hands it out: a fold of a
    whole log makes one top-level copy, a live session one per look at its state.

    Streamed deltas, nearly every event of a log, take a shorter way on the same principle: while the
    agent and the entry a delta grows were made by this reducer since it last handed out its state, nobody
    else can hold them, and the delta is added to that entry in place.
    """

    __slots__ = ("_mark", "_private", "_state")

    def __init__(self, state: TeamState | None = None) -> None:
        self._state = state if state is not None else TeamState()
        self._private = False  # True while _state is this reducer's own copy, seen by no one
        self._mark = object()  # tags the agents and entries made since the state was last handed out

    @property
    def state(self) -> TeamState:
        if self._private:
            self._private = False
            self._mark = object()
        return self._state

    @property
    def last_seq(self) -> int:
        """The last sequence number folded (read without handing the state out)."""
        return self._state.last_seq

    def apply(self, event: ev.EventBase) -> Change:
        """Fold one event; returns what it changed, for views that redraw only that."""
        self.fold(event)
        return Change(event, event.concerns(self._state), not event.streaming)

    def fold(self, event: ev.EventBase) -> None:
        """Fold one event, without working out what it changed (a whole log, a replay's seek)."""
        state = self._state
        streamed = _STREAMED.get(type(event))
        if streamed is not None and self._private and self._grow(state, event, streamed):
            changes = None
        else:
            handler = _HANDLERS.get(type(event))
            changes = handler(state, event) if handler is not None else None
            if not self._private:
                state = self._state = _evolve(state)
                self._private = True
            if streamed is not None and changes:
                agent = changes["agents"][event.agent]
                agent.__dict__["_made_by"] = agent.transcript[-1].__dict__["_made_by"] = self._mark
        fields = state.__dict__
        if event.seq > state.last_seq:
            fields["last_seq"] = event.seq
        if event.ts > state.last_ts:
            fields["last_ts"] = event.ts
        if changes:
            fields.update(changes)

    def _grow(self, state: TeamState, e: ev.EventBase, kind: str) -> bool:
        """Add a delta to the entry it grows, in place, if this reducer made that entry and its agent since
        it last handed out its state. False: the delta takes the handler's way."""
        agent = state.agents.get(e.agent or "")
        if agent is None or agent.fresh_block or agent.__dict__.get("_made_by") is not self._mark:
            return False
        last = agent.transcript[-1]
        if last.kind != kind or last.__dict__.get("_made_by") is not self._mark:
            return False
        fields = last.__dict__
        fields["chunks"] = last.chunks.append(e.text)  # type: ignore[attr-defined]
        fields["_text"] = None
        return True


class Change(NamedTuple):
    """What folding one event changed: the agents whose panes show it, and whether anything beyond their
    transcripts (the board, the timeline, the status bar) may have moved."""

    event: ev.EventBase
    agents: tuple[str, ...]
    structural: bool


Changes = dict[str, Any]  # a handler's answer: new values of TeamState's fields


def _agent(s: TeamState, name: str | None) -> AgentView | None:
    """The agent ``name``; one we were never told about (imported logs) is made room for."""
    if name is None:
        return None
    view = s.agents.get(name)
    if view is None:
        view = AgentView(AgentInfo(name=name, model="unknown"))
    return view


def _put(s: TeamState, *views: AgentView) -> Changes:
    agents = s.agents
    for view in views:
        agents = with_item(agents, view.name, view)
    return {"agents": agents}


def _entry(kind: str, event: ev.EventBase, text: str | None = None, **kw: Any) -> Entry:
    return Entry(kind=kind, seq=event.seq, ts=event.ts, chunks=pvector() if text is None else pvector([text]), **kw)


def _without_partial_turn(agent: AgentView) -> PVector[Entry]:
    """The transcript without the text and thinking of the turn under way (streamed again by a retry)."""
    transcript = agent.transcript
    kept = [x for x in transcript[agent.turn_start :] if x.kind not in ("text", "thinking")]
    return transcript.delete(agent.turn_start, len(transcript)).extend(kept)


# ── handlers, one per event type: (state, event) → the fields the event changes ─────────────────────


def _session_started(s: TeamState, e: ev.SessionStarted) -> Changes:
    agents = s.agents
    for info in e.agents:
        # a copy: the reducer must never share (or change) the event it was given
        agents = with_item(agents, info.name, AgentView(info=info.model_copy(), state_since=e.ts))
    return {
        "session_id": e.session_id,
        "goal": e.goal,
        "workspace": e.workspace,
        "mode": e.mode,
        "scenario": e.scenario,
        "started_at": e.ts,
        "status": "running",
        "load_warnings": pvector(e.load_warnings),
        "agents": agents,
    }


def _session_resumed(s: TeamState, e: ev.SessionResumed) -> Changes:
    agents = s.agents
    for agent in s.agents.values():
        if agent.turn_open:
            # the turn a crash cut short is asked again: its partial text would show twice
            agents = with_item(
                agents,
                agent.name,
                _evolve(agent, transcript=_without_partial_turn(agent), turn_open=False, fresh_block=True),
            )
    return {
        "resumes": s.resumes + 1,
        "load_warnings": pvector(e.load_warnings),
        "agents": agents,
        "status": "running",
        "reason": "",
        "ended_at": None,
    }


def _session_ended(s: TeamState, e: ev.SessionEnded) -> Changes:
    changes: Changes = {"status": e.status, "reason": e.reason, "ended_at": e.ts}
    if s.phases and s.phases[-1].ended_at is None and e.status == "done":
        changes["phases"] = s.phases.set(-1, _evolve(s.phases[-1], ended_at=e.ts))
    return changes


def _agent_joined(s: TeamState, e: ev.AgentJoined) -> Changes:
    known = s.agents.get(e.info.name)
    if known is not None:
        return _put(s, _evolve(known, info=e.info.model_copy()))
    return _put(s, AgentView(info=e.info.model_copy(), state_since=e.ts))


def _phase_changed(s: TeamState, e: ev.PhaseChanged) -> Changes:
    phases = s.phases
    if phases and phases[-1].ended_at is None:
        phases = phases.set(-1, _evolve(phases[-1], ended_at=e.ts))
    return {"phases": phases.append(PhaseSpan(e.phase, e.ts)), "phase": e.phase}


def _agent_state(s: TeamState, e: ev.AgentState) -> Changes | None:
    agent = _agent(s, e.agent)
    if agent is None:
        return None
    return _put(s, _evolve(agent, state=e.state, reason=e.reason, state_since=e.ts))


def _turn_started(s: TeamState, e: ev.TurnStarted) -> Changes | None:
    agent = _agent(s, e.agent)
    if agent is None:
        return None
    transcript = agent.transcript
    if e.cleared:
        outputs = "output" if e.cleared == 1 else "outputs"
        transcript = transcript.append(
            _entry(
                "context",
                e,
                f"{e.cleared} earlier tool {outputs} cleared from the "
                "request to keep the conversation within the model's context "
                "window (the log keeps them)",
            )
        )
    info = agent.info
    if e.model and info.model in ("", "unknown"):
        info = info.model_copy(update={"model": e.model})
    return _put(
        s,
        _evolve(agent, transcript=transcript, fresh_block=True, turn_start=len(transcript), turn_open=True, info=info),
    )


def _delta(kind: str) -> Callable[[TeamState, Any], Changes | None]:
    # the hot path: one call per streamed delta, so it touches the agent, its transcript's last entry and
    # nothing else
    def handler(s: TeamState, e: ev.TextDelta | ev.ThinkingDelta) -> Changes | None:
        agent = _agent(s, e.agent)
        if agent is None:
            return None
        transcript = agent.transcript
        last = transcript[-1] if transcript else None
        if last is not None and last.kind == kind and not agent.fresh_block:
            grown = _evolve(last, chunks=last.chunks.append(e.text), _text=None)  # the joined text is now stale
            new = _evolve(agent, transcript=transcript.set(-1, grown))
        else:
            new = _evolve(agent, transcript=transcript.append(_entry(kind, e, e.text)), fresh_block=False)
        return {"agents": with_item(s.agents, new.info.name, new)}

    return handler


def _turn_ended(s: TeamState, e: ev.TurnEnded) -> Changes | None:
    agent = _agent(s, e.agent)
    if agent is None:
        return None
    u, t = agent.usage, e.usage
    usage = Usage(
        input_tokens=u.input_tokens + t.input_tokens,
        output_tokens=u.output_tokens + t.output_tokens,
        cache_creation_input_tokens=u.cache_creation_input_tokens + t.cache_creation_input_tokens,
        cache_read_input_tokens=u.cache_read_input_tokens + t.cache_read_input_tokens,
    )
    cost = None if e.cost_usd is None or agent.cost_usd is None else agent.cost_usd + e.cost_usd
    return _put(s, _evolve(agent, turns=agent.turns + 1, turn_open=False, usage=usage, cost_usd=cost))


def _turn_retry(s: TeamState, e: ev.TurnRetry) -> Changes | None:
    agent = _agent(s, e.agent)
    if agent is None:
        return None
    # the failed attempt's partial text is streamed again by the retry: drop it so it shows once
    text = f"retrying in {e.delay_s:g}s ({e.reason}), attempt {e.attempt}/{e.max_attempts}"
    transcript = _without_partial_turn(agent).append(_entry("retry", e, text))
    return _put(s, _evolve(agent, transcript=transcript, fresh_block=True))


def _tool_called(s: TeamState, e: ev.ToolCalled) -> Changes | None:
    agent = _agent(s, e.agent)
    if agent is None:
        return None
    via = None
    if e.parent_tool_use_id:
        spawn = next((x for x in reversed(agent.transcript) if x.tool_use_id == e.parent_tool_use_id), None)
        spec: Mapping[str, Any] = (spawn.input or {}) if spawn is not None else {}
        via = str(spec.get("subagent_type") or spec.get("description") or "sub-agent")
    # the input is read-only at its top level (its nested JSON values are the event's, as the log has them)
    entry = _entry("tool", e, tool=e.tool, tool_use_id=e.tool_use_id, input=FrozenDict(e.input), via=via)
    return _put(s, _evolve(agent, transcript=agent.transcript.append(entry), running_tool=e.tool, tool_since=e.ts))


def _tool_result(s: TeamState, e: ev.ToolResult) -> Changes | None:
    agent = _agent(s, e.agent)
    if agent is None:
        return None
    transcript = agent.transcript
    for i in range(len(transcript) - 1, -1, -1):
        entry = transcript[i]
        if entry.kind == "tool" and entry.tool_use_id == e.tool_use_id:
            transcript = transcript.set(i, _evolve(entry, output=e.output, ok=e.ok, duration_ms=e.duration_ms))
            break
    else:
        transcript = transcript.append(
            _entry("tool", e, tool=e.tool, tool_use_id=e.tool_use_id, output=e.output, ok=e.ok)
        )
    return _put(s, _evolve(agent, transcript=transcript, running_tool=None))


def _task_created(s: TeamState, e: ev.TaskCreated) -> Changes:
    task = e.task.model_copy()
    view = TaskView(task, e.ts, e.ts, e.agent, pvector([(e.ts, task.status, task.owner, e.agent)]))
    changes: Changes = {"tasks": with_item(s.tasks, task.id, view)}
    if getattr(e, "tool_use_id", None):
        changes["effects"] = with_item(s.effects, e.tool_use_id, task.id)
    return changes


def _task_updated(s: TeamState, e: ev.TaskUpdated) -> Changes:
    view = s.tasks.get(e.task.id)
    if view is None:
        return _task_created(s, ev.TaskCreated(seq=e.seq, ts=e.ts, agent=e.agent, task=e.task))
    before = view.task
    history = view.history
    if (before.status, before.owner) != (e.task.status, e.task.owner):
        history = history.append((e.ts, e.task.status, e.task.owner, e.agent))
    new = _evolve(view, task=e.task.model_copy(), updated_at=e.ts, history=history)
    return {"tasks": with_item(s.tasks, e.task.id, new)}


def _todo_updated(s: TeamState, e: ev.TodoUpdated) -> Changes | None:
    agent = _agent(s, e.agent)
    if agent is None:
        return None
    return _put(s, _evolve(agent, todos=pvector(e.todos)))


def _message_sent(s: TeamState, e: ev.MessageSent) -> Changes:
    sender = e.agent or "you"
    changes: Changes = {"messages": s.messages.append(MessageView(sender, e.recipient, e.content, e.summary, e.ts))}
    if e.id:
        changes["effects"] = with_item(s.effects, e.id, e.recipient)
    touched = []
    if (agent := s.agents.get(sender)) is not None:
        out = _entry("message_out", e, e.content, peer=e.recipient)
        touched.append(_evolve(agent, transcript=agent.transcript.append(out)))
    for name in e.recipients_in(s.agents):
        if name != sender and (recipient := s.agents.get(name)) is not None:
            received = _entry("message_in", e, e.content, peer=sender)
            touched.append(_evolve(recipient, transcript=recipient.transcript.append(received)))
    if touched:
        changes.update(_put(s, *touched))
    return changes


def _user_message(s: TeamState, e: ev.UserMessage) -> Changes:
    changes: Changes = {"messages": s.messages.append(MessageView("you", e.agent or "", e.text, "", e.ts))}
    agent = _agent(s, e.agent)
    if agent is not None:
        changes.update(
            _put(s, _evolve(agent, transcript=agent.transcript.append(_entry("user", e, e.text, peer="you"))))
        )
    return changes


def _approval_requested(s: TeamState, e: ev.ApprovalRequested) -> Changes:
    req = e.request
    changes: Changes = {"approvals": with_item(s.approvals, req.id, ApprovalView(req, e.ts, e.seq))}
    agent = _agent(s, req.agent)
    if agent is not None:
        entry = _entry("approval", e, req.title or req.summary, approval_id=req.id)
        # the asking agent waits: derived here so live, resumed and replayed sessions agree
        reason = "reply from you" if req.kind == "reply" else f"approval #{req.id} ({req.kind})"
        changes.update(
            _put(
                s,
                _evolve(
                    agent, transcript=agent.transcript.append(entry), state="waiting", reason=reason, state_since=e.ts
                ),
            )
        )
    return changes


def _approval_answered(s: TeamState, e: ev.ApprovalAnswered) -> Changes | None:
    view = s.approvals.get(e.id)
    if view is None or not view.pending:
        return None  # answering twice changes nothing: the first answer stands
    answered = _evolve(view, decision=e.decision, by=e.by, note=e.note, answers=pvector(e.answers), answered_at=e.ts)
    changes: Changes = {"approvals": with_item(s.approvals, e.id, answered)}
    agent = s.agents.get(view.request.agent)
    if agent is not None and agent.state == "waiting":
        changes.update(_put(s, _evolve(agent, state="running", reason="", state_since=e.ts)))
    return changes


def _file_changed(s: TeamState, e: ev.FileChanged) -> Changes:
    if e.action == "delete":
        return {"files": without_item(s.files, e.path)}
    return {"files": with_item(s.files, e.path, FileView(e.path, e.agent, e.action, e.ts))}


def _checklist_updated(s: TeamState, e: ev.ChecklistUpdated) -> Changes:
    if e.deleted:
        return {"checklists": without_item(s.checklists, e.path)}
    items = pvector(item.model_copy() for item in e.items)
    return {
        "checklists": with_item(s.checklists, e.path, ChecklistView(e.path, e.agent, items, e.by, e.ts, e.truncated))
    }


def _document_changed(s: TeamState, e: ev.DocumentChanged) -> Changes:
    if e.deleted:
        return {"documents": without_item(s.documents, e.path)}
    doc = s.documents.get(e.path)
    if doc is None:
        doc = DocumentView(e.path, e.content, e.size, e.truncated, e.agent, e.ts)
    else:
        doc = _evolve(
            doc,
            content=e.content,
            size=e.size,
            truncated=e.truncated,
            changed_by=e.agent,
            changed_at=e.ts,
            changes=doc.changes + 1,
        )
    if e.agent and e.agent not in doc.changers:
        doc = _evolve(doc, changers=doc.changers.append(e.agent))
    return {"documents": with_item(s.documents, e.path, doc)}


def _document_read(s: TeamState, e: ev.DocumentRead) -> Changes | None:
    doc = s.documents.get(e.path)
    if doc is None or not e.agent:
        return None
    return {"documents": with_item(s.documents, e.path, _evolve(doc, reads=with_item(doc.reads, e.agent, e.ts)))}


def _marker_found(s: TeamState, e: ev.MarkerFound) -> Changes:
    return {"markers": with_item(s.markers, e.path, MarkerView(e.path, e.marker, e.task_id, e.agent, e.ts, e.note))}


def _error(s: TeamState, e: ev.ErrorEvent) -> Changes:
    changes: Changes = {"errors": s.errors.append(f"{e.agent}: {e.message}" if e.agent else e.message)}
    agent = s.agents.get(e.agent) if e.agent else None
    if agent is not None:
        changes.update(_put(s, _evolve(agent, transcript=agent.transcript.append(_entry("error", e, e.message)))))
    return changes


# the events that stream into the last entry of a transcript, and the kind of entry each grows
_STREAMED: dict[type[ev.EventBase], str] = {ev.TextDelta: "text", ev.ThinkingDelta: "thinking"}

# what each event does to the state; an event of a type not here (Unknown) changes nothing but the clock
_HANDLERS: dict[type[ev.EventBase], Callable[[TeamState, Any], Changes | None]] = {
    ev.SessionStarted: _session_started,
    ev.SessionResumed: _session_resumed,
    ev.SessionEnded: _session_ended,
    ev.AgentJoined: _agent_joined,
    ev.PhaseChanged: _phase_changed,
    ev.AgentState: _agent_state,
    ev.TurnStarted: _turn_started,
    ev.TextDelta: _delta("text"),
    ev.ThinkingDelta: _delta("thinking"),
    ev.TurnEnded: _turn_ended,
    ev.TurnRetry: _turn_retry,
    ev.ToolCalled: _tool_called,
    ev.ToolResult: _tool_result,
    ev.TaskCreated: _task_created,
    ev.TaskUpdated: _task_updated,
    ev.TodoUpdated: _todo_updated,
    ev.MessageSent: _message_sent,
    ev.UserMessage: _user_message,
    ev.ApprovalRequested: _approval_requested,
    ev.ApprovalAnswered: _approval_answered,
    ev.FileChanged: _file_changed,
    ev.ChecklistUpdated: _checklist_updated,
    ev.DocumentChanged: _document_changed,
    ev.DocumentRead: _document_read,
    ev.MarkerFound: _marker_found,
    ev.ErrorEvent: _error,
}
