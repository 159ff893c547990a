"""SessionLog: the append-only JSONL file that is a session's truth, and its tolerant reader.

Lines are buffered and written per group of events (a turn's end, a tool result, an approval, …), so
a crash loses at most the deltas of the turn in flight and never more than a partial last line.
Approvals are fsynced: a decision a person made is on disk before anyone acts on it.
"""

from __future__ import annotations

import json
import os
import signal
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from ..errors import FileProblem
from .events import FORMAT_VERSION, EventBase, parse_event, parse_event_json
from .secrets import (  # noqa: F401 (re-exported)
    REDACTED,
    SECRET_PATTERNS,
    StreamRedactor,
    redact,
    redacted_line,
    secrets_from_env,
)


class LogError(FileProblem):
    """A session log that cannot be read."""


class LogWriteError(Exception):
    """The log could not be written (a full disk, a removed directory)."""


# Crash testing: ``PARTYTUI_CRASH_AFTER=approval.requested#2`` kills the process with SIGKILL right after
# the second approval.requested is handed to the log — a real crash at an exact point, for the campaign.
ENV_CRASH_AFTER = "PARTYTUI_CRASH_AFTER"


def _crash_point() -> tuple[str, int] | None:
    spec = os.environ.get(ENV_CRASH_AFTER, "")
    kind, _, count = spec.partition("#")
    return (kind, int(count)) if kind and count.isdigit() else None


class SessionLog:
    """Appends events to ``path``; call :meth:`close` at the end (the session does)."""

    def __init__(self, path: Path, *, secrets: tuple[str, ...] | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._secrets = secrets_from_env() if secrets is None else secrets
        self._buffer: list[str] = []
        self._file = open(self.path, "a", encoding="utf-8")  # noqa: SIM115  # open for the session's life; close() closes it
        self._broken: LogWriteError | None = None
        self._crash = _crash_point()

    def append(self, event: EventBase, line: str | None = None) -> None:
        """Buffer one event; ``line`` is its JSON already redacted (the session does that once for all)."""
        self._buffer.append((line if line is not None else redacted_line(event, self._secrets)[1]) + "\n")
        # each event class says whether it ends a group or must be on disk at once (core/events.py)
        if event.durable:
            self.flush(sync=True)
        elif event.ends_group or len(self._buffer) >= 256:
            self.flush()
        if self._crash is not None and event.type == self._crash[0]:
            remaining = self._crash[1] - 1
            self._crash = (event.type, remaining)
            if remaining <= 0:
                os.kill(os.getpid(), signal.SIGKILL)

    def flush(self, sync: bool = False) -> None:
        if self._broken:
            raise self._broken
        if not self._buffer:
            if sync:
                self._fsync()
            return
        data = "".join(self._buffer)
        self._buffer.clear()
        try:
            self._file.write(data)
            self._file.flush()
            if sync:
                self._fsync()
        except OSError as exc:
            self._broken = LogWriteError(f"cannot write the session log {self.path}: {exc.strerror or exc}")
            raise self._broken from exc

    def _fsync(self) -> None:
        try:
            os.fsync(self._file.fileno())
        except OSError:
            pass

    def close(self) -> None:
        try:
            if not self._broken:
                self.flush(sync=True)
        finally:
            try:
                self._file.close()
            except OSError:
                pass  # the data that could be written was; the failure was already reported


@dataclass
class LogContents:
    events: list[EventBase] = field(default_factory=list)
    torn_tail: bool = False  # the last line was partial (a crash mid-write) and was dropped
    lines: int = 0
    numbers: list[int] = field(default_factory=list)  # the line of each event (a report names it)


def read_log(path: Path | str) -> LogContents:
    """Read a whole log. A torn last line is dropped; any other bad line raises :class:`LogError`."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise LogError(path, None, "no such session log") from None
    except OSError as exc:
        raise LogError(path, None, f"cannot read: {exc.strerror or exc}") from None
    out = LogContents()
    lines = raw.split(b"\n")
    ends_clean = raw.endswith(b"\n") or not raw
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        # The usual line: pydantic parses and validates the raw JSON in one pass (no dict in between).
        # Anything it refuses — an unknown type, a newer format, a torn or bad line — takes the checked
        # path below, which says what is wrong with it.
        try:
            event = parse_event_json(line)
        except ValueError:
            pass
        else:
            if event.v == FORMAT_VERSION:
                out.events.append(event)
                out.numbers.append(number)
                out.lines = number
                continue
        is_last = number == len(lines)
        try:
            data = json.loads(line)
            if not isinstance(data, dict) or not isinstance(data.get("type"), str):
                raise ValueError("not an event object")
        except (ValueError, UnicodeDecodeError) as exc:
            if is_last and not ends_clean:
                out.torn_tail = True
                break
            raise LogError(path, number, f"not a partytui event ({exc})") from None
        version = data.get("v", FORMAT_VERSION)
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise LogError(
                path, number, f"format version {version!r} is newer than this partytui reads ({FORMAT_VERSION})"
            )
        try:
            out.events.append(parse_event(data))
            out.numbers.append(number)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise LogError(path, number, f"bad {data.get('type')} event: {where}: {first['msg']}") from None
        out.lines = number
    return out


def repair_torn_tail(path: Path) -> None:
    """Cut a partial last line so that appending after a crash starts on a fresh line."""
    with open(path, "rb+") as handle:
        data = handle.read()
        if data and not data.endswith(b"\n"):
            cut = data.rfind(b"\n") + 1
            handle.truncate(cut)
