"""TeamSocket: a running team's door for viewers (attached TUIs, browsers) — events out, answers and controls in.

A viewer says hello with the last event it has; it is sent the log from there (read from disk after a flush),
then every new event as it is emitted. Both happen in one step of the event loop, so nothing is missed or
sent twice. Answers go to the team's own broker: the first logged answer stands, whoever sent it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..truth.events import EventBase, to_json
from . import wire
from .running import socket_path

if TYPE_CHECKING:
    from ..team.orchestrator import Team

HELLO_TIMEOUT_S = 10
# a viewer that falls this far behind is let go; it reconnects and catches up from the log
MAX_BACKLOG_BYTES = 32 * 1024 * 1024
_SEQ = re.compile(rb'^\{"v":\d+,"seq":(\d+)')


@dataclass(eq=False)
class _Viewer:
    writer: asyncio.StreamWriter
    role: str = "control"
    limit: int = MAX_BACKLOG_BYTES

    def send(self, data: bytes) -> bool:
        if self.writer.is_closing():
            return False
        self.writer.write(data)
        if self.writer.transport.get_write_buffer_size() > self.limit:
            self.writer.close()
            return False
        return True


class TeamSocket:
    def __init__(self, team: Team, log_path: Path) -> None:
        self.team = team
        self.session = team.session
        self.log_path = Path(log_path)
        self.path = socket_path(self.log_path)
        self._viewers: list[_Viewer] = []
        self._server: asyncio.AbstractServer | None = None
        self._unsubscribe: Callable[[], None] | None = None

    async def start(self) -> None:
        self.path.unlink(missing_ok=True)  # left by a team process that was killed (the run lock is ours now)
        old = os.umask(0o177)  # the socket is born 0600: only its owner may watch or answer
        try:
            with wire.reachable(self.path) as name:
                self._server = await asyncio.start_unix_server(self._serve, path=name, limit=wire.MAX_LINE)
        finally:
            os.umask(old)
        self._unsubscribe = self.session.subscribe(self._on_event)

    async def close(self, status: str, code: int) -> None:
        """Tell every viewer how the run ended, then stop listening."""
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self._server is not None:
            self._server.close()
        self.path.unlink(missing_ok=True)
        ended = wire.message("ended", status=status, code=code, reason=self.team.reason)
        for viewer in list(self._viewers):
            viewer.send(ended)
            viewer.writer.close()
        for viewer in list(self._viewers):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(viewer.writer.wait_closed(), 2)

    # ── out ─────────────────────────────────────────────────────────────────

    def _on_event(self, event: EventBase) -> None:
        if not self._viewers:
            return
        line = to_json(event).encode() + b"\n"  # the session's listeners see the redacted event
        for viewer in list(self._viewers):
            if not viewer.send(line):
                self._viewers.remove(viewer)

    def _catch_up(self, viewer: _Viewer, after: int) -> None:
        """Send the log after ``after``, then make the viewer live. No await: no event can slip in between."""
        self.session.flush()
        try:
            data = self.log_path.read_bytes()
        except OSError as exc:
            viewer.send(wire.message("error", message=f"cannot read the session log: {exc}"))
            data = b""
        lines = data.splitlines(keepends=True)
        if lines and not lines[-1].endswith(b"\n"):
            lines.pop()  # a torn line (the team is not writing now: it was cut by an earlier crash)
        if after > 0:
            lines = [line for line in lines if _seq(line) > after]
        viewer.limit = MAX_BACKLOG_BYTES + sum(map(len, lines))
        viewer.writer.writelines(lines)
        viewer.send(wire.message("caught_up", seq=self.session.state.last_seq))
        self._viewers.append(viewer)

    def _paused(self) -> list[str]:
        return sorted(name for name in self.team.runners if self.team.is_paused(name))

    # ── in ──────────────────────────────────────────────────────────────────

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        viewer = _Viewer(writer)
        try:
            first = await asyncio.wait_for(reader.readline(), HELLO_TIMEOUT_S)
            try:
                hello = wire.parse_client_op(first)
            except wire.BadOp as exc:
                viewer.send(wire.message("error", message=f"expected hello: {exc}"))
                return
            if not isinstance(hello, wire.Hello) or hello.v != wire.PROTOCOL:
                viewer.send(wire.message("error", message=f"expected hello, protocol {wire.PROTOCOL}"))
                return
            viewer.role = hello.role
            viewer.send(
                wire.message(
                    "hello",
                    v=wire.PROTOCOL,
                    session=self.log_path.stem,
                    pid=os.getpid(),
                    role=viewer.role,
                    log=str(self.log_path),
                    paused=self._paused(),
                )
            )
            self._catch_up(viewer, hello.after)
            while line := await reader.readline():
                self._handle(viewer, line)
        except (TimeoutError, ConnectionError, ValueError):
            pass  # silent, gone, or a line over the limit: the viewer is let go and may come back
        finally:
            if viewer in self._viewers:
                self._viewers.remove(viewer)
            writer.close()

    def _handle(self, viewer: _Viewer, line: bytes) -> None:
        try:
            op = wire.parse_client_op(line)
        except wire.BadOp as exc:
            viewer.send(wire.message("result", ref=0, ok=False, error=f"bad request: {exc}"))
            return
        error = self._apply(viewer, op)
        viewer.send(wire.message("result", ref=op.ref, ok=error is None, error=error or ""))

    def _apply(self, viewer: _Viewer, op: wire.ClientOp) -> str | None:
        """Carry out one request; the reason it was refused, or None."""
        if isinstance(op, wire.Hello):
            return "already said hello"
        if viewer.role != "control":
            return "this view only watches: it cannot answer or control the team"
        team = self.team
        if isinstance(op, wire.Answer):
            if team.broker.answer(op.id, op.decision, op.note, op.answers, by="human"):
                return None
            view = self.session.state.approvals.get(op.id)
            if view is None:
                return f"no request #{op.id}"
            return f"request #{op.id} was already answered ({view.decision}, by {view.by})"
        if isinstance(op, wire.Stop):
            team.stop("stopped by the person from an attached view")
            return None
        if op.agent not in team.runners:
            return f"no agent named {op.agent!r}"
        if isinstance(op, wire.Send):
            team.send(op.agent, op.text)
            return None
        getattr(team, op.op)(op.agent)  # pause, resume or cancel: the TeamController's own methods
        paused = wire.message("paused", agents=self._paused())
        for other in list(self._viewers):
            other.send(paused)
        return None


def _seq(line: bytes) -> int:
    match = _SEQ.match(line)
    if match:
        return int(match.group(1))
    try:
        return int(json.loads(line).get("seq", 0))
    except (ValueError, AttributeError, TypeError):
        return 0
