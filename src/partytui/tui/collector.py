"""Short garbage-collector pauses for a live TUI: a full pass over a large heap stalls every key press.

Measured with ``partytui bench`` (eight panes streaming): full collections over the ~190,000 objects that
Textual, pydantic and the SDK keep alive took 60-120 ms each, several times a second, and were the
longest pauses of the event loop. Freezing what start-up built takes those objects out of every later
pass, and collecting young objects less often leaves fewer, cheaper passes. The app releases both when it
closes, so a process that runs several apps (tests, the benchmark) frees what each one left behind.
"""

from __future__ import annotations

import gc

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
