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
        # the API's count of the last request over this estimate of it (code and JSON run to fewer
        # characters a token than prose, and the system prompt and tools are not in the estimate)
        self.scale = 1.0
        self._sent = 0
        # characters of each message as it is, and with its outputs cleared (the history only grows)
        self._sizes: list[tuple[int, int]] = []

    def request(self, messages: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
        """(the messages to send, how many outputs this call cleared that earlier requests still carried)."""
        for message in messages[len(self._sizes) :]:
            whole = _size(message["content"])
            self._sizes.append((whole, _size(_cleared(message)["content"]) if _outputs(message) else whole))
        before = self.cleared_before
        if self._tokens(before) * self.scale > self.limit_tokens:
            self.cleared_before = self._boundary(messages)
        view = [_cleared(m) if i < self.cleared_before else m for i, m in enumerate(messages)]
        newly = sum(_outputs(m) for m in messages[before : self.cleared_before])
        self._sent = self._tokens(self.cleared_before)
        return view, newly

    def observe(self, input_tokens: int) -> None:
        """The API's count of the tokens of the request last given (input, cache reads and writes)."""
        if self._sent > 0 and input_tokens > 0:
            self.scale = max(1.0, input_tokens / self._sent)

    def tighten(self) -> None:
        """The API refused a request as too long: aim lower from now on."""
        self.limit_tokens = int(self.limit_tokens * 0.75)

    def _tokens(self, boundary: int) -> int:
        chars = sum(cleared for _, cleared in self._sizes[:boundary]) + sum(whole for whole, _ in self._sizes[boundary:])
        return chars // CHARS_PER_TOKEN

    def _boundary(self, messages: list[dict[str, Any]]) -> int:
        # the last few user messages keep their outputs, whatever their size
        users = [i for i, m in enumerate(messages) if m["role"] == "user"]
        last = users[-self.keep_recent] if len(users) >= self.keep_recent else 0
        boundary = self.cleared_before
        chars = self._tokens(boundary) * CHARS_PER_TOKEN
        goal = self.limit_tokens * self.target * CHARS_PER_TOKEN / self.scale
        while boundary < last and chars > goal:
            whole, cleared = self._sizes[boundary]
            chars -= whole - cleared
            boundary += 1
        return boundary


def _outputs(message: dict[str, Any]) -> int:
    content = message["content"]
    if message["role"] != "user" or not isinstance(content, list):
        return 0
    return sum(1 for block in content if block.get("type") == "tool_result" and not _is_cleared(block))


def _cleared(message: dict[str, Any]) -> dict[str, Any]:
    content = message["content"]
    if not _outputs(message):
        return message
    blocks = []
    for block in content:
        if block.get("type") == "tool_result" and not _is_cleared(block):
            block = {**block, "content": PLACEHOLDER.format(chars=_size(block.get("content", "")))}
        blocks.append(block)
    return {**message, "content": blocks}


def _is_cleared(block: dict[str, Any]) -> bool:
    content = block.get("content")
    return isinstance(content, str) and content.startswith(PLACEHOLDER.split("{", 1)[0])
