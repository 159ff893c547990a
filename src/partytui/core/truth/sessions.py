"""Where session logs live, and finding one from what a person typed (a path or a session id)."""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

if TYPE_CHECKING:
    from ..config import Config

ENV_SESSION_DIR = "PARTYTUI_SESSION_DIR"


class SessionNotFound(Exception):
    pass


def session_dir(override: str | os.PathLike[str] | None = None, *, config: Config | None = None) -> Path:
    """``--session-dir`` wins, then ``$PARTYTUI_SESSION_DIR``, the config file's ``session_dir``, then the
    platform's user data dir. ``config``, when the caller has already loaded it, spares reading the file again."""
    if override:
        return Path(override).expanduser()
    if env := os.environ.get(ENV_SESSION_DIR):
        return Path(env).expanduser()
    if config is not None:
        configured = config.session_dir
    else:
        from ..config import ConfigError, load_config

        try:
            configured = load_config().session_dir
        except ConfigError:
            configured = None  # `run` reports a broken config file; finding a session does not need one
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_data_dir("partytui", appauthor=False)) / "sessions"


def new_session_id(clock: float | None = None) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(clock if clock is not None else time.time()))
    return f"{stamp}-{secrets.token_hex(3)}"


def find_session(arg: str, override: str | os.PathLike[str] | None = None) -> Path:
    """A session log from a path, or from an id (or unique id prefix) in the session dir."""
    path = Path(arg).expanduser()
    if path.is_file():
        return path
    if path.is_dir():
        raise SessionNotFound(f"{arg} is a directory, not a session log (.jsonl)")
    folder = session_dir(override)
    exact = folder / f"{arg}.jsonl"
    if exact.is_file():
        return exact
    matches = sorted(folder.glob(f"{arg}*.jsonl")) if folder.is_dir() and "/" not in arg else []
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        names = ", ".join(m.stem for m in matches[:5])
        raise SessionNotFound(f"{arg!r} matches several sessions: {names}")
    raise SessionNotFound(f"no session log {arg!r} (not a file, and no such id in {folder})")


# ── the sessions a person has run ────────────────────────────────────────────


@dataclass
class SessionEntry:
    """One session log as ``partytui sessions`` lists it: the fold of its events, in a few fields."""

    id: str
    path: Path
    goal: str = ""
    status: str = "running"  # as logged; "running" with ``ended`` False means no end was recorded
    ended: bool = False
    reason: str = ""
    pending: int = 0  # requests waiting for a person
    started_at: float | None = None
    ended_at: float | None = None
    last_at: float | None = None  # the newest event
    workspace: str = ""
    mode: str = ""
    problem: str | None = None  # the log could not be read: why
    running: str = ""  # while a process runs its team: "detached" (attach to it) or "terminal"
    pid: int | None = None

    @property
    def shown_status(self) -> str:
        if self.problem is not None:
            return "unreadable"
        if self.running:
            return "detached" if self.running == "detached" else "running"
        return self.status if self.ended or self.status != "running" else "unfinished"

    @property
    def resumable(self) -> bool:
        return self.problem is None and self.mode != "imported" and self.status != "done" and not self.running

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "path": str(self.path),
            "goal": self.goal,
            "status": self.status,
            "ended": self.ended,
            "reason": self.reason,
            "pending": self.pending,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "last_at": self.last_at,
            "workspace": self.workspace,
            "mode": self.mode,
            "resumable": self.resumable,
            "problem": self.problem,
            "running": self.running or None,
            "pid": self.pid,
        }


def read_entry(path: Path) -> SessionEntry:
    """What the log at ``path`` says about its session; a log that cannot be read is an entry with a problem."""
    from ..attach.running import running_team
    from .events import SessionStarted
    from .log import LogError, read_log
    from .state import fold

    entry = SessionEntry(id=path.stem, path=path)
    team = running_team(path)
    if team is not None:
        entry.running, entry.pid = ("detached" if team.detached else "terminal"), team.pid
    try:
        events = read_log(path).events
    except LogError as exc:
        entry.problem = str(exc)
        return entry
    state = fold(events)
    started = next((e for e in events if isinstance(e, SessionStarted)), None)
    if started is None:
        entry.problem = "no session.started: not a session partytui wrote"
        return entry
    entry.id = state.session_id or path.stem
    entry.goal, entry.status, entry.reason = state.goal, state.status, state.reason
    entry.ended = state.ended_at is not None  # a resume clears it until the run ends again
    entry.pending = len(state.pending_approvals)
    entry.started_at, entry.ended_at = state.started_at, state.ended_at
    entry.last_at = state.last_ts or None
    entry.workspace, entry.mode = state.workspace, state.mode
    return entry


def _newest_first(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    logs = []
    for path in folder.glob("*.jsonl"):
        try:
            logs.append((path.stat().st_mtime, path.name, path))
        except OSError:
            continue  # removed while we looked
    logs.sort(reverse=True)
    return [path for _, _, path in logs]


def list_sessions(folder: Path, limit: int | None = None) -> list[SessionEntry]:
    """The session logs in ``folder``, the most recently written first (at most ``limit`` of them)."""
    logs = _newest_first(folder)
    return [read_entry(path) for path in (logs if limit is None else logs[:limit])]


def last_resumable(folder: Path) -> SessionEntry | None:
    """The most recently written session that ``partytui resume`` can continue."""
    for path in _newest_first(folder):
        entry = read_entry(path)
        if entry.resumable:
            return entry
    return None
