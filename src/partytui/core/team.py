"""The services a team offers its agents' tools, and the controls a person has over a running team."""

from __future__ import annotations

from typing import Protocol


class TeamController(Protocol):
    """What the TUI may do to a running team (keys p, x, m)."""

    def pause(self, agent: str) -> None: ...
    def resume(self, agent: str) -> None: ...
    def cancel(self, agent: str) -> None: ...
    def send(self, agent: str, text: str) -> None: ...
    def is_paused(self, agent: str) -> bool: ...


class TeamRuntime(Protocol):
    """What team tools (TaskCreate, SendMessage, RequestApproval, …) call into; the orchestrator implements it."""
