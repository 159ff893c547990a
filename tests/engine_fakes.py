"""A provider that plays Python-scripted turns, for engine tests that are about the team, not the SDK.

The SDK path itself is tested through the scripted transport and the fake API server.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from partytui.core.providers.base import TurnResult
from partytui.core.team.approvals import ApprovalBroker
from partytui.core.team.orchestrator import Member, Team
from partytui.core.team.policy import Policy
from partytui.core.tools.names import OFFERED_TOOLS
from partytui.core.truth.events import Usage
from partytui.core.truth.log import SessionLog
from partytui.core.truth.session import Session

_ids = itertools.count(1)


def text(t: str) -> dict[str, Any]:
    return {"type": "text", "text": t}


def call(name: str, **args: Any) -> dict[str, Any]:
    return {"type": "tool_use", "id": f"toolu_{next(_ids)}", "name": name, "input": args}


class Sink:
    """Records what a provider streams: text, thinking and retries."""

    def __init__(self) -> None:
        self.text: list[str] = []
        self.thinking: list[str] = []
        self.retries: list[tuple[int, int, float, str]] = []

    def on_text(self, text: str) -> None:
        self.text.append(text)

    def on_thinking(self, text: str) -> None:
        self.thinking.append(text)

    def on_retry(self, attempt: int, max_attempts: int, delay_s: float, reason: str) -> None:
        self.retries.append((attempt, max_attempts, delay_s, reason))


class FakeProvider:
    """Serves each agent's turns in order (turn N = the number of assistant messages so far)."""

    def __init__(self, scripts: dict[str, list[list[dict[str, Any]]]]) -> None:
        self.scripts = scripts
        self.requests: dict[str, list[list[dict[str, Any]]]] = {}

    async def stream_turn(self, *, agent, model, system, messages, tools, max_tokens, sink) -> TurnResult:
        self.requests.setdefault(agent, []).append(copy.deepcopy(messages))
        index = sum(1 for m in messages if m["role"] == "assistant")
        turns = self.scripts.get(agent, [])
        content = turns[index] if index < len(turns) else [text("(nothing more)")]
        for block in content:
            if block["type"] == "text":
                sink.on_text(block["text"])
        stop = "tool_use" if any(b["type"] == "tool_use" for b in content) else "end_turn"
        return TurnResult(content=content, stop_reason=stop, usage=Usage(input_tokens=10, output_tokens=5), model=model)


def member(
    name: str, *, lead: bool = False, mode: str = "bypassPermissions", tools: Sequence[str] | None = None
) -> Member:
    return Member(
        name=name,
        model="claude-sonnet-5-5",
        system_prompt=f"You are {name}.",
        tools=list(tools or OFFERED_TOOLS),
        lead=lead,
        permission_mode=mode,
    )


def make_team(
    tmp_path: Path,
    scripts: dict[str, list[list[dict[str, Any]]]],
    members: Sequence[Member],
    *,
    policy: Policy | None = None,
    solo: bool = False,
    log: Path | None = None,
) -> tuple[Team, FakeProvider]:
    session = Session(log=SessionLog(log) if log is not None else None)
    broker = ApprovalBroker(session, policy)
    provider = FakeProvider(scripts)
    workspace = tmp_path / "ws"
    workspace.mkdir(exist_ok=True)
    team = Team(session, broker, provider, members, workspace=workspace, goal="build it", solo=solo)
    return team, provider


def results(team: Team, agent: str) -> list[tuple[str, bool, str]]:
    """(tool, ok, output) of every tool call the agent made, in order."""
    return [
        (e.tool, bool(e.ok), e.output or "") for e in team.session.state.agents[agent].transcript if e.kind == "tool"
    ]
