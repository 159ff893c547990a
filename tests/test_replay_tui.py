"""``partytui replay``: the live app's screen driven by the replay player over a real demo session log."""

from __future__ import annotations

import contextlib
import io
import os
import random
from pathlib import Path

import pytest
from textual.pilot import Pilot

from demo_args import headless_run
from partytui.cli import main as cli_main
from partytui.commands.replay import load_events
from partytui.core.truth.log import read_log
from partytui.core.truth.session import Session
from partytui.core.truth.state import fold
from partytui.core.views.summary import summarize
from partytui.replay.player import ReplayPlayer
from partytui.replay.source import Playback, ReplaySource
from partytui.resources import demo_scenario
from partytui.tui import PartyApp, make_app
from partytui.tui.replay import SPEEDS, ReplayScreen
from partytui.tui.screens.approval import ApprovalModal
from partytui.tui.screens.help import HelpScreen
from partytui.tui.screens.inbox import InboxScreen
from partytui.tui.widgets.replay_bar import ReplayStatus, bar_cell, cell_position, render_head, render_track
from partytui.tui.widgets.transcript import NoteLine, TextBlock, ThinkingBlock, ToolCard
from snapshot_apps.team_sample import mid_run_events
from test_tui_main import until

LARGE = (160, 48)

POLICY = """\
default: ask
rules:
  - kind: question
    decision: answer
    answer: first
  - kind: design
    decision: approve
    note: "Keep it to one table."
  - kind: "*"
    decision: approve
    note: "Rollback reviewed."
"""


@pytest.fixture(scope="module")
def demo_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One headless demo run, in process, recorded once for the module (environment isolated as conftest does)."""
    root = tmp_path_factory.mktemp("demo")
    policy = root / "policy.yaml"
    policy.write_text(POLICY)
    with pytest.MonkeyPatch.context() as mp:
        home = root / "home"
        home.mkdir()
        for name, value in {
            "HOME": home,
            "XDG_CONFIG_HOME": home / ".config",
            "XDG_DATA_HOME": home / ".data",
            "XDG_CACHE_HOME": home / ".cache",
            "PARTYTUI_SESSION_DIR": root / "sessions",
        }.items():
            mp.setenv(name, str(value))
        mp.delenv("PARTYTUI_CONFIG", raising=False)
        for name in [n for n in os.environ if n.startswith("ANTHROPIC_")]:
            mp.delenv(name)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli_main([*headless_run(demo_scenario(), root / "ws", root / "sessions"), "--approve", str(policy)])
    assert code == 0, err.getvalue()[-2000:]
    [log] = (root / "sessions").glob("*.jsonl")
    return log


def replay_of(events, **kwargs) -> PartyApp:  # type: ignore[no-untyped-def]
    kwargs.setdefault("autoplay", False)
    return make_app(ReplaySource.of_events(list(events), freeze_gc=False, **kwargs))


def playback(app: PartyApp) -> Playback:
    assert app.source.playback is not None
    return app.source.playback


async def drawn(pilot: Pilot) -> None:
    app: PartyApp = pilot.app  # type: ignore[assignment]
    await until(pilot, lambda: app.main.is_mounted and app.main.board is not None, "the screen is built")
    await app.flush_view()
    await pilot.pause()


async def screen_text(pilot: Pilot) -> dict:
    """What the main screen shows, widget by widget (the replay screen is one row shorter, so not pixels)."""
    app: PartyApp = pilot.app  # type: ignore[assignment]
    await app.flush_view()
    # How many entries a pane holds depends on how they arrived (pruned at a high-water mark as they stream,
    # the newest window when built at once): compare whole transcripts, every earlier entry brought back.
    for pane in app.main.panes.values():
        while pane.transcript.hidden:
            before = pane.transcript.hidden
            pane.transcript.action_load_earlier()
            assert pane.transcript.hidden < before
    await pilot.pause()
    blocks = [i for pane in app.main.panes.values() for i in pane.transcript.items if isinstance(i, TextBlock)]
    await until(pilot, lambda: all(b.source == b.entry.text for b in blocks), "streamed text caught up")
    main = app.main
    panes = {}
    for name, pane in main.panes.items():
        entries = []
        for widget in pane.transcript.items:
            if isinstance(widget, TextBlock):
                entries.append(("text", widget.source))
            elif isinstance(widget, (ToolCard, ThinkingBlock)):
                entries.append((type(widget).__name__, str(widget.title)))
            else:
                entries.append((type(widget).__name__, widget.plain))  # type: ignore[union-attr]
        panes[name] = (str(pane.border_title), str(pane.border_subtitle), str(pane.checklist.content), entries)
    board = main.board
    assert board is not None
    return {
        "panes": panes,
        "order": list(main.panes),
        "board": {
            name: [str(card.content) for card in column.cards.values()] for name, column in board.columns.items()
        },
        "lists": str(board.lists.body.content),
        "timeline": str(main.query_one("#timeline").render()),
        "status": str(main.query_one("#status").render()),
    }


# ── the command ─────────────────────────────────────────────────────────────


def test_replay_headless_prints_what_summary_prints(demo_log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["summary", str(demo_log)]) == 0
    summary = capsys.readouterr().out
    assert cli_main(["replay", "--headless", str(demo_log)]) == 0
    assert capsys.readouterr().out == summary
    assert "design from lead: approved by policy — Keep it to one table." in summary


def test_a_missing_garbage_or_empty_log_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["replay", "--headless", str(tmp_path / "nope.jsonl")]) == 2
    assert "nope.jsonl" in capsys.readouterr().err
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_text('{"v":1,"seq":1,"ts":1,"type":"session.started","session_id":"s"}\nnot json at all\n{}\n')
    for argv in (["replay", "--headless", str(garbage)], ["replay", str(garbage)]):
        assert cli_main(argv) == 2
        err = capsys.readouterr().err
        assert f"{garbage}:2" in err and "Traceback" not in err
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    assert cli_main(["replay", str(empty)]) == 2
    assert "no events to replay" in capsys.readouterr().err


def test_load_events_finds_a_session_by_id(demo_log: Path) -> None:
    path, events = load_events(demo_log.stem, str(demo_log.parent))
    assert path == str(demo_log) and events == read_log(demo_log).events


# ── the bar ─────────────────────────────────────────────────────────────────


def test_bar_cells_and_clicks_map_both_ways() -> None:
    assert [bar_cell(p, 100, 11) for p in (0, 10, 55, 100)] == [0, 1, 5, 10]
    assert [cell_position(c, 100, 11) for c in (0, 1, 5, 10, 99)] == [0, 10, 50, 100, 100]
    status = ReplayStatus(50, 100, 12.0, 130.0, 2.0, True, ((10, "phase"), (10, "error"), (80, "approval")))
    track = render_track(status, 11).plain
    assert track == "━✗━━━●──◆──"
    assert render_head(status).plain == " ▶ playing 2x   50/100  00:12/02:10 "
    assert "■ end max" in render_head(ReplayStatus(100, 100, 1, 1, None, False)).plain
    assert "‖ paused 0.5x" in render_head(ReplayStatus(3, 100, 1, 1, 0.5, False)).plain


# ── keys ────────────────────────────────────────────────────────────────────


async def test_every_key_of_the_replay(demo_log: Path) -> None:
    events = read_log(demo_log).events
    app = replay_of(events)
    async with app.run_test(size=(80, 24)) as pilot:
        await drawn(pilot)
        assert isinstance(app.screen, ReplayScreen) and playback(app).player.position == 0 and not playback(app).playing
        await pilot.press("full_stop")
        assert playback(app).player.position == 1 and app.session.state.session_id  # session.started folded
        await pilot.press("full_stop", "full_stop")
        assert playback(app).player.position == 3
        # ] and [ walk the phase / approval / error markers
        markers = [m for m in playback(app).player.markers() if m > 3]
        await pilot.press("right_square_bracket")
        assert playback(app).player.position == markers[0]
        await pilot.press("right_square_bracket")
        assert playback(app).player.position == markers[1]
        assert summarize(app.session.state) == summarize(fold(events[: markers[1]]))
        await pilot.press("left_square_bracket")
        assert playback(app).player.position == markers[0]
        # end and home
        await pilot.press("end")
        assert playback(app).player.at_end and app.session.state.status == "done"
        await pilot.press("right_square_bracket")  # nothing after the end: a bell, no move
        assert playback(app).player.at_end
        await pilot.press("home")
        assert playback(app).player.position == 0 and app.session.state.agents == {}
        # + and - step through the speeds, and stop at either end
        assert playback(app).speed == 1.0
        await pilot.press("minus", "minus")
        assert playback(app).speed == 0.5
        await pilot.press(*["plus"] * 10)
        assert playback(app).speed is None and SPEEDS[-1] is None
        await pilot.press("minus")
        assert playback(app).speed == 50.0
        await pilot.press("plus")
        # space plays (as fast as possible now) to the end, showing the final state; space there starts again
        await pilot.press("space")
        await until(pilot, lambda: playback(app).player.at_end and not playback(app).playing, "played to the end")
        await app.flush_view()
        assert "■ end max" in str(app.main.bar.render())  # type: ignore[attr-defined]
        assert summarize(app.session.state) == summarize(fold(events))
        # space while playing pauses
        playback(app).speed = 0.5
        await pilot.press("home", "space")
        assert playback(app).playing
        await pilot.pause(0.3)
        await pilot.press("space")
        assert not playback(app).playing
        paused_at = playback(app).player.position
        await pilot.pause(0.3)
        assert playback(app).player.position == paused_at and 0 < paused_at < len(events)
        assert summarize(app.session.state) == summarize(fold(events[:paused_at]))
        # help lists the replay's keys; no modal ever opened on its own
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        keys = dict(app.screen.bindings)  # type: ignore[attr-defined]
        assert {"space", "+ / -", ".", "[ / ]", "home / end", "t", "i", "d", "?", "q", "e", "k / j"} <= set(keys)
        assert "p" not in keys and "m" not in keys and "x" not in keys
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ReplayScreen), "back")
        await pilot.press("q")
        await until(pilot, lambda: app.return_code is not None, "q quits at once")
    assert app.return_code == 0


async def test_clicking_the_bar_seeks_there(demo_log: Path) -> None:
    events = read_log(demo_log).events
    app = replay_of(events)
    async with app.run_test(size=(120, 30)) as pilot:
        await drawn(pilot)
        bar = app.main.bar  # type: ignore[attr-defined]
        start, width = bar._track_start, bar._track_width
        await pilot.click("#replay-bar", offset=(start + width // 2, 0))
        await until(pilot, lambda: playback(app).player.position > 0, "the seek")
        assert abs(playback(app).player.position - len(events) // 2) <= len(events) // width + 1
        assert summarize(app.session.state) == summarize(fold(events[: playback(app).player.position]))
        await pilot.click("#replay-bar", offset=(start + width - 1, 0))
        await until(pilot, lambda: playback(app).player.at_end, "the end")


async def test_seeking_back_and_forth_shows_what_playing_there_shows(demo_log: Path) -> None:
    events = read_log(demo_log).events
    targets = random.Random(7).sample(range(len(events) + 1), 6) + [len(events), 0, 300]
    seeker = replay_of(events)
    async with seeker.run_test(size=LARGE) as pilot:
        await drawn(pilot)
        for target in targets:
            playback(seeker).seek(target)
            assert playback(seeker).player.position == target
            assert summarize(seeker.session.state) == summarize(fold(events[:target])), target
        seen_by_seeking = await screen_text(pilot)
    # the same position reached by playing event by event, as live events arrive
    player = replay_of(events)
    async with player.run_test(size=LARGE) as pilot:
        await drawn(pilot)
        for _ in range(300):
            playback(player).step()
            if playback(player).player.position % 37 == 0:
                await player.flush_view()
        assert summarize(player.session.state) == summarize(seeker.session.state)
        assert await screen_text(pilot) == seen_by_seeking


async def test_played_to_the_end_it_shows_what_the_live_app_showed(demo_log: Path) -> None:
    events = read_log(demo_log).events
    replay = replay_of(events, autoplay=True, speed=50.0)
    async with replay.run_test(size=LARGE) as pilot:
        await until(
            pilot,
            lambda: playback(replay).player.at_end and not playback(replay).playing,
            "played to the end",
            seconds=120,
        )
        assert not isinstance(replay.screen, ApprovalModal) and len(replay.screen_stack) == 2
        replayed = await screen_text(pilot)
    final = fold(events)
    now = final.last_ts
    live = make_app(Session(state=final, clock=lambda: now), clock=lambda: now)
    async with live.run_test(size=LARGE) as pilot:
        await drawn(pilot)
        shown_live = await screen_text(pilot)
    assert replayed == shown_live
    assert "done" in replayed["status"] and "✓ VALIDATE" in replayed["timeline"]


async def test_played_one_event_at_a_time_it_shows_what_the_live_app_showed(
    demo_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batches a replay hands over depend on how fast frames are drawn; the end must not (one at a time
    is what a loaded machine does to the paced player)."""
    play = ReplayPlayer.play

    async def one_at_a_time(self, speed=1.0, on_events=None, **kwargs):  # type: ignore[no-untyped-def]
        return await play(self, None, on_events, **{**kwargs, "batch": 1})

    monkeypatch.setattr(ReplayPlayer, "play", one_at_a_time)
    events = read_log(demo_log).events
    replay = replay_of(events, autoplay=True)
    async with replay.run_test(size=LARGE) as pilot:
        await until(
            pilot,
            lambda: playback(replay).player.at_end and not playback(replay).playing,
            "played to the end",
            seconds=300,
        )
        replayed = await screen_text(pilot)
    final = fold(events)
    live = make_app(Session(state=final, clock=lambda: final.last_ts), clock=lambda: final.last_ts)
    async with live.run_test(size=LARGE) as pilot:
        await drawn(pilot)
        assert replayed == await screen_text(pilot)


async def test_past_approvals_show_who_answered_what_and_the_note(demo_log: Path) -> None:
    app = replay_of(read_log(demo_log).events)
    async with app.run_test(size=LARGE) as pilot:
        await drawn(pilot)
        await pilot.press("end")
        await app.flush_view()
        # only the newest entries are mounted: e brings the earlier ones back
        for pane in app.main.panes.values():
            await pilot.press(str(pane.index))
            while pane.transcript.hidden:
                before = pane.transcript.hidden
                await pilot.press("e")
                assert pane.transcript.hidden < before
        notes = {
            name: [w.plain for w in pane.transcript.items if isinstance(w, NoteLine)]
            for name, pane in app.main.panes.items()
        }
        lead = "\n".join(notes["lead"])
        assert (
            "#1 question: Interface  answered by policy: Which interface should the notes tool have first? → " in lead
        )
        assert "#2 design" in lead and "approved by policy: Keep it to one table." in lead
        assert any("#3 migration" in n and "approved by policy: Rollback reviewed." in n for n in notes["backend"])
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, InboxScreen), "the inbox")
        lines = [
            str(app.screen.query_one("#requests").get_option_at_index(i).prompt)  # type: ignore[attr-defined]
            for i in range(app.screen.query_one("#requests").option_count)
        ]  # type: ignore[attr-defined]
        text = "\n".join(lines)
        assert "0 pending" in str(app.screen.query_one("#inbox-heading").render())
        assert "approved by policy" in text and "Keep it to one table." in text and "Rollback reviewed." in text
        assert "answered by policy" in text and "Command line (Recommended)" in text


async def test_a_person_s_decision_and_note_show_as_they_were_given() -> None:
    events = mid_run_events()
    app = replay_of(events)
    async with app.run_test(size=LARGE) as pilot:
        await drawn(pilot)
        await pilot.press("end")
        await app.flush_view()
        backend = [w.plain for w in app.main.panes["backend"].transcript.items if isinstance(w, NoteLine)]
        assert any("#1 design: Schema design  approved by human: looks good" in line for line in backend)
        assert any("#2 migration: Create the users table  waiting for you" in line for line in backend)
        # a request still pending at this point of the recording stays in the inbox, and opens nothing by itself
        assert [v.request.id for v in app.session.state.pending_approvals] == [2]
        await pilot.pause(0.2)
        assert isinstance(app.screen, ReplayScreen)
