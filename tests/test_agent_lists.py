"""An agent's own lists (TodoWrite and checklist files) as the pane shows them."""

from __future__ import annotations

from textual.app import App

from partytui.core.truth import events as ev
from partytui.core.truth.state import fold
from partytui.tui.widgets.agent_lists import AgentLists, agent_lists, render_lists
from snapshot_apps.modals_common import AGENTS, T0


def state_with_lists():
    return fold(
        [
            ev.SessionStarted(seq=1, ts=T0, session_id="s", agents=AGENTS),
            ev.TodoUpdated(
                seq=2,
                ts=T0,
                agent="backend",
                todos=[
                    ev.Todo(content="Write the store", status="completed"),
                    ev.Todo(content="Write the CLI", status="in_progress", active_form="Writing the CLI"),
                ],
            ),
            ev.ChecklistUpdated(
                seq=3,
                ts=T0,
                agent="backend",
                by="lead",
                path=".claude/tasks/backend-tasks.md",
                items=[
                    ev.ChecklistItem(text="Read requirements.md", done=True, section="Completed"),
                    ev.ChecklistItem(text="Add tags", section="To Do"),
                    ev.ChecklistItem(text="Migration 002", section="In Progress"),
                ],
            ),
            ev.ChecklistUpdated(
                seq=4,
                ts=T0,
                agent="qa",
                path=".claude/tasks/qa-tasks.md",
                items=[ev.ChecklistItem(text="Run the tests")],
            ),
        ]
    )


def test_an_agent_sees_its_todo_list_and_its_own_checklists_only():
    state = state_with_lists()
    lists = agent_lists(state.agents["backend"], state)
    assert [(c.title, c.done, len(c.items)) for c in lists] == [
        ("todo", 1, 2),
        (".claude/tasks/backend-tasks.md", 1, 3),
    ]
    text = render_lists(lists).plain.splitlines()
    assert text == [
        "todo 1/2",
        "◐ Writing the CLI",
        "☑ Write the store",
        ".claude/tasks/backend-tasks.md 1/3",
        "◐ Migration 002",
        "☐ Add tags",
        "☑ Read requirements.md",
    ]
    assert agent_lists(state.agents["lead"], state) == []


async def test_the_widget_hides_when_empty_and_follows_the_state():
    state = state_with_lists()
    widget = AgentLists()

    class Host(App[None]):
        def compose(self):
            yield widget

    async with Host().run_test(size=(60, 20)) as pilot:
        widget.show(state.agents["lead"], state)
        await pilot.pause()
        assert widget.has_class("-empty") and widget.display is False
        widget.show(state.agents["qa"], state)
        await pilot.pause()
        assert not widget.has_class("-empty") and "☐ Run the tests" in str(widget.content)
        state = state.apply(
            ev.ChecklistUpdated(
                seq=5,
                ts=T0,
                agent="qa",
                path=".claude/tasks/qa-tasks.md",
                items=[ev.ChecklistItem(text="Run the tests", done=True)],
            )
        )
        widget.show(state.agents["qa"], state)
        await pilot.pause()
        assert "☑ Run the tests" in str(widget.content) and "1/1" in str(widget.content)
