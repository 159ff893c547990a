"""The seam between the team and one agent: what an agent is (:class:`AgentSpec`), what the team may do to
it (:class:`AgentRuntime`) and what it may ask of the team (:class:`AgentHost`).

The team layer (tasks, mailbox, phases and gates, the approval broker, the workspace mirror) talks to every
agent through :class:`AgentRuntime` only and never asks which runtime an agent has. A runtime knows how one
agent thinks and acts, and reports all of it as events on the host's session; whatever needs the person
goes through the host's broker, so it is logged before anyone waits.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from ..team.services import TeamServices
from ..truth.events import AgentInfo, AgentState, TextDelta, ThinkingDelta
from ..truth.secrets import StreamRedactor
from ..truth.workstate import AgentWork, reply_input
from ..truth.workstate import phase_news as phase_news  # re-exported for the runtimes package

if TYPE_CHECKING:
    from ..team.approvals import ApprovalBroker
    from ..team.tasks import TaskBoard
    from ..truth.session import Session

RuntimeName = Literal["api", "claude-code"]
RUNTIMES: tuple[str, ...] = ("api", "claude-code")


@dataclass
class AgentSpec:
    """One agent as the team runs it: built once from its agent file, handed unchanged to its runtime."""

    name: str
    model: str
    system_prompt: str
    tools: list[str]  # the partytui tools it may call (the API runtime's toolset, the board's listing)
    description: str = ""
    color: str = "white"
    lead: bool = False
    permission_mode: str = "default"
    tool_patterns: dict[str, list[str]] = field(default_factory=dict)
    disallowed_patterns: dict[str, list[str]] = field(default_factory=dict)
    max_turns: int | None = None
    runtime: str = "api"
    # the file's `tools` and `disallowedTools` as written (None: every tool), for a runtime with its own tools
    file_tools: list[str] | None = None
    disallowed_tools: list[str] = field(default_factory=list)

    def info(self) -> AgentInfo:
        return AgentInfo(
            name=self.name,
            model=self.model,
            color=self.color,
            description=self.description,
            tools=self.tools,
            lead=self.lead,
            permission_mode=self.permission_mode,
            runtime=self.runtime,
        )


class AgentHost(TeamServices, Protocol):
    """What a runtime may ask of the team it belongs to (the team implements it); its tools get the team's services."""

    session: Session
    broker: ApprovalBroker
    board: TaskBoard
    workspace: Path
    solo: bool

    @property
    def finished(self) -> bool: ...
    @property
    def agent_names(self) -> set[str]: ...
    def idle_reason(self, agent: str) -> str: ...
    def check_quiet_soon(self) -> None: ...
    def agent_finished(self, name: str) -> None: ...
    def agent_failed(self, name: str, message: str) -> None: ...
    def session_grant(self, agent: str, tool: str) -> bool: ...
    def check_gates(self, agent: str, tool: str, raw: dict[str, Any]) -> None: ...
    async def ask_before_secret_file(self, agent: str, tool: str, raw: dict[str, Any], tool_use_id: str) -> None: ...
    # the team tools' services (core/team/services.py TeamServices)
    def message(self, sender: str, recipient: str, content: str, summary: str = "", message_id: str = "") -> str: ...
    def advance_phase(self, agent: str, phase: str, note: str = "") -> str: ...
    def end_run(self, agent: str, status: str, summary: str) -> str: ...
    def set_permission_mode(self, agent: str, mode: str) -> None: ...


class AgentRuntime(Protocol):
    """One agent, however it thinks: what the team does to it. Every runtime reports through events only.

    Life: the team ``deliver``s the first prompt, then awaits ``run()`` in a task of its own until the agent
    is done or the task is cancelled. ``continue_from`` (before ``run``) continues a session from its log's
    working state (core/truth/workstate.py), folded before the resume is logged.
    """

    name: str
    spec: AgentSpec
    stopped: bool  # done, cancelled or failed: no more turns

    @property
    def busy(self) -> bool: ...  # has work, or is working (the team is quiet when nobody is busy)
    @property
    def paused(self) -> bool: ...
    async def run(self) -> None: ...
    def deliver(self, text: str, *, wake: bool = True) -> None:
        """Something to read on the next turn: a message, an answer, phase news; ``wake`` starts a turn."""

    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def cancel(self) -> None:
        """No more turns; the team cancels the task running ``run()``."""

    def finish(self, state: str, reason: str) -> None: ...
    def set_permission_mode(self, mode: str) -> None: ...
    def continue_from(self, work: AgentWork) -> None: ...


# ── what every runtime shares ──────────────────────────────────────────────


class RuntimeBase:
    """What every runtime does alike: inputs waiting for the next turn, pause and resume, the agent's state
    on the board, waiting for work, and streamed text passing the secrets guard."""

    def __init__(self, spec: AgentSpec, host: AgentHost) -> None:
        self.spec = spec
        self.name = spec.name
        self.model = spec.model
        self.team = host
        self.session = host.session
        self.permission_mode = spec.permission_mode
        self.max_turns = spec.max_turns
        self.pending_inputs: list[str] = []
        self.pending_notes: list[str] = []  # news that waits for the next turn without starting one
        self.wake = asyncio.Event()
        self.unpaused = asyncio.Event()
        self.unpaused.set()
        self.waiting_for_work = False
        self.stopped = False  # done, cancelled or failed: no more turns
        # deltas pass through these so a secret split across two of them is still caught
        self._text_guard = StreamRedactor(self.session.secrets)
        self._thinking_guard = StreamRedactor(self.session.secrets)

    def deliver(self, text: str, *, wake: bool = True) -> None:
        """Give the agent something to read on its next turn; ``wake`` starts that turn if it is idle."""
        if wake:
            self.pending_inputs.append(text)
            self.wake.set()
        else:
            self.pending_notes.append(text)

    @property
    def work(self) -> AgentWork:
        """This agent's working state, as folded from the events so far (the session keeps it current)."""
        return self.session.work.agent(self.name)

    @property
    def turn_no(self) -> int:
        """The number of the last turn begun (its next turn is one more)."""
        return self.work.turn

    def continue_from(self, work: AgentWork) -> None:
        """Go on from the working state a session's log left: what is still to be read, paused, stopped."""
        self.pending_inputs += work.inputs
        self.pending_notes += work.notes
        if work.paused:
            self.unpaused.clear()
        if work.stopped:  # finished, or cancelled by the person; a failed agent, or one the run's end stopped, goes on
            self.cancel()

    @property
    def busy(self) -> bool:
        return not self.stopped and (not self.waiting_for_work or bool(self.pending_inputs))

    @property
    def paused(self) -> bool:
        return self.work.paused

    def pause(self) -> None:
        """The person's pause (logged by the team as ``agent.control``) takes effect at the next checkpoint."""
        self.unpaused.clear()
        if self.waiting_for_work:  # a busy agent shows it when it reaches its next checkpoint
            self.set_state("paused", "by you")

    def resume(self) -> None:
        self.unpaused.set()
        if self.waiting_for_work:
            self.set_state("idle", self.team.idle_reason(self.name))

    def cancel(self) -> None:
        self.stopped = True

    def finish(self, state: str, reason: str) -> None:
        """No more turns for this agent; ``state`` says how it ended (done, cancelled, error)."""
        self.stopped = True
        self.set_state(state, reason)

    def set_permission_mode(self, mode: str) -> None:
        self.permission_mode = mode

    def set_state(self, state: str, reason: str = "") -> None:
        view = self.session.state.agents.get(self.name)
        if view is None or (view.state, view.reason) != (state, reason):
            self.session.emit(AgentState(agent=self.name, state=state, reason=reason))

    async def _checkpoint(self) -> None:
        """Where a pause takes effect: between turns and between tool calls."""
        if not self.unpaused.is_set():
            view = self.session.state.agents.get(self.name)
            before = (view.state, view.reason) if view else ("running", "")
            self.set_state("paused", "by you")
            await self.unpaused.wait()
            self.set_state(*before)

    def _out_of_turns(self) -> bool:
        """The agent file's maxTurns is reached: the agent is done (said so on the board)."""
        if self.max_turns is not None and self.turn_no >= self.max_turns:
            self.finish("done", f"reached maxTurns ({self.max_turns})")
            return True
        return False

    async def _wait_for_work(self) -> None:
        """Idle until something is delivered (the team may find everyone quiet meanwhile)."""
        self.waiting_for_work = True
        if self.paused:
            self.set_state("paused", "by you")
        else:
            self.set_state("idle", self.team.idle_reason(self.name))
        self.team.check_quiet_soon()
        self.wake.clear()
        await self.wake.wait()
        self.waiting_for_work = False

    def on_text(self, text: str) -> None:
        if rest := self._thinking_guard.flush():
            self.session.emit(ThinkingDelta(agent=self.name, text=rest))
        if safe := self._text_guard.feed(text):
            self.session.emit(TextDelta(agent=self.name, text=safe))

    def on_thinking(self, text: str) -> None:
        if safe := self._thinking_guard.feed(text):
            self.session.emit(ThinkingDelta(agent=self.name, text=safe))

    def _flush_guards(self) -> None:
        if rest := self._thinking_guard.flush():
            self.session.emit(ThinkingDelta(agent=self.name, text=rest))
        if rest := self._text_guard.flush():
            self.session.emit(TextDelta(agent=self.name, text=rest))


# A turn that ends in prose whose last lines ask something is a question for the person.
_QUESTION_TAIL = re.compile(r"\?\s*(\*\*|_|\)|\"|')*\s*$")


def asks_the_person(text: str) -> bool:
    tail = "\n".join(line for line in text.strip().splitlines()[-3:] if line.strip())
    return bool(_QUESTION_TAIL.search(tail))


async def ask_in_prose(host: AgentHost, agent: str, turn: int, text: str, deliver: Callable[[str], None]) -> None:
    """A turn that ended asking the person in prose: a reply request; the reply is the agent's next input."""
    view = await host.broker.request(
        agent,
        "reply",
        tool_use_id=f"reply:{agent}:{turn}",
        title=f"{agent} asks",
        body=text,
    )
    deliver(reply_input(view.decision, view.answers, view.note))
