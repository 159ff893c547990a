"""Snapshot tests of every modal screen at 80x24 (and two at 160x48), with a fixed clock.

Regenerate with ``pytest tests/test_tui_snapshots_modals.py --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.screen import Screen

from partytui.tui.screens.approval import ApprovalModal
from partytui.tui.screens.confirm import ConfirmScreen
from partytui.tui.screens.help import HelpScreen, modal_keys
from partytui.tui.screens.inbox import InboxScreen
from partytui.tui.screens.message import MessageScreen
from partytui.tui.screens.task_detail import TaskDetailScreen
from snapshot_apps.modals_common import (
    CLOCK,
    ModalHost,
    SessionModalHost,
    change_state,
    make_workspace,
    session_state,
    task_state,
)

MAIN_KEYS = [
    ("", "Main screen"),
    ("1-9", "focus agent N"),
    ("p", "pause or resume the focused agent"),
    ("m", "message the focused agent"),
    ("x", "cancel the focused agent"),
    ("z", "zoom the focused pane"),
    ("t", "focus the task board"),
    ("i", "inbox"),
    ("?", "this help"),
    ("q", "quit"),
]


async def armed(pilot: Any) -> None:
    """Keys count once the request is armed (at its first frame here, arm_delay=0): wait for that, not for time,
    so a slow machine's late first frame does not swallow the presses the snapshot is about."""
    for _ in range(1000):
        if getattr(pilot.app.screen, "armed", True):
            return
        await pilot.pause(0.02)
    raise AssertionError("the request never armed")


def host(make: Callable[[], Screen[Any]]) -> ModalHost:
    return ModalHost(make)


def approval(approval_id: int, workspace: Path | None = None) -> ModalHost:
    state = session_state()
    return host(lambda: ApprovalModal(state.approvals[approval_id], workspace, CLOCK, arm_delay=0))


@pytest.mark.parametrize(
    ("approval_id", "press"),
    [
        (1, ()),  # two questions, the first focused
        (1, ("2", "3", "1")),  # first answered (PostgreSQL), two options of the multiSelect toggled
        (2, ()),  # design: Markdown
        (6, ()),  # plan
        (7, ()),  # other
        (4, ()),  # permission: a Bash command
        (5, ()),  # reply: the agent's prose and a text area
        (2, ("r", "t", "o", "o", " ", "v", "a", "g", "u", "e")),  # the reason prompt
    ],
    ids=["question", "question-picked", "design", "plan", "other", "permission", "reply", "reject-reason"],
)
def test_approval_80x24(snap_compare: Any, approval_id: int, press: tuple[str, ...]) -> None:
    assert snap_compare(approval(approval_id), press=press, terminal_size=(80, 24), run_before=armed)


def test_migration_80x24(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(approval(3, make_workspace(tmp_path)), terminal_size=(80, 24), run_before=armed)


def test_migration_scrolled_to_the_notes_80x24(snap_compare: Any, tmp_path: Path) -> None:
    # the missing file, the escaping path and the rollback notes sit below the SQL
    assert snap_compare(
        approval(3, make_workspace(tmp_path)), press=("tab", "end"), terminal_size=(80, 24), run_before=armed
    )


def test_design_160x48(snap_compare: Any) -> None:
    assert snap_compare(approval(2), terminal_size=(160, 48), run_before=armed)


def test_inbox_80x24(snap_compare: Any) -> None:
    state = session_state()
    assert snap_compare(host(lambda: InboxScreen(state, CLOCK)), terminal_size=(80, 24))


def test_inbox_160x48(snap_compare: Any) -> None:
    state = session_state()
    assert snap_compare(host(lambda: InboxScreen(state, CLOCK)), terminal_size=(160, 48))


def test_help_80x24(snap_compare: Any) -> None:
    assert snap_compare(host(lambda: HelpScreen(MAIN_KEYS + modal_keys())), terminal_size=(80, 24))


def test_confirm_80x24(snap_compare: Any) -> None:
    body = "The run is still in progress; the log keeps everything."
    assert snap_compare(host(lambda: ConfirmScreen("Quit partytui?", body)), terminal_size=(80, 24))


def test_message_80x24(snap_compare: Any) -> None:
    assert snap_compare(
        host(lambda: MessageScreen("backend", color="green")), press=tuple("use sqlite"), terminal_size=(80, 24)
    )


def test_task_detail_80x24(snap_compare: Any) -> None:
    state = task_state()
    assert snap_compare(host(lambda: TaskDetailScreen(state.tasks["2"], state, CLOCK)), terminal_size=(80, 24))


def changed(approval_id: int, workspace: Path) -> ModalHost:
    state = change_state()
    return SessionModalHost(lambda: ApprovalModal(state.approvals[approval_id], workspace, CLOCK, arm_delay=0), state)


@pytest.mark.parametrize("size", [(80, 24), (200, 60)], ids=["80x24", "200x60"])
def test_edit_permission_diff(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    # unified at 80 columns, side by side at 200
    assert snap_compare(changed(9, make_workspace(tmp_path)), terminal_size=size, run_before=armed)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_migration_asked_again(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(changed(8, make_workspace(tmp_path)), terminal_size=size, run_before=armed)
