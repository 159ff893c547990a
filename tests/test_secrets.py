"""A planted canary key never reaches the log, the screen, a screenshot, an export, a summary or Bash."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from demo_args import headless_run
from partytui.cli import main
from partytui.core.tools.shell import scrubbed_env
from partytui.core.truth import secrets as secrets_module
from partytui.core.truth.events import ToolCalled, ToolResult, parse_event, to_json
from partytui.core.truth.log import StreamRedactor, read_log, redact
from partytui.core.truth.secrets import holds_secret, is_secret_file, redacted_line, secret_file_in, secrets_from_env
from partytui.core.truth.session import Session
from partytui.core.truth.state import fold
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
    argv = [*headless_run(scenario, tmp_path / "ws", sessions), "--agent", "leaky", "--prompt", "go"]
    code = main([*argv, "--approve", "all"])  # reading .env asks first; the policy allows it here
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
    pieces = [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]
    guard = StreamRedactor((ENV_CANARY,))
    out = "".join(guard.feed(p) for p in pieces) + guard.flush()
    assert secret.split()[-1] not in out
    assert out == redact(text, (ENV_CANARY,))


# ── secret files, quoting, short values, URLs with passwords ────────────────────────────────────────


QUOTED = 'p"a\\ss\\"w0rd!'  # a secret holding a quote and backslashes
SHORT = "hunter2x"  # under 12 characters
DB_PASSWORD = "s3cr3t-db-pw"
QUOTED_ESCAPED = QUOTED.replace('"', '\\"')  # as a shell file writes it

ENV_FILE = f"""API_TOKEN={"tok_" + "9" * 20}
DB_PASS={SHORT}
export QUOTED_SECRET="{QUOTED_ESCAPED}"
DATABASE_URL=postgres://app:{DB_PASSWORD}@db:5432/app
-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ
-----END OPENSSH PRIVATE KEY-----
"""

READER = """---
name: reader
description: reads what it finds
tools: Read, Grep, Bash
permissionMode: bypassPermissions
---
You read.
"""


def _secret_run(tmp_path: Path, approve: str | None, tools: str) -> tuple[int, str, Path]:
    (tmp_path / "agents").mkdir(exist_ok=True)
    (tmp_path / "agents" / "reader.md").write_text(READER)
    scenario = tmp_path / "read.yaml"
    scenario.write_text(
        f"name: read\nagents_dir: agents\nworkspace_files:\n  .env: {json.dumps(ENV_FILE)}\n"
        f'  app.py: "print(1)\\n"\nagents:\n  reader:\n    - tools: {tools}\n    - text: done\n'
    )
    sessions = tmp_path / "s"
    argv = [*headless_run(scenario, tmp_path / "ws", sessions), "--agent", "reader", "--prompt", "go"]
    code = main(argv + (["--approve", approve] if approve else []))
    (log,) = sessions.glob("*.jsonl")
    return code, log.read_text(), log


def test_reading_a_secret_file_asks_first_whatever_the_permission_mode(tmp_path, monkeypatch):
    code, text, log = _secret_run(tmp_path, None, "[{name: Read, input: {file_path: .env}}]")
    assert code == 3  # headless with nobody to answer: the run waits for the person
    (request,) = [e for e in read_log(log).events if e.type == "approval.requested"]
    assert request.request.kind == "permission" and request.request.title.startswith("Secret file: .env")
    assert SHORT not in text and "tok_9999" not in text  # nothing was read


def test_a_refused_secret_read_reads_nothing_and_bash_asks_too(tmp_path):
    code, text, _ = _secret_run(
        tmp_path, "none", "[{name: Bash, input: {command: 'cat .env'}}, {name: Read, input: {file_path: .env.local}}]"
    )
    assert code == 0
    assert text.count("Secret file:") == 2 and SHORT not in text and DB_PASSWORD not in text


def test_what_an_allowed_secret_read_shows_is_redacted_whatever_its_quoting(tmp_path):
    code, text, log = _secret_run(
        tmp_path,
        "all",
        "[{name: Read, input: {file_path: .env}}, {name: Grep, input: {pattern: DB_PASS, output_mode: content}}]",
    )
    assert code == 0
    outputs = [e.output for e in read_log(log).events if e.type == "tool.result"]
    assert "DB_PASS=[redacted]" in outputs[0] and "API_TOKEN=[redacted]" in outputs[0]
    for secret in (SHORT, DB_PASSWORD, "tok_" + "9" * 20, "b3BlbnNzaC1rZXkt", "a\\\\ss", 'p\\"a'):
        assert secret not in text, secret
    assert "DB_PASS" not in outputs[1]  # a search of the whole workspace leaves .env out


def test_env_secrets_with_quotes_short_values_and_url_passwords_are_cut(monkeypatch):
    monkeypatch.setenv("MY_QUOTED_TOKEN", QUOTED)
    monkeypatch.setenv("DB_PASS", SHORT)
    monkeypatch.setenv("DATABASE_URL", f"postgres://app:{DB_PASSWORD}@db/app")
    found = secrets_from_env()
    assert {QUOTED, SHORT, DB_PASSWORD} <= set(found)
    event = ToolResult(
        agent="a", tool_use_id="t", tool="Bash", output=f"got {QUOTED} and {SHORT}. url pw {DB_PASSWORD}"
    )
    clean, line = redacted_line(event, found)
    assert QUOTED not in clean.output and SHORT not in clean.output and DB_PASSWORD not in clean.output
    assert SHORT not in line and DB_PASSWORD not in line
    assert redact("hunter2xy", found) == "hunter2xy"  # a short value is cut as a word, not inside another
    env = scrubbed_env(
        Path("/tmp"),
        {
            "DATABASE_URL": f"postgres://app:{DB_PASSWORD}@db/app",
            "DB_PASS": SHORT,
            "PATH": "/usr/bin",
            "PLAIN_URL": "https://example.com/x",
        },
    )
    assert "DATABASE_URL" not in env and "DB_PASS" not in env and env["PLAIN_URL"] == "https://example.com/x"


def test_the_session_redacts_field_by_field(tmp_path, monkeypatch):
    monkeypatch.setenv("MY_QUOTED_TOKEN", QUOTED)
    session = Session()
    event = session.emit(ToolResult(agent="a", tool_use_id="t", tool="Bash", output=f'x="{QUOTED}"\n{QUOTED}'))
    assert QUOTED not in event.output


def test_which_files_are_secret_files():
    for name in (
        ".env",
        ".env.local",
        "prod.env",
        "id_rsa",
        "id_ed25519",
        "id_work",
        "server.pem",
        "tls.key",
        ".netrc",
        ".pgpass",
        "sub/dir/.env",
    ):
        assert is_secret_file(name), name
    for name in (".env.example", "id_rsa.pub", "env.py", "README.md", "keys.py", "identity.txt"):
        assert not is_secret_file(name), name
    assert secret_file_in("Bash", {"command": "source .env && pytest"}) == ".env"
    assert secret_file_in("Bash", {"command": "pytest -q"}) is None
    assert secret_file_in("Read", {"file_path": "/w/.env"}) == "/w/.env"
    assert holds_secret("DATABASE_URL", "mysql://u:p4ss@h/d") and not holds_secret("HOME", "/root")


# ── the quick look that spares most strings the patterns ─────────────────────────────────────────────

_SHAPES = st.sampled_from(
    [
        CANARY,
        ENV_CANARY,
        "Bearer abcdefghijklmnop0123456789",
        "ghp_" + "a" * 24,
        "AKIA" + "B" * 16,
        "xoxb-1234567890ab",
        "rk_live_" + "c" * 12,
        "AIza" + "d" * 32,
        "eyJabcdefghij.eyJabcdefghij.abcdefghij",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIE",
        "https://u:pw123456@h",
        "api_key=abcdef123",
        "TOKEN: 'xyz12345'",
        '{"api_key": "abcdef123456"}',
        '"password"="hunter2hunter"',
        SHORT,
    ]
)


@settings(deadline=None, max_examples=300)
@given(st.lists(st.one_of(st.text(max_size=40), _SHAPES), max_size=6).map("".join))
def test_the_quick_look_skips_only_texts_no_pattern_matches(text):
    # redact() returns a text untouched when it holds nothing any pattern needs: no pattern may match there
    secrets = (ENV_CANARY, SHORT)
    if secrets_module._quick_look(secrets).search(text) is None:
        patterns = [*secrets_module._exact_patterns(secrets), *secrets_module.SECRET_PATTERNS, secrets_module._ASSIGNED]
        assert all(p.search(text) is None for p in patterns)
        assert redact(text, secrets) is text


_STRINGS = st.lists(
    st.one_of(st.text(max_size=30), _SHAPES, st.sampled_from(['"', "\\", '":', '\\":', "="])), max_size=5
)


@settings(deadline=None, max_examples=300)
@given(_STRINGS.map("".join), st.dictionaries(_STRINGS.map("".join), _STRINGS.map("".join), max_size=3))
def test_an_event_skipped_by_the_look_at_its_line_is_one_no_field_needed_cutting(text, tool_input):  # type: ignore[no-untyped-def]
    # the log writes an event's line unwalked when the look at the whole line finds nothing: it must be the
    # very line the field-by-field walk would have written
    secrets = (ENV_CANARY, SHORT, 'quote"d\\secret')
    event = ToolCalled(agent="dev", tool="Bash", tool_use_id="t1", input={**tool_input, "command": text})
    walked = secrets_module.redact_data(event.model_dump(mode="json"), secrets)
    expected = to_json(parse_event(walked))
    clean, line = secrets_module.redacted_line(event, secrets)
    assert line == expected and to_json(clean) == expected


def test_a_known_secret_is_found_in_the_line_as_json_escapes_it() -> None:
    secret = 'quote"d\\secret'
    event = ToolResult(agent="dev", tool="Bash", tool_use_id="t1", output=f"the value is {secret}")
    _, line = secrets_module.redacted_line(event, (secret,))
    assert "secret" not in line.replace("[redacted]", "") and "[redacted]" in line
