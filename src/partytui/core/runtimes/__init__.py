"""Agent runtimes: how one agent thinks and acts, behind the narrow :class:`AgentRuntime` seam.

- ``api``: partytui's own loop over the Messages API with partytui's tools (:mod:`.api`).
- ``claude-code``: a real Claude Code session through the Claude Agent SDK (:mod:`.claude_code`), an extra.

The team builds every agent with :func:`make_runtime` and never asks which runtime it got.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .base import RUNTIMES, AgentHost, AgentRuntime, AgentSpec, asks_the_person, phase_news

if TYPE_CHECKING:
    from ..providers.base import Provider
    from ..tools.base import Limits
    from .claude_code import ClaudeCodeBackend

__all__ = [
    "RUNTIMES",
    "AgentHost",
    "AgentRuntime",
    "AgentSpec",
    "Backends",
    "asks_the_person",
    "make_runtime",
    "phase_news",
]


@dataclass
class Backends:
    """What runtimes reach models through: the API runtime's provider, Claude Code's environment."""

    provider: Provider | None = None
    claude_code: ClaudeCodeBackend | None = None

    async def close(self) -> None:
        """Release what the run held (Claude Code's loopback server, offline)."""
        close = getattr(self.claude_code, "close", None)
        if close is not None:
            await close()


def make_runtime(
    spec: AgentSpec, host: AgentHost, *, briefing: str, backends: Backends, limits: Limits
) -> AgentRuntime:
    """The runtime ``spec.runtime`` names, for this agent of this team."""
    if spec.runtime == "api":
        from .api import ApiRuntime

        if backends.provider is None:
            raise ValueError(f"{spec.name}: the API runtime needs a provider")
        return ApiRuntime(spec, host, briefing=briefing, provider=backends.provider, limits=limits)
    if spec.runtime == "claude-code":
        from .claude_code import ClaudeCodeBackend, ClaudeCodeRuntime

        return ClaudeCodeRuntime(
            spec, host, briefing=briefing, backend=backends.claude_code or ClaudeCodeBackend(), limits=limits
        )
    raise ValueError(f"{spec.name}: unknown runtime {spec.runtime!r} (known: {', '.join(RUNTIMES)})")
