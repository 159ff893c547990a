"""AnthropicProvider through the real SDK on an in-process transport: streaming, retries, errors, pricing."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from engine_fakes import Sink
from fakeapi import FakeScript, mock_transport
from partytui.core.providers.anthropic import (
    AGENT_HEADER,
    INVALID_JSON_KEY,
    AnthropicProvider,
    make_client,
)
from partytui.core.providers.base import ProviderError, has_credentials
from partytui.core.providers.pricing import PRICES_AS_OF, cost_usd, price_for
from partytui.core.truth.events import Usage


@pytest.fixture(autouse=True)
def no_anthropic_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL", "ANTHROPIC_CUSTOM_HEADERS"):
        monkeypatch.delenv(name, raising=False)


def provider_for(turns: list[dict[str, Any]], **kw: Any) -> tuple[AnthropicProvider, FakeScript, list[float]]:
    script = FakeScript(turns)
    client = make_client(
        api_key="sk-test",
        base_url="http://fake.invalid",
        http_client=httpx2.AsyncClient(transport=mock_transport(script)),
    )
    slept: list[float] = []

    async def sleep(delay: float) -> None:
        slept.append(delay)

    return AnthropicProvider(client, sleep=sleep, **kw), script, slept


async def turn(provider: AnthropicProvider, sink: Sink, messages: list[dict[str, Any]] | None = None, **kw: Any):
    return await provider.stream_turn(
        agent=kw.get("agent", "lead"),
        model="claude-sonnet-5-5",
        system="You lead.",
        messages=messages or [{"role": "user", "content": "Build it."}],
        tools=[{"name": "Read", "description": "read a file", "input_schema": {"type": "object"}}],
        max_tokens=1024,
        sink=sink,
    )


async def test_text_and_tool_use_round_trip() -> None:
    provider, script, _ = provider_for(
        [
            {
                "text": "Reading the file.",
                "tool_calls": [{"name": "Read", "input": {"file_path": "README.md"}}],
                "usage": {"input_tokens": 120, "output_tokens": 42, "cache_read_input_tokens": 100},
            },
            {"text": "Done."},
        ]
    )
    sink = Sink()
    first = await turn(provider, sink)
    assert "".join(sink.text) == "Reading the file."
    assert len(sink.text) > 1  # streamed in pieces, not in one block
    assert first.stop_reason == "tool_use"
    assert first.usage == Usage(input_tokens=120, output_tokens=42, cache_read_input_tokens=100)
    assert first.model == "claude-sonnet-5-5"
    text, call = first.content
    assert text == {"type": "text", "text": "Reading the file."}
    assert call == {"type": "tool_use", "id": call["id"], "name": "Read", "input": {"file_path": "README.md"}}

    history = [
        {"role": "user", "content": "Build it."},
        {"role": "assistant", "content": first.content},
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": call["id"], "content": "# hi", "is_error": False},
            ],
        },
    ]
    second = await turn(provider, Sink(), history)
    assert second.content == [{"type": "text", "text": "Done."}] and second.stop_reason == "end_turn"

    sent = script.requests[1]
    assert sent["headers"][AGENT_HEADER] == "lead"
    assert sent["headers"]["authorization"] == "Bearer sk-test"
    body = sent["body"]
    assert body["stream"] is True and body["tools"][0]["name"] == "Read"
    # the unchanging prefix is marked for prompt caching
    assert body["system"] == [{"type": "text", "text": "You lead.", "cache_control": {"type": "ephemeral"}}]
    assert body["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    assert body["messages"][1] == {"role": "assistant", "content": first.content}
    assert body["messages"][2]["content"][0]["type"] == "tool_result"
    assert body["messages"][2]["content"][0]["tool_use_id"] == call["id"]


async def test_thinking_block_keeps_its_signature() -> None:
    thought = "First the schema, then the API."
    provider, _, _ = provider_for([{"thinking": thought, "signature": "c2lnbmVk", "text": "Plan ready."}])
    sink = Sink()
    result = await turn(provider, sink)
    assert "".join(sink.thinking) == "First the schema, then the API."
    assert result.content[0] == {"type": "thinking", "thinking": thought, "signature": "c2lnbmVk"}
    assert result.content[1] == {"type": "text", "text": "Plan ready."}


async def test_overloaded_then_success_reports_each_retry() -> None:
    provider, script, slept = provider_for([{"status": 529}, {"status": 529}, {"text": "ok"}], base_delay_s=1.0)
    sink = Sink()
    result = await turn(provider, sink)
    assert result.content == [{"type": "text", "text": "ok"}]
    assert [(a, m, r) for a, m, _, r in sink.retries] == [(2, 5, "overloaded"), (3, 5, "overloaded")]
    # exponential backoff with jitter: 0.5-1.0 x 1s, then 0.5-1.0 x 2s
    assert 0.5 <= sink.retries[0][2] <= 1.0 and 1.0 <= sink.retries[1][2] <= 2.0
    assert slept == [r[2] for r in sink.retries]
    assert len(script.requests) == 3


async def test_backoff_is_capped() -> None:
    provider, _, _ = provider_for([{"status": 500}] * 4 + [{"text": "ok"}], base_delay_s=10.0, max_delay_s=12.0)
    sink = Sink()
    await turn(provider, sink)
    assert all(delay <= 12.0 for _, _, delay, _ in sink.retries)
    assert sink.retries[0][3] == "server error 500"


async def test_rate_limit_honours_retry_after_headers() -> None:
    provider, _, slept = provider_for(
        [{"status": 429, "retry_after_ms": 1500}, {"status": 429, "retry_after": "2"}, {"text": "ok"}]
    )
    sink = Sink()
    await turn(provider, sink)
    assert [(a, d, r) for a, _, d, r in sink.retries] == [(2, 1.5, "rate limited"), (3, 2.0, "rate limited")]
    assert slept == [1.5, 2.0]


async def test_midstream_overloaded_error_is_retried() -> None:
    provider, _, _ = provider_for([{"midstream": "overloaded_error"}, {"midstream": "api_error"}, {"text": "back"}])
    sink = Sink()
    result = await turn(provider, sink)
    assert result.content == [{"type": "text", "text": "back"}]
    assert [r[3] for r in sink.retries] == ["overloaded", "server error (api_error)"]


async def test_midstream_invalid_request_is_fatal() -> None:
    provider, _, _ = provider_for([{"midstream": "invalid_request_error", "message": "prompt is too long"}])
    with pytest.raises(ProviderError) as err:
        await turn(provider, Sink())
    assert err.value.fatal and "prompt is too long" in str(err.value)


async def test_malformed_stream_retries_a_couple_of_times_then_gives_up() -> None:
    provider, script, _ = provider_for([{"malformed": True}] * 5, max_attempts=5)
    sink = Sink()
    with pytest.raises(ProviderError) as err:
        await turn(provider, sink)
    assert not err.value.fatal
    assert "malformed" in str(err.value)
    assert len(script.requests) == 3 and len(sink.retries) == 2


async def test_malformed_stream_then_success() -> None:
    provider, _, _ = provider_for([{"malformed": True}, {"text": "fine now"}])
    sink = Sink()
    result = await turn(provider, sink)
    assert result.content[0]["text"] == "fine now"
    assert sink.retries[0][3].startswith("malformed stream")


async def test_connection_reset_mid_stream_is_retried() -> None:
    provider, _, _ = provider_for([{"reset": True}, {"text": "again"}])
    sink = Sink()
    result = await turn(provider, sink)
    assert result.content[0]["text"] == "again"
    assert sink.retries[0][3] == "connection reset"


async def test_timeout_is_retried() -> None:
    provider, _, _ = provider_for([{"timeout": True}, {"text": "late but here"}])
    sink = Sink()
    result = await turn(provider, sink)
    assert result.content[0]["text"] == "late but here"
    assert sink.retries[0][3] == "timeout"


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (401, "401 authentication_error: the API key was refused — check ANTHROPIC_API_KEY"),
        (400, "400 invalid_request_error"),
        (403, "403 permission_error"),
        (404, "404 not_found_error"),
        (413, "413 request_too_large"),
    ],
)
async def test_client_errors_are_fatal_and_not_retried(status: int, words: str) -> None:
    provider, script, _ = provider_for([{"status": status}, {"text": "never"}])
    sink = Sink()
    with pytest.raises(ProviderError) as err:
        await turn(provider, sink)
    assert err.value.fatal and err.value.status == status
    assert words in str(err.value)
    assert sink.retries == [] and len(script.requests) == 1


async def test_attempts_exhausted_names_the_last_reason() -> None:
    provider, _script, _ = provider_for([{"status": 529}, {"status": 529}, {"status": 503}], max_attempts=3)
    sink = Sink()
    with pytest.raises(ProviderError) as err:
        await turn(provider, sink)
    assert not err.value.fatal
    assert "3 attempts" in str(err.value) and "server error 503" in str(err.value)
    assert [r[0] for r in sink.retries] == [2, 3] and all(r[1] == 3 for r in sink.retries)


async def test_invalid_tool_json_comes_back_marked_not_raised() -> None:
    raw = '{"command": "ls" oops'
    provider, _, _ = provider_for(
        [
            {
                "tool_calls": [
                    {"name": "Bash", "input": raw},
                    {"name": "Read", "input": {"file_path": "a.txt"}},
                    {"name": "LS", "input": "[1, 2]"},
                ]
            }
        ]
    )
    result = await turn(provider, Sink())
    assert result.content[0]["input"] == {INVALID_JSON_KEY: raw}
    assert result.content[1]["input"] == {"file_path": "a.txt"}
    assert result.content[2]["input"] == {INVALID_JSON_KEY: "[1, 2]"}  # valid JSON, but not an object


async def test_truncated_tool_json_at_max_tokens_is_marked_invalid() -> None:
    provider, _, _ = provider_for(
        [
            {
                "tool_calls": [{"name": "Write", "input": '{"file_path": "a.py", "content": "pri'}],
                "stop_reason": "max_tokens",
            }
        ]
    )
    result = await turn(provider, Sink())
    assert result.stop_reason == "max_tokens"
    assert result.content[0]["input"] == {INVALID_JSON_KEY: '{"file_path": "a.py", "content": "pri'}


async def test_a_client_that_retries_on_its_own_is_tamed() -> None:
    import anthropic

    script = FakeScript([{"status": 529}, {"text": "ok"}])
    client = anthropic.AsyncAnthropic(
        api_key="k", base_url="http://fake.invalid", http_client=httpx2.AsyncClient(transport=mock_transport(script))
    )
    slept: list[float] = []

    async def sleep(d: float) -> None:
        slept.append(d)

    sink = Sink()
    await turn(AnthropicProvider(client, sleep=sleep), sink)
    assert len(sink.retries) == 1  # the SDK's own silent retry did not happen first


def test_make_client_honours_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not has_credentials()
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", "tok")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9/")
    assert has_credentials()
    client = make_client()
    assert client.auth_token == "tok" and client.api_key is None
    assert str(client.base_url).startswith("http://127.0.0.1:9")
    assert client.max_retries == 0
    monkeypatch.setenv("ANTHROPIC_API_KEY", "key")
    assert make_client().api_key == "key"
    assert make_client(api_key="explicit", base_url="http://x.invalid").api_key == "explicit"


# ── pricing ──────────────────────────────────────────────────────────────────


def test_price_for_known_dated_and_unknown_models() -> None:
    sonnet = price_for("claude-sonnet-4-5")
    assert sonnet is not None and (sonnet.input, sonnet.output) == (3, 15)
    assert price_for("claude-sonnet-4-5-20250929") == sonnet
    assert price_for("claude-opus-5-5") != price_for("claude-opus-5")  # a longer id is not its prefix's family
    assert price_for("claude-sonnet-5-5").cache_read == 0.10 and price_for("claude-sonnet-5").cache_read == 0.20
    assert price_for("gpt-4o") is None and price_for("claude-sonnet-4") is None and price_for("") is None
    assert PRICES_AS_OF


def test_cost_counts_every_kind_of_token() -> None:
    usage = Usage(
        input_tokens=1_000_000,
        output_tokens=100_000,
        cache_creation_input_tokens=200_000,
        cache_read_input_tokens=2_000_000,
    )
    # 1M x 1 + 0.2M x 1.25 + 2M x 0.10 + 0.1M x 5
    assert cost_usd("claude-haiku-4-5-20251001", usage) == pytest.approx(1.0 + 0.25 + 0.2 + 0.5)
    assert cost_usd("mystery-model", usage) is None
    assert cost_usd("claude-haiku-4-5", Usage()) == 0.0


@pytest.mark.parametrize(
    ("faults", "fragments"),
    [
        (
            [{"reset": True}] * 3,
            [
                "could not reach the API at ",
                "(connection reset)",
                "gave up after 3 attempts",
                "Check the network",
                "then resume the session (partytui resume --last)",
            ],
        ),
        ([{"status": 429}] * 3, ["kept refusing for the rate limit (429)", "Wait a minute"]),
        ([{"timeout": True}] * 3, ["did not answer in time", "Check the network"]),
        ([{"status": 503}] * 3, ["kept failing (server error 503)", "try again in a few minutes"]),
    ],
    ids=["connection", "rate-limit", "timeout", "server"],
)
async def test_a_network_failure_says_what_failed_and_what_to_do(faults: list[dict], fragments: list[str]) -> None:
    provider, _, _ = provider_for(faults, max_attempts=3)
    with pytest.raises(ProviderError) as err:
        await turn(provider, Sink())
    for fragment in fragments:
        assert fragment in str(err.value)
