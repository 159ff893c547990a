"""The app attached to a team that runs in another process (``partytui attach``, ``partytui serve``).

It is the live app given stand-ins (core/attach/attached.py): a mirrored session, a broker and a controller that
talk to the team over its socket. Only leaving differs: ``q`` detaches and the team goes on; stopping the
team is its own key, and asks first. A read-only view answers nothing until the person gives the token
(``partytui serve`` prints it).
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from textual import events
from textual.binding import Binding

from ..core.attach.attached import MirroredSession, RemoteBroker, RemoteController, TeamLink, TeamUnreachable
from .app import PartyApp
from .screens.main import MODAL_KEYS, MainScreen

MAX_TOKEN_TRIES = 5
_NEWS_SEVERITY = {"lost": "error", "gone": "error", "back": "information", "refused": "warning", "ended": "information"}


class AttachedScreen(MainScreen, inherit_bindings=False):
    CSS_PATH = "screens/main.tcss"
    BINDINGS = [
        # first, so an 80-column footer still shows how to leave
        Binding("q", "quit_app", "Detach"),
        Binding("u", "unlock", "Unlock", key_display="u"),
        *[b for b in MainScreen.BINDINGS if b.key != "q"],  # type: ignore[union-attr]
        Binding("S", "stop_team", "Stop team", show=False),
    ]

    @property
    def attached(self) -> "AttachedApp":
        return self.app  # type: ignore[return-value]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "unlock":
            return self.attached.can_unlock
        if action in self._RUN_ACTIONS and self.attached.read_only:
            return False  # a read-only view cannot pause, message or cancel: its footer does not offer to
        return super().check_action(action, parameters)

    def action_stop_team(self) -> None:
        self.attached.stop_team()

    def action_unlock(self) -> None:
        self.attached.unlock()

    def key_help(self) -> list[tuple[str, str]]:
        keys = [k for k in MainScreen.screen_keys() if k[0] not in ("q", "u", "S")]
        keys += [("q", "detach: this view closes, the team goes on"), ("S", "stop the whole team (asks first)")]
        if self.attached.can_unlock:
            keys.append(("u", "give the token printed by partytui serve, to answer and control"))
        return keys + MODAL_KEYS

    def palette_commands(self):  # type: ignore[no-untyped-def]
        commands = [c for c in super().palette_commands() if c[0] != "Quit"]
        commands += [
            ("Detach", "key q: this view closes, the team goes on", self.action_quit_app),
            ("Stop the team", "key S: every agent stops; resume goes on later (asks first)", self.action_stop_team),
        ]
        if self.attached.can_unlock:
            commands.append(("Unlock answering", "key u: give the token partytui serve printed", self.action_unlock))
        return commands


class AttachedApp(PartyApp):
    NO_ANSWERS = "This view is read-only: answers are not sent."
    NO_CONTROLS = "This view is read-only: nothing to {what}."

    def __init__(
        self,
        link: TeamLink | None,
        *,
        read_only: bool = False,
        token_sha256: str | None = None,
        folder: Path | None = None,
    ) -> None:
        """``link`` None: the person first picks one of the sessions running detached in ``folder``."""
        super().__init__(link.session if link is not None else MirroredSession(), title="partytui — attach")
        self.main = AttachedScreen()
        self.folder = folder
        self.token_sha256 = token_sha256 if read_only else None
        self._asked_read_only = read_only
        self._token_tries = 0
        self.link: TeamLink | None = None
        if link is not None:
            self._attach(link)

    def _attach(self, link: TeamLink) -> None:
        self.link = link
        self.session = link.session
        if not self._asked_read_only:
            self.broker = RemoteBroker(link)  # type: ignore[assignment]
            self.controller = RemoteController(link)
        self.runner = self._follow
        self.title = f"partytui — {link.session_id} (attached{', read-only' if self._asked_read_only else ''})"
        link.on_news = self._news

    def on_mount(self, event: events.Mount) -> None:
        if self.link is not None:
            return  # PartyApp.on_mount shows the team
        event.prevent_default()  # nothing to show before a session is picked
        from .screens.pick_session import SessionPicker

        assert self.folder is not None, "an attached app without a link picks from a folder"
        self.push_screen(SessionPicker(self.folder), self._picked)

    def _picked(self, log_path: Path | None) -> None:
        if log_path is None:
            self.exit(0, return_code=0)
            return
        self._attach(TeamLink(log_path, role="read-only" if self._asked_read_only else "control"))
        PartyApp.on_mount(self)

    @property
    def read_only(self) -> bool:
        return self.broker is None

    @property
    def can_unlock(self) -> bool:
        return self.read_only and self.token_sha256 is not None and self._token_tries < MAX_TOKEN_TRIES

    async def _follow(self) -> int:
        assert self.link is not None
        try:
            reader = await self.link.connect()
        except TeamUnreachable as exc:
            self.notify(f"{exc} — this view reconnects when it is back", severity="error", timeout=30)
            reader = None
        return await self.link.run(reader)

    def _news(self, kind: str, text: str) -> None:
        self.notify(text, severity=_NEWS_SEVERITY.get(kind, "information"), timeout=10)  # type: ignore[arg-type]
        self.request_structural()

    # ── leaving and stopping ────────────────────────────────────────────────

    def request_quit(self) -> None:
        # detaching loses nothing (requests keep waiting in the team), so it does not ask
        self.exit(self.run_code, return_code=self.run_code or 0)

    def stop_team(self) -> None:
        if self.read_only or self.controller is None:
            self.notify(self.NO_CONTROLS.format(what="stop"), severity="warning")
            return
        if self.run_code is not None:
            self.notify("The run has ended already.")
            return
        from .screens.confirm import ConfirmScreen

        assert self.link is not None
        def confirmed(yes: bool | None) -> None:
            if yes and isinstance(self.controller, RemoteController) and self.controller.stop():
                self.notify("Stopping the team…")

        body = (
            "Every agent stops now, for every view attached to it. The session log says so, and "
            f"`partytui resume {self.link.session_id}` goes on from here later. (To leave the team running, "
            "detach with q instead.)"
        )
        self.push_screen(ConfirmScreen("Stop the team?", body), confirmed)

    # ── a read-only view given the token ────────────────────────────────────

    def unlock(self) -> None:
        if not self.can_unlock:
            return
        from .screens.token import TokenScreen

        def given(token: str | None) -> None:
            if token is None or self.token_sha256 is None:
                return
            digest = hashlib.sha256(token.strip().encode()).hexdigest()
            if not hmac.compare_digest(digest, self.token_sha256):
                self._token_tries += 1
                left = MAX_TOKEN_TRIES - self._token_tries
                self.notify(f"Wrong token ({left} tries left).", severity="error")
                return
            assert self.link is not None
            self.link.become("control")
            self.broker = RemoteBroker(self.link)  # type: ignore[assignment]
            self.controller = RemoteController(self.link)
            self.notify("Unlocked: this view answers and controls the team.")
            self.queue_pending()
            self.main.refresh_bindings()

        self.push_screen(TokenScreen(), given)
