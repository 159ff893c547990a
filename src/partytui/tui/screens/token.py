"""TokenScreen: a read-only view asks for the token that lets it answer and control (``partytui serve``)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class TokenScreen(ModalScreen[str | None]):
    CSS_PATH = "token.tcss"

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="token"):
            yield Static(Text("Unlock answering", style="bold"), id="token-title")
            yield Static("The token `partytui serve` printed when it started lets this view answer and control.")
            yield Input(placeholder="token", password=True, id="token-text")
            yield Static("enter unlocks · escape cancels", id="token-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _given(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
