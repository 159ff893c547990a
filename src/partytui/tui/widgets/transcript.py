"""One agent's transcript: the entries of its ``AgentView.transcript``, drawn as one scrolling view.

The state keeps the whole transcript; the view holds the newest few tens of entries as plain items (not
widgets) and draws their lines itself (Textual's line API). On each flush it brings itself up to date from
the state: new entries become items, the growing last text takes its new text, running tool calls and
pending approvals are refreshed, and only the lines on screen are drawn again.

Why one view and not a widget per entry: each widget costs layout time on every frame, and a widget that
is removed is a reference cycle carrying its render caches, which only a full garbage collection frees.
A long session removed thousands of them; items here are freed the moment they are dropped.
"""

from __future__ import annotations

import bisect
import json
import math
import time
from collections.abc import Sequence
from typing import Any

from rich.console import ConsoleOptions
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip
from textual.visual import Visual

from ...core.truth.state import AgentView, Entry, TeamState
from ...core.views.diffs import edit_hunks
from ...core.views.present import key_argument, one_line
from ..plain import plain, plain_line
from ..theme import DECISION_COLORS, agent_color
from .diff import diff_content

Line = list[Segment]
BLANK: Line = []
WARM_UP_AFTER_S = 1.0  # Markdown and a lexer are loaded this long after a view is mounted (see on_mount)


def peer_color(state: TeamState, name: str | None) -> str:
    view = state.agents.get(name or "")
    if view is None:
        return "#d8d8d8"
    return agent_color(view.info.color, view.name)


# ── items: one per entry, drawn by the view ──────────────────────────────────────────────────────────


class Item:
    """An entry as the view draws it: its lines at a width, cached until the entry changes."""

    foldable = False

    def __init__(self, entry: Entry) -> None:
        self.entry = entry  # the version last drawn: the state is a value, so a changed entry is a new one
        self.index = 0  # where the entry is in its agent's transcript
        self.version = 0  # counts changes, so the view knows which drawn lines still hold
        self._drawn: tuple[int, list[Line]] | None = None
        self.laid_out: tuple[int, int] | None = None  # (width, height) when last laid out with its lines

    @property
    def settled(self) -> bool:
        """Nothing about it can change any more (a finished tool call, an answered request)."""
        return True

    def catch_up(self, state: TeamState) -> bool:
        """Take what changed in the entry; True if its lines changed."""
        return False

    def changed(self) -> None:
        self._drawn = None
        self.version += 1

    def lines(self, view: Transcript, width: int) -> list[Line]:
        if self._drawn is None or self._drawn[0] != width:
            self._drawn = (width, self.draw(view, width))
        return self._drawn[1]

    def drawn_at(self, width: int) -> bool:
        """Whether its lines at ``width`` are drawn already."""
        return self._drawn is not None and self._drawn[0] == width

    def draw_some(self, view: Transcript, width: int, deadline: float) -> None:
        """Draw (some of) its lines at ``width``, stopping where it can once ``deadline`` passed."""
        self.lines(view, width)

    def estimate(self, width: int) -> int | None:
        """Its height at ``width`` guessed without drawing it, or None where drawing costs little."""
        return None

    def draw(self, view: Transcript, width: int) -> list[Line]:
        raise NotImplementedError


class TextBlock(Item):
    """The agent's prose, drawn from Markdown; while it is the newest entry, deltas stream into it.

    The finished Markdown blocks are kept as drawn lines, so a flush draws only the last block again
    (see ``StreamedMarkdown``).
    """

    def __init__(self, entry: Entry, agent: str) -> None:
        super().__init__(entry)
        self.agent = agent  # whose text it is (the benchmark counts what each agent's panes show)
        from .streamed_markdown import StreamedMarkdown  # at the first text: start-up does not draw Markdown

        self.document = StreamedMarkdown()
        self.source = ""
        self._with_margin: tuple[list[Line], list[Line]] | None = None
        self.show_text(entry.text)

    @property
    def blocks(self) -> int:
        """How many Markdown blocks (paragraphs, lists, fences, headings) the text has so far."""
        return len(self.document.blocks) + bool(self.document.tail.strip())

    def show_text(self, text: str) -> None:
        """The one place text reaches the screen (the benchmark counts what passed here)."""
        self.document.update(text)
        self.source = text
        self.changed()

    def catch_up(self, state: TeamState) -> bool:
        if len(self.entry.text) != len(self.source):
            self.show_text(self.entry.text)
            return True
        return False

    def lines(self, view: Transcript, width: int) -> list[Line]:
        # StreamedMarkdown keeps its own drawn blocks per width (one column is left free on the right) and
        # gives the same list again while nothing changed; the view asks for every line it draws
        drawn = self.document.lines(view.app.console, view.text_options(width - 1))
        if self._with_margin is None or self._with_margin[0] is not drawn:
            self._with_margin = (drawn, [*drawn, BLANK])
        return self._with_margin[1]

    def drawn_at(self, width: int) -> bool:
        return self.document.drawn_at(width - 1)

    def draw_some(self, view: Transcript, width: int, deadline: float) -> None:
        self.document.draw_some(view.app.console, view.text_options(width - 1), deadline)

    def estimate(self, width: int) -> int | None:
        # a line per width of text and per line break: near enough for an answer above the screens shown
        return max(1, len(self.source) // max(1, width - 1) + self.source.count("\n") + 1)


class ContentItem(Item):
    """An entry drawn from Textual ``Content`` (styled with the theme's colours; the entry's text is plain)."""

    def content(self) -> Content:
        raise NotImplementedError

    def draw(self, view: Transcript, width: int) -> list[Line]:
        return [*view.content_lines(self.content(), width), BLANK]

    @property
    def plain(self) -> str:
        return self.content().plain


class FoldedLine(ContentItem):
    """One line that opens to its details (enter or a click); the details are drawn only while open."""

    foldable = True
    STYLE = ""

    def __init__(self, entry: Entry) -> None:
        super().__init__(entry)
        self.collapsed = True

    @property
    def title(self) -> Content:
        raise NotImplementedError

    def details(self) -> str:
        """The opened part, as plain text (``content`` takes out what a terminal would act on)."""
        raise NotImplementedError

    def toggle(self) -> None:
        self.collapsed = not self.collapsed
        self.changed()

    def content(self) -> Content:
        head = Content.assemble("▶ " if self.collapsed else "▼ ", self.title)
        if self.collapsed:
            return head.stylize(self.STYLE) if self.STYLE else head
        whole = Content.assemble(head, "\n", self.detail_content())
        return whole.stylize(self.STYLE) if self.STYLE else whole

    def detail_content(self) -> Content:
        return Content("\n".join("  " + line for line in plain(self.details()).splitlines())).stylize("$text-muted")

    def draw(self, view: Transcript, width: int) -> list[Line]:
        if self.collapsed:  # one line, cut with an ellipsis rather than wrapped
            return view.content_lines(self.content().truncate(width, ellipsis=True), width)
        return super().draw(view, width)


class ThinkingBlock(FoldedLine):
    """The model's thinking: one dimmed line, its text only when opened."""

    STYLE = "italic $text-muted"

    def __init__(self, entry: Entry) -> None:
        super().__init__(entry)
        self.rendered = len(entry.text)

    @property
    def title(self) -> Content:
        return Content.styled(f"thinking · {len(self.entry.text.split())} words", "dim")

    def details(self) -> str:
        return self.entry.text

    def catch_up(self, state: TeamState) -> bool:
        if len(self.entry.text) != self.rendered:
            self.rendered = len(self.entry.text)
            self.changed()
            return True
        return False


class ToolCard(FoldedLine):
    """A tool call on one line (tool, key argument, duration, ✓/✗); opening it shows input and result."""

    def __init__(self, entry: Entry) -> None:
        super().__init__(entry)
        self._shown = self._key()

    def _key(self) -> tuple[Any, ...]:
        return (self.entry.ok, self.entry.duration_ms)

    @property
    def STYLE(self) -> str:  # type: ignore[override]
        return "$text-error" if self.entry.ok is False else ""

    @property
    def title(self) -> Content:
        entry = self.entry
        mark = {True: ("✓", "$text-success"), False: ("✗", "$text-error"), None: ("⋯", "$text-warning")}[entry.ok]
        arg = one_line(key_argument(entry.tool, entry.input), 70)
        took = (" ", (f"{entry.duration_ms / 1000:.1f}s", "dim")) if entry.duration_ms else ()
        via = ((f"↳ {one_line(entry.via, 24)}", "dim"), " ") if entry.via else ()  # a sub-agent's call
        return Content.assemble(mark, " ", *via, (plain_line(entry.tool or "?"), "b"), " ", arg, *took)

    def detail_content(self) -> Content:
        hunks = edit_hunks(self.entry.tool, self.entry.input) if self.entry.tool in ("Edit", "MultiEdit") else []
        if not hunks:
            return super().detail_content()
        # an edit opens to what it replaced, as a diff, then its result
        parts: list[Content] = [Content.styled(f"  {plain_line(hunks[0].path)}", "bold")]
        for hunk in hunks:
            parts.append(diff_content(hunk))
        entry = self.entry
        if entry.ok is None:
            parts.append(Content.styled("(running)", "$text-muted"))
        else:
            parts.append(
                Content.styled(
                    ("result: " if entry.ok else "error: ") + plain(entry.output or "(no output)"),
                    "$text-muted" if entry.ok else "$text-error",
                )
            )
        return Content("\n").join(parts)

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

    def catch_up(self, state: TeamState) -> bool:
        if self._key() != self._shown:
            self._shown = self._key()
            self.changed()
            return True
        return False


class NoteLine(ContentItem):
    """A one-paragraph entry: a message between agents, the person's message, an approval, a retry, an error."""

    def __init__(self, entry: Entry, state: TeamState) -> None:
        super().__init__(entry)
        self._decision: str | None = None
        self._content = self._build(state)

    def content(self) -> Content:
        return self._content

    def _build(self, state: TeamState) -> Content:
        entry, text = self.entry, plain(self.entry.text)
        peer = plain_line(entry.peer or "?")
        if entry.kind == "message_out":
            return Content.assemble(("→ ", "bold"), (peer, f"bold {peer_color(state, entry.peer)}"), ": ", text)
        if entry.kind == "message_in":
            return Content.assemble(("← ", "bold"), (peer, f"bold {peer_color(state, entry.peer)}"), ": ", text)
        if entry.kind == "user":
            return Content.assemble(("← ", "bold"), ("you", "bold reverse"), ": ", text)
        if entry.kind == "approval":
            return self._approval(state)
        if entry.kind == "error":
            return Content.assemble(("✗ error: ", "bold"), text).stylize("$text-error")
        if entry.kind == "retry":
            return Content.assemble(("↻ ", "bold"), text).stylize("$text-warning")
        if entry.kind == "context":
            return Content.assemble(("⋯ ", "bold"), text).stylize("italic $text-muted")
        return Content(text)

    def _approval(self, state: TeamState) -> Content:
        view = state.approvals.get(self.entry.approval_id or -1)
        if view is None:
            return Content.assemble(("⚑ ", "bold"), plain(self.entry.text))
        req = view.request
        self._decision = view.decision
        head = Content.assemble(
            ("⚑ ", "bold $text-warning"),
            (f"#{req.id} {plain_line(req.kind)}", "bold"),
            ": ",
            plain(req.title or req.summary),
        )
        if view.pending:
            return Content.assemble(head, ("  waiting for you", f"italic {DECISION_COLORS['pending']}"))
        detail = f"{view.decision}" + (f" by {view.by}" if view.by else "")
        said_parts = list(view.answers)  # what a question was answered, then the note, quoted when both
        if view.note:
            said_parts.append(f"“{view.note}”" if view.answers else view.note)
        said = "; ".join(said_parts)
        tail = Content.styled("  " + plain_line(detail), f"bold {DECISION_COLORS.get(view.decision or '', '#d8d8d8')}")
        return Content.assemble(head, tail, (f": {plain(said)}" if said else "", "italic"))

    @property
    def settled(self) -> bool:
        return self.entry.kind != "approval" or self._decision is not None

    def catch_up(self, state: TeamState) -> bool:
        if self.entry.kind == "approval":
            view = state.approvals.get(self.entry.approval_id or -1)
            if view is not None and view.decision != self._decision:
                self._content = self._approval(state)
                self.changed()
                return True
        return False


def entry_item(entry: Entry, state: TeamState, agent: str, index: int) -> Item:
    item: Item
    if entry.kind == "text":
        item = TextBlock(entry, agent)
    elif entry.kind == "thinking":
        item = ThinkingBlock(entry)
    elif entry.kind == "tool":
        item = ToolCard(entry)
    else:
        item = NoteLine(entry, state)
    item.index = index
    return item


def _newer(item: Item, entries: Sequence[Entry]) -> Entry | None:
    """The entry ``item`` draws as the state has it now; None if it is gone (a retry drops partial text)."""
    entry = entries[item.index] if item.index < len(entries) else None
    if entry is None or entry.seq != item.entry.seq or entry.kind != item.entry.kind:
        return None
    return entry


def _still_live(item: Item, last: Entry | None) -> bool:
    if isinstance(item, (TextBlock, ThinkingBlock)):
        return item.entry is last
    return not item.settled


# ── the view ─────────────────────────────────────────────────────────────────────────────────────────


class Transcript(ScrollView, can_focus=True):
    """The scrolling transcript of one agent; follows the bottom unless the person scrolled up.

    Only the newest entries are held (a window of tens); the state keeps them all, and ``e`` brings earlier
    ones back. A transcript the person cannot see (an inactive tab, a pane behind a zoomed one) is not
    updated; it catches up when it is shown again.
    """

    BINDINGS = [
        Binding("e", "load_earlier", "Earlier entries", show=False),
        Binding("enter", "toggle", "Open/close", show=False),
        # not [ and ]: a replay seeks with those, from whatever has focus
        Binding("k", "select(-1)", "Previous tool call", show=False),
        Binding("j", "select(1)", "Next tool call", show=False),
    ]
    COMPONENT_CLASSES = {"transcript--earlier", "transcript--cursor"}
    DEFAULT_CSS = """
    Transcript { height: 1fr; padding: 0 1; scrollbar-size-vertical: 1; overflow-x: hidden; scrollbar-gutter: stable; }
    Transcript > .transcript--earlier { color: $text-muted; text-style: italic; }
    Transcript > .transcript--cursor { background: $accent 15%; }
    """

    # While following the bottom, held entries are pruned down to KEEP once they pass HIGH_WATER;
    # while the person reads further up, only past MOST. ``e`` brings EARLIER_STEP more at a time.
    KEEP = 40
    HIGH_WATER = 60
    MOST = 400
    EARLIER_STEP = 40
    # At a new width, a view that follows the bottom draws at once the entries of its last few screens; the
    # ones above take the height they had, scaled, and are drawn a slice at a time after (a long answer
    # wrapped anew costs tens of milliseconds, and a pane of them, a wait for every key).
    EXACT_SCREENS = 3
    SLICE_S = 0.008

    def __init__(self, agent: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.agent = agent
        self.items: list[Item] = []
        self._seen = 0  # entries of the state's transcript already held or skipped
        self._live: list[Item] = []
        self._tops: list[int] = []  # the first line of each item
        self._width = 0
        self.cursor: Item | None = None  # the tool call or thinking that enter opens
        self._latest: tuple[AgentView, TeamState] | None = None
        self.behind = False  # the state moved on while the person could not see this transcript
        self.unseen = 0  # entries that arrived below while the person read further up
        self._at_bottom = True  # where the last scroll left the view (a resize does not move it)
        self._base: Style | None = None
        self._options: ConsoleOptions | None = None
        self._strips: dict[int, tuple[tuple[Any, ...], Strip]] = {}  # drawn lines by line number
        self._look = 0  # counts changes of how every line looks (focus, cursor, styles, selection)
        self._pointed = False  # the mouse is over the view (its lines then carry offsets for selecting)
        self._drawing_later = False  # items above the screens shown are being drawn at a new width

    def on_mount(self) -> None:
        # once per process, while the app starts rather than mid-stream, but after its first frame, which
        # has nothing to highlight: the Markdown parser and a lexer take a tenth of a second to load
        self.set_timer(WARM_UP_AFTER_S, self._warm_up)

    def _warm_up(self) -> None:
        from .streamed_markdown import warm_up

        warm_up(self.app.console)

    # ── what the view holds ─────────────────────────────────────────────────

    @property
    def hidden(self) -> int:
        """Entries of the state's transcript before the first one held."""
        return self._seen - len(self.items)

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

    @property
    def text(self) -> str:
        """The Markdown source of every text block held (what a test reads)."""
        return "\n\n".join(item.source for item in self.items if isinstance(item, TextBlock))

    def clear(self) -> None:
        self.items, self._live, self._seen, self.cursor, self.unseen = [], [], 0, None, 0
        self._layout(following=True)

    # ── bringing it up to date ──────────────────────────────────────────────

    async def sync(self, view: AgentView, state: TeamState) -> None:
        self._latest = (view, state)
        if not self.can_be_seen:
            self.behind = True
            return
        self.behind = False
        self._sync(view, state)

    def on_show(self) -> None:
        self.catch_up()

    def catch_up(self) -> None:
        """Take the newest state it was given while it could not be seen, now that it can.

        Textual's Show covers a tab made active; a folded pane opened behind a modal gets no Show (the
        screen beneath is laid out without one), so the screen calls this when it opens a pane."""
        if self.behind and self._latest is not None and self.can_be_seen:
            self.behind = False
            self._sync(*self._latest)

    def _following(self) -> bool:
        return self.max_scroll_y == 0 or self.scroll_y >= self.max_scroll_y - 1

    def _should_follow(self) -> bool:
        # at the bottom when last scrolled, or now: a pane that shrank (its agent's list appeared above it)
        # leaves the view short of the bottom without the person having scrolled anywhere
        return self._at_bottom or self._following()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._at_bottom = self._following()
        if self.unseen and self._at_bottom:
            self.unseen = 0
            self.post_message(self.CaughtUp())

    @property
    def news_below(self) -> int:
        """Entries that arrived while the person read further up, if anything is still below the view."""
        return self.unseen if self.max_scroll_y > 0 and not self._following() else 0

    class CaughtUp(Message):
        """The person scrolled back down to the newest entry."""

    def _sync(self, view: AgentView, state: TeamState) -> None:
        following = self._should_follow()
        entries = view.transcript
        if len(entries) < self._seen:
            self.clear()  # the state was replaced by an earlier one (replay seeking back)
        last = entries[-1] if entries else None
        changed = False
        for item in list(self._live):
            newer = _newer(item, entries)
            if newer is None:
                self._live.remove(item)
                continue
            item.entry = newer
            changed = item.catch_up(state) or changed
            if not _still_live(item, last):
                self._live.remove(item)
        first = self._seen
        new = entries[first:]
        self._seen = len(entries)
        if len(new) > self.KEEP:  # more than a window arrived at once: only its end is held
            self._drop(len(self.items))
            first += len(new) - self.KEEP
            new = new[-self.KEEP :]
        if new and not following:
            self.unseen += len(new)  # the person reads further up: the pane's title says news arrived
        for offset, entry in enumerate(new):
            item = entry_item(entry, state, self.agent, first + offset)
            self.items.append(item)
            if _still_live(item, last):
                self._live.append(item)
        held = len(self.items)
        if held > self.MOST or (held > self.HIGH_WATER and following):
            self._drop(held - self.KEEP)
        if new or changed:
            self._layout(following)

    def _drop(self, count: int) -> None:
        doomed = self.items[:count]
        kept_top = self._tops[count] if 0 < count < len(self._tops) and not self._should_follow() else None
        del self.items[:count]
        if kept_top is not None:
            # the person reads further up: what they read stays where it is on screen (the first item kept
            # now starts below the "earlier entries" line)
            shift = kept_top - len(self._earlier_lines())
            self.scroll_to(y=max(0, self.scroll_y - shift), animate=False, immediate=True, force=True)
        self._live = [item for item in self._live if item not in doomed]
        if self.cursor in doomed:
            self.cursor = None

    def action_load_earlier(self) -> None:
        """Bring back the entries just before the first one held (the state has them all)."""
        if self._latest is None or not self.hidden:
            self.app.bell()
            return
        view, state = self._latest
        hidden = self.hidden
        start = max(0, hidden - self.EARLIER_STEP)
        earlier = [
            entry_item(entry, state, self.agent, start + offset)
            for offset, entry in enumerate(view.transcript[start:hidden])
        ]
        last = view.transcript[-1] if view.transcript else None
        self._live += [item for item in earlier if _still_live(item, last)]
        self.items[:0] = earlier
        self._layout(following=False)
        self.scroll_home(animate=False, immediate=True, force=True)

    # ── lines ───────────────────────────────────────────────────────────────

    def text_options(self, width: int) -> ConsoleOptions:
        """The console options Markdown is drawn with at ``width`` (one object per width)."""
        width = max(1, width)
        if self._options is None or self._options.max_width != width:
            self._options = self.app.console_options.update(width=width, height=None, highlight=False)
        return self._options

    def content_lines(self, content: Content, width: int) -> list[Line]:
        """Content (markup with the theme's colours) wrapped to ``width``, as lines of segments."""
        return [list(strip) for strip in Visual.to_strips(self, content, width, None, self.visual_style)]

    def _earlier_lines(self) -> list[Line]:
        hidden = self.hidden
        if not hidden:
            return []
        label = f"… {hidden} earlier entries: press e to show more (the session log keeps them all)"
        style = self.get_component_rich_style("transcript--earlier")
        return [[Segment(label, style)], BLANK]

    def _layout(self, following: bool) -> None:
        """Work out where each item starts, size the scrolling area, and redraw what is on screen.

        Following the bottom, only the items of the last EXACT_SCREENS screens must be drawn at this width
        now; an item above them not drawn yet takes its last height, scaled to the width (or a guess from
        its text, when new), until it is (``_draw_later``). Read further up, every item is drawn: what the
        person reads must not move.
        """
        width = self.scrollable_content_region.width
        self._width = width
        top = len(self._earlier_lines())
        tops = []
        estimated = False
        if width > 0:
            heights = [0] * len(self.items)
            exact_from = 0
            if following:
                needed, seen = self.EXACT_SCREENS * max(self.size.height, 1), 0
                for index in range(len(self.items) - 1, -1, -1):
                    if seen >= needed:
                        exact_from = index + 1
                        break
                    heights[index] = self._height(self.items[index], width)
                    seen += heights[index]
            for index, item in enumerate(self.items):
                if index >= exact_from:
                    height = heights[index] or self._height(item, width)
                elif item.drawn_at(width):
                    height = self._height(item, width)
                elif item.laid_out is not None:
                    was_width, was_height = item.laid_out
                    height, estimated = max(1, math.ceil(was_height * was_width / width)), True
                elif (guess := item.estimate(width)) is not None:  # new, far above (a pane catching up)
                    height, estimated = guess, True
                else:
                    height = self._height(item, width)
                tops.append(top)
                top += height
        self._tops = tops
        self.virtual_size = Size(width, top)
        if following:
            self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)
        self.refresh()
        if estimated and not self._drawing_later:
            self._drawing_later = True
            self.set_timer(self.SLICE_S, self._draw_later)

    def _height(self, item: Item, width: int) -> int:
        height = len(item.lines(self, width))
        item.laid_out = (width, height)
        return height

    def _draw_later(self) -> None:
        """Draw a slice of the items still waiting for the current width; once none waits, lay out again."""
        width = self._width
        deadline = time.perf_counter() + self.SLICE_S
        waiting = False
        for item in reversed(self.items) if width > 0 else ():
            if not item.drawn_at(width):
                if time.perf_counter() >= deadline:
                    waiting = True
                    break
                item.draw_some(self, width, deadline)
                waiting = waiting or not item.drawn_at(width)
        if waiting and self.is_attached:
            self.set_timer(self.SLICE_S, self._draw_later)  # the next slice, after the keys and frames waiting
            return
        self._drawing_later = False
        if self.is_attached:
            self._layout(self._should_follow())

    def on_resize(self) -> None:
        following = self._should_follow()  # as it was before the size changed
        if self.scrollable_content_region.width != self._width or following:
            self._layout(following)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._base = None
        self._look += 1
        for item in self.items:
            item.changed()

    def _item_at(self, line: int) -> Item | None:
        index = bisect.bisect_right(self._tops, line) - 1
        return self.items[index] if 0 <= index < len(self.items) else None

    def render_line(self, y: int) -> Strip:
        # A line drawn before is given back as the same Strip while its item is unchanged: Textual's
        # caches on that strip then spare every later step, and no new strips are made (each one carries
        # caches of its own, and most end as garbage only a full collection frees).
        line_no = self.scroll_offset.y + y
        index = bisect.bisect_right(self._tops, line_no) - 1
        item = self.items[index] if index >= 0 else None
        top = self._tops[index] if item is not None else 0  # an item's top moves once those above are drawn
        key = (item, item.version if item is not None else self.hidden, self._look, self._width, line_no, top)
        cached = self._strips.get(line_no)
        if cached is not None and cached[0] == key:
            return cached[1]
        strip = self._draw_line(item, line_no - self._tops[index] if item is not None else line_no, line_no)
        if len(self._strips) > 4 * max(self.size.height, 10):
            self._strips.clear()
        self._strips[line_no] = (key, strip)
        return strip

    def _draw_line(self, item: Item | None, offset: int, line_no: int) -> Strip:
        width = self.scrollable_content_region.width
        if self._base is None:  # worked out by walking the ancestors: once, not per line
            self._base = self.rich_style
        lines = self._earlier_lines() if item is None else item.lines(self, self._width)
        segments = lines[offset] if 0 <= offset < len(lines) else BLANK
        style = self._base
        if item is not None and item is self.cursor and self.has_focus and offset < len(lines) - (not item.collapsed):  # type: ignore[attr-defined]
            mark = Style(bgcolor=self.get_component_rich_style("transcript--cursor").bgcolor)
            segments = [
                Segment(seg.text, style + seg.style + mark if seg.style else style + mark, seg.control)
                for seg in segments
            ]
            style = style + mark
        else:
            segments = list(Segment.apply_style(segments, style))  # the view's colours under the line's own
        selection = self.text_selection
        span = selection.get_span(line_no) if selection is not None else None
        if span is not None:
            segments = self._selected(segments, span)
        length = Segment.get_line_length(segments)
        if length > width:
            strip = Strip(segments, length).crop(0, width)
        else:
            strip = Strip([*segments, Segment(" " * (width - length), style)], width)
        # offsets let the screen map a mouse selection to (column, line) of this view's text; they make every
        # segment's style unique, which costs each frame, so only while the mouse is over the view
        return strip.apply_offsets(0, line_no) if self._pointed or selection is not None else strip

    def _selected(self, segments: list[Segment], span: tuple[int, int]) -> list[Segment]:
        length = Segment.get_line_length(segments)
        start, end = span[0], length if span[1] == -1 else min(span[1], length)
        if start >= end:
            return segments
        mark = self.screen.get_component_rich_style("screen--selection")
        before, middle, after = Segment.divide(segments, [start, end, length])
        return [
            *before,
            *(Segment(text, (style or Style.null()) + mark, control) for text, style, control in middle),
            *after,
        ]

    # ── selecting text with the mouse ───────────────────────────────────────

    def _plain_lines(self) -> list[str]:
        lines = ["".join(seg.text for seg in line) for line in self._earlier_lines()]
        for item in self.items:
            lines += ["".join(seg.text for seg in line) for line in item.lines(self, self._width)]
        return lines

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        return selection.extract("\n".join(line.rstrip() for line in self._plain_lines())), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self._restyle()

    def on_enter(self) -> None:
        self._pointed = True
        self._restyle()

    def on_leave(self) -> None:
        self._pointed = False
        self._restyle()

    # ── opening tool calls and thinking ─────────────────────────────────────

    def _foldable(self) -> list[Item]:
        return [item for item in self.items if item.foldable]

    def _visible_foldable(self) -> Item | None:
        """The newest tool call or thinking on screen, or the newest held."""
        foldable = self._foldable()
        top, bottom = self.scroll_offset.y, self.scroll_offset.y + self.scrollable_content_region.height
        # strict=False: before the first layout with a width there are items but no tops yet
        on_screen = [
            item for item, first in zip(self.items, self._tops, strict=False) if item.foldable and top <= first < bottom
        ]
        shown = on_screen or foldable
        return shown[-1] if shown else None

    def _scroll_to_item(self, item: Item) -> None:
        start = self._tops[self.items.index(item)]
        height = len(item.lines(self, self._width))
        top, rows = self.scroll_offset.y, self.scrollable_content_region.height
        if start < top:
            self.scroll_to(y=start, animate=False, immediate=True, force=True)
        elif start + min(height, rows) > top + rows:
            self.scroll_to(y=start + min(height, rows) - rows, animate=False, immediate=True, force=True)

    def toggle(self, item: Item) -> None:
        if isinstance(item, FoldedLine):
            self.cursor = item
            item.toggle()
            self._look += 1
            self._layout(following=False)
            self._scroll_to_item(item)

    def action_toggle(self) -> None:  # type: ignore[override]  # the key t, not DOMNode's toggle of an attribute
        item = self.cursor if self.cursor in self.items else self._visible_foldable()
        if item is None:
            self.app.bell()
            return
        self.toggle(item)

    def action_select(self, step: int) -> None:
        foldable = self._foldable()
        if not foldable:
            self.app.bell()
            return
        if self.cursor in foldable:
            index = max(0, min(len(foldable) - 1, foldable.index(self.cursor) + step))
        else:
            current = self._visible_foldable()
            index = foldable.index(current) if current is not None else len(foldable) - 1
        self.cursor = foldable[index]
        self._scroll_to_item(self.cursor)
        self._restyle()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        item = self._item_at(self.scroll_offset.y + offset.y)
        if item is not None and item.foldable:
            event.stop()
            self.toggle(item)

    def _restyle(self) -> None:
        self._look += 1
        self.refresh()

    def on_focus(self) -> None:
        self._restyle()

    def on_blur(self) -> None:
        self._restyle()
