"""Section 2, approvals under streaming load: from ``approval.requested`` to the modal's first frame, and how
long key presses wait while requests come and go.

An agent asks through the real ``ApprovalBroker`` while eight agents stream; the app's approval worker
shows the real modal. The clock stops when a frame of the modal screen has been composed and encoded
for the terminal; on the way it notes when the modal's ``compose`` ended and when it was mounted (the split).
The request is then answered through the broker (as another path would), the modal closes, and after a
short pause the next request comes. Probe keys are pressed all along; each wait is charged to the moment
its key was sent.
"""

from __future__ import annotations

import asyncio
import operator
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from ..core.truth.events import ApprovalRequested, EventBase
from ..core.truth.session import Session
from ..tui.screens.approval import ApprovalModal
from .feed import markdown_answer
from .harness import ms, open_bench, percentile, settle

WAIT_S = 60.0  # a step that takes longer is a failure of the app, not a slow number (a loaded machine is slow)


@dataclass
class ApprovalResult:
    load: float  # deltas/s streaming meanwhile
    requests: int
    shown: int
    p50_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    key_p99_ms: float | None
    key_p50_ms: float | None = None
    keys_pressed: int = 0
    keys_lost: int = 0  # probe presses never handled (each press is matched to its own handling)
    # request -> end of the modal's compose / -> modal mounted / -> first frame, p50 and p99 of each
    split_ms: dict[str, dict[str, float | None]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@contextmanager
def _modal_marks() -> Iterator[dict[str, dict[int, float]]]:
    """While open, notes per request id when each ApprovalModal's compose ended and when it was mounted."""
    marks: dict[str, dict[int, float]] = {"composed": {}, "mounted": {}}
    compose, on_mount = ApprovalModal.compose, ApprovalModal.__dict__.get("on_mount")

    def composed(self: ApprovalModal) -> Any:
        yield from compose(self)
        marks["composed"].setdefault(self.view.request.id, time.perf_counter())

    def mounted(self: ApprovalModal) -> Any:  # Textual passes no event to a handler that takes none
        marks["mounted"].setdefault(self.view.request.id, time.perf_counter())
        return on_mount(self) if on_mount is not None else None

    ApprovalModal.compose = composed  # type: ignore[method-assign]  # measured: the modal's hooks wrapped
    ApprovalModal.on_mount = mounted  # type: ignore[method-assign]  # measured: the modal's hooks wrapped
    try:
        yield marks
    finally:
        ApprovalModal.compose = compose  # type: ignore[method-assign]
        if on_mount is None:
            del ApprovalModal.on_mount
        else:
            ApprovalModal.on_mount = on_mount  # type: ignore[method-assign]  # put back as it was


def _more_than(session: Session, n: int) -> bool:
    # the state is a value: read the session's newest one each time, never a collection kept from before
    return len(session.state.approvals) > n


async def measure(load: float, count: int, folder: Path) -> ApprovalResult:
    asked: dict[int, float] = {}
    shown: dict[int, float] = {}
    rng = random.Random(11)
    stop = asyncio.Event()
    with _modal_marks() as marks:
        async with open_bench("partytui", folder, f"approvals-{int(load)}") as bench:
            app, session, broker, latency, feed = bench.app, bench.session, bench.broker, bench.latency, bench.feed
            assert broker is not None

            def on_event(event: EventBase) -> None:
                if isinstance(event, ApprovalRequested):
                    asked[event.request.id] = time.perf_counter()

            def on_paint(screen: Any) -> None:
                if isinstance(screen, ApprovalModal):
                    shown.setdefault(screen.view.request.id, time.perf_counter())

            session.subscribe(on_event)
            app.paint_hooks.append(on_paint)
            streaming = asyncio.create_task(feed.run(load, 3600, stop=stop.is_set))
            try:
                await asyncio.sleep(0.5)  # the panes fill before the first request
                opened = time.perf_counter()
                for n in range(count):
                    agent = feed.agents[n % len(feed.agents)]
                    kind = "design" if n % 2 else "migration"
                    body = markdown_answer(rng)
                    request = asyncio.create_task(
                        broker.request(
                            agent, kind, title=f"bench request {n + 1}", summary="a design to approve", body=body
                        )
                    )
                    if await settle(app, partial(_more_than, session, n), timeout=WAIT_S) is None:
                        raise RuntimeError(f"approval request {n + 1} never reached the session state ({WAIT_S:.0f} s)")
                    approval_id = max(session.state.approvals)
                    if await settle(app, partial(operator.contains, shown, approval_id), timeout=WAIT_S) is None:
                        raise RuntimeError(
                            f"approval request {n + 1} (id {approval_id}) was never shown in a modal ({WAIT_S:.0f} s)"
                        )
                    broker.answer(approval_id, "approved", "ok", by="human")
                    await asyncio.wait_for(request, timeout=WAIT_S)
                    await settle(app, lambda: not isinstance(app.screen, ApprovalModal), timeout=WAIT_S)
                    await asyncio.sleep(rng.uniform(0.1, 0.3))
                closed = time.perf_counter()
            finally:
                stop.set()
                await streaming
    # read once the bench has closed: every key sent was handled by then, or is counted as never handled
    keys = latency.between(opened, closed)
    lost = latency.unhandled_between(opened, closed)
    pressed = len(keys) + lost
    waits = [shown[i] - asked[i] for i in asked if i in shown]

    def split(mark: dict[int, float]) -> dict[str, float | None]:
        spans = [mark[i] - asked[i] for i in asked if i in mark]
        return {"p50": ms(percentile(spans, 50)), "p99": ms(percentile(spans, 99))}

    return ApprovalResult(
        load=load,
        requests=len(asked),
        shown=len(waits),
        p50_ms=ms(percentile(waits, 50)),
        p99_ms=ms(percentile(waits, 99)),
        max_ms=ms(max(waits) if waits else None),
        key_p99_ms=ms(percentile(keys, 99)),
        key_p50_ms=ms(percentile(keys, 50)),
        keys_pressed=pressed,
        keys_lost=lost,
        split_ms={
            "composed": split(marks["composed"]),
            "mounted": split(marks["mounted"]),
            "first_frame": {"p50": ms(percentile(waits, 50)), "p99": ms(percentile(waits, 99))},
        },
    )
