"""Where session logs live, and finding one from what a person typed (a path or a session id)."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

if TYPE_CHECKING:
    from .config import Config

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
        from .config import ConfigError, load_config

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
