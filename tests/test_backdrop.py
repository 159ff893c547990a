"""The approval modal's translucent backdrop: drawn line by line, it shows what Textual's own backdrop shows,
follows the team streaming beneath it, and draws again only the lines that changed there."""

from __future__ import annotations

import asyncio
from typing import Any

from textual._context import visible_screen_stack
from textual.screen import Screen
from textual.strip import Strip

from partytui.core.team.approvals import ApprovalBroker
from partytui.core.truth import events as ev
from partytui.tui import make_app
from partytui.tui.screens.approval import ApprovalModal
from snapshot_apps.team_sample import NOW
from test_modal_keys import LARGE, live_session, modal, shown, until


def textual_backdrop(screen: ApprovalModal) -> list[Strip]:
    """Every line of the backdrop as Textual draws it (the whole screen beneath, composed and tinted)."""
    visible_screen_stack.set(screen.app._background_screens)  # as the compositor sets it for a frame
    screen._render_content()
    return [Screen.render_line(screen, y) for y in range(screen.size.height)]


async def settled(app: Any, pilot: Any) -> None:
    """What the session holds is drawn beneath, and what was redrawn there is reported to the modal."""
    await app.flush_view()
    for _ in range(3):
        await pilot.pause()


def ours(screen: ApprovalModal) -> list[Strip]:
    return [screen.render_line(y) for y in range(screen.size.height)]


async def test_the_backdrop_is_textuals_and_only_changed_lines_are_drawn_again() -> None:
    session = live_session()
    broker = ApprovalBroker(session)
    app = make_app(session, broker=broker, clock=lambda: NOW)
    async with app.run_test(size=LARGE) as pilot:
        await pilot.pause()
        asked = asyncio.ensure_future(broker.request("backend", "design", title="the design", body="# Plan"))
        await until(lambda: shown(app))
        screen = modal(app)
        assert screen is not None and screen.styles.background.a < 1  # translucent: the team shows beneath
        await settled(app, pilot)
        screen._backdrop.clear()  # both drawn from the screen beneath as it is now
        before = ours(screen)
        assert [list(line) for line in before] == [list(line) for line in textual_backdrop(screen)]
        assert any("backend" in line.text for line in before)  # the panes beneath, not a blank

        # the team goes on beneath the modal: one pane grows, and only its lines are drawn again
        for _ in range(40):
            session.emit(ev.TextDelta(agent="backend", text="more words from the backend, "))
        await settled(app, pilot)
        after = ours(screen)
        changed = [y for y, (a, b) in enumerate(zip(before, after, strict=True)) if a is not b]
        assert changed, "the backdrop did not follow the screen beneath"
        assert len(changed) < len(after) // 2, "lines the screen beneath did not change were drawn again"
        textual = textual_backdrop(screen)
        assert [list(after[y]) for y in changed] == [list(textual[y]) for y in changed]
        assert any("more words from the backend" in after[y].text for y in changed)
        broker.answer(1, "approved", by="human")
        await asyncio.wait_for(asked, 15)


async def test_a_textual_without_the_internals_read_gets_its_own_backdrop(monkeypatch: Any) -> None:
    from partytui.tui.screens import backdrop
    from partytui.tui.screens.backdrop import LiveBackdrop

    # as if a Textual release renamed what the fast path reads (here: Strip.join, for this module only)
    monkeypatch.setattr(backdrop, "Strip", object())
    monkeypatch.setattr(LiveBackdrop, "_usable", True)
    session = live_session()
    broker = ApprovalBroker(session)
    app = make_app(session, broker=broker, clock=lambda: NOW)
    async with app.run_test(size=LARGE) as pilot:
        await pilot.pause()
        asked = asyncio.ensure_future(broker.request("backend", "design", title="the design", body="# Plan"))
        await until(lambda: shown(app))
        screen = modal(app)
        assert screen is not None
        await settled(app, pilot)
        assert LiveBackdrop._usable is False  # it gave up instead of crashing the app
        textual = textual_backdrop(screen)  # drawn now, from the screen beneath as it is now
        assert [list(line) for line in ours(screen)] == [list(line) for line in textual]
        broker.answer(1, "approved", by="human")
        await asyncio.wait_for(asked, 15)
