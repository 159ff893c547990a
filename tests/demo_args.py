"""The command line of the scripted demo run headless, approving everything at full speed (many tests start
from it; they add what they test)."""

from __future__ import annotations

from pathlib import Path

from partytui.resources import demo_scenario


def headless_demo(workspace: Path | str, sessions: Path | str | None = None) -> list[str]:
    args = ["run", "--headless", "--scenario", str(demo_scenario()), "--approve", "all", "--speed", "0"]
    args += ["--workspace", str(workspace)]
    if sessions is not None:
        args += ["--session-dir", str(sessions)]
    return args
