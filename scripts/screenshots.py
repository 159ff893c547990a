"""Generate screenshots/*.svg from the real app, drawn from a recorded session log.

    python scripts/screenshots.py SESSION.jsonl [--out screenshots]

Every picture is the real ``PartyApp`` showing the fold of the log up to a chosen moment: the main screen
mid-run (80x24 and 160x48), the board, the inbox, the help screen, and one approval modal per kind of
request the log contains. Record the log with ``partytui demo`` (its path is printed when it ends); the
script reads it rather than running the demo itself, so the pictures show exactly one recorded run.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Sequence

from partytui.core.events import EventBase
from partytui.core.log import LogError, read_log
from partytui.core.session import Session
from partytui.core.state import fold
from partytui.tui import PartyApp, make_app
from partytui.tui.screens.main import MainScreen

SMALL, LARGE = (80, 24), (160, 48)


def moment(events: list[EventBase]) -> int:
    """Where the main screen is most telling: when the first migration is asked for, else halfway."""
    for i, event in enumerate(events):
        if event.type == "approval.requested" and event.request.kind == "migration":  # type: ignore[attr-defined]
            return i + 1
    return max(1, len(events) // 2)


def requests(events: list[EventBase]) -> dict[str, int]:
    """The first request of each kind, as the number of events up to and including it."""
    found: dict[str, int] = {}
    for i, event in enumerate(events):
        if event.type == "approval.requested":
            found.setdefault(event.request.kind, i + 1)  # type: ignore[attr-defined]
    return found


async def shoot(events: list[EventBase], out: Path, name: str, size: tuple[int, int], keys: Sequence[str] = (),
                approval: bool = False) -> Path:
    state = fold(events)
    now = state.last_ts
    app: PartyApp = make_app(Session(state=state, clock=lambda: now), clock=lambda: now, title="partytui")
    async with app.run_test(size=size) as pilot:
        while not (app.main.is_mounted and app.main.panes):
            await pilot.pause(0.02)
        await app.flush_view()
        await pilot.pause(0.2)
        if approval:
            pending = state.pending_approvals[-1].request.id
            app.run_worker(app.answer_request(pending))
            while isinstance(app.screen, MainScreen):
                await pilot.pause(0.02)
        for key in keys:
            await pilot.press(key)
            await pilot.pause(0.1)
        await pilot.pause(0.2)
        return Path(app.save_screenshot(filename=f"{name}.svg", path=str(out)))


async def generate(log: Path, out: Path) -> list[Path]:
    events = read_log(log).events
    if not events:
        raise SystemExit(f"{log}: no events")
    out.mkdir(parents=True, exist_ok=True)
    middle = events[: moment(events)]
    made = [
        await shoot(middle, out, "main-80x24", SMALL),
        await shoot(middle, out, "main-160x48", LARGE),
        await shoot(middle, out, "board-80x24", SMALL, keys=["t"]),
        await shoot(middle, out, "inbox", LARGE, keys=["i"]),
        await shoot(middle, out, "help", LARGE, keys=["question_mark"]),
        await shoot(events, out, "end-160x48", LARGE),
    ]
    for kind, upto in requests(events).items():
        made.append(await shoot(events[:upto], out, f"approval-{kind}", LARGE, approval=True))
    return made


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("log", type=Path, help="a session log (.jsonl) recorded by partytui")
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    args = parser.parse_args(argv)
    try:
        made = asyncio.run(generate(args.log, args.out))
    except (LogError, OSError) as exc:
        print(f"screenshots: {exc}", file=sys.stderr)
        return 2
    for path in made:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
