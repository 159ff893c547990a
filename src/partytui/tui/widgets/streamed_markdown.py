"""Markdown that grows by deltas, drawn with Rich: finished blocks are drawn once, only the last one again.

An agent's answer arrives a few characters at a time. Drawing the whole answer on every flush costs time in
proportion to its length; a Textual ``Markdown`` widget costs tens of widgets per answer. Here the text is
split into top-level Markdown blocks (paragraphs, lists, code fences, headings): every block but the last
is finished (the parser has started a later one), so it is drawn once per width and kept as lines of
segments (lighter than Textual strips, which carry caches of their own); only the last block is parsed and
drawn again when the text grows.
"""

from __future__ import annotations

import math
import time
from typing import ClassVar

from markdown_it import MarkdownIt
from markdown_it.token import Token
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import Heading, Markdown
from rich.segment import Segment

from ...core.views.plain import plain

Line = list[Segment]

# the configuration Rich renders with, built once (Rich builds a parser per document, which costs more
# than parsing a paragraph)
_PARSER = MarkdownIt().enable("strikethrough").enable("table")


class _LeftHeading(Heading):
    # a centred title looks lost in a narrow pane
    LEVEL_ALIGN: ClassVar = {**Heading.LEVEL_ALIGN, "h1": "left"}


class PaneMarkdown(Markdown):
    """Rich's Markdown with every heading on the left, parsed by the shared parser (or given its tokens)."""

    elements: ClassVar = {**Markdown.elements, "heading_open": _LeftHeading}

    def __init__(self, markup: str, code_theme: str = "monokai", tokens: list[Token] | None = None) -> None:
        # Rich's own __init__ would build a new parser; these are the attributes it sets
        markup = plain(markup) if tokens is None else markup  # given tokens were parsed from plain text
        self.markup = markup
        self.parsed = tokens if tokens is not None else _PARSER.parse(markup)
        self.code_theme = code_theme
        self.justify = None
        self.style = "none"
        self.hyperlinks = True
        self.inline_code_lexer = None
        self.inline_code_theme = code_theme


_warmed = False


def warm_up(console: Console) -> None:
    """Draw a small document once, so the first code fence streamed does not pay for loading a lexer."""
    global _warmed
    if not _warmed:
        _warmed = True
        sample = "# A\n\nSome *text*, `code`.\n\n- one\n1. two\n\n```python\ndef f():\n    return 1\n```\n"
        console.render_lines(PaneMarkdown(sample), console.options.update_width(40))


def block_ranges(tokens: list[Token]) -> list[tuple[int, int]]:
    """The (first, end) line numbers of each top-level block of a parsed text (lines split on ``\\n``)."""
    return [
        (token.map[0], token.map[1])
        for token in tokens
        if token.level == 0 and token.nesting != -1 and token.map is not None
    ]


def _plain_blank(line: list[Segment]) -> bool:
    return all(not segment.text.strip() and not (segment.style and segment.style.bgcolor) for segment in line)


class StreamedMarkdown:
    """A growing Markdown text; ``update`` it with the whole text so far, ask it for ``lines`` to show."""

    def __init__(self, code_theme: str = "monokai") -> None:
        self.code_theme = code_theme
        self.source = ""
        self.blocks: list[str] = []  # the finished blocks' sources
        self._done = 0  # characters of ``source`` that the finished blocks cover
        self._tail_tokens: list[Token] | None = None  # the last block, parsed by ``update``
        self._width = 0
        self._drawn: list[list[Line]] = []  # finished blocks drawn at ``_width``
        # the finished blocks drawn at the width before: a pane that goes back to it (a neighbour folded and
        # opened again, a zoom and back) takes them again instead of drawing the whole text once more
        self._before: tuple[int, list[list[Line]]] | None = None
        self._tail_drawn: tuple[str, list[Line]] | None = None
        self._joined: tuple[tuple[int, str], list[Line]] | None = None  # the last answer of ``lines``

    @property
    def tail(self) -> str:
        """The last block, still open to more text."""
        return self.source[self._done :]

    def update(self, text: str) -> None:
        text = plain(text)  # also makes every \r a \n, as the parser counts lines
        if not text.startswith(self.source[: self._done]):  # replaced rather than grown: start over
            self.blocks, self._drawn, self._done, self._joined, self._before = [], [], 0, None, None
        self.source = text
        tail = text[self._done :]
        tokens = _PARSER.parse(tail)
        ranges = block_ranges(tokens)
        if len(ranges) < 2:
            self._tail_tokens = tokens
            return
        lines = tail.split("\n")
        for first, end in ranges[:-1]:
            block = "\n".join(lines[first:end]).strip("\n")
            if block.strip():
                self.blocks.append(block)
        self._done += sum(len(line) + 1 for line in lines[: ranges[-1][0]])
        self._tail_tokens = None

    def _draw(
        self, console: Console, options: ConsoleOptions, source: str, tokens: list[Token] | None = None
    ) -> list[Line]:
        markdown = PaneMarkdown(source, self.code_theme, tokens)
        lines = console.render_lines(markdown, options, pad=False)
        # Rich opens a list with an empty line of its own; blocks are spaced here, one empty line apart
        while lines and _plain_blank(lines[0]):
            del lines[0]
        return lines

    def _draw_at(self, width: int) -> None:
        if width != self._width:
            before, self._before = self._before, ((self._width, self._drawn) if self._drawn else None)
            self._drawn = before[1] if before is not None and before[0] == width else []
            self._width, self._tail_drawn = width, None

    def draw_some(self, console: Console, options: ConsoleOptions, deadline: float) -> None:
        """Draw finished blocks at ``options.max_width`` until ``deadline`` (a ``perf_counter`` time) passes."""
        self._draw_at(options.max_width)
        options = options.update(width=options.max_width, height=None)
        while len(self._drawn) < len(self.blocks) and time.perf_counter() < deadline:
            self._drawn.append(self._draw(console, options, self.blocks[len(self._drawn)]))

    def drawn_at(self, width: int) -> bool:
        """Whether every finished block is drawn at ``width`` already (asking for its lines is then cheap)."""
        if width == self._width:
            return len(self._drawn) == len(self.blocks)
        return self._before is not None and self._before[0] == width and len(self._before[1]) == len(self.blocks)

    def lines(self, console: Console, options: ConsoleOptions) -> list[Line]:
        """Every line of the text at ``options.max_width``, blocks one empty line apart."""
        width = options.max_width
        # asked for the height at every layout and for each line drawn: unchanged, the same list again
        if self._joined is not None and width == self._width and self._joined[0] == (len(self.blocks), self.tail):
            return self._joined[1]
        options = options.update(width=width, height=None)
        self.draw_some(console, options, math.inf)
        tail = self.tail
        parts = self._drawn
        if tail.strip():
            if self._tail_drawn is None or self._tail_drawn[0] != tail:
                self._tail_drawn = (tail, self._draw(console, options, tail, self._tail_tokens))
            parts = [*self._drawn, self._tail_drawn[1]]
        out: list[Line] = []
        blank: Line = []
        for part in parts:
            if out:
                out.append(blank)
            out.extend(part)
        self._joined = ((len(self.blocks), tail), out)
        return out

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        new_line = Segment.line()
        for line in self.lines(console, options):
            yield from line
            yield new_line
