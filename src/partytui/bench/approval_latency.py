"""Section 2, approval latency: from ``approval.requested`` to the modal's first frame, under streaming load.

An agent asks through the real ``ApprovalBroker`` while eight agents stream; the app's approval worker
shows the real modal. The clock stops when a frame of the modal screen has been composed and encoded
for the terminal. The request is then answered through the broker (as another path would), the modal
closes, and after a short pause the next request comes.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..core.approvals import ApprovalBroker
from ..core.events import EventBase
from ..core.log import SessionLog
from ..core.session import Session
from ..tui.screens.approval import ApprovalModal
from .feed import Feed, markdown_answer, session_started
from .harness import SIZE, BenchApp, KeyLatency, KeyPresser, ms, percentile, settle


@dataclass
class ApprovalResult:
    load: float  # deltas/s streaming meanwhile
    requests: int
    shown: int
    p50_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    key_p99_ms: float | None
    keys_pressed: int = 0
    keys_lost: int = 0  # probe presses never handled (each press is matched to its own handling)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


async def measure(load: float, count: int, folder: Path) -> ApprovalResult:
    session = Session(log=SessionLog(folder / "approvals.jsonl", secrets=()))
    session.emit(session_started())
    broker = ApprovalBroker(session)
    latency = KeyLatency()
    app = BenchApp(session, latency, broker=broker)
    asked: dict[int, float] = {}
    shown: dict[int, float] = {}

    def on_event(event: EventBase) -> None:
        if event.type == "approval.requested":
            asked[event.request.id] = time.perf_counter()  # type: ignore[attr-defined]

    def on_paint(screen: Any) -> None:
        if isinstance(screen, ApprovalModal):
            approval_id = screen.view.request.id
            shown.setdefault(approval_id, time.perf_counter())

    session.subscribe(on_event)
    app.paint_hooks.append(on_paint)
    rng = random.Random(11)
    stop = asyncio.Event()
    async with app.run_test(size=SIZE):
        if await settle(app, lambda: bool(app.main.is_mounted and app.main.panes), timeout=15) is None:
            raise RuntimeError("the app did not show its panes")
        feed = Feed(session)
        streaming = asyncio.create_task(feed.run(load, 3600, stop=stop.is_set))
        presser = KeyPresser(app, latency)
        presser.start()
        try:
            await asyncio.sleep(0.5)  # the panes fill before the first request
            latency.take()
            for n in range(count):
                agent = feed.agents[n % len(feed.agents)]
                kind = "design" if n % 2 else "migration"
                body = markdown_answer(rng)
                request = asyncio.create_task(
                    broker.request(agent, kind, title=f"bench request {n + 1}", summary="a design to approve", body=body)
                )
                if await settle(app, lambda: len(session.state.approvals) > n, timeout=10) is None:
                    raise RuntimeError(f"approval request {n + 1} never reached the session state (10 s)")
                approval_id = max(session.state.approvals)
                if await settle(app, lambda: approval_id in shown, timeout=10) is None:
                    raise RuntimeError(f"approval request {n + 1} (id {approval_id}) was never shown in a modal (10 s)")
                broker.answer(approval_id, "approved", "ok", by="human")
                await asyncio.wait_for(request, timeout=10)
                await settle(app, lambda: not isinstance(app.screen, ApprovalModal), timeout=10)
                await asyncio.sleep(rng.uniform(0.1, 0.3))
        finally:
            lost = await presser.finish(timeout=5)
            stop.set()
            await streaming
    session.close()
    waits = [shown[i] - asked[i] for i in asked if i in shown]
    keys = latency.take()
    return ApprovalResult(
        load=load,
        requests=len(asked),
        shown=len(waits),
        p50_ms=ms(percentile(waits, 50)),
        p99_ms=ms(percentile(waits, 99)),
        max_ms=ms(max(waits) if waits else None),
        key_p99_ms=ms(percentile(keys, 99)),
        keys_pressed=presser.pressed,
        keys_lost=lost,
    )
