"""Load warnings, one function for every way in: ``partytui agents``, ``run`` (headless and TUI), the log."""

from __future__ import annotations

import json
from pathlib import Path

from partytui.cli import main
from partytui.core.truth import events as ev
from partytui.core.truth.log import read_log
from partytui.core.truth.session import Session
from partytui.core.truth.state import fold
from partytui.tui import make_app
from partytui.tui.screens.main import MainScreen
from partytui.tui.screens.warnings import LoadWarningsScreen
from snapshot_apps.team_sample import NOW, mid_run_events
from test_agents_cli import isolated  # noqa: F401 — autouse: no user config, no project agents
from test_tui_main import LARGE, settled, until

PARTY = Path(__file__).parent / "fixtures" / "party"
BACKEND = PARTY / "agents" / "party-backend.md"
OVERRIDE = PARTY / "override" / "party-frontend.md"

SCENARIO = """\
name: warned
goal: Say what partytui will not do, then stop.
agents:
  party-lead:
    - text: Nothing to build today.
      tools:
        - name: EndRun
          input: {status: failed, summary: a look at the warnings only}
"""


def agents_lines(capsys, *dirs: Path) -> list[str]:
    main(["agents", *map(str, dirs)])
    return [line for line in capsys.readouterr().out.splitlines() if line.startswith(str(PARTY)) and ".md: " in line]


def test_agents_names_every_skill_tool_and_file_it_will_not_use(capsys):
    lines = agents_lines(capsys, PARTY / "agents", PARTY / "override")
    backend = f"{BACKEND}: party-backend:"
    assert f"{backend} skill 'workflow:work' will not be loaded: this runtime has no Skill tool" in lines
    for tool in ("Task", "TaskOutput", "NotebookEdit", "WebFetch", "WebSearch", "Skill"):
        assert any(line.startswith(f"{backend} {tool} is unavailable here: ") for line in lines), tool
    assert (
        f"{OVERRIDE}: party-frontend: warning: 2 files define agent 'party-frontend'; this one runs, not "
        f"{PARTY / 'agents' / 'party-frontend.md'}"
    ) in lines
    assert f"{OVERRIDE}: party-frontend: warning: unknown field 'mood' (kept)" in lines
    assert f"{OVERRIDE}: party-frontend: WebFetch is unavailable here: no network access offline" in lines


def test_run_prints_the_same_warnings_and_the_log_keeps_them(tmp_path, capsys):
    expected = agents_lines(capsys, PARTY / "agents", PARTY / "override")
    scenario = tmp_path / "warned.yaml"
    scenario.write_text(SCENARIO)
    sessions = tmp_path / "sessions"
    code = main(
        [
            "run",
            "--headless",
            "--scenario",
            str(scenario),
            "--speed",
            "0",
            "--session-dir",
            str(sessions),
            "--agents",
            str(PARTY / "agents"),
            "--agents",
            str(PARTY / "override"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1, err  # the lead ended the run as failed: only the warnings were wanted
    printed = [line.removeprefix("partytui: ") for line in err.splitlines() if line.startswith(f"partytui: {PARTY}")]
    assert printed == expected and len(printed) == 10
    # which of the two same-named files runs is said before anything runs, and kept in the log
    log = next(sessions.glob("*.jsonl"))
    started = next(e for e in read_log(log).events if e.type == "session.started")
    assert started.load_warnings == expected
    assert fold(read_log(log).events).load_warnings == expected
    assert main(["summary", str(log), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["load_warnings"] == expected


def test_a_run_of_files_without_gaps_says_nothing(tmp_path, capsys):
    scenario = tmp_path / "warned.yaml"
    scenario.write_text(SCENARIO)
    quiet = tmp_path / "quiet"
    quiet.mkdir()
    (quiet / "lead.md").write_text((PARTY / "agents" / "party-lead.md").read_text())
    main(
        [
            "run",
            "--headless",
            "--scenario",
            str(scenario),
            "--speed",
            "0",
            "--session-dir",
            str(tmp_path / "s"),
            "--agents",
            str(quiet),
        ]
    )
    assert "unavailable here" not in capsys.readouterr().err


def warned_app(warnings: list[str]):  # type: ignore[no-untyped-def]
    events = mid_run_events()
    events[0] = events[0].model_copy(update={"load_warnings": warnings})
    return make_app(Session(state=fold(events), clock=lambda: NOW), clock=lambda: NOW)


async def test_the_tui_shows_the_warnings_once_and_w_opens_them_again() -> None:
    warnings = [f"{BACKEND}: party-backend: skill 'workflow:work' will not be loaded: [b]markup[/b] stays text"]
    app = warned_app(warnings)
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        await until(pilot, lambda: len(app._notifications) > 0, "the notice")
        [notice] = [n for n in app._notifications if n.title == "Agent files"]
        assert "Press w to read them" in notice.message and notice.message.startswith("1 thing ")
        for _ in range(2):
            await pilot.press("w")
            await until(pilot, lambda: isinstance(app.screen, LoadWarningsScreen), "the warnings")
            shown = str(app.screen.query_one("#warnings-list").render())
            assert "skill 'workflow:work' will not be loaded: [b]markup[/b] stays text" in shown
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, MainScreen), "back")
        await app.flush_view()
        assert len([n for n in app._notifications if n.title == "Agent files"]) == 1  # once, not per flush
        # in the help and the palette too
        assert dict(app.main.key_help())["w"] == "agent file warnings"
        commands = {title: callback for title, _, callback in app.main.palette_commands()}
        commands["Agent file warnings"]()
        await until(pilot, lambda: isinstance(app.screen, LoadWarningsScreen), "the warnings from the palette")


async def test_no_warnings_no_notice() -> None:
    app = warned_app([])
    async with app.run_test(size=LARGE) as pilot:
        await settled(pilot)
        await app.flush_view()
        assert not [n for n in app._notifications if n.title == "Agent files"]


def test_a_resume_logs_the_warnings_of_the_files_as_loaded_again() -> None:
    state = fold(
        [ev.SessionStarted(session_id="s", load_warnings=["a: x: old"]), ev.SessionResumed(load_warnings=["a: x: new"])]
    )
    assert state.load_warnings == ["a: x: new"]
