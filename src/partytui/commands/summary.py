"""``partytui summary SESSION [--json]``: the folded final state of a session log."""

from __future__ import annotations

import argparse
import json
import time

from ..cli import CliError
from ..core.truth.evidence import warn_about
from ..core.truth.log import LogError, read_log
from ..core.truth.sessions import SessionNotFound, find_session
from ..core.truth.state import fold
from ..core.views.plain import plain_line, terminal_safe_json
from ..core.views.present import duration
from ..core.views.summary import summarize


def _duration(start: float | None, end: float | None) -> str:
    return duration(end - start if start is not None and end is not None else None)


def render_text(data: dict) -> str:
    """The summary for a person; every line made plain (names, subjects, notes and errors come from the log)."""
    lines = [f"session {data['session_id']}: {data['status']}" + (f" — {data['reason']}" if data["reason"] else "")]
    if data["goal"]:
        lines.append(f"goal: {data['goal']}")
    if data["started_at"]:
        lines.append("started: " + time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(data["started_at"])))
    if data["phases"]:
        lines.append(
            "phases: "
            + " → ".join(f"{p['name']} ({_duration(p['started_at'], p['ended_at'])})" for p in data["phases"])
        )
    if data["tasks"]:
        lines.append("tasks:")
        lines += [
            f"  #{t['id']} [{t['status']}] {t['subject']}" + (f" ({t['owner']})" if t["owner"] else "")
            for t in data["tasks"]
        ]
    if data["approvals"]:
        lines.append("requests:")
        for a in data["approvals"]:
            by = f" by {a['by']}" if a["by"] else ""
            note = f" — {a['note']}" if a["note"] else ""
            lines.append(f"  #{a['id']} {a['kind']} from {a['agent']}: {a['decision']}{by}{note}")
    lines.append("agents:")
    for a in data["agents"]:
        cost = "?" if a["cost_usd"] is None else f"${a['cost_usd']:.4f}"
        lines.append(
            f"  {a['name']:<12} {a['model']:<20} {a['turns']:>3} turns  {a['input_tokens']:>8} in  {a['output_tokens']:>7} out  {cost}"
        )
    lines += workspace_lines(data)
    if data["files_written"]:
        lines.append(f"files written: {', '.join(data['files_written'])}")
    for warning in data["load_warnings"]:
        lines.append(f"load warning: {warning}")
    for error in data["errors"]:
        lines.append(f"error: {error}")
    return "\n".join(plain_line(line) for line in lines)


def workspace_lines(data: dict) -> list[str]:
    """Checklists, completion markers and shared documents, a line each."""
    lines = []
    if data["checklists"]:
        lines.append("checklists:")
        lines += [f"  {c['owner'] or '?'}: {c['done']}/{c['total']} done ({c['path']})" for c in data["checklists"]]
    if data["markers"]:
        lines.append("completion markers:")
        for m in data["markers"]:
            task = f"completed #{m['task_id']} {m['task']}" if m["task_id"] else "names no task"
            lines.append(f"  {m['id']}" + (f" by {m['by']}" if m["by"] else "") + f": {task}")
    if data["documents"]:
        lines.append("documents:")
        for d in data["documents"]:
            bits = [f"{d['versions']} version{'s' if d['versions'] != 1 else ''}"]
            if d["changed_by"]:
                bits.append("changed by " + ", ".join(d["changed_by"]))
            if d["read_by"]:
                bits.append("read by " + ", ".join(d["read_by"]))
            lines.append(f"  {d['path']}: " + "; ".join(bits))
    return lines


def load_summary(session: str, session_dir: str | None) -> dict:
    try:
        path = find_session(session, session_dir)
        contents = read_log(path)
    except (SessionNotFound, LogError) as exc:
        raise CliError(str(exc)) from None
    warn_about(contents, path)
    return summarize(fold(contents.events))


def main(args: argparse.Namespace) -> int:
    data = load_summary(args.session, args.session_dir)
    print(terminal_safe_json(json.dumps(data, indent=2, ensure_ascii=False)) if args.json else render_text(data))
    return 0
