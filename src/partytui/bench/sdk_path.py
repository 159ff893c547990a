"""The SDK path's own throughput: scripted turns served as SSE to the real ``anthropic`` client, no UI.

Eight agents stream at once through ``scripted_provider`` (speed 0: no pacing), and each delta is emitted
into a logged ``Session`` the way the agent loop's sink does. This is the most deltas per second the
offline engine can produce on this machine, reported beside the UI's own figure.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ..core.providers.scenario import Scenario, Turn
from ..core.providers.scripted import scripted_provider
from ..core.truth.events import TextDelta
from ..core.truth.log import SessionLog
from ..core.truth.session import Session
from .feed import AGENTS, markdown_answer, session_started


@dataclass
class SdkResult:
    agents: int
    turns: int
    deltas: int
    seconds: float
    deltas_per_s: float

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class _Sink:
    def __init__(self, session: Session, agent: str) -> None:
        self.session, self.agent, self.deltas = session, agent, 0

    def on_text(self, text: str) -> None:
        self.session.emit(TextDelta(agent=self.agent, text=text))
        self.deltas += 1

    def on_thinking(self, text: str) -> None:
        self.on_text(text)

    def on_retry(self, attempt: int, max_attempts: int, delay_s: float, reason: str) -> None:
        raise RuntimeError(f"the scripted API asked for a retry: {reason}")


async def measure(turns: int, folder: Path) -> SdkResult:
    rng = random.Random(13)
    scenario = Scenario(
        name="bench-sdk",
        agents={name: [Turn(text=markdown_answer(rng) * 2) for _ in range(turns)] for name in AGENTS},
    )
    session = Session(log=SessionLog(folder / "sdk.jsonl", secrets=()))
    session.emit(session_started())
    provider = scripted_provider(scenario, session, speed=0)
    sinks = {name: _Sink(session, name) for name in AGENTS}

    async def agent(name: str) -> None:
        messages: list[dict[str, object]] = [{"role": "user", "content": "go"}]
        for _ in range(turns):
            result = await provider.stream_turn(
                agent=name,
                model="claude-sonnet-4-5",
                system="bench",
                messages=messages,
                tools=[],
                max_tokens=8192,
                sink=sinks[name],
            )
            messages += [{"role": "assistant", "content": result.content}, {"role": "user", "content": "next"}]

    start = time.perf_counter()
    await asyncio.gather(*(agent(name) for name in AGENTS))
    seconds = time.perf_counter() - start
    session.close()
    deltas = sum(s.deltas for s in sinks.values())
    return SdkResult(len(AGENTS), turns, deltas, round(seconds, 2), round(deltas / seconds))
