"""Offline runs: a scenario served as the Messages API, in process, to the real SDK and provider.

``ScenarioTransport`` answers ``POST /v1/messages`` for the SDK's HTTP client. The asking agent comes from
the ``x-partytui-agent`` header and the turn from the number of assistant messages in the request, so a
resumed session picks up at the right turn. A turn waits until its ``when`` condition holds in the
session's state, serves its faults (one per attempt), then streams at a human-watchable pace.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import anthropic
import httpx2

from ..truth.session import Session
from . import sse
from .anthropic import AGENT_HEADER, AnthropicProvider
from .scenario import Fault, Scenario, Turn, condition_holds

SCRIPTED_BASE_URL = "http://scripted.partytui.invalid"
SCRIPTED_API_KEY = "scripted-offline"

FIRST_TOKEN_S = (0.4, 0.8)
TOKENS_PER_S = (60.0, 100.0)
CHARS_PER_TOKEN = 4
EVENT_STREAM = {"content-type": "text/event-stream"}

Sleep = Callable[[float], Awaitable[Any]]
# rewrites a turn for the client that asked (the request body, the turn) → the turn to stream
Adapt = Callable[[dict[str, Any], sse.WireTurn], sse.WireTurn]


class ScenarioTransport(httpx2.AsyncBaseTransport):
    def __init__(
        self,
        scenario: Scenario,
        session: Session,
        *,
        speed: float = 1.0,
        sleep: Sleep = asyncio.sleep,
        adapt: Adapt | None = None,
    ) -> None:
        if speed < 0:
            raise ValueError("speed must be 0 (no waiting) or positive")
        self.scenario = scenario
        self.session = session
        self.speed = speed
        self.sleep = sleep
        self.adapt = adapt
        self.attempts: dict[tuple[str, int], int] = {}
        # what was served, in order: (agent, turn index, "turn" | "ended" | "fault:<kind>")
        self.served: list[tuple[str, int, str]] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if request.method != "POST" or not request.url.path.endswith("/v1/messages"):
            asked = f"{request.method} {request.url.path}"
            return _error_response(404, f"the scripted API serves POST /v1/messages, not {asked}")
        try:
            body = json.loads(await request.aread())
        except ValueError:
            return _error_response(400, "the request body is not JSON")
        agent = request.headers.get(AGENT_HEADER)
        if not agent:
            return _error_response(400, f"the scripted API needs the {AGENT_HEADER} header to know who is asking")
        messages = body.get("messages") or []
        index = sum(1 for m in messages if isinstance(m, dict) and m.get("role") == "assistant")
        model = str(body.get("model") or "scripted")
        turn = self.scenario.select(agent, messages)
        if turn is None:
            self.served.append((agent, index, "ended"))
            scripted = len(self.scenario.agents.get(agent, []))
            return self._stream(agent, index, _script_ended(agent, index, model, scripted))

        if (when := turn.when) is not None:
            await self.session.hold(
                agent,
                f"its scripted turn waits for {when.describe()}",
                lambda state: condition_holds(when, state, agent),
            )

        turn = turn.resolved(self.session.state, agent)  # the person's answers so far pick its variant
        key = (agent, index)
        attempt = self.attempts.get(key, 0)
        self.attempts[key] = attempt + 1
        if attempt < len(turn.faults):
            fault = turn.faults[attempt]
            self.served.append((agent, index, f"fault:{fault.kind}"))
            return self._fault(fault, agent, index, model)

        self.served.append((agent, index, "turn"))
        if turn.pause and self.speed:
            await self.sleep(turn.pause / self.speed)
        wire = _wire_turn(agent, index, model, turn, body)
        return self._stream(agent, index, self.adapt(body, wire) if self.adapt else wire)

    # ── responses ────────────────────────────────────────────────────────────

    def _stream(self, agent: str, index: int, turn: sse.WireTurn) -> httpx2.Response:
        return httpx2.Response(200, headers=EVENT_STREAM, content=self._paced(agent, index, turn))

    async def _paced(self, agent: str, index: int, turn: sse.WireTurn) -> AsyncIterator[bytes]:
        rng = random.Random(f"{agent}:{index}")  # the same pace every run: demos and replays look alike
        rate = rng.uniform(*TOKENS_PER_S)
        first = True
        for name, data in sse.turn_events(turn):
            if self.speed and name == "content_block_delta":
                text = sse.delta_text(data)
                delay = rng.uniform(*FIRST_TOKEN_S) if first else max(1.0, len(text) / CHARS_PER_TOKEN) / rate
                first = False
                await self.sleep(delay / self.speed)
            yield sse.encode(name, data)

    def _fault(self, fault: Fault, agent: str, index: int, model: str) -> httpx2.Response:
        msg_id = f"msg_{agent}_{index}_fault"
        if fault.status is not None:
            status, headers, content = sse.http_error(
                fault.status, retry_after_ms=fault.retry_after_ms, message=fault.message
            )
            return httpx2.Response(status, headers=headers, content=content)
        if fault.timeout:
            raise httpx2.ReadTimeout("the scripted API did not answer in time")
        start = sse.encode(*next(sse.turn_events(sse.WireTurn(msg_id=msg_id, model=model))))
        if fault.midstream:
            events = [start, sse.encode("ping", {"type": "ping"}), sse.midstream_error(fault.midstream, fault.message)]
            return httpx2.Response(200, headers=EVENT_STREAM, content=_replay(events))
        if fault.malformed:
            return httpx2.Response(200, headers=EVENT_STREAM, content=_replay(sse.malformed_events(msg_id, model)))
        return httpx2.Response(200, headers=EVENT_STREAM, content=_reset_after([start]))


async def _replay(events: list[bytes]) -> AsyncIterator[bytes]:
    for event in events:
        yield event


async def _reset_after(events: list[bytes]) -> AsyncIterator[bytes]:
    for event in events:
        yield event
    raise httpx2.RemoteProtocolError("peer closed connection without sending complete message body")


def _error_response(status: int, message: str) -> httpx2.Response:
    status, headers, content = sse.http_error(status, message=message)
    return httpx2.Response(status, headers=headers, content=content)


def _estimate(text: str) -> int:
    return max(1, len(text) // CHARS_PER_TOKEN)


def _wire_turn(agent: str, index: int, model: str, turn: Turn, body: dict[str, Any]) -> sse.WireTurn:
    calls = [sse.ToolCall(f"toolu_{agent}_{index}_{k}", call.name, call.input) for k, call in enumerate(turn.tools)]
    written = (turn.text or "") + (turn.thinking or "") + "".join(json.dumps(c.input) for c in turn.tools)
    asked = json.dumps([body.get("system"), body.get("messages"), body.get("tools")], default=str)
    usage = turn.usage
    signature = ""
    if turn.thinking is not None:
        signature = "sig_" + hashlib.sha256(f"{agent}:{index}:{turn.thinking}".encode()).hexdigest()[:40]
    return sse.WireTurn(
        msg_id=f"msg_{agent}_{index}",
        model=model,
        text=turn.text,
        thinking=turn.thinking,
        signature=signature,
        tool_calls=calls,
        stop_reason=turn.stop_reason,
        input_tokens=usage.input_tokens if usage and usage.input_tokens is not None else _estimate(asked),
        output_tokens=usage.output_tokens if usage and usage.output_tokens is not None else _estimate(written),
        cache_creation_input_tokens=usage.cache_creation_input_tokens if usage else 0,
        cache_read_input_tokens=usage.cache_read_input_tokens if usage else 0,
    )


def _script_ended(agent: str, index: int, model: str, turns: int) -> sse.WireTurn:
    text = f"(The script for {agent} has ended after {turns} turn{'s' if turns != 1 else ''}; nothing more to do.)"
    return sse.WireTurn(
        msg_id=f"msg_{agent}_{index}",
        model=model,
        text=text,
        stop_reason="end_turn",
        input_tokens=1,
        output_tokens=_estimate(text),
    )


def scripted_provider(scenario: Scenario, session: Session, *, speed: float = 1.0) -> AnthropicProvider:
    """The real provider and SDK, talking to ``scenario`` instead of the network."""
    transport = ScenarioTransport(scenario, session, speed=speed)
    client = anthropic.AsyncAnthropic(
        api_key=SCRIPTED_API_KEY,
        base_url=SCRIPTED_BASE_URL,
        http_client=httpx2.AsyncClient(transport=transport),
        max_retries=0,
    )
    scale = 1.0 / speed if speed > 0 else 0.0
    return AnthropicProvider(client, base_delay_s=1.0 * scale, max_delay_s=30.0 * scale)
