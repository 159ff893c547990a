"""HelpScreen: every key of the app and of its modals, in sections; opened with ``?`` (or F1) anywhere, it
starts with the section of the screen it was opened from."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static

# Every modal offers its help with this key (F1 too, for when a text box takes the `?`)
HELP_BINDING = Binding("question_mark,f1", "help", "Help", key_display="?")


def modal_keys() -> list[tuple[str, str]]:
    """The keys of the modal screens, as (key, what it does) rows; a row with an empty key heads a section.

    The app appends these to its own bindings when it opens the help screen.
    """
    return [
        ("", "Approval requests"),
        (
            "◔ arming",
            "a request's keys count once it has been on screen for a moment; one that comes while "
            "you type waits behind the ⚑ badge",
        ),
        ("a", "approve a design, plan or migration · allow a tool once · submit answers"),
        ("A / s", "allow the tool for this agent for the rest of the session"),
        ("r", "reject or decline — asks for a reason, enter sends it"),
        ("1-9", "pick an option of the current question (toggle when several may be picked)"),
        ("↑ ↓ space", "move between options and pick"),
        ("enter", "confirm the question and go to the next one; after the last, review all answers"),
        ("tab", "next question, the Other… field, the buttons"),
        ("ctrl+s", "send a reply"),
        ("pgup pgdn", "scroll the request"),
        ("escape", "set the request aside (it stays in the inbox) · back from a reason or the review"),
        ("", "Inbox"),
        ("↑ ↓ j k", "choose a pending request"),
        ("enter", "open it"),
        ("escape", "close"),
        ("", "Task detail"),
        ("o / enter", "open the owner's transcript"),
        ("escape", "close"),
        ("", "Documents"),
        ("↑ ↓", "choose a document"),
        ("tab", "between the list and the document"),
        ("pgup pgdn", "scroll the document"),
        ("escape", "close"),
        ("", "Results"),
        ("pgup pgdn", "scroll the results"),
        ("escape", "back to the team"),
        ("q", "quit"),
        ("", "Message"),
        ("enter", "send it to the agent"),
        ("escape", "drop it"),
        ("", "Sessions running in the background"),
        ("↑ ↓ j k", "choose a session (partytui attach or serve with none named)"),
        ("enter", "attach to it"),
        ("q / escape", "leave"),
        ("", "Confirm"),
        ("y / n", "yes / no (escape: no)"),
        ("", "Help"),
        ("? f1 esc", "close this help"),
    ]


def section_first(rows: list[tuple[str, str]], title: str) -> list[tuple[str, str]]:
    """``rows`` with the section headed ``title`` moved to the top (unchanged when there is none)."""
    sections: list[list[tuple[str, str]]] = []
    for row in rows:
        if not row[0] or not sections:  # a row with no key heads a section
            sections.append([row])
        else:
            sections[-1].append(row)
    chosen = [s for s in sections if s[0] == ("", title)]
    rest = [s for s in sections if s[0] != ("", title)]
    return [row for section in chosen + rest for row in section]


def show_help(screen: Screen[Any], section: str) -> None:
    """Open the help over ``screen``, its own section first (the app's keys when it has them)."""
    app = screen.app
    main = getattr(app, "main", None)
    rows = main.key_help() if main is not None and hasattr(main, "key_help") else modal_keys()
    app.push_screen(HelpScreen(section_first(rows, section)))


class OffersHelp:
    """A screen whose ``?`` opens the help at its own section (``HELP_SECTION``); list HELP_BINDING too."""

    HELP_SECTION = ""

    def action_help(self) -> None:
        show_help(self, self.HELP_SECTION)  # type: ignore[arg-type]


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
