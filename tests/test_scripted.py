"""ScenarioTransport and scripted_provider: scenario turns served to the real SDK, in process."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import anthropic
import httpx2
import pytest

from engine_fakes import Sink
from partytui.core.providers.anthropic import AnthropicProvider
from partytui.core.providers.base import ProviderError
from partytui.core.providers.scenario import parse_scenario
from partytui.core.providers.scripted import ScenarioTransport, scripted_provider
from partytui.core.truth import events as ev
from partytui.core.truth.session import Session

SCENARIO = """\
name: t
agents:
  lead:
    - thinking: "Split the work."
      text: "Creating the first task."
      tools:
        - name: TaskCreate
          input: {subject: "Schema", description: "Tables for todos"}
        - name: SendMessage
          input: {to: backend, message: "Schema first"}
      usage: {input_tokens: 900, output_tokens: 120}
    - when: {phase: BUILD}
      text: "Build phase: checking in."
  backend:
    - when: {messages: 1, from: lead}
      faults:
        - {status: 529, retry_after_ms: 3}
        - {midstream: overloaded_error}
        - {malformed: true}
        - {reset: true}
        - {timeout: true}
      text: "Schema is done."
"""


def started_session() -> Session:
    session = Session()
    agents = [ev.AgentInfo(name="lead", model="m", lead=True), ev.AgentInfo(name="backend", model="m")]
    session.emit(ev.SessionStarted(session_id="s1", mode="scripted", agents=agents))
    return session


class Recorder:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def provider_on(transport: ScenarioTransport, max_attempts: int = 8) -> AnthropicProvider:
    client = anthropic.AsyncAnthropic(
        api_key="scripted-offline",
        base_url="http://scripted.partytui.invalid",
        http_client=httpx2.AsyncClient(transport=transport),
        max_retries=0,
    )
    return AnthropicProvider(client, max_attempts=max_attempts, base_delay_s=0, max_delay_s=0, sleep=Recorder())


async def ask(provider: AnthropicProvider, agent: str, messages: list[dict[str, Any]], sink: Sink | None = None):
    return await provider.stream_turn(
        agent=agent,
        model="claude-sonnet-5",
        system="sys",
        messages=messages,
        tools=[],
        max_tokens=4096,
        sink=sink or Sink(),
    )


USER = {"role": "user", "content": "go"}


async def test_a_turn_streams_blocks_with_deterministic_tool_ids() -> None:
    scenario = parse_scenario(SCENARIO)
    transport = ScenarioTransport(scenario, started_session(), speed=0)
    sink = Sink()
    result = await ask(provider_on(transport), "lead", [USER], sink)
    kinds = [b["type"] for b in result.content]
    assert kinds == ["thinking", "text", "tool_use", "tool_use"]
    assert "".join(sink.thinking) == "Split the work." and "".join(sink.text) == "Creating the first task."
    assert result.content[0]["signature"]
    assert [b["id"] for b in result.content[2:]] == ["toolu_lead_0_0", "toolu_lead_0_1"]
    assert result.content[2]["input"] == {"subject": "Schema", "description": "Tables for todos"}
    assert result.stop_reason == "tool_use"
    assert (result.usage.input_tokens, result.usage.output_tokens) == (900, 120)
    assert result.model == "claude-sonnet-5"


async def test_turn_index_comes_from_the_assistant_messages_in_the_request() -> None:
    scenario = parse_scenario(SCENARIO)
    session = started_session()
    session.emit(ev.PhaseChanged(phase="BUILD"))
    provider = provider_on(ScenarioTransport(scenario, session, speed=0))
    # a resumed session: the history already holds the first assistant turn
    history = [
        USER,
        {"role": "assistant", "content": [{"type": "text", "text": "earlier"}]},
        {"role": "user", "content": "continue"},
    ]
    result = await ask(provider, "lead", history)
    assert result.content == [{"type": "text", "text": "Build phase: checking in."}]
    assert result.stop_reason == "end_turn"
    assert result.usage.input_tokens > 0 and result.usage.output_tokens > 0  # estimated


async def test_past_the_script_an_agent_is_told_it_has_ended() -> None:
    scenario = parse_scenario(SCENARIO)
    provider = provider_on(ScenarioTransport(scenario, started_session(), speed=0))
    history = [USER] + [{"role": "assistant", "content": "x"}, {"role": "user", "content": "more"}] * 2
    result = await ask(provider, "lead", history)
    assert result.stop_reason == "end_turn" and "script for lead has ended after 2 turns" in result.content[0]["text"]
    stranger = await ask(provider, "qa", [USER])
    assert "script for qa has ended after 0 turns" in stranger.content[0]["text"]


async def test_a_turn_waits_for_its_condition_and_resumes_when_state_changes() -> None:
    scenario = parse_scenario(SCENARIO)
    session = started_session()
    transport = ScenarioTransport(scenario, session, speed=0)
    provider = provider_on(transport)
    history = [USER, {"role": "assistant", "content": "x"}, {"role": "user", "content": "next"}]
    waiting = asyncio.create_task(ask(provider, "lead", history))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    # why it waits, in words: a stall that ends the run quotes it
    assert session.held["lead"] == "its scripted turn waits for the BUILD phase"
    session.emit(ev.PhaseChanged(phase="PLAN"))  # not enough
    await asyncio.sleep(0.05)
    assert not waiting.done()
    session.emit(ev.PhaseChanged(phase="BUILD"))
    result = await asyncio.wait_for(waiting, 5)
    assert result.content[0]["text"] == "Build phase: checking in."


async def test_faults_are_served_one_per_attempt_then_the_turn() -> None:
    scenario = parse_scenario(SCENARIO)
    session = started_session()
    session.emit(ev.MessageSent(agent="lead", recipient="backend", content="Schema first"))
    transport = ScenarioTransport(scenario, session, speed=0)
    sink = Sink()
    result = await ask(provider_on(transport), "backend", [USER], sink)
    assert result.content == [{"type": "text", "text": "Schema is done."}]
    reasons = [r[3] for r in sink.retries]
    assert reasons[:2] == ["overloaded", "overloaded"]
    assert reasons[2].startswith("malformed stream") and reasons[3:] == ["connection reset", "timeout"]
    assert [r[0] for r in sink.retries] == [2, 3, 4, 5, 6]
    assert [kind for _, _, kind in transport.served] == [
        "fault:status",
        "fault:midstream",
        "fault:malformed",
        "fault:reset",
        "fault:timeout",
        "turn",
    ]


async def test_faults_beyond_the_attempts_fail_the_turn() -> None:
    scenario = parse_scenario(SCENARIO)
    session = started_session()
    session.emit(ev.UserMessage(agent="backend", text="hi"))
    session.emit(ev.MessageSent(agent="lead", recipient="backend", content="go"))
    with pytest.raises(ProviderError) as err:
        await ask(provider_on(ScenarioTransport(scenario, session, speed=0), max_attempts=3), "backend", [USER])
    assert not err.value.fatal and "malformed" in str(err.value)


async def test_a_fatal_status_fault_is_not_retried() -> None:
    scenario = parse_scenario("name: t\nagents:\n  lead:\n    - faults: [{status: 401}]\n      text: never\n")
    transport = ScenarioTransport(scenario, started_session(), speed=0)
    with pytest.raises(ProviderError) as err:
        await ask(provider_on(transport), "lead", [USER])
    assert err.value.fatal and "ANTHROPIC_API_KEY" in str(err.value)
    assert len(transport.served) == 1


async def test_speed_zero_never_sleeps() -> None:
    scenario = parse_scenario(SCENARIO.replace("usage: {input_tokens: 900, output_tokens: 120}", "pause: 3"))
    sleep = Recorder()
    transport = ScenarioTransport(scenario, started_session(), speed=0, sleep=sleep)
    await ask(provider_on(transport), "lead", [USER])
    assert sleep.delays == []


async def test_pacing_is_realistic_and_scaled_by_speed() -> None:
    text = "word " * 200  # about 250 tokens
    scenario = parse_scenario(json.dumps({"name": "p", "agents": {"lead": [{"text": text, "pause": 1.0}]}}))
    delays: dict[float, list[float]] = {}
    for speed in (1.0, 4.0):
        sleep = Recorder()
        await ask(provider_on(ScenarioTransport(scenario, started_session(), speed=speed, sleep=sleep)), "lead", [USER])
        delays[speed] = sleep.delays
    normal = delays[1.0]
    assert normal[0] == 1.0  # the pause
    assert 0.4 <= normal[1] <= 0.8  # first token
    streaming = sum(normal[2:])
    assert 250 / 100 * 0.8 <= streaming <= 250 / 60 * 1.2  # 60-100 tokens/s, give or take the chunking
    assert sum(delays[4.0]) == pytest.approx(sum(normal) / 4)


async def test_scripted_provider_retries_without_waiting_at_speed_zero() -> None:
    scenario = parse_scenario(
        "name: t\nagents:\n  lead:\n    - faults: [{status: 529}, {status: 503}]\n      text: ok\n"
    )
    provider = scripted_provider(scenario, started_session(), speed=0)
    sink = Sink()
    result = await ask(provider, "lead", [USER], sink)
    assert result.content == [{"type": "text", "text": "ok"}]
    assert [(r[2], r[3]) for r in sink.retries] == [(0.0, "overloaded"), (0.0, "server error 503")]


async def test_the_transport_refuses_requests_it_cannot_place() -> None:
    transport = ScenarioTransport(parse_scenario(SCENARIO), started_session(), speed=0)
    async with httpx2.AsyncClient(transport=transport, base_url="http://scripted.partytui.invalid") as client:
        no_agent = await client.post("/v1/messages", json={"model": "m", "messages": []})
        wrong_path = await client.get("/v1/models")
    assert no_agent.status_code == 400 and "x-partytui-agent" in no_agent.json()["error"]["message"]
    assert wrong_path.status_code == 404


@pytest.mark.parametrize(
    ("when", "words"),
    [
        ({"messages": 1, "from": "lead"}, "a message from lead"),
        ({"tasks": 3, "completed": [1, 2]}, "3 tasks on the board and tasks 1 and 2 completed"),
        ({"completed": "all", "owned": 1}, "every task completed and a task of its own"),
        ({"approved": "design", "idle": ["qa", "frontend"]}, "a design approved and qa and frontend idle"),
        ({"rejected": "migration", "reason": "index"}, "a migration rejection whose reason says 'index'"),
        ({"chosen": "HTTP API", "files": ["api.py"]}, "the file api.py and the person to choose 'HTTP API'"),
    ],
)
def test_a_wait_condition_explains_itself_in_words(when: dict, words: str) -> None:
    from partytui.core.providers.scenario import Condition

    described = Condition.model_validate(when).describe()
    assert described == words
    assert not set('{}"') & set(described)
