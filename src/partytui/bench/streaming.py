"""Section 1, streaming: the highest delta rate eight panes keep up with, partytui beside two other ways.

Each step is a fresh app (200x60, headless, the real screen and widgets) whose session gets text deltas
from eight agents at a fixed total rate for a warm-up and a measured window, while a thread presses the
probe key ~50 times a second. A rate is *sustained* when the feed reached it, the backlog (deltas emitted
minus deltas whose Markdown finished rendering) did not grow across the window, the backlog drained
within a second once the feed stopped, and key presses sent in the window waited at most 50 ms at p99.
The other ways: the naive way (a Textual ``Markdown`` per pane, appended per delta) and the Toad way (the
same, fed through ``Markdown.get_stream``, which gathers deltas while an append is under way).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from .harness import Kind, ms, open_bench, percentile, settle, slope

KEY_P99_LIMIT_S = 0.050
GROWTH_LIMIT = 0.05  # backlog may grow by at most 5% of the rate per second
DRAIN_LIMIT_S = 1.0


@dataclass
class Step:
    kind: str
    rate: float  # deltas/s asked for
    achieved: float  # deltas/s emitted
    backlog_growth: float  # deltas/s the backlog grew by over the window (least squares)
    backlog_max: int
    drain_s: float | None  # time for the backlog to reach zero after the feed stopped (None: not within 5 s)
    key_p50_ms: float | None
    key_p99_ms: float | None
    keys: int
    frames_per_s: float
    sustained: bool

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


async def run_step(kind: Kind, rate: float, *, warmup: float, window: float, folder: Path) -> Step:
    async with open_bench(kind, folder, f"{kind}-{int(rate)}") as bench:
        app, feed, latency = bench.app, bench.feed, bench.latency
        await feed.run(rate, warmup)
        points: list[tuple[float, float]] = []
        done = asyncio.Event()

        async def sample() -> None:
            while not done.is_set():
                points.append((time.perf_counter(), bench.backlog()))
                await asyncio.sleep(0.1)

        sampler = asyncio.create_task(sample())
        frames0, before = app.frames, feed.deltas
        opened = time.perf_counter()
        elapsed = await feed.run(rate, window)
        closed = time.perf_counter()
        done.set()
        await sampler
        frames = app.frames - frames0
        drain = await settle(app, lambda: bench.backlog() <= 0, timeout=5.0)
    keys = latency.between(opened, closed)  # the keys sent in the window, every one handled once the bench closed
    achieved = (feed.deltas - before) / elapsed if elapsed else 0.0
    growth = slope(points)
    p99 = percentile(keys, 99)
    sustained = (
        achieved >= 0.95 * rate
        and growth <= GROWTH_LIMIT * rate
        and drain is not None
        and drain <= DRAIN_LIMIT_S
        and p99 is not None
        and p99 <= KEY_P99_LIMIT_S
    )
    return Step(
        kind=kind,
        rate=rate,
        achieved=round(achieved, 1),
        backlog_growth=round(growth, 1),
        backlog_max=int(max((b for _, b in points), default=0)),
        drain_s=None if drain is None else round(drain, 3),
        key_p50_ms=ms(percentile(keys, 50)),
        key_p99_ms=ms(p99),
        keys=len(keys),
        frames_per_s=round(frames / elapsed, 1) if elapsed else 0.0,
        sustained=sustained,
    )


def ramp(
    kind: Kind,
    *,
    start: float,
    warmup: float,
    window: float,
    refine: int,
    ceiling: float,
    folder: Path,
    log: Callable[[str], object] = print,
) -> list[Step]:
    """Double the rate until a step is not sustained, then bisect ``refine`` times between the last two."""
    steps: list[Step] = []

    def attempt(rate: float) -> bool:
        step = asyncio.run(run_step(kind, rate, warmup=warmup, window=window, folder=folder))
        steps.append(step)
        log(_line(step))
        return step.sustained

    good, bad = 0.0, None
    rate = start
    while rate <= ceiling:
        if attempt(rate):
            good = rate
            rate *= 2
        else:
            bad = rate
            break
    if good == 0.0 and bad is not None:  # even the first rate failed: come down until one holds
        rate = bad / 2
        while rate >= 5:
            if attempt(rate):
                good = rate
                break
            bad, rate = rate, rate / 2
    for _ in range(refine if bad is not None and good else 0):
        middle = round((good + bad) / 2, -1)  # type: ignore[operator]
        if middle in (good, bad):
            break
        if attempt(middle):
            good = middle
        else:
            bad = middle
    return steps


def best(steps: list[Step]) -> float:
    return max((s.rate for s in steps if s.sustained), default=0.0)


def _line(step: Step) -> str:
    mark = "ok " if step.sustained else "LAG"
    drain = "never" if step.drain_s is None else f"{step.drain_s:.2f}s"
    return (
        f"  {mark} {step.kind:8} {step.rate:>8.0f}/s  sent {step.achieved:>8.0f}/s  backlog +{step.backlog_growth:.0f}/s"
        f" (max {step.backlog_max})  drain {drain}  keys p99 {step.key_p99_ms} ms  {step.frames_per_s} fps"
    )
