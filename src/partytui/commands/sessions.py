"""``partytui sessions [--json] [--limit N]``: the recent sessions, newest first, and how to continue one."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path

from ..core.truth.sessions import SessionEntry, list_sessions, session_dir
from ..core.views.plain import plain_line, terminal_safe_json


def _plain(text: str, width: int) -> str:
    # goals and paths come from logs: no control characters reach the terminal, one line each
    text = " ".join(plain_line(text).split())
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def _when(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts)) if ts else "-"


def _home(path: str) -> str:
    home = str(Path.home())
    return "~" + path[len(home) :] if path == home or path.startswith(home + os.sep) else path


def render_table(entries: list[SessionEntry], width: int) -> str:
    rows = [("ID", "STATUS", "WAIT", "STARTED", "GOAL", "WORKSPACE")]
    for e in entries:
        goal = e.problem if e.problem is not None else e.goal
        rows.append(
            (
                _plain(e.id, 80),
                e.shown_status,
                str(e.pending) if e.pending else "-",
                _when(e.started_at),
                goal or "-",
                _home(e.workspace) if e.workspace else "-",
            )
        )
    fixed = [max(len(r[i]) for r in rows) for i in range(4)]
    rest = max(20, width - sum(fixed) - 2 * 5)
    goal_w = max(12, rest * 3 // 5)
    ws_w = max(8, rest - goal_w)
    lines = []
    for r in rows:
        cells = [r[i].ljust(fixed[i]) for i in range(4)]
        cells += [_plain(r[4], goal_w).ljust(goal_w), _plain(r[5], ws_w)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    folder = session_dir(args.session_dir)
    entries = list_sessions(folder, limit=None if args.all else args.limit)
    if args.json:
        print(terminal_safe_json(json.dumps([e.as_dict() for e in entries], indent=2, ensure_ascii=False)))
        return 0
    if not entries:
        print(f"no sessions yet in {folder} — start one with `partytui demo` or `partytui run GOAL`")
        return 0
    print(render_table(entries, shutil.get_terminal_size((120, 24)).columns))
    resumable = next((e for e in entries if e.resumable), None)
    print()
    detached = [e for e in entries if e.running == "detached"]
    for e in detached:
        waiting = f", {e.pending} request(s) waiting for you" if e.pending else ""
        print(plain_line(f"{e.id} runs in the background (process {e.pid}){waiting}: partytui attach {e.id}"))
    if resumable is not None:
        print(
            plain_line(
                f"continue the newest unfinished one: partytui resume --last   (or partytui resume {resumable.id})"
            )
        )
    print("see one: partytui summary ID · partytui replay ID · partytui export ID")
    return 0
