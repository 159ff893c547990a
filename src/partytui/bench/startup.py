"""Section 5, start-up: ``partytui --help`` in a subprocess, and the demo's first frame on a terminal.

The demo runs as a real process on a pseudo-terminal of 200x60; the clock runs from just before the
process is spawned to the first bytes of a frame that shows the main screen (the phase timeline's
``BRAINSTORM``). Sessions and config go to a temporary directory, never the user's own.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time
from dataclasses import asdict, dataclass
from pathlib import Path

FIRST_FRAME_MARK = b"BRAINSTORM"


@dataclass
class StartupResult:
    help_runs: int
    help_median_ms: float
    help_max_ms: float
    demo_runs: int
    demo_first_paint_median_ms: float | None
    demo_first_paint_max_ms: float | None
    command: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def partytui_command() -> list[str]:
    """The installed console script beside this interpreter, else ``python -m partytui``."""
    script = Path(sys.executable).parent / "partytui"
    if script.exists():
        return [str(script)]
    found = shutil.which("partytui")
    return [found] if found else [sys.executable, "-m", "partytui"]


def isolated_env(folder: Path) -> dict[str, str]:
    config = folder / "config.yaml"
    config.write_text("", encoding="utf-8")
    env = dict(os.environ)
    env.update(
        PARTYTUI_SESSION_DIR=str(folder / "sessions"),
        PARTYTUI_CONFIG=str(config),
        TERM="xterm-256color",
        COLUMNS="200",
        LINES="60",
    )
    env.pop("ANTHROPIC_API_KEY", None)
    return env


def time_help(runs: int, env: dict[str, str]) -> list[float]:
    command = partytui_command() + ["--help"]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise RuntimeError(f"partytui --help failed: {done.stderr.decode(errors='replace')[-500:]}")
    return times


def time_demo_paint(env: dict[str, str], timeout: float = 120.0) -> float | None:
    """Seconds from spawning ``partytui demo`` on a 200x60 pty to its first frame of the main screen.

    The timeout is for a demo that never paints; a loaded machine can take tens of seconds, and that is a
    number to report, not a failure."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 60, 200, 0, 0))
    start = time.perf_counter()
    process = subprocess.Popen(
        partytui_command() + ["demo"], stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
    )
    os.close(slave)
    seen = b""
    painted: float | None = None
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            seen = (seen + chunk)[-65536:]
            if FIRST_FRAME_MARK in seen:
                painted = time.perf_counter() - start
                break
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        os.close(master)
    return painted


def measure(help_runs: int, demo_runs: int, folder: Path) -> StartupResult:
    env = isolated_env(folder)
    time_help(1, env)  # warm the file cache: every later run starts the same way
    helps = time_help(help_runs, env)
    paints = [p for p in (time_demo_paint(env) for _ in range(demo_runs)) if p is not None]
    return StartupResult(
        help_runs=len(helps),
        help_median_ms=round(statistics.median(helps) * 1000, 1),
        help_max_ms=round(max(helps) * 1000, 1),
        demo_runs=len(paints),
        demo_first_paint_median_ms=round(statistics.median(paints) * 1000, 1) if paints else None,
        demo_first_paint_max_ms=round(max(paints) * 1000, 1) if paints else None,
        command=" ".join(partytui_command()),
    )
