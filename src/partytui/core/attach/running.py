"""Which sessions a process is running now: a lock beside each log, held by the process that runs its team.

``<id>.lock`` holds an exclusive ``flock`` for as long as the team runs (the kernel drops it when the process
dies, however it dies), and says which process that is. ``<id>.sock`` is where a detached team listens
(core/attach/team_socket.py) and ``<id>.out`` what it printed. A second process never runs the same log.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path


class AlreadyRunning(Exception):
    pass


def socket_path(log_path: Path) -> Path:
    return log_path.with_suffix(".sock")


def lock_path(log_path: Path) -> Path:
    return log_path.with_suffix(".lock")


def output_path(log_path: Path) -> Path:
    return log_path.with_suffix(".out")


@dataclass
class RunningTeam:
    session_id: str
    log_path: Path
    pid: int
    detached: bool

    @property
    def socket(self) -> Path:
        return socket_path(self.log_path)


class RunLock:
    """The running team's claim on its log: taken before the first event is written, kept until the end."""

    def __init__(self, log_path: Path, *, detached: bool) -> None:
        self.log_path = Path(log_path)
        self.path = lock_path(self.log_path)
        self.detached = detached
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            holder = running_team(self.log_path)
            who = f"process {holder.pid}" if holder else "another process"
            how = f"; attach with: partytui attach {self.log_path.stem}" if holder and holder.detached else ""
            raise AlreadyRunning(f"{self.log_path.stem} is running in {who}{how}") from None
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), "detached": self.detached}).encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            # the file goes before the lock, so nobody takes a lock on a file that is being removed
            self.path.unlink(missing_ok=True)
        finally:
            os.close(self._fd)
            self._fd = None


def running_team(log_path: Path) -> RunningTeam | None:
    """The process running this session's team now, or None (no lock file, or its holder is gone)."""
    path = lock_path(Path(log_path))
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            pass  # held: somebody runs it
        else:
            return None  # a lock file left by a process that died: nobody runs it
        try:
            data = json.loads(os.read(fd, 4096) or b"{}")
            pid, detached = int(data.get("pid", 0)), bool(data.get("detached", False))
        except (ValueError, TypeError, AttributeError):
            pid, detached = 0, False  # written by something else: still held, so still running
        return RunningTeam(Path(log_path).stem, Path(log_path), pid, detached)
    finally:
        os.close(fd)


def running_teams(folder: Path) -> dict[str, RunningTeam]:
    """Every session in ``folder`` whose team runs now, by session id."""
    if not folder.is_dir():
        return {}
    found = {}
    for lock in sorted(folder.glob("*.lock")):
        team = running_team(lock.with_suffix(".jsonl"))
        if team is not None:
            found[team.session_id] = team
    return found
