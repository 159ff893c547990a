"""An agent's own lists under its name: its TodoWrite list, and the Markdown checklists it keeps in files.

``AgentLists`` has the same ``show(view, state)`` as the pane's checklist, so a pane can mount it in its place.
Each list gets a one-line heading with its progress; items in progress come first, completed ones last,
so a short widget shows what matters.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content
from textual.widgets import Static

from ...core.truth.state import AgentView, TeamState
from ...core.views.present import one_line

MARKS = {"pending": "☐", "in_progress": "◐", "completed": "☑"}
_ORDER = {"in_progress": 0, "pending": 1, "completed": 2}


@dataclass(frozen=True)
class ListItem:
    status: str  # pending | in_progress | completed
    text: str


@dataclass(frozen=True)
class AgentList:
    title: str  # "todo" or the checklist's path
    items: tuple[ListItem, ...]
    truncated: bool = False

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.status == "completed")


def agent_lists(view: AgentView, state: TeamState) -> list[AgentList]:
    """The agent's TodoWrite list (with tasks mirrored from its own list) and each of its checklist files."""
    lists: list[AgentList] = []
    todo = [
        ListItem(t.status, t.active_form if t.status == "in_progress" and t.active_form else t.content)
        for t in view.todos
    ]
    todo += [
        ListItem(t.task.status, t.task.subject)
        for t in state.tasks.values()
        if t.task.source == view.name and t.task.status != "deleted"
    ]
    if todo:
        lists.append(AgentList("todo", tuple(todo)))
    for checklist in sorted(state.checklists_of(view.name), key=lambda c: c.path):
        items = tuple(ListItem(item.status, item.text) for item in checklist.items)
        lists.append(AgentList(checklist.path, items, checklist.truncated))
    return lists


def render_lists(lists: list[AgentList], width: int = 200) -> Content:
    lines: list[Content] = []
    for agent_list in lists:
        more = "+" if agent_list.truncated else ""
        progress = f" {agent_list.done}/{len(agent_list.items)}{more}"
        lines.append(Content.assemble((one_line(agent_list.title, width), "bold"), (progress, "dim")))
        for item in sorted(agent_list.items, key=lambda i: _ORDER.get(i.status, 1)):
            style = "strike dim" if item.status == "completed" else ("bold" if item.status == "in_progress" else "")
            lines.append(Content.assemble(f"{MARKS.get(item.status, '☐')} ", (one_line(item.text, width), style)))
    return Content("\n").join(lines)


class AgentLists(Static):
    """Hidden while the agent keeps no list."""

    DEFAULT_CSS = """
    AgentLists { max-height: 8; padding: 0 1; color: $text-muted; border-bottom: hkey $panel-lighten-2; }
    AgentLists.-empty { display: none; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = "-empty") -> None:
        super().__init__("", id=id, classes=classes)
        self._shown: list[AgentList] | None = None

    def show(self, view: AgentView, state: TeamState) -> None:
        lists = agent_lists(view, state)
        if lists == self._shown:
            return
        self._shown = lists
        self.set_class(not lists, "-empty")
        self.update(render_lists(lists))
