"""Where the shipped team (``agents/``) and scenarios (``scenarios/``) are, installed or not.

A wheel carries them inside the package at ``partytui/_bundled/``; an editable install or a source checkout
reads the repository's own top-level directories, so there is one copy and it cannot drift.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_ROOT = Path(__file__).resolve().parent
DEMO_SCENARIO = "party-demo.yaml"


class ResourceMissing(FileNotFoundError):
    """The install carries no shipped agents or scenarios (a broken or partial install)."""


def _resource_dir(kind: str) -> Path:
    bundled = _PACKAGE_ROOT / "_bundled" / kind
    if bundled.is_dir():
        return bundled
    # A checkout: the repository root is the first parent with pyproject.toml beside the directory.
    for parent in _PACKAGE_ROOT.parents:
        if (parent / "pyproject.toml").is_file() and (parent / kind).is_dir():
            return parent / kind
    raise ResourceMissing(f"partytui's shipped {kind}/ were not found (looked in {bundled} and the checkout)")


def bundled_agents_dir() -> Path:
    """The shipped team's agent files."""
    return _resource_dir("agents")


def bundled_scenarios_dir() -> Path:
    """The shipped scripted scenarios."""
    return _resource_dir("scenarios")


def demo_scenario() -> Path:
    """The scenario ``partytui demo`` plays."""
    path = bundled_scenarios_dir() / DEMO_SCENARIO
    if not path.is_file():
        raise ResourceMissing(f"the demo scenario {path} is missing")
    return path
