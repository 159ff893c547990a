"""A request for the person reaches them outside the terminal: the title, the bell, a desktop notification —
each switchable, and never carrying an agent's control characters into an escape sequence."""

from __future__ import annotations

import asyncio
import re

import pytest

from partytui.core.team.approvals import ApprovalBroker
from partytui.core.truth.session import Session
from partytui.core.truth.state import fold
from partytui.tui import make_app
from partytui.tui.terminal_alerts import (
    POP_TITLE,
    PUSH_TITLE,
    AlertSettings,
    TerminalAlerts,
    notification_protocol,
    notification_sequence,
    plain,
    title_sequence,
    tmux_passthrough,
)
from snapshot_apps.team_sample import NOW, mid_run_events
from waiting import wait_until as until

HOSTILE = "evil\x07\x1b]2;pwned\x1b\\\x9b31m;rm -rf /\r\nnext\u202eline\x00"


def test_plain_strips_every_control_character_and_field_separator() -> None:
    text = plain(HOSTILE)
    assert not re.search(r"[\x00-\x1f\x7f-\x9f]", text)
    assert ";" not in text and "\u202e" not in text
    # core/views/plain.py's rules: escape sequences go whole (the title it tried to set with them), other controls show
    assert text == "evil␇,rm -rf / nextline␀"
    assert plain("x" * 500).endswith("…") and len(plain("x" * 500)) == 160


def test_sequences_carry_only_plain_text_between_their_own_delimiters() -> None:
    title = title_sequence(f"(1) {HOSTILE}")
    assert title.startswith("\x1b]2;") and title.endswith("\x07")
    assert title.count("\x1b") == 1 and title.count("\x07") == 1
    for protocol in ("osc9", "osc777"):
        sequence = notification_sequence("partytui", HOSTILE, protocol)
        assert sequence.count("\x1b") == 1 and sequence.count("\x07") == 1
    assert notification_sequence("t", "b", "osc777") == "\x1b]777;notify;t;b\x07"
    assert notification_sequence("t", "b", "osc9") == "\x1b]9;t: b\x07"
    assert notification_sequence("4", "x", "osc9") == "\x1b]9;#4: x\x07"  # never "9;4;…", a progress report


def test_inside_tmux_a_notification_is_passed_through_and_its_escapes_doubled() -> None:
    wrapped = tmux_passthrough("\x1b]9;hi\x07")
    assert wrapped == "\x1bPtmux;\x1b\x1b]9;hi\x07\x1b\\"


@pytest.mark.parametrize(
    ("env", "protocol"),
    [
        ({"TERM_PROGRAM": "iTerm.app"}, "osc9"),
        ({"VTE_VERSION": "7600"}, "osc777"),
        ({"TERM": "foot"}, "osc777"),
        ({"TERM": "xterm-kitty"}, "osc9"),
        ({}, "osc9"),
    ],
)
def test_the_notification_speaks_the_terminals_protocol(env: dict[str, str], protocol: str) -> None:
    assert notification_protocol(env) == protocol


def make_alerts(
    settings: AlertSettings, env: dict[str, str] | None = None
) -> tuple[TerminalAlerts, list[str], list[None]]:
    written: list[str] = []
    rings: list[None] = []
    return TerminalAlerts(settings, written.append, lambda: rings.append(None), env=env or {}), written, rings


def test_the_title_counts_waiting_requests_and_gives_the_persons_title_back() -> None:
    alerts, written, _ = make_alerts(AlertSettings())
    alerts.show_waiting("partytui — demo", 0)
    assert written == []  # nothing waits: the person's own title stays untouched
    alerts.show_waiting("partytui — demo", 2)
    alerts.show_waiting("partytui — demo", 2)
    alerts.show_waiting("partytui — demo", 0)
    alerts.restore()
    assert written == [PUSH_TITLE, "\x1b]2;(2) partytui — waiting for you\x07", "\x1b]2;partytui — demo\x07", POP_TITLE]


def test_each_alert_can_be_switched_off() -> None:
    alerts, written, rings = make_alerts(AlertSettings.off())
    alerts.request("partytui", "#1 design from lead: x")
    alerts.show_waiting("partytui", 1)
    alerts.restore()
    assert written == [] and rings == []
    alerts, written, rings = make_alerts(
        AlertSettings(title=False, bell=False, desktop=True), env={"TMUX": "/tmp/t,1,0"}
    )
    alerts.request("partytui", "#1 design")
    assert written == [tmux_passthrough("\x1b]9;partytui: #1 design\x07")] and rings == []


def live_session() -> Session:
    kept = [e for e in mid_run_events() if e.type not in ("approval.requested", "approval.answered")]
    return Session(state=fold(kept), clock=lambda: NOW)


async def test_a_live_request_sets_the_title_rings_and_notifies_and_the_answer_clears_the_title(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TMUX", raising=False)
    monkeypatch.delenv("VTE_VERSION", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    session = live_session()
    broker = ApprovalBroker(session)
    app = make_app(session, broker=broker, clock=lambda: NOW, approval_delay=0, title="partytui — demo")
    written: list[str] = []
    rings: list[None] = []
    app.write_terminal = written.append  # type: ignore[method-assign]
    app.bell = lambda: rings.append(None)  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        asked = asyncio.ensure_future(broker.request("backend", "design", title="Schema\x1b]2;owned\x07 design"))
        await until(lambda: "\x1b]2;(1) partytui — waiting for you\x07" in written)
        assert rings
        [note] = [w for w in written if w.startswith("\x1b]9;")]
        assert (
            note == "\x1b]9;partytui — a request for you: #1 design from backend: Schema design\x07"
        )  # the title sequence it hid goes whole
        await until(lambda: getattr(app.screen, "armed", False))
        await pilot.press("a")
        await until(asked.done)
        await until(lambda: written[-1] == "\x1b]2;partytui — demo\x07")
    assert written[0] == PUSH_TITLE and written[-1] == POP_TITLE


async def test_a_replay_sets_no_title_and_sends_no_notification() -> None:
    session = Session(state=fold(mid_run_events()), clock=lambda: NOW)  # a request waits in it
    app = make_app(session, clock=lambda: NOW)
    written: list[str] = []
    app.write_terminal = written.append  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await until(lambda: bool(app.main.panes))
        await app.flush_view()
        await pilot.pause()
    assert written == []
