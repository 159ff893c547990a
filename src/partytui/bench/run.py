"""Runs every section of the benchmark with the parameters of a quick or a full run, and gathers the report."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import approval_latency, attach_latency, log_speed, runtimes, sdk_path, startup, streaming
from .harness import KINDS, REAL_LOAD, TEN_TIMES_REAL
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
    toad_start: float
    toad_ceiling: float
    sdk_turns: int
    approvals: int
    long_tokens: int
    long_rate: float
    log_events: int
    help_runs: int
    demo_runs: int
    key_loads: tuple[int, ...] = (REAL_LOAD, TEN_TIMES_REAL)  # section 2b
    attach_loads: tuple[int, ...] = (REAL_LOAD, TEN_TIMES_REAL, STREAMING_TARGET)  # section 7, to an attached TUI
    browser_loads: tuple[int, ...] = (REAL_LOAD, TEN_TIMES_REAL, STREAMING_TARGET)  # section 7, to a browser


# quick: checks that every section runs (CI); its numbers are too short to mean much
QUICK = Plan(
    warmup=0.3,
    window=1.0,
    refine=0,
    partytui_start=250,
    partytui_ceiling=1000,
    naive_start=25,
    naive_ceiling=100,
    toad_start=25,
    toad_ceiling=100,
    sdk_turns=1,
    approvals=2,
    long_tokens=10_000,
    long_rate=1000,
    log_events=10_000,
    help_runs=3,
    demo_runs=1,
    key_loads=(60, REAL_LOAD),
    attach_loads=(REAL_LOAD,),
    browser_loads=(),
)
FULL = Plan(
    warmup=1.0,
    window=4.0,
    refine=3,
    partytui_start=625,
    partytui_ceiling=80_000,
    naive_start=25,
    naive_ceiling=20_000,
    toad_start=25,
    toad_ceiling=20_000,
    sdk_turns=6,
    approvals=40,
    long_tokens=1_000_000,
    long_rate=5000,
    log_events=100_000,
    help_runs=7,
    demo_runs=3,
)


def streaming_section(plan: Plan, folder: Path, say: Say) -> tuple[Section, float]:
    ramps: dict[str, list[streaming.Step]] = {}
    starts = {
        "partytui": (plan.partytui_start, plan.partytui_ceiling),
        "naive": (plan.naive_start, plan.naive_ceiling),
        "toad": (plan.toad_start, plan.toad_ceiling),
    }
    for kind, (start, ceiling) in starts.items():
        say(f"1. streaming: {KINDS[kind]}")
        ramps[kind] = streaming.ramp(
            kind,  # type: ignore[arg-type]  # the keys of starts are the kinds
            start=start,
            warmup=plan.warmup,
            window=plan.window,
            refine=plan.refine,
            ceiling=ceiling,
            folder=folder,
            log=say,
        )
    say("1. streaming: the SDK path alone")
    sdk = asyncio.run(sdk_path.measure(plan.sdk_turns, folder))
    best, naive_best, toad_best = (streaming.best(ramps[k]) for k in ("partytui", "naive", "toad"))
    # the same load for both: partytui at the highest rate the Toad way sustained, to compare key waits
    toad_top = max((s for s in ramps["toad"] if s.sustained), key=lambda s: s.rate, default=None)
    same_load = None
    if toad_top is not None:
        say(f"1. streaming: partytui at the Toad way's highest sustained rate ({toad_top.rate:.0f} deltas/s)")
        same_load = asyncio.run(
            streaming.run_step("partytui", toad_top.rate, warmup=plan.warmup, window=plan.window, folder=folder)
        )
        say(streaming._line(same_load))

    def ratio(a: float | None, b: float | None) -> float | None:
        return round(a / b, 1) if a and b else None

    section = Section("streaming", "1. Streaming: 8 panes, Markdown deltas, keys p99 <= 50 ms, no growing backlog")
    section.metrics = [
        Metric.check(
            "partytui_sustained", "partytui: highest sustained rate", best, "deltas/s", ">=", STREAMING_TARGET
        ),
        Metric("naive_sustained", "naive (Markdown.append per delta): highest sustained", naive_best, "deltas/s"),
        Metric("toad_sustained", "Toad way (Markdown.get_stream): highest sustained", toad_best, "deltas/s"),
        Metric.check("ratio", "partytui / naive", ratio(best, naive_best), "x", ">=", 10),
        Metric.check("ratio_toad", "partytui / Toad way", ratio(best, toad_best), "x", ">=", 10),
        Metric(
            "toad_key_p99",
            "Toad way at its highest sustained rate: key p99",
            toad_top.key_p99_ms if toad_top else None,
            "ms",
        ),
        Metric(
            "same_load_key_p99", "partytui at that rate: key p99", same_load.key_p99_ms if same_load else None, "ms"
        ),
        Metric(
            "key_ratio_toad",
            "key p99 there: Toad way / partytui",
            ratio(toad_top.key_p99_ms if toad_top else None, same_load.key_p99_ms if same_load else None),
            "x",
        ),
        Metric("sdk_path", "SDK path alone (scripted API -> anthropic -> Session)", sdk.deltas_per_s, "deltas/s"),
    ]
    section.notes = [
        "the UI is fed by events emitted straight into the Session (the agent loop's events); the SDK path is measured alone",
        f"ramp: {plan.warmup:g}s warm-up + {plan.window:g}s window per rate, doubling, then {plan.refine} bisection steps",
    ]
    for kind, value in (("naive", naive_best), ("toad", toad_best)):
        if not value:
            section.notes.append(f"{KINDS[kind]} sustained none of the rates tried, so there is no ratio")
    section.detail = {kind: [s.as_dict() for s in steps] for kind, steps in ramps.items()}
    section.detail["same_load"] = same_load.as_dict() if same_load else None
    section.detail["sdk"] = sdk.as_dict()
    return section, best


def keys_section(plan: Plan, folder: Path, say: Say) -> Section:
    """Key presses while approval requests come and go, beside plain streaming at the same load."""
    section = Section("keys_with_requests", "2b. Key presses while approval requests come and go")
    detail: dict[str, object] = {}
    for load in plan.key_loads:
        say(f"2b. keys at {load} deltas/s: plain streaming, then with requests coming and going")
        plain = asyncio.run(streaming.run_step("partytui", load, warmup=plan.warmup, window=plan.window, folder=folder))
        asking = asyncio.run(approval_latency.measure(load, plan.approvals, folder))
        label = f"at {load:,} deltas/s"
        key = (
            Metric.check(
                "key_p99_real",
                f"{label} (8 agents at a real model's top speed): key p99 with requests",
                asking.key_p99_ms,
                "ms",
                "<=",
                50,
            )
            if load == REAL_LOAD
            else Metric(f"key_p99_{load}", f"{label}: key p99 with requests", asking.key_p99_ms, "ms")
        )
        section.metrics += [
            key,
            Metric(f"plain_key_p99_{load}", f"{label}: key p99, plain streaming", plain.key_p99_ms, "ms"),
            Metric(
                f"keys_lost_{load}",
                f"{label}: probe presses never handled",
                asking.keys_lost,
                f"of {asking.keys_pressed}",
            ),
        ]
        detail[str(load)] = {"plain": plain.as_dict(), "with_requests": asking.as_dict()}
    section.notes = ["each wait is charged to the moment its key was sent; requests are answered through the broker"]
    section.detail = detail
    return section


def approval_section(plan: Plan, load: float, folder: Path, say: Say, *, also_at: float | None = None) -> Section:
    """Judged at ``load`` (the streaming target, or less if section 1 did not sustain it); ``also_at`` (the highest
    rate sustained) is reported beside it."""
    say(f"2. approval latency under {load:.0f} deltas/s")
    result = asyncio.run(approval_latency.measure(load, plan.approvals, folder))
    section = Section(
        "approvals", f"2. Approval latency: approval.requested -> modal on screen, at {load:.0f} deltas/s"
    )
    section.metrics = [
        Metric.check("p99", "request to modal, p99", result.p99_ms, "ms", "<=", 100),
        Metric("p50", "request to modal, p50", result.p50_ms, "ms"),
        Metric(
            "composed",
            "request to the modal composed, p50 / p99",
            result.split_ms["composed"]["p50"],
            f"ms / {result.split_ms['composed']['p99']} ms",
        ),
        Metric(
            "mounted",
            "request to the modal mounted, p50 / p99",
            result.split_ms["mounted"]["p50"],
            f"ms / {result.split_ms['mounted']['p99']} ms",
        ),
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
    target = (
        f"the streaming target ({STREAMING_TARGET:,} deltas/s, about 20 times what eight agents at a real "
        "model's top speed produce)"
    )
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
    command = [
        sys.executable,
        "-m",
        "partytui.bench.long_session",
        "--tokens",
        str(plan.long_tokens),
        "--rate",
        str(plan.long_rate),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    section = Section("long_session", f"3. Long session: {plan.long_tokens:,} tokens through 8 panes")
    if done.returncode != 0:
        section.metrics = [Metric("failed", "the long session failed", None, "")]
        section.notes = [line for line in done.stderr.strip().splitlines()[-5:]]
        return section
    result = json.loads(done.stdout)
    section.metrics = [
        Metric.check("rss_growth", "RSS growth, start to end", result["rss_growth_mb"], "MB", "<=", 150),
        Metric.check(
            "key_p99_end",
            f"key press p99 at the end (at {result['probe_rate']:.0f} deltas/s, the panes caught up)",
            result["key_p99_end_ms"],
            "ms",
            "<=",
            50,
        ),
        Metric(
            "key_p99_start",
            f"key press p99 at the start (at {result['probe_rate']:.0f} deltas/s)",
            result["key_p99_start_ms"],
            "ms",
        ),
        Metric.check(
            "key_end_start", "key p99 at the end / at the start", result["key_end_start_ratio"], "x", "<=", 1.2
        ),
        Metric("tokens", "tokens streamed", result["tokens"], "tokens"),
        Metric("seconds", "streaming time of the million", result["seconds"], "s"),
        Metric("backlog_end", "deltas not yet on screen when its feed stopped", result["backlog_end"], "deltas"),
        Metric("drain", "time to show them (before the end is timed)", result["drain_s"], "s"),
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
        Metric.check(
            "demo_paint",
            f"partytui demo: first frame, median of {result.demo_runs}",
            result.demo_first_paint_median_ms,
            "ms",
            "<=",
            1000,
        ),
    ]
    section.detail = result.as_dict()
    return section


def runtimes_section(counts: tuple[int, ...], folder: Path, say: Say) -> Section:
    say(f"6. runtimes: {', '.join(map(str, counts))} agents on each")
    runs = runtimes.measure(counts, folder)
    section = Section("runtimes", "6. Runtimes: N agents streaming at once, API loop vs Claude Code sessions")
    for run in runs:
        key = f"{run.runtime.replace('-', '_')}_{run.agents}"
        median = run.as_dict()["request_ms_median"]
        section.metrics += [
            Metric(
                f"{key}_cpu", f"{run.runtime}, {run.agents} agent(s): CPU per agent", round(run.cpu_per_agent_s, 2), "s"
            ),
            Metric(
                f"{key}_rss",
                f"{run.runtime}, {run.agents} agent(s): RSS per agent",
                round(run.rss_per_agent_mb, 1),
                "MB",
            ),
            Metric(
                f"{key}_request",
                f"{run.runtime}, {run.agents} agent(s): tool call -> logged request, median",
                median,
                "ms",
            ),
        ]
    section.notes.append(
        "request -> modal on screen is section 2: the TUI sees the same event whichever runtime "
        "asked; key latency with Claude Code agents was not measured separately"
    )
    section.detail = {"runs": [run.as_dict() for run in runs]}
    return section


def run_runtimes(quick: bool, say: Say) -> list[Section]:
    """Section 6 alone (``partytui bench --runtimes``): it spawns Claude Code CLIs, ~240 MB each."""
    with tempfile.TemporaryDirectory(prefix="partytui-bench-") as tmp:
        return [runtimes_section((1,) if quick else (1, 4, 8), Path(tmp), say)]


def _reached(section: Section, say: Say, key: str, what: str, units: str, result: attach_latency.Latency) -> None:
    """One attached side's numbers: its wait p50 / p99, and how much of what was sent reached it."""
    load = int(result.rate)
    say(f"  {what}: p50 {result.p50_ms} ms, p99 {result.p99_ms} ms ({result.received} of {result.sent} {units})")
    section.metrics += [
        Metric(
            f"{key}_p50_{load}",
            f"at {load:,} deltas/s: emitted -> {what}, p50 / p99",
            result.p50_ms,
            f"ms / {result.p99_ms} ms",
        ),
        Metric(
            f"{key}_received_{load}",
            f"at {load:,} deltas/s: {units} that reached {what}",
            result.received,
            f"of {result.sent}",
        ),
    ]
    section.detail[f"{key}_{load}"] = result.as_dict()


def attach_section(plan: Plan, folder: Path, say: Say) -> Section:
    """From the team's process to a view attached to it: a TUI through the socket, a browser through serve."""
    section = Section("attached", "7. Attached views: an event from the team's process to the view's state / the page")
    for load in plan.attach_loads:
        say(f"7. to an attached TUI at {load:,} deltas/s (the team in its own process)")
        tui = asyncio.run(attach_latency.to_tui(load, plan.warmup, plan.window, folder))
        _reached(section, say, "tui", "an attached TUI's state", "deltas", tui)
        bare = asyncio.run(attach_latency.to_tui(load, plan.warmup, plan.window, folder, app=False))
        _reached(section, say, "link", "the link alone (no app, nothing drawn)", "deltas", bare)
    missing = attach_latency.browser_missing() if plan.browser_loads else None
    for load in plan.browser_loads if missing is None else ():
        say(f"7. to a browser at {load:,} deltas/s (partytui serve, headless Chromium)")
        try:
            web = attach_latency.to_browser(load, plan.warmup, plan.window, folder)
        except Exception as exc:  # a browser that fails to start costs this measure, not the whole run
            section.notes.append(f"the browser at {load:,} deltas/s failed: {type(exc).__name__}: {exc}")
            continue
        _reached(section, say, "web", "its frame in a browser page", "markers", web)
    section.notes[:0] = [
        "the team's side is its own process: section 1's feed into a logged session behind the real team socket "
        "(no model, no agents); the TUI is the real attached app, headless at 200x60, drawing what it receives",
        f"the browser: partytui serve and headless Chromium; {attach_latency.MARKERS_PER_S} markers/s in the lead's "
        "pane, each timed to the WebSocket frame that draws it (xterm.js's own drawing not counted)",
    ]
    if not plan.browser_loads:
        section.notes.append("the browser is measured in the full run only (a browser start takes tens of seconds)")
    elif missing is not None:
        section.notes.append(f"the browser: {missing}")
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
        keys = keys_section(plan, folder, say)
        long = long_section(plan, say)
        attached = attach_section(plan, folder, say)
        sections = [stream, approvals, keys, long, log, start, attached]
    return sections
