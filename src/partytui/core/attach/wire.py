"""The attach protocol: newline-delimited JSON over the team's Unix socket (docs/architecture.md).

Out (team → viewer): the log's own event lines, as written, and protocol messages, which carry ``op``.
In (viewer → team): protocol messages only. Every line in is validated here; a bad one is answered with an
error and changes nothing.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from ..truth.events import Decision

PROTOCOL = 1
MAX_LINE = 16 * 1024 * 1024  # an event carries at most a capped document or tool output; far below this
ROLES = ("control", "read-only")  # read-only: sees everything, answers and controls nothing


class _Op(BaseModel):
    model_config = {"extra": "forbid"}
    ref: int = 0  # echoed in the result, so a viewer knows which of its requests was refused


class Hello(_Op):
    op: Literal["hello"]
    v: int = PROTOCOL
    role: Literal["control", "read-only"] = "control"
    after: int = 0  # the last event seq the viewer already has: catch-up starts after it


class Answer(_Op):
    op: Literal["answer"]
    id: int
    decision: Decision
    note: str = Field("", max_length=100_000)
    answers: list[Annotated[str, Field(max_length=100_000)]] = Field(default_factory=list, max_length=100)


class Control(_Op):
    op: Literal["pause", "resume", "cancel"]
    agent: str = Field(max_length=200)


class Send(_Op):
    op: Literal["send"]
    agent: str = Field(max_length=200)
    text: str = Field(min_length=1, max_length=100_000)


class Stop(_Op):
    op: Literal["stop"]


ClientOp = Annotated[Hello | Answer | Control | Send | Stop, Field(discriminator="op")]
_client_op: TypeAdapter[ClientOp] = TypeAdapter(ClientOp)


class BadOp(Exception):
    pass


def parse_client_op(line: bytes) -> ClientOp:
    try:
        return _client_op.validate_json(line)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "line"
        raise BadOp(f"{where}: {first['msg']}") from None


def message(op: str, **fields: Any) -> bytes:
    return json.dumps({"op": op, **fields}, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def parse_server_line(line: bytes) -> dict[str, Any] | None:
    """A protocol message as a dict, or None for an event line (events have ``type``, never ``op``)."""
    if line.startswith(b'{"op":'):
        data = json.loads(line)
        return data if isinstance(data, dict) else None
    return None


# Unix socket paths are limited to about 100 bytes; a deep sessions folder is reached through its fd.
_SUN_PATH_MAX = 100


@contextmanager
def reachable(path: Path) -> Iterator[str]:
    """A name for ``path`` short enough to bind or connect to."""
    text = str(path)
    if len(text.encode()) <= _SUN_PATH_MAX:
        yield text
        return
    fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        yield f"/proc/self/fd/{fd}/{path.name}"
    finally:
        os.close(fd)


def can_connect(path: Path) -> bool:
    """Whether a team listens at ``path`` now (a quick, blocking check for the CLI)."""
    with reachable(path) as name, socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(2)
        try:
            probe.connect(name)
        except OSError:
            return False
        return True
