"""Finding the shipped agents and scenarios: in the checkout (editable install) and inside a wheel."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import partytui
from partytui import resources

REPO = Path(__file__).resolve().parents[1]


def test_an_editable_install_finds_the_repository_directories():
    assert Path(partytui.__file__).resolve().is_relative_to(REPO), "expects the editable install of this checkout"
    assert resources.bundled_agents_dir() == REPO / "agents"
    assert resources.bundled_scenarios_dir() == REPO / "scenarios"
    assert (resources.bundled_agents_dir() / "lead.md").is_file()


def _installed_layout(tmp_path: Path) -> Path:
    """A package directory as a wheel installs it: partytui/ with _bundled/ inside, no pyproject above."""
    package = tmp_path / "site-packages" / "partytui"
    (package / "_bundled" / "agents").mkdir(parents=True)
    (package / "_bundled" / "scenarios").mkdir(parents=True)
    return package


def test_a_wheel_install_finds_the_bundled_copies(tmp_path, monkeypatch):
    package = _installed_layout(tmp_path)
    (package / "_bundled" / "scenarios" / "party-demo.yaml").write_text("name: demo\n")
    monkeypatch.setattr(resources, "_PACKAGE_ROOT", package)
    assert resources.bundled_agents_dir() == package / "_bundled" / "agents"
    assert resources.bundled_scenarios_dir() == package / "_bundled" / "scenarios"
    assert resources.demo_scenario() == package / "_bundled" / "scenarios" / "party-demo.yaml"


def test_the_bundled_copy_wins_over_a_checkout(tmp_path, monkeypatch):
    # A wheel unpacked inside some project that has its own agents/ must still use its own copies.
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'other'\n")
    (tmp_path / "agents").mkdir()
    package = _installed_layout(tmp_path)
    monkeypatch.setattr(resources, "_PACKAGE_ROOT", package)
    assert resources.bundled_agents_dir() == package / "_bundled" / "agents"


def test_a_broken_install_says_what_is_missing(tmp_path, monkeypatch):
    package = tmp_path / "site-packages" / "partytui"
    package.mkdir(parents=True)
    monkeypatch.setattr(resources, "_PACKAGE_ROOT", package)
    with pytest.raises(resources.ResourceMissing, match="shipped agents/"):
        resources.bundled_agents_dir()


def test_a_missing_demo_scenario_is_reported(tmp_path, monkeypatch):
    package = _installed_layout(tmp_path)
    monkeypatch.setattr(resources, "_PACKAGE_ROOT", package)
    with pytest.raises(resources.ResourceMissing, match=r"party-demo\.yaml"):
        resources.demo_scenario()


@pytest.mark.slow
def test_a_built_wheel_carries_the_team(tmp_path):
    """Build a real wheel from a copy of the checkout, unpack it as an install, and load the team from it."""
    pytest.importorskip("hatchling", reason="building the wheel offline needs hatchling in this environment")
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        if (REPO / name).exists():
            shutil.copy(REPO / name, source / name)
    for name in ("src", "agents", "scenarios"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    (source / "scenarios").mkdir(exist_ok=True)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "dist"), str(source)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    [wheel] = (tmp_path / "dist").glob("partytui-*.whl")
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    assert (site / "partytui" / "_bundled" / "agents" / "lead.md").is_file()

    probe = (
        "import partytui, partytui.resources as r\n"
        "from partytui.core.team.definitions import load_agents\n"
        "found = load_agents([r.bundled_agents_dir()])\n"
        "print(partytui.__file__, r.bundled_agents_dir(), ','.join(sorted(a.name for a in found.agents)),"
        " len(found.errors), sep='|')\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    module, agents_dir, names, errors = ran.stdout.strip().split("|")
    assert module.startswith(str(site)) and agents_dir == str(site / "partytui" / "_bundled" / "agents")
    assert (names, errors) == ("backend,frontend,lead,qa", "0")
