"""The event vocabulary: every fact of a session is one of these, and the session log is a list of them.

Events are pydantic models in a discriminated union on ``type``. The envelope (format version, sequence
number, timestamp, agent) is common to all; ``Session.emit`` fills ``seq`` and ``ts``.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

if TYPE_CHECKING:
    from .state import TeamState

FORMAT_VERSION = 1

PHASES = ("BRAINSTORM", "PLAN", "BUILD", "VALIDATE")

TaskStatus = Literal["pending", "in_progress", "completed", "deleted"]
ApprovalKind = Literal["question", "design", "migration", "plan", "other", "permission", "reply"]
Decision = Literal["approved", "rejected", "answered"]
AgentStateName = Literal["idle", "running", "waiting", "paused", "done", "error", "cancelled"]
RunStatus = Literal["running", "done", "failed", "waiting", "cancelled", "stalled"]


class Payload(BaseModel):
    # Newer writers may add fields; an older reader keeps and ignores them.
    model_config = ConfigDict(extra="allow")


# ── payload models ────────────────────────────────────────────────────────────


class Usage(Payload):
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0


class Task(Payload):
    id: str
    subject: str
    description: str = ""
    active_form: str = ""
    status: TaskStatus = "pending"
    owner: str | None = None
    blocks: list[str] = Field(default_factory=list)
    blocked_by: list[str] = Field(default_factory=list)
    # who the task belongs to when it mirrors an agent's own list (TodoWrite, a checklist file)
    source: str = "team"


class Todo(Payload):
    content: str
    status: Literal["pending", "in_progress", "completed"] = "pending"
    active_form: str = ""


class QuestionOption(Payload):
    label: str
    description: str = ""


class Question(Payload):
    question: str
    header: str = ""
    multi_select: bool = False
    options: list[QuestionOption] = Field(default_factory=list)


class ApprovalRequest(Payload):
    id: int
    kind: ApprovalKind
    agent: str
    title: str = ""
    summary: str = ""
    body: str = ""  # Markdown: the design, the plan, the migration's rollback notes
    files: list[str] = Field(default_factory=list)  # workspace-relative paths to show
    questions: list[Question] = Field(default_factory=list)  # kind == "question"
    tool: str | None = None  # kind == "permission": the tool asking to run
    tool_input: dict[str, Any] | None = None
    tool_use_id: str | None = None


class AgentInfo(Payload):
    name: str
    model: str
    color: str = "white"
    description: str = ""
    tools: list[str] = Field(default_factory=list)
    lead: bool = False
    permission_mode: str = "default"
    runtime: str = "api"  # how the agent runs: "api" (partytui's loop) or "claude-code"


# ── events ────────────────────────────────────────────────────────────────────


class EventBase(BaseModel):
    """The envelope, and what the rest of partytui asks of an event, declared once per event class.

    A new event type sets these on its class (the defaults fit most) and is then logged, folded, redrawn
    and replayed like the others: nothing else keeps a list of event types.
    """

    model_config = ConfigDict(extra="allow")
    if TYPE_CHECKING:
        type: str  # each event class's own Literal; for the type checker only, pydantic never sees it
    v: int = FORMAT_VERSION
    seq: int = 0
    ts: float = 0.0
    agent: str | None = None

    # the log writes its buffer out after this event (deltas wait for the next such event or the timer)
    ends_group: ClassVar[bool] = True
    # the log fsyncs right after it: a decision a person made is on disk before anyone acts on it
    durable: ClassVar[bool] = False
    # it only grows a transcript: the board, the timeline and the status bar stay as they are
    streaming: ClassVar[bool] = False
    # the replay bar marks it and [ / ] can jump to it, under this kind (see ``MARKER_KINDS``)
    replay_marker: ClassVar[str | None] = None

    def concerns(self, state: TeamState) -> tuple[str, ...]:
        """The agents whose panes this event changes, asked of the state it was just folded into."""
        return (self.agent,) if self.agent else ()


class SessionStarted(EventBase):
    type: Literal["session.started"] = "session.started"
    session_id: str
    goal: str = ""
    workspace: str = ""
    mode: Literal["live", "scripted", "imported"] = "live"
    scenario: str | None = None
    agents: list[AgentInfo] = Field(default_factory=list)
    # what a resume needs to rebuild the same team: where its agent files were, and a solo run's prompt
    agents_dirs: list[str] = Field(default_factory=list)
    solo_prompt: str | None = None
    # what partytui will not do as the agent files ask (core/team/definitions.py load_warnings)
    load_warnings: list[str] = Field(default_factory=list)


class SessionResumed(EventBase):
    type: Literal["session.resumed"] = "session.resumed"
    reason: str = ""
    load_warnings: list[str] = Field(default_factory=list)  # the agent files as loaded again for this resume


class SessionEnded(EventBase):
    type: Literal["session.ended"] = "session.ended"
    durable: ClassVar[bool] = True
    status: RunStatus
    reason: str = ""


class AgentJoined(EventBase):
    """An agent joins after the start (an imported subagent, a spawned helper)."""

    type: Literal["agent.joined"] = "agent.joined"
    ends_group: ClassVar[bool] = False
    info: AgentInfo


class PhaseChanged(EventBase):
    type: Literal["phase.changed"] = "phase.changed"
    replay_marker: ClassVar[str | None] = "phase"
    phase: str
    previous: str | None = None
    note: str = ""


class AgentState(EventBase):
    type: Literal["agent.state"] = "agent.state"
    state: AgentStateName
    reason: str = ""


class AgentControl(EventBase):
    """The person's control over one agent (``agent``): pause it, let it go on, or cancel it for good."""

    type: Literal["agent.control"] = "agent.control"
    durable: ClassVar[bool] = True  # the person's decision is on disk before it acts
    action: Literal["pause", "resume", "cancel"]


class AgentHeld(EventBase):
    """A scripted turn of ``agent`` waits for a condition of the team (``why``), or no longer does (empty)."""

    type: Literal["agent.held"] = "agent.held"
    ends_group: ClassVar[bool] = False  # written with the turn's next step
    why: str = ""


class TurnStarted(EventBase):
    type: Literal["turn.started"] = "turn.started"
    ends_group: ClassVar[bool] = False  # written with the turn's first step
    turn: int
    model: str = ""
    # the text blocks the agent was given for this turn besides tool results (the goal, messages that
    # arrived, the person's words): with turn.ended and tool.result they rebuild the conversation on resume
    inputs: list[str] = Field(default_factory=list)
    # tool outputs of earlier turns cleared from this turn's request to stay within the context window
    cleared: int = 0
    # the runtime's own conversation this turn belongs to (Claude Code's session id): a resume continues it
    resume_id: str | None = None
    resume_at: str | None = None  # where in that conversation the turn starts: a turn cut short starts there again


class TextDelta(EventBase):
    type: Literal["text.delta"] = "text.delta"
    ends_group: ClassVar[bool] = False
    streaming: ClassVar[bool] = True
    text: str


class ThinkingDelta(EventBase):
    type: Literal["thinking.delta"] = "thinking.delta"
    ends_group: ClassVar[bool] = False
    streaming: ClassVar[bool] = True
    text: str


class TurnEnded(EventBase):
    type: Literal["turn.ended"] = "turn.ended"
    turn: int
    model: str = ""
    stop_reason: str | None = None
    # the assistant message's content blocks as sent back to the API (resume rebuilds history from them)
    content: list[dict[str, Any]] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float | None = None  # None: the model's price is unknown


class TurnRetry(EventBase):
    type: Literal["turn.retry"] = "turn.retry"
    attempt: int
    max_attempts: int
    delay_s: float
    reason: str


class ToolCalled(EventBase):
    type: Literal["tool.called"] = "tool.called"
    tool_use_id: str
    tool: str
    input: dict[str, Any] = Field(default_factory=dict)
    # a call made by a sub-agent the agent started (Claude Code's Task/Agent): that call's tool_use_id
    parent_tool_use_id: str | None = None


class ToolResult(EventBase):
    type: Literal["tool.result"] = "tool.result"
    tool_use_id: str
    tool: str
    ok: bool = True
    output: str = ""
    duration_ms: float = 0.0


class _TaskEvent(EventBase):
    """A team task, or an agent's own list mirrored as tasks (that agent's pane shows it too)."""

    task: Task
    replay_marker: ClassVar[str | None] = "task"

    def concerns(self, state: TeamState) -> tuple[str, ...]:
        own = (self.task.source,) if self.task.source != "team" else ()
        return (*super().concerns(state), *own)


class TaskCreated(_TaskEvent):
    type: Literal["task.created"] = "task.created"
    tool_use_id: str | None = None  # the TaskCreate call that made it: a task is created once by it
    task: Task


class TaskUpdated(_TaskEvent):
    type: Literal["task.updated"] = "task.updated"
    task: Task  # the whole task after the change


class TodoUpdated(EventBase):
    type: Literal["todo.updated"] = "todo.updated"
    todos: list[Todo] = Field(default_factory=list)


# What an agent may write as SendMessage's recipient to reach every teammate.
BROADCAST = frozenset({"*", "all", "team", "everyone"})


class MessageSent(EventBase):
    """An agent's message to other agents (``agent`` is the sender).

    ``recipient`` is what the sender wrote (a name, or a broadcast word); ``recipients`` who the team
    delivered it to, resolved once when it was sent. Logs written before ``recipients`` existed resolve
    ``recipient`` by the same rule (:meth:`resolve`) when read.
    """

    type: Literal["message.sent"] = "message.sent"
    recipient: str
    content: str
    summary: str = ""
    id: str | None = None  # the SendMessage call's tool_use_id: a message is delivered once by it
    recipients: list[str] | None = None
    replay_marker: ClassVar[str | None] = "message"

    @staticmethod
    def resolve(recipient: str, sender: str | None, team: Iterable[str]) -> list[str]:
        """Who a message to ``recipient`` reaches in ``team``: every teammate but the sender for a broadcast,
        else the one named (if it is on the team)."""
        if recipient in BROADCAST:
            return [name for name in team if name != sender]
        return [recipient] if recipient in team and recipient != sender else []

    def recipients_in(self, team: Iterable[str]) -> list[str]:
        """Who the message reached: as logged, or resolved from ``team`` for an older log."""
        if self.recipients is not None:
            return list(self.recipients)
        return self.resolve(self.recipient, self.agent, team)

    def reaches(self, name: str) -> bool:
        if self.recipients is not None:
            return name in self.recipients
        return name != self.agent and (self.recipient == name or self.recipient in BROADCAST)

    def concerns(self, state: TeamState) -> tuple[str, ...]:
        return (*super().concerns(state), *self.recipients_in(state.agents))


class UserMessage(EventBase):
    """The person's message to one agent (``agent`` is the recipient)."""

    type: Literal["user.message"] = "user.message"
    text: str
    replay_marker: ClassVar[str | None] = "message"


class ApprovalRequested(EventBase):
    type: Literal["approval.requested"] = "approval.requested"
    request: ApprovalRequest
    durable: ClassVar[bool] = True
    replay_marker: ClassVar[str | None] = "approval"

    def concerns(self, state: TeamState) -> tuple[str, ...]:
        return (*super().concerns(state), self.request.agent)


class ApprovalAnswered(EventBase):
    type: Literal["approval.answered"] = "approval.answered"
    id: int
    decision: Decision
    by: Literal["human", "policy"] = "human"
    note: str = ""
    answers: list[str] = Field(default_factory=list)  # kind == "question": one line per question
    durable: ClassVar[bool] = True
    replay_marker: ClassVar[str | None] = "approval"

    def concerns(self, state: TeamState) -> tuple[str, ...]:
        view = state.approvals.get(self.id)  # the asking agent's pane shows the answer
        return (*super().concerns(state), *((view.request.agent,) if view is not None else ()))


class FileChanged(EventBase):
    type: Literal["file.changed"] = "file.changed"
    path: str  # workspace-relative
    action: Literal["write", "edit", "delete"] = "write"


class ChecklistItem(Payload):
    """One line of a Markdown checklist an agent keeps in the workspace."""

    text: str
    done: bool = False
    section: str = ""  # the heading above it ("In Progress", "To Do", "Completed", …)
    doing: bool = False  # marked in progress in the line itself (``[~]``, ``[-]``, ``[/]``)

    @property
    def status(self) -> Literal["pending", "in_progress", "completed"]:
        if self.done:
            return "completed"
        section = self.section.lower()
        if self.doing or "progress" in section or "doing" in section or "current" in section:
            return "in_progress"
        return "pending"


class ChecklistUpdated(EventBase):
    """A checklist file parsed whole; ``agent`` is whose list it is (None: no agent of the team)."""

    type: Literal["checklist.updated"] = "checklist.updated"
    ends_group: ClassVar[bool] = False
    path: str  # workspace-relative
    items: list[ChecklistItem] = Field(default_factory=list)
    by: str | None = None  # who changed the file, when known
    truncated: bool = False  # the file was longer than the mirror reads
    deleted: bool = False


class DocumentChanged(EventBase):
    """A shared document's content as it is now; ``agent`` changed it (None: before the run, or unknown)."""

    type: Literal["document.changed"] = "document.changed"
    ends_group: ClassVar[bool] = False
    path: str  # workspace-relative
    content: str = ""
    size: int = 0  # bytes on disk; the content stops at the mirror's cap
    truncated: bool = False
    deleted: bool = False


class DocumentRead(EventBase):
    type: Literal["document.read"] = "document.read"
    ends_group: ClassVar[bool] = False
    path: str


class MarkerFound(EventBase):
    """A completion marker file; ``task_id`` is the team task it completed (None: no task matches yet)."""

    type: Literal["marker.found"] = "marker.found"
    ends_group: ClassVar[bool] = False
    path: str
    marker: str  # the id in the file name: ``.orchestrator/complete/<marker>.done``
    task_id: str | None = None
    note: str = ""  # the start of the file's text, if any


class ErrorEvent(EventBase):
    type: Literal["error"] = "error"
    replay_marker: ClassVar[str | None] = "error"
    message: str
    fatal: bool = False


class Unknown(EventBase):
    """A record type this version does not know (written by a newer partytui or an importer)."""

    type: str


def _event_classes(base: type[EventBase]) -> Iterable[type[EventBase]]:
    for cls in base.__subclasses__():
        if "type" in cls.model_fields and cls.model_fields["type"].default is not None:
            yield cls
        yield from _event_classes(cls)


EVENT_TYPES: dict[str, type[EventBase]] = {
    cls.model_fields["type"].default: cls for cls in _event_classes(EventBase) if cls is not Unknown
}

# the kinds of event the replay bar marks, in the order of their declaration
MARKER_KINDS: tuple[str, ...] = tuple(
    dict.fromkeys(cls.replay_marker for cls in EVENT_TYPES.values() if cls.replay_marker)
)

# Every event class, found from the classes themselves: a new event type is known here by being defined.
_EVENT_UNION: Any = functools.reduce(operator.or_, EVENT_TYPES.values())
_adapter: TypeAdapter[EventBase] = TypeAdapter(Annotated[_EVENT_UNION, Field(discriminator="type")])


def parse_event(data: dict[str, Any]) -> EventBase:
    """One event from its JSON object; an unknown ``type`` passes through as :class:`Unknown`."""
    if data.get("type") not in EVENT_TYPES:
        return Unknown.model_validate(data)
    event: EventBase = _adapter.validate_python(data)
    return event


def parse_event_json(raw: bytes | str) -> EventBase:
    """One event validated straight from its raw JSON; anything it refuses raises ``ValueError``."""
    event: EventBase = _adapter.validate_json(raw)
    return event


def to_json(event: EventBase) -> str:
    return event.model_dump_json(exclude_none=True)
