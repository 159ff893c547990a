"""A planted canary key never reaches the log, the screen, a screenshot, an export, a summary or Bash."""

from __future__ import annotations

import json
from pathlib import Path

import asyncio

from partytui.cli import main
from partytui.core.log import read_log
from partytui.core.state import fold
from partytui.core.session import Session
from partytui.tui.app import make_app

CANARY = "sk-ant-api03-CANARY-d0ntL3akM3-0123456789"
ENV_CANARY = "envcanary-0123456789abcdef"

AGENT = """---
name: leaky
description: tries to leak secrets
tools: Read, Write, Bash
permissionMode: bypassPermissions
---
You are leaky.
"""

SCENARIO = f"""
name: secrets
goal: find the key
agents_dir: agents
agents:
  leaky:
    - text: "Here is a key I made up: {CANARY}"
      tools:
        - {{name: Bash, input: {{command: 'env; echo "key=$ANTHROPIC_API_KEY token=$MY_SERVICE_TOKEN"'}}}}
        - {{name: Write, input: {{file_path: .env, content: "ANTHROPIC_API_KEY={CANARY}"}}}}
        - {{name: Read, input: {{file_path: .env}}}}
    - text: "Done. Authorization: Bearer abcdefghijklmnop0123456789 and {ENV_CANARY}"
"""


def test_a_canary_reaches_no_output(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setenv("ANTHROPIC_API_KEY", CANARY)
    monkeypatch.setenv("MY_SERVICE_TOKEN", ENV_CANARY)
    (tmp_path / "agents").mkdir()
    (tmp_path / "agents" / "leaky.md").write_text(AGENT)
    scenario = tmp_path / "secrets.yaml"
    scenario.write_text(SCENARIO)
    sessions = tmp_path / "s"
    code = main(["run", "--agent", "leaky", "--prompt", "go", "--headless", "--scenario", str(scenario),
                 "--speed", "0", "--workspace", str(tmp_path / "ws"), "--session-dir", str(sessions)])
    assert code == 0
    (log,) = sessions.glob("*.jsonl")
    outputs = {"log": log.read_text(), "stdout": capsys.readouterr().out}

    events = read_log(log).events
    bash = next(e for e in events if e.type == "tool.result" and e.tool == "Bash")
    assert "key= token=" in bash.output  # Bash never had them in its environment

    for fmt in ("md", "html"):
        out = tmp_path / f"report.{fmt}"
        assert main(["export", str(log), "--format", fmt, "-o", str(out)]) == 0
        outputs[fmt] = out.read_text()
    main(["summary", str(log), "--json"])
    outputs["summary"] = capsys.readouterr().out

    # the screen: the app drawing this session's state, saved as a screenshot
    outputs["screenshot"] = asyncio.run(_screenshot(events))

    for name, text in outputs.items():
        assert CANARY not in text and ENV_CANARY not in text, name
        assert "abcdefghijklmnop0123456789" not in text, name
    assert "[redacted]" in outputs["log"]


async def _screenshot(events) -> str:
    app = make_app(Session(state=fold(events)), clock=lambda: events[-1].ts)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await app.flush_view()
        await pilot.pause()
        return app.export_screenshot()


from hypothesis import given, settings
from hypothesis import strategies as st

from partytui.core.log import StreamRedactor, redact


@settings(deadline=None, max_examples=200)
@given(
    before=st.text(max_size=300),
    after=st.text(max_size=300),
    cuts=st.lists(st.integers(min_value=0, max_value=800), max_size=12),
    secret=st.sampled_from([CANARY, ENV_CANARY, "Bearer abcdefghijklmnop0123456789"]),
)
def test_a_secret_split_across_deltas_is_still_redacted(before, after, cuts, secret):
    text = before + secret + after
    points = sorted({c for c in cuts if 0 < c < len(text)})
    pieces = [text[a:b] for a, b in zip([0, *points], [*points, len(text)])]
    guard = StreamRedactor((ENV_CANARY,))
    out = "".join(guard.feed(p) for p in pieces) + guard.flush()
    assert secret.split()[-1] not in out
    assert out == redact(text, (ENV_CANARY,))
