"""HelpScreen: every key of the app and of its modals, in sections."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static


def modal_keys() -> list[tuple[str, str]]:
    """The keys of the modal screens, as (key, what it does) rows; a row with an empty key heads a section.

    The app appends these to its own bindings when it opens the help screen.
    """
    return [
        ("", "Approval requests"),
        ("a", "approve a design, plan or migration · allow a tool once · submit answers"),
        ("A / s", "allow the tool for this agent for the rest of the session"),
        ("r", "reject or decline — asks for a reason, enter sends it"),
        ("1-9", "pick an option of the current question (toggle when several may be picked)"),
        ("↑ ↓ space", "move between options and pick"),
        ("enter", "confirm the question and go to the next one"),
        ("tab", "next question, the Other… field, the buttons"),
        ("ctrl+s", "send a reply"),
        ("escape", "set the request aside; it stays in the inbox"),
        ("", "Inbox"),
        ("↑ ↓ enter", "choose a pending request and open it"),
        ("", "Task detail"),
        ("o / enter", "open the owner's transcript"),
        ("", "Confirm"),
        ("y / n", "yes / no"),
    ]


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"

    BINDINGS = [Binding("escape,q,question_mark,f1", "close", "Close", key_display="esc")]

    def __init__(self, bindings: list[tuple[str, str]]) -> None:
        super().__init__()
        self.bindings = list(bindings)

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Static(Text("Keys", style="bold"), id="help-title")
            with VerticalScroll(id="help-body"):
                yield Static(self._table(), id="help-table")
        yield Footer()

    def _table(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(justify="right", style="bold", no_wrap=True)
        table.add_column()
        first = True
        for key, description in self.bindings:
            if not key:
                if not first:
                    table.add_row("", "")
                table.add_row("", Text(description, style="bold underline"))
            else:
                table.add_row(Text(key, style="bold yellow"), description)
            first = False
        if not self.bindings:
            table.add_row("", Text("No keys to show.", style="dim"))
        return table

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
