"""The provider contract: stream one assistant turn, report deltas and retries, return the whole message."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..truth.events import Usage


class StreamSink(Protocol):
    def on_text(self, text: str) -> None: ...
    def on_thinking(self, text: str) -> None: ...
    def on_retry(self, attempt: int, max_attempts: int, delay_s: float, reason: str) -> None: ...


@dataclass
class TurnResult:
    content: list[dict[str, Any]]  # the assistant message's blocks in API shape (text, thinking, tool_use)
    stop_reason: str | None
    usage: Usage = field(default_factory=Usage)
    model: str = ""


class ProviderError(Exception):
    """A turn that could not be had. ``fatal``: retrying cannot help (bad key, bad request)."""

    def __init__(self, message: str, *, fatal: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.fatal = fatal
        self.status = status


class Provider(Protocol):
    async def stream_turn(
        self,
        *,
        agent: str,
        model: str,
        system: str,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]],
        max_tokens: int,
        sink: StreamSink,
    ) -> TurnResult: ...


def has_credentials() -> bool:
    """Whether the environment names an API key or token (what a live run needs); no SDK import."""
    return bool(os.environ.get("ANTHROPIC_API_KEY") or os.environ.get("ANTHROPIC_AUTH_TOKEN"))
