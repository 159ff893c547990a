"""partytui's own settings, read from one small YAML file.

Where the file is: the path given, else ``$PARTYTUI_CONFIG``, else ``config.yaml`` in the platform's user
config directory (``~/.config/partytui/config.yaml`` on Linux) if it exists; otherwise the defaults.

Keys (all optional)::

    default_model: claude-sonnet-5-5   # for agents whose model is 'inherit' or unset (may be an alias)
    models:                            # aliases an agent file's `model:` may use; merged over the defaults
      sonnet: claude-sonnet-5-5
      opus: claude-opus-5-5
      haiku: claude-haiku-4-5
    session_dir: ~/partytui-sessions   # where session logs go (--session-dir and
                                       # $PARTYTUI_SESSION_DIR still win)
    runtime: claude-code               # how agents run: api or claude-code (--runtime still wins)
    agent_runtimes:                    # per agent, over `runtime` (--runtime still wins)
      backend: claude-code
    approval_delay: 0.5                # seconds a request is on screen before an answer key counts
    terminal_title: true               # a request waiting sets the terminal's title: (2) partytui — waiting for you
    bell: true                         # ... rings the terminal bell
    desktop_notify: true               # ... and asks the terminal for a desktop notification (OSC 9 / OSC 777)
    unsandboxed_bash: ask              # Bash without bubblewrap: ask before each call (default) or
                                       # allow (--allow-unsandboxed-bash and $PARTYTUI_UNSANDBOXED_BASH win)
    migration_commands:                # commands that apply a migration besides those partytui recognises
      - make migrate                   # (docs/security.md): that command with any arguments, or a glob
      - ./bin/db-*

An unknown key, a value of the wrong type or broken YAML is a :class:`ConfigError` naming the file and line.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import platformdirs
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from .errors import FileProblem
from .runtimes.base import RUNTIMES

ENV_CONFIG = "PARTYTUI_CONFIG"

DEFAULT_MODELS: dict[str, str] = {
    "sonnet": "claude-sonnet-5-5",
    "opus": "claude-opus-5-5",
    "haiku": "claude-haiku-4-5",
}


# Keys typed in the moment a request appears were meant for something else: an answer key counts only
# once the request has been on screen this long (seconds).
APPROVAL_DELAY_S = 0.5
MAX_APPROVAL_DELAY_S = 10.0


class ConfigError(FileProblem):
    """A config file partytui cannot use."""


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")

    default_model: str = DEFAULT_MODELS["sonnet"]
    models: dict[str, str] = dict(DEFAULT_MODELS)
    session_dir: str | None = None
    runtime: str | None = None
    agent_runtimes: dict[str, str] = {}
    approval_delay: float = APPROVAL_DELAY_S
    terminal_title: bool = True
    bell: bool = True
    desktop_notify: bool = True

    @field_validator("runtime", mode="after")
    @classmethod
    def _known_runtime(cls, value: str | None) -> str | None:
        if value is not None and value not in RUNTIMES:
            raise ValueError(f"unknown runtime {value!r} (known: {', '.join(RUNTIMES)})")
        return value

    @field_validator("agent_runtimes", mode="after")
    @classmethod
    def _known_runtimes(cls, value: dict[str, str]) -> dict[str, str]:
        for runtime in value.values():
            cls._known_runtime(runtime)
        return value

    unsandboxed_bash: Literal["ask", "allow"] | None = None
    migration_commands: list[str] = []

    @field_validator("models", mode="after")
    @classmethod
    def _keep_default_aliases(cls, value: dict[str, str]) -> dict[str, str]:
        # Overriding one alias should not forget the others.
        return {**DEFAULT_MODELS, **value}

    @field_validator("approval_delay", mode="after")
    @classmethod
    def _sensible_delay(cls, value: float) -> float:
        if not 0 <= value <= MAX_APPROVAL_DELAY_S:
            raise ValueError(f"must be between 0 and {MAX_APPROVAL_DELAY_S:g} seconds")
        return value

    @field_validator("default_model", mode="after")
    @classmethod
    def _not_empty(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()


def config_path() -> Path | None:
    """The config file to read when none is named: ``$PARTYTUI_CONFIG``, else the user file if it exists."""
    if env := os.environ.get(ENV_CONFIG):
        return Path(env).expanduser()
    default = Path(platformdirs.user_config_dir("partytui", appauthor=False)) / "config.yaml"
    return default if default.is_file() else None


def load_config(path: Path | None = None) -> Config:
    """Read the config file (see the module docstring for where it is looked for)."""
    path = Path(path) if path is not None else config_path()
    if path is None:
        return Config()
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(where, None, "no such config file") from None
    except UnicodeDecodeError:
        raise ConfigError(where, None, "not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(where, None, f"cannot read: {exc.strerror or exc}") from None
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(where, mark.line + 1 if mark else None, f"invalid YAML: {problem}") from None
    if data is None:
        return Config()
    if not isinstance(data, dict):
        raise ConfigError(where, 1, f"the config must be a mapping of keys to values, got {type(data).__name__}")
    lines = _key_lines(root)
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = err["loc"]
        key = str(loc[0]) if loc else ""
        field = ".".join(str(p) for p in loc) or "config"
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = f"unknown key (known: {', '.join(Config.model_fields)})"
        raise ConfigError(where, lines.get(key), f"{field}: {message}") from None


def _key_lines(root: Any) -> dict[str, int]:
    if not isinstance(root, yaml.MappingNode):
        return {}
    return {str(k.value): k.start_mark.line + 1 for k, _ in root.value if isinstance(k, yaml.ScalarNode)}
