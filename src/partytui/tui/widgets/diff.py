"""A file change drawn as a coloured diff: unified on narrow screens, side by side where there is room.

Built on ``difflib`` (``core/views/diffs.py``) and Rich rather than a Textual diff widget: the one kept for Textual
(textual-diff-view) is AGPL-3.0, which partytui (MIT) cannot take on as a dependency.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual.content import Content

from ...core.views.diffs import FileChange, side_by_side, unified
from ...core.views.plain import plain

SIDE_BY_SIDE_WIDTH = 140  # below this a side-by-side diff leaves too little of each line

# (number and sign style, line style) per diff tag
STYLES = {
    "-": ("#ef6f6c", "#ffb3b0 on #3a1a1a"),
    "+": ("#7ccf6b", "#c4f0b8 on #183a18"),
    "=": ("#6a6a6a", "#c8c8c8"),
    "@": ("#6a6a6a", "#6a6a6a"),
}
SIGNS = {"-": "-", "+": "+", "=": " ", "@": " "}
MAX_LINES = 400  # a huge rewrite is cut (the file itself is in the workspace)


def change_counts(change: FileChange) -> Text:
    added, removed = change.counts
    return Text.assemble((f"+{added}", STYLES["+"][0]), " ", (f"−{removed}", STYLES["-"][0]))


def _num(n: int | None, width: int) -> str:
    return (str(n) if n is not None else "").rjust(width)


class DiffRender:
    """A Rich renderable of one :class:`FileChange`; side by side when given ``SIDE_BY_SIDE_WIDTH`` or more
    columns and the file had lines before."""

    def __init__(self, change: FileChange, *, split: bool | None = None) -> None:
        self.change = change
        self.split = split

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        split = self.split if self.split is not None else width >= SIDE_BY_SIDE_WIDTH
        if not self.change.before.strip() or self.change.before == self.change.after:
            split = False
        if self.change.before == self.change.after:
            yield Text("(no change)", style="dim italic")
            return
        yield from (self._split(width) if split else self._unified(width))

    def _digits(self) -> int:
        return max(3, len(str(max(self.change.before.count("\n"), self.change.after.count("\n")) + 1)))

    def _unified(self, width: int) -> RenderResult:
        digits = self._digits()
        for n, (tag, old, new, line) in enumerate(unified(self.change.before, self.change.after)):
            if n >= MAX_LINES:
                yield Text(f"… the diff goes on (cut at {MAX_LINES} lines)", style="dim italic")
                return
            edge, body = STYLES[tag]
            text = Text.assemble(
                (f"{_num(old, digits)} {_num(new, digits)} ", edge),
                (SIGNS[tag] + " ", edge),
                (plain(line).expandtabs(4), body),
            )
            text.no_wrap, text.overflow = False, "fold"
            pad = width - cell_len(text.plain)
            if pad > 0 and tag in "+-":
                text.append(" " * pad, style=body)
            yield text

    def _split(self, width: int) -> RenderResult:
        digits = self._digits()
        table = Table.grid(expand=True)
        table.add_column(ratio=1, overflow="fold")
        table.add_column(width=1)
        table.add_column(ratio=1, overflow="fold")
        for n, (tag, left, right) in enumerate(side_by_side(self.change.before, self.change.after)):
            if n >= MAX_LINES:
                table.add_row(Text(f"… cut at {MAX_LINES} lines", style="dim italic"), "", "")
                break
            if tag == "@":
                table.add_row(Text("⋯", style="dim"), "", Text("⋯", style="dim"))
                continue
            left_tag = "=" if tag == "=" else "-"
            right_tag = "=" if tag == "=" else "+"
            table.add_row(self._cell(left, left_tag, digits), "", self._cell(right, right_tag, digits))
        yield table

    @staticmethod
    def _cell(side: tuple[int, str] | None, tag: str, digits: int) -> Padding | Text:
        if side is None:
            return Text("")
        edge, body = STYLES[tag]
        text = Text.assemble(
            (f"{side[0]:>{digits}} ", edge), (SIGNS[tag] + " ", edge), (plain(side[1]).expandtabs(4), body)
        )
        background = "on " + body.split(" on ")[-1] if " on " in body else ""
        return Padding(text, 0, style=background, expand=True)


def diff_content(change: FileChange) -> Content:
    """A compact unified diff as Textual ``Content`` (for transcript cards): no line numbers of an unknown file."""
    parts: list[Content] = []
    for n, (tag, _, _, line) in enumerate(unified(change.before, change.after)):
        if n >= MAX_LINES:
            parts.append(Content.styled(f"… cut at {MAX_LINES} lines", "dim italic"))
            break
        edge, body = STYLES[tag]
        parts.append(Content.assemble((SIGNS[tag] + " ", edge), (plain(line).expandtabs(4), body)))
    return Content("\n").join(parts)
