"""``partytui bench [--quick] [--json FILE]``: run the performance benchmark and print its report."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from ..cli import EXIT_FAILED, EXIT_OK, CliError


def main(args: argparse.Namespace) -> int:
    from ..bench.report import machine, render_comparison, render_text, to_json
    from ..bench.run import run_all, run_runtimes

    out = Path(args.json) if args.json else None
    if out is not None and not out.parent.exists():
        raise CliError(f"{out.parent}: no such directory for --json")
    before = _earlier_run(Path(args.compare)) if args.compare else None
    mode = "quick" if args.quick else "full"
    started = time.perf_counter()
    loads = [_load()]  # the machine's 1-minute load average as each step starts: a shared machine moves numbers

    def say(line: str) -> None:
        loads.append(_load())
        print(line, file=sys.stderr, flush=True)

    sections = run_runtimes(args.quick, say) if getattr(args, "runtimes", False) else run_all(args.quick, say)
    info = machine()
    loads.append(_load())
    info["load_1min"] = {"start": loads[0], "max": max(loads), "end": loads[-1], "samples": loads}
    print(render_text(sections, info, mode))
    if before is not None:
        print()
        print(render_comparison(sections, info, before, args.compare))
    print(f"(took {time.perf_counter() - started:.0f}s)")
    if out is not None:
        try:
            out.write_text(json.dumps(to_json(sections, info, mode), indent=2) + "\n", encoding="utf-8")
        except OSError as exc:
            raise CliError(f"cannot write {out}: {exc.strerror or exc}") from None
    # a benchmark that ran is a success even when it misses targets; the report says which
    return EXIT_OK if sections else EXIT_FAILED


def _load() -> float:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return -1.0


def _earlier_run(path: Path) -> dict:
    """An earlier run's ``--json`` file, checked before the benchmark spends minutes running."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CliError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    except json.JSONDecodeError as exc:
        raise CliError(f"{path}:{exc.lineno}: not a bench JSON file ({exc.msg})") from None
    if not isinstance(data, dict) or not isinstance(data.get("sections"), list):
        raise CliError(f"{path}: not a bench JSON file (no sections)")
    return data
