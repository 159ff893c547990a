"""ConfirmScreen: a yes/no question before something that cannot be undone (quit a run, cancel an agent)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ..plain import plain_text
from .help import HELP_BINDING, OffersHelp


class ConfirmScreen(OffersHelp, ModalScreen[bool]):
    HELP_SECTION = "Confirm"
    CSS_PATH = "confirm.tcss"

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n", "answer(False)", "No"),
        Binding("escape", "answer(False)", "Cancel"),
        HELP_BINDING,
    ]

    def __init__(self, title: str, body: str, *, purpose: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.body_text = body
        self.purpose = purpose  # what is being confirmed ("quit"), so the same question is not stacked twice

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Static(plain_text(self.title_text, style="bold"), id="confirm-title")
            if self.body_text:
                yield Static(plain_text(self.body_text), id="confirm-body")
            with Horizontal(id="confirm-buttons"):
                yield Button("Yes  y", variant="warning", id="yes")
                yield Button("No  n", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()  # the safe choice is the default

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")
