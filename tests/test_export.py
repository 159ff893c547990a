"""Markdown and HTML reports: the sections, escaping, no external fetches, no secrets, and the command."""

from __future__ import annotations

import os
import re
import stat

import pytest

from partytui.cli import main as cli_main
from partytui.core.truth import events as ev
from partytui.core.truth.log import SessionLog
from partytui.core.truth.state import fold
from partytui.replay.export import export_html, export_markdown
from replay_sessions import build_session

CANARY = "sk-ant-api03-" + "Zq7" * 12
SCRIPT = "<script>alert('pwned')</script>"


def planted() -> list[ev.EventBase]:
    events = build_session(1200)
    extra = [
        ev.TextDelta(agent="backend", text=f"Here is the key {CANARY} and {SCRIPT}"),
        ev.ToolCalled(agent="qa", tool_use_id="tu_x", tool="Bash", input={"command": f"echo {SCRIPT}"}),
        ev.ToolResult(
            agent="qa",
            tool_use_id="tu_x",
            tool="Bash",
            output=f"```\n{SCRIPT}\nAuthorization: Bearer {'a1b2c3d4' * 4}\n",
        ),
        ev.UserMessage(agent="lead", text=f"<img src=x onerror=alert(1)> {CANARY}"),
        ev.TurnEnded(agent="frontend", turn=99, cost_usd=None),  # a model without a known price
    ]
    end = events.pop()
    for i, event in enumerate([*extra, end]):
        event.seq, event.ts = len(events) + i + 1, events[-1].ts + 1 + i
    return events + extra + [end]


@pytest.fixture(scope="module")
def session():
    events = planted()
    return fold(events), events


def test_markdown_has_every_section(session):
    state, events = session
    md = export_markdown(state, events)
    assert md.startswith("# partytui session replay-test\n\n> Build a URL shortener")
    assert "- **Status:** done" in md
    for heading in (
        "## Phases",
        "## Tasks",
        "## Approvals",
        "## Errors",
        "## Cost",
        "## Transcripts",
        "### lead",
        "### backend",
        "### frontend",
        "### qa",
    ):
        assert f"\n{heading}\n" in md, heading
    assert "| BRAINSTORM |" in md and "| PLAN |" in md
    assert re.search(r"\| \d+ \| Task \d+ \| completed \| \w+ \| — \|", md)
    assert "**approved**" in md and "**rejected**" in md and "**answered**" in md
    assert "| total |" in md
    # frontend's cost is unknown, so is the total
    assert re.search(r"\| frontend \| claude-sonnet-4-5 \|.*\| \? \|", md)
    assert re.search(r"\| total \|.*\| \? \|", md)
    assert "- `Bash: echo 1` — ok" in md
    assert "**→ lead:**" in md and "**← qa:**" in md


def test_markdown_fences_survive_backticks_in_output(session):
    state, events = session
    md = export_markdown(state, events)
    block = md[md.index("`Bash: echo <script>") :]
    assert "  ````\n" in block  # a longer fence than the output's own ```


def test_html_is_self_contained_and_escaped(session):
    state, events = session
    page = export_html(state, events)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert" in page
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<link" not in page and "@import" not in page and "url(" not in page
    assert "<style>" in page and "default-src 'none'" in page
    assert page.count('<details class="entry tool') >= 100
    assert "<h2>Approvals</h2>" in page and "<td>rejected</td>" in page


def test_no_secret_reaches_a_report(session, monkeypatch):
    state, events = session
    monkeypatch.setenv("DEPLOY_API_KEY", "hunter2-canary-value")
    events = [
        *events[:-1],
        ev.TextDelta(agent="qa", text="the deploy key is hunter2-canary-value", seq=10**6, ts=events[-1].ts),
        events[-1],
    ]
    state = fold(events)
    for report in (export_markdown(state, events), export_html(state, events)):
        assert CANARY not in report and "Zq7Zq7Zq7" not in report
        assert "a1b2c3d4a1b2c3d4" not in report
        assert "hunter2-canary-value" not in report
        assert "[redacted]" in report


def test_empty_and_unfinished_sessions_render():
    for events in ([], [ev.SessionStarted(session_id="x", ts=1.0, seq=1)]):
        state = fold(events)
        assert "# partytui session" in export_markdown(state, events)
        assert "<h1>" in export_html(state, events)


def _write_log(path, events):
    log = SessionLog(path, secrets=())
    for event in events:
        log.append(event)
    log.close()


def test_export_command(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PARTYTUI_SESSION_DIR", str(tmp_path / "sessions"))
    log = tmp_path / "sessions" / "20260301-replay.jsonl"
    log.parent.mkdir()
    _write_log(log, planted())
    assert cli_main(["export", "20260301", "--format", "md"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# partytui session replay-test") and CANARY not in out
    target = tmp_path / "out" / "report.html"
    # a folder that does not exist is a mistake to report, not a tree to create
    assert cli_main(["export", str(log), "--format", "html", "-o", str(target)]) == 2
    assert f"{tmp_path / 'out'} no such directory" in capsys.readouterr().err
    assert not target.parent.exists()
    target.parent.mkdir()
    assert cli_main(["export", str(log), "--format", "html", "-o", str(target)]) == 0
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.html"]  # no temp file left behind
    assert cli_main(["export", "no-such-session"]) == 2
    assert "no session log" in capsys.readouterr().err
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type": "session.started"}\n{"oops"\n', encoding="utf-8")
    assert cli_main(["export", str(bad)]) == 2
    assert f"{bad}:" in capsys.readouterr().err


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_an_exported_report_gets_the_permissions_the_umask_gives(tmp_path, umask, mode):
    log = tmp_path / "s.jsonl"
    _write_log(log, planted())
    target = tmp_path / "report.md"
    old = os.umask(umask)
    try:
        assert cli_main(["export", str(log), "-o", str(target)]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == mode
