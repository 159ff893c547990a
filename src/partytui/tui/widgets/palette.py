"""The command palette's partytui commands: the main screen's key actions, by name, for every agent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from ..plain import plain_line


class OffersCommands(Protocol):
    def palette_commands(self) -> list[tuple[str, str, Callable[[], object]]]: ...


class PartyCommands(Provider):
    """Asks the screen it was opened from for ``(title, help, callback)`` triples."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        screen = self.screen
        offer = getattr(screen, "palette_commands", None)
        return offer() if callable(offer) else []

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            # the title may hold an agent's name: shown plain; Textual reads help as markup, so it holds none
            title = plain_line(title)
            yield DiscoveryHit(Content(title), callback, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            title = plain_line(title)
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, _highlight(matcher, title), callback, text=title, help=help_text)


def _highlight(matcher: Matcher, title: str) -> Content:
    """``Matcher.highlight`` without reading the title as markup (it may hold an agent's name)."""
    content = Content(title)
    score, offsets = matcher.fuzzy_search.match(matcher.query, title)
    for offset in offsets if score else ():
        if not title[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
