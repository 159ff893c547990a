"""TeamState: what a session looks like after a sequence of events, built by a reducer with no I/O.

The live TUI, headless runs, ``summary``, resume and replay all fold events through :meth:`TeamState.apply`,
so they cannot disagree about what happened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, NamedTuple

from . import events as ev
from .events import AgentInfo, ApprovalRequest, ChecklistItem, Task, Todo, Usage


@dataclass
class Entry:
    """One item of an agent's transcript."""

    kind: str  # text | thinking | tool | message_in | message_out | user | approval | error | retry | context
    seq: int
    ts: float
    chunks: list[str] = field(default_factory=list)
    # tool calls
    tool: str | None = None
    tool_use_id: str | None = None
    input: dict[str, Any] | None = None
    output: str | None = None
    ok: bool | None = None  # None while the tool runs
    duration_ms: float | None = None
    # messages and approvals
    peer: str | None = None
    approval_id: int | None = None
    via: str | None = None  # a sub-agent's call: which sub-agent made it

    @property
    def text(self) -> str:
        if len(self.chunks) > 1:
            self.chunks[:] = ["".join(self.chunks)]
        return self.chunks[0] if self.chunks else ""


@dataclass
class AgentView:
    info: AgentInfo
    state: str = "idle"
    reason: str = ""
    state_since: float = 0.0
    turns: int = 0
    usage: Usage = field(default_factory=Usage)
    cost_usd: float | None = 0.0  # None once any turn's cost is unknown
    transcript: list[Entry] = field(default_factory=list)
    todos: list[Todo] = field(default_factory=list)
    running_tool: str | None = None
    tool_since: float = 0.0
    fresh_block: bool = True  # the next delta starts a new transcript entry (a new turn began)
    turn_start: int = 0  # transcript length when the current turn began (a retry discards what came after)
    turn_open: bool = False  # a turn started and has not ended (a crash may leave one so)

    @property
    def name(self) -> str:
        return self.info.name


@dataclass
class PhaseSpan:
    name: str
    started_at: float
    ended_at: float | None = None


@dataclass
class TaskView:
    task: Task
    created_at: float
    updated_at: float
    created_by: str | None = None
    # (ts, status, owner, by) for each change
    history: list[tuple[float, str, str | None, str | None]] = field(default_factory=list)


@dataclass
class ApprovalView:
    request: ApprovalRequest
    requested_at: float
    seq: int
    decision: str | None = None  # approved | rejected | answered; None while pending
    by: str | None = None
    note: str = ""
    answers: list[str] = field(default_factory=list)
    answered_at: float | None = None

    @property
    def pending(self) -> bool:
        return self.decision is None


@dataclass
class MessageView:
    sender: str
    recipient: str
    content: str
    summary: str
    ts: float


@dataclass
class FileView:
    path: str
    agent: str | None
    action: str
    ts: float


@dataclass
class ChecklistView:
    """A Markdown checklist an agent keeps in the workspace, as last parsed."""

    path: str
    owner: str | None
    items: list[ChecklistItem]
    by: str | None
    updated_at: float
    truncated: bool = False


@dataclass
class DocumentView:
    """A shared plan or context document: its current content, who last changed it, who read it."""

    path: str
    content: str
    size: int
    truncated: bool
    changed_by: str | None
    changed_at: float
    changes: int = 1
    reads: dict[str, float] = field(default_factory=dict)  # agent → when it last read the document
    changers: list[str] = field(default_factory=list)  # every agent that changed it, first change first


@dataclass
class MarkerView:
    path: str
    marker: str
    task_id: str | None
    by: str | None
    found_at: float
    note: str = ""


@dataclass
class TeamState:
    session_id: str = ""
    goal: str = ""
    workspace: str = ""
    mode: str = "live"
    scenario: str | None = None
    status: str = "running"
    reason: str = ""
    phase: str | None = None
    phases: list[PhaseSpan] = field(default_factory=list)
    agents: dict[str, AgentView] = field(default_factory=dict)
    tasks: dict[str, TaskView] = field(default_factory=dict)
    approvals: dict[int, ApprovalView] = field(default_factory=dict)
    messages: list[MessageView] = field(default_factory=list)
    # what a tool call already did to the team, by its tool_use_id (a message's recipient, a task's id):
    # a call run again after a crash finds its effect here instead of doing it twice
    effects: dict[str, str] = field(default_factory=dict)
    files: dict[str, FileView] = field(default_factory=dict)
    checklists: dict[str, ChecklistView] = field(default_factory=dict)  # by workspace-relative path
    documents: dict[str, DocumentView] = field(default_factory=dict)
    markers: dict[str, MarkerView] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    load_warnings: list[str] = field(default_factory=list)  # of the agent files, as last loaded
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
        return any(
            (dep := self.tasks.get(b)) is not None and dep.task.status != "completed" for b in task.blocked_by
        )

    def checklists_of(self, agent: str) -> list[ChecklistView]:
        return [c for c in self.checklists.values() if c.owner == agent]

    def approved(self, kind: str, agent: str | None = None) -> list[ApprovalView]:
        return [
            a
            for a in self.approvals.values()
            if a.request.kind == kind and a.decision == "approved" and (agent is None or a.request.agent == agent)
        ]

    # ── the reducer ─────────────────────────────────────────────────────────

    def apply(self, event: ev.EventBase) -> "Change":
        """Fold one event; returns what it changed, for views that redraw only that."""
        self._fold(event)
        return Change(event, event.concerns(self), not event.streaming)

    def apply_all(self, events: Iterable[ev.EventBase]) -> "TeamState":
        for event in events:
            self._fold(event)
        return self

    def _fold(self, event: ev.EventBase) -> None:
        self.last_seq = max(self.last_seq, event.seq)
        self.last_ts = max(self.last_ts, event.ts)
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            handler(self, event)

    # helpers for handlers
    def _agent(self, name: str | None) -> AgentView | None:
        if name is None:
            return None
        view = self.agents.get(name)
        if view is None:
            # an event from an agent we were never told about (imported logs): make room for it
            view = self.agents[name] = AgentView(AgentInfo(name=name, model="unknown"))
        return view

    def _entry(self, agent: AgentView, kind: str, event: ev.EventBase, **kw: Any) -> Entry:
        entry = Entry(kind=kind, seq=event.seq, ts=event.ts, **kw)
        agent.transcript.append(entry)
        return entry


def fold(events: Iterable[ev.EventBase]) -> TeamState:
    return TeamState().apply_all(events)


class Change(NamedTuple):
    """What folding one event changed: the agents whose panes show it, and whether anything beyond their
    transcripts (the board, the timeline, the status bar) may have moved."""

    event: ev.EventBase
    agents: tuple[str, ...]
    structural: bool


# ── handlers, one per event type ─────────────────────────────────────────────


def _session_started(s: TeamState, e: ev.SessionStarted) -> None:
    s.session_id, s.goal, s.workspace, s.mode, s.scenario = e.session_id, e.goal, e.workspace, e.mode, e.scenario
    s.started_at = e.ts
    s.status = "running"
    s.load_warnings = list(e.load_warnings)
    for info in e.agents:
        # a copy: the reducer later fills in the model, and must never change the event it was given
        s.agents[info.name] = AgentView(info=info.model_copy(), state_since=e.ts)


def _session_resumed(s: TeamState, e: ev.SessionResumed) -> None:
    s.resumes += 1
    s.load_warnings = list(e.load_warnings)
    for agent in s.agents.values():
        if agent.turn_open:
            # the turn a crash cut short is asked again: its partial text would show twice
            kept = agent.transcript[agent.turn_start :]
            agent.transcript[agent.turn_start :] = [x for x in kept if x.kind not in ("text", "thinking")]
            agent.turn_open, agent.fresh_block = False, True
    s.status = "running"
    s.reason = ""
    s.ended_at = None


def _session_ended(s: TeamState, e: ev.SessionEnded) -> None:
    s.status, s.reason, s.ended_at = e.status, e.reason, e.ts
    if s.phases and s.phases[-1].ended_at is None and e.status == "done":
        s.phases[-1].ended_at = e.ts


def _agent_joined(s: TeamState, e: ev.AgentJoined) -> None:
    if e.info.name in s.agents:
        s.agents[e.info.name].info = e.info.model_copy()
    else:
        s.agents[e.info.name] = AgentView(info=e.info.model_copy(), state_since=e.ts)


def _phase_changed(s: TeamState, e: ev.PhaseChanged) -> None:
    if s.phases and s.phases[-1].ended_at is None:
        s.phases[-1].ended_at = e.ts
    s.phases.append(PhaseSpan(e.phase, e.ts))
    s.phase = e.phase


def _agent_state(s: TeamState, e: ev.AgentState) -> None:
    agent = s._agent(e.agent)
    if agent:
        agent.state, agent.reason, agent.state_since = e.state, e.reason, e.ts


def _turn_started(s: TeamState, e: ev.TurnStarted) -> None:
    agent = s._agent(e.agent)
    if agent is None:
        return
    if e.cleared:
        outputs = "output" if e.cleared == 1 else "outputs"
        s._entry(agent, "context", e, chunks=[f"{e.cleared} earlier tool {outputs} cleared from the request to keep "
                                               "the conversation within the model's context window (the log keeps them)"])
    agent.fresh_block = True
    agent.turn_start = len(agent.transcript)
    agent.turn_open = True
    if e.model and agent.info.model in ("", "unknown"):
        agent.info.model = e.model


def _delta(kind: str) -> Callable[[TeamState, Any], None]:
    def handler(s: TeamState, e: ev.TextDelta | ev.ThinkingDelta) -> None:
        agent = s._agent(e.agent)
        if agent is None:
            return
        last = agent.transcript[-1] if agent.transcript else None
        if last is not None and last.kind == kind and not agent.fresh_block:
            last.chunks.append(e.text)
        else:
            s._entry(agent, kind, e, chunks=[e.text])
            agent.fresh_block = False

    return handler


def _turn_ended(s: TeamState, e: ev.TurnEnded) -> None:
    agent = s._agent(e.agent)
    if agent is None:
        return
    agent.turns += 1
    agent.turn_open = False
    u, t = agent.usage, e.usage
    u.input_tokens += t.input_tokens
    u.output_tokens += t.output_tokens
    u.cache_creation_input_tokens += t.cache_creation_input_tokens
    u.cache_read_input_tokens += t.cache_read_input_tokens
    if e.cost_usd is None or agent.cost_usd is None:
        agent.cost_usd = None
    else:
        agent.cost_usd += e.cost_usd


def _turn_retry(s: TeamState, e: ev.TurnRetry) -> None:
    agent = s._agent(e.agent)
    if agent:
        # the failed attempt's partial text is streamed again by the retry: drop it so it shows once
        kept = agent.transcript[agent.turn_start :]
        agent.transcript[agent.turn_start :] = [x for x in kept if x.kind not in ("text", "thinking")]
        agent.fresh_block = True
        text = f"retrying in {e.delay_s:g}s ({e.reason}), attempt {e.attempt}/{e.max_attempts}"
        s._entry(agent, "retry", e, chunks=[text])


def _tool_called(s: TeamState, e: ev.ToolCalled) -> None:
    agent = s._agent(e.agent)
    if agent:
        via = None
        if e.parent_tool_use_id:
            spawn = next((x for x in reversed(agent.transcript) if x.tool_use_id == e.parent_tool_use_id), None)
            spec = (spawn.input or {}) if spawn is not None else {}
            via = str(spec.get("subagent_type") or spec.get("description") or "sub-agent")
        s._entry(agent, "tool", e, tool=e.tool, tool_use_id=e.tool_use_id, input=e.input, via=via)
        agent.running_tool, agent.tool_since = e.tool, e.ts


def _tool_result(s: TeamState, e: ev.ToolResult) -> None:
    agent = s._agent(e.agent)
    if agent is None:
        return
    for entry in reversed(agent.transcript):
        if entry.kind == "tool" and entry.tool_use_id == e.tool_use_id:
            entry.output, entry.ok, entry.duration_ms = e.output, e.ok, e.duration_ms
            break
    else:
        s._entry(agent, "tool", e, tool=e.tool, tool_use_id=e.tool_use_id, output=e.output, ok=e.ok)
    agent.running_tool = None


def _task_created(s: TeamState, e: ev.TaskCreated) -> None:
    task = e.task.model_copy()
    s.tasks[task.id] = TaskView(task, e.ts, e.ts, e.agent, [(e.ts, task.status, task.owner, e.agent)])
    if getattr(e, "tool_use_id", None):
        s.effects[e.tool_use_id] = task.id


def _task_updated(s: TeamState, e: ev.TaskUpdated) -> None:
    view = s.tasks.get(e.task.id)
    if view is None:
        _task_created(s, ev.TaskCreated(seq=e.seq, ts=e.ts, agent=e.agent, task=e.task))
        return
    before = view.task
    view.task, view.updated_at = e.task.model_copy(), e.ts
    if (before.status, before.owner) != (e.task.status, e.task.owner):
        view.history.append((e.ts, e.task.status, e.task.owner, e.agent))


def _todo_updated(s: TeamState, e: ev.TodoUpdated) -> None:
    agent = s._agent(e.agent)
    if agent:
        agent.todos = list(e.todos)


def _message_sent(s: TeamState, e: ev.MessageSent) -> None:
    sender = e.agent or "you"
    s.messages.append(MessageView(sender, e.recipient, e.content, e.summary, e.ts))
    if e.id:
        s.effects[e.id] = e.recipient
    if (agent := s.agents.get(sender)) is not None:
        s._entry(agent, "message_out", e, chunks=[e.content], peer=e.recipient)
    for name in e.recipients_in(s.agents):
        if name != sender and (recipient := s.agents.get(name)) is not None:
            s._entry(recipient, "message_in", e, chunks=[e.content], peer=sender)


def _user_message(s: TeamState, e: ev.UserMessage) -> None:
    agent = s._agent(e.agent)
    if agent:
        s._entry(agent, "user", e, chunks=[e.text], peer="you")
    s.messages.append(MessageView("you", e.agent or "", e.text, "", e.ts))


def _approval_requested(s: TeamState, e: ev.ApprovalRequested) -> None:
    req = e.request
    s.approvals[req.id] = ApprovalView(req, e.ts, e.seq)
    agent = s._agent(req.agent)
    if agent:
        s._entry(agent, "approval", e, chunks=[req.title or req.summary], approval_id=req.id)
        # the asking agent waits: derived here so live, resumed and replayed sessions agree
        reason = "reply from you" if req.kind == "reply" else f"approval #{req.id} ({req.kind})"
        agent.state, agent.reason, agent.state_since = "waiting", reason, e.ts


def _approval_answered(s: TeamState, e: ev.ApprovalAnswered) -> None:
    view = s.approvals.get(e.id)
    if view is None or not view.pending:
        return  # answering twice changes nothing: the first answer stands
    view.decision, view.by, view.note, view.answers, view.answered_at = e.decision, e.by, e.note, e.answers, e.ts
    agent = s.agents.get(view.request.agent)
    if agent is not None and agent.state == "waiting":
        agent.state, agent.reason, agent.state_since = "running", "", e.ts


def _file_changed(s: TeamState, e: ev.FileChanged) -> None:
    if e.action == "delete":
        s.files.pop(e.path, None)
    else:
        s.files[e.path] = FileView(e.path, e.agent, e.action, e.ts)


def _checklist_updated(s: TeamState, e: ev.ChecklistUpdated) -> None:
    if e.deleted:
        s.checklists.pop(e.path, None)
        return
    items = [item.model_copy() for item in e.items]
    s.checklists[e.path] = ChecklistView(e.path, e.agent, items, e.by, e.ts, e.truncated)


def _document_changed(s: TeamState, e: ev.DocumentChanged) -> None:
    if e.deleted:
        s.documents.pop(e.path, None)
        return
    doc = s.documents.get(e.path)
    if doc is None:
        doc = s.documents[e.path] = DocumentView(e.path, e.content, e.size, e.truncated, e.agent, e.ts)
    else:
        doc.content, doc.size, doc.truncated = e.content, e.size, e.truncated
        doc.changed_by, doc.changed_at = e.agent, e.ts
        doc.changes += 1
    if e.agent and e.agent not in doc.changers:
        doc.changers.append(e.agent)


def _document_read(s: TeamState, e: ev.DocumentRead) -> None:
    doc = s.documents.get(e.path)
    if doc is not None and e.agent:
        doc.reads[e.agent] = e.ts


def _marker_found(s: TeamState, e: ev.MarkerFound) -> None:
    s.markers[e.path] = MarkerView(e.path, e.marker, e.task_id, e.agent, e.ts, e.note)


def _error(s: TeamState, e: ev.ErrorEvent) -> None:
    s.errors.append(f"{e.agent}: {e.message}" if e.agent else e.message)
    agent = s.agents.get(e.agent) if e.agent else None
    if agent:
        s._entry(agent, "error", e, chunks=[e.message])


# what each event does to the state; an event of a type not here (Unknown) changes nothing but the clock
_HANDLERS: dict[type[ev.EventBase], Callable[[TeamState, Any], None]] = {
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
