"""One agent's transcript: the entries of its ``AgentView.transcript``, rendered block by block.

The state keeps the whole transcript; this widget mounts only the newest entries (pruned past a high-water
mark) and brings itself up to date from the state on each flush: new entries are mounted, the growing last
text block is streamed into its Markdown, running tool calls and pending approvals are refreshed.
"""

from __future__ import annotations

import json
from typing import Any

from textual.containers import VerticalScroll
from textual.content import Content
from textual.markup import escape
from textual.widget import Widget
from textual.widgets import Collapsible, Markdown, Static
from textual.widgets.markdown import MarkdownStream

from ...core.state import AgentView, Entry, TeamState
from ..theme import DECISION_COLORS, agent_color
from .labels import one_line, tool_key_arg


def peer_color(state: TeamState, name: str | None) -> str:
    view = state.agents.get(name or "")
    if view is None:
        return "#d8d8d8"
    return agent_color(view.info.color, view.name)


class TextBlock(Markdown):
    """The agent's prose; while it is the newest entry, deltas stream into it."""

    DEFAULT_CSS = """
    TextBlock { margin: 0; padding: 0 1 0 0; }
    """

    def __init__(self, entry: Entry) -> None:
        text = entry.text
        super().__init__(text)
        self.entry = entry
        self.rendered = len(text)
        self._stream: MarkdownStream | None = None

    async def catch_up(self, state: TeamState) -> None:
        text = self.entry.text
        if len(text) > self.rendered:
            delta, self.rendered = text[self.rendered :], len(text)
            if self._stream is None:
                self._stream = Markdown.get_stream(self)
            await self._stream.write(delta)

    async def settle(self) -> None:
        if self._stream is not None:
            stream, self._stream = self._stream, None
            await stream.stop()


class ThinkingBlock(Collapsible):
    """The model's thinking: dimmed and folded away unless asked for."""

    DEFAULT_CSS = """
    ThinkingBlock { border-top: none; padding: 0; margin: 0 0 1 0; background: transparent; }
    ThinkingBlock > Contents { padding: 0 0 0 2; }
    ThinkingBlock Static { color: $text-muted; text-style: italic; }
    """

    def __init__(self, entry: Entry) -> None:
        self.entry = entry
        self.rendered = len(entry.text)
        self._body = Static(entry.text, markup=False)
        super().__init__(self._body, title=self._title_for(entry.text), collapsed=True)

    @staticmethod
    def _title_for(text: str) -> str:
        return f"[dim]thinking · {len(text.split())} words[/]"

    async def catch_up(self, state: TeamState) -> None:
        text = self.entry.text
        if len(text) != self.rendered:
            self.rendered = len(text)
            self._body.update(text)
            self.title = self._title_for(text)

    async def settle(self) -> None:
        pass


class ToolCard(Collapsible):
    """A tool call on one line (tool, key argument, duration, ✓/✗); expanding it shows input and result."""

    DEFAULT_CSS = """
    ToolCard { border-top: none; padding: 0; margin: 0; background: transparent; }
    ToolCard CollapsibleTitle { text-wrap: nowrap; text-overflow: ellipsis; padding: 0; }
    ToolCard > Contents { padding: 0 0 1 2; }
    ToolCard .tool-io { color: $text-muted; }
    ToolCard.-failed CollapsibleTitle { color: $text-error; }
    """

    def __init__(self, entry: Entry) -> None:
        self.entry = entry
        self._shown: tuple[Any, ...] = ()
        self._body = Static("", classes="tool-io", markup=False)
        super().__init__(self._body, title=self._title_for(entry), collapsed=True)
        self._shown = self._key()

    def _key(self) -> tuple[Any, ...]:
        return (self.entry.ok, self.entry.duration_ms)

    @staticmethod
    def _title_for(entry: Entry) -> str:
        mark = {True: "[$text-success]✓[/]", False: "[$text-error]✗[/]", None: "[$text-warning]⋯[/]"}[entry.ok]
        arg = escape(one_line(tool_key_arg(entry.tool, entry.input), 70))
        took = f" [dim]{entry.duration_ms / 1000:.1f}s[/]" if entry.duration_ms else ""
        return f"{mark} [b]{escape(entry.tool or '?')}[/b] {arg}{took}"

    def _on_collapsible_expanded(self, event: Collapsible.Expanded) -> None:
        # the full input and result are built only when someone looks at them
        if event.collapsible is self:
            self._body.update(self._details())

    def _details(self) -> str:
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
            self.title = self._title_for(self.entry)
            self.set_class(self.entry.ok is False, "-failed")
            if not self.collapsed:
                self._body.update(self._details())

    async def settle(self) -> None:
        pass


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
    """The scrolling transcript of one agent; follows the bottom unless the person scrolled up."""

    DEFAULT_CSS = """
    Transcript { height: 1fr; padding: 0 1; scrollbar-size-vertical: 1; }
    Transcript > .earlier { color: $text-muted; text-style: italic; margin-bottom: 1; }
    """

    # Mounted entries are pruned down to KEEP once they pass HIGH_WATER; the state keeps them all.
    KEEP = 150
    HIGH_WATER = 250

    def __init__(self, agent: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.agent = agent
        self.can_focus = True
        self._seen = 0  # entries of the state's transcript already mounted or skipped
        self._hidden = 0  # of those, how many are not mounted
        self._live: list[EntryWidget] = []
        self._earlier: Static | None = None

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

    async def clear(self) -> None:
        for widget in self._live:
            await widget.settle()
        self._live.clear()
        await self.remove_children()
        self._earlier = None
        self._seen = self._hidden = 0
        self.anchor(False)

    async def sync(self, view: AgentView, state: TeamState) -> None:
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
        if len(new) > self.KEEP:
            self._hidden += len(new) - self.KEEP
            await self._drop(len(self.entry_widgets))
            new = new[-self.KEEP :]
        if new:
            widgets = [entry_widget(entry, state) for entry in new]
            await self.mount_all(widgets)
            for widget in widgets:
                if _still_live(widget, last):
                    self._live.append(widget)
        mounted = self.entry_widgets
        if len(mounted) > self.HIGH_WATER:
            await self._drop(len(mounted) - self.KEEP)
        await self._show_earlier()

    async def _drop(self, count: int) -> None:
        if count <= 0:
            return
        doomed = self.entry_widgets[:count]
        for widget in doomed:
            if widget in self._live:
                await widget.settle()  # type: ignore[union-attr]
                self._live.remove(widget)  # type: ignore[arg-type]
        self._hidden += len(doomed)
        await self.remove_children(doomed)

    async def _show_earlier(self) -> None:
        if not self._hidden:
            return
        label = f"… {self._hidden} earlier entries (the session log keeps them all)"
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
