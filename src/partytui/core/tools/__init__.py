"""The tool registry: Claude Code's tool names (and partytui's own gates) mapped to their implementations."""

from __future__ import annotations

from collections.abc import Iterable

from .base import Tool
from .names import LEAD_ONLY_TOOLS, OFFERED_TOOLS


def all_tools() -> dict[str, Tool]:
    from .files import FILE_TOOLS
    from .shell import BASH_TOOL
    from .team import TEAM_TOOLS

    return {tool.name: tool for tool in [*FILE_TOOLS, BASH_TOOL, *TEAM_TOOLS]}


def build_toolset(names: Iterable[str] | None, *, lead: bool) -> dict[str, Tool]:
    """The tools one agent may call: the names it asked for (all offered tools if None) that exist here.

    AdvancePhase and EndRun belong to the lead whatever its file lists; nobody else gets them.
    """
    registry = all_tools()
    wanted = list(OFFERED_TOOLS if names is None else names)
    if lead:
        wanted += [n for n in LEAD_ONLY_TOOLS if n not in wanted]
    return {name: registry[name] for name in wanted if name in registry and (lead or name not in LEAD_ONLY_TOOLS)}
