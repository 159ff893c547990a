"""``partytui agents``: the table, the error lines and the exit codes, in-process and as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from partytui.cli import main
from partytui.core.config import ENV_CONFIG

FIXTURES = Path(__file__).parent / "fixtures" / "agents"


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No user config, no project agents in the cwd, and the width a pipe gets."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(ENV_CONFIG, raising=False)
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.chdir(tmp_path)


def test_the_shipped_team(capsys):
    assert main(["agents"]) == 0
    out = capsys.readouterr().out
    for name in ("lead", "backend", "frontend", "qa"):
        assert f" {name} " in out
    assert "opus →" in out and "claude-opus-5-5" in out
    assert "haiku →" in out and "claude-haiku-4-5" in out
    assert "bypassPermissions" in out
    assert "leads" in out
    assert "4 agent(s), 0 invalid file(s), 0 warning(s)" in out
    assert all(len(line) <= 80 for line in out.splitlines()), out


def test_project_agents_in_the_cwd_join_the_shipped_team(tmp_path, capsys):
    project = tmp_path / ".claude" / "agents"
    project.mkdir(parents=True)
    (project / "docs.md").write_text("---\nname: docs-writer\ndescription: Writes docs.\n---\nWrite docs.\n")
    assert main(["agents"]) == 0
    out = capsys.readouterr().out
    assert "docs-writer" in out and "5 agent(s)" in out
    assert os.path.join(".claude", "agents") in out


def test_a_mixed_directory_lists_the_good_and_fails_on_the_bad(capsys):
    broken = FIXTURES / "mixed" / "b-broken.md"
    assert main(["agents", str(FIXTURES / "mixed")]) == 1
    out = capsys.readouterr().out
    assert "writer" in out and "tinkerer" in out
    assert f"{broken}:4: tools must be a string or a list, got a number" in out
    assert "warning: unknown field 'mood' (kept)" in out
    assert "2 agent(s), 1 invalid file(s)" in out


def test_patterns_models_and_unavailable_tools_are_shown(capsys):
    assert main(["agents", str(FIXTURES / "valid")]) == 0
    out = capsys.readouterr().out
    reviewer = out[out.index(" code-reviewer ") :]
    assert "Read, Grep, Glob, Bash(git diff:*," in reviewer and "git log:*)" in reviewer
    assert "sonnet →" in out and "plan" in out
    assert "planner: WebSearch is unavailable here: no network access offline" in out


def test_an_agent_without_a_tools_list_shows_all(tmp_path, capsys):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "boss.md").write_text("---\nname: boss\ndescription: d\nlead: true\n---\nLead.\n")
    (tmp_path / "a" / "helper.md").write_text("---\nname: helper\ndescription: d\nmodel: claude-x-1\n---\nHelp.\n")
    assert main(["agents", "a"]) == 0
    out = capsys.readouterr().out
    boss = next(line for line in out.splitlines() if " boss " in line)
    helper = next(line for line in out.splitlines() if " helper " in line)
    assert boss.rstrip().endswith(" all")
    assert "all but AdvancePhase, EndRun" in helper
    assert "claude-x-1" in helper and "→" not in helper


def test_a_missing_directory_exits_2(tmp_path, capsys):
    assert main(["agents", str(FIXTURES / "valid"), str(tmp_path / "nope")]) == 2
    captured = capsys.readouterr()
    assert f"partytui: no such directory: {tmp_path / 'nope'}" in captured.err
    assert captured.out == ""


def test_a_bad_config_exits_2(tmp_path, monkeypatch, capsys):
    bad = tmp_path / "config.yaml"
    bad.write_text("default_model: [x\n")
    monkeypatch.setenv(ENV_CONFIG, str(bad))
    assert main(["agents"]) == 2
    assert f"partytui: {bad}:" in capsys.readouterr().err


def test_the_config_resolves_aliases(tmp_path, monkeypatch, capsys):
    config = tmp_path / "config.yaml"
    config.write_text("models:\n  opus: claude-opus-house-1\n")
    monkeypatch.setenv(ENV_CONFIG, str(config))
    assert main(["agents"]) == 0
    assert "claude-opus-house-1" in capsys.readouterr().out


def test_as_a_subprocess_without_a_terminal(tmp_path):
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path)}
    env.pop(ENV_CONFIG, None)
    env.pop("COLUMNS", None)
    done = subprocess.run(
        [sys.executable, "-m", "partytui", "agents", str(FIXTURES / "mixed")],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "b-broken.md:4: tools must be a string or a list" in done.stdout
    assert "\x1b[" not in done.stdout  # no colour codes into a pipe
    assert "Traceback" not in done.stderr
    ok = subprocess.run(
        [sys.executable, "-m", "partytui", "agents"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert "4 agent(s), 0 invalid file(s), 0 warning(s)" in ok.stdout
