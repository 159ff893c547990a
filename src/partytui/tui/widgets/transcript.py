"""One agent's transcript: the entries of its ``AgentView.transcript``, one widget per entry.

The state keeps the whole transcript; this widget mounts only the newest few tens of entries and brings
itself up to date from the state on each flush: new entries are mounted, the growing last text block
takes its new text, running tool calls and pending approvals are refreshed. Every entry is one widget
(layout costs time per widget on every frame): prose is Markdown drawn by Rich, a tool call or a thinking
block is one line whose details are built only while it is open.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.markup import escape
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from ...core.state import AgentView, Entry, TeamState
from ..theme import DECISION_COLORS, agent_color
from .labels import one_line, tool_key_arg
from .streamed_markdown import StreamedMarkdown, warm_up


def peer_color(state: TeamState, name: str | None) -> str:
    view = state.agents.get(name or "")
    if view is None:
        return "#d8d8d8"
    return agent_color(view.info.color, view.name)


class TextBlock(Widget):
    """The agent's prose as one widget; while it is the newest entry, deltas stream into it.

    It draws its lines itself (Textual's line API): the finished Markdown blocks are kept as strips, so a
    flush draws only the last block again (see ``StreamedMarkdown``).
    """

    DEFAULT_CSS = """
    TextBlock { height: auto; margin: 0 0 1 0; padding: 0 1 0 0; }
    """

    def __init__(self, entry: Entry) -> None:
        super().__init__()
        self.entry = entry
        self.document = StreamedMarkdown()
        self.source = ""
        self._base_style: Style | None = None

    def on_mount(self) -> None:
        self.show_text(self.entry.text)

    @property
    def blocks(self) -> int:
        """How many Markdown blocks (paragraphs, lists, fences, headings) the text has so far."""
        return len(self.document.blocks) + bool(self.document.tail.strip())

    def show_text(self, text: str) -> None:
        """The one place text reaches the screen (the benchmark counts what passed here)."""
        self.document.update(text)
        self.source = text
        self.refresh(layout=True)

    def _lines(self, width: int) -> list[list[Segment]]:
        options = self.app.console_options.update(width=max(1, width), height=None, highlight=False)
        return self.document.lines(self.app.console, options)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(width))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._base_style = None

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        lines = self._lines(width)
        if y >= len(lines):
            return Strip.blank(width)
        if self._base_style is None:  # worked out by walking the ancestors: once, not per line
            self._base_style = self.rich_style
        return Strip(lines[y]).apply_style(self._base_style)

    async def catch_up(self, state: TeamState) -> None:
        if len(self.entry.text) != len(self.source):
            self.show_text(self.entry.text)

    async def settle(self) -> None:
        pass


class FoldedLine(Static, can_focus=True):
    """One line that opens to its details on click or enter; the details exist only while it is open."""

    BINDINGS = [Binding("enter", "toggle", "Open/close", show=False)]
    DEFAULT_CSS = """
    FoldedLine { height: auto; text-wrap: nowrap; text-overflow: ellipsis; }
    FoldedLine:focus { background: $boost; }
    FoldedLine.-open { text-wrap: wrap; margin: 0 0 1 0; }
    """

    def __init__(self, entry: Entry, classes: str = "") -> None:
        self.entry = entry
        self._collapsed = True
        self.title = self._title()
        super().__init__(self._content(), classes=classes)

    def _title(self) -> str:
        raise NotImplementedError

    def details(self) -> str:
        raise NotImplementedError

    @property
    def collapsed(self) -> bool:
        return self._collapsed

    @collapsed.setter
    def collapsed(self, value: bool) -> None:
        if value != self._collapsed:
            self._collapsed = value
            self.set_class(not value, "-open")
            self.update(self._content())

    def _content(self) -> Content:
        head = Content.from_markup(("▶ " if self._collapsed else "▼ ") + self.title)
        if self._collapsed:
            return head
        body = "\n".join("  " + line for line in self.details().splitlines())
        return Content.assemble(head, "\n", (body, "$text-muted"))

    def _redraw_title(self) -> None:
        self.title = self._title()
        self.update(self._content())

    def action_toggle(self) -> None:
        self.collapsed = not self.collapsed

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.action_toggle()

    async def settle(self) -> None:
        pass


class ThinkingBlock(FoldedLine):
    """The model's thinking: one dimmed line, its text only when opened."""

    DEFAULT_CSS = """
    ThinkingBlock { color: $text-muted; text-style: italic; }
    """

    def __init__(self, entry: Entry) -> None:
        self.rendered = len(entry.text)
        super().__init__(entry)

    def _title(self) -> str:
        return f"[dim]thinking · {len(self.entry.text.split())} words[/]"

    def details(self) -> str:
        return self.entry.text

    async def catch_up(self, state: TeamState) -> None:
        if len(self.entry.text) != self.rendered:
            self.rendered = len(self.entry.text)
            self._redraw_title()


class ToolCard(FoldedLine):
    """A tool call on one line (tool, key argument, duration, ✓/✗); opening it shows input and result."""

    DEFAULT_CSS = """
    ToolCard.-failed { color: $text-error; }
    """

    def __init__(self, entry: Entry) -> None:
        super().__init__(entry, classes="-failed" if entry.ok is False else "")
        self._shown = self._key()

    def _key(self) -> tuple[Any, ...]:
        return (self.entry.ok, self.entry.duration_ms)

    def _title(self) -> str:
        entry = self.entry
        mark = {True: "[$text-success]✓[/]", False: "[$text-error]✗[/]", None: "[$text-warning]⋯[/]"}[entry.ok]
        arg = escape(one_line(tool_key_arg(entry.tool, entry.input), 70))
        took = f" [dim]{entry.duration_ms / 1000:.1f}s[/]" if entry.duration_ms else ""
        return f"{mark} [b]{escape(entry.tool or '?')}[/b] {arg}{took}"

    def details(self) -> str:
        entry = self.entry
        parts = ["input:", json.dumps(entry.input or {}, indent=2, ensure_ascii=False)]
        if entry.ok is None:
            parts.append("(running)")
        else:
            parts += ["", "result:" if entry.ok else "error:", entry.output or "(no output)"]
        return "\n".join(parts)

    @property
    def settled(self) -> bool:
        return self.entry.ok is not None

    async def catch_up(self, state: TeamState) -> None:
        if self._key() != self._shown:
            self._shown = self._key()
            self.set_class(self.entry.ok is False, "-failed")
            self._redraw_title()


class NoteLine(Static):
    """A one-paragraph entry: a message between agents, the person's message, an approval, a retry, an error."""

    DEFAULT_CSS = """
    NoteLine { margin: 0 0 1 0; }
    NoteLine.-error { color: $text-error; }
    NoteLine.-retry { color: $text-warning; }
    """

    def __init__(self, entry: Entry, state: TeamState) -> None:
        self.entry = entry
        self._decision: str | None = None
        super().__init__(self._content(state), classes=f"-{entry.kind.replace('_', '-')}")

    def _content(self, state: TeamState) -> Content:
        entry, text = self.entry, self.entry.text
        if entry.kind == "message_out":
            return Content.assemble(("→ ", "bold"), (entry.peer or "?", f"bold {peer_color(state, entry.peer)}"), ": ", text)
        if entry.kind == "message_in":
            return Content.assemble(("← ", "bold"), (entry.peer or "?", f"bold {peer_color(state, entry.peer)}"), ": ", text)
        if entry.kind == "user":
            return Content.assemble(("← ", "bold"), ("you", "bold reverse"), ": ", text)
        if entry.kind == "approval":
            return self._approval(state)
        if entry.kind == "error":
            return Content.assemble(("✗ error: ", "bold"), text)
        if entry.kind == "retry":
            return Content.assemble(("↻ ", "bold"), text)
        return Content(text)

    def _approval(self, state: TeamState) -> Content:
        view = state.approvals.get(self.entry.approval_id or -1)
        if view is None:
            return Content.assemble(("⚑ ", "bold"), self.entry.text)
        req = view.request
        self._decision = view.decision
        head = Content.assemble(("⚑ ", "bold $text-warning"), (f"#{req.id} {req.kind}", "bold"), ": ", req.title or req.summary)
        if view.pending:
            return Content.assemble(head, ("  waiting for you", f"italic {DECISION_COLORS['pending']}"))
        detail = [f"  {view.decision}", f" by {view.by}" if view.by else ""]
        said_parts = list(view.answers)  # what a question was answered, then the note, quoted when both
        if view.note:
            said_parts.append(f"“{view.note}”" if view.answers else view.note)
        said = "; ".join(said_parts)
        tail = Content.assemble((("".join(detail)), f"bold {DECISION_COLORS.get(view.decision or '', '#d8d8d8')}"))
        return Content.assemble(head, tail, (f": {said}" if said else "", "italic"))

    @property
    def settled(self) -> bool:
        return self.entry.kind != "approval" or self._decision is not None

    async def catch_up(self, state: TeamState) -> None:
        if self.entry.kind == "approval":
            view = state.approvals.get(self.entry.approval_id or -1)
            if view is not None and view.decision != self._decision:
                self.update(self._approval(state))

    async def settle(self) -> None:
        pass


EntryWidget = TextBlock | ThinkingBlock | ToolCard | NoteLine


def entry_widget(entry: Entry, state: TeamState) -> EntryWidget:
    if entry.kind == "text":
        return TextBlock(entry)
    if entry.kind == "thinking":
        return ThinkingBlock(entry)
    if entry.kind == "tool":
        return ToolCard(entry)
    return NoteLine(entry, state)


def _still_live(widget: EntryWidget, last: Entry | None) -> bool:
    if isinstance(widget, (TextBlock, ThinkingBlock)):
        return widget.entry is last
    return not widget.settled


class Transcript(VerticalScroll):
    """The scrolling transcript of one agent; follows the bottom unless the person scrolled up.

    Only the newest entries are mounted (a window of tens: each one costs layout time on every frame);
    the state keeps them all, and ``e`` mounts earlier ones on demand. A transcript the person cannot see
    (an inactive tab, a pane behind a zoomed one) is not updated; it catches up when it is shown again.
    """

    BINDINGS = [Binding("e", "load_earlier", "Earlier entries", show=False)]
    DEFAULT_CSS = """
    Transcript { height: 1fr; padding: 0 1; scrollbar-size-vertical: 1; }
    Transcript > .earlier { color: $text-muted; text-style: italic; margin-bottom: 1; }
    """

    # While following the bottom, mounted entries are pruned down to KEEP once they pass HIGH_WATER;
    # while the person reads further up, only past MOST. ``e`` mounts EARLIER_STEP more at a time.
    KEEP = 40
    HIGH_WATER = 60
    MOST = 400
    EARLIER_STEP = 40

    def __init__(self, agent: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.agent = agent
        self.can_focus = True
        self._seen = 0  # entries of the state's transcript already mounted or skipped
        self._live: list[EntryWidget] = []
        self._earlier: Static | None = None
        self._latest: tuple[AgentView, TeamState] | None = None
        self.behind = False  # the state moved on while the person could not see this transcript
        self._lock = asyncio.Lock()

    def on_mount(self) -> None:
        warm_up(self.app.console)  # once per process, while the app starts rather than mid-stream

    def watch_virtual_size(self) -> None:
        self._anchor_when_full()

    def on_resize(self) -> None:
        self._anchor_when_full()

    def _anchor_when_full(self) -> None:
        # Anchored only while there is more than a screenful: Textual bottom-aligns short anchored content,
        # and a pane that grows (a resize, leaving zoom) may go from overflowing to fitting.
        overflowing = self.max_scroll_y > 0
        if overflowing != self.is_anchored:
            self.anchor(overflowing)

    @property
    def entry_widgets(self) -> list[Widget]:
        return [child for child in self.children if child is not self._earlier]

    @property
    def hidden(self) -> int:
        """Entries of the state's transcript before the first one mounted."""
        return self._seen - len(self.entry_widgets)

    @property
    def can_be_seen(self) -> bool:
        """False inside an inactive tab or behind a zoomed pane (a few ancestors, not the tree)."""
        screen = self.screen if self.is_attached else None
        maximized = screen.maximized if screen is not None else None
        node: Any = self
        inside_maximized = maximized is None
        while node is not None and node is not screen:
            if not node.display:
                return False
            if node is maximized:
                inside_maximized = True
            node = node.parent
        return inside_maximized

    async def clear(self) -> None:
        for widget in self._live:
            await widget.settle()
        self._live.clear()
        await self.remove_children()
        self._earlier = None
        self._seen = 0
        self.anchor(False)

    async def sync(self, view: AgentView, state: TeamState) -> None:
        self._latest = (view, state)
        if not self.can_be_seen:
            self.behind = True
            return
        async with self._lock:
            self.behind = False
            await self._sync(view, state)

    async def on_show(self) -> None:
        if self.behind and self._latest is not None:
            await self.sync(*self._latest)

    def _following(self) -> bool:
        return self.max_scroll_y == 0 or self.scroll_y >= self.max_scroll_y - 1

    async def _sync(self, view: AgentView, state: TeamState) -> None:
        entries = view.transcript
        if len(entries) < self._seen:
            await self.clear()  # the state was replaced by an earlier one (replay seeking back)
        last = entries[-1] if entries else None
        for widget in list(self._live):
            await widget.catch_up(state)
            if not _still_live(widget, last):
                await widget.settle()
                self._live.remove(widget)
        new = entries[self._seen :]
        self._seen = len(entries)
        if len(new) > self.KEEP:  # more than a window arrived at once: only its end is mounted
            await self._drop(len(self.entry_widgets))
            new = new[-self.KEEP :]
        if new:
            widgets = [entry_widget(entry, state) for entry in new]
            await self.mount_all(widgets)
            for widget in widgets:
                if _still_live(widget, last):
                    self._live.append(widget)
        mounted = len(self.entry_widgets)
        if mounted > self.MOST or (mounted > self.HIGH_WATER and self._following()):
            await self._drop(mounted - self.KEEP)
        await self._show_earlier()

    async def _drop(self, count: int) -> None:
        if count <= 0:
            return
        doomed = self.entry_widgets[:count]
        for widget in doomed:
            if widget in self._live:
                await widget.settle()  # type: ignore[union-attr]
                self._live.remove(widget)  # type: ignore[arg-type]
        await self.remove_children(doomed)

    async def action_load_earlier(self) -> None:
        """Mount the entries just before the first one shown (the state has them all)."""
        if self._latest is None or not self.hidden:
            self.app.bell()
            return
        view, state = self._latest
        async with self._lock:
            hidden = self.hidden
            earlier = view.transcript[max(0, hidden - self.EARLIER_STEP) : hidden]
            widgets = [entry_widget(entry, state) for entry in earlier]
            first = self.entry_widgets[0] if self.entry_widgets else None
            await self.mount_all(widgets, before=first)
            last = view.transcript[-1] if view.transcript else None
            self._live += [widget for widget in widgets if _still_live(widget, last)]
            await self._show_earlier()
        self.scroll_home(animate=False)

    async def _show_earlier(self) -> None:
        hidden = self.hidden
        if not hidden:
            if self._earlier is not None:
                await self._earlier.remove()
                self._earlier = None
            return
        label = f"… {hidden} earlier entries: press e to show more (the session log keeps them all)"
        if self._earlier is None:
            self._earlier = Static(label, classes="earlier", markup=False)
            first = self.entry_widgets[0] if self.entry_widgets else None
            await self.mount(self._earlier, before=first)
        else:
            self._earlier.update(label)

    @property
    def text(self) -> str:
        """The Markdown source of every text block mounted (what a test reads)."""
        return "\n\n".join(w.source for w in self.query(TextBlock))
