"""Waiting in tests: for a condition, never for a length of time.

The deadline only turns a broken app into a failure rather than a hang. It is generous because a busy 2-core
machine (another suite running beside this one, a CPU hog) draws a frame in a second rather than in 10 ms;
counting pauses instead would make a slow machine look like a broken app.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

DEADLINE_S = 60.0


async def wait_until(
    condition: Callable[[], bool],
    what: str = "the condition",
    seconds: float = DEADLINE_S,
    step: Callable[[], Awaitable[object]] | None = None,
) -> None:
    """Return once ``condition()`` holds; ``step`` lets the app run between looks (a pilot's pause)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"never happened in {seconds:.0f} s: {what}")
        await (step() if step is not None else asyncio.sleep(0.01))
