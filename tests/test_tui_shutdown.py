"""Closing the app while it is busy: keys from the terminal's thread and flushes still under way."""

from __future__ import annotations

import asyncio
import threading

from textual import events

from partytui.tui import make_app
from snapshot_apps.team_sample import NOW
from test_tui_main import LARGE, sample_session, settled


async def test_keys_arriving_while_the_app_closes_are_dropped() -> None:
    failures: list[BaseException] = []
    for _ in range(5):  # the race is timing-dependent: a few closes make it near certain to show
        app = make_app(sample_session(), clock=lambda: NOW)
        halt = threading.Event()

        def press() -> None:
            while not halt.is_set():
                app.post_message(events.Key("f12", None))  # a key nothing is bound to
                halt.wait(0.001)

        presser = threading.Thread(target=press, daemon=True)
        try:
            async with app.run_test(size=LARGE) as pilot:
                await settled(pilot)
                presser.start()
                await pilot.pause(0.05)
        except Exception as exc:
            failures.append(exc)
        finally:
            halt.set()
            presser.join()
    assert not failures


async def test_flushes_under_way_while_the_app_closes_end_quietly() -> None:
    outcomes: list[str | None] = []
    for n in range(4):
        app = make_app(sample_session(), clock=lambda: NOW)

        async def keep_flushing() -> str | None:
            try:
                for _ in range(500):
                    app.reset_view()  # a full rebuild each time: the flush touches every part of the screen
                    await app.flush_view()
                    await asyncio.sleep(0)
            except Exception as exc:
                return repr(exc)
            return None

        async with app.run_test(size=LARGE) as pilot:
            await settled(pilot)
            flusher = asyncio.create_task(keep_flushing())
            await asyncio.sleep(0.002 * n)
        outcomes.append(await asyncio.wait_for(flusher, timeout=30))
    assert outcomes == [None] * 4
