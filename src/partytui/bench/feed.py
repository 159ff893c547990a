"""What the benchmark streams: eight agents' Markdown answers, cut into deltas the way the API sends them.

The events are the ones the agent loop emits (``turn.started``, ``text.delta``…, ``tool.called``,
``tool.result``, ``turn.ended``), emitted straight into a ``Session`` at a chosen rate. Text is cut by the
same function the scripted API uses (``sse.chunks``), so a delta here is the size of a delta there.
"""

from __future__ import annotations

import asyncio
import random
import time
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ..core.providers.sse import chunks
from ..core.truth.events import (
    AgentInfo,
    EventBase,
    SessionStarted,
    TextDelta,
    ToolCalled,
    ToolResult,
    TurnEnded,
    TurnStarted,
    Usage,
)
from ..core.truth.session import Session

AGENTS = ("lead", "backend", "frontend", "qa", "database", "docs", "devops", "security")
COLORS = ("magenta", "blue", "green", "yellow", "cyan", "red", "orange", "purple")
CHARS_PER_TOKEN = 4  # the scripted provider's estimate, used to turn characters into tokens

_WORDS = [
    "the",
    "service",
    "handles",
    "each",
    "request",
    "in",
    "order",
    "and",
    "retries",
    "the",
    "ones",
    "that",
    "fail",
    "with",
    "a",
    "short",
    "backoff",
    "so",
    "that",
    "a",
    "slow",
    "dependency",
    "never",
    "blocks",
    "the",
    "queue",
    "we",
    "store",
    "the",
    "result",
    "beside",
    "the",
    "task",
    "and",
    "tell",
    "the",
    "reviewer",
    "when",
    "the",
    "migration",
    "is",
    "ready",
    "the",
    "tests",
    "cover",
    "the",
    "empty",
    "case",
    "the",
    "large",
    "case",
    "and",
    "the",
    "case",
    "where",
    "two",
    "writers",
    "race",
    "for",
    "the",
    "same",
    "row",
]


def session_started(session_id: str = "bench") -> SessionStarted:
    agents = [
        AgentInfo(name=n, model="claude-sonnet-4-5", color=c, lead=n == "lead")
        for n, c in zip(AGENTS, COLORS, strict=True)
    ]
    return SessionStarted(
        session_id=session_id, goal="benchmark: eight agents streaming", mode="scripted", agents=agents
    )


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 18))]
    if rng.random() < 0.3:
        i = rng.randrange(len(words))
        words[i] = f"`{words[i]}()`"
    if rng.random() < 0.2:
        i = rng.randrange(len(words))
        words[i] = f"**{words[i]}**"
    return " ".join(words).capitalize() + "."


def markdown_answer(rng: random.Random) -> str:
    """One assistant answer (~2 KB): paragraphs, a list, a code fence, sometimes a heading."""
    parts: list[str] = []
    if rng.random() < 0.4:
        parts.append(f"## {_sentence(rng)[:40].rstrip('.')}")
    for _ in range(rng.randint(3, 5)):
        kind = rng.random()
        if kind < 0.45:
            parts.append(" ".join(_sentence(rng) for _ in range(rng.randint(2, 4))))
        elif kind < 0.75:
            bullet = "-" if rng.random() < 0.6 else "1."
            parts.append("\n".join(f"{bullet} {_sentence(rng)}" for _ in range(rng.randint(3, 6))))
        else:
            name = rng.choice(_WORDS)
            body = [f"def {name}_{i}(queue, limit={rng.randint(1, 99)}):" for i in range(1)]
            body += [f"    {rng.choice(_WORDS)} = queue.get({rng.randint(0, 9)})" for _ in range(rng.randint(2, 6))]
            body.append("    return limit")
            parts.append("```python\n" + "\n".join(body) + "\n```")
    return "\n\n".join(parts) + "\n\n"


def agent_script(agent: str, seed: int = 0) -> Iterator[EventBase]:
    """An agent's endless run: each turn streams an answer, calls a tool, and ends."""
    rng = random.Random(f"{agent}:{seed}")
    turn = 0
    while True:
        turn += 1
        yield TurnStarted(agent=agent, turn=turn, model="claude-sonnet-4-5")
        text = markdown_answer(rng)
        for piece in chunks(text):
            yield TextDelta(agent=agent, text=piece)
        tool_id = f"toolu_{agent}_{turn}"
        path = f"src/{rng.choice(_WORDS)}.py"
        yield ToolCalled(agent=agent, tool_use_id=tool_id, tool="Read", input={"file_path": path})
        yield ToolResult(agent=agent, tool_use_id=tool_id, tool="Read", output=f"{path}: 40 lines", duration_ms=3.0)
        usage = Usage(input_tokens=1200, output_tokens=len(text) // CHARS_PER_TOKEN)
        yield TurnEnded(
            agent=agent,
            turn=turn,
            model="claude-sonnet-4-5",
            stop_reason="tool_use",
            usage=usage,
            content=[{"type": "text", "text": text}],
            cost_usd=0.01,
        )


@dataclass
class Feed:
    """Emits text deltas round-robin over the agents; structural events ride along as they come."""

    session: Session
    agents: tuple[str, ...] = AGENTS
    seed: int = 0
    deltas: int = 0  # text deltas emitted
    chars: int = 0  # their characters
    others: int = 0  # every other event emitted
    # per agent: cumulative characters after each of its deltas (what "rendered" is measured against), as
    # machine integers: a list of Python ints for a million-token run is ~26 MB of the bench's own, which
    # the long session's RSS would charge to the app
    offsets: dict[str, array[int]] = field(default_factory=dict)
    _scripts: dict[str, Iterator[EventBase]] = field(default_factory=dict)
    _next: int = 0

    def __post_init__(self) -> None:
        for name in self.agents:
            self._scripts[name] = agent_script(name, self.seed)
            self.offsets[name] = array("q")

    def emit_one(self) -> None:
        agent = self.agents[self._next % len(self.agents)]
        self._next += 1
        script = self._scripts[agent]
        while True:
            event = next(script)
            self.session.emit(event)
            if isinstance(event, TextDelta):
                self.deltas += 1
                self.chars += len(event.text)
                marks = self.offsets[agent]
                marks.append((marks[-1] if marks else 0) + len(event.text))
                return
            self.others += 1

    async def run(
        self, rate: float, seconds: float, *, stop: Callable[[], bool] | None = None, tick: float = 0.005
    ) -> float:
        """Emit ``rate`` deltas a second for ``seconds`` (open loop: a late tick emits all that came due).

        Returns the wall time it took. Like a real stream, deltas arrive whether or not the UI is ready.
        """
        start = time.perf_counter()
        sent = 0
        while True:
            elapsed = time.perf_counter() - start
            if elapsed >= seconds or (stop is not None and stop()):
                break
            sent += self._emit_due(int(rate * elapsed) - sent)
            await asyncio.sleep(tick)
        # deltas that came due while the loop was busy are still delivered, as a stream would deliver them
        if stop is None or not stop():
            sent += self._emit_due(int(rate * min(elapsed, seconds)) - sent)
        return time.perf_counter() - start

    def _emit_due(self, due: int) -> int:
        for _ in range(due):
            self.emit_one()
        return max(0, due)
