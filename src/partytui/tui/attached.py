"""The screen of a view attached to a team that runs in another process (``partytui attach``, ``partytui serve``).

It draws an ``AttachedSource`` (core/attached.py) like any other source. Only leaving differs: ``q`` detaches
and the team goes on; stopping the team is its own key, and asks first. A read-only view answers nothing until
the person gives the token (``partytui serve`` prints it): ``u`` asks for it.
"""

from __future__ import annotations

from textual.binding import Binding

from ..core.attach.attached import MAX_TOKEN_TRIES, AttachedSource
from .screens.main import MODAL_KEYS, MainScreen


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
    def attached(self) -> AttachedSource:
        source = self.source
        assert isinstance(source, AttachedSource), "an attached screen draws an attached source"
        return source

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "unlock":
            return self.attached.can("unlock")
        return super().check_action(action, parameters)

    def action_stop_team(self) -> None:
        attached = self.attached
        if attached.read_only:
            self.action_cannot("stop")
            return
        if attached.run_over:
            self.notify("The run has ended already.")
            return
        from .screens.confirm import ConfirmScreen

        assert attached.link is not None

        def confirmed(yes: bool | None) -> None:
            if yes and attached.stop_team():
                self.notify("Stopping the team…")

        body = (
            "Every agent stops now, for every view attached to it. The session log says so, and "
            f"`partytui resume {attached.link.session_id}` goes on from here later. (To leave the team running, "
            "detach with q instead.)"
        )
        self.app.push_screen(ConfirmScreen("Stop the team?", body), confirmed)

    def action_unlock(self) -> None:
        attached = self.attached
        if not attached.can("unlock"):
            return
        from .screens.token import TokenScreen

        def given(token: str | None) -> None:
            if token is None:
                return
            if attached.unlock(token):
                self.notify("Unlocked: this view answers and controls the team.")
            else:
                left = MAX_TOKEN_TRIES - attached.token_tries
                self.notify(f"Wrong token ({left} tries left).", severity="error")

        self.app.push_screen(TokenScreen(), given)

    def key_help(self) -> list[tuple[str, str]]:
        keys = [k for k in MainScreen.screen_keys() if k[0] not in ("q", "u", "S")]
        keys += [("q", "detach: this view closes, the team goes on"), ("S", "stop the whole team (asks first)")]
        if self.attached.can("unlock"):
            keys.append(("u", "give the token printed by partytui serve, to answer and control"))
        return keys + MODAL_KEYS

    def palette_commands(self):
        commands = [c for c in super().palette_commands() if c[0] != "Quit"]
        commands += [
            ("Detach", "key q: this view closes, the team goes on", self.action_quit_app),
            ("Stop the team", "key S: every agent stops; resume goes on later (asks first)", self.action_stop_team),
        ]
        if self.attached.can("unlock"):
            commands.append(("Unlock answering", "key u: give the token partytui serve printed", self.action_unlock))
        return commands
