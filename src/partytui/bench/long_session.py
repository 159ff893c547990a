"""Section 3, a long session: a million tokens through eight panes, memory and key presses at the end.

Runs in its own process (``python -m partytui.bench.long_session --tokens N --rate R``, JSON on stdout)
so that memory freed by the other sections cannot flatter it. RSS is read before streaming starts, along
the way and at the end.

Key presses are timed twice under the same load, eight agents at a real model's top speed: for a few
seconds once the first tokens have filled the panes, and for as long after the million, each time once the
panes have shown all that came. What differs is only the session behind the panes, so the ratio says
whether a long session is slower to use than a fresh one. (Timing the last seconds of the million itself
judged how far behind the feed the app was, when the feed is faster than the machine can draw.)
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

from .feed import CHARS_PER_TOKEN
from .harness import REAL_LOAD, ms, open_bench, percentile, rss_mb, settle

KEY_WINDOW_S = 4.0
DRAIN_WAIT_S = 120.0  # the panes catch up with the million before the end is timed (reported if they did not)
FILL_TOKENS = 10_000  # a fresh session's panes full of text: what the start is timed on


@dataclass
class LongResult:
    tokens: int  # streamed (characters / 4)
    deltas: int
    other_events: int
    rate: float  # deltas/s asked for, the million's
    probe_rate: float  # deltas/s while key presses are timed, at the start and at the end
    seconds: float
    rss_start_mb: float
    rss_end_mb: float
    rss_growth_mb: float
    rss_samples: list[tuple[int, float]] = field(default_factory=list)  # (tokens so far, RSS MB)
    key_p99_start_ms: float | None = None
    key_p99_end_ms: float | None = None
    key_end_start_ratio: float | None = None  # key p99 at the end / at the start, same process
    backlog_end: int = 0  # deltas not yet rendered when the million's feed stopped
    drain_s: float | None = None  # until they were (None: not within DRAIN_WAIT_S)
    mounted_widgets_end: int = 0

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


async def measure(tokens: int, rate: float, folder: Path, probe_rate: float = REAL_LOAD) -> LongResult:
    target_chars = tokens * CHARS_PER_TOKEN
    samples: list[tuple[int, float]] = []
    async with open_bench("partytui", folder, "long") as bench:
        app, feed, latency = bench.app, bench.feed, bench.latency
        # an idle agent's pane folds and draws nothing until it opens again: the panes would stop catching
        # up with the million as soon as its feed stopped (folding is the person's choice, key f)
        app.main.fold_idle = False  # type: ignore[union-attr]  # the main screen is up by now
        await asyncio.sleep(0.5)
        gc.collect()
        rss_start = rss_mb()
        samples.append((0, round(rss_start, 1)))
        fill = min(FILL_TOKENS, tokens // 10) * CHARS_PER_TOKEN
        await feed.run(rate, float("inf"), stop=lambda: feed.chars >= fill)
        await settle(app, lambda: bench.backlog() <= 0, timeout=DRAIN_WAIT_S)
        opened = time.perf_counter()
        await feed.run(probe_rate, KEY_WINDOW_S)
        first = (opened, time.perf_counter())
        done = asyncio.Event()

        async def watch() -> None:
            stride, next_sample = max(target_chars // 20, 1), max(target_chars // 20, 1)
            while not done.is_set():
                await asyncio.sleep(0.25)
                if feed.chars >= next_sample:
                    samples.append((feed.chars // CHARS_PER_TOKEN, round(rss_mb(), 1)))
                    next_sample += stride

        watcher = asyncio.create_task(watch())
        started = time.perf_counter()
        await feed.run(rate, float("inf"), stop=lambda: feed.chars >= target_chars)
        stopped = time.perf_counter()
        done.set()
        await watcher
        seconds = stopped - started
        backlog_end = bench.backlog()
        drain = await settle(app, lambda: bench.backlog() <= 0, timeout=DRAIN_WAIT_S)
        opened = time.perf_counter()
        await feed.run(probe_rate, KEY_WINDOW_S)
        last = (opened, time.perf_counter())
        gc.collect()
        rss_end = rss_mb()
        samples.append((feed.chars // CHARS_PER_TOKEN, round(rss_end, 1)))
        widgets = len(app.main.walk_children())  # type: ignore[union-attr]  # the main screen is up by now
    start_keys, end_keys = latency.between(*first), latency.between(*last)  # every key handled once closed
    p99_start, p99_end = percentile(start_keys, 99), percentile(end_keys, 99)
    return LongResult(
        tokens=feed.chars // CHARS_PER_TOKEN,
        deltas=feed.deltas,
        other_events=feed.others,
        rate=rate,
        probe_rate=probe_rate,
        seconds=round(seconds, 1),
        rss_start_mb=round(rss_start, 1),
        rss_end_mb=round(rss_end, 1),
        rss_growth_mb=round(rss_end - rss_start, 1),
        rss_samples=samples,
        key_p99_start_ms=ms(p99_start),
        key_p99_end_ms=ms(p99_end),
        key_end_start_ratio=round(p99_end / p99_start, 2) if p99_start and p99_end is not None else None,
        backlog_end=backlog_end,
        drain_s=None if drain is None else round(drain, 2),
        mounted_widgets_end=widgets,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m partytui.bench.long_session", allow_abbrev=False)
    parser.add_argument("--tokens", type=int, default=1_000_000)
    parser.add_argument("--rate", type=float, default=5000.0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="partytui-bench-") as folder:
        result = asyncio.run(measure(args.tokens, args.rate, Path(folder)))
    json.dump(result.as_dict(), sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
