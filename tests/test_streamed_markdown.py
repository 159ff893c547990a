"""StreamedMarkdown: prose streamed in deltas is drawn as the whole text would be, finished blocks once."""

from __future__ import annotations

import random

from rich.console import Console

from partytui.bench.feed import markdown_answer
from partytui.core.providers.sse import chunks
from partytui.tui.widgets.streamed_markdown import StreamedMarkdown

CONSOLE = Console(width=60, force_terminal=True, color_system="truecolor")
OPTIONS = CONSOLE.options.update_width(60)


def shown(doc: StreamedMarkdown) -> list[str]:
    return ["".join(segment.text for segment in line).rstrip() for line in doc.lines(CONSOLE, OPTIONS)]


def whole(text: str) -> list[str]:
    doc = StreamedMarkdown()
    doc.update(text)
    return shown(doc)


def test_deltas_end_drawn_as_the_whole_text() -> None:
    rng = random.Random(5)
    for _ in range(20):
        text = markdown_answer(rng)
        doc, so_far = StreamedMarkdown(), ""
        for piece in chunks(text):
            so_far += piece
            doc.update(so_far)
            shown(doc)  # drawn along the way, as the pane does on each flush
        assert shown(doc) == whole(text)
        assert len(doc.blocks) >= 2  # all but the last block finished


def test_markdown_marks_are_drawn_not_shown() -> None:
    lines = whole("# Title\n\nSome **bold** and `code`.\n\n- one\n- two\n\n```python\nx = 1\n```\n")
    assert lines[0] == "Title"  # on the left, not centred
    assert "Some bold and code." in lines
    assert any(line.strip() == "• one" for line in lines)
    assert not any("```" in line or "**" in line or line.startswith("#") for line in lines)


def test_finished_blocks_are_drawn_once_and_the_last_one_again() -> None:
    doc = StreamedMarkdown()
    doc.update("First paragraph.\n\nSecond")
    first = doc.lines(CONSOLE, OPTIONS)
    doc.update("First paragraph.\n\nSecond paragraph, longer now.")
    second = doc.lines(CONSOLE, OPTIONS)
    assert doc.blocks == ["First paragraph."] and doc.tail == "Second paragraph, longer now."
    assert second[0] is first[0]  # the finished block's strip is kept, not drawn again
    assert "".join(segment.text for segment in second[-1]).rstrip() == "Second paragraph, longer now."
    narrow = doc.lines(CONSOLE, CONSOLE.options.update_width(12))
    assert narrow[0] is not first[0] and len(narrow) > len(second)  # a new width draws everything anew


def test_going_back_to_the_width_before_takes_its_drawn_blocks_again() -> None:
    # a pane whose neighbour folds and opens again, or that is zoomed and back, changes width and back
    doc = StreamedMarkdown()
    doc.update("First paragraph.\n\nSecond paragraph.\n\nThird")
    wide = doc.lines(CONSOLE, OPTIONS)
    narrow_options = CONSOLE.options.update_width(12)
    narrow = doc.lines(CONSOLE, narrow_options)
    doc.update("First paragraph.\n\nSecond paragraph.\n\nThird paragraph.\n\nFourth")  # grows meanwhile
    again = doc.lines(CONSOLE, OPTIONS)
    assert again[0] is wide[0]  # the blocks drawn at this width before are kept, not drawn again
    assert shown(doc) == whole("First paragraph.\n\nSecond paragraph.\n\nThird paragraph.\n\nFourth")
    assert doc.lines(CONSOLE, narrow_options)[0] is narrow[0]  # and the other width's, the other way
    doc.update("Replaced.\n\nAll of it")
    assert doc.lines(CONSOLE, narrow_options)[0] is not narrow[0]  # a replaced text keeps nothing drawn


def test_a_replaced_text_starts_over_and_carriage_returns_count_as_new_lines() -> None:
    doc = StreamedMarkdown()
    doc.update("Alpha.\n\nBeta.\n\nGam")
    doc.update("Something else entirely.\r\n\r\n- a\r\n- b")
    assert doc.blocks == ["Something else entirely."]
    assert shown(doc) == whole("Something else entirely.\n\n- a\n- b")
