"""The Messages API's server-sent events, written out: one scripted turn becomes the bytes a server streams.

Used by the offline scenario transport and by the tests' fake API server, so both speak exactly the wire
format the real SDK parses (every event with its ``event:`` line, ``data:`` one JSON object, a blank line).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

# The error type the API names in the body of each HTTP status partytui serves.
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    408: "timeout_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}

ERROR_MESSAGES = {
    "invalid_request_error": "Invalid request",
    "authentication_error": "invalid x-api-key",
    "billing_error": "Your credit balance is too low",
    "permission_error": "Your API key does not have permission to use the specified resource",
    "not_found_error": "Not found",
    "timeout_error": "Request timed out",
    "request_too_large": "Request exceeds the maximum allowed number of bytes",
    "rate_limit_error": "Number of requests has exceeded your rate limit",
    "api_error": "Internal server error",
    "overloaded_error": "Overloaded",
}


@dataclass
class ToolCall:
    id: str
    name: str
    input: dict[str, Any] | str  # a str is sent verbatim as the input JSON (to serve broken JSON on purpose)


@dataclass
class WireTurn:
    """One assistant turn as the server will stream it."""

    msg_id: str
    model: str
    text: str | None = None
    thinking: str | None = None
    signature: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    stop_reason: str = "end_turn"
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0


def encode(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


_PIECE = re.compile(r"\s*\S+\s*|\s+")


def chunks(text: str, max_chars: int = 12) -> list[str]:
    """A word (with its spaces) at a time, long words cut to ``max_chars``: how text arrives from the API."""
    out: list[str] = []
    for piece in _PIECE.findall(text):
        out.extend(piece[i : i + max_chars] for i in range(0, len(piece), max_chars))
    return out


def turn_events(turn: WireTurn, *, max_chars: int = 12) -> Iterator[tuple[str, dict[str, Any]]]:
    """The (event name, data) pairs of a whole successful turn, in order."""
    yield (
        "message_start",
        {
            "type": "message_start",
            "message": {
                "id": turn.msg_id,
                "type": "message",
                "role": "assistant",
                "model": turn.model,
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": {
                    "input_tokens": turn.input_tokens,
                    "cache_creation_input_tokens": turn.cache_creation_input_tokens,
                    "cache_read_input_tokens": turn.cache_read_input_tokens,
                    "output_tokens": 1,
                },
            },
        },
    )
    index = 0
    if turn.thinking is not None:
        deltas = [{"type": "thinking_delta", "thinking": c} for c in chunks(turn.thinking, max_chars)]
        deltas.append({"type": "signature_delta", "signature": turn.signature})
        yield from _block(index, {"type": "thinking", "thinking": "", "signature": ""}, deltas)
        index += 1
    if turn.text is not None:
        deltas = [{"type": "text_delta", "text": c} for c in chunks(turn.text, max_chars)]
        yield from _block(index, {"type": "text", "text": ""}, deltas)
        index += 1
    if index:
        yield "ping", {"type": "ping"}
    for call in turn.tool_calls:
        raw = call.input if isinstance(call.input, str) else json.dumps(call.input)
        # the API opens with an empty partial_json, then sends the JSON text in pieces
        pieces = [""] + [raw[i : i + max_chars * 2] for i in range(0, len(raw), max_chars * 2)]
        deltas = [{"type": "input_json_delta", "partial_json": p} for p in pieces]
        yield from _block(index, {"type": "tool_use", "id": call.id, "name": call.name, "input": {}}, deltas)
        index += 1
    yield (
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": turn.stop_reason, "stop_sequence": None},
            "usage": {"output_tokens": turn.output_tokens},
        },
    )
    yield "message_stop", {"type": "message_stop"}


def _block(index: int, start: dict[str, Any], deltas: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    yield "content_block_start", {"type": "content_block_start", "index": index, "content_block": start}
    for delta in deltas:
        yield "content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}
    yield "content_block_stop", {"type": "content_block_stop", "index": index}


def delta_text(data: dict[str, Any]) -> str:
    """The visible text an event carries (for pacing: longer deltas take longer to generate)."""
    delta = data.get("delta") or {}
    return str(delta.get("text") or delta.get("thinking") or delta.get("partial_json") or "")


# ── error forms ─────────────────────────────────────────────────────────────


def error_body(error_type: str, message: str | None = None) -> dict[str, Any]:
    text = message or ERROR_MESSAGES.get(error_type, error_type)
    return {"type": "error", "error": {"type": error_type, "message": text}}


def error_type_for(status: int) -> str:
    if status in ERROR_TYPES:
        return ERROR_TYPES[status]
    return "api_error" if status >= 500 else "invalid_request_error"


def http_error(
    status: int, *, retry_after_ms: int | None = None, message: str | None = None
) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and JSON body of an HTTP error response."""
    headers = {"content-type": "application/json"}
    if retry_after_ms is not None:
        headers["retry-after-ms"] = str(retry_after_ms)
    body = json.dumps(error_body(error_type_for(status), message)).encode()
    return status, headers, body


def midstream_error(error_type: str, message: str | None = None) -> bytes:
    """The ``event: error`` a 200 stream ends with when the API fails after it began answering."""
    return encode("error", error_body(error_type, message))


def malformed_events(msg_id: str, model: str) -> list[bytes]:
    """A stream that starts well and then sends a ``data:`` line that is not JSON."""
    start = dict(turn_events(WireTurn(msg_id=msg_id, model=model)))["message_start"]
    return [
        encode("message_start", start),
        b'event: content_block_start\ndata: {"type": "content_block_start", "index": 0, "content_blo\n\n',
    ]
