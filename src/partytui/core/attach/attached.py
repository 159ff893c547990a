"""A running team seen from another process: the stand-ins an attached view is given instead of the team's own.

``MirroredSession`` is a Session whose events come from the team socket (folded by the same reducer);
``RemoteBroker`` and ``RemoteController`` send answers and controls back. ``TeamLink`` keeps the connection,
and reconnects when it is lost. ``AttachedSource`` is all of them as a view's source: only leaving differs
from a team run here (the team goes on), stopping the team is a control of its own, and a read-only view
answers nothing until the person gives the token (``partytui serve`` prints it).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..truth.events import EventBase, parse_event, parse_event_json
from ..truth.session import Session
from ..views.source import SessionSource, Severity
from . import wire
from .running import running_team, socket_path

RETRY_S = (0.2, 0.5, 1.0, 2.0)  # waits between reconnection attempts; the last one repeats
MAX_TOKEN_TRIES = 5
_NEWS_SEVERITY: dict[str, Severity] = {
    "lost": "error",
    "gone": "error",
    "back": "information",
    "refused": "warning",
    "ended": "information",
}


class TeamUnreachable(Exception):
    pass


class MirroredSession(Session):
    """The team's session, rebuilt here from the events it is sent; it never originates one."""

    def emit(self, event: EventBase) -> EventBase:
        raise RuntimeError("an attached view sends answers and controls to the team; it does not emit events")

    def receive(self, event: EventBase) -> None:
        if event.seq <= self.state.last_seq:
            return  # already folded (sent again after a reconnection)
        self._publish(event)


# What a link tells its view: (kind, text), kind one of lost | gone | back | refused | ended
News = Callable[[str, str], None]


class TeamLink:
    def __init__(self, log_path: Path, *, role: str = "control", on_news: News | None = None) -> None:
        self.log_path = Path(log_path)
        self.socket = socket_path(self.log_path)
        self.role = role
        self.on_news = on_news
        self.session = MirroredSession()
        self.paused: set[str] = set()
        self.ended: dict[str, Any] | None = None  # the team's last word: status, code, reason
        self.caught_up = asyncio.Event()
        self._writer: asyncio.StreamWriter | None = None
        self._ref = 0
        self._quiet = False  # a reconnection the view asked for: not news

    @property
    def session_id(self) -> str:
        return self.log_path.stem

    # ── the connection ──────────────────────────────────────────────────────

    async def _open(self) -> asyncio.StreamReader:
        with wire.reachable(self.socket) as name:
            reader, writer = await asyncio.open_unix_connection(name, limit=wire.MAX_LINE)
        writer.write(wire.message("hello", v=wire.PROTOCOL, role=self.role, after=self.session.state.last_seq))
        self._writer = writer
        return reader

    async def connect(self) -> asyncio.StreamReader:
        """The first connection; a team that does not answer is a :class:`TeamUnreachable`."""
        try:
            return await self._open()
        except OSError as exc:
            raise TeamUnreachable(self._why_unreachable(exc)) from None

    def _why_unreachable(self, exc: OSError) -> str:
        team = running_team(self.log_path)
        if team is None:
            return (
                f"session {self.session_id} is not running (no team process owns it); "
                f"resume it with: partytui resume {self.session_id} --detach"
            )
        if not team.detached:
            return (
                f"session {self.session_id} runs in a terminal (process {team.pid}), not detached: nothing to attach to"
            )
        return f"cannot reach the team of {self.session_id} at {self.socket}: {exc.strerror or exc}"

    async def run(self, reader: asyncio.StreamReader | None = None) -> int:
        """Follow the team until its run ends; returns the run's exit code. Lost connections are retried."""
        try:
            return await self._run(reader)
        finally:
            self._drop_writer()  # also when the view leaves (cancelled): the team sees the viewer go

    async def _run(self, reader: asyncio.StreamReader | None) -> int:
        attempt = 0
        while True:
            if reader is None:
                try:
                    reader = await self._open()
                except OSError as exc:
                    if attempt == 1:
                        self._tell("gone", self._why_unreachable(exc) + " — this view reconnects when it is back")
                    await asyncio.sleep(RETRY_S[min(attempt, len(RETRY_S) - 1)])
                    attempt += 1
                    continue
                if not self._quiet:
                    self._tell("back", f"reconnected to session {self.session_id}")
                self._quiet = False
            attempt = 0
            await self._follow(reader)
            reader = None
            self._drop_writer()
            if self.ended is not None:
                return int(self.ended.get("code", 1))
            if not self._quiet:
                self._tell("lost", f"lost the connection to session {self.session_id}; reconnecting…")

    def become(self, role: str) -> None:
        """Say hello again in another role (a read-only view given the token)."""
        self.role, self._quiet = role, True
        self._drop_writer()

    async def _follow(self, reader: asyncio.StreamReader) -> None:
        with contextlib.suppress(ConnectionError, ValueError, asyncio.IncompleteReadError):
            while line := await reader.readline():
                op = wire.parse_server_line(line)
                if op is None:
                    self.session.receive(_event(line))
                else:
                    self._on_op(op)

    def _on_op(self, op: dict[str, Any]) -> None:
        kind = op.get("op")
        if kind == "hello":
            self.paused = set(op.get("paused") or ())
        elif kind == "caught_up":
            self.caught_up.set()
        elif kind == "paused":
            self.paused = set(op.get("agents") or ())
        elif kind == "result" and not op.get("ok"):
            self._tell("refused", str(op.get("error") or "refused"))
        elif kind == "error":
            self._tell("refused", str(op.get("message") or "error"))
        elif kind == "ended":
            self.ended = op
            reason = f": {op['reason']}" if op.get("reason") else ""
            self._tell("ended", f"the team's run ended ({op.get('status')}){reason}")

    def _tell(self, kind: str, text: str) -> None:
        if self.on_news is not None:
            self.on_news(kind, text)

    def _drop_writer(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def send(self, op: str, **fields: Any) -> bool:
        """Send one request to the team; False (and the view told) while not connected."""
        if self._writer is None or self._writer.is_closing():
            self._tell("refused", f"not connected to session {self.session_id}: not sent")
            return False
        self._ref += 1
        self._writer.write(wire.message(op, ref=self._ref, **fields))
        return True


def _event(line: bytes) -> EventBase:
    try:
        return parse_event_json(line)
    except ValueError:
        return parse_event(json.loads(line))  # a type this version does not know passes as Unknown


class RemoteBroker:
    """Stands in for the team's ApprovalBroker: an answer goes to the team, whose broker decides."""

    def __init__(self, link: TeamLink) -> None:
        self.link = link
        self.session = link.session
        self.human_attached = True

    def answer(
        self, approval_id: int, decision: str, note: str = "", answers: list[str] | None = None, by: str = "human"
    ) -> bool:
        view = self.session.state.approvals.get(approval_id)
        if view is None or not view.pending:
            return False
        return self.link.send("answer", id=approval_id, decision=decision, note=note, answers=list(answers or []))


class RemoteController:
    """Stands in for the Team as the view's TeamController, plus ``stop`` for the whole team."""

    def __init__(self, link: TeamLink) -> None:
        self.link = link

    def pause(self, agent: str) -> None:
        self.link.send("pause", agent=agent)

    def resume(self, agent: str) -> None:
        self.link.send("resume", agent=agent)

    def cancel(self, agent: str) -> None:
        self.link.send("cancel", agent=agent)

    def send(self, agent: str, text: str) -> None:
        self.link.send("send", agent=agent, text=text)

    def is_paused(self, agent: str) -> bool:
        return agent in self.link.paused

    def stop(self) -> bool:
        return self.link.send("stop")


class AttachedSource(SessionSource):
    """A team running detached, seen over its socket. ``link`` None: the person first picks one of the
    sessions running detached in ``folder`` (``pick_from``), then :meth:`pick` attaches to it."""

    kind = "attached"
    no_answers = "This view is read-only: answers are not sent."
    no_team = "This view is read-only: nothing to {what}."
    leaving_stops_the_team = False  # detaching loses nothing: requests keep waiting in the team

    def __init__(
        self,
        link: TeamLink | None,
        *,
        read_only: bool = False,
        token_sha256: str | None = None,
        folder: Path | None = None,
    ) -> None:
        super().__init__(link.session if link is not None else MirroredSession(), title="partytui — attach")
        self.pick_from = folder if link is None else None
        self.asked_read_only = read_only
        self.token_sha256 = token_sha256 if read_only else None
        self.token_tries = 0
        self.link: TeamLink | None = None
        self.controller: RemoteController | None = None  # the team, with ``stop`` for all of it
        if link is not None:
            self._attach(link)

    def pick(self, log_path: Path) -> None:
        self.pick_from = None
        self._attach(TeamLink(log_path, role="read-only" if self.asked_read_only else "control"))

    def _attach(self, link: TeamLink) -> None:
        self.link = link
        self.session = link.session
        self.log_path = link.log_path
        if not self.asked_read_only:
            self._take_control(link)
        self.runner = self._follow
        self.title = f"partytui — {link.session_id} (attached{', read-only' if self.asked_read_only else ''})"
        link.on_news = self._news

    def _take_control(self, link: TeamLink) -> None:
        self.answers = RemoteBroker(link)
        self.team = self.controller = RemoteController(link)

    @property
    def read_only(self) -> bool:
        return self.answers is None

    def can(self, action: str) -> bool:
        if action == "stop":
            return not self.read_only and self.running
        if action == "unlock":
            return self.read_only and self.token_sha256 is not None and self.token_tries < MAX_TOKEN_TRIES
        return super().can(action)

    async def _follow(self) -> int:
        assert self.link is not None
        try:
            reader = await self.link.connect()
        except TeamUnreachable as exc:
            self.notice(f"{exc} — this view reconnects when it is back", "error")
            reader = None
        return await self.link.run(reader)

    def _news(self, kind: str, text: str) -> None:
        self.notice(text, _NEWS_SEVERITY.get(kind, "information"))
        self._tell_status()

    def stop_team(self) -> bool:
        """Ask the team to stop, for every view attached to it (the view asked the person first)."""
        return self.can("stop") and self.controller is not None and self.controller.stop()

    def unlock(self, token: str) -> bool:
        """A read-only view given the token becomes one that answers and controls; False: a wrong token."""
        if not self.can("unlock") or self.link is None or self.token_sha256 is None:
            return False
        digest = hashlib.sha256(token.strip().encode()).hexdigest()
        if not hmac.compare_digest(digest, self.token_sha256):
            self.token_tries += 1
            return False
        self.link.become("control")
        self._take_control(self.link)
        self._tell_controls()
        return True
