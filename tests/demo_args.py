"""Command lines of scripted runs, headless at full speed: the demo approving everything, or a test's own
scenario (many tests start from them; they add what they test)."""

from __future__ import annotations

from pathlib import Path

from partytui.resources import demo_scenario


def headless_run(scenario: Path | str, workspace: Path | str, sessions: Path | str | None = None) -> list[str]:
    args = ["run", "--headless", "--scenario", str(scenario), "--speed", "0", "--workspace", str(workspace)]
    if sessions is not None:
        args += ["--session-dir", str(sessions)]
    return args


def headless_demo(workspace: Path | str, sessions: Path | str | None = None) -> list[str]:
    return [*headless_run(demo_scenario(), workspace, sessions), "--approve", "all"]
