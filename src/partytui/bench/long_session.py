"""Section 3, a long session: a million tokens through eight panes, memory and key presses at the end.

Runs in its own process (``python -m partytui.bench.long_session --tokens N --rate R``, JSON on stdout)
so that memory freed by the other sections cannot flatter it. RSS is read before streaming starts, along
the way and at the end; key presses are timed in the first and the last few seconds of streaming.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..core.approvals import ApprovalBroker
from ..core.log import SessionLog
from ..core.session import Session
from .feed import CHARS_PER_TOKEN, Feed, session_started
from .harness import SIZE, BenchApp, KeyLatency, KeyPresser, RenderProbe, ms, percentile, rss_mb, settle

KEY_WINDOW_S = 4.0


@dataclass
class LongResult:
    tokens: int  # streamed (characters / 4)
    deltas: int
    other_events: int
    rate: float  # deltas/s asked for
    seconds: float
    rss_start_mb: float
    rss_end_mb: float
    rss_growth_mb: float
    rss_samples: list[tuple[int, float]] = field(default_factory=list)  # (tokens so far, RSS MB)
    key_p99_start_ms: float | None = None
    key_p99_end_ms: float | None = None
    backlog_end: int = 0  # deltas not yet rendered when the feed stopped
    drain_s: float | None = None
    mounted_widgets_end: int = 0

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


async def measure(tokens: int, rate: float, folder: Path) -> LongResult:
    session = Session(log=SessionLog(folder / "long.jsonl", secrets=()))
    session.emit(session_started())
    latency = KeyLatency()
    app = BenchApp(session, latency, broker=ApprovalBroker(session))
    probe = RenderProbe()
    probe.install()
    target_chars = tokens * CHARS_PER_TOKEN
    samples: list[tuple[int, float]] = []
    try:
        async with app.run_test(size=SIZE):
            if await settle(app, lambda: bool(app.main.is_mounted and app.main.panes), timeout=15) is None:
                raise RuntimeError("the app did not show its panes")
            feed = Feed(session)
            await asyncio.sleep(0.5)
            gc.collect()
            rss_start = rss_mb()
            samples.append((0, round(rss_start, 1)))
            presser = KeyPresser(app, latency)
            presser.start()
            started = time.perf_counter()
            try:
                window = asyncio.create_task(_first_window(latency))
                done = asyncio.Event()
                per_delta = 6.0  # characters per delta, assumed until the feed has sent one

                async def watch() -> None:
                    stride, next_sample = max(target_chars // 20, 1), max(target_chars // 20, 1)
                    while not done.is_set():
                        await asyncio.sleep(0.25)
                        if feed.chars >= next_sample:
                            samples.append((feed.chars // CHARS_PER_TOKEN, round(rss_mb(), 1)))
                            next_sample += stride
                        size = feed.chars / feed.deltas if feed.deltas else per_delta
                        left_s = (target_chars - feed.chars) / size / rate
                        if window.done() and not latency.recording and left_s <= KEY_WINDOW_S:
                            latency.take()
                            latency.recording = True

                watcher = asyncio.create_task(watch())
                await feed.run(rate, float("inf"), stop=lambda: feed.chars >= target_chars)
                done.set()
                await watcher
                p99_start = await window
                seconds = time.perf_counter() - started
                end_keys = latency.take()
                latency.recording = False

                def backlog() -> int:
                    return feed.deltas - probe.rendered_deltas(feed.offsets)

                backlog_end = backlog()
                drain = await settle(app, lambda: backlog() <= 0, timeout=10)
            finally:
                await presser.finish()
            gc.collect()
            rss_end = rss_mb()
            samples.append((feed.chars // CHARS_PER_TOKEN, round(rss_end, 1)))
            widgets = sum(1 for _ in app.main.walk_children())
    finally:
        probe.uninstall()
        session.close()
    return LongResult(
        tokens=feed.chars // CHARS_PER_TOKEN,
        deltas=feed.deltas,
        other_events=feed.others,
        rate=rate,
        seconds=round(seconds, 1),
        rss_start_mb=round(rss_start, 1),
        rss_end_mb=round(rss_end, 1),
        rss_growth_mb=round(rss_end - rss_start, 1),
        rss_samples=samples,
        key_p99_start_ms=ms(p99_start),
        key_p99_end_ms=ms(percentile(end_keys, 99)),
        backlog_end=backlog_end,
        drain_s=None if drain is None else round(drain, 2),
        mounted_widgets_end=widgets,
    )


async def _first_window(latency: KeyLatency) -> float | None:
    latency.take()
    latency.recording = True
    await asyncio.sleep(KEY_WINDOW_S)
    p99 = percentile(latency.take(), 99)
    latency.recording = False
    return p99


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m partytui.bench.long_session")
    parser.add_argument("--tokens", type=int, default=1_000_000)
    parser.add_argument("--rate", type=float, default=5000.0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="partytui-bench-") as folder:
        result = asyncio.run(measure(args.tokens, args.rate, Path(folder)))
    json.dump(result.as_dict(), sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
