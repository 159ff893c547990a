"""DocumentsScreen: the shared plan and context documents the agents write and read.

The list shows each document with who changed it last and when, and who has read it; the selected one's
content (as the mirror last saw it, so a replay shows the same) is rendered as Markdown. Escape closes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Markdown, OptionList, Static
from textual.widgets.option_list import Option

from ...core.truth.state import DocumentView, TeamState
from ...core.views.present import age
from ..plain import plain, plain_line, plain_text
from .approval import agent_style
from .help import HELP_BINDING, OffersHelp


def document_order(path: str) -> tuple[int, str]:
    """Top-level documents first, then by path: a stable order that does not jump as documents change."""
    return (path.count("/"), path.lower())


def _size(n: int) -> str:
    return f"{n} B" if n < 1024 else f"{n / 1024:.1f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


class DocumentsScreen(OffersHelp, ModalScreen[None]):
    HELP_SECTION = "Documents"
    CSS_PATH = "documents.tcss"

    BINDINGS = [
        Binding("escape,q", "close", "Close", key_display="esc"),
        Binding("tab", "switch", "List / document", show=True, key_display="tab"),
        Binding("pagedown", "page(1)", "Scroll", show=False),
        Binding("pageup", "page(-1)", "Scroll", show=False),
        HELP_BINDING,
    ]

    def __init__(
        self,
        state: TeamState | Callable[[], TeamState],
        workspace: Path | str | None = None,
        clock: Callable[[], float] = time.time,
        *,
        refresh_s: float = 1.0,
    ) -> None:
        super().__init__()
        # a session's state is a value each event replaces: a screen that follows it is given how to read it now
        self._state_now = state if callable(state) else (lambda: state)
        self.workspace = Path(workspace) if workspace else None
        self.clock = clock
        self.refresh_s = refresh_s
        self.selected: str | None = None
        self._listed: tuple = ()
        self._shown: tuple = ()

    @property
    def state(self) -> TeamState:
        return self._state_now()

    # ── building ─────────────────────────────────────────────────────────────

    def _documents(self) -> list[DocumentView]:
        return sorted(self.state.documents.values(), key=lambda d: document_order(d.path))

    def compose(self) -> ComposeResult:
        with Vertical(id="documents"):
            yield Static(id="documents-title")
            with Horizontal(id="documents-body"):
                yield OptionList(id="document-list")
                with Vertical(id="document-view"):
                    yield Static(id="document-facts")
                    with VerticalScroll(id="document-scroll"):
                        yield Markdown("", id="document-content")
            yield Static(
                "No shared documents yet. Plans and context files the agents write (MULTI_AGENT_PLAN.md, "
                "CLAUDE.md, requirements.md, docs/*.md, …) appear here.",
                id="documents-empty",
            )
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_list()
        self.query_one("#document-list", OptionList).focus()
        if self.refresh_s > 0:
            self.set_interval(self.refresh_s, self.refresh_list)

    def _agent(self, name: str | None) -> Text:
        if not name:
            return Text("nobody known", style="dim italic")
        view = self.state.agents.get(name)
        return plain_text(plain_line(name), style=agent_style(view.info.color if view else None, name))

    def _option(self, doc: DocumentView, now: float) -> Option:
        line = plain_text(plain_line(doc.path), style="bold")
        line.append("\n")
        line.append_text(self._agent(doc.changed_by) if doc.changed_by else Text("unknown", style="dim italic"))
        line.append(f" · {age(now - doc.changed_at)}", style="dim")
        if doc.reads:
            line.append(f" · {len(doc.reads)} read", style="dim")
        line.no_wrap, line.overflow = True, "ellipsis"
        return Option(line, id=doc.path)

    def refresh_list(self) -> None:
        """Bring the list and the shown document up to date with the state (it keeps changing while agents run)."""
        now = self.clock()
        docs = self._documents()
        key = tuple((d.path, d.changes, d.changed_by, len(d.reads)) for d in docs) + (int(now) // 60,)
        count = f"  {len(docs)} shared file{'s' if len(docs) != 1 else ''}"
        title = Text.assemble(("Documents", "bold"), (count, "dim"))
        if self.workspace is not None:
            title.append(f" in {plain_line(self.workspace)}", style="dim")
        self.query_one("#documents-title", Static).update(title)
        self.set_class(not docs, "-empty")
        if key != self._listed:
            self._listed = key
            options = self.query_one("#document-list", OptionList)
            keep = self.selected
            options.clear_options()
            options.add_options([self._option(d, now) for d in docs])
            paths = [d.path for d in docs]
            if paths:
                options.highlighted = paths.index(keep) if keep in paths else 0
        self._show(self.selected if self.selected in self.state.documents else None)

    def _show(self, path: str | None) -> None:
        if path is None:
            docs = self._documents()
            path = docs[0].path if docs else None
        self.selected = path
        doc = self.state.documents.get(path) if path else None
        facts = self.query_one("#document-facts", Static)
        content = self.query_one("#document-content", Markdown)
        if doc is None:
            facts.update("")
            if self._shown:
                content.update("")
                self._shown = ()
            return
        now = self.clock()
        facts.update(self._facts(doc, now))
        shown = (doc.path, doc.changes, doc.content)
        if shown != self._shown:
            self._shown = shown
            content.update(plain(doc.content) if doc.content.strip() else "*(empty)*")
            self.query_one("#document-scroll", VerticalScroll).scroll_home(animate=False)

    def _facts(self, doc: DocumentView, now: float) -> Text:
        text = plain_text(plain_line(doc.path), style="bold")
        text.append(f"  {_size(doc.size)}", style="dim")
        text.append("\nchanged by ", style="dim")
        text.append_text(self._agent(doc.changed_by))
        text.append(f" {age(now - doc.changed_at)}", style="dim")
        if doc.changes > 1:
            text.append(f" · {doc.changes} versions", style="dim")
        text.append("\nread by ", style="dim")
        if doc.reads:
            for i, (agent, ts) in enumerate(sorted(doc.reads.items(), key=lambda r: -r[1])):
                if i:
                    text.append(", ", style="dim")
                text.append_text(self._agent(agent))
                text.append(f" {age(now - ts)}", style="dim")
        else:
            text.append("nobody yet", style="dim italic")
        if doc.truncated:
            text.append(f"\nshowing the first {_size(len(doc.content.encode()))} of {_size(doc.size)}", style="yellow")
        return text

    # ── events and actions ─────────────────────────────────────────────────

    def on_option_list_option_highlighted(self, message: OptionList.OptionHighlighted) -> None:
        if message.option.id is not None and message.option.id != self.selected:
            self._show(message.option.id)

    def on_option_list_option_selected(self, message: OptionList.OptionSelected) -> None:
        # enter opens the document for reading: focus moves to it so the arrows scroll it
        self.query_one("#document-scroll", VerticalScroll).focus()

    def action_switch(self) -> None:
        scroll = self.query_one("#document-scroll", VerticalScroll)
        if scroll.has_focus:
            self.query_one("#document-list", OptionList).focus()
        else:
            scroll.focus()

    def action_page(self, direction: int) -> None:
        scroll = self.query_one("#document-scroll", VerticalScroll)
        scroll.scroll_page_down(animate=False) if direction > 0 else scroll.scroll_page_up(animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
