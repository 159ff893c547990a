"""Generate screenshots/*.svg from the real app: it runs the demo team itself and answers it with real keys.

    python scripts/screenshots.py [--out screenshots] [--speed 2] [--keep DIR]

The demo scenario runs in process exactly as ``partytui demo`` builds it, inside ``App.run_test`` at fixed
sizes. The script waits for each request (the question, the design, the migration), saves the modal, and
answers it with the keys a person would press. While the migration waits it sets the request aside and
takes the main screen (80x24 and 160x48), the board, the inbox, the help and the documents view; then it
answers from the inbox. A small scenario of its own (scripts/screenshot_scenarios/permission) pictures a
permission request, and the demo's log, replayed, pictures the replay screen.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from textual.pilot import Pilot

from partytui.cli import CliError, build_parser
from partytui.commands.run import Prepared, prepare_run
from partytui.core.truth.log import read_log
from partytui.replay.source import ReplaySource
from partytui.resources import demo_scenario
from partytui.tui import PartyApp, make_app
from partytui.tui.screens.approval import ApprovalModal
from partytui.tui.screens.documents import DocumentsScreen
from partytui.tui.screens.help import HelpScreen
from partytui.tui.screens.inbox import InboxScreen
from partytui.tui.screens.main import MainScreen
from partytui.tui.screens.results import ResultsScreen

SMALL, LARGE = (80, 24), (160, 48)
HERE = Path(__file__).resolve().parent
PERMISSION_SCENARIO = HERE / "screenshot_scenarios" / "permission" / "scenario.yaml"


class Camera:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.made: list[Path] = []

    async def shoot(self, pilot: Pilot, name: str) -> None:
        app: PartyApp = pilot.app  # type: ignore[assignment]
        await app.flush_view()
        await pilot.pause(0.3)
        await pilot.wait_for_scheduled_animations()
        self.made.append(Path(app.save_screenshot(filename=f"{name}.svg", path=str(self.out))))
        print(f"  {name}.svg", file=sys.stderr)


async def until(pilot: Pilot, condition: Callable[[], bool], what: str, seconds: float = 120) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise SystemExit(f"screenshots: gave up waiting for {what}")


def modal_of(app: PartyApp, kind: str) -> bool:
    """A request of this kind is on top and takes answers."""
    return isinstance(app.screen, ApprovalModal) and app.screen.view.request.kind == kind and app.screen.armed


def prepared_run(argv: list[str]) -> Prepared:
    try:
        return prepare_run(build_parser().parse_args(["run", *argv]))
    except CliError as exc:
        raise SystemExit(f"screenshots: {exc}") from None


def live_app(prepared: Prepared) -> PartyApp:
    team = prepared.team
    prepared.start()
    # no arming delay: the pictures show each request as it looks once it takes answers
    return make_app(
        prepared.session, broker=team.broker, controller=team, runner=team.run, title=prepared.title, approval_delay=0
    )


async def demo_pictures(camera: Camera, work: Path, speed: float) -> Path:
    prepared = prepared_run(
        [
            "--scenario",
            str(demo_scenario()),
            "--speed",
            str(speed),
            "--workspace",
            str(work / "demo-ws"),
            "--session-dir",
            str(work / "sessions"),
        ]
    )
    try:
        await _demo_pictures(camera, prepared)
    finally:
        prepared.close()  # the log closed and the run lock released: the session no longer shows as running
    return prepared.log_path


async def _demo_pictures(camera: Camera, prepared: Prepared) -> None:
    app = live_app(prepared)
    async with app.run_test(size=LARGE) as pilot:
        await until(pilot, lambda: modal_of(app, "question"), "the lead's question")
        await camera.shoot(pilot, "approval-question")
        await pilot.press("1", "1")  # the first option of each question; the second one shows the review
        await until(pilot, lambda: modal_of(app, "question") or modal_of(app, "design"), "the review")
        if modal_of(app, "question"):
            await pilot.press("a")
        await until(pilot, lambda: modal_of(app, "design"), "the design")
        await camera.shoot(pilot, "approval-design")
        await pilot.press("a")
        await until(pilot, lambda: modal_of(app, "migration"), "the migration")
        await camera.shoot(pilot, "approval-migration")
        # set it aside: the main screen mid-run, with the request waiting in the badge and the inbox
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen), "the main screen")
        await pilot.pause(1.0)
        await camera.shoot(pilot, "main-160x48")
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, InboxScreen), "the inbox")
        await camera.shoot(pilot, "inbox")
        await pilot.press("escape", "question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        await camera.shoot(pilot, "help")
        await pilot.press("escape", "d")
        await until(pilot, lambda: isinstance(app.screen, DocumentsScreen), "the documents")
        await pilot.press("down")  # the design document, under the README
        await camera.shoot(pilot, "documents")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen), "the main screen")
        await pilot.resize_terminal(*SMALL)
        await pilot.pause(0.5)
        await camera.shoot(pilot, "main-80x24")
        await pilot.press("t")
        await camera.shoot(pilot, "board-80x24")
        await pilot.resize_terminal(*LARGE)
        await pilot.press("i", "enter")  # the migration, from the inbox, rejected with a reason
        await until(pilot, lambda: modal_of(app, "migration"), "the migration again")
        first = app.screen.view.request.id  # type: ignore[attr-defined]
        await pilot.press("r", *"Drop the index for now.", "enter")
        await until(
            pilot,
            lambda: modal_of(app, "migration") and app.screen.view.request.id != first,  # type: ignore[attr-defined]
            "the revised migration",
        )
        await camera.shoot(pilot, "approval-reask-160x48")  # what changed since, the reason beside it
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, ResultsScreen), "the results of the run", seconds=300)
        await camera.shoot(pilot, "results-160x48")
        await pilot.press("escape")  # back to the team's screen
        await until(pilot, lambda: isinstance(app.screen, MainScreen), "the main screen after the run")
        await pilot.press("escape")  # leave the board's focus: the picture shows the panes
        await camera.shoot(pilot, "end-160x48")
        app.exit()


async def permission_picture(camera: Camera, work: Path) -> None:
    prepared = prepared_run(
        [
            "--scenario",
            str(PERMISSION_SCENARIO),
            "--agent",
            "tester",
            "--prompt",
            "Run the tests",
            "--workspace",
            str(work / "permission-ws"),
            "--session-dir",
            str(work / "sessions"),
        ]
    )
    try:
        await _permission_picture(camera, prepared)
    finally:
        prepared.close()


async def _permission_picture(camera: Camera, prepared: Prepared) -> None:
    app = live_app(prepared)
    async with app.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: modal_of(app, "permission"), "the permission request")
        await camera.shoot(pilot, "approval-permission")
        await pilot.press("a")
        await until(
            pilot,
            lambda: modal_of(app, "permission") and app.screen.view.request.tool == "Edit",  # type: ignore[attr-defined]
            "the edit to allow",
        )
        await camera.shoot(pilot, "approval-edit-80x24")
        await pilot.resize_terminal(*LARGE)
        await pilot.pause(0.5)
        await camera.shoot(pilot, "approval-edit-160x48")  # side by side
        await pilot.press("a")
        await until(pilot, lambda: app.run_code is not None, "the end of the run")
        app.exit()


def sessions_picture(camera: Camera, work: Path) -> None:
    """``partytui sessions`` as the terminal shows it, over the sessions this script just ran."""
    import io

    from rich.console import Console
    from rich.text import Text

    from partytui.commands.sessions import render_table
    from partytui.core.truth.sessions import list_sessions

    width = 150
    console = Console(record=True, width=width, file=io.StringIO(), color_system="truecolor")
    console.print(Text("$ partytui sessions", style="bold"))
    console.print(Text(render_table(list_sessions(work / "sessions"), width)), highlight=False)
    path = camera.out / "sessions.svg"
    console.save_svg(str(path), title="partytui sessions")
    camera.made.append(path)
    print(f"  {path.name}", file=sys.stderr)


def screen_mounted(app: PartyApp) -> bool:
    return app.main.is_mounted


async def replay_pictures(camera: Camera, log: Path) -> None:
    events = read_log(log).events
    migration = next(
        i + 1 for i, e in enumerate(events) if e.type == "approval.requested" and e.request.kind == "migration"
    )  # type: ignore[attr-defined]
    for size, name in ((LARGE, "replay-160x48"), (SMALL, "replay-80x24")):
        source = ReplaySource.of_events(events, autoplay=False, freeze_gc=False, title="partytui — replay")
        app = make_app(source)
        async with app.run_test(size=size) as pilot:
            await until(pilot, partial(screen_mounted, app), "the replay screen")
            source.playback.seek(migration + 40)
            await camera.shoot(pilot, name)
            app.exit()


async def generate(out: Path, work: Path, speed: float) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    camera = Camera(out)
    log = await demo_pictures(camera, work, speed)
    await permission_picture(camera, work)
    await replay_pictures(camera, log)
    sessions_picture(camera, work)
    return camera.made


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--out", type=Path, default=HERE.parent / "screenshots")
    parser.add_argument("--speed", type=float, default=2.0, help="the demo's pacing (higher is faster)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep the session logs and workspaces here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="partytui-shots-") as scratch:
        work = args.keep or Path(scratch)
        made = asyncio.run(generate(args.out, work, args.speed))
    for path in made:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
