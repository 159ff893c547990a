"""``partytui agents [DIR ...]``: what partytui makes of a set of agent files, and which files it cannot use."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..cli import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, CliError
from ..core.config import Config, ConfigError, load_config
from ..core.team.definitions import AgentDefinition, AgentSet, display_color, load_agents, load_warnings, resolve_model
from ..core.tools.names import DEFAULT_RUNTIME, OFFERED_TOOLS
from ..core.views.plain import plain
from ..resources import ResourceMissing, bundled_agents_dir

PROJECT_AGENTS = Path(".claude") / "agents"


def default_dirs() -> list[Path]:
    """The shipped team, plus the project's own ``.claude/agents`` when the current directory has one."""
    try:
        dirs = [bundled_agents_dir()]
    except ResourceMissing as exc:
        raise CliError(str(exc), EXIT_FAILED) from None
    if PROJECT_AGENTS.is_dir():
        dirs.append(PROJECT_AGENTS)
    return dirs


def main(args: argparse.Namespace) -> int:
    named = [Path(d) for d in getattr(args, "dirs", None) or []]
    for path in named:
        if not path.exists():
            raise CliError(f"no such directory: {path}", EXIT_BAD_INPUT)
    dirs = named or default_dirs()
    try:
        config = load_config()
    except ConfigError as exc:
        raise CliError(str(exc), EXIT_BAD_INPUT) from None

    found = load_agents(dirs)
    # agent files are hostile text: no markup, and every string from them goes through plain()
    console = Console(file=sys.stdout, highlight=False, soft_wrap=False, markup=False)
    console.print(plain(f"Agents from {', '.join(str(d) for d in dirs)}"))
    if found.agents:
        console.print(agents_table(found, config))
    # each agent as the config would run it (the shipped default: the API runtime)
    runtimes = {a.name: config.agent_runtimes.get(a.name, config.runtime or DEFAULT_RUNTIME) for a in found.agents}
    warnings = load_warnings(found, runtimes)
    # One line each, never wrapped, so `path:line: message` stays greppable.
    for line in warnings:
        console.print(Text(plain(line), style="yellow"), soft_wrap=True)
    for error in found.errors:
        console.print(Text(plain(error), style="red"), soft_wrap=True)
    console.print(f"{len(found.agents)} agent(s), {len(found.errors)} invalid file(s), {len(warnings)} warning(s)")
    return EXIT_FAILED if found.errors else EXIT_OK


def agents_table(found: AgentSet, config: Config) -> Table:
    # Laid out for 80 columns: the colour and the lead mark sit under the name, the model's alias above its
    # id, and warnings and unavailable tools are listed below the table, where they have room.
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    table.add_column("agent", no_wrap=True)
    table.add_column("model", no_wrap=True)
    table.add_column("mode", no_wrap=True)
    table.add_column("tools", ratio=1)
    for agent in found.agents:
        style = display_color(agent.color)
        cell = Text(plain(agent.name), style=f"bold {style}" if style else "bold")
        if agent.color:
            cell.append(f"\n{plain(agent.color)}", style="dim")
        if agent.can_lead:
            cell.append("\nleads", style="italic")
        table.add_row(
            cell, Text(plain(_model(agent, config))), Text(plain(agent.permission_mode)), Text(plain(_tools(agent)))
        )
    return table


def _model(agent: AgentDefinition, config: Config) -> str:
    resolved = resolve_model(agent.model, config)
    return resolved if resolved == agent.model else f"{agent.model} →\n{resolved}"


def _tools(agent: AgentDefinition) -> str:
    allowed = agent.allowed_tools()
    if agent.tools is None:
        left_out = [name for name in OFFERED_TOOLS if name not in allowed]
        return f"all but {', '.join(left_out)}" if left_out else "all"
    shown = [f"{n}({', '.join(agent.tool_patterns[n])})" if n in agent.tool_patterns else n for n in allowed]
    added = [n for n in agent.allowed_tools(team=True) if n not in allowed]
    # in a team it also has the coordination tools its file does not list
    return (", ".join(shown) or "none") + (f"; in a team also {', '.join(added)}" if added else "")
