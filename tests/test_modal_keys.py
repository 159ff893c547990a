"""No blind approvals: keys typed for something else never answer a request.

A request's modal arms only once it has been on screen for the approval delay (measured on the app's
monotonic clock, which these tests drive by hand: no test sleeps for the delay); a request that arrives while
the person types in a text box waits behind the badge; a key pressed on one modal never answers the next.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from textual import events
from textual.widgets import Button, Input

from partytui.core.team.approvals import ApprovalBroker
from partytui.core.truth.session import Session
from partytui.core.truth.state import fold
from partytui.tui import PartyApp, make_app
from partytui.tui.screens.approval import ApprovalModal
from partytui.tui.screens.confirm import ConfirmScreen
from partytui.tui.screens.help import HelpScreen
from partytui.tui.screens.inbox import InboxScreen
from partytui.tui.screens.main import MainScreen
from partytui.tui.screens.message import MessageScreen
from snapshot_apps.team_sample import NOW, mid_run_events
from waiting import wait_until as until

LARGE = (160, 48)
DELAY = 0.5

# every key that answers something on some kind of request, and a few that answer nothing
MASH = ["a", "A", "s", "r", "y", "enter", "space", "ctrl+s", *"123456789", "tab", "enter", "a"]


class ManualClock:
    """The modals' arming clock: it moves only when a test moves it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Controls:
    """A team controller that remembers the messages it was asked to send."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def pause(self, agent: str) -> None: ...
    def resume(self, agent: str) -> None: ...
    def cancel(self, agent: str) -> None: ...
    def is_paused(self, agent: str) -> bool:
        return False

    def send(self, agent: str, text: str) -> None:
        self.sent.append((agent, text))


def live_session() -> Session:
    kept = [e for e in mid_run_events() if e.type not in ("approval.requested", "approval.answered")]
    return Session(state=fold(kept), clock=lambda: NOW)


def press(app: PartyApp, key: str) -> None:
    """As a terminal's input thread delivers a key: posted, not waited for."""
    app.post_message(events.Key(key, key if len(key) == 1 else None))


def modal(app: PartyApp) -> ApprovalModal | None:
    return app.screen if isinstance(app.screen, ApprovalModal) else None


def shown(app: PartyApp) -> bool:
    """The modal on top has had its first frame: its arming clock is running."""
    screen = modal(app)
    return screen is not None and screen._shown_at is not None


def pending(session: Session) -> list[int]:
    return [v.request.id for v in session.state.pending_approvals]


def confirming(app: PartyApp) -> bool:
    """The quit question is on top and drawn (its buttons focusable)."""
    return isinstance(app.screen, ConfirmScreen) and bool(app.screen.query("#confirm-body"))


def header_text(screen: ApprovalModal) -> str:
    return str(screen.query_one("#header").render())


QUESTION = {
    "question": "Which database?",
    "header": "Storage",
    "options": [{"label": "SQLite"}, {"label": "PostgreSQL"}],
}

KINDS: dict[str, dict[str, Any]] = {
    "design": {"title": "the design", "body": "# Plan\n\n- one"},
    "migration": {"title": "0002 tags", "body": "Rollback: drop it."},
    "permission": {"title": "Bash", "tool": "Bash", "tool_input": {"command": "rm -rf build"}},
    "question": {"title": "Pick", "questions": [QUESTION]},
    "reply": {"title": "lead asks", "body": "ISO dates?"},
}


@pytest.mark.parametrize("kind", list(KINDS))
async def test_mashing_keys_never_answers_a_request_before_it_has_been_on_screen_for_the_delay(kind: str) -> None:
    session = live_session()
    broker = ApprovalBroker(session)
    clock = ManualClock()
    app = make_app(session, broker=broker, clock=lambda: NOW, approval_delay=DELAY, monotonic=clock)
    async with app.run_test(size=LARGE) as pilot:
        await pilot.pause()
        asked = asyncio.ensure_future(broker.request("backend", kind, **KINDS[kind]))
        # keys typed before the modal is even drawn, then at every step of its first 0.5 s on screen
        for key in MASH:
            press(app, key)
        await until(lambda: shown(app))
        screen = modal(app)
        assert screen is not None
        started = screen._shown_at
        for step in (0.0, 0.1, 0.2, 0.3, 0.4, 0.49):
            clock.now = started + step
            for key in MASH:
                press(app, key)
            await pilot.pause()
            assert app.screen is screen and not screen.armed
            assert pending(session) == [1], f"answered {step}s after it was shown"
            assert "arming" in header_text(screen)
            assert all(b.disabled for b in screen.query("#buttons Button").results(Button) if b.id != "aside")
        assert not asked.done()
        # the delay has passed: the modal arms, says nothing more about arming, and its keys work
        clock.now = started + DELAY
        await until(lambda: screen.armed)
        await pilot.pause()
        assert "arming" not in header_text(screen)
        assert not any(b.disabled for b in screen.query("#buttons Button").results(Button))
        if kind == "reply":
            await pilot.press(*"ISO", "ctrl+s")
        elif kind == "question":
            await pilot.press("2")
        else:
            await pilot.press("a")
        await until(asked.done)
    assert asked.result().decision in ("approved", "answered")


async def test_a_typed_the_moment_each_modal_is_pushed_answers_none_of_them() -> None:
    session = live_session()
    broker = ApprovalBroker(session)
    clock = ManualClock()
    decisions: list[str | None] = []

    async def runner() -> int:
        await asyncio.sleep(0.05)
        views = await asyncio.gather(*(broker.request("backend", "design", title=f"design {n}") for n in range(3)))
        decisions.extend(v.decision for v in views)
        return 0

    app = make_app(session, broker=broker, runner=runner, clock=lambda: NOW, approval_delay=DELAY, monotonic=clock)
    async with app.run_test(size=LARGE) as pilot:
        seen: list[ApprovalModal] = []
        for n in range(3):
            await until(lambda: modal(app) is not None and modal(app) not in seen)
            screen = modal(app)
            assert screen is not None
            seen.append(screen)
            press(app, "a")  # the moment it is pushed, before it has composed, let alone been drawn
            await until(lambda: shown(app))
            press(app, "a")  # drawn, but only just
            await pilot.pause()
            assert app.screen is screen and len(pending(session)) == 3 - n
            clock.now += DELAY
            await until(lambda: screen.armed)
            await pilot.press("a")
        await until(lambda: app.run_code is not None)
    assert decisions == ["approved"] * 3


async def test_a_second_quick_a_does_not_answer_the_next_request_unseen() -> None:
    session = live_session()
    broker = ApprovalBroker(session)
    decisions: list[str | None] = []

    async def runner() -> int:
        await asyncio.sleep(0.05)
        views = await asyncio.gather(*(broker.request("backend", "design", title=f"design {n}") for n in range(2)))
        decisions.extend(v.decision for v in views)
        return 0

    # no delay at all: a key pressed on one modal still never falls through to the next
    app = make_app(session, broker=broker, runner=runner, clock=lambda: NOW, approval_delay=0)
    async with app.run_test(size=LARGE) as pilot:
        await until(lambda: modal(app) is not None and modal(app).armed)  # type: ignore[union-attr]
        first = app.screen
        press(app, "a")
        press(app, "a")  # meant for the first modal too: it must not fall through to the second
        await until(lambda: modal(app) is not None and app.screen is not first)
        second = app.screen
        await pilot.pause(0.3)
        assert app.screen is second, "the second request was answered before anyone saw it"
        assert [v.decision for v in session.state.approvals.values()] == ["approved", None]
        await until(lambda: modal(app).armed)  # type: ignore[union-attr]
        await pilot.press("r", *"not yet", "enter")
        await until(lambda: app.run_code is not None)
    assert decisions == ["approved", "rejected"]
    assert session.state.approvals[max(session.state.approvals)].note == "not yet"


async def test_a_modal_covered_and_shown_again_arms_again() -> None:
    session = live_session()
    broker = ApprovalBroker(session)
    clock = ManualClock()
    app = make_app(session, broker=broker, clock=lambda: NOW, approval_delay=DELAY, monotonic=clock)
    async with app.run_test(size=LARGE) as pilot:
        await pilot.pause()
        asked = asyncio.ensure_future(broker.request("backend", "design", title="the design"))
        await until(lambda: shown(app))
        screen = modal(app)
        assert screen is not None
        clock.now += DELAY
        await until(lambda: screen.armed)
        app.push_screen(HelpScreen([("a", "approve")]))  # another screen covers it
        await until(lambda: not screen.armed)
        await until(lambda: bool(app.screen.query("#help-body")))
        await pilot.press("escape")
        await until(lambda: app.screen is screen and screen._shown_at is not None)
        press(app, "a")
        await pilot.pause()
        assert not asked.done() and not screen.armed
        clock.now += DELAY
        await until(lambda: screen.armed)
        await pilot.press("a")
        await until(asked.done)


# ── a request waits while the person types ──────────────────────────────────


async def test_a_request_waits_while_a_message_is_typed_and_opens_when_the_box_is_left() -> None:
    session = live_session()
    broker = ApprovalBroker(session)
    controls = Controls()
    clock = ManualClock()
    app = make_app(
        session, broker=broker, controller=controls, clock=lambda: NOW, approval_delay=DELAY, monotonic=clock
    )
    rings: list[None] = []
    app.bell = lambda: rings.append(None)  # type: ignore[method-assign]
    async with app.run_test(size=LARGE) as pilot:
        await until(lambda: bool(app.main.panes))
        await pilot.press("m", *"please ")
        assert isinstance(app.screen, MessageScreen)
        asked = asyncio.ensure_future(broker.request("backend", "design", title="the schema"))
        await until(lambda: any("the schema" in n.message for n in app._notifications))
        await pilot.press(*"add tags")  # the person types on: every `a` goes into the message
        await pilot.pause(0.2)
        assert isinstance(app.screen, MessageScreen), "the request took the keyboard from the message box"
        assert pending(session) == [1] and rings
        note = next(n for n in app._notifications if "the schema" in n.message)
        assert "leave the text box" in note.message
        await app.flush_view()
        assert "1 pending" in str(app.main.query_one("#status").render())
        await pilot.press("enter")  # sent: now the request opens, and arms in its own time
        assert controls.sent == [(app.main.focused_agent, "please add tags")]
        await until(lambda: shown(app))
        press(app, "a")
        await pilot.pause()
        assert not asked.done()
        clock.now += DELAY
        await until(lambda: modal(app).armed)  # type: ignore[union-attr]
        await pilot.press("a")
        await until(asked.done)
    assert asked.result().decision == "approved"


async def reopened_from_the_inbox(app: PartyApp, pilot: Any) -> None:
    """Set the request on top aside and open it again from the inbox (the approval queue is then free)."""
    await until(lambda: modal(app) is not None and modal(app).armed)  # type: ignore[union-attr]
    await pilot.press("escape")
    await until(lambda: isinstance(app.screen, MainScreen))
    await pilot.press("i")
    await until(lambda: isinstance(app.screen, InboxScreen))
    await pilot.press("enter")
    await until(lambda: modal(app) is not None and modal(app).armed)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("kind", "fields", "begin", "go_on", "expected"),
    [
        # a rejection's reason: r, then the reason
        ("design", {}, ["r", *"too "], "big, split it", {"decision": "rejected", "note": "too big, split it"}),
        # a free-text answer: tab into the Other… field
        (
            "question",
            {"questions": [QUESTION]},
            ["tab", *"Duck"],
            "DB, please",
            {"decision": "answered", "answers": ["Which database? → DuckDB, please"]},
        ),
    ],
    ids=["rejection-reason", "free-text-answer"],
)
async def test_a_request_waits_while_an_answer_to_another_is_typed(
    kind: str, fields: dict[str, Any], begin: list[str], go_on: str, expected: dict[str, Any]
) -> None:
    session = live_session()
    broker = ApprovalBroker(session)
    app = make_app(session, broker=broker, clock=lambda: NOW, approval_delay=0)
    async with app.run_test(size=LARGE) as pilot:
        first = asyncio.ensure_future(broker.request("backend", kind, title="first", **fields))
        await reopened_from_the_inbox(app, pilot)
        await pilot.press(*begin)
        second = asyncio.ensure_future(broker.request("qa", "plan", title="second"))
        await until(lambda: any("second" in n.message for n in app._notifications))
        await pilot.press(*go_on)  # `a`s and all: they are the person's words, not answers to the plan
        await pilot.pause(0.2)
        assert modal(app) is not None and modal(app).request.title == "first"  # type: ignore[union-attr]
        await pilot.press("enter")
        await until(first.done)
        assert {name: getattr(first.result(), name) for name in expected} == expected
        await until(lambda: modal(app) is not None and modal(app).request.title == "second")  # type: ignore[union-attr]
        assert not second.done()


# ── every way out asks first ────────────────────────────────────────────────


async def _quit_attempt(app: PartyApp, how: str) -> None:
    if how == "palette":
        await app.run_action("quit")  # what the command palette's "Quit the application" runs
    else:
        press(app, how)


@pytest.mark.parametrize("how", ["ctrl+q", "q", "palette"])
async def test_every_way_out_asks_first_while_the_team_runs(how: str) -> None:
    session = live_session()
    release = asyncio.Event()

    async def runner() -> int:
        await release.wait()
        return 0

    app = make_app(session, broker=ApprovalBroker(session), runner=runner, clock=lambda: NOW)
    async with app.run_test(size=LARGE) as pilot:
        await until(lambda: bool(app.main.panes))
        await _quit_attempt(app, how)
        await until(lambda: confirming(app))
        assert "still working" in str(app.screen.query_one("#confirm-body").render())
        await pilot.press("n")
        await until(lambda: app.screen is app.main)
        assert app.is_running
        await _quit_attempt(app, how)
        await until(lambda: confirming(app))
        await pilot.press("y")
        await until(lambda: not app.is_running)
        release.set()
    assert app.return_code == 130


async def test_quitting_asks_while_requests_wait_even_after_the_run_stopped() -> None:
    session = live_session()
    broker = ApprovalBroker(session)
    app = make_app(session, broker=broker, clock=lambda: NOW, approval_delay=0)
    async with app.run_test(size=LARGE) as pilot:
        request = asyncio.ensure_future(broker.request("backend", "design", title="the design"))
        await until(lambda: modal(app) is not None and modal(app).armed)  # type: ignore[union-attr]
        await pilot.press("escape")
        await until(lambda: app.screen is app.main)
        assert not request.done()  # put aside, not answered
        await pilot.press("ctrl+q")
        await until(lambda: confirming(app))
        assert "1 request still waits" in str(app.screen.query_one("#confirm-body").render())
        await pilot.press("ctrl+q")  # asked once, not stacked
        assert sum(isinstance(s, ConfirmScreen) for s in app.screen_stack) == 1
        await pilot.press("escape")
        await until(lambda: app.screen is app.main)


async def test_quitting_a_finished_run_with_nothing_waiting_does_not_ask() -> None:
    session = live_session()

    async def runner() -> int:
        return 0

    app = make_app(session, broker=ApprovalBroker(session), runner=runner, clock=lambda: NOW)
    async with app.run_test(size=LARGE) as pilot:
        await until(lambda: app.run_code == 0)
        await pilot.press("ctrl+q")
        await until(lambda: not app.is_running)
    assert app.return_code == 0


def test_the_help_names_the_transcripts_e_key() -> None:
    from partytui.tui.screens.main import MainScreen

    assert "earlier entries" in dict(MainScreen().key_help())["e"]


# ── keys typed straight after r are the reason, never an answer ───────────────────────────────────────


def burst(app: PartyApp, keys: list[str]) -> None:
    """Keys typed faster than the app handles them: all posted before the first is handled."""
    for key in keys:
        app.post_message(events.Key(key, " " if key == "space" else key if len(key) == 1 else None))


def answering_app() -> tuple[Session, ApprovalBroker, PartyApp]:
    session = live_session()
    broker = ApprovalBroker(session)
    return session, broker, make_app(session, broker=broker, clock=lambda: NOW, approval_delay=0)


async def armed(app: PartyApp, asked: Any) -> Any:
    """``asked`` (a broker request, as a task) once its modal is on top and armed."""
    task = asyncio.ensure_future(asked)
    await until(lambda: modal(app) is not None and modal(app).armed)  # type: ignore[union-attr]
    return task


async def test_a_space_typed_straight_after_r_is_part_of_the_reason_not_a_pick() -> None:
    # on a question, space picks the highlighted option and a lone question then submits: typed straight after
    # r it reached the question before r had moved focus to the reason box, and answered the request
    _, broker, app = answering_app()
    async with app.run_test(size=LARGE) as pilot:
        asked = await armed(app, broker.request("backend", "question", title="db", questions=[QUESTION]))
        burst(app, ["r", "space", "n", "o"])
        reason = app.screen.query_one("#reason", Input)
        await until(lambda: reason.value == " no")
        assert not asked.done() and isinstance(app.screen, ApprovalModal)
        await pilot.press("enter")
        await until(asked.done)
        assert (asked.result().decision, asked.result().note) == ("rejected", "no")


async def test_enter_typed_straight_after_r_with_approve_focused_rejects() -> None:
    session, broker, app = answering_app()
    async with app.run_test(size=LARGE):
        asked = await armed(app, broker.request("backend", "design", title="schema", body="# Schema"))
        app.screen.query_one("#approve", Button).focus()
        await until(lambda: isinstance(app.focused, Button))
        burst(app, ["r", "enter"])
        await until(asked.done)
        assert asked.result().decision == "rejected"  # the enter was the (empty) reason's, not the button's
        assert [v.decision for v in session.state.approvals.values()] == ["rejected"]


async def test_an_r_typed_into_an_answer_is_a_letter() -> None:
    _, broker, app = answering_app()
    async with app.run_test(size=LARGE) as pilot:
        asked = await armed(app, broker.request("backend", "question", title="db", questions=[QUESTION]))
        await pilot.press("tab")  # into the Other… field
        await until(lambda: isinstance(app.focused, Input))
        await pilot.press(*"rust")
        await until(lambda: app.focused.value == "rust")  # type: ignore[union-attr]
        assert not app.screen.query_one("#reason-box").display and not asked.done()
