"""Short garbage-collector pauses for a live TUI: a full pass over a large heap stalls every key press.

Measured with ``partytui bench`` (eight panes streaming): full collections over the ~190,000 objects that
Textual, pydantic and the SDK keep alive took 60-120 ms each, several times a second, and were the
longest pauses of the event loop. Freezing what start-up built takes those objects out of every later
pass, and collecting young objects less often leaves fewer, cheaper passes. The app releases both when it
closes, so a process that runs several apps (tests, the benchmark) frees what each one left behind.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Sequence

from rich.style import Style
from textual.strip import Strip

YOUNG_THRESHOLD = 10_000  # allocations between young collections (Python's default is 700)
MIDDLE_EVERY = 5  # young collections per middle one (at 20, each middle pass took 40-70 ms mid-stream)
OLD_EVERY = 100  # middle collections before a full one is considered

_saved: tuple[int, int, int] | None = None


def tune_collector() -> None:
    """After start-up: freeze the survivors and space collections out (until ``release_collector``)."""
    global _saved
    if _saved is None:
        _saved = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, MIDDLE_EVERY, OLD_EVERY)


def release_collector() -> None:
    """Give frozen objects back to the collector and restore its thresholds."""
    global _saved
    if _saved is not None:
        gc.unfreeze()
        gc.set_threshold(*_saved)
        _saved = None


# ── strips that point at themselves ─────────────────────────────────────────────────────────────────
#
# Textual caches the results of a strip's operations on the strip itself. Two of them can answer with the
# strip itself: dividing it at its own end, and cropping it to its own extent. Cached, that answer is a
# reference from the strip to itself, so every such strip — and everything cached on it — outlives its last
# use until a full collection: a streaming session left ~200,000 such objects for each full pass, which
# then took 200-470 ms. Answering those two cases before the cache is reached gives the same result and
# lets the strip be freed as soon as nothing uses it.

_strip_methods: tuple[object, object] | None = None


def free_strips_promptly() -> None:
    """Make ``Strip.divide`` and ``Strip.crop_extend`` skip their cache when the answer is the strip itself."""
    global _strip_methods
    if _strip_methods is not None:
        return
    divide, crop_extend = Strip.divide, Strip.crop_extend
    _strip_methods = (divide, crop_extend)

    def divide_uncycled(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
        length = self.cell_length
        cuts = [cut for cut in cuts if cut <= length]
        if cuts == [length]:
            return [self]
        return divide(self, cuts)

    def crop_extend_uncycled(self: Strip, start: int, end: int, style: Style | None) -> Strip:
        if start == 0 and end == self.cell_length:
            return self
        return crop_extend(self, start, end, style)

    Strip.divide = divide_uncycled  # type: ignore[method-assign]
    Strip.crop_extend = crop_extend_uncycled  # type: ignore[method-assign]
