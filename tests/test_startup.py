"""Start-up: the TUI's first frame does not wait for what it does not draw (the anthropic SDK, ~0.5 s, whose
import in a thread would take turns with the frame on the GIL; bashlex's parser tables; Markdown)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from partytui.resources import demo_scenario

FIRST_FRAME = """
import asyncio, json, sys
from partytui.cli import build_parser
from partytui.commands import run

LATER = ("anthropic", "bashlex", "markdown_it")  # the SDK, the migration gate's parser, Markdown

async def main():
    args = build_parser().parse_args(["run", "--scenario", sys.argv[1], "--workspace", sys.argv[2]])
    prepared = run._prepare(args)
    app = run.tui_app(prepared)  # as `partytui demo` runs it: the team starts with the app
    async with app.run_test(size=(120, 40)) as pilot:
        while not (app.main.is_mounted and app.main.panes):
            await pilot.pause(0.01)
        at_first_frame = {name: name in sys.modules for name in LATER}
        for _ in range(600):  # the first turn imports the SDK once the frame is drawn
            if "anthropic" in sys.modules:
                break
            await pilot.pause(0.05)
        after = "anthropic" in sys.modules
    prepared.close()
    print(json.dumps({"at_first_frame": at_first_frame, "sdk_after_first_turn": after}))

asyncio.run(main())
"""


def test_the_demo_s_first_frame_does_not_import_what_it_does_not_draw(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env.update(PARTYTUI_SESSION_DIR=str(tmp_path / "sessions"), HOME=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-c", FIRST_FRAME, str(demo_scenario()), str(tmp_path / "ws")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["at_first_frame"] == {"anthropic": False, "bashlex": False, "markdown_it": False}
    assert seen["sdk_after_first_turn"] is True  # the SDK is still there when a turn needs it
