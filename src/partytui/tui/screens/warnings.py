"""LoadWarningsScreen: what partytui will not do as the agent files ask (the same lines as ``partytui agents``)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from ..plain import plain_text


class LoadWarningsScreen(ModalScreen[None]):
    CSS_PATH = "warnings.tcss"

    BINDINGS = [Binding("escape,q,w", "close", "Close", key_display="esc")]
    AUTO_FOCUS = "#warnings-body"  # the arrows scroll a long list

    def __init__(self, warnings: Sequence[str]) -> None:
        super().__init__()
        self.warnings = list(warnings)

    def compose(self) -> ComposeResult:
        with Vertical(id="warnings"):
            count = len(self.warnings)
            title = f"Agent files: {count} warning{'s' if count != 1 else ''}" if count else "Agent files"
            yield Static(Text(title, style="bold"), id="warnings-title")
            with VerticalScroll(id="warnings-body"):
                # plain text, never markup: paths and names come from files
                body = (
                    Text("\n").join(plain_text(line) for line in self.warnings)
                    if self.warnings
                    else Text("partytui runs every agent file as written.", style="dim")
                )
                yield Static(body, id="warnings-list")
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
