"""The transcript's window: tens of entries mounted, earlier ones on demand, hidden panes catch up when shown."""

from __future__ import annotations

from partytui.core.truth.events import TextDelta, ToolCalled, ToolResult, parse_event
from partytui.tui import make_app
from partytui.tui.widgets.transcript import TextBlock, ToolCard
from snapshot_apps.team_sample import NOW
from test_tui_main import LARGE, SMALL, live_session, markdown_document, settled, shown_lines, until


async def test_only_a_window_is_mounted_and_e_brings_earlier_entries() -> None:
    session = live_session()
    app = make_app(session, clock=lambda: NOW)
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        for n in range(120):
            session.emit(ToolCalled(agent="qa", tool_use_id=f"x{n}", tool="Read", input={"file_path": f"f{n}.py"}))
            session.emit(ToolResult(agent="qa", tool_use_id=f"x{n}", tool="Read", output="ok"))
        await app.flush_view()
        transcript = app.main.panes["qa"].transcript
        mounted = len(transcript.items)
        assert mounted <= transcript.HIGH_WATER
        assert transcript.hidden == len(session.state.agents["qa"].transcript) - mounted
        transcript.scroll_home(animate=False, immediate=True, force=True)
        assert f"{transcript.hidden} earlier entries: press e" in shown_lines(transcript)[0]
        hidden = transcript.hidden
        await pilot.press("4", "e")
        assert transcript.hidden == max(0, hidden - transcript.EARLIER_STEP)
        assert len(transcript.items) == mounted + hidden - transcript.hidden
        cards = [w for w in transcript.items if isinstance(w, ToolCard)]
        numbers = [int(c.entry.input["file_path"][1:-3]) for c in cards]  # type: ignore[index]
        assert numbers == sorted(numbers) and numbers[-1] == 119  # in order, contiguous to the newest


async def test_a_hidden_tab_catches_up_when_it_is_shown() -> None:
    session = live_session()
    app = make_app(session, clock=lambda: NOW)
    async with app.run_test(size=SMALL) as pilot:
        await settled(pilot)
        assert app.main.focused_agent == "lead"
        session.emit(parse_event({"type": "turn.started", "agent": "frontend", "turn": 2}))
        session.emit(TextDelta(agent="frontend", text="Building the **list view** now."))
        await app.flush_view()
        transcript = app.main.panes["frontend"].transcript
        assert transcript.behind  # not drawn while its tab is not shown
        assert "list view" not in transcript.text
        await pilot.press("3")
        await until(pilot, lambda: "Building the **list view** now." in transcript.text, "caught up when shown")
        assert not transcript.behind
        block = [w for w in transcript.items if isinstance(w, TextBlock)][-1]
        lines = block.document.lines(app.console, app.console.options)
        assert "Building the list view now." in ["".join(segment.text for segment in line).strip() for line in lines]


def fits(transcript) -> bool:  # type: ignore[no-untyped-def]
    return all(len(line) <= transcript.scrollable_content_region.width for line in shown_lines(transcript))


async def test_lines_wrap_again_when_the_pane_changes_width() -> None:
    session = live_session()
    app = make_app(session, clock=lambda: NOW)
    long_line = "word " * 60
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        session.emit(parse_event({"type": "turn.started", "agent": "qa", "turn": 5}))
        session.emit(TextDelta(agent="qa", text=long_line.strip()))
        await app.flush_view()
        transcript = app.main.panes["qa"].transcript
        await pilot.press("f")  # every pane open: qa no longer takes the row an idle pane folded out of
        # laid out again on a later frame: wait for the narrower pane, then for its lines
        await until(pilot, lambda: transcript.size.width < app.size.width // 2, "qa's pane shares its row")
        await app.flush_view()
        await until(pilot, lambda: fits(transcript), "qa's lines wrapped to the narrower pane")
        in_grid = len([line for line in shown_lines(transcript) if "word" in line])
        narrow = transcript.size.width
        await pilot.press("4", "z")  # zoomed: about twice as wide
        await until(pilot, lambda: transcript.size.width > narrow, "qa's pane zoomed")
        await app.flush_view()
        await pilot.pause()
        zoomed = len([line for line in shown_lines(transcript) if "word" in line])
        assert zoomed < in_grid
        assert all(len(line) <= transcript.scrollable_content_region.width for line in shown_lines(transcript))
        words = " ".join(shown_lines(transcript)).split().count("word")
        assert words == 60  # every word still on screen, none cut off at the old width


async def test_a_new_width_draws_the_last_screens_at_once_and_the_rest_a_slice_at_a_time() -> None:
    session = live_session()
    app = make_app(session, clock=lambda: NOW)
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        transcript = app.main.panes["qa"].transcript
        transcript.SLICE_S = 60.0  # the items above wait (no slice runs while this test looks)
        for n in range(12):  # twelve long answers, a tool call between each, arriving at once
            session.emit(TextDelta(agent="qa", text=markdown_document()))
            session.emit(ToolCalled(agent="qa", tool_use_id=f"t{n}", tool="Read", input={"file_path": f"f{n}.py"}))
        await app.flush_view()
        width = transcript._width
        answers = [
            item for item in transcript.items if isinstance(item, TextBlock) and item.source == markdown_document()
        ]
        assert not answers[0].drawn_at(width), "a new answer far above the screen: its height guessed"
        assert answers[-1].drawn_at(width)
        transcript._draw_later()
        assert answers[0].drawn_at(width)
        await until(pilot, lambda: transcript.scroll_y == transcript.max_scroll_y > 0, "at the bottom")
        width = transcript.scrollable_content_region.width
        await pilot.resize_terminal(LARGE[0] + 30, LARGE[1])
        await until(pilot, lambda: transcript.scrollable_content_region.width != width, "a new width")
        await until(pilot, lambda: transcript._width == transcript.scrollable_content_region.width, "laid out")
        width = transcript._width
        first, last = transcript.items[0], transcript.items[-1]
        assert not first.drawn_at(width), "an answer far above the screen waits to be drawn"
        assert last.drawn_at(width)
        shown = shown_lines(transcript)
        transcript._draw_later()  # a slice as long as it takes: every item drawn, laid out again exactly
        tops, top = [], len(transcript._earlier_lines())
        for item in transcript.items:
            tops.append(top)
            top += len(item.lines(transcript, width))
        assert transcript._tops == tops and transcript.virtual_size.height == top
        assert transcript.scroll_y == transcript.max_scroll_y  # still following the bottom
        assert shown_lines(transcript) == shown  # what was on screen was drawn right from the start


async def test_thinking_opens_and_a_click_on_prose_opens_nothing() -> None:
    session = live_session()
    app = make_app(session, clock=lambda: NOW)
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        transcript = app.main.panes["lead"].transcript
        thinking = [item for item in transcript.items if item.foldable and "thinking" in item.plain]
        assert thinking and thinking[0].collapsed
        await pilot.press("1")
        transcript.cursor = thinking[0]
        await pilot.press("enter")
        assert not thinking[0].collapsed
        assert any("schema first" in line for line in shown_lines(transcript))
        prose = next(item for item in transcript.items if isinstance(item, TextBlock))
        transcript.scroll_to(
            y=transcript._tops[transcript.items.index(prose)], animate=False, immediate=True, force=True
        )
        opened = [item for item in transcript.items if item.foldable and not item.collapsed]
        await pilot.click(transcript, offset=(3, 0))
        assert [item for item in transcript.items if item.foldable and not item.collapsed] == opened


async def test_news_below_is_counted_in_the_title_while_the_person_reads_further_up() -> None:
    session = live_session()
    app = make_app(session, clock=lambda: NOW)

    def more(first: int, count: int) -> None:
        for n in range(first, first + count):
            session.emit(ToolCalled(agent="qa", tool_use_id=f"y{n}", tool="Read", input={"file_path": f"g{n}.py"}))
            session.emit(ToolResult(agent="qa", tool_use_id=f"y{n}", tool="Read", output="ok"))

    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        pane = app.main.panes["qa"]
        transcript = pane.transcript
        more(0, 30)
        await app.flush_view()
        assert transcript.max_scroll_y > 0 and "new below" not in str(pane.border_subtitle)
        transcript.scroll_home(animate=False, immediate=True, force=True)  # the person reads further up
        more(30, 3)
        await app.flush_view()
        assert transcript.scroll_y == 0  # what they read stays put
        assert "↓ 3 new below" in str(pane.border_subtitle)
        await pilot.press("4", "end")  # back to the newest
        await until(pilot, lambda: "new below" not in str(pane.border_subtitle), "the count goes once caught up")
        more(33, 2)
        await app.flush_view()
        assert "new below" not in str(pane.border_subtitle)  # following again: nothing to announce


async def test_a_pane_that_shrinks_under_a_new_list_keeps_following() -> None:
    session = live_session()
    app = make_app(session, clock=lambda: NOW)
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        pane = app.main.panes["lead"]
        transcript = pane.transcript
        for n in range(30):
            session.emit(ToolCalled(agent="lead", tool_use_id=f"z{n}", tool="Read", input={"file_path": f"h{n}.py"}))
        await app.flush_view()
        await pilot.pause()
        assert transcript.max_scroll_y > 0 and transcript.scroll_y == transcript.max_scroll_y
        todos = [{"content": f"Step {i}", "status": "pending", "activeForm": f"Doing step {i}"} for i in range(4)]
        session.emit(parse_event({"type": "todo.updated", "agent": "lead", "todos": todos}))  # a list appears above
        await app.flush_view()
        await pilot.pause()
        session.emit(ToolCalled(agent="lead", tool_use_id="z99", tool="Read", input={"file_path": "last.py"}))
        await app.flush_view()
        await pilot.pause()
        assert not pane.checklist.has_class("-empty")
        assert transcript.scroll_y == transcript.max_scroll_y  # still at the newest entry
        assert "last.py" in shown_lines(transcript)[-1] and "new below" not in str(pane.border_subtitle)


async def test_text_selected_with_the_mouse_is_what_the_pane_shows() -> None:
    from textual.geometry import Offset
    from textual.selection import Selection

    session = live_session()
    app = make_app(session, clock=lambda: NOW)
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        transcript = app.main.panes["backend"].transcript
        lines = shown_lines(transcript)
        first = next(i for i, line in enumerate(lines) if line.startswith("The schema has two tables"))
        top = transcript.scroll_offset.y
        # from "schema" on the prose line to the end of the line two below
        app.screen.selections = {transcript: Selection(Offset(4, top + first), Offset(100, top + first + 2))}
        await pilot.pause()
        selected = app.screen.get_selected_text()
        assert selected == "\n".join([lines[first][4:], lines[first + 1], lines[first + 2]])
        assert selected.startswith("schema has two tables, users and todos.")
        drawn = transcript.render_line(first)
        marked = [
            seg.text
            for seg in drawn
            if seg.style and seg.style.bgcolor == app.screen.get_component_rich_style("screen--selection").bgcolor
        ]
        assert "".join(marked).startswith("schema has two")  # the selection is drawn where it is


async def test_a_drag_with_the_mouse_selects_the_text_under_it() -> None:
    session = live_session()
    app = make_app(session, clock=lambda: NOW)
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        transcript = app.main.panes["backend"].transcript
        lines = shown_lines(transcript)
        first = next(i for i, line in enumerate(lines) if line.startswith("The schema has two tables"))
        left = transcript.styles.padding.left
        await pilot.hover(transcript, offset=(left + 4, first))  # a terminal reports the pointer moving in first
        await pilot.pause()
        await pilot.mouse_down(transcript, offset=(left + 4, first))
        await pilot.hover(transcript, offset=(left + 20, first + 2))
        await pilot.mouse_up(transcript, offset=(left + 20, first + 2))
        await pilot.pause()
        # the cell under the pointer is in it
        assert app.screen.get_selected_text() == "\n".join([lines[first][4:], lines[first + 1], lines[first + 2][:21]])
        assert not [item for item in transcript.items if item.foldable and not item.collapsed]  # nothing opened


async def test_lines_carry_selection_offsets_only_while_the_pointer_is_over_the_view() -> None:
    session = live_session()
    app = make_app(session, clock=lambda: NOW)
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        transcript = app.main.panes["backend"].transcript

        prose = next(i for i, line in enumerate(shown_lines(transcript)) if line.startswith("The schema has two"))

        def offsets() -> bool:  # on a line of Markdown prose (theme-coloured notes carry Textual's own)
            return any(seg.style is not None and "offset" in seg.style.meta for seg in transcript.render_line(prose))

        assert not offsets()  # they cost every frame, so not while streaming with the mouse elsewhere
        await pilot.hover(transcript, offset=(3, prose))
        await pilot.pause()
        assert offsets()
        await pilot.hover(app.main.panes["lead"].transcript, offset=(3, 0))
        await pilot.pause()
        assert not offsets()


async def test_pruning_while_the_person_reads_further_up_keeps_their_place() -> None:
    session = live_session()
    app = make_app(session, clock=lambda: NOW)

    def reads(first: int, count: int) -> None:
        for n in range(first, first + count):
            session.emit(ToolCalled(agent="qa", tool_use_id=f"w{n}", tool="Read", input={"file_path": f"w{n}.py"}))
            session.emit(ToolResult(agent="qa", tool_use_id=f"w{n}", tool="Read", output="ok"))

    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        transcript = app.main.panes["qa"].transcript
        transcript.KEEP, transcript.MOST = 40, 50  # a small window, so the oldest go while the lines read stay
        reads(0, 35)
        await app.flush_view()
        transcript.scroll_to(y=transcript.max_scroll_y - 5, animate=False, immediate=True, force=True)
        reading = shown_lines(transcript)[0]
        reads(100, 20)  # 55 held while the person reads further up: past MOST, the oldest are dropped
        await app.flush_view()
        assert len(transcript.items) == transcript.KEEP
        assert shown_lines(transcript)[0] == reading  # the same line at the top of the pane
