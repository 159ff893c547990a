"""Agent files → AgentDefinition: what loads, what warns, and which line a bad file's error names."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partytui.core.config import Config
from partytui.core.team.definitions import (
    AgentDefinition,
    AgentSet,
    DefinitionError,
    load_agent_file,
    load_agents,
    load_warnings,
    resolve_model,
)
from partytui.core.tools.names import LEAD_ONLY_TOOLS, OFFERED_TOOLS, unavailable_reason
from partytui.resources import bundled_agents_dir

FIXTURES = Path(__file__).parent / "fixtures" / "agents"


def write(tmp_path: Path, text: str, name: str = "agent.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def agent(tmp_path: Path, front: str, body: str = "You help.") -> AgentDefinition:
    return load_agent_file(write(tmp_path, f"---\n{front}\n---\n{body}\n"))


def error_of(tmp_path: Path, text: str) -> DefinitionError:
    path = write(tmp_path, text)
    with pytest.raises(DefinitionError) as info:
        load_agent_file(path)
    assert info.value.path == str(path)
    return info.value


# ── valid files ───────────────────────────────────────────────────────────────


def test_comma_tools_with_patterns():
    a = load_agent_file(FIXTURES / "valid" / "reviewer.md")
    assert a.name == "code-reviewer"
    assert a.tools == ["Read", "Grep", "Glob", "Bash"]
    assert a.tool_patterns == {"Bash": ["git diff:*", "git log:*"]}
    assert a.model == "sonnet" and a.color == "cyan" and a.max_turns == 12
    assert a.permission_mode == "default"
    assert a.system_prompt.startswith("You review code.")
    assert a.allowed_tools() == ["Read", "Grep", "Glob", "Bash"]
    assert a.warnings == []
    assert not a.can_lead


def test_list_tools_disallowed_skills_and_unavailable():
    a = load_agent_file(FIXTURES / "valid" / "planner.md")
    assert a.tools == ["Read", "TaskCreate", "TaskUpdate", "WebSearch"]
    assert a.disallowed_tools == ["Bash"]
    assert a.permission_mode == "plan"
    assert a.skills == ["outline", "estimate"]
    assert a.allowed_tools() == ["Read", "TaskCreate", "TaskUpdate"]
    assert a.unavailable_tools() == {"WebSearch": "no network access offline"}
    # orange is a Claude Code colour even though Rich spells it differently: no warning
    assert a.warnings == []


def test_comma_string_skills_and_pattern_with_commas(tmp_path):
    a = agent(tmp_path, "name: x\ndescription: d\ntools: Bash(git add, git commit), Read\nskills: a, b")
    assert a.tools == ["Bash", "Read"]
    assert a.tool_patterns == {"Bash": ["git add, git commit"]}
    assert a.skills == ["a", "b"]


def test_no_tools_means_every_offered_tool_but_lead_only(tmp_path):
    a = agent(tmp_path, "name: helper\ndescription: d")
    assert a.tools is None
    assert a.allowed_tools() == [t for t in OFFERED_TOOLS if t not in LEAD_ONLY_TOOLS]
    assert a.model == "inherit"


def test_disallowed_pattern_narrows_but_keeps_the_tool(tmp_path):
    a = agent(tmp_path, "name: x\ndescription: d\ndisallowedTools: Bash(rm:*), Write")
    assert "Bash" in a.allowed_tools() and "Write" not in a.allowed_tools()
    assert a.disallowed_patterns == {"Bash": ["rm:*"]}


def test_bom_and_crlf(tmp_path):
    path = tmp_path / "win.md"
    path.write_bytes(
        b"\xef\xbb\xbf---\r\nname: win\r\ndescription: Saved on Windows\r\ntools: Read, Grep\r\n"
        b"---\r\nLine one.\r\nTwo.\r\n"
    )
    a = load_agent_file(path)
    assert (a.name, a.description, a.tools) == ("win", "Saved on Windows", ["Read", "Grep"])
    assert a.system_prompt == "Line one.\nTwo."


def test_bom_crlf_error_lines_still_count_from_the_file(tmp_path):
    path = tmp_path / "win.md"
    path.write_bytes(b"\xef\xbb\xbf---\r\nname: win\r\ndescription: d\r\ncolor: 5\r\n---\r\n")
    with pytest.raises(DefinitionError) as info:
        load_agent_file(path)
    assert info.value.line == 4


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("sonnet", "claude-sonnet-5-5"),
        ("opus", "claude-opus-5-5"),
        ("haiku", "claude-haiku-4-5"),
        ("Opus", "claude-opus-5-5"),
        ("inherit", "claude-sonnet-5-5"),
        (None, "claude-sonnet-5-5"),
        ("", "claude-sonnet-5-5"),
        ("claude-something-9", "claude-something-9"),
    ],
)
def test_resolve_model(model, expected):
    assert resolve_model(model, Config()) == expected


def test_resolve_model_follows_the_config():
    config = Config(default_model="opus", models={"sonnet": "my-sonnet", "fast": "claude-haiku-9"})
    assert resolve_model("inherit", config) == "claude-opus-5-5"  # the default may be an alias
    assert resolve_model("sonnet", config) == "my-sonnet"
    assert resolve_model("fast", config) == "claude-haiku-9"


def test_agent_info(tmp_path):
    a = agent(tmp_path, "name: lead\ndescription: d\nmodel: opus\ncolor: purple\ntools: TaskCreate, EndRun")
    info = a.agent_info(Config())
    assert (info.name, info.model, info.color, info.lead) == ("lead", "claude-opus-5-5", "purple", True)
    assert info.tools == ["TaskCreate", "EndRun"]


# ── leading ───────────────────────────────────────────────────────────────────


def test_explicit_lead_gets_lead_only_tools(tmp_path):
    a = agent(tmp_path, "name: boss\ndescription: d\nlead: true")
    assert a.can_lead and set(LEAD_ONLY_TOOLS) <= set(a.allowed_tools())


@pytest.mark.parametrize("name", ["lead", "team-lead", "orchestrator", "coordinator", "tech-lead"])
def test_lead_like_names_can_lead(tmp_path, name):
    assert agent(tmp_path, f"name: {name}\ndescription: d").can_lead


def test_lead_false_overrules_the_name(tmp_path):
    a = agent(tmp_path, "name: lead\ndescription: d\nlead: false")
    assert not a.can_lead
    assert not set(LEAD_ONLY_TOOLS) & set(a.allowed_tools())


def test_listing_a_lead_only_tool_does_not_grant_it(tmp_path):
    a = agent(tmp_path, "name: worker\ndescription: d\ntools: Read, EndRun")
    assert a.allowed_tools() == ["Read"]


# ── warnings: kept, never rejected ────────────────────────────────────────────


def test_unknown_fields_are_kept_and_warned(tmp_path):
    a = agent(tmp_path, "name: x\ndescription: d\nfoo: 1\nnested:\n  a: [1, 2]\nmcpServers: [db]")
    assert a.extra == {"foo": 1, "nested": {"a": [1, 2]}, "mcpServers": ["db"]}
    assert "unknown field 'foo' (kept)" in a.warnings
    assert "unknown field 'nested' (kept)" in a.warnings
    assert "field 'mcpServers' is not used by partytui (kept)" in a.warnings


def test_name_not_kebab_is_a_warning(tmp_path):
    a = agent(tmp_path, "name: Code_Reviewer\ndescription: d")
    assert a.name == "Code_Reviewer"
    assert any("not lower-kebab-case" in w for w in a.warnings)


def test_unknown_and_unavailable_tools(tmp_path):
    a = agent(tmp_path, "name: x\ndescription: d\ntools: Read, Frobnicate, WebFetch, mcp__github__search")
    assert "tools: unknown tool 'Frobnicate'" in a.warnings
    assert len(a.warnings) == 1  # unavailable tools are reported by unavailable_tools(), not as warnings
    assert a.unavailable_tools() == {
        "WebFetch": "no network access offline",
        "mcp__github__search": "MCP servers are not supported",
    }
    assert a.allowed_tools() == ["Read"]
    assert unavailable_reason("mcp__anything") == "MCP servers are not supported"


def test_a_description_with_colons_is_read_as_text(tmp_path):
    a = agent(tmp_path, "name: x\ndescription: Use when: the user asks. Example: user: hi\ntools: Read")
    assert a.description == "Use when: the user asks. Example: user: hi"
    assert any("contains ': '" in w for w in a.warnings)


def test_empty_body_is_a_warning(tmp_path):
    a = agent(tmp_path, "name: x\ndescription: d", body="")
    assert a.system_prompt == ""
    assert any("no system prompt" in w for w in a.warnings)


def test_unknown_colour_is_a_warning(tmp_path):
    a = agent(tmp_path, "name: x\ndescription: d\ncolor: ultraviolet")
    assert a.color == "ultraviolet"
    assert any("ultraviolet" in w for w in a.warnings)


# ── malformed files: one error, with the file and line ────────────────────────


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("# Just Markdown\n\nNo front matter.\n", 1, "no front matter"),
        ("", 1, "no front matter"),
        ("---\nname: x\ndescription: d\nBody without a closing line.\n", 1, "never closed"),
        ("---\nname: x\ndescription: d\ntools: [Read, Write\n---\nbody\n", 4, "invalid YAML"),
        ("---\nname: x\ndescription: d\n  bad: indent\n---\n", 4, "invalid YAML"),
        ("---\nname: x\ndescription: d\nfoo: 'unclosed\n---\n", 4, "invalid YAML"),
        ("---\n- a\n- b\n---\n", 2, "must be a mapping of fields, got a list"),
        ("---\njust words\n---\n", 2, "must be a mapping of fields, got a string"),
        ("---\ndescription: d\n---\nbody\n", 1, "missing required field 'name'"),
        ("---\n---\nbody\n", 1, "missing required field 'name'"),
        ("---\nname: x\n---\nbody\n", 1, "missing required field 'description'"),
        ("---\ndescription: d\nname: ''\n---\n", 3, "name is empty"),
        ("---\ndescription: d\nname:\n---\n", 3, "name is empty"),
        ("---\nname: x\ndescription: '   '\n---\n", 3, "description is empty"),
        ("---\nname: 42\ndescription: d\n---\n", 2, "name must be a string, got a number"),
        ("---\nname: x\ndescription: d\n\ntools: 3\n---\n", 5, "tools must be a string or a list, got a number"),
        ("---\nname: x\ndescription: d\ntools: {Read: 1}\n---\n", 4, "must be a string or a list, got a mapping"),
        ("---\nname: x\ndescription: d\ntools:\n  - Read\n  - 7\n---\n", 6, "every entry must be a string"),
        ("---\nname: x\ndescription: d\nmodel: 4\n---\n", 4, "model must be a string, got a number"),
        ("---\nname: x\ndescription: d\npermissionMode: yolo\n---\n", 4, "permissionMode must be one of"),
        ("---\nname: x\ndescription: d\nmaxTurns: many\n---\n", 4, "maxTurns must be a whole number"),
        ("---\nname: x\ndescription: d\nmaxTurns: 0\n---\n", 4, "maxTurns must be at least 1"),
        ("---\nname: x\ndescription: d\nlead: sure\n---\n", 4, "lead must be true or false"),
        ("---\nname: x\ndescription: d\nskills: 5\n---\n", 4, "skills must be a string or a list"),
        ("---\nname: x\ndescription: d\ncolor: [red]\n---\n", 4, "color must be a string, got a list"),
        ("---\nname: 2024-01-01\ndescription: d\n---\n", 2, "name must be a string, got a date"),
    ],
)
def test_malformed_file_names_file_and_line(tmp_path, text, line, fragment):
    err = error_of(tmp_path, text)
    assert err.line == line, str(err)
    assert fragment in err.message, str(err)
    assert str(err) == f"{tmp_path / 'agent.md'}:{line}: {err.message}"


def test_error_message_reads_path_line_message(tmp_path):
    path = tmp_path / "agents" / "x.md"
    path.parent.mkdir()
    path.write_text("---\nname: x\ndescription: d\ntools: 3\n---\n")
    with pytest.raises(DefinitionError) as info:
        load_agent_file(path)
    assert str(info.value) == f"{path}:4: tools must be a string or a list, got a number"


def test_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "latin.md"
    path.write_bytes(b"---\nname: x\ndescription: caf\xe9\n---\n")
    with pytest.raises(DefinitionError) as info:
        load_agent_file(path)
    assert (info.value.line, info.value.message) == (3, "not UTF-8 text")


def test_a_control_character_is_a_yaml_error_with_a_line(tmp_path):
    err = error_of(tmp_path, "---\nname: x\ndescription: d\nnote: a\x07b\n---\n")
    assert (err.line, err.message) == (4, "invalid YAML in the front matter: unacceptable character #x0007")


# ── directories ───────────────────────────────────────────────────────────────


def test_a_mixed_directory_loads_the_good_and_reports_the_bad():
    found = load_agents([FIXTURES / "mixed"])
    assert [a.name for a in found.agents] == ["writer", "tinkerer"]
    assert [(Path(e.path).name, e.line) for e in found.errors] == [("b-broken.md", 4)]
    tinkerer = found.get("tinkerer")
    assert tinkerer is not None
    assert tinkerer.extra == {"mood": "cheerful", "hooks": {"PreToolUse": []}}
    assert "unknown field 'mood' (kept)" in tinkerer.warnings
    assert found.get("writer").warnings == []
    assert found.get("broken") is None


def test_files_and_directories_mix_and_the_later_duplicate_wins(tmp_path):
    first = tmp_path / "one"
    second = tmp_path / "two"
    first.mkdir()
    second.mkdir()
    (first / "r.md").write_text("---\nname: reviewer\ndescription: first\n---\nA\n")
    (second / "r.md").write_text("---\nname: reviewer\ndescription: second\n---\nB\n")
    single = write(tmp_path, "---\nname: solo\ndescription: s\n---\nC\n", "solo.md")
    found = load_agents([first, single, second])
    assert [a.name for a in found.agents] == ["reviewer", "solo"]
    winner = found.get("reviewer")
    assert winner.description == "second"
    assert winner.shadowed == [str(first / "r.md")]
    third = tmp_path / "three"
    third.mkdir()
    (third / "r.md").write_text("---\nname: reviewer\ndescription: third\n---\nC\n")
    found = load_agents([first, single, second, third])
    # every file that does not run is named, on the one that does
    assert load_warnings(found) == [
        f"{third / 'r.md'}: reviewer: warning: 3 files define agent 'reviewer'; this one runs, not "
        f"{first / 'r.md'}, {second / 'r.md'}"
    ]


def test_load_warnings_name_every_gap_of_the_runtime():
    from partytui.core.team.definitions import parse_agent
    from partytui.core.tools.names import RUNTIME_GAPS, RuntimeGaps

    agent = parse_agent(
        "---\nname: party-backend\ndescription: d\ntools: Bash, Read, WebFetch, Skill, mcp__db__query\n"
        "skills: workflow:work, review\nmood: sunny\n---\nBody.\n",
        "party.md",
    )
    agent.path = "party.md"
    found = AgentSet(agents=[agent])
    assert load_warnings(found) == [
        "party.md: party-backend: WebFetch is unavailable here: no network access offline",
        "party.md: party-backend: Skill is unavailable here: skills are not supported",
        "party.md: party-backend: mcp__db__query is unavailable here: MCP servers are not supported",
        "party.md: party-backend: skill 'workflow:work' will not be loaded: this runtime has no Skill tool",
        "party.md: party-backend: skill 'review' will not be loaded: this runtime has no Skill tool",
        "party.md: party-backend: warning: unknown field 'mood' (kept)",
    ]
    # a runtime that can fetch and load skills says only what it cannot do
    RUNTIME_GAPS["roomy"] = RuntimeGaps({"Skill": "no"}, mcp=None, skills=None)
    try:
        assert load_warnings(found, "roomy") == [
            "party.md: party-backend: Skill is unavailable here: no",
            "party.md: party-backend: warning: unknown field 'mood' (kept)",
        ]
        # per agent: the one named runs on "roomy", the others on the default runtime
        assert load_warnings(found, {"party-backend": "roomy"}) == load_warnings(found, "roomy")
        assert load_warnings(found, {"someone-else": "roomy"}) == load_warnings(found)
    finally:
        del RUNTIME_GAPS["roomy"]
    # on Claude Code the file's tools are Claude Code's own; only its MCP servers and skills stay out
    assert load_warnings(found, "claude-code") == [
        "party.md: party-backend: mcp__db__query is unavailable here: only partytui's own MCP server is connected to Claude Code",
        "party.md: party-backend: skill 'workflow:work' will not be loaded: Claude Code starts without user or project settings, where skills are found",
        "party.md: party-backend: skill 'review' will not be loaded: Claude Code starts without user or project settings, where skills are found",
        "party.md: party-backend: warning: unknown field 'mood' (kept)",
    ]


def test_a_missing_directory_is_an_error_without_a_line(tmp_path):
    found = load_agents([tmp_path / "nope", FIXTURES / "valid"])
    assert len(found.agents) == 2
    [err] = found.errors
    assert err.line is None and err.path == str(tmp_path / "nope")
    assert str(err) == f"{tmp_path / 'nope'}: no such file or directory"


# ── the shipped team ──────────────────────────────────────────────────────────


def test_the_shipped_team_loads_cleanly():
    found = load_agents([bundled_agents_dir()])
    assert found.errors == []
    assert sorted(a.name for a in found.agents) == ["backend", "frontend", "lead", "qa"]
    for a in found.agents:
        assert a.warnings == [], (a.name, a.warnings)
        assert a.unavailable_tools() == {}
        assert a.permission_mode == "bypassPermissions"
        assert a.color and a.tools and len(a.system_prompt) > 500
    lead = found.get("lead")
    assert lead.lead and lead.can_lead and found.lead is lead
    assert lead.model == "opus"
    assert {"TaskCreate", "TaskUpdate", "AskUserQuestion", "RequestApproval", "AdvancePhase", "EndRun"} <= set(
        lead.allowed_tools()
    )
    for phase in ("BRAINSTORM", "PLAN", "BUILD", "VALIDATE"):
        assert phase in lead.system_prompt
    backend = found.get("backend")
    assert "RequestApproval" in backend.allowed_tools()
    assert "migration" in backend.system_prompt and "rollback" in backend.system_prompt
    qa = found.get("qa")
    assert "Bash" in qa.allowed_tools() and "VALIDATE" in qa.system_prompt
    for worker in ("backend", "frontend", "qa"):
        assert not found.get(worker).can_lead
        assert "in_progress" in found.get(worker).system_prompt


# ── property: a definition or a DefinitionError, nothing else ─────────────────


def _load_or_error(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    try:
        result = load_agent_file(path)
    except DefinitionError as exc:
        assert exc.path == str(path)
        assert exc.line is None or exc.line >= 1
    else:
        assert isinstance(result, AgentDefinition) and result.name and result.description


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)  # no timing: a loaded machine is slow
@given(text=st.text())
def test_arbitrary_text_loads_or_raises_definition_error(tmp_path, text):
    _load_or_error(tmp_path / "any.md", text)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)  # no timing: a loaded machine is slow
@given(text=st.text(alphabet=st.sampled_from("-:\n \t[]{}'\",#|>&*!?%@`abcXYZ019\r")))
def test_yaml_flavoured_text_loads_or_raises_definition_error(tmp_path, text):
    _load_or_error(tmp_path / "any.md", "---\n" + text)


_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
_keys = st.sampled_from(
    ["name", "description", "tools", "disallowedTools", "model", "permissionMode", "maxTurns", "skills",
     "color", "lead", "hooks", "other"]
) | st.text(max_size=10)  # fmt: skip


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)  # no timing: a loaded machine is slow
@given(front=st.dictionaries(_keys, _values, max_size=8), body=st.text(max_size=50))
def test_arbitrary_front_matter_loads_or_raises_definition_error(tmp_path, front, body):
    text = "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n" + body
    _load_or_error(tmp_path / "any.md", text)
