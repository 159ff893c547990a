"""TaskBoard: the team's shared task list. Changes are events; the list itself lives in TeamState."""

from __future__ import annotations

import re

from ..truth.events import Task, TaskCreated, TaskUpdated
from ..truth.session import Session
from ..truth.state import TaskView

STATUSES = ("pending", "in_progress", "completed", "deleted")

# How people write a task's id in its subject: "[TASK-555] …", "(TASK-555)", "TASK-555: …", "TASK-555 - …",
# or the whole subject. A token stops at a delimiter, so TASK-5550 never names TASK-555.
_LEADING_ID = re.compile(r"^\s*\[?\s*([^\s\[\]():]+?)\s*(?:\]|:|\s+[-–—|]\s|\s*$)")
_BRACKETED_ID = re.compile(r"[\[(]\s*([^\s\[\]()]+)\s*[\])]")
# an id as agents' files ask for one (TASK-555, QA-2, BE_12-3): letters, a dash, digits
_ID_SHAPE = re.compile(r"[A-Za-z][A-Za-z0-9_]*-\d+[A-Za-z0-9_-]*")
# the line partytui adds to a task's description when it goes to an agent that works by task ids
# "<TASK-ID>", "{task_id}", "TASK_ID", a completion marker path; not the prose "taskId" of a tool's input
_ASKS_FOR_ID = re.compile(r"\bTASK[-_ ]ID\b|[<{]\s*(?i:task[-_ ]?id)\s*[>}]|\.orchestrator/complete/")
TASK_ID_LINE = re.compile(r"^Task ID: (\S+)", re.MULTILINE)


def subject_ids(subject: str) -> list[str]:
    """Every id the subject names in the common forms, first the leading one; the whole subject last."""
    found = []
    if lead := _LEADING_ID.match(subject):
        found.append(lead.group(1))
    found += [m.group(1) for m in _BRACKETED_ID.finditer(subject)]
    whole = subject.strip()
    return list(dict.fromkeys(found + ([whole] if whole else [])))


def task_tag(task: Task) -> str | None:
    """The id an agent should know this task by (and name its completion marker after), if it has one."""
    for found in subject_ids(task.subject):
        if _ID_SHAPE.fullmatch(found):
            return found
    line = TASK_ID_LINE.search(task.description)
    return line.group(1) if line else None


def names_task(task: Task, marker: str) -> bool:
    """Does ``marker`` (a completion marker's name, e.g. ``TASK-555``) name this task by id, subject or tag?"""
    key = marker.strip().lstrip("#").lower()
    if not key:
        return False
    if task.id == key or key in (found.lower() for found in subject_ids(task.subject)):
        return True
    line = TASK_ID_LINE.search(task.description)
    return line is not None and line.group(1).lower() == key


def asks_for_task_id(prompt: str) -> bool:
    """Does an agent file's prompt expect a task id handed to it (a ``<TASK-ID>``, a completion marker)?"""
    return bool(_ASKS_FOR_ID.search(prompt))


class TaskError(Exception):
    pass


class TaskBoard:
    def __init__(self, session: Session, *, works_by_ids: set[str] | frozenset[str] = frozenset()) -> None:
        self.session = session
        # agents whose files expect a task id in their prompt: a task handed to one carries a "Task ID:" line
        self.works_by_ids = set(works_by_ids)

    @property
    def _tasks(self) -> dict[str, TaskView]:
        return self.session.state.tasks

    def _team_ids(self) -> list[int]:
        return [int(t) for t, v in self._tasks.items() if t.isdigit() and v.task.source == "team"]

    def get(self, task_id: str) -> Task:
        view = self._tasks.get(str(task_id).lstrip("#"))
        if view is None or view.task.source != "team":
            known = ", ".join(f"#{i}" for i in sorted(self._team_ids())) or "none yet"
            raise TaskError(f"no task #{task_id} (tasks: {known})")
        return view.task

    def create(
        self, agent: str, subject: str, description: str = "", active_form: str = "", tool_use_id: str | None = None
    ) -> Task:
        """A new task; made by a TaskCreate call that already made one (a resumed session), that one."""
        made = self.session.state.effects.get(tool_use_id) if tool_use_id else None
        if made is not None and made in self.session.state.tasks:
            return self.session.state.tasks[made].task
        if not subject.strip():
            raise TaskError("a task needs a subject")
        task = Task(
            id=str(max(self._team_ids(), default=0) + 1),
            subject=subject.strip(),
            description=description,
            active_form=active_form,
        )
        self.session.emit(TaskCreated(agent=agent, task=task, tool_use_id=tool_use_id or None))
        return task

    def update(
        self,
        agent: str,
        task_id: str,
        *,
        status: str | None = None,
        owner: str | None = None,
        subject: str | None = None,
        description: str | None = None,
        add_blocks: list[str] | None = None,
        add_blocked_by: list[str] | None = None,
        known_agents: set[str] | None = None,
    ) -> Task:
        task = self.get(task_id).model_copy(deep=True)
        if status is not None:
            if status not in STATUSES:
                raise TaskError(f"status must be one of {', '.join(STATUSES)}")
            task.status = status  # type: ignore[assignment]
        if owner is not None:
            if owner and known_agents is not None and owner not in known_agents:
                raise TaskError(f"no agent named {owner!r} (team: {', '.join(sorted(known_agents))})")
            task.owner = owner or None
        if subject:
            task.subject = subject
        if description is not None:
            task.description = description
        if task.owner in self.works_by_ids and not TASK_ID_LINE.search(task.description):
            tag = task_tag(task) or f"TASK-{task.id}"
            task.description = f"Task ID: {tag}" + (f"\n\n{task.description}" if task.description else "")
        for other in add_blocked_by or []:
            other = self.get(other).id
            if other == task.id:
                raise TaskError("a task cannot block itself")
            if other not in task.blocked_by:
                task.blocked_by.append(other)
        for other in add_blocks or []:
            other = self.get(other).id
            if other == task.id:
                raise TaskError("a task cannot block itself")
            if other not in task.blocks:
                task.blocks.append(other)
        self.session.emit(TaskUpdated(agent=agent, task=task))
        # keep both sides of a dependency in step
        for other in add_blocks or []:
            dep = self.get(other).model_copy(deep=True)
            if task.id not in dep.blocked_by:
                dep.blocked_by.append(task.id)
                self.session.emit(TaskUpdated(agent=agent, task=dep))
        for other in add_blocked_by or []:
            dep = self.get(other).model_copy(deep=True)
            if task.id not in dep.blocks:
                dep.blocks.append(task.id)
                self.session.emit(TaskUpdated(agent=agent, task=dep))
        return task

    def describe(self, task: Task) -> str:
        line = f"#{task.id} [{task.status}] {task.subject}"
        if task.owner:
            tag = task_tag(task) if task.owner in self.works_by_ids else None
            line += f" (owner: {task.owner}; its task id: {tag})" if tag else f" (owner: {task.owner})"
        if task.blocked_by:
            open_deps = [b for b in task.blocked_by if self._tasks.get(b) and self._tasks[b].task.status != "completed"]
            if open_deps:
                line += f" blocked by {', '.join('#' + b for b in open_deps)}"
        return line

    def listing(self) -> str:
        tasks = [v.task for v in self._tasks.values() if v.task.source == "team" and v.task.status != "deleted"]
        if not tasks:
            return "No tasks yet."
        return "\n".join(self.describe(t) for t in tasks)

    def claimable(self, agent: str) -> list[Task]:
        state = self.session.state
        return [
            v.task
            for v in self._tasks.values()
            if v.task.source == "team"
            and v.task.status == "pending"
            and v.task.owner in (None, agent)
            and not state.is_blocked(v.task)
        ]
