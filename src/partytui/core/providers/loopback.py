"""A scenario served as the Messages API on a loopback socket, for clients partytui does not host in
process: the Claude Code CLI of the ``claude-code`` runtime, offline.

Each agent's CLI gets its own base URL, ``http://127.0.0.1:PORT/agent/NAME``, so the server knows who asks.
The scenario engine is the one the in-process scripted provider uses (:class:`ScenarioTransport`); this
module only carries its answers over HTTP and speaks Claude Code's dialect of the conversation:

- scenario turns name partytui's tools; the team's arrive at Claude Code as ``mcp__partytui__X`` (the names
  are mapped in :mod:`partytui.core.runtimes.claude_code`);
- Claude Code sends MCP tools deferred: a call to one whose schema the request does not carry yet is first
  served as the ``ToolSearch`` call that loads it, and the scenario's turn follows on the next request;
- Claude Code's own additions (a ``system`` role message, the ToolSearch round trips) are taken out of the
  conversation before the scenario picks the turn that answers it.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import Any
from urllib.parse import unquote

import httpx2

from ..runtimes.claude_code import MCP_PREFIX, TOOL_SEARCH, ClaudeCodeBackend, claude_code_name, partytui_name
from ..truth.session import Session
from . import sse
from .anthropic import AGENT_HEADER
from .scenario import Scenario
from .scripted import SCRIPTED_BASE_URL, ScenarioTransport

MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 32 * 1024 * 1024


def claude_code_turn(body: dict[str, Any], turn: sse.WireTurn) -> sse.WireTurn:
    """A scenario turn as Claude Code must get it: team tools by their MCP names, loaded first if deferred."""
    calls = [replace(call, name=claude_code_name(call.name)) for call in turn.tool_calls]
    loaded = {t.get("name") for t in body.get("tools") or [] if isinstance(t, dict)}
    missing = list(dict.fromkeys(c.name for c in calls if c.name.startswith(MCP_PREFIX) and c.name not in loaded))
    if missing:
        search = sse.ToolCall(
            f"{turn.msg_id}_toolsearch".replace("msg_", "toolu_"),
            TOOL_SEARCH,
            {"query": "select:" + ",".join(missing), "max_results": len(missing)},
        )
        return sse.WireTurn(
            msg_id=f"{turn.msg_id}_toolsearch",
            model=turn.model,
            tool_calls=[search],
            stop_reason="tool_use",
            input_tokens=turn.input_tokens,
            output_tokens=1,
        )
    return replace(turn, tool_calls=calls)


def conversation_view(messages: list[Any]) -> list[dict[str, Any]]:
    """The conversation as a scenario reads it: user and assistant turns only, without ToolSearch round
    trips, with partytui's tool names."""
    view: list[dict[str, Any]] = []
    searches: set[str] = set()
    for message in messages:
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            continue
        content = message.get("content")
        blocks = content if isinstance(content, list) else [{"type": "text", "text": str(content or "")}]
        kept = []
        for block in blocks:
            if not isinstance(block, dict):
                continue
            if block.get("type") == "tool_use" and block.get("name") == TOOL_SEARCH:
                searches.add(str(block.get("id")))
                continue
            if block.get("type") == "tool_result" and block.get("tool_use_id") in searches:
                continue
            if block.get("type") == "tool_use":
                block = {**block, "name": partytui_name(str(block.get("name", "")))}
            kept.append(block)
        if not kept:
            continue  # a turn that only loaded tools, or only their results
        if view and view[-1]["role"] == message["role"]:
            view[-1] = {"role": message["role"], "content": view[-1]["content"] + kept}
        else:
            view.append({"role": message["role"], "content": kept})
    return view


class ScenarioServer:
    """``await server.start()``, then point each agent's client at ``server.base_url(agent)``."""

    def __init__(self, scenario: Scenario, session: Session, *, speed: float = 1.0) -> None:
        self.transport = ScenarioTransport(scenario, session, speed=speed, adapt=claude_code_turn)
        self.port = 0
        self.requests = 0
        self._server: asyncio.base_events.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    def base_url(self, agent: str) -> str:
        return f"http://127.0.0.1:{self.port}/agent/{agent}"

    async def start(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._handle, host="127.0.0.1", port=0)
            self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):  # kept-alive connections of CLIs that are gone
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while await self._serve_one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, httpx2.HTTPError):
            pass
        except asyncio.CancelledError:
            pass  # the run is over: the connection just closes
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _serve_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Answer one request; True when the connection may carry another."""
        head = await reader.readuntil(b"\r\n\r\n")
        if len(head) > MAX_HEADER_BYTES:
            await _send(writer, httpx2.Response(431, content=b"headers too large"))
            return False
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, target = (request_line.split(" ") + ["", ""])[:2]
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in header_lines) if k}
        length = int(headers.get("content-length") or 0)
        if length > MAX_BODY_BYTES:
            await _send(writer, httpx2.Response(413, content=b"request too large"))
            return False
        raw = await reader.readexactly(length) if length else b""
        self.requests += 1
        await _send(writer, await self._answer(method, target.split("?")[0], raw))
        return headers.get("connection", "").lower() != "close"

    async def _answer(self, method: str, path: str, raw: bytes) -> httpx2.Response:
        parts = path.split("/")  # "", "agent", NAME, "v1", "messages"
        if method != "POST" or len(parts) != 5 or parts[1] != "agent" or parts[3:] != ["v1", "messages"]:
            return _error(404, f"this server answers POST /agent/NAME/v1/messages, not {method} {path}")
        try:
            body = json.loads(raw)
        except ValueError:
            return _error(400, "the request body is not JSON")
        if not isinstance(body, dict):
            return _error(400, "the request body is not a JSON object")
        body["messages"] = conversation_view(body.get("messages") or [])
        request = httpx2.Request(
            "POST", f"{SCRIPTED_BASE_URL}/v1/messages", json=body, headers={AGENT_HEADER: unquote(parts[2])}
        )
        return await self.transport.handle_async_request(request)


def _error(status: int, message: str) -> httpx2.Response:
    status, headers, content = sse.http_error(status, message=message)
    return httpx2.Response(status, headers=headers, content=content)


async def _send(writer: asyncio.StreamWriter, response: httpx2.Response) -> None:
    head = [f"HTTP/1.1 {response.status_code} {response.reason_phrase or 'Status'}", "transfer-encoding: chunked"]
    head += [
        f"{k}: {v}" for k, v in response.headers.items() if k.lower() not in ("content-length", "transfer-encoding")
    ]
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
    async for chunk in response.aiter_raw():
        if chunk:
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            await writer.drain()
    writer.write(b"0\r\n\r\n")
    await writer.drain()


class ScenarioBackend(ClaudeCodeBackend):
    """Claude Code sessions that reach a scenario on a loopback server instead of the API, offline.

    ``config_dir`` is Claude Code's own folder for these sessions (its saved conversations, which a
    resume continues); it keeps them out of the person's ``~/.claude``.
    """

    def __init__(self, scenario: Scenario, session: Session, *, speed: float, config_dir: str) -> None:
        self.server = ScenarioServer(scenario, session, speed=speed)
        self.config_dir = config_dir
        self.cli_path: str | None = None
        self.stderr = None

    async def env_for(self, agent: str) -> dict[str, str]:
        from ..runtimes.claude_code import offline_env

        await self.server.start()
        return offline_env(self.server.base_url(agent), self.config_dir)

    async def close(self) -> None:
        await self.server.stop()
