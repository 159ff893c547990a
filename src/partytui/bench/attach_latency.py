"""Section 7, attached views: how long an event takes from the team's process to a view attached to it.

The team's side is a process of its own (``python -m partytui.bench.attach_latency --team LOG``): a logged
session fed by section 1's feed (eight agents streaming at a fixed rate, the events the agent loop emits),
behind the real team socket, holding the run lock as a detached team does. No model and no agents run
there: only the events and the door.

- To an attached TUI: the real app on an ``AttachedSource`` (headless, 200x60, drawing what it receives) follows it
  through ``TeamLink`` and ``MirroredSession``; each text delta's wait is from its stamp in the team's
  process (``event.ts``) to the moment the attached side folded it into its state.
- To a browser: ``partytui serve`` (textual-serve, its own ``partytui attach`` per page) and headless
  Chromium driven by Playwright. The feed also streams short markers into the lead's pane; a script in the
  page notes when the terminal frame that draws each marker arrives through the page's WebSocket. The wait
  is from the marker's stamp to then (xterm.js's drawing of the frame is not counted).

Both clocks are the machine's wall clock (``time.time()`` in Python, ``Date.now()`` in the page: to 1 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .feed import Feed, session_started

MARKERS_PER_S = 10
MARKER = "ZQ{:05d}"  # short, plain, unlike anything the feed writes: drawn in one piece
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]

# Notes, in the page, when each marker first arrives through a WebSocket (before xterm.js draws it).
_PAGE_PROBE = r"""
(() => {
  const seen = {};
  window.__partytuiSeen = seen;
  window.__partytuiFrames = 0;
  const take = (text, now) => {
    for (const m of text.matchAll(/ZQ(\d{5})/g)) { if (!(m[1] in seen)) seen[m[1]] = now; }
  };
  const Original = window.WebSocket;
  function Probed(...args) {
    const ws = new Original(...args);
    ws.addEventListener("message", (ev) => {
      const now = Date.now();  // the wall clock, as the team's stamps are
      window.__partytuiFrames += 1;
      if (typeof ev.data === "string") take(ev.data, now);
      else if (ev.data instanceof ArrayBuffer) take(new TextDecoder().decode(ev.data), now);
      else if (ev.data instanceof Blob) ev.data.text().then((t) => take(t, now));
    });
    return ws;
  }
  Probed.prototype = Original.prototype;
  for (const k of ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]) Probed[k] = Original[k];
  window.WebSocket = Probed;
})();
"""


@dataclass
class Latency:
    rate: float
    target: str  # "tui" or "browser"
    sent: int = 0  # deltas (tui) or markers (browser) emitted in the measured window
    received: int = 0  # of those, how many reached the attached side
    p50_ms: float | None = None
    p99_ms: float | None = None
    max_ms: float | None = None
    achieved: float = 0.0  # deltas/s the team process emitted
    note: str = ""
    waits: list[float] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data.pop("waits")
        return data

    def judge(self, waits: list[float]) -> None:
        from .harness import ms, percentile  # not in the team's process: it does without Textual

        self.received = len(waits)
        self.p50_ms, self.p99_ms = ms(percentile(waits, 50)), ms(percentile(waits, 99))
        self.max_ms = ms(max(waits)) if waits else None


# ── the team's process ──────────────────────────────────────────────────────


class _FeedTeam:
    """What the team socket needs of a team, for a session that is fed rather than run by agents."""

    def __init__(self, session: Any) -> None:
        from ..core.team.approvals import ApprovalBroker

        self.session = session
        self.broker = ApprovalBroker(session)
        self.runners: dict[str, object] = {}
        self.reason = ""

    def is_paused(self, agent: str) -> bool:
        return False

    def stop(self, reason: str) -> None:
        self.reason = reason


async def _team(log: Path, rate: float, warmup: float, window: float) -> dict[str, Any]:
    from ..core.attach.running import RunLock
    from ..core.attach.team_socket import TeamSocket
    from ..core.truth.events import TextDelta
    from ..core.truth.log import SessionLog
    from ..core.truth.session import Session

    lock = RunLock(log, detached=True)
    lock.acquire()
    session = Session(log=SessionLog(log, secrets=()))
    session.emit(session_started(log.stem))
    door = TeamSocket(_FeedTeam(session), log)  # type: ignore[arg-type]
    await door.start()
    print(json.dumps({"ready": True}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)  # the views are ready: go
    feed = Feed(session)
    markers: dict[str, float] = {}

    async def mark() -> None:
        while True:
            await asyncio.sleep(1 / MARKERS_PER_S)
            number = len(markers)
            # inline and sparse: markers of their own lines would scroll the pane by themselves
            event = session.emit(TextDelta(agent="lead", text=f" {MARKER.format(number)} "))
            markers[f"{number:05d}"] = event.ts

    marking = asyncio.create_task(mark())
    await feed.run(rate, warmup)
    counted, opened = feed.deltas, time.time()
    elapsed = await feed.run(rate, window)
    marking.cancel()
    await asyncio.sleep(0.5)  # what is still on its way is let through before the door closes
    await door.close("done", 0)
    session.close()
    lock.release()
    return {
        "opened": opened,
        "deltas": feed.deltas - counted,
        "achieved": (feed.deltas - counted) / elapsed if elapsed else 0.0,
        "markers": {k: ts for k, ts in markers.items() if ts >= opened},
    }


def _start_team(log: Path, rate: float, warmup: float, window: float) -> subprocess.Popen[str]:
    command = [
        sys.executable,
        "-m",
        "partytui.bench.attach_latency",
        "--team",
        str(log),
        "--rate",
        str(rate),
        "--warmup",
        str(warmup),
        "--window",
        str(window),
    ]
    team = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert team.stdout is not None
    if not json.loads(team.stdout.readline() or "{}").get("ready"):
        team.kill()
        raise RuntimeError("the bench's team process did not start")
    return team


def _go(team: subprocess.Popen[str]) -> None:
    assert team.stdin is not None
    team.stdin.write("go\n")
    team.stdin.flush()


# ── to an attached TUI ──────────────────────────────────────────────────────


async def to_tui(rate: float, warmup: float, window: float, folder: Path, *, app: bool = True) -> Latency:
    """``app`` False: the link alone, nothing drawn (what the socket and the fold cost without a view)."""
    from ..core.attach.attached import AttachedSource, TeamLink
    from ..core.truth.events import TextDelta
    from ..tui.app import make_app
    from .harness import SIZE, settle

    log = folder / f"attach-{'tui' if app else 'link'}-{int(rate)}.jsonl"
    team = await asyncio.to_thread(_start_team, log, rate, warmup, window)
    received: list[tuple[float, float]] = []  # (stamp, wait) of each text delta folded here

    def folded(event: Any) -> None:
        if isinstance(event, TextDelta):
            received.append((event.ts, time.time() - event.ts))

    try:
        link = TeamLink(log, role="read-only")
        link.session.subscribe(folded)
        if app:
            view = make_app(AttachedSource(link, read_only=True))
            async with view.run_test(size=SIZE):
                # caught up and drawn: the eight panes are built before the clock starts
                if await settle(view, lambda: link.caught_up.is_set() and len(view.main.panes) == 8, 60) is None:
                    raise RuntimeError("the attached app did not reach the bench's team")
                await asyncio.sleep(0.5)
                _go(team)
                if await settle(view, lambda: link.ended is not None, timeout=warmup + window + 60) is None:
                    raise RuntimeError("the bench's team did not end")
        else:
            follower = asyncio.create_task(link.run(await link.connect()))
            await asyncio.wait_for(link.caught_up.wait(), 60)
            _go(team)
            await asyncio.wait_for(follower, warmup + window + 60)
        assert team.stdout is not None
        told = json.loads(await asyncio.to_thread(team.stdout.readline))
    finally:
        if team.poll() is None:
            team.kill()
        team.wait()
    # the markers are text deltas too (the browser's measure): counted here like the others
    result = Latency(
        rate, "tui" if app else "link", sent=told["deltas"] + len(told["markers"]), achieved=round(told["achieved"], 1)
    )
    result.judge([wait for stamp, wait in received if stamp >= told["opened"]])
    return result


# ── to a browser ────────────────────────────────────────────────────────────


def browser_missing() -> str | None:
    """Why the browser cannot be measured here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
        import textual_serve  # noqa: F401
    except ImportError as exc:
        return f"not measured: {exc.name} is not installed (pip install -e '.[test,serve]')"
    if not os.path.exists(CHROMIUM):
        return "not measured: no chromium on this machine (Debian: apt-get install chromium)"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def to_browser(rate: float, warmup: float, window: float, folder: Path) -> Latency:
    from playwright.sync_api import sync_playwright

    log = folder / f"attach-web-{int(rate)}.jsonl"
    team = _start_team(log, rate, warmup, window)
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "partytui",
            "serve",
            log.stem,
            "--read-only",
            "--port",
            str(port),
            "--session-dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    told: dict[str, Any] = {}

    def wait_for_end() -> None:
        assert team.stdout is not None
        line = team.stdout.readline()
        if line:
            told.update(json.loads(line))

    try:
        with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
            browser = p.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_FLAGS,
                viewport={"width": 1600, "height": 1000},
            )
            try:
                page = browser.new_page()
                page.add_init_script(_PAGE_PROBE)
                _until(lambda: _reachable(port), page=None, timeout=60)
                page.goto(f"http://127.0.0.1:{port}/")
                # the page's app has drawn the team (it sends little once idle): a second of quiet frames
                _until(lambda: page.evaluate("window.__partytuiFrames") > 20, page=page, timeout=60)
                page.wait_for_timeout(1000)
                _go(team)
                ender = threading.Thread(target=wait_for_end, daemon=True)
                ender.start()
                _until(lambda: not ender.is_alive(), page=page, timeout=warmup + window + 60)
                page.wait_for_timeout(1000)  # the last markers' frames
                seen: dict[str, float] = page.evaluate("window.__partytuiSeen")
            finally:
                browser.close()
    finally:
        server.terminate()
        server.wait(30)
        if team.poll() is None:
            team.kill()
        team.wait()
    markers: dict[str, float] = told.get("markers", {})
    result = Latency(rate, "browser", sent=len(markers), achieved=round(told.get("achieved", 0.0), 1))
    result.judge([seen[k] / 1000 - stamp for k, stamp in markers.items() if k in seen])
    if result.received < result.sent:
        result.note = "a marker drawn across two lines, or scrolled past between frames, is not seen"
    return result


def _until(predicate: Any, *, page: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError("the browser bench timed out")
        if page is not None:
            page.wait_for_timeout(50)  # the page's events are handled while Playwright is called
        else:
            time.sleep(0.05)


def _reachable(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def main() -> None:
    parser = argparse.ArgumentParser(description="the bench's team process (section 7)")
    parser.add_argument("--team", required=True, type=Path)
    parser.add_argument("--rate", required=True, type=float)
    parser.add_argument("--warmup", required=True, type=float)
    parser.add_argument("--window", required=True, type=float)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(_team(args.team, args.rate, args.warmup, args.window))), flush=True)


if __name__ == "__main__":
    main()
