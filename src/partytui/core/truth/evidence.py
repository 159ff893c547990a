"""A session log is evidence, not authority: what in it does not add up, and where a resume would send the team.

``inconsistencies`` names, with file and line, what a log written by partytui never holds: an answer given
twice, an answer to a request never asked (or asked only later), a result of a tool call never made, a second
session start, sequence numbers out of order. The fold still reads such a log (the first answer stands);
the commands say what they found instead of folding it in silence.

``record_origin`` notes, beside the log, the folders a session started with; ``untrusted_folders`` compares
what a log says with that record before a resume sends the agents there.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import events as ev
from .events import EventBase, SessionStarted


def inconsistencies(events: Sequence[EventBase], lines: Sequence[int], path: Path | str) -> list[str]:
    """``path:line: what is wrong`` for each event that a consistent log could not hold."""
    problems: list[str] = []
    requested: dict[int, int] = {}
    answered: dict[int, int] = {}
    early: dict[int, int] = {}  # answers to requests not (yet) asked: request id -> line
    called: set[tuple[str | None, str]] = set()
    started = 0
    last_seq = 0
    for event, line in zip(events, lines, strict=True):
        where = f"{path}:{line}"
        if event.seq <= last_seq:
            problems.append(f"{where}: sequence number {event.seq} after {last_seq} (out of order or repeated)")
        elif last_seq and event.seq != last_seq + 1:
            problems.append(
                f"{where}: sequence number {event.seq} after {last_seq}: {event.seq - last_seq - 1} missing"
            )
        last_seq = max(last_seq, event.seq)
        if isinstance(event, ev.SessionStarted):
            if started:
                problems.append(f"{where}: a second session start (the session started on line {started})")
            started = started or line
        elif not started and not isinstance(event, ev.SessionResumed):
            problems.append(f"{where}: a {event.type} event before the session started")
            started = -1  # said once
        if isinstance(event, ev.ApprovalRequested):
            rid = event.request.id
            if rid in requested:
                problems.append(f"{where}: request #{rid} asked again (first on line {requested[rid]})")
            requested.setdefault(rid, line)
            if rid in early:
                problems.append(
                    f"{path}:{early.pop(rid)}: an answer to request #{rid} before it was asked (line {line})"
                )
        elif isinstance(event, ev.ApprovalAnswered):
            rid = event.id
            if rid in answered:
                problems.append(f"{where}: request #{rid} answered twice (first on line {answered[rid]}, which stands)")
            elif rid not in requested:
                early.setdefault(rid, line)
            answered.setdefault(rid, line)
        elif isinstance(event, ev.ToolCalled):
            called.add((event.agent, event.tool_use_id))
        elif isinstance(event, ev.ToolResult) and (event.agent, event.tool_use_id) not in called:
            problems.append(
                f"{where}: a result for tool call {event.tool_use_id!r} of {event.agent}, which was never made"
            )
    problems += [f"{path}:{line}: an answer to request #{rid}, which was never asked" for rid, line in early.items()]
    return problems


def warn_about(contents: Any, path: Path | str) -> None:
    """Tell the person (stderr) what in a log read by ``read_log`` does not add up, if anything."""
    import sys

    from ..views.plain import plain

    problems = inconsistencies(contents.events, contents.numbers, path)
    if problems:
        print(
            plain(
                f"partytui: {path}: the log does not add up (shown as the first answer stands):\n" + report(problems)
            ),
            file=sys.stderr,
        )


def report(problems: list[str], most: int = 8) -> str:
    """The problems for a person: the first few, and how many more."""
    shown = problems[:most]
    more = len(problems) - len(shown)
    return "\n".join(shown + ([f"… and {more} more"] if more else []))


# ── where a session started ───────────────────────────────────────────────────────────────────────────

FOLDERS = (("workspace", "workspace"), ("scenario", "scenario"), ("agents_dirs", "agent folders"))


def origin_path(log_path: Path) -> Path:
    return Path(log_path).with_suffix(".origin")


def _folders(started: SessionStarted) -> dict[str, Any]:
    return {"workspace": started.workspace, "scenario": started.scenario, "agents_dirs": list(started.agents_dirs)}


def record_origin(log_path: Path, session_id: str, folders: dict[str, Any]) -> None:
    """Note beside the log the folders this session started with (what a resume compares the log with)."""
    target = origin_path(log_path)
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"session_id": session_id, **folders}, handle)
        os.replace(tmp, target)
    except OSError:
        tmp.unlink(missing_ok=True)  # without it, a resume asks: the safe side


def untrusted_folders(log_path: Path, started: SessionStarted, passed: dict[str, Any]) -> list[str]:
    """The folders a resume would take from the log that nothing vouches for, one line each.

    A folder the person passes (``passed[key]`` not None) is theirs to choose. One taken from the log is
    trusted when it is the one the session started with (the record beside the log); otherwise it is shown.
    """
    try:
        origin = json.loads(origin_path(log_path).read_text(encoding="utf-8"))
        if not isinstance(origin, dict) or origin.get("session_id") != started.session_id:
            origin = None
    except (OSError, ValueError):
        origin = None
    logged = _folders(started)
    lines = []
    for key, label in FOLDERS:
        value = logged[key]
        if passed.get(key) is not None or not value:
            continue
        shown = ", ".join(value) if isinstance(value, list) else value
        if origin is None:
            lines.append(f"{label}: {shown} (no record of where this session started)")
        elif origin.get(key) != value:
            before = origin.get(key)
            before = ", ".join(before) if isinstance(before, list) else before
            lines.append(f"{label}: {shown} (the session started with {before or 'none'})")
    return lines
