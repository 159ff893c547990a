"""TaskBoard: the team's shared task list. Changes are events; the list itself lives in TeamState."""

from __future__ import annotations

from .events import Task, TaskCreated, TaskUpdated
from .session import Session

STATUSES = ("pending", "in_progress", "completed", "deleted")


class TaskError(Exception):
    pass


class TaskBoard:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def _tasks(self):
        return self.session.state.tasks

    def _team_ids(self) -> list[int]:
        return [int(t) for t, v in self._tasks.items() if t.isdigit() and v.task.source == "team"]

    def get(self, task_id: str) -> Task:
        view = self._tasks.get(str(task_id).lstrip("#"))
        if view is None or view.task.source != "team":
            known = ", ".join(f"#{i}" for i in sorted(self._team_ids())) or "none yet"
            raise TaskError(f"no task #{task_id} (tasks: {known})")
        return view.task

    def create(self, agent: str, subject: str, description: str = "", active_form: str = "") -> Task:
        if not subject.strip():
            raise TaskError("a task needs a subject")
        task = Task(
            id=str(max(self._team_ids(), default=0) + 1),
            subject=subject.strip(),
            description=description,
            active_form=active_form,
        )
        self.session.emit(TaskCreated(agent=agent, task=task))
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
            line += f" (owner: {task.owner})"
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
