"""Team: the agents of one session running together — phases, gates, messages, and the person's controls.

The lead gets the goal and drives: it creates and assigns tasks, asks the person, and advances the
phases BRAINSTORM → PLAN → BUILD → VALIDATE. BUILD needs an approved design; applying a migration
needs an approved migration. The run ends when the lead ends it, on a fatal error, when a request
cannot be answered (headless with no policy), or when the whole team stalls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..providers.base import Provider
from ..runtimes import AgentRuntime, AgentSpec, Backends, make_runtime, phase_news
from ..tools.base import Limits, ToolError
from ..tools.team import PERMISSION_DENIED
from ..truth.events import (
    BROADCAST,
    PHASES,
    AgentControl,
    ApprovalRequest,
    EventBase,
    MessageSent,
    PhaseChanged,
    SessionEnded,
    SessionResumed,
    SessionStarted,
    Task,
    UserMessage,
)
from ..truth.secrets import SECRET_TITLE, secret_file_in
from ..truth.session import Session
from ..truth.workstate import RUN_ENDED, fold_work, reply_input
from .approvals import ApprovalBroker
from .migration_gate import Gate
from .mirror import WorkspaceMirror
from .tasks import TaskBoard, asks_for_task_id

EXIT_CODES = {"done": 0, "waiting": 3, "failed": 1, "stalled": 1, "cancelled": 1}


# One agent as the team runs it: the spec its runtime gets (the older name stays for callers).
Member = AgentSpec


def team_briefing(member: AgentSpec, members: Sequence[AgentSpec], goal: str, solo: bool) -> str:
    if solo:
        return (
            "\n\n# Working in partytui\nYou work alone in a workspace directory (your current directory); "
            "file paths are relative to it and you cannot reach outside it. A person supervises you."
        )
    roster = "\n".join(f"- {m.name}{' (lead)' if m.lead else ''}: {m.description or 'teammate'}" for m in members)
    lead = next((m.name for m in members if m.lead), "the lead")
    by_ids = [m.name for m in members if not m.lead and asks_for_task_id(m.system_prompt)]
    handing = ""
    if member.lead and by_ids:
        handing = (
            f"\n- {', '.join(by_ids)} work by task ids (their files ask for a TASK-ID in their prompt). When you hand "
            'one of them a task, give the task an id in its subject ("[TASK-001] …") and name that id in your '
            'message ("TASK-001 is yours"); without one, use TASK-<task number>. partytui adds a "Task ID:" '
            "line to the task's description when such an agent gets it."
        )
    return f"""

# Working in partytui
You are **{member.name}**, one agent of a team supervised by a person. The team's goal: {goal}

The team:
{roster}

How the team works:
- Phases: BRAINSTORM → PLAN → BUILD → VALIDATE. {lead} advances them (AdvancePhase); BUILD starts only after the
  person approves a design (RequestApproval kind design).
- The shared task list: TaskList, TaskGet, TaskCreate, TaskUpdate. Claim a task by setting owner to your name and
  status in_progress; set status completed when it is done. Don't start a task blocked by an unfinished one.
- Talk with SendMessage (recipient: a name, or "*" for everyone). Messages to you arrive as new input.
- Ask the person with AskUserQuestion; get designs and migrations approved with RequestApproval. A rejection
  comes with a note: revise and ask again. Never apply a migration before it is approved.
- The workspace is your current directory; paths are relative to it and you cannot reach outside it.
- When you have nothing to do, end your turn: you will be woken by a message or an assignment.{handing}
"""


class Team:
    def __init__(
        self,
        session: Session,
        broker: ApprovalBroker,
        provider: Provider | None,
        members: Sequence[AgentSpec],
        *,
        workspace: Path,
        goal: str,
        solo: bool = False,
        limits: Limits | None = None,
        backends: Backends | None = None,
        migration_commands: Sequence[str] = (),
    ) -> None:
        self.session = session
        self.broker = broker
        self.members = list(members)
        self.workspace = Path(workspace)
        self.goal = goal
        self.solo = solo
        self.limits = limits or Limits()
        # which Bash commands apply a migration: read from their structure (core/team/migration_gate.py)
        self.migration_gate = Gate(self.workspace, migration_commands)
        self.board = TaskBoard(
            session, works_by_ids={m.name for m in self.members if asks_for_task_id(m.system_prompt)}
        )
        self.finished = False
        self.status = "running"
        self.reason = ""
        self.keep_places = False  # stopped by the person: agents keep their states, so resume goes on from here
        self._done = asyncio.Event()
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._nudged_at: tuple[object, ...] | None = None  # what the team looked like when the lead was last nudged
        self._quiet_check: asyncio.TimerHandle | None = None
        lead = next((m for m in self.members if m.lead), None)
        self.lead_name = lead.name if lead else (self.members[0].name if solo else None)
        backends = self.backends = backends or Backends(provider=provider)
        # the team's side of every agent: it never asks which runtime one has
        self.runners: dict[str, AgentRuntime] = {
            spec.name: make_runtime(
                spec,
                self,
                briefing=team_briefing(spec, self.members, goal, solo),
                backends=backends,
                limits=self.limits,
            )
            for spec in self.members
        }
        broker.on_unanswered = self._unanswered
        session.on_log_error = lambda exc: self.finish("failed", str(exc))
        session.on_held = self.check_quiet_soon

    @property
    def agent_names(self) -> set[str]:
        return set(self.runners)

    # ── starting and ending ────────────────────────────────────────────────

    def start_session(
        self,
        session_id: str,
        *,
        mode: str,
        scenario: str | None,
        prompt: str | None = None,
        agents_dirs: Sequence[str] = (),
        load_warnings: Sequence[str] = (),
    ) -> None:
        self.session.emit(
            SessionStarted(
                session_id=session_id,
                goal=self.goal,
                workspace=str(self.workspace),
                mode=mode,
                scenario=scenario,
                agents=[m.info() for m in self.members],
                agents_dirs=list(agents_dirs),
                solo_prompt=prompt if self.solo else None,
                load_warnings=list(load_warnings),
            )
        )
        if self.solo:
            self.runners[self.members[0].name].deliver(prompt or self.goal)
            return
        if self.lead_name is None:
            raise RuntimeError("a team of several agents starts with its lead, and none was chosen")
        self.session.emit(PhaseChanged(phase=PHASES[0], agent=self.lead_name))
        self.runners[self.lead_name].deliver(
            f"The goal from the person supervising the team: {self.goal}\n\n"
            "You lead. Start the BRAINSTORM phase: understand the goal, ask the person what is unclear, and "
            "involve your teammates."
        )

    def continue_session(self, events: Sequence[EventBase], load_warnings: Sequence[str] = ()) -> None:
        """Resume: fold each agent's working state from the session's events, continue every agent from it (a
        failed agent is retried, one the end of the run stopped carries on; what finished, or what the person
        cancelled, stays stopped, and what they paused stays paused), and mark the resume in the log."""
        work = self.session.work = fold_work(events)
        for name, runner in self.runners.items():
            runner.continue_from(work.agent(name))
        self.session.emit(SessionResumed(reason="partytui resume", load_warnings=list(load_warnings)))

    async def run(self) -> int:
        """Run until the team finishes; returns the exit code (0 done, 1 failed, 3 waiting for a person)."""
        # checklists, completion markers and shared documents the agents keep in files (core/team/mirror.py)
        mirror = WorkspaceMirror.for_team(self)
        mirror.start()
        for name, runner in self.runners.items():
            if not runner.stopped:
                self._tasks[name] = asyncio.create_task(runner.run(), name=f"agent:{name}")
        for approval in self.session.state.pending_approvals:
            # a resumed session asks again: tool calls re-run and find their request; a prose question
            # has no tool call, so it is awaited here
            if approval.request.kind == "reply" and approval.request.agent in self.runners:
                self._tasks[f"reply:{approval.request.id}"] = asyncio.create_task(
                    self._await_reply(approval.request.agent, approval.request.id)
                )
        if not self._tasks:
            self.finish("done" if self.solo else "stalled", "no agent left to run")
        try:
            await self._done.wait()
        finally:
            if not self.finished:
                self.stop("the run was stopped")  # cancelled from outside: the person quit the TUI, Ctrl+C
            try:
                for task in self._tasks.values():
                    task.cancel()
                await asyncio.gather(*self._tasks.values(), return_exceptions=True)
                await mirror.stop()  # a last look, so what the agents left in files is logged before the end
                await self.backends.close()
            finally:  # the end is logged even if this cleanup is itself cancelled
                # a run waiting for a person keeps showing who waits for what; a stopped one, where each agent
                # was, so that `partytui resume` continues them
                if self.status != "waiting" and not self.keep_places:
                    final = "done" if self.status == "done" else "cancelled"
                    for runner in self.runners.values():
                        if not runner.stopped:
                            runner.finish(final, RUN_ENDED)
                self.session.emit(SessionEnded(status=self.status, reason=self.reason))
                self.session.flush()
        return EXIT_CODES.get(self.status, 1)

    async def _await_reply(self, agent: str, approval_id: int) -> None:
        view = await self.broker.wait(approval_id)
        self.runners[agent].deliver(reply_input(view.decision, view.answers, view.note))

    def finish(self, status: str, reason: str) -> None:
        if self.finished:
            return
        self.finished, self.status, self.reason = True, status, reason
        self._done.set()

    def stop(self, reason: str) -> None:
        """The team is stopped from outside (``partytui stop``, an attached view, quitting the TUI, SIGTERM,
        Ctrl+C): the log ends ``cancelled`` with ``reason``, no agent is marked cancelled (that is the person's
        word for one agent), requests still waiting stay pending, and ``resume`` carries on from where each
        agent was, asking those requests again."""
        if self.finished:
            return
        self.keep_places = True
        pending = len(self.session.state.pending_approvals)
        if pending:
            reason += f"; {pending} request(s) wait for you: partytui resume asks them again"
        self.finish("cancelled", reason)

    def _unanswered(self, request: ApprovalRequest) -> None:
        self.finish("waiting", f"request #{request.id} ({request.kind}) from {request.agent} needs a person")

    def agent_failed(self, name: str, message: str) -> None:
        if name == self.lead_name or self.solo:
            self.finish("failed", f"{name}: {message}")
        elif self.lead_name:
            self.runners[self.lead_name].deliver(f"{name} stopped with an error: {message}")

    def agent_finished(self, name: str) -> None:
        if self.solo:
            self.finish("done", f"{name} finished")

    # ── what tools call ────────────────────────────────────────────────────

    def message(self, sender: str, recipient: str, content: str, summary: str = "", message_id: str = "") -> str:
        """An agent's SendMessage: logged, then delivered to the recipient (or everyone) — once per ``message_id``."""
        recipient = recipient.strip().lstrip("@")
        if recipient == sender:
            raise ToolError("you cannot message yourself")
        if recipient not in BROADCAST and recipient not in self.runners:
            raise ToolError(f"no teammate named {recipient!r} (team: {', '.join(sorted(self.runners))})")
        # resolved here, once: the event carries who it reached, for the fold, the views, resume and replay
        targets = MessageSent.resolve(recipient, sender, self.runners)
        if message_id and message_id in self.session.state.effects:
            # sent before partytui stopped, and delivered from the log on resume: not sent again
            return f"Message sent to {', '.join(targets)}."
        self.session.emit(
            MessageSent(
                agent=sender,
                recipient=recipient,
                recipients=targets,
                content=content,
                summary=summary,
                id=message_id or None,
            )
        )
        for name in targets:
            self.runners[name].deliver(f"Message from {sender}: {content}")
        return f"Message sent to {', '.join(targets)}."

    def assigned(self, by: str, task: Task) -> None:
        """``by`` gave ``task`` to its owner: the owner is told, and woken if idle (as the briefing says)."""
        runner = self.runners.get(task.owner or "")
        if runner is not None and not runner.stopped:
            runner.deliver(f"{by} assigned you task #{task.id}: {task.subject}")

    def advance_phase(self, agent: str, phase: str, note: str = "") -> str:
        if agent != self.lead_name:
            raise ToolError(f"only the lead ({self.lead_name}) advances phases")
        current = self.session.state.phase
        order = list(PHASES)
        if current == phase:
            return f"The team is already in {phase}."
        if current is not None and order.index(phase) != order.index(current) + 1:
            nxt = order[order.index(current) + 1] if order.index(current) + 1 < len(order) else None
            raise ToolError(f"the team is in {current}; the next phase is {nxt or 'none (end the run with EndRun)'}")
        if phase == "BUILD" and not self.session.state.approved("design"):
            raise ToolError("BUILD needs an approved design: ask with RequestApproval (kind design) first")
        changed = PhaseChanged(agent=agent, phase=phase, previous=current, note=note)
        self.session.emit(changed)
        for name, runner in self.runners.items():
            if name != agent and not runner.stopped:
                runner.deliver(phase_news(changed), wake=False)
        return f"The team is now in {phase}."

    def end_run(self, agent: str, status: str, summary: str) -> str:
        if agent != self.lead_name:
            raise ToolError(f"only the lead ({self.lead_name}) ends the run")
        if status == "done" and self.session.state.phase != "VALIDATE":
            raise ToolError(f"the run is done only after VALIDATE; the team is in {self.session.state.phase}")
        self.finish(status, summary)
        return "The run is over."

    def set_permission_mode(self, agent: str, mode: str) -> None:
        self.runners[agent].set_permission_mode(mode)

    def session_grant(self, agent: str, tool: str) -> bool:
        """Has the person allowed this tool for this agent for the rest of the session?"""
        return any(
            a.request.kind == "permission"
            and a.request.agent == agent
            and a.request.tool == tool
            and a.decision == "approved"
            and ("always" in a.answers or a.note == "always")
            for a in self.session.state.approvals.values()
        )

    async def ask_before_secret_file(self, agent: str, tool: str, raw: dict[str, Any], tool_use_id: str) -> None:
        """A call that would read a secret file (``.env``, a private key, ``.netrc``) asks the person first,
        whatever the agent's permission mode, unless they allowed this agent that file for the session.
        Rejected: ToolError. The request is the call's permission request: one answer for both."""
        path = secret_file_in(tool, raw)
        if path is None:
            return
        for view in self.session.state.approvals.values():
            req = view.request
            if (
                req.kind == "permission"
                and req.agent == agent
                and req.title.startswith(SECRET_TITLE)
                and secret_file_in(req.tool or "", req.tool_input or {}) == path
                and view.decision == "approved"
                and view.note == "always"
            ):
                return
        view = await self.broker.request(
            agent,
            "permission",
            tool_use_id=tool_use_id,
            tool=tool,
            tool_input=raw,
            title=f"{SECRET_TITLE} {path} ({tool})"[:200],
            summary=f"{agent} wants to read {path}, which may hold secrets (keys, passwords). What it reads is "
            "redacted where it looks like a secret, but the agent itself sees it.",
        )
        if view.decision != "approved":
            raise ToolError(
                f"{PERMISSION_DENIED} {tool} on {path} (a secret file)" + (f": {view.note}" if view.note else ".")
            )

    def check_gates(self, agent: str, tool: str, raw: dict[str, Any]) -> None:
        """Raises ToolError when a call of ``tool`` would pass a gate the person has not opened."""
        if self.solo or tool != "Bash":
            return
        applying = self.migration_gate.applies(str(raw.get("command", "")))
        if applying is None:
            return
        # the latest migration request of the session decides: approved, or nothing is applied
        asked = [a for a in self.session.state.approvals.values() if a.request.kind == "migration"]
        if not asked or asked[-1].decision != "approved":
            state = "none requested" if not asked else f"#{asked[-1].request.id} is {asked[-1].decision or 'pending'}"
            raise ToolError(
                f"applying a migration needs the person's approval first ({state}): call RequestApproval with "
                f"kind migration, the migration files and the rollback. (Seen: {applying}.)"
            )

    # ── the person's controls (TeamController) ────────────────────────────────

    def pause(self, agent: str) -> None:
        if not self.runners[agent].paused:
            self.session.emit(AgentControl(agent=agent, action="pause"))
        self.runners[agent].pause()

    def resume(self, agent: str) -> None:
        if self.runners[agent].paused:
            self.session.emit(AgentControl(agent=agent, action="resume"))
        self.runners[agent].resume()

    def is_paused(self, agent: str) -> bool:
        return self.runners[agent].paused

    def cancel(self, agent: str) -> None:
        if not self.session.work.agent(agent).cancelled:
            self.session.emit(AgentControl(agent=agent, action="cancel"))
        task = self._tasks.get(agent)
        if task is not None and not task.done():
            task.cancel()
        self.runners[agent].cancel()
        if agent == self.lead_name:
            self.finish("cancelled", f"the lead ({agent}) was cancelled by you")

    def send(self, agent: str, text: str) -> None:
        """The person's message to one agent (TeamController.send): it wakes the agent if idle."""
        self.session.emit(UserMessage(agent=agent, text=text))
        self.runners[agent].deliver(f"Message from the person supervising: {text}")

    # ── idleness ───────────────────────────────────────────────────────────

    def idle_reason(self, agent: str) -> str:
        if self.solo:
            return "waiting for you"
        claimable = self.board.claimable(agent)
        if agent == self.lead_name:
            return "waiting for the team"
        return f"{len(claimable)} claimable task(s)" if claimable else "no claimable task"

    def check_quiet_soon(self) -> None:
        """An agent went idle or was held: if the whole team is now quiet, nudge the lead once, then stall."""
        if self.solo or self.finished:
            return
        if self._quiet_check is not None:
            self._quiet_check.cancel()
        self._quiet_check = asyncio.get_running_loop().call_later(0.2, self._check_quiet)

    def _check_quiet(self) -> None:
        self._quiet_check = None
        held = self.session.held
        if self.finished or any(r.busy and name not in held for name, r in self.runners.items()):
            return
        if self.session.state.pending_approvals:
            return
        lead = self.runners.get(self.lead_name) if self.lead_name else None
        state = self.session.state
        progress = (
            state.phase,
            len(state.messages),
            tuple((t.task.status, t.task.owner) for t in state.tasks.values()),
        )
        if lead is None or lead.stopped or self._nudged_at == progress or self.lead_name in held:
            why = "; ".join(f"{name}: {reason}" for name, reason in held.items())
            self.finish("stalled", "every agent is idle and nothing is pending" + (f" ({why})" if why else ""))
            return
        phase = state.phase
        self._nudged_at = progress
        lead.deliver(
            f"Everyone on the team is idle (phase {phase}). Tasks:\n{self.board.listing()}\n"
            "Assign work, advance the phase, or end the run with EndRun."
        )
