"""The provider against FakeAnthropicServer over real loopback sockets, in process and as a subprocess."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anthropic
import httpx2
import pytest

from fakeapi import FakeAnthropicServer
from partytui.core.providers.anthropic import AnthropicProvider, make_client
from partytui.core.providers.base import ProviderError

REPO = Path(__file__).resolve().parents[1]


class Sink:
    def __init__(self) -> None:
        self.text: list[str] = []
        self.retries: list[tuple[int, int, float, str]] = []

    def on_text(self, text: str) -> None:
        self.text.append(text)

    def on_thinking(self, text: str) -> None:
        pass

    def on_retry(self, attempt: int, max_attempts: int, delay_s: float, reason: str) -> None:
        self.retries.append((attempt, max_attempts, delay_s, reason))


@pytest.fixture(autouse=True)
def no_anthropic_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL", "ANTHROPIC_CUSTOM_HEADERS"):
        monkeypatch.delenv(name, raising=False)


def provider(base_url: str, **client_kw: Any) -> AnthropicProvider:
    client = anthropic.AsyncAnthropic(api_key="sk-loopback", base_url=base_url, max_retries=0, **client_kw)

    async def no_sleep(_: float) -> None:
        pass

    return AnthropicProvider(client, sleep=no_sleep)


async def ask(p: AnthropicProvider, messages: list[dict[str, Any]], sink: Sink | None = None):
    return await p.stream_turn(
        agent="backend",
        model="claude-haiku-4-5",
        system="s",
        messages=messages,
        tools=[],
        max_tokens=512,
        sink=sink or Sink(),
    )


async def test_round_trip_over_loopback() -> None:
    turns = [{"text": "Listing files.", "tool_calls": [{"name": "LS", "input": {"path": "."}}]}, {"text": "Two files."}]
    async with FakeAnthropicServer(turns=turns) as server:
        assert server.base_url.startswith("http://127.0.0.1:")
        p = provider(server.base_url)
        sink = Sink()
        first = await ask(p, [{"role": "user", "content": "look"}], sink)
        call = first.content[1]
        assert call["name"] == "LS" and call["input"] == {"path": "."}
        history = [
            {"role": "user", "content": "look"},
            {"role": "assistant", "content": first.content},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call["id"], "content": "a b"}]},
        ]
        second = await ask(p, history)
    assert "".join(sink.text) == "Listing files."
    assert second.content == [{"type": "text", "text": "Two files."}]
    assert [r["path"] for r in server.requests] == ["/v1/messages", "/v1/messages"]
    assert server.requests[0]["headers"]["x-partytui-agent"] == "backend"
    assert server.requests[1]["body"]["messages"][2]["content"][0]["tool_use_id"] == call["id"]


async def test_errors_resets_and_midstream_failures_over_loopback() -> None:
    turns = [
        {"status": 529},
        {"reset": True},
        {"midstream": "overloaded_error"},
        {"malformed": True},
        {"text": "made it"},
    ]
    async with FakeAnthropicServer(turns=turns) as server:
        sink = Sink()
        result = await ask(provider(server.base_url), [{"role": "user", "content": "x"}], sink)
    assert result.content[0]["text"] == "made it"
    reasons = [r[3] for r in sink.retries]
    assert reasons[:3] == ["overloaded", "connection reset", "overloaded"] and reasons[3].startswith("malformed")


async def test_a_server_that_does_not_answer_times_out() -> None:
    async with FakeAnthropicServer(turns=[{"hang": 2.0}, {"text": "quick now"}]) as server:
        sink = Sink()
        impatient = provider(server.base_url, timeout=httpx2.Timeout(0.3))
        result = await ask(impatient, [{"role": "user", "content": "x"}], sink)
    assert result.content[0]["text"] == "quick now"
    assert sink.retries[0][3] == "timeout"


async def test_unauthorized_over_loopback_is_fatal() -> None:
    async with FakeAnthropicServer(turns=[{"status": 401}]) as server:
        with pytest.raises(ProviderError) as err:
            await ask(provider(server.base_url), [{"role": "user", "content": "x"}])
    assert err.value.fatal and err.value.status == 401


async def test_make_client_finds_the_server_through_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    async with FakeAnthropicServer(turns=[{"text": "env works"}]) as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.base_url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-env")
        result = await ask(AnthropicProvider(make_client()), [{"role": "user", "content": "x"}])
    assert result.content[0]["text"] == "env works"
    assert server.requests[0]["headers"]["authorization"] == "Bearer sk-env"


async def test_the_server_stops_by_itself_when_idle() -> None:
    server = FakeAnthropicServer(turns=[])
    await server.start()
    await asyncio.wait_for(server.serve_until_idle(0.2), 5)
    with pytest.raises(httpx2.ConnectError):
        async with httpx2.AsyncClient() as client:
            await client.post(server.base_url + "/v1/messages", json={})


def test_as_a_subprocess(tmp_path: Path) -> None:
    port_file, script, requests = tmp_path / "port", tmp_path / "script.json", tmp_path / "requests.jsonl"
    script.write_text(json.dumps([{"status": 529, "retry_after_ms": 1}, {"text": "from a subprocess"}]))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.fakeapi",
            "--port-file",
            str(port_file),
            "--script",
            str(script),
            "--requests-file",
            str(requests),
            "--idle-timeout",
            "20",
        ],
        cwd=REPO,
    )
    try:
        deadline = time.monotonic() + 60  # a bound on a hang: Python starts slowly on a busy machine
        while not port_file.exists():
            assert proc.poll() is None, "the fake API exited before listening"
            assert time.monotonic() < deadline, "the fake API did not start"
            time.sleep(0.05)
        base_url = f"http://127.0.0.1:{port_file.read_text()}"
        result = asyncio.run(ask(provider(base_url), [{"role": "user", "content": "hello"}]))
        assert result.content == [{"type": "text", "text": "from a subprocess"}]
        logged = [json.loads(line) for line in requests.read_text().splitlines()]
        assert len(logged) == 2 and logged[1]["body"]["messages"] == [{"role": "user", "content": "hello"}]
    finally:
        proc.terminate()
        proc.wait(10)
