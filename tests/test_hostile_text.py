"""Text from agents, files and logs is data: markup, escape codes and control characters thrown at every view,
the headless printer, summary, agents, exports and import show up as plain text and never as terminal control,
markup or HTML."""

from __future__ import annotations

import asyncio
import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from rich.console import Console

from hostile_text import ALL, HOSTILE_FILE, hostile, hostile_events, hostile_records, terminal_problems
from partytui.cli import main
from partytui.core.truth.log import SessionLog
from partytui.core.truth.session import Session
from partytui.core.truth.state import Reducer, fold
from partytui.core.views.plain import plain, plain_line, terminal_safe_json
from partytui.core.views.progress import ProgressPrinter
from partytui.replay.export import export_html, export_markdown

SLOW = settings(deadline=None, max_examples=6, suppress_health_check=list(HealthCheck))
TUI = settings(SLOW, max_examples=2)  # each example draws every screen of a running app


# ── the one function ─────────────────────────────────────────────────────────────────────────────────


@settings(deadline=None, max_examples=300)
@given(hostile)
@example(ALL)
def test_plain_leaves_nothing_a_terminal_acts_on(s):
    out = plain(s)
    assert not terminal_problems(out)
    assert plain(out) == out  # made plain once is plain
    assert "\n" not in plain_line(s) and not terminal_problems(plain_line(s))


@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp", "Cf"))))
def test_plain_text_is_left_as_it_is(s):
    assert plain(s) == s
    assert plain(s + "\n\tindented\n") == s + "\n\tindented\n"


def test_what_plain_does_to_each_kind_of_control():
    assert plain("a\x1b]0;PWNED\x07b\x1b]52;c;cHduZWQ=\x1b\\c") == "abc"  # title and clipboard: gone whole
    assert plain("\x1b[1mbold\x1b[0m \x1b[2J") == "bold "  # styles and a screen clear
    assert plain("\x9b2J\x9d0;t\x9c") == ""  # their 8-bit forms
    assert plain("bell\x07 nul\x00 del\x7f") == "bell␇ nul␀ del␡"  # lone controls: visible symbols
    assert plain("10%\r20%\r\n") == "10%\n20%\n"
    assert plain("a\x1b]0;the rest stays in sight") == "a0;the rest stays in sight"  # never hides text
    assert plain("[b]x[/] [@click=app.quit]q[/]") == "[b]x[/] [@click=app.quit]q[/]"  # markup is text


@given(hostile)
@example(ALL)
def test_json_for_a_terminal_is_the_same_data(s):
    dumped = terminal_safe_json(json.dumps({"k": s, s: [s]}, ensure_ascii=False))
    assert not terminal_problems(dumped)
    assert json.loads(dumped) == {"k": s, s: [s]}


# ── headless lines, summary, agents, exports, import ─────────────────────────────────────────────────


@settings(deadline=None, max_examples=60, suppress_health_check=list(HealthCheck))
@given(hostile)
@example(ALL)
def test_the_headless_lines_are_plain(s):
    reducer = Reducer()
    out = io.StringIO()
    printer = ProgressPrinter(lambda: reducer.state, out)
    for event in hostile_events(s):
        reducer.apply(event)
        printer(event)
    assert not terminal_problems(out.getvalue())
    assert len(out.getvalue().splitlines()) > 10  # one line per significant event, none split by the text


def _log(tmp_path: Path, s: str) -> Path:
    path = tmp_path / "hostile.jsonl"
    path.unlink(missing_ok=True)
    log = SessionLog(path, secrets=())
    for event in hostile_events(s):
        log.append(event)
    log.close()
    return path


@SLOW
@given(s=hostile)
@example(s=ALL)
def test_summary_is_plain_and_its_json_is_the_same_data(s, tmp_path, capsys):
    path = _log(tmp_path, s)
    capsys.readouterr()
    assert main(["summary", str(path)]) == 0
    text = capsys.readouterr().out
    assert not terminal_problems(text)
    assert main(["summary", str(path), "--json"]) == 0
    dumped = capsys.readouterr().out
    assert not terminal_problems(dumped)
    assert json.loads(dumped)["goal"] == s  # the data itself is not changed, only how it is written


_md_reader = MarkdownIt("commonmark", {"html": True}).enable("table")


def _html_in(markdown: str) -> list[str]:
    found = []
    for token in _md_reader.parse(markdown):
        if token.type == "html_block":
            found.append(token.content)
        found += [
            c.content for c in token.children or () if c.type == "html_inline" and c.content not in ("<sub>", "</sub>")
        ]
    return found


@settings(deadline=None, max_examples=40, suppress_health_check=list(HealthCheck))
@given(hostile)
@example(ALL)
@example("<script>alert(1)</script>\n\n- item\n  ```\n<img src=x onerror=alert(1)>\n```")
@example("\\`<b onmouseover=alert(1)>\\`")
def test_exports_carry_no_html_and_no_terminal_control(s):
    events = hostile_events(s)
    state = fold(events)
    md = export_markdown(state, events)
    assert not terminal_problems(md)
    assert not _html_in(md), _html_in(md)
    page = export_html(state, events)
    assert not terminal_problems(page)
    lowered = page.lower()
    assert "<script" not in lowered and "<img" not in lowered and "<b>" not in lowered


def test_markdown_export_keeps_code_as_written():
    events = hostile_events("use `List<int>` here\n\n```\nif a < b: pass\n```\n<script>x</script>")
    md = export_markdown(fold(events), events)
    assert "`List<int>`" in md and "if a < b: pass" in md and "&lt;script>x&lt;/script>" in md


def test_the_agents_command_prints_plain_text(tmp_path, capsys):
    agents = tmp_path / "agents"
    agents.mkdir()
    (agents / "x.md").write_text(
        '---\nname: x\ndescription: "\\e]0;PWNED\\a [b]d[/] \\e[2J"\nmodel: "\\e]52;c;eA==\\a[/]"\n'
        'tools: Read, "\\e]0;T\\aWeird[/]"\ncolour: "\\e[2J"\n"\\e]0;K\\a[/]": 1\n---\nbody\n'
    )
    (agents / "bad.md").write_text('---\nname: "\\e]0;PWNED\\a[/]"\n---\n')
    main(["agents", str(agents)])
    out = capsys.readouterr()
    assert not terminal_problems(out.out) and not terminal_problems(out.err)
    assert "[/]" in out.out  # shown, as text


def test_import_reports_and_imports_hostile_text_plainly(tmp_path, capsys):
    line = {
        "type": "user",
        "uuid": "u1",
        "sessionId": "s\x1b]0;T\x07",
        "cwd": "/w",
        "timestamp": "2026-03-01T10:00:00Z",
        "message": {"role": "user", "content": ALL},
    }
    answer = {
        "type": "assistant",
        "uuid": "a1",
        "parentUuid": "u1",
        "sessionId": "s",
        "cwd": "/w",
        "timestamp": "2026-03-01T10:00:01Z",
        "message": {
            "model": ALL,
            "id": "m",
            "role": "assistant",
            "content": [
                {"type": "text", "text": ALL},
                {"type": "tool_use", "id": "t", "name": "Bash", "input": {"command": ALL}},
            ],
        },
    }
    source = tmp_path / "cc.jsonl"
    source.write_text(json.dumps(line) + "\n" + json.dumps(answer) + "\n" + ALL + "\n")
    out = tmp_path / "imported.jsonl"
    assert main(["import", "claude-code", str(source), "-o", str(out)]) == 0
    printed = capsys.readouterr()
    assert not terminal_problems(printed.out) and not terminal_problems(printed.err)
    assert main(["summary", str(out)]) == 0
    assert not terminal_problems(capsys.readouterr().out)


# ── the TUI ──────────────────────────────────────────────────────────────────────────────────────────


def _frame(app) -> tuple[str, list[str]]:
    """What the screen writes to the terminal, and the click actions its segments carry."""
    console = Console(
        width=app.size.width,
        height=app.size.height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        legacy_windows=False,
        safe_box=False,
    )
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console.print(update)
    actions = [
        str(segment.style.meta.get("@click"))
        for line in update.strips
        for strip in line
        for segment in strip
        if segment.style is not None and segment.style.meta and "@click" in segment.style.meta
    ]
    return console.file.getvalue(), actions


async def _every_view(s: str, size: tuple[int, int]) -> list[str]:
    from partytui.tui.app import make_app
    from partytui.tui.screens.approval import ApprovalModal
    from partytui.tui.screens.confirm import ConfirmScreen
    from partytui.tui.screens.message import MessageScreen
    from partytui.tui.widgets.transcript import FoldedLine, Transcript

    workspace = Path(tempfile.mkdtemp())
    (workspace / HOSTILE_FILE).write_text(s, encoding="utf-8")
    events = hostile_events(s, str(workspace))
    state = fold(events)
    app = make_app(Session(state=state, clock=lambda: state.last_ts), clock=lambda: state.last_ts, title=s)
    problems: list[str] = []
    name = "h" + s

    async def look(where: str) -> None:
        # the screen as it opens, then with everything that scrolls scrolled to its end (what is below the
        # fold is drawn only when it is in sight)
        for scrolled in (False, True):
            if scrolled:
                for widget in app.screen.query("*"):
                    if widget.max_scroll_y > 0:
                        widget.scroll_end(animate=False, immediate=True)
            await pilot.pause()
            output, actions = _frame(app)
            problems.extend(f"{where}: {p}" for p in terminal_problems(output))
            problems.extend(f"{where}: runs {a}" for a in actions if "pwned" in a or "screenshot" in a)

    async with app.run_test(size=size) as pilot:
        await app.flush_view()
        await look("main")
        for transcript in app.screen.query(Transcript):
            for item in transcript.items:
                if isinstance(item, FoldedLine) and item.collapsed:
                    item.toggle()
            transcript.refresh()
        await app.flush_view()
        await look("main, every tool call open")
        if app.main.layout_mode == "tabs":
            app.main.show_agent(name)
            await look("the hostile agent's tab")
            await pilot.press("t")
            await look("board")
        app.notify(s, title=s)
        app.notify(f"{name} paused: it stops after its current step")
        await look("toasts")
        main = app.main
        for open_view in (
            main.open_inbox,
            main.open_documents,
            lambda: main.open_task("1"),
            lambda: main.open_task("2"),
            main.open_help,
        ):
            open_view()
            await look(f"{open_view}")
            app.pop_screen()
        for approval_id in sorted(state.approvals):
            app.push_screen(ApprovalModal(state.approvals[approval_id], workspace, clock=lambda: state.last_ts))
            await look(f"request #{approval_id}")
            app.pop_screen()
        for screen in (ConfirmScreen(f"Cancel {name}?", f"{name} stops now."), MessageScreen(name)):
            app.push_screen(screen)
            await look(type(screen).__name__)
            app.pop_screen()
        app.main.show_results()
        await look("the results")
        app.pop_screen()
        app.action_command_palette()
        await look("command palette")
        await pilot.press(*"h")
        await look("command palette, searching")
    return problems


@TUI
@given(hostile)
@example(ALL)
@example("printf '\\033[1mbold\\033[0m' [/] grep -E '[0-9'")
def test_every_view_shows_hostile_text_as_text(s):
    assert asyncio.run(_every_view(s, (160, 120))) == []


def test_every_view_shows_hostile_text_as_text_on_a_small_terminal():
    assert asyncio.run(_every_view(ALL, (80, 24))) == []


def test_a_replay_of_a_hostile_log_plays_to_the_end(tmp_path):
    from partytui.replay.source import ReplaySource
    from partytui.tui.app import make_app

    events = hostile_events(ALL)

    async def play() -> list[str]:
        app = make_app(ReplaySource.of_events(events, autoplay=False, title=ALL, freeze_gc=False))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("end")
            await pilot.pause()
            await app.flush_view()
            await pilot.pause()
            return terminal_problems(_frame(app)[0])

    assert asyncio.run(play()) == []


def test_the_sessions_list_is_plain(tmp_path, capsys):
    sessions = tmp_path / "sessions"
    sessions.mkdir()
    log = _log(tmp_path, ALL)
    log.rename(sessions / "x\x1b]0;T\x07.jsonl")
    assert main(["sessions", "--session-dir", str(sessions)]) == 0
    assert main(["sessions", "--session-dir", str(sessions), "--json"]) == 0
    assert not terminal_problems(capsys.readouterr().out)


def test_the_records_are_valid_events():
    # the builder itself: every record parses as the event it names (a typo would test nothing)
    assert [e.type for e in hostile_events(ALL)] == [r["type"] for r in hostile_records(ALL)]
