"""The benchmark's instruments: the real app with a probe key, the naive app, and what they measure.

- ``BenchApp`` is the real ``PartyApp`` plus one cheap binding (``f12``) whose handler records how long a
  key press waited, and a display probe that does the terminal encoding the headless driver skips, so
  frames cost what they cost on a real terminal.
- ``NaiveApp`` is the naive way: one Textual ``Markdown`` per pane, each delta appended as it arrives;
  ``ToadApp`` the way Textual's own agent UI streams: the same Markdown fed through ``Markdown.get_stream``.
- ``open_bench`` is the one set-up every section runs its app in.
- ``RenderProbe`` counts, per agent, the characters whose ``Markdown.append``/``update`` has finished:
  what the person can see, as opposed to what was emitted.
- ``KeyPresser`` is a thread that posts key events like a terminal's input thread does.
"""

from __future__ import annotations

import bisect
import inspect
import math
import os
import random
import threading
import time
import weakref
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from textual import events
from textual.app import App, ComposeResult
from textual.await_complete import AwaitComplete
from textual.containers import Grid, VerticalScroll
from textual.message import Message
from textual.widgets import Markdown

from ..core.team.approvals import ApprovalBroker
from ..core.truth.events import EventBase, TextDelta
from ..core.truth.log import SessionLog
from ..core.truth.session import Session
from ..core.views.source import LiveSource
from ..tui.app import PartyApp
from ..tui.screens.main import MainScreen
from ..tui.widgets.transcript import TextBlock
from .feed import Feed, session_started

PING_KEY = "f12"
SIZE = (200, 60)
# eight agents at a real model's top speed (~30 deltas/s each), and ten times that: the loads at which key
# presses are judged while approval requests come and go, and a long session's start against its end
REAL_LOAD, TEN_TIMES_REAL = 240, 2400


# ── statistics ───────────────────────────────────────────────────────────────


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0…100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(seconds: float | None) -> float | None:
    """Seconds as milliseconds rounded to 0.1; None stays None."""
    return None if seconds is None else round(seconds * 1000, 1)


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of y over x (0 for fewer than two points)."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    if sxx == 0:
        return 0.0
    return sum((x - mx) * (y - my) for x, y in points) / sxx


def rss_mb() -> float:
    """Resident memory now, in MB (``/proc/self/statm``; the peak from ``resource`` elsewhere)."""
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ── key presses ───────────────────────────────────────────────────────────────


class KeyLatency:
    """Send times of the probe keys, each matched to its own press, and how long each waited for its handler.

    A wait belongs to the moment its key was *sent*: a window counts the keys sent inside it, however late
    they are handled (a key sent in the warm-up but handled in the window is not charged to the window, and
    one sent at the window's end and handled after it is not dropped from it).
    """

    def __init__(self) -> None:
        self.sent: dict[int, float] = {}  # press number -> send time, until handled
        self.records: list[tuple[float, float]] = []  # (send time, wait) of each handled press

    def handled(self, number: int | None) -> None:
        sent = self.sent.pop(number, None) if number is not None else None
        if sent is None:
            return
        self.records.append((sent, time.perf_counter() - sent))

    def between(self, start: float, end: float = math.inf) -> list[float]:
        """The waits of the keys sent from ``start`` to ``end`` (perf_counter times) and handled by now."""
        return [wait for sent, wait in self.records if start <= sent < end]

    def unhandled_between(self, start: float, end: float = math.inf) -> int:
        return sum(1 for sent in self.sent.values() if start <= sent < end)


class KeyPresser(threading.Thread):
    """Posts the probe key to ``app`` every ``interval`` seconds (jittered) from its own thread."""

    def __init__(self, app: App[Any], latency: KeyLatency, interval: float = 0.02) -> None:
        super().__init__(name="bench-keys", daemon=True)
        self.app, self.latency, self.interval = app, latency, interval
        self._halt = threading.Event()
        self._rng = random.Random(7)
        self.pressed = 0

    def run(self) -> None:
        while not self._halt.wait(self.interval * self._rng.uniform(0.5, 1.5)):
            self.pressed += 1
            key = events.Key(PING_KEY, None)
            key.bench_number = self.pressed  # type: ignore[attr-defined]
            self.latency.sent[self.pressed] = time.perf_counter()
            if not self.app.post_message(key):
                self.latency.sent.pop(self.pressed, None)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=2)

    async def finish(self, timeout: float = 30) -> int:
        """Stop, then let the app handle the keys still queued (a key handled after teardown would crash it);
        returns how many presses were never handled."""
        self.stop()
        await settle(self.app, lambda: not self.latency.sent, timeout=timeout)
        return len(self.latency.sent)


# ── rendering ───────────────────────────────────────────────────────────────


def _agent_of(widget: Any) -> str | None:
    node = widget
    while node is not None:
        agent = getattr(node, "agent", None)
        if isinstance(agent, str):
            return agent
        node = node.parent
    return None


class RenderProbe:
    """While installed, counts characters per agent whose Markdown append/update or TextBlock.show_text is done."""

    def __init__(self) -> None:
        self.chars: dict[str, int] = {}
        self._done: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
        self._agent: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
        self._saved: tuple[Any, Any, Any] | None = None

    def _mark(self, widget: Any, length: int) -> None:
        agent = self._agent.get(widget) or _agent_of(widget)
        if agent is None:
            return
        self._agent[widget] = agent
        before = self._done.get(widget, 0)
        if length > before:
            self._done[widget] = length
            self.chars[agent] = self.chars.get(agent, 0) + length - before

    def install(self) -> None:
        probe = self
        append, update = Markdown.append, Markdown.update

        def wrap(original: Callable[..., AwaitComplete]) -> Callable[..., AwaitComplete]:
            def probed(self: Markdown, markdown: str) -> AwaitComplete:
                pending = original(self, markdown)
                length = len(self.source)  # both methods set the new source before they render it

                async def finished() -> None:
                    await pending
                    probe._mark(self, length)

                return AwaitComplete(finished())

            return probed

        # partytui's transcript draws prose with one TextBlock per answer (a plain item the Transcript view draws,
        # not a widget): its text is on screen once passed to show_text
        show_text = TextBlock.show_text

        def shown(self: TextBlock, text: str) -> None:
            show_text(self, text)
            probe._mark(self, len(text))

        self._saved = (append, update, show_text)
        Markdown.append = wrap(append)  # type: ignore[method-assign]
        Markdown.update = wrap(update)  # type: ignore[method-assign]
        TextBlock.show_text = shown  # type: ignore[method-assign]

    def uninstall(self) -> None:
        if self._saved is not None:
            Markdown.append, Markdown.update, TextBlock.show_text = self._saved  # type: ignore[method-assign]
            self._saved = None

    def rendered_deltas(self, offsets: Mapping[str, Sequence[int]]) -> int:
        """How many emitted deltas are fully on screen, given each agent's cumulative delta offsets."""
        return sum(bisect.bisect_right(marks, self.chars.get(agent, 0)) for agent, marks in offsets.items())


class TerminalProbe:
    """Mixed into the bench apps: encodes each frame as a terminal would receive it, and counts frames."""

    frames = 0
    paint_hooks: list[Callable[[Any], None]]

    def _display(self, screen: Any, renderable: Any) -> None:  # Textual's hook for a finished frame
        super()._display(screen, renderable)  # type: ignore[misc]
        if renderable is None or self._batch_count:  # type: ignore[attr-defined]
            return
        render = getattr(renderable, "render_segments", None)
        if render is not None:
            render(self.console)  # type: ignore[attr-defined]  # the encoding is the cost; the bytes are not kept
        self.frames += 1
        for hook in self.paint_hooks:
            hook(screen)


class BenchApp(TerminalProbe, PartyApp):
    """The real app, plus the probe key (its handler does nothing but note the time)."""

    # a relative CSS_PATH is read beside the subclass's module: point at the real app's stylesheet
    CSS_PATH = str(Path(inspect.getfile(PartyApp)).parent / str(PartyApp.CSS_PATH))

    def __init__(self, session: Session, latency: KeyLatency, broker: ApprovalBroker) -> None:
        super().__init__(LiveSource(session, answers=broker), MainScreen())
        self.latency = latency
        self.paint_hooks = []

    def on_key(self, event: events.Key) -> None:
        # Met when the key comes back to the app from the focused widget, as every key is, on whatever screen
        # is up (a binding of the app would be shadowed by a modal screen, and the press counted lost).
        if event.key == PING_KEY:
            event.prevent_default()
            self.latency.handled(getattr(event, "bench_number", None))


# ── the naive way ────────────────────────────────────────────────────────────


class NaivePane(VerticalScroll):
    """One agent's pane the naive way: a Markdown document that every delta is appended to."""

    DEFAULT_CSS = "NaivePane { border: round $panel-lighten-2; height: 1fr; }"

    class Delta(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, agent: str) -> None:
        super().__init__()
        self.agent = agent
        self.border_title = agent
        self.document = Markdown()

    def compose(self) -> ComposeResult:
        yield self.document

    def on_mount(self) -> None:
        self.anchor()

    async def on_naive_pane_delta(self, message: NaivePane.Delta) -> None:
        await self.document.append(message.text)


class ToadPane(NaivePane):
    """One agent's pane the way Textual's own agent UI streams: deltas written to ``Markdown.get_stream``,
    whose background task appends whatever has gathered since its last append (one append, many deltas)."""

    def on_mount(self) -> None:
        super().on_mount()
        self.stream = Markdown.get_stream(self.document)

    async def on_unmount(self) -> None:
        await self.stream.stop()

    async def on_naive_pane_delta(self, message: NaivePane.Delta) -> None:
        await self.stream.write(message.text)


class NaiveApp(TerminalProbe, App[None]):
    """Eight Markdown panes fed by the same session, one message per delta; no timer of partytui's."""

    CSS = "Grid { grid-size: 4 2; }"
    PANE: type[NaivePane] = NaivePane

    def __init__(self, session: Session, latency: KeyLatency) -> None:
        super().__init__()
        self.session = session
        self.latency = latency
        self.paint_hooks = []
        self.panes = {name: self.PANE(name) for name in session.state.agents}
        self._unsubscribe: Callable[[], None] | None = None

    def compose(self) -> ComposeResult:
        yield Grid(*self.panes.values())

    def on_mount(self) -> None:
        self._unsubscribe = self.session.subscribe(self._on_event)

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()

    def _on_event(self, event: EventBase) -> None:
        if isinstance(event, TextDelta) and event.agent in self.panes:
            self.panes[event.agent].post_message(NaivePane.Delta(event.text))

    def on_key(self, event: events.Key) -> None:
        if event.key == PING_KEY:
            self.latency.handled(getattr(event, "bench_number", None))


class ToadApp(NaiveApp):
    """The same, each pane streaming through ``MarkdownStream``."""

    PANE = ToadPane


# ── one set-up for every section ─────────────────────────────────────────────

Kind = Literal["partytui", "naive", "toad"]
KINDS: dict[str, str] = {
    "partytui": "partytui",
    "naive": "the naive way (a Markdown per pane, append per delta)",
    "toad": "the Toad way (a Markdown per pane, fed through Markdown.get_stream)",
}


@dataclass
class Bench:
    """A running bench app, its logged session, the feed that streams into it and the instruments on it."""

    app: BenchApp | NaiveApp
    session: Session
    broker: ApprovalBroker | None
    latency: KeyLatency
    presser: KeyPresser
    probe: RenderProbe
    feed: Feed

    def backlog(self) -> int:
        """Deltas emitted but not yet on screen."""
        return self.feed.deltas - self.probe.rendered_deltas(self.feed.offsets)


@asynccontextmanager
async def open_bench(kind: Kind, folder: Path, name: str) -> AsyncIterator[Bench]:
    """The app of ``kind`` (200x60, headless, the real screen and widgets for partytui) on a fresh logged
    session of eight agents, shown and ready, with the probe key pressed from its own thread.

    On the way out the presser stops and the app handles the keys still queued, so every press sent is
    either handled or counted as never handled (``latency.sent``)."""
    session = Session(log=SessionLog(folder / f"{name}.jsonl", secrets=()))
    session.emit(session_started())
    latency = KeyLatency()
    broker = ApprovalBroker(session) if kind == "partytui" else None
    app: BenchApp | NaiveApp
    if kind == "partytui":
        assert broker is not None
        app = BenchApp(session, latency, broker)
    else:
        app = (ToadApp if kind == "toad" else NaiveApp)(session, latency)
    probe = RenderProbe()
    probe.install()
    try:
        async with app.run_test(size=SIZE):

            def ready() -> bool:
                if isinstance(app, BenchApp):
                    return bool(app.main.is_mounted and app.main.panes) and app.frames > 0
                return app.frames > 0

            if await settle(app, ready, timeout=15) is None:
                raise RuntimeError(f"the {kind} app did not show its panes")
            presser = KeyPresser(app, latency)
            presser.start()
            try:
                yield Bench(app, session, broker, latency, presser, probe, Feed(session))
            finally:
                await presser.finish()
    finally:
        probe.uninstall()
        session.close()


async def settle(app: App[Any], condition: Callable[[], bool], timeout: float, step: float = 0.01) -> float | None:
    """Wait (letting the app run) until ``condition`` holds; seconds taken, or None at the timeout."""
    import asyncio

    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if condition():
            return time.perf_counter() - start
        await asyncio.sleep(step)
    return None
