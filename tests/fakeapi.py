"""A fake Anthropic Messages API for tests: scripted responses, in process or on a loopback socket.

Each request gets the next item of a script (a list of dicts); every request body is recorded.

    {"text": "...", "thinking": "...", "tool_calls": [{"name": "Read", "input": {...}}],
     "stop_reason": "tool_use", "usage": {"input_tokens": 10, "output_tokens": 5}}
    {"status": 529}  {"status": 429, "retry_after_ms": 5}  {"status": 503, "retry_after": "1"}
    {"midstream": "overloaded_error"}   {"malformed": true}   {"reset": true}
    {"timeout": true}  never answer: in process the transport raises a read timeout; on a socket the
                       connection is dropped without a response
    {"hang": 2.0}      the same, after waiting that long (for a client whose own timeout is shorter)

A tool call's ``input`` given as a string is sent verbatim (to serve broken JSON). When the script runs out,
each further request gets an end_turn text saying so.

As a subprocess (for end-to-end CLI tests):
    python -m tests.fakeapi --port-file PORT --script SCRIPT.json [--requests-file REQ.jsonl]
                            [--idle-timeout 30] [--max-requests 500]
It listens on 127.0.0.1 only, writes its port to PORT once listening, appends each request body as one
JSON line to REQ.jsonl, and exits after --idle-timeout seconds without a request or after --max-requests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx2

from partytui.core.providers import sse

MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 16 * 1024 * 1024
MAX_HANG_S = 30.0


class FakeScript:
    """The scripted answers, served in order, and the requests they answered."""

    def __init__(self, turns: list[dict[str, Any]] | None = None) -> None:
        self.turns = list(turns or [])
        self.requests: list[dict[str, Any]] = []  # {"method", "path", "headers", "body"}
        self.served = 0

    def record(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> dict[str, Any]:
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        entry = {"method": method, "path": path, "headers": headers, "body": body}
        self.requests.append(entry)
        return entry

    def next_spec(self) -> dict[str, Any]:
        if self.served < len(self.turns):
            spec = self.turns[self.served]
        else:
            spec = {"text": "(fake API: the script has no more turns)"}
        self.served += 1
        return spec

    @property
    def bodies(self) -> list[Any]:
        return [r["body"] for r in self.requests]


def wire_turn(spec: dict[str, Any], n: int, model: str) -> sse.WireTurn:
    calls = [
        sse.ToolCall(str(c.get("id") or f"toolu_fake_{n}_{k}"), str(c["name"]), c.get("input", {}))
        for k, c in enumerate(spec.get("tool_calls") or [])
    ]
    usage = spec.get("usage") or {}
    return sse.WireTurn(
        msg_id=f"msg_fake_{n}",
        model=str(spec.get("model") or model),
        text=spec.get("text"),
        thinking=spec.get("thinking"),
        signature=str(spec.get("signature", f"sig_fake_{n}")),
        tool_calls=calls,
        stop_reason=str(spec.get("stop_reason") or ("tool_use" if calls else "end_turn")),
        input_tokens=int(usage.get("input_tokens", 10)),
        output_tokens=int(usage.get("output_tokens", 5)),
        cache_creation_input_tokens=int(usage.get("cache_creation_input_tokens", 0)),
        cache_read_input_tokens=int(usage.get("cache_read_input_tokens", 0)),
    )


class Reply:
    """What to send for one request: a status, headers and a body, or a stream that breaks."""

    def __init__(self, status: int, headers: dict[str, str], events: list[bytes], *, reset: bool = False) -> None:
        self.status, self.headers, self.events, self.reset = status, headers, events, reset


def reply_for(spec: dict[str, Any], n: int, model: str) -> Reply:
    stream = {"content-type": "text/event-stream"}
    start = sse.encode(*next(sse.turn_events(sse.WireTurn(msg_id=f"msg_fake_{n}", model=model))))
    if "status" in spec:
        status, headers, body = sse.http_error(
            int(spec["status"]), retry_after_ms=spec.get("retry_after_ms"), message=spec.get("message")
        )
        if "retry_after" in spec:
            headers["retry-after"] = str(spec["retry_after"])
        return Reply(status, headers, [body])
    if "midstream" in spec:
        return Reply(200, stream, [start, sse.midstream_error(str(spec["midstream"]), spec.get("message"))])
    if spec.get("malformed"):
        return Reply(200, stream, sse.malformed_events(f"msg_fake_{n}", model))
    if spec.get("reset"):
        return Reply(200, stream, [start], reset=True)
    turn = wire_turn(spec, n, model)
    return Reply(200, stream, [sse.encode(name, data) for name, data in sse.turn_events(turn)])


async def _answer(script: FakeScript, model: str) -> Reply:
    spec = script.next_spec()
    if "hang" in spec or spec.get("timeout"):
        await asyncio.sleep(min(float(spec.get("hang", 0)), MAX_HANG_S))
        raise httpx2.ReadTimeout("fake API: no answer")
    return reply_for(spec, script.served, model)


# ── in process ───────────────────────────────────────────────────────────────


def mock_transport(script: FakeScript) -> httpx2.MockTransport:
    """An in-process transport for ``httpx2.AsyncClient`` that answers from ``script``."""

    async def handler(request: httpx2.Request) -> httpx2.Response:
        entry = script.record(request.method, request.url.path, dict(request.headers), await request.aread())
        model = (entry["body"] or {}).get("model", "claude-test") if isinstance(entry["body"], dict) else "claude-test"
        reply = await _answer(script, model)

        async def body() -> AsyncIterator[bytes]:
            for event in reply.events:
                yield event
            if reply.reset:
                raise httpx2.RemoteProtocolError("peer closed connection without sending complete message body")

        return httpx2.Response(reply.status, headers=reply.headers, content=body())

    return httpx2.MockTransport(handler)


# ── on a loopback socket ─────────────────────────────────────────────────────


class FakeAnthropicServer:
    """``async with FakeAnthropicServer(turns=[...]) as server:`` then use ``server.base_url``."""

    def __init__(self, turns: list[dict[str, Any]] | None = None, *, port: int = 0, max_requests: int = 500) -> None:
        self.script = FakeScript(turns)
        self.port = port
        self.max_requests = max_requests
        self.on_request: Any = None  # optional callable(entry) — the subprocess logs requests with it
        self.last_activity = 0.0
        self._server: asyncio.base_events.Server | None = None
        self._done = asyncio.Event()

    @property
    def requests(self) -> list[dict[str, Any]]:
        return self.script.requests

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, host="127.0.0.1", port=self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        self.last_activity = asyncio.get_running_loop().time()

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        self._done.set()

    async def __aenter__(self) -> FakeAnthropicServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self._serve_one(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            self.last_activity = asyncio.get_running_loop().time()
            writer.close()
            try:
                await writer.wait_closed()
            except ConnectionError:
                pass

    async def _serve_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        if len(head) > MAX_HEADER_BYTES:
            return await _send_plain(writer, 431, b"headers too large")
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, path, _ = (request_line.split(" ", 2) + ["", ""])[:3]
        headers = {}
        for line in header_lines:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length") or 0)
        if length > MAX_BODY_BYTES:
            return await _send_plain(writer, 413, b"request too large")
        raw = await reader.readexactly(length) if length else b""
        self.last_activity = asyncio.get_running_loop().time()
        entry = self.script.record(method, path, headers, raw)
        if self.on_request is not None:
            self.on_request(entry)
        if method != "POST" or not path.split("?")[0].endswith("/v1/messages"):
            status, hdrs, body = sse.http_error(404, message=f"fake API serves POST /v1/messages, not {method} {path}")
            reply = Reply(status, hdrs, [body])
        else:
            body_json = entry["body"] if isinstance(entry["body"], dict) else {}
            try:
                reply = await _answer(self.script, str(body_json.get("model", "claude-test")))
            except httpx2.ReadTimeout:  # a timeout item: hang up without an answer
                return
        await _send(writer, reply)
        if len(self.script.requests) >= self.max_requests:
            asyncio.get_running_loop().call_soon(lambda: asyncio.ensure_future(self.stop()))

    async def serve_until_idle(self, idle_timeout: float) -> None:
        """Serve until ``idle_timeout`` seconds pass with no request, or the request limit is reached."""
        loop = asyncio.get_running_loop()
        while not self._done.is_set():
            remaining = self.last_activity + idle_timeout - loop.time()
            if remaining <= 0:
                break
            try:
                await asyncio.wait_for(self._done.wait(), timeout=min(remaining, 1.0))
            except TimeoutError:
                pass
        await self.stop()


async def _send_plain(writer: asyncio.StreamWriter, status: int, body: bytes) -> None:
    await _send(writer, Reply(status, {"content-type": "text/plain"}, [body]))


async def _send(writer: asyncio.StreamWriter, reply: Reply) -> None:
    streaming = reply.headers.get("content-type") == "text/event-stream"
    lines = [f"HTTP/1.1 {reply.status} {_REASONS.get(reply.status, 'Status')}", "connection: close"]
    lines += [f"{k}: {v}" for k, v in reply.headers.items()]
    if streaming:
        lines.append("transfer-encoding: chunked")
    else:
        lines.append(f"content-length: {sum(len(e) for e in reply.events)}")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    for event in reply.events:
        writer.write(b"%x\r\n%s\r\n" % (len(event), event) if streaming else event)
        await writer.drain()
    if reply.reset:
        writer.transport.abort()  # drop the connection mid-body, as a broken proxy would
        return
    if streaming:
        writer.write(b"0\r\n\r\n")
    await writer.drain()


_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    413: "Payload Too Large",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
    529: "Overloaded",
}


# ── as a subprocess ──────────────────────────────────────────────────────────


async def _serve_main(args: argparse.Namespace) -> None:
    turns = json.loads(Path(args.script).read_text(encoding="utf-8")) if args.script else []
    server = FakeAnthropicServer(turns, port=args.port, max_requests=args.max_requests)
    if args.requests_file:
        log = Path(args.requests_file)

        def write(entry: dict[str, Any]) -> None:
            with log.open("a", encoding="utf-8") as f:
                f.write(json.dumps(entry) + "\n")

        server.on_request = write
    await server.start()
    port_file = Path(args.port_file)
    tmp = port_file.with_name(port_file.name + ".tmp")
    tmp.write_text(str(server.port), encoding="utf-8")
    os.replace(tmp, port_file)  # whole or absent: a reader never sees a half-written port
    await server.serve_until_idle(args.idle_timeout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fakeapi", description="a fake Anthropic Messages API on 127.0.0.1")
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--script", help="JSON file: a list of scripted turns")
    parser.add_argument("--requests-file", help="append each request as a JSON line here")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--idle-timeout", type=float, default=30.0)
    parser.add_argument("--max-requests", type=int, default=500)
    asyncio.run(_serve_main(parser.parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
