"""Start-up: the TUI's first frame does not wait for what it does not draw (the anthropic SDK, ~0.5 s)."""

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

async def main():
    args = build_parser().parse_args(["run", "--scenario", sys.argv[1], "--workspace", sys.argv[2]])
    prepared = run._prepare(args)
    from partytui.tui.app import make_app
    team = prepared.team
    prepared.start()
    app = make_app(prepared.session, broker=team.broker, controller=team, runner=None, title="t")
    async with app.run_test(size=(120, 40)) as pilot:
        while not (app.main.is_mounted and app.main.panes):
            await pilot.pause(0.01)
        at_first_frame = "anthropic" in sys.modules
        provider = next(iter(team.runners.values())).provider  # the API runtime's (deferred) provider
        await provider.provider()  # what the first model turn does
    print(json.dumps({"sdk_before_first_frame": at_first_frame, "sdk_after_first_turn": "anthropic" in sys.modules}))

asyncio.run(main())
"""


def test_the_demo_s_first_frame_does_not_import_the_sdk(tmp_path: Path) -> None:
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
    assert seen["sdk_before_first_frame"] is False
    assert seen["sdk_after_first_turn"] is True  # the SDK is still there when a turn needs it
