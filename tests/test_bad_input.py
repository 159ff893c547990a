"""Bad input never ends in a traceback: policy files and session logs, by property and by example."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partytui.cli import main
from partytui.core.team.policy import PolicyError, load_policy
from partytui.core.truth.events import ApprovalRequest
from partytui.core.truth.log import LogError, read_log

settings.register_profile("partytui", deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.load_profile("partytui")

yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20))
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=12,
)


@given(st.text(max_size=400))
def test_any_policy_text_loads_or_names_the_file(tmp_path, text):
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        policy = load_policy(str(path))
    except PolicyError as exc:
        assert str(exc).startswith(str(path))
        return
    policy.decide(ApprovalRequest(id=1, kind="design", agent="a"))


@given(st.dictionaries(st.sampled_from(["default", "rules", "other"]), yaml_values, max_size=3))
def test_any_policy_shape_loads_or_names_the_line(tmp_path, data):
    path = tmp_path / "policy.yaml"
    path.write_text(json.dumps(data), encoding="utf-8")  # JSON is YAML
    try:
        load_policy(str(path))
    except PolicyError as exc:
        assert str(exc).startswith(f"{path}:")


def test_policy_errors_name_the_line(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("default: ask\nrules:\n  - kind: design\n    decision: maybe\n")
    with pytest.raises(PolicyError, match=r"p\.yaml:4: rules\.0\.decision"):
        load_policy(str(path))
    path.write_text("default: [unclosed\n")
    with pytest.raises(PolicyError, match=r"p\.yaml:2: invalid YAML"):
        load_policy(str(path))


@given(st.lists(st.one_of(st.binary(max_size=60), st.text(max_size=60).map(str.encode)), max_size=8))
def test_any_log_bytes_read_or_name_the_line(tmp_path, lines):
    path = tmp_path / "s.jsonl"
    path.write_bytes(b"\n".join(lines))
    try:
        contents = read_log(path)
    except LogError as exc:
        assert str(exc).startswith(f"{path}:")
        return
    assert isinstance(contents.events, list)


@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["v", "seq", "ts", "type", "agent", "phase", "task", "request"]), yaml_values, max_size=5
        ),
        max_size=5,
    )
)
def test_any_json_objects_read_or_name_the_line(tmp_path, objects):
    path = tmp_path / "s.jsonl"
    path.write_text("".join(json.dumps(o) + "\n" for o in objects))
    try:
        read_log(path)
    except LogError as exc:
        assert str(exc).startswith(f"{path}:")


@pytest.mark.parametrize(
    "content, message",
    [
        (b"garbage\n", ":1: not a partytui event"),
        (b'{"v": 7, "seq": 1, "type": "session.started", "session_id": "x"}\n', ":1: format version 7 is newer"),
        (b"\x00\x01\x02\n{}\n", ":1: not a partytui event"),
    ],
)
@pytest.mark.parametrize("command", ["summary", "replay", "export", "resume"])
def test_commands_on_a_bad_log_exit_2_naming_file_and_line(tmp_path, capsys, content, message, command):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    args = {
        "replay": ["replay", "--headless", str(path)],
        "resume": ["resume", str(path), "--headless"],
        "export": ["export", str(path)],
        "summary": ["summary", str(path)],
    }[command]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"{path}{message}" in err and "Traceback" not in err


def test_an_empty_log_is_a_clear_error_for_resume(tmp_path, capsys):
    path = tmp_path / "empty.jsonl"
    path.write_text("")
    assert main(["resume", str(path), "--headless"]) == 2
    assert "no session.started" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "rules:\n  - kind: design\n    decision: approve\n  - kind: migraton\n    decision: reject\n",
            r"p\.yaml:4: rules\.1\.kind: unknown kind 'migraton' \(known: question, design, migration",
        ),
        (
            "rules:\n  - kind: design\n    decison: approve\n",
            r"p\.yaml:3: rules\.0\.decison: unknown field \(known: kind, agent, tool, decision, note, answer\)",
        ),
        ("defualt: approve\n", r"p\.yaml:1: defualt: unknown field \(known: default, rules\)"),
    ],
    ids=["unknown-kind", "unknown-rule-field", "unknown-top-field"],
)
def test_a_policy_with_an_unknown_kind_or_field_names_file_and_line(tmp_path, text, expected):
    path = tmp_path / "p.yaml"
    path.write_text(text)
    with pytest.raises(PolicyError, match=expected):
        load_policy(str(path))


def test_a_policy_kind_may_be_a_pattern_that_matches_kinds(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("rules:\n  - {kind: '*', decision: approve}\n  - {kind: 'mig*', decision: reject}\n")
    load_policy(str(path))
