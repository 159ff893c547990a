"""Key presses at a modal's edges: a key typed as soon as a request shows answers it, and a key pressed on
one modal never answers the next request before that one is drawn."""

from __future__ import annotations

import asyncio
from typing import Callable

from textual import events
from textual.pilot import Pilot

from partytui.core.approvals import ApprovalBroker
from partytui.core.session import Session
from partytui.core.state import fold
from partytui.tui import PartyApp, make_app
from partytui.tui.screens.approval import ApprovalModal
from snapshot_apps.team_sample import NOW, mid_run_events

LARGE = (160, 48)


def live_session() -> Session:
    kept = [e for e in mid_run_events() if e.type not in ("approval.requested", "approval.answered")]
    return Session(state=fold(kept), clock=lambda: NOW)


def asking(broker: ApprovalBroker, count: int, decisions: list[str | None]) -> Callable[[], object]:
    async def runner() -> int:
        await asyncio.sleep(0.05)
        titles = [f"design {n}" for n in range(count)]
        views = await asyncio.gather(*(broker.request("backend", "design", title=t, body="# Plan\n\n- one") for t in titles))
        decisions.extend(v.decision for v in views)
        return 0

    return runner


async def until(condition: Callable[[], bool], seconds: float = 10) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0)


def press(app: PartyApp, key: str) -> None:
    """As a terminal's input thread delivers a key: posted, not waited for."""
    app.post_message(events.Key(key, key))


async def test_a_typed_the_moment_each_modal_is_pushed_answers_it() -> None:
    session = live_session()
    broker = ApprovalBroker(session)
    decisions: list[str | None] = []
    app = make_app(session, broker=broker, runner=asking(broker, 4, decisions), clock=lambda: NOW)
    answered: set[int] = set()
    async with app.run_test(size=LARGE):
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 15
        while app.run_code is None:
            assert loop.time() < deadline, f"only {len(answered)} of 4 requests were answered"
            screen = app.screen
            if isinstance(screen, ApprovalModal) and id(screen) not in answered:
                answered.add(id(screen))
                press(app, "a")  # before the modal has even composed, let alone been drawn
            await asyncio.sleep(0)
    assert decisions == ["approved"] * 4
    assert len(answered) == 4


async def test_a_second_quick_a_does_not_answer_the_next_request_unseen() -> None:
    session = live_session()
    broker = ApprovalBroker(session)
    decisions: list[str | None] = []
    app = make_app(session, broker=broker, runner=asking(broker, 2, decisions), clock=lambda: NOW)
    async with app.run_test(size=LARGE) as pilot:
        await until(lambda: isinstance(app.screen, ApprovalModal) and app.screen.is_mounted)
        await pilot.pause()
        first = app.screen
        press(app, "a")
        press(app, "a")  # meant for the first modal too: it must not fall through to the second
        await until(lambda: isinstance(app.screen, ApprovalModal) and app.screen is not first)
        second = app.screen
        await pilot.pause(0.3)
        assert app.screen is second, "the second request was answered before anyone saw it"
        assert [v.decision for v in session.state.approvals.values()] == ["approved", None]
        await pilot.press("r", *"not yet", "enter")
        await until(lambda: app.run_code is not None)
    assert decisions == ["approved", "rejected"]
    assert session.state.approvals[max(session.state.approvals)].note == "not yet"


async def test_keys_still_work_on_the_main_screen_and_on_a_modal_opened_there() -> None:
    session = live_session()
    app = make_app(session, clock=lambda: NOW)
    async with app.run_test(size=LARGE) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await until(lambda: type(app.screen).__name__ == "HelpScreen")
        await pilot.press("escape")
        await until(lambda: app.screen is app.main)


def test_the_help_names_the_transcripts_e_key() -> None:
    from partytui.tui.screens.main import MainScreen

    assert "earlier entries" in dict(MainScreen().key_help())["e"]
