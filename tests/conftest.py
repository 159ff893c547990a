"""Shared fixtures: an isolated environment (nothing touches the home directory) and sessions built from events."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest

from partytui.core.truth.events import EventBase
from partytui.core.truth.session import Session
from partytui.core.truth.state import fold


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point every path partytui or a library might derive from the environment at a temporary directory."""
    root = tmp_path_factory.mktemp("env")
    home = root / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("PARTYTUI_SESSION_DIR", str(root / "sessions"))
    # no config file: XDG_CONFIG_HOME above already keeps the user's own out of reach
    monkeypatch.delenv("PARTYTUI_CONFIG", raising=False)
    # Bash without bubblewrap asks the person first; the suite's teams are not about that (tests that are
    # set it back to "ask"), and must behave alike on machines with and without bubblewrap
    monkeypatch.setenv("PARTYTUI_UNSANDBOXED_BASH", "allow")
    for name in [n for n in __import__("os").environ if n.startswith("ANTHROPIC_")]:
        monkeypatch.delenv(name)


def session_from(events: Iterable[EventBase], clock: Callable[[], float] | None = None) -> Session:
    """A session whose state is the fold of ``events`` (kept as given: their seq and ts are not restamped)."""
    events = list(events)
    state = fold(events)
    last_ts = state.last_ts
    return Session(state=state, clock=clock or (lambda: last_ts))


@pytest.fixture
def make_session() -> Callable[..., Session]:
    return session_from
