"""The provider on the real ``anthropic`` SDK: one streamed turn, with retries the person can see.

The client is made with ``max_retries=0`` and the provider retries itself, so every wait is reported to the
sink (and becomes a ``turn.retry`` event) instead of happening silently inside the SDK.

The turn is read with ``messages.create(stream=True)``: the same request, SSE decoding and error mapping as
``messages.stream()``, without that helper's accumulator. The helper raises ``ValueError`` in the middle of
the stream when a tool's input JSON does not parse (and then ends its iterator, losing the rest of the
turn), and quietly turns truncated JSON into ``{}``; accumulating the blocks here keeps the raw text, so a
broken tool call comes back as ``{"__invalid_json__": raw}`` for the agent loop to answer with an error.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
from collections.abc import Awaitable, Callable
from typing import Any

import anthropic
import httpx2

from ..truth.events import Usage
from .base import ProviderError, StreamSink, TurnResult

INVALID_JSON_KEY = "__invalid_json__"
AGENT_HEADER = "x-partytui-agent"

Sleep = Callable[[float], Awaitable[Any]]

# Mid-stream `event: error` types worth another attempt.
RETRYABLE_STREAM_ERRORS = {
    "overloaded_error": "overloaded",
    "api_error": "server error (api_error)",
    "rate_limit_error": "rate limited",
    "timeout_error": "timeout",
}

FATAL_HINTS = {
    400: "the API rejected the request",
    401: "the API key was refused — check ANTHROPIC_API_KEY",
    402: "billing problem — check the account's credit",
    403: "the API key may not use this model or resource",
    404: "unknown model or endpoint — check the agent's model id and ANTHROPIC_BASE_URL",
    413: "the request is too large — the conversation no longer fits",
}

DEFAULT_BASE_URL = "https://api.anthropic.com"

MALFORMED_LIMIT = 3  # a server that keeps sending broken streams will not heal by waiting longer


def make_client(
    *, api_key: str | None = None, base_url: str | None = None, http_client: httpx2.AsyncClient | None = None
) -> anthropic.AsyncAnthropic:
    """An SDK client that does not retry on its own (the provider does, visibly)."""
    kwargs: dict[str, Any] = {"max_retries": 0}
    key = api_key or os.environ.get("ANTHROPIC_API_KEY")
    token = None if key else os.environ.get("ANTHROPIC_AUTH_TOKEN")
    if key:
        kwargs["api_key"] = key
    elif token:
        kwargs["auth_token"] = token
    url = base_url or os.environ.get("ANTHROPIC_BASE_URL")
    if url:
        kwargs["base_url"] = url
    if http_client is not None:
        kwargs["http_client"] = http_client
    return anthropic.AsyncAnthropic(**kwargs)


class _Retry(Exception):
    """One failed attempt that another attempt may fix."""

    def __init__(self, reason: str, *, retry_after: float | None = None, malformed: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.malformed = malformed


class AnthropicProvider:
    def __init__(
        self,
        client: anthropic.AsyncAnthropic,
        *,
        max_attempts: int = 5,
        base_delay_s: float = 1.0,
        max_delay_s: float = 30.0,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.client = client if client.max_retries == 0 else client.with_options(max_retries=0)
        self.max_attempts = max(1, max_attempts)
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self.sleep = sleep
        self.rng = rng or random.Random()

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
    ) -> TurnResult:
        malformed = 0
        attempt = 1
        while True:
            try:
                return await self._attempt(agent, model, system, messages, tools, max_tokens, sink)
            except _Retry as retry:
                malformed += retry.malformed
                if malformed >= MALFORMED_LIMIT:
                    raise ProviderError(
                        f"{self._where()} sent a malformed stream {malformed} times ({retry.reason}); giving up. "
                        "Check that ANTHROPIC_BASE_URL (if set) points at a Messages API, then resume the session "
                        "(partytui resume --last)",
                        fatal=False,
                    ) from retry
                if attempt >= self.max_attempts:
                    raise ProviderError(
                        f"{_what_failed(retry.reason, self._where())} — gave up after {attempt} attempts. "
                        f"{_what_to_do(retry.reason)}, then resume the session (partytui resume --last)",
                        fatal=False,
                    ) from retry
                delay = self._delay(attempt, retry.retry_after)
                attempt += 1
                sink.on_retry(attempt, self.max_attempts, delay, retry.reason)
                if delay > 0:
                    await self.sleep(delay)

    def _where(self) -> str:
        """The API in the person's words: the default one by name, any other by its address."""
        url = str(self.client.base_url).rstrip("/")
        return "the Anthropic API" if url == DEFAULT_BASE_URL else f"the API at {url}"

    def _delay(self, failed_attempts: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return round(min(max(retry_after, 0.0), self.max_delay_s), 3)
        backoff = min(self.base_delay_s * 2.0 ** (failed_attempts - 1), self.max_delay_s)
        # jitter (50–100% of the backoff): agents that failed together do not all retry together
        return round(backoff * self.rng.uniform(0.5, 1.0), 3)

    async def _attempt(
        self,
        agent: str,
        model: str,
        system: str,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]],
        max_tokens: int,
        sink: StreamSink,
    ) -> TurnResult:
        turn = _TurnBuilder(model)
        params: dict[str, Any] = {
            "model": model,
            "max_tokens": max_tokens,
            "messages": messages,
            "stream": True,
            "extra_headers": {AGENT_HEADER: agent},
        }
        # the system prompt and tools are the same every turn: mark them for prompt caching, so a long run
        # pays the cache-read price for them rather than the full input price
        if system:
            params["system"] = [{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}]
        if tools:
            params["tools"] = [*tools[:-1], {**tools[-1], "cache_control": {"type": "ephemeral"}}]
        try:
            stream = await self.client.messages.create(**params)
            async with stream:
                async for event in stream:
                    turn.feed(event, sink)
        except anthropic.APIStatusError as err:
            raise _classify_status(err) from err
        except anthropic.APITimeoutError as err:
            raise _Retry("timeout") from err
        except anthropic.APIConnectionError as err:
            raise _Retry(_connection_reason(err.__cause__ or err)) from err
        except httpx2.TimeoutException as err:  # mid-stream: the SDK does not wrap errors while reading the body
            raise _Retry("timeout") from err
        except httpx2.TransportError as err:
            raise _Retry(_connection_reason(err)) from err
        except (ValueError, _Malformed) as err:  # JSONDecodeError, UnicodeDecodeError, events out of order
            raise _Retry(f"malformed stream: {_short(err)}", malformed=True) from err
        if not turn.stopped:
            raise _Retry("malformed stream: it ended before message_stop", malformed=True)
        return turn.result()


class _Malformed(Exception):
    pass


class _TurnBuilder:
    """Accumulates raw stream events into the assistant message's blocks."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.blocks: dict[int, dict[str, Any]] = {}
        self.json_text: dict[int, str] = {}
        self.usage = Usage()
        self.stop_reason: str | None = None
        self.started = False
        self.stopped = False

    def feed(self, event: Any, sink: StreamSink) -> None:
        kind = event.type
        if kind == "message_start":
            self.started = True
            self.model = event.message.model or self.model
            self._usage(event.message.usage)
            return
        if not self.started:
            raise _Malformed(f"{kind} before message_start")
        if kind == "content_block_start":
            self.blocks[event.index] = _start_block(event.content_block)
        elif kind == "content_block_delta":
            block = self.blocks.get(event.index)
            if block is None:
                raise _Malformed(f"a delta for block {event.index}, which never started")
            delta = event.delta
            if delta.type == "text_delta" and block["type"] == "text":
                block["text"] += delta.text
                sink.on_text(delta.text)
            elif delta.type == "thinking_delta" and block["type"] == "thinking":
                block["thinking"] += delta.thinking
                sink.on_thinking(delta.thinking)
            elif delta.type == "signature_delta" and block["type"] == "thinking":
                block["signature"] = delta.signature
            elif delta.type == "input_json_delta" and block["type"] == "tool_use":
                self.json_text[event.index] = self.json_text.get(event.index, "") + delta.partial_json
        elif kind == "content_block_stop":
            block = self.blocks.get(event.index)
            if block is not None and block["type"] == "tool_use":
                block["input"] = _tool_input(self.json_text.get(event.index, ""), block["input"])
        elif kind == "message_delta":
            self.stop_reason = event.delta.stop_reason
            self._usage(event.usage)
        elif kind == "message_stop":
            self.stopped = True

    def _usage(self, usage: Any) -> None:
        # message_delta carries cumulative counts; absent (None) fields keep the message_start value
        for name in Usage.model_fields:
            value = getattr(usage, name, None)
            if value is not None:
                setattr(self.usage, name, value)

    def result(self) -> TurnResult:
        content = [self.blocks[i] for i in sorted(self.blocks)]
        return TurnResult(content=content, stop_reason=self.stop_reason, usage=self.usage, model=self.model)


def _start_block(block: Any) -> dict[str, Any]:
    if block.type == "text":
        return {"type": "text", "text": block.text or ""}
    if block.type == "thinking":
        return {"type": "thinking", "thinking": block.thinking or "", "signature": block.signature or ""}
    if block.type == "redacted_thinking":
        return {"type": "redacted_thinking", "data": block.data}
    if block.type == "tool_use":
        return {"type": "tool_use", "id": block.id, "name": block.name, "input": dict(block.input or {})}
    # server tools and future block types: keep what the API sent so it can be sent back
    kept: dict[str, Any] = block.to_dict()
    return kept


def _tool_input(raw: str, started_with: dict[str, Any]) -> dict[str, Any]:
    if not raw.strip():
        return started_with
    try:
        value = json.loads(raw)
    except ValueError:
        return {INVALID_JSON_KEY: raw}
    return value if isinstance(value, dict) else {INVALID_JSON_KEY: raw}


def _classify_status(err: anthropic.APIStatusError) -> Exception:
    status = err.status_code
    error_type, message = _error_detail(err)
    if status == 200:  # an `event: error` inside a stream that had begun
        if error_type in RETRYABLE_STREAM_ERRORS:
            return _Retry(RETRYABLE_STREAM_ERRORS[error_type])
        return ProviderError(f"the API stopped the stream: {error_type}: {message}", fatal=True, status=status)
    if status == 429:
        return _Retry("rate limited", retry_after=_retry_after(err.response))
    if status == 529:
        return _Retry("overloaded", retry_after=_retry_after(err.response))
    if status >= 500 or status in (408, 409):
        return _Retry(f"server error {status}", retry_after=_retry_after(err.response))
    hint = FATAL_HINTS.get(status, "the API refused the request")
    detail = f" ({message})" if message and status in (400, 413) else ""
    return ProviderError(f"{status} {error_type}: {hint}{detail}", fatal=True, status=status)


def _error_detail(err: anthropic.APIStatusError) -> tuple[str, str]:
    body = err.body if isinstance(err.body, dict) else {}
    inner = body.get("error")
    error = inner if isinstance(inner, dict) else body
    error_type = str(error.get("type") or "error")
    message = str(error.get("message") or "")
    return error_type, message


def _retry_after(response: httpx2.Response | None) -> float | None:
    if response is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = response.headers.get(name)
        if value is None:
            continue
        try:
            return float(value) * scale
        except ValueError:
            continue  # an HTTP date: fall back to our own backoff
    return None


def _connection_reason(err: BaseException) -> str:
    if isinstance(err, (httpx2.TimeoutException, asyncio.TimeoutError)):
        return "timeout"
    if isinstance(err, (httpx2.RemoteProtocolError, httpx2.ReadError, httpx2.WriteError, ConnectionResetError)):
        return "connection reset"
    return f"connection failed: {_short(err)}"


def _what_failed(reason: str, where: str) -> str:
    """A retried failure, once retrying is over, as what went wrong and where."""
    if reason == "rate limited":
        return f"{where} kept refusing for the rate limit (429)"
    if reason == "overloaded":
        return f"{where} stayed overloaded (529)"
    if reason == "timeout":
        return f"{where} did not answer in time"
    if reason.startswith(("connection failed", "connection reset")):
        return f"could not reach {where} ({reason})"
    return f"{where} kept failing ({reason})"


def _what_to_do(reason: str) -> str:
    if reason == "rate limited":
        return "Wait a minute (or run fewer agents at once)"
    if reason.startswith("server error") or reason == "overloaded":
        return "The service has trouble: try again in a few minutes"
    return "Check the network connection, a proxy, or ANTHROPIC_BASE_URL if it is set"


def _short(err: BaseException, limit: int = 120) -> str:
    text = str(err) or type(err).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"
