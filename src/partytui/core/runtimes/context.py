"""Keeping a long conversation inside the model's context window: old tool outputs are cleared first.

An agent that reads many files grows its conversation by every output, and past the model's window the API
refuses the request outright. Before each request the conversation is measured (about four characters to a
token); past the limit, the oldest tool outputs are replaced by a one-line placeholder until it is back
under a share of the limit. The agent's own words, the person's words and the newest outputs are kept.

Only the request is changed: the runner's history, the log and the transcript keep every output. Clearing
down well below the limit makes it rare, and the line it clears up to only moves forward, so the requests
between two clearings share their prefix (and the API's prompt cache still holds).
"""

from __future__ import annotations

import json
from typing import Any

CHARS_PER_TOKEN = 4
PLACEHOLDER = "[earlier output cleared to keep the conversation within the context window: {chars:,} characters]"


def _size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False))


class ContextTrimmer:
    """Gives the conversation to send: the runner's history with the oldest tool outputs cleared when needed."""

    def __init__(self, limit_tokens: int, *, target: float = 0.6, keep_recent: int = 4) -> None:
        self.limit_tokens = limit_tokens
        self.target = target  # cleared down to this share of the limit
        self.keep_recent = keep_recent  # the last user messages keep their outputs
        self.cleared_before = 0  # outputs in messages before this index are cleared
        # each message with its outputs cleared (itself when it has none), and the characters of both
        # (the history only grows, so each is worked out once)
        self._copies: list[dict[str, Any]] = []
        self._sizes: list[tuple[int, int]] = []
        # the API's count of the last request, and that request's characters: the estimate is that count
        # plus a token per CHARS_PER_TOKEN characters changed since (the system prompt and tools are inside it)
        self._counted: tuple[int, int] | None = None
        self._sent_chars = 0

    def request(self, messages: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
        """(the messages to send, how many outputs this call cleared that earlier requests still carried)."""
        self._measure(messages)
        before = self.cleared_before
        if self._estimate(self._chars(before)) > self.limit_tokens:
            self.cleared_before = self._boundary(messages)
        return self._view(messages), self._newly(messages, before)

    def tighter(self, messages: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
        """The API refused the last request as too long: clear further (none cleared: nothing more can be)."""
        self.limit_tokens = int(min(self.limit_tokens, self._estimate(self._sent_chars)) * 0.75)
        self.keep_recent = max(1, self.keep_recent - 1)
        before = self.cleared_before
        self.cleared_before = self._boundary(messages)
        return self._view(messages), self._newly(messages, before)

    def observe(self, input_tokens: int) -> None:
        """The API's count of the tokens of the request last given (input, cache reads and writes)."""
        if input_tokens > 0:
            self._counted = (input_tokens, self._sent_chars)

    def _measure(self, messages: list[dict[str, Any]]) -> None:
        for message in messages[len(self._sizes) :]:
            copy = _cleared(message)
            whole = _size(message["content"])
            self._copies.append(copy)
            self._sizes.append((whole, whole if copy is message else _size(copy["content"])))

    def _view(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        view = self._copies[: self.cleared_before] + messages[self.cleared_before :]
        self._sent_chars = self._chars(self.cleared_before)
        return view

    def _newly(self, messages: list[dict[str, Any]], before: int) -> int:
        return sum(_outputs(m) for m in messages[before : self.cleared_before])

    def _chars(self, boundary: int) -> int:
        return sum(cleared for _, cleared in self._sizes[:boundary]) + sum(whole for whole, _ in self._sizes[boundary:])

    def _estimate(self, chars: int) -> int:
        if self._counted is None:
            return chars // CHARS_PER_TOKEN
        tokens, counted_chars = self._counted
        return tokens + (chars - counted_chars) // CHARS_PER_TOKEN

    def _boundary(self, messages: list[dict[str, Any]]) -> int:
        # the last few user messages keep their outputs, whatever their size
        users = [i for i, m in enumerate(messages) if m["role"] == "user"]
        last = users[-self.keep_recent] if len(users) >= self.keep_recent else 0
        boundary = self.cleared_before
        chars = self._chars(boundary)
        goal = self.limit_tokens * self.target
        while boundary < last and self._estimate(chars) > goal:
            whole, cleared = self._sizes[boundary]
            chars -= whole - cleared
            boundary += 1
        return boundary


def _outputs(message: dict[str, Any]) -> int:
    content = message["content"]
    if message["role"] != "user" or not isinstance(content, list):
        return 0
    return sum(1 for block in content if block.get("type") == "tool_result")


def _cleared(message: dict[str, Any]) -> dict[str, Any]:
    if not _outputs(message):
        return message
    blocks = [
        {**block, "content": PLACEHOLDER.format(chars=_size(block.get("content", "")))}
        if block.get("type") == "tool_result"
        else block
        for block in message["content"]
    ]
    return {**message, "content": blocks}
