"""Tools that act on the team rather than the workspace: tasks, messages, questions, approvals, phases."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import AliasChoices, Field, model_validator

from ..team.tasks import TaskError
from ..truth.events import PHASES, Question, QuestionOption, Todo, TodoUpdated
from .base import Tool, ToolContext, ToolError, ToolInput

if TYPE_CHECKING:
    from ..team.services import TeamServices

# How a tool result says the person said no; scenario scripts recognise a rejection by these prefixes.
REJECTED = "REJECTED"  # RequestApproval / ExitPlanMode
PERMISSION_DENIED = "The person did not allow"  # a tool needing permission (core/runtimes/api.py)
QUESTION_DECLINED = "The person declined"  # AskUserQuestion
REJECTION_PREFIXES = (REJECTED, PERMISSION_DENIED, QUESTION_DECLINED)


def _team(ctx: ToolContext) -> TeamServices:
    if ctx.team is None:
        raise ToolError("this tool needs a team, and this agent runs alone")
    return ctx.team


class TaskCreate(Tool):
    name = "TaskCreate"
    description = "Add a task to the team's shared task list. Returns its id."
    read_only = True

    class Input(ToolInput):
        subject: str
        description: str = ""
        activeForm: str = ""

    async def run(self, args: Input, ctx: ToolContext) -> str:
        try:
            task = _team(ctx).board.create(
                ctx.agent, args.subject, args.description, args.activeForm, tool_use_id=ctx.tool_use_id or None
            )
        except TaskError as exc:
            raise ToolError(str(exc)) from None
        return f"Task #{task.id} created: {task.subject}"


class TaskUpdate(Tool):
    name = "TaskUpdate"
    description = (
        "Change a task: claim it (owner: your name, status: in_progress), complete it (status: completed), "
        "assign it to a teammate (owner), or add dependencies (addBlocks / addBlockedBy)."
    )
    read_only = True

    class Input(ToolInput):
        taskId: str = Field(validation_alias=AliasChoices("taskId", "task_id", "id"))
        status: Literal["pending", "in_progress", "completed", "deleted"] | None = None
        owner: str | None = None
        subject: str | None = None
        description: str | None = None
        addBlocks: list[str] = Field(default_factory=list)
        addBlockedBy: list[str] = Field(default_factory=list)

        @model_validator(mode="before")
        @classmethod
        def _ids_as_text(cls, data: Any) -> Any:
            if isinstance(data, dict):
                data = dict(data)
                for key in ("taskId", "task_id", "id"):
                    if isinstance(data.get(key), int):
                        data[key] = str(data[key])
                for key in ("addBlocks", "addBlockedBy"):
                    if isinstance(data.get(key), list):
                        data[key] = [str(v) for v in data[key]]
            return data

    async def run(self, args: Input, ctx: ToolContext) -> str:
        team = _team(ctx)
        try:
            before = team.board.get(args.taskId).owner
            task = team.board.update(
                ctx.agent,
                args.taskId,
                status=args.status,
                owner=args.owner,
                subject=args.subject,
                description=args.description,
                add_blocks=args.addBlocks,
                add_blocked_by=args.addBlockedBy,
                known_agents=team.agent_names,
            )
        except TaskError as exc:
            raise ToolError(str(exc)) from None
        if task.owner and task.owner not in (before, ctx.agent) and task.status in ("pending", "in_progress"):
            team.assigned(ctx.agent, task)  # a teammate handed it over: the new owner hears of it now
        return f"Updated {team.board.describe(task)}"


class TaskList(Tool):
    name = "TaskList"
    description = "List the team's tasks with their status, owner and dependencies."
    read_only = True

    class Input(ToolInput):
        pass

    async def run(self, args: Input, ctx: ToolContext) -> str:
        return _team(ctx).board.listing()


class TaskGet(Tool):
    name = "TaskGet"
    description = "One task in full: subject, description, status, owner, dependencies."
    read_only = True

    class Input(ToolInput):
        taskId: str = Field(validation_alias=AliasChoices("taskId", "task_id", "id"))

        @model_validator(mode="before")
        @classmethod
        def _id_as_text(cls, data: Any) -> Any:
            if isinstance(data, dict):
                data = {
                    k: str(v) if k in ("taskId", "task_id", "id") and isinstance(v, int) else v for k, v in data.items()
                }
            return data

    async def run(self, args: Input, ctx: ToolContext) -> str:
        board = _team(ctx).board
        try:
            task = board.get(args.taskId)
        except TaskError as exc:
            raise ToolError(str(exc)) from None
        lines = [board.describe(task)]
        if task.description:
            lines.append(task.description)
        if task.blocks:
            lines.append("blocks: " + ", ".join("#" + b for b in task.blocks))
        return "\n".join(lines)


class SendMessage(Tool):
    name = "SendMessage"
    description = "Send a message to a teammate by name, or to everyone with recipient '*'."
    read_only = True

    class Input(ToolInput):
        recipient: str = Field(validation_alias=AliasChoices("recipient", "to"))
        content: str = Field(validation_alias=AliasChoices("content", "message", "text"))
        summary: str = ""

    async def run(self, args: Input, ctx: ToolContext) -> str:
        return _team(ctx).message(ctx.agent, args.recipient, args.content, args.summary, message_id=ctx.tool_use_id)


class TodoWrite(Tool):
    name = "TodoWrite"
    description = "Replace your own todo list (shown on the board under your name)."
    read_only = True

    class Input(ToolInput):
        todos: list[dict[str, Any]]

    async def run(self, args: Input, ctx: ToolContext) -> str:
        todos = []
        for i, item in enumerate(args.todos):
            content = item.get("content")
            status = item.get("status", "pending")
            if not isinstance(content, str) or status not in ("pending", "in_progress", "completed"):
                raise ToolError(f"todos[{i}] needs content and a status of pending, in_progress or completed")
            todos.append(Todo(content=content, status=status, active_form=str(item.get("activeForm", ""))))
        ctx.emit(TodoUpdated(agent=ctx.agent, todos=todos))
        done = sum(t.status == "completed" for t in todos)
        return f"Todo list updated ({done}/{len(todos)} completed)."


class AskUserQuestion(Tool):
    name = "AskUserQuestion"
    description = (
        "Ask the person supervising the team one or more multiple-choice questions. You wait until they "
        "answer; the answers come back one line per question."
    )
    read_only = True

    class Input(ToolInput):
        questions: list[dict[str, Any]]

    async def run(self, args: Input, ctx: ToolContext) -> str:
        team = _team(ctx)
        questions = []
        for i, raw in enumerate(args.questions):
            if not isinstance(raw.get("question"), str):
                raise ToolError(f"questions[{i}] needs a 'question'")
            options = [
                QuestionOption(
                    label=str(o.get("label", o)) if isinstance(o, dict) else str(o),
                    description=str(o.get("description", "")) if isinstance(o, dict) else "",
                )
                for o in raw.get("options", [])
            ]
            questions.append(
                Question(
                    question=raw["question"],
                    header=str(raw.get("header", "")),
                    multi_select=bool(raw.get("multiSelect", False)),
                    options=options,
                )
            )
        if not questions:
            raise ToolError("ask at least one question")
        view = await team.broker.request(
            ctx.agent,
            "question",
            tool_use_id=ctx.tool_use_id,
            title=questions[0].header or questions[0].question,
            questions=questions,
        )
        if view.decision == "rejected":
            return f"{QUESTION_DECLINED} to answer" + (f": {view.note}" if view.note else ".")
        answers = list(view.answers) or ([view.note] if view.note else ["(no answer)"])
        return "\n".join(answers)


class RequestApproval(Tool):
    name = "RequestApproval"
    description = (
        "Ask the person to approve something before you go on: a design before building (kind design), a "
        "database migration before applying it (kind migration, list the migration files and state the "
        "rollback in the body), a plan, or anything else. You wait for the decision; a rejection comes with "
        "a note saying what to change."
    )
    read_only = True

    class Input(ToolInput):
        kind: Literal["design", "migration", "plan", "other"]
        title: str
        summary: str = ""
        body: str = ""
        files: list[str] = Field(default_factory=list)

    async def run(self, args: Input, ctx: ToolContext) -> str:
        view = await _team(ctx).broker.request(
            ctx.agent,
            args.kind,
            tool_use_id=ctx.tool_use_id,
            title=args.title,
            summary=args.summary,
            body=args.body,
            files=args.files,
        )
        return _decision_text(view.decision, view.note)


def _decision_text(decision: str | None, note: str) -> str:
    if decision == "approved":
        return "APPROVED" + (f". Note from the person: {note}" if note else ".")
    return REJECTED + (f". Note from the person: {note}" if note else ". No reason given.")


class ExitPlanMode(Tool):
    name = "ExitPlanMode"
    description = "Present your plan (Markdown) for approval; once approved you may start changing files."
    read_only = True

    class Input(ToolInput):
        plan: str

    async def run(self, args: Input, ctx: ToolContext) -> str:
        team = _team(ctx)
        view = await team.broker.request(
            ctx.agent, "plan", tool_use_id=ctx.tool_use_id, title=f"{ctx.agent}'s plan", body=args.plan
        )
        if view.decision == "approved":
            team.set_permission_mode(ctx.agent, "acceptEdits")
            return _decision_text("approved", view.note) + " You may now carry out the plan."
        return _decision_text("rejected", view.note) + " Stay in plan mode and revise the plan."


class AdvancePhase(Tool):
    name = "AdvancePhase"
    description = (
        "Move the team to its next phase (BRAINSTORM → PLAN → BUILD → VALIDATE). Entering BUILD needs an "
        "approved design (RequestApproval kind design)."
    )
    read_only = True

    class Input(ToolInput):
        phase: str
        note: str = ""

    async def run(self, args: Input, ctx: ToolContext) -> str:
        phase = args.phase.strip().upper()
        if phase not in PHASES:
            raise ToolError(f"unknown phase {args.phase!r}; phases: {' → '.join(PHASES)}")
        return _team(ctx).advance_phase(ctx.agent, phase, args.note)


class EndRun(Tool):
    name = "EndRun"
    description = "End the team's run (lead only): status done once VALIDATE is complete, or failed, with a summary."
    read_only = True

    class Input(ToolInput):
        status: Literal["done", "failed"] = "done"
        summary: str = ""

    async def run(self, args: Input, ctx: ToolContext) -> str:
        return _team(ctx).end_run(ctx.agent, args.status, args.summary)


TEAM_TOOLS: list[Tool] = [
    TaskCreate(),
    TaskUpdate(),
    TaskList(),
    TaskGet(),
    SendMessage(),
    TodoWrite(),
    AskUserQuestion(),
    RequestApproval(),
    ExitPlanMode(),
    AdvancePhase(),
    EndRun(),
]
