"""The team's kanban board: pending / in progress / blocked / completed, one card per team task.

Beside the columns (below them when narrow), each agent's own lists (TodoWrite, checklist files), so the board
shows all the work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from ...core.truth.state import TaskView, TeamState
from ...core.views.present import duration, one_line
from ..theme import agent_color
from .agent_lists import agent_lists, render_lists
from .labels import pane_order

COLUMNS = ("pending", "in_progress", "blocked", "completed")
TITLES = {"pending": "pending", "in_progress": "in progress", "blocked": "blocked", "completed": "completed"}


def column_of(view: TaskView, state: TeamState) -> str:
    status = view.task.status
    if status in ("pending", "in_progress") and state.is_blocked(view.task):
        return "blocked"
    return status


def _order(task_id: str) -> tuple[int, Any]:
    return (0, int(task_id)) if task_id.isdigit() else (1, task_id)


def board_columns(state: TeamState) -> dict[str, list[TaskView]]:
    """Team tasks by column; an agent's own list (``source`` other than "team") is left to its pane."""
    columns: dict[str, list[TaskView]] = {name: [] for name in COLUMNS}
    for view in sorted(state.team_tasks(), key=lambda v: _order(v.task.id)):
        if view.task.source == "team":
            columns[column_of(view, state)].append(view)
    return columns


class TaskCard(Static, can_focus=True):
    """``#id subject``, then the owner in the owner's colour and how long since the task last changed."""

    BINDINGS = [Binding("enter", "open", "Task details", show=False)]
    DEFAULT_CSS = """
    TaskCard { padding: 0 1; margin: 0 0 1 0; background: $boost; height: auto; }
    TaskCard:focus { background: $accent 30%; }
    """

    @dataclass
    class Selected(Message):
        task_id: str

    def __init__(self, task_id: str) -> None:
        super().__init__("", id=f"task-{task_id}" if re.fullmatch(r"[A-Za-z0-9_-]+", task_id) else None)
        self.task_id = task_id
        self._shown: Content | None = None

    def show(self, view: TaskView, state: TeamState, now: float) -> None:
        task = view.task
        owner = task.owner
        color = (
            agent_color(state.agents[owner].info.color, owner)
            if owner is not None and owner in state.agents
            else "#9a9a9a"
        )
        blockers = [b for b in task.blocked_by if (d := state.tasks.get(b)) and d.task.status != "completed"]
        content = Content.assemble(
            (f"#{one_line(task.id, 20)} ", "bold"),
            one_line(task.subject, 80),
            "\n",
            (one_line(owner, 40) if owner else "unassigned", f"{color}" if owner else "dim italic"),
            (f" · {duration(now - view.updated_at)}", "dim"),
            (f" · waits on {one_line(', '.join('#' + b for b in blockers), 60)}" if blockers else "", "dim"),
        )
        if content != self._shown:
            self._shown = content
            self.update(content)

    def action_open(self) -> None:
        self.post_message(self.Selected(self.task_id))

    def on_click(self) -> None:
        self.post_message(self.Selected(self.task_id))


class BoardColumn(VerticalScroll):
    DEFAULT_CSS = """
    BoardColumn { width: 1fr; height: 1fr; border: round $panel-lighten-2; border-title-align: left; padding: 0 0; scrollbar-size-vertical: 1; }
    BoardColumn.-completed TaskCard { color: $text-muted; }
    BoardColumn.-blocked.-occupied { border: round $error 60%; }
    BoardColumn.-empty { color: $text-muted; }
    BoardColumn.-strip { border: round $panel; overflow: hidden hidden; }
    BoardColumn > .strip { width: 1fr; content-align: center top; color: $text-muted; display: none; }
    BoardColumn.-strip > .strip { display: block; }
    """

    # An empty column is a strip this wide (its name down it), its room given to the others.
    STRIP_WIDTH = 5

    def __init__(self, name: str) -> None:
        super().__init__(classes=f"-{name.replace('_', '-')}")
        self.column = name
        self.can_focus = False
        self.cards: dict[str, TaskCard] = {}
        # the column's name written down the strip it becomes when empty
        self.strip = Static("\n".join(TITLES[name].replace(" ", "")), classes="strip")

    def compose(self) -> ComposeResult:
        yield self.strip

    async def show(self, views: list[TaskView], state: TeamState, now: float, strip: bool = False) -> None:
        """``strip``: empty while another column is not, it narrows to a strip (its name runs down it)."""
        strip = strip and not views
        self.border_title = "" if strip else f"{TITLES[self.column]} ({len(views)})"
        self.tooltip = f"{TITLES[self.column]}: no tasks" if strip else None
        # red only while something is blocked; an empty column stays quiet
        self.set_class(bool(views), "-occupied")
        self.set_class(not views, "-empty")
        self.set_class(strip, "-strip")
        ids = [v.task.id for v in views]
        if ids != list(self.cards):
            # a card moved in or out: rebuild this column, keeping focus on the same task if it stayed
            focused = self.app.focused
            refocus = focused.task_id if isinstance(focused, TaskCard) and focused.parent is self else None
            await self.remove_children(TaskCard)
            self.cards = {task_id: TaskCard(task_id) for task_id in ids}
            for view in views:
                self.cards[view.task.id].show(view, state, now)
            await self.mount_all(self.cards.values())
            if refocus in self.cards:
                self.cards[refocus].focus()
        else:
            for view in views:
                self.cards[view.task.id].show(view, state, now)


class AgentListsColumn(VerticalScroll):
    """Every agent's TodoWrite list and checklist files, under the agent's name; hidden while nobody keeps one."""

    DEFAULT_CSS = """
    AgentListsColumn { width: 1fr; height: 1fr; border: round $panel-lighten-2; border-title-align: left; scrollbar-size-vertical: 1; }
    AgentListsColumn.-below { height: auto; max-height: 9; }
    AgentListsColumn.-empty { display: none; }
    AgentListsColumn > Static { padding: 0 1; color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self) -> None:
        super().__init__(classes="-empty")
        self.can_focus = False
        self.body = Static("")
        self._shown: tuple[Any, ...] | None = None

    def compose(self) -> ComposeResult:
        yield self.body

    def show(self, state: TeamState) -> None:
        agents = [state.agents[name] for name in pane_order(state)]
        sections = tuple((v.name, v.info.color, lists) for v in agents if (lists := agent_lists(v, state)))
        if sections == self._shown:
            return
        self._shown = sections
        self.set_class(not sections, "-empty")
        self.border_title = f"agents' lists ({len(sections)})"
        blocks = [
            Content.assemble(
                (one_line(name, 80), f"bold {agent_color(color, name)}"), "\n", render_lists(list(lists), 80)
            )
            for name, color, lists in sections
        ]
        self.body.update(Content("\n\n").join(blocks))


class TaskBoard(Grid):
    """Cards move between columns as tasks change; ``enter`` on a card posts ``TaskCard.Selected``."""

    DEFAULT_CSS = """
    TaskBoard { height: 1fr; grid-size: 4 1; grid-rows: 1fr; }
    """

    # Narrower than this, the agents' lists go under the columns rather than beside them.
    LISTS_BESIDE_MIN_WIDTH = 110

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.columns = {name: BoardColumn(name) for name in COLUMNS}
        self.lists = AgentListsColumn()
        self._arranged: tuple[object, ...] | None = None

    def compose(self) -> ComposeResult:
        yield from self.columns.values()
        yield self.lists

    async def sync(self, state: TeamState, now: float) -> None:
        columns = board_columns(state)
        occupied = any(columns.values())
        for name, views in columns.items():
            await self.columns[name].show(views, state, now, strip=occupied)
        self.lists.show(state)
        self._arrange()

    def on_resize(self) -> None:
        self._arrange()

    def _arrange(self) -> None:
        shown = not self.lists.has_class("-empty")
        below = shown and self.size.width < self.LISTS_BESIDE_MIN_WIDTH
        empty = tuple(column.has_class("-strip") for column in self.columns.values())
        if (shown, below, empty) == self._arranged:
            return
        self._arranged = (shown, below, empty)
        # empty columns shrink to strips; the occupied ones (and the lists beside them) share the rest
        widths = [str(BoardColumn.STRIP_WIDTH) if e else "1fr" for e in empty] + (
            ["1fr"] if shown and not below else []
        )
        self.styles.grid_columns = " ".join(widths)
        self.styles.grid_size_columns = len(COLUMNS) + (1 if shown and not below else 0)
        self.styles.grid_size_rows = 2 if below else 1
        self.styles.grid_rows = "1fr auto" if below else "1fr"
        self.lists.styles.column_span = len(COLUMNS) if below else 1
        self.lists.set_class(below, "-below")

    def focus_first_card(self) -> bool:
        for column in self.columns.values():
            if column.cards:
                next(iter(column.cards.values())).focus()
                return True
        return False

    @property
    def cards(self) -> list[TaskCard]:
        return [card for column in self.columns.values() for card in column.cards.values()]
