"""A provider built when the first turn asks for it, its SDK imported in a thread.

Importing the anthropic SDK costs about half a second, most of a TUI's start-up; no model turn is needed to
draw the first frame, so the TUI is shown first and the SDK is loaded while the person looks at it. The
thread's import takes turns with the event loop on the GIL, so a TUI holds it until its first frame is
drawn (``load_after``).
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from .base import Provider, StreamSink, TurnResult


class DeferredProvider:
    """Stands in for the provider ``build`` returns, building it once, at the first turn.

    ``modules`` are imported in a worker thread first (the event loop keeps drawing and answering keys
    meanwhile); ``build`` then runs on the loop, where the SDK's client belongs, with the imports cached.
    """

    def __init__(self, build: Callable[[], Provider], modules: Sequence[str] = ()) -> None:
        self._build = build
        self._modules = tuple(modules)
        self._provider: Provider | None = None
        self._lock: asyncio.Lock | None = None
        self._after: Callable[[], Awaitable[None]] | None = None

    def load_after(self, ready: Callable[[], Awaitable[None]]) -> None:
        """The first turn awaits ``ready()`` before the import starts (the TUI: its first frame is drawn)."""
        self._after = ready

    async def provider(self) -> Provider:
        if self._provider is None:
            self._lock = self._lock or asyncio.Lock()
            async with self._lock:  # every agent starts at once: one build
                if self._provider is None:
                    if self._after is not None:
                        await self._after()
                    for name in self._modules:
                        await asyncio.to_thread(importlib.import_module, name)
                    self._provider = self._build()
        return self._provider

    async def stream_turn(self, *, sink: StreamSink, **turn: Any) -> TurnResult:
        provider = await self.provider()
        return await provider.stream_turn(sink=sink, **turn)
