"""The command palette's partytui commands: the main screen's key actions, by name, for every agent."""

from __future__ import annotations

from typing import Callable, Protocol

from textual.command import DiscoveryHit, Hit, Hits, Provider


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
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, text=title, help=help_text)
