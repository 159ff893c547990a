"""A translucent screen's backdrop (the tinted screen beneath it), drawn again only where that screen changed.

Textual draws a translucent screen's background as one renderable: the whole screen beneath, composed and
tinted cell by cell, and it draws that renderable again whenever any part of it is stale. Behind an approval
modal the team keeps streaming, so every redraw of one pane beneath cost a full compose and tint of the
200x60 screen (about half a frame) and the key presses waiting meanwhile. Here each line of the backdrop is
drawn on its own, from the lines the screen beneath already has cached, and tinted again only when one of
those changed; what comes out is what Textual's backdrop draws.
"""

from __future__ import annotations

from typing import Any, Self

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from textual.geometry import Region
from textual.renderables.background_screen import BackgroundScreen
from textual.screen import Screen
from textual.strip import Strip
from textual.visual import Visual, visualize


class _Segments:
    """Segments already drawn, as a Rich renderable (one backdrop line, through Textual's own styling)."""

    def __init__(self, segments: list[Segment]) -> None:
        self.segments = segments

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        return self.segments


class LiveBackdrop(Screen[Any]):
    """Mixed into a translucent screen: its backdrop is drawn line by line, each line kept while the
    pieces of the screen beneath it are the same objects (the compositor hands back the same strips for
    what did not change). The lines a frame needs are composed beneath in one pass."""

    _usable = True  # False once Textual's internals turned out not to be what this reads (see _give_up)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # line -> (what it was drawn from, the line drawn)
        self._backdrop: dict[int, tuple[tuple[Any, ...], Strip]] = {}
        self._fresh: set[int] = set()  # the lines brought up to date for the frame being drawn
        # lines the screen beneath has redrawn since they were composed (it reports them with their regions)
        self._changed_beneath: set[int] = set()

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False) -> Self:
        # Textual asks for the regions the screen beneath redrew; a refresh without regions is this screen's
        # own (its layout, focus, styles), which leaves the screen beneath as it was
        for region in regions:
            self._changed_beneath.update(region.line_range)
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def _on_screen_resume(self) -> None:  # type: ignore[override]  # Textual calls each class's handler; this one needs no event
        # back on top: what is beneath changed unseen meanwhile (reported to the screen that was on top)
        self._backdrop.clear()

    def _beneath(self) -> Screen[Any] | None:
        """The screen this one is drawn over, when this one is on top, translucent and the same size (else
        Textual draws the backdrop itself)."""
        if not LiveBackdrop._usable or not self.is_attached or self.app.screen is not self:
            return None
        if self.styles.background.a >= 1:
            return None
        stack = self.app.screen_stack
        beneath = stack[-2] if len(stack) > 1 else None
        if beneath is None or beneath._compositor.size != self.size:
            return None
        return beneath

    def _give_up(self, error: Exception) -> None:
        # the fast path reads Textual's internals (the compositor's chops, the styles cache); a Textual that
        # changed them gets Textual's own backdrop for the rest of the process, never a crash
        LiveBackdrop._usable = False
        self._backdrop.clear()
        self.log.warning(f"the modal's backdrop falls back to Textual's own: {error!r}")

    def render_lines(self, crop: Region) -> list[Strip]:
        beneath = self._beneath()
        if beneath is not None:
            try:
                cache = self._styles_cache  # the lines it will ask for: the stale ones and those it never drew
                drawn = getattr(cache, "_cache", {})
                self._draw_backdrop(beneath, [y for y in crop.line_range if cache.is_dirty(y) or y not in drawn])
            except (AttributeError, TypeError, KeyError, IndexError) as error:
                self._give_up(error)
        try:
            return super().render_lines(crop)
        finally:
            self._fresh.clear()

    def _draw_backdrop(self, beneath: Screen[Any], lines: list[int]) -> None:
        """Bring ``lines`` of the backdrop up to date: composed beneath in one pass, tinted where changed."""
        if not lines:
            return
        width = self.size.width
        looks = (self.styles.background, self.visual_style, self.size)
        tint = looks[0]
        changed = self._changed_beneath
        compose = [y for y in lines if y in changed or y not in self._backdrop or self._backdrop[y][0][-3:] != looks]
        self._fresh.update(lines)
        if not compose:
            return
        changed.difference_update(compose)
        top = min(compose)
        wanted = set(compose).__contains__
        chops = beneath._compositor._render_chops(Region(0, top, width, max(compose) - top + 1), lambda y: wanted(y))
        stale: list[tuple[int, tuple[Any, ...]]] = []
        segments: list[Segment] = []
        for y in compose:
            pieces = tuple(chops[y].values())
            key = (*pieces, *looks)
            kept = self._backdrop.get(y)
            if (
                kept is None
                or len(kept[0]) != len(key)
                or not all(a is b or a == b for a, b in zip(kept[0], key, strict=True))
            ):
                if stale:
                    segments.append(Segment.line())
                segments.extend(BackgroundScreen.process_segments(Strip.join(pieces), tint))
                stale.append((y, key))
        if stale:
            drawn = Visual.to_strips(self, visualize(self, _Segments(segments)), width, len(stale), looks[1])
            for (y, key), line in zip(stale, drawn, strict=False):  # as many lines as asked for, or fewer
                self._backdrop[y] = (key, line)

    def render_line(self, y: int) -> Strip:
        if y not in self._fresh:
            beneath = self._beneath()
            if beneath is None or not 0 <= y < self.size.height:
                return super().render_line(y)
            try:
                self._draw_backdrop(beneath, [y])
            except (AttributeError, TypeError, KeyError, IndexError) as error:
                self._give_up(error)
                return super().render_line(y)
        kept = self._backdrop.get(y)
        return kept[1] if kept is not None else super().render_line(y)
