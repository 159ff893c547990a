"""Strips are freed as soon as nothing uses them, and answer exactly as Textual's own methods do."""

from __future__ import annotations

import gc
import weakref

from hypothesis import given
from hypothesis import strategies as st
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from partytui.tui import collector

collector.free_strips_promptly()
DIVIDE, CROP_EXTEND = collector._strip_methods  # type: ignore[misc]

words = st.lists(st.text(alphabet="abc 界", min_size=1, max_size=6), min_size=1, max_size=5)


def strip_of(parts: list[str]) -> Strip:
    return Strip([Segment(text, Style(bold=i % 2 == 0)) for i, text in enumerate(parts)])


class WatchedStrip(Strip):
    __slots__ = ("__weakref__",)  # Textual's strips cannot be watched with a weak reference


def test_a_strip_divided_at_its_end_or_cropped_to_itself_is_freed_without_a_collection() -> None:
    gc.disable()
    try:
        strip = WatchedStrip([Segment("hello "), Segment("world", Style(bold=True))])
        assert strip.divide([strip.cell_length]) == [strip]
        assert strip.crop_extend(0, strip.cell_length, None) is strip
        strip.divide([3, strip.cell_length])  # a real division is still cached
        gone = weakref.ref(strip)
        del strip
        assert gone() is None  # freed by its reference count alone: no cycle through its caches
    finally:
        gc.enable()


@given(words, st.lists(st.integers(0, 30), max_size=4))
def test_divide_answers_as_textual_does(parts: list[str], cuts: list[int]) -> None:
    strip = strip_of(parts)
    cuts = sorted(set(cuts)) + [strip.cell_length]
    assert [s.text for s in strip.divide(cuts)] == [s.text for s in DIVIDE(strip_of(parts), cuts)]


@given(words, st.integers(0, 30), st.integers(0, 40))
def test_crop_extend_answers_as_textual_does(parts: list[str], start: int, end: int) -> None:
    strip = strip_of(parts)
    ours, theirs = strip.crop_extend(start, end, None), CROP_EXTEND(strip_of(parts), start, end, None)
    assert ours.text == theirs.text and ours.cell_length == theirs.cell_length
