"""Runs every section of the benchmark with the parameters of a quick or a full run, and gathers the report."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import approval_latency, log_speed, sdk_path, startup, streaming
from .report import Metric, Section

Say = Callable[[str], None]
STREAMING_TARGET = 5000  # deltas/s: section 1's target, and the load section 2 is judged under


@dataclass(frozen=True)
class Plan:
    warmup: float
    window: float
    refine: int
    partytui_start: float
    partytui_ceiling: float
    naive_start: float
    naive_ceiling: float
    sdk_turns: int
    approvals: int
    long_tokens: int
    long_rate: float
    log_events: int
    help_runs: int
    demo_runs: int


# quick: checks that every section runs (CI); its numbers are too short to mean much
QUICK = Plan(warmup=0.3, window=1.0, refine=0, partytui_start=250, partytui_ceiling=1000, naive_start=25,
             naive_ceiling=100, sdk_turns=1, approvals=2, long_tokens=10_000, long_rate=1000, log_events=10_000,
             help_runs=3, demo_runs=1)
FULL = Plan(warmup=1.0, window=4.0, refine=3, partytui_start=625, partytui_ceiling=80_000, naive_start=25,
            naive_ceiling=20_000, sdk_turns=6, approvals=40, long_tokens=1_000_000, long_rate=5000,
            log_events=100_000, help_runs=7, demo_runs=3)


def streaming_section(plan: Plan, folder: Path, say: Say) -> tuple[Section, float]:
    say("1. streaming: partytui")
    ours = streaming.ramp("partytui", start=plan.partytui_start, warmup=plan.warmup, window=plan.window,
                          refine=plan.refine, ceiling=plan.partytui_ceiling, folder=folder, log=say)
    say("1. streaming: the naive way (a Markdown per pane, append per delta)")
    naive = streaming.ramp("naive", start=plan.naive_start, warmup=plan.warmup, window=plan.window,
                           refine=plan.refine, ceiling=plan.naive_ceiling, folder=folder, log=say)
    say("1. streaming: the SDK path alone")
    sdk = asyncio.run(sdk_path.measure(plan.sdk_turns, folder))
    best, naive_best = streaming.best(ours), streaming.best(naive)
    ratio = round(best / naive_best, 1) if naive_best else None
    section = Section("streaming", "1. Streaming: 8 panes, Markdown deltas, keys p99 <= 50 ms, no growing backlog")
    section.metrics = [
        Metric.check("partytui_sustained", "partytui: highest sustained rate", best, "deltas/s", ">=", STREAMING_TARGET),
        Metric("naive_sustained", "naive (Markdown.append per delta): highest sustained", naive_best, "deltas/s"),
        Metric.check("ratio", "partytui / naive", ratio, "x", ">=", 10),
        Metric("sdk_path", "SDK path alone (scripted API -> anthropic -> Session)", sdk.deltas_per_s, "deltas/s"),
    ]
    section.notes = [
        "the UI is fed by events emitted straight into the Session (the agent loop's events); the SDK path is measured alone",
        f"ramp: {plan.warmup:g}s warm-up + {plan.window:g}s window per rate, doubling, then {plan.refine} bisection steps",
    ]
    if ratio is None and not naive_best:
        section.notes.append("the naive way sustained none of the rates tried, so there is no ratio")
    section.detail = {"partytui": [s.as_dict() for s in ours], "naive": [s.as_dict() for s in naive],
                      "sdk": sdk.as_dict()}
    return section, best


def approval_section(plan: Plan, load: float, folder: Path, say: Say, *, also_at: float | None = None) -> Section:
    """Judged at ``load`` (the streaming target, or less if section 1 did not sustain it); ``also_at`` (the highest
    rate sustained) is reported beside it."""
    say(f"2. approval latency under {load:.0f} deltas/s")
    result = asyncio.run(approval_latency.measure(load, plan.approvals, folder))
    section = Section("approvals", f"2. Approval latency: approval.requested -> modal on screen, at {load:.0f} deltas/s")
    section.metrics = [
        Metric.check("p99", "request to modal, p99", result.p99_ms, "ms", "<=", 100),
        Metric("p50", "request to modal, p50", result.p50_ms, "ms"),
        Metric("shown", "requests shown / asked", result.shown, f"of {result.requests}"),
        Metric("key_p99", "key press p99 meanwhile", result.key_p99_ms, "ms"),
        Metric("keys_lost", "probe key presses never handled", result.keys_lost, f"of {result.keys_pressed}"),
    ]
    section.detail = result.as_dict()
    if also_at is not None:
        say(f"2. approval latency under {also_at:.0f} deltas/s (the highest rate sustained)")
        top = asyncio.run(approval_latency.measure(also_at, plan.approvals, folder))
        section.metrics += [
            Metric("p99_top", f"at {also_at:,.0f} deltas/s: request to modal, p99", top.p99_ms, "ms"),
            Metric("p50_top", f"at {also_at:,.0f} deltas/s: request to modal, p50", top.p50_ms, "ms"),
        ]
        section.detail = {**section.detail, "at_highest_rate": top.as_dict()}
    target = (f"the streaming target ({STREAMING_TARGET:,} deltas/s, about 20 times what eight agents at a real "
              "model's top speed produce)")
    if load >= STREAMING_TARGET:
        note = f"judged at {target}"
    else:
        note = f"judged at {load:,.0f} deltas/s, below {target}, which section 1 did not sustain"
    if also_at is not None:
        note += "; the highest rate sustained is reported beside it"
    section.notes = [note]
    return section


def long_section(plan: Plan, say: Say) -> Section:
    say(f"3. long session: {plan.long_tokens:,} tokens at {plan.long_rate:.0f} deltas/s (own process)")
    command = [sys.executable, "-m", "partytui.bench.long_session", "--tokens", str(plan.long_tokens),
               "--rate", str(plan.long_rate)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    section = Section("long_session", f"3. Long session: {plan.long_tokens:,} tokens through 8 panes")
    if done.returncode != 0:
        section.metrics = [Metric("failed", "the long session failed", None, "")]
        section.notes = [line for line in done.stderr.strip().splitlines()[-5:]]
        return section
    result = json.loads(done.stdout)
    section.metrics = [
        Metric.check("rss_growth", "RSS growth, start to end", result["rss_growth_mb"], "MB", "<=", 150),
        Metric.check("key_p99_end", "key press p99 at the end", result["key_p99_end_ms"], "ms", "<=", 50),
        Metric("key_p99_start", "key press p99 at the start", result["key_p99_start_ms"], "ms"),
        Metric("tokens", "tokens streamed", result["tokens"], "tokens"),
        Metric("seconds", "streaming time", result["seconds"], "s"),
        Metric("backlog_end", "deltas not yet on screen when the feed stopped", result["backlog_end"], "deltas"),
        Metric("drain", "time to show them", result["drain_s"], "s"),
    ]
    section.detail = result
    return section


def log_section(plan: Plan, folder: Path, say: Say) -> Section:
    say(f"4. the log: {plan.log_events:,} events")
    result = log_speed.measure(plan.log_events, folder)
    section = Section("log", f"4. The session log: {result.events:,} events, {result.file_mb} MB")
    section.metrics = [
        Metric("append", "SessionLog.append (real flushing, fsync per approval)", result.append_per_s, "events/s"),
        Metric("emit", "Session.emit (stamp, log, fold)", result.emit_per_s, "events/s"),
        Metric.check("open", "open: read_log + fold", result.open_s, "s", "<=", 1.0),
        Metric("bare", "bare json.loads of each line", result.bare_parse_s, "s"),
        Metric.check("ratio", "open / bare parse", result.open_ratio, "x", "<=", 3),
        Metric("prepare", "replay: load + prepare (all checkpoints)", result.prepare_s, "s"),
        Metric.check("seek_max", f"replay: seek, worst of {result.seeks}", result.seek_max_ms, "ms", "<=", 100),
    ]
    section.detail = result.as_dict()
    return section


def startup_section(plan: Plan, folder: Path, say: Say) -> Section:
    say("5. start-up")
    result = startup.measure(plan.help_runs, plan.demo_runs, folder)
    section = Section("startup", "5. Start-up")
    section.metrics = [
        Metric.check("help", f"partytui --help, median of {result.help_runs}", result.help_median_ms, "ms", "<=", 300),
        Metric.check("demo_paint", f"partytui demo: first frame, median of {result.demo_runs}",
                     result.demo_first_paint_median_ms, "ms", "<=", 1500),
    ]
    section.detail = result.as_dict()
    return section


def run_all(quick: bool, say: Say) -> list[Section]:
    plan = QUICK if quick else FULL
    with tempfile.TemporaryDirectory(prefix="partytui-bench-") as tmp:
        folder = Path(tmp)
        # the log and start-up first: like `partytui replay` or a fresh start, they run in a process that has
        # not yet built and dropped thousands of widgets (a full run measured the log 1.6x slower after them)
        log = log_section(plan, folder, say)
        start = startup_section(plan, folder, say)
        stream, best = streaming_section(plan, folder, say)
        load = min(best, STREAMING_TARGET) if best else plan.partytui_start
        approvals = approval_section(plan, load, folder, say, also_at=best if best > load else None)
        long = long_section(plan, say)
        sections = [stream, approvals, long, log, start]
    return sections
