"""A long conversation stays inside the context window: old tool outputs are cleared from the request only."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from engine_fakes import FakeProvider, call, member, text
from partytui.core.runtimes.context import ContextTrimmer
from partytui.core.team.approvals import ApprovalBroker
from partytui.core.team.orchestrator import Team
from partytui.core.tools.base import Limits
from partytui.core.truth.events import Usage
from partytui.core.truth.session import Session


def turn(n: int, output_chars: int) -> list[dict[str, Any]]:
    """One assistant turn calling a tool, and the user message carrying its output."""
    return [
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": f"reading part {n}"},
                {"type": "tool_use", "id": f"t{n}", "name": "Read", "input": {"file_path": f"f{n}"}},
            ],
        },
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": f"t{n}", "content": "x" * output_chars}]},
    ]


def conversation(turns: int, output_chars: int) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = [{"role": "user", "content": [{"type": "text", "text": "the goal"}]}]
    for n in range(turns):
        messages += turn(n, output_chars)
    return messages


def outputs(messages: list[dict[str, Any]]) -> list[str]:
    return [
        b["content"] for m in messages if m["role"] == "user" for b in m["content"] if b.get("type") == "tool_result"
    ]


async def read_eight_parts(tmp_path, provider_class, *, lines: int, context_tokens: int) -> tuple[Team, FakeProvider]:  # type: ignore[no-untyped-def]
    """One agent alone reads eight files of ``lines`` lines, then says it is done."""
    workspace = tmp_path / "ws"
    workspace.mkdir()
    for n in range(8):
        (workspace / f"part{n}.txt").write_text(f"part {n}\n" * lines)
    turns = [[call("Read", file_path=f"part{n}.txt")] for n in range(8)] + [[text("Read them all.")]]
    session = Session()
    provider = provider_class({"solo": turns})
    team = Team(
        session,
        ApprovalBroker(session),
        provider,
        [member("solo", lead=True)],
        workspace=workspace,
        goal="read every part",
        solo=True,
        limits=Limits(context_tokens=context_tokens),
    )
    team.start_session("reading", mode="scripted", scenario=None)
    await asyncio.wait_for(team.run(), 10)
    return team, provider


def test_a_conversation_under_the_limit_is_sent_as_it_is() -> None:
    messages = conversation(5, 1_000)
    request, cleared = ContextTrimmer(10_000).request(messages)
    assert request == messages and cleared == 0


def test_past_the_limit_the_oldest_outputs_are_cleared_and_the_newest_kept() -> None:
    messages = conversation(20, 4_000)  # ~20,000 tokens
    trimmer = ContextTrimmer(10_000, target=0.6, keep_recent=4)
    request, cleared = trimmer.request(messages)
    sent = outputs(request)
    assert cleared > 0 and all(
        s.startswith("[earlier output cleared") and "4,002 characters" in s for s in sent[:cleared]
    )
    assert sent[cleared:] == outputs(messages)[cleared:] and len(sent[cleared:]) >= 4  # the newest untouched
    assert sum(len(str(m["content"])) for m in request) // 4 <= 10_000 * 0.6 + 1_000
    assert [m for m in request if m["role"] == "assistant"] == [m for m in messages if m["role"] == "assistant"]
    assert outputs(messages)[0] == "x" * 4_000  # the history itself keeps everything


def test_between_clearings_every_request_starts_with_the_same_messages() -> None:
    messages = conversation(20, 4_000)
    trimmer = ContextTrimmer(10_000)
    first, _cleared = trimmer.request(messages)
    messages += turn(20, 100)
    second, again = trimmer.request(messages)
    assert again == 0 and second[: len(first)] == first  # the prompt cache still holds
    for n in range(21, 40):  # the conversation grows until it passes the limit again
        messages += turn(n, 4_000)
        _, again = trimmer.request(messages)
        if again:
            break
    assert again > 0 and trimmer.cleared_before > 0


async def test_an_agent_reading_large_files_goes_on_and_the_transcript_says_what_was_cleared(tmp_path) -> None:
    team, provider = await read_eight_parts(
        tmp_path, CountingProvider, lines=2_000, context_tokens=10_000
    )  # ~14 KB each
    session = team.session
    sent = provider.requests["solo"]
    assert outputs(sent[-1])[0].startswith("[earlier output cleared")  # the last request: oldest cleared
    assert "part 7" in outputs(sent[-1])[-1]  # the newest output is there in full
    notes = [e.text for e in session.state.agents["solo"].transcript if e.kind == "context"]
    assert notes and "cleared from the request" in notes[0]
    assert session.state.agents["solo"].transcript[-1].text == "Read them all."
    full = [e for e in session.state.agents["solo"].transcript if e.kind == "tool"]
    assert len(full) == 8 and all("part" in (e.output or "") for e in full)  # the log keeps every output


def test_the_api_s_own_count_makes_the_estimate_honest() -> None:
    messages = conversation(10, 4_000)  # ~10,000 tokens by the estimate
    trimmer = ContextTrimmer(12_000)
    request, cleared = trimmer.request(messages)
    assert cleared == 0
    trimmer.observe(len(str(request)) // 4 + 3_000)  # the API counts the system prompt and tools too
    messages += turn(10, 100)
    assert trimmer.request(messages)[1] > 0


def test_a_fixed_overhead_is_added_once_not_multiplied() -> None:
    messages = conversation(0, 0)
    trimmer = ContextTrimmer(100_000)
    trimmer.request(messages)
    trimmer.observe(8_000)  # a short goal, and 8,000 tokens of system prompt and tool definitions
    for n in range(15):
        messages += turn(n, 16_000)  # ~60,000 tokens of outputs: with the overhead, well under the limit
        assert trimmer.request(messages)[1] == 0


class CountingProvider(FakeProvider):
    """Reports the input tokens the API would count: the request's characters, and a system prompt."""

    async def stream_turn(self, **kwargs):  # type: ignore[no-untyped-def]
        result = await super().stream_turn(**kwargs)
        result.usage = Usage(input_tokens=len(json.dumps(kwargs["messages"])) // 4 + 500, output_tokens=5)
        return result


async def test_a_request_the_api_finds_too_long_is_cleared_further_and_sent_again(tmp_path) -> None:
    from partytui.core.providers.base import ProviderError

    class TooLongOnce(CountingProvider):
        refused: list[dict] | None = None

        async def stream_turn(self, **kwargs):  # type: ignore[no-untyped-def]
            if len(outputs(kwargs["messages"])) >= 6 and self.refused is None:
                self.refused = kwargs["messages"]
                raise ProviderError(
                    "400 invalid_request_error: prompt is too long: 210000 tokens > 200000 maximum",
                    fatal=True,
                    status=400,
                )
            return await super().stream_turn(**kwargs)

    team, provider = await read_eight_parts(tmp_path, TooLongOnce, lines=500, context_tokens=100_000)
    session = team.session
    refused = provider.refused  # type: ignore[attr-defined]
    assert refused is not None

    def cleared(request: list[dict]) -> int:
        return sum(out.startswith("[earlier output cleared") for out in outputs(request))

    retried = next(request for request in provider.requests["solo"] if len(outputs(request)) == len(outputs(refused)))
    assert cleared(refused) == 0 and cleared(retried) > 0  # sent again, cleared further
    retries = [e for e in session.state.agents["solo"].transcript if e.kind == "retry"]
    assert (
        retries and "too long for the model" in retries[0].text and "more older tool outputs cleared" in retries[0].text
    )
    assert session.state.agents["solo"].transcript[-1].text == "Read them all."  # it went on


async def test_when_nothing_more_can_be_cleared_the_refusal_stands(tmp_path) -> None:
    from partytui.core.providers.base import ProviderError

    class AlwaysTooLong(CountingProvider):
        async def stream_turn(self, **kwargs):  # type: ignore[no-untyped-def]
            raise ProviderError("400 invalid_request_error: prompt is too long", fatal=True, status=400)

    team, _provider = await read_eight_parts(tmp_path, AlwaysTooLong, lines=10, context_tokens=100_000)
    errors = [e for e in team.session.state.agents["solo"].transcript if e.kind == "error"]
    assert errors and "too long" in errors[0].text  # the agent stops with the API's words, not sent in a loop
