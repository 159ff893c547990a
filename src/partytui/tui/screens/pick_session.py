"""SessionPicker: the sessions running detached in a folder, to attach to one (``partytui serve`` with none named).

The list follows the folder by itself: a team that starts appears, one that ends goes. Each log is read
again only when it changed (in a thread: a long log takes a moment to fold).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ...core.attach.running import running_teams
from ...core.truth.sessions import SessionEntry, read_entry
from ...core.views.present import one_line
from .choice_list import MOVE_BINDINGS, ChoosesFromList
from .help import HELP_BINDING, OffersHelp

REFRESH_S = 1.0


def running_entries(folder: Path, known: dict[Path, tuple[tuple[float, int], SessionEntry]]) -> list[SessionEntry]:
    """The sessions of ``folder`` running detached now, newest first; ``known`` keeps entries by log size and time."""
    entries = []
    for team in running_teams(folder).values():
        if not team.detached:
            continue
        try:
            stat = team.log_path.stat()
        except OSError:
            continue  # removed while we looked
        mark = (stat.st_mtime, stat.st_size)
        cached = known.get(team.log_path)
        if cached is None or cached[0] != mark:
            cached = known[team.log_path] = (mark, read_entry(team.log_path))
        entries.append(cached[1])
    entries.sort(key=lambda e: e.id, reverse=True)  # ids begin with their start time
    return entries


class SessionPicker(ChoosesFromList, OffersHelp, Screen[Path | None]):
    """Returns the log of the session chosen, or None when the person leaves."""

    CSS_PATH = "pick_session.tcss"
    HELP_SECTION = "Sessions running in the background"

    BINDINGS = [
        Binding("enter", "choose", "Attach"),
        Binding("q,escape", "leave", "Quit", key_display="q"),
        *MOVE_BINDINGS,
        HELP_BINDING,
    ]

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder
        self.entries: list[SessionEntry] = []
        self._shown: list[tuple[str, int, str]] | None = None  # what the list shows: nothing yet
        self._known: dict[Path, tuple[tuple[float, int], SessionEntry]] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="pick"):
            yield Static(Text("Sessions running in the background", style="bold"), id="pick-title")
            yield Static(Text(one_line(str(self.folder), 200), style="dim"), id="pick-folder")
            yield Static("enter attaches to the session chosen · q leaves · ? help", id="pick-hint")
            yield OptionList(id="pick-list")
            yield Static(
                "No session is running detached here. Start one with `partytui demo --detach` or "
                "`partytui run GOAL --detach`: it appears in this list by itself.",
                id="pick-empty",
            )
        yield Footer()

    async def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        await self.refresh_list()
        self.set_interval(REFRESH_S, self.refresh_list)

    async def refresh_list(self) -> None:
        entries = await asyncio.to_thread(running_entries, self.folder, self._known)
        shown = [(e.id, e.pending, e.goal) for e in entries]
        if shown == self._shown:
            return
        self._shown = shown
        options = self.query_one(OptionList)
        chosen = self._highlighted_id()
        self.entries = entries
        options.clear_options()
        options.add_options([Option(self._label(e), id=e.id) for e in entries])
        ids = [e.id for e in entries]
        if entries:
            options.highlighted = ids.index(chosen) if chosen in ids else 0
        self.query_one("#pick-empty").display = not entries

    def _label(self, entry: SessionEntry) -> Text:
        label = Text(one_line(entry.id, 80), style="bold")  # ids, too, are read from logs
        waiting = f"{entry.pending} waiting for you" if entry.pending else "nothing waiting"
        label.append(f"  {waiting}", style="yellow" if entry.pending else "dim")
        goal = entry.goal if entry.problem is None else entry.problem
        width = max(20, min(self.app.size.width, 100) - 12)
        label.append(f"\n  {one_line(goal or '-', width)}")  # goals come from logs: plain text, one line
        return label

    def _highlighted_id(self) -> str | None:
        options = self.query_one(OptionList)
        if options.highlighted is None or not self.entries:
            return None
        return self.entries[options.highlighted].id

    def chosen(self, option: Option) -> Path | None:
        return next((e.path for e in self.entries if e.id == option.id), None)

    def action_leave(self) -> None:
        self.dismiss(None)
