"""MessageScreen: type a message to one agent; enter sends, escape drops it."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ..plain import plain_line
from .approval import agent_style
from .help import OffersHelp


class MessageScreen(OffersHelp, ModalScreen[str | None]):
    HELP_SECTION = "Message"
    CSS_PATH = "message.tcss"

    BINDINGS = [Binding("f1", "help", "Help"), Binding("escape", "cancel", "Cancel")]

    def __init__(self, agent: str, *, color: str | None = None) -> None:
        super().__init__()
        self.agent = agent
        self.color = color

    def compose(self) -> ComposeResult:
        with Vertical(id="message"):
            title = Text.assemble(
                ("Message to ", "bold"), (plain_line(self.agent), agent_style(self.color, self.agent))
            )
            yield Static(title, id="message-title")
            yield Input(placeholder=f"what should {plain_line(self.agent)} know?", id="message-text")
            yield Static(Text("enter sends · escape cancels"), id="message-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _send(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            self.notify("The message is empty.", severity="warning", timeout=2)
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
