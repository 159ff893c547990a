"""Config discovery (argument, env var, user config dir, defaults) and errors naming file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from partytui.core.config import DEFAULT_MODELS, ENV_CONFIG, Config, ConfigError, config_path, load_config


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Point the user config dir at an empty temporary directory, and clear the env override."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(ENV_CONFIG, raising=False)


def write(tmp_path: Path, text: str, name: str = "config.yaml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_when_there_is_no_file():
    assert config_path() is None
    config = load_config()
    assert config == Config()
    assert config.default_model == "claude-sonnet-5-5"
    assert config.models == {"sonnet": "claude-sonnet-5-5", "opus": "claude-opus-5-5", "haiku": "claude-haiku-4-5"}
    assert config.session_dir is None


def test_an_explicit_path(tmp_path):
    path = write(tmp_path, "default_model: claude-opus-5-5\nsession_dir: /tmp/sessions\n")
    config = load_config(path)
    assert config.default_model == "claude-opus-5-5"
    assert config.session_dir == "/tmp/sessions"


def test_the_env_var_points_at_the_file(tmp_path, monkeypatch):
    path = write(tmp_path, "default_model: from-env\n", "elsewhere.yaml")
    monkeypatch.setenv(ENV_CONFIG, str(path))
    assert config_path() == path
    assert load_config().default_model == "from-env"


def test_the_user_config_dir_is_read_when_it_has_a_file(tmp_path):
    write(tmp_path, "default_model: from-user-dir\n", "xdg/partytui/config.yaml")
    assert load_config().default_model == "from-user-dir"


def test_an_explicit_path_wins_over_the_env_var(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_CONFIG, str(write(tmp_path, "default_model: env\n", "env.yaml")))
    assert load_config(write(tmp_path, "default_model: arg\n", "arg.yaml")).default_model == "arg"


def test_model_aliases_merge_over_the_defaults(tmp_path):
    config = load_config(write(tmp_path, "models:\n  opus: my-opus\n  fast: claude-haiku-9\n"))
    assert config.models == {**DEFAULT_MODELS, "opus": "my-opus", "fast": "claude-haiku-9"}


def test_an_empty_file_gives_the_defaults(tmp_path):
    assert load_config(write(tmp_path, "# nothing yet\n")) == Config()


def test_a_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfdefault_model: bom\r\n")
    assert load_config(path).default_model == "bom"


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("default_model: x\nmodels: [a, b\n", 3, "invalid YAML"),
        ("default_model: x\n  oops: indent\n", 2, "invalid YAML"),
        ("- a\n- b\n", 1, "must be a mapping"),
        ("default_model: x\n\ntheme: dark\n", 3, "theme: unknown key"),
        ("models:\n  opus: x\ndefault_model: [a]\n", 3, "default_model: Input should be a valid string"),
        ("default_model: ok\nmodels: nope\n", 2, "models: Input should be a valid dictionary"),
        ("default_model: ok\nmodels:\n  opus: 5\n", 2, "models.opus"),
        ("default_model: '  '\n", 1, "must not be empty"),
    ],
)
def test_bad_files_name_the_file_and_line(tmp_path, text, line, fragment):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    err = info.value
    assert (err.path, err.line) == (str(path), line), str(err)
    assert fragment in err.message
    assert str(err).startswith(f"{path}:{line}: ")


def test_a_missing_explicit_file_is_an_error(tmp_path, monkeypatch):
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "absent.yaml")
    monkeypatch.setenv(ENV_CONFIG, str(tmp_path / "absent-too.yaml"))
    with pytest.raises(ConfigError, match=r"absent-too\.yaml: no such config file"):
        load_config()


def test_the_approval_delay_and_the_alerts_are_set_in_the_config(tmp_path):
    config = load_config(write(tmp_path, "approval_delay: 1.5\nbell: false\nterminal_title: no\n"))
    assert (config.approval_delay, config.bell, config.terminal_title, config.desktop_notify) == (
        1.5,
        False,
        False,
        True,
    )
    assert Config().approval_delay == 0.5
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, "bell: true\napproval_delay: -1\n"))
    assert str(caught.value).startswith(f"{tmp_path / 'config.yaml'}:2:")
    assert "approval_delay" in str(caught.value)
