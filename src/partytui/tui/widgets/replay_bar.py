"""The replay's scrubber: playing or paused, the speed, events and time so far, and a bar with markers.

The bar spans the whole session by event position; phase changes, approvals and errors are marked on it
so ``[`` and ``]`` have visible targets. Clicking the bar asks to seek there (``ReplayBar.Seek``).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.content import Content
from textual.message import Message
from textual.widget import Widget

from ...core.views.present import clock_time
from ...replay.source import ReplayStatus, speed_label

__all__ = [
    "MARKS",
    "ReplayBar",
    "ReplayStatus",
    "bar_cell",
    "cell_position",
    "render_head",
    "render_track",
    "speed_label",
]

# How each marker kind is drawn on the bar; later kinds win a shared cell (an error outranks a phase).
MARKS: dict[str, tuple[str, str]] = {
    "phase": ("│", "bold #5cc8d6"),
    "approval": ("◆", "bold #e8c547"),
    "error": ("✗", "bold #ef6f6c"),
}
_RANK = {kind: i for i, kind in enumerate(MARKS)}


def bar_cell(position: int, total: int, width: int) -> int:
    """The cell of the bar (0 … width-1) that stands for ``position`` (0 … total)."""
    if total <= 0 or width <= 1:
        return 0
    return min(width - 1, position * (width - 1) // total)


def cell_position(cell: int, total: int, width: int) -> int:
    """The position a click on ``cell`` asks for: the inverse of :func:`bar_cell`, rounded to the nearest."""
    if width <= 1:
        return total
    cell = max(0, min(width - 1, cell))
    return min(total, round(cell * total / (width - 1)))


def render_head(status: ReplayStatus) -> Content:
    if status.total and status.position >= status.total:
        state = Content.styled("■ end", "bold $text-success")
    elif status.playing:
        state = Content.styled("▶ playing", "bold $text-success")
    else:
        state = Content.styled("‖ paused", "bold $text-warning")
    digits = len(str(status.total))
    return Content.assemble(
        " ",
        state,
        " ",
        (speed_label(status.speed), "bold"),
        (f"  {status.position:>{digits}}/{status.total}", ""),
        (f"  {clock_time(status.elapsed)}/{clock_time(status.duration)} ", "dim"),
    )


def render_track(status: ReplayStatus, width: int) -> Content:
    """``width`` cells: played ``━`` up to the head ``●``, the rest ``─``, with the markers over both."""
    if width <= 0:
        return Content("")
    head = bar_cell(status.position, status.total, width)
    cells: list[tuple[str, str]] = [("━", "$accent") if i < head else ("─", "dim") for i in range(width)]
    marked: dict[int, str] = {}
    for position, kind in status.markers:
        cell = bar_cell(position, status.total, width)
        if kind in MARKS and (cell not in marked or _RANK[kind] > _RANK[marked[cell]]):
            marked[cell] = kind
    for cell, kind in marked.items():
        glyph, style = MARKS[kind]
        cells[cell] = (glyph, style if cell <= head else f"{style} dim")
    cells[head] = ("●", "bold $accent") if head not in marked else (cells[head][0], "bold reverse $accent")
    return Content.assemble(*cells)


class ReplayBar(Widget):
    """One line: ``render_head`` then the track, as wide as what is left."""

    DEFAULT_CSS = """
    ReplayBar { height: 1; background: $panel-darken-1; }
    """

    @dataclass
    class Seek(Message):
        position: int

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.status = ReplayStatus(0, 0, 0.0, 0.0, 1.0, False)
        self._track_start = 0
        self._track_width = 0

    def show(self, status: ReplayStatus) -> None:
        if status != self.status:
            self.status = status
            self.refresh()

    def render(self) -> Content:
        head = render_head(self.status)
        width = self.size.width
        self._track_start = head.cell_length
        self._track_width = max(0, width - head.cell_length - 1)
        return Content.assemble(head, render_track(self.status, self._track_width))

    def on_click(self, event: events.Click) -> None:
        if self._track_width and self._track_start <= event.x < self._track_start + self._track_width:
            cell = event.x - self._track_start
            self.post_message(self.Seek(cell_position(cell, self.status.total, self._track_width)))
