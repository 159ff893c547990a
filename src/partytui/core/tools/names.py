"""The tool names partytui speaks (Claude Code's vocabulary plus its own gates), and the ones it cannot offer.

Agent files name tools; this module is what decides, at load time, whether a name is offered, known but
unavailable here (and why), or unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

OFFERED_TOOLS: tuple[str, ...] = (
    "Read",
    "Write",
    "Edit",
    "MultiEdit",
    "Glob",
    "Grep",
    "LS",
    "Bash",
    "TodoWrite",
    "TaskCreate",
    "TaskUpdate",
    "TaskList",
    "TaskGet",
    "SendMessage",
    "AskUserQuestion",
    "ExitPlanMode",
    "RequestApproval",
    "AdvancePhase",
    "EndRun",
)

_NO_SUBAGENTS = "agents cannot spawn subagents: the team is fixed by its agent files"
_NO_BACKGROUND = "background shells are not supported: Bash runs each command to completion"
_NO_MCP = "MCP servers are not supported"

UNAVAILABLE_TOOLS: dict[str, str] = {
    "WebFetch": "no network access offline",
    "WebSearch": "no network access offline",
    "NotebookEdit": "Jupyter notebooks are not supported",
    "NotebookRead": "Jupyter notebooks are not supported",
    "BashOutput": _NO_BACKGROUND,
    "KillShell": _NO_BACKGROUND,
    "KillBash": _NO_BACKGROUND,
    "TodoRead": "the todo list is shown in the agent's pane; TodoWrite replaces it whole",
    "Task": _NO_SUBAGENTS,
    "Agent": _NO_SUBAGENTS,
    "TaskOutput": _NO_SUBAGENTS,
    "TaskStop": _NO_SUBAGENTS,
    "Skill": "skills are not supported",
    "SlashCommand": "slash commands are not supported",
    "EnterPlanMode": "plan mode is set by the agent file's permissionMode",
    "ListMcpResourcesTool": _NO_MCP,
    "ReadMcpResourceTool": _NO_MCP,
}

# The team's coordination tools: a team member has them whatever its `tools` lists (as in Claude Code's agent
# teams: its briefing tells it to report and claim with them), unless `disallowedTools` names them. A solo
# agent (`--agent`) keeps exactly its list.
COORDINATION_TOOLS: tuple[str, ...] = ("SendMessage", "TaskList", "TaskGet", "TaskUpdate", "TaskCreate")

# Only the agent leading the team moves it between phases and ends the run.
LEAD_ONLY_TOOLS: tuple[str, ...] = ("AdvancePhase", "EndRun")

# Tools that change nothing in the workspace: allowed in plan mode, never ask permission.
READ_ONLY_TOOLS: tuple[str, ...] = (
    "Read",
    "Glob",
    "Grep",
    "LS",
    "TaskList",
    "TaskGet",
    "TodoWrite",
    "SendMessage",
    "AskUserQuestion",
    "ExitPlanMode",
    "RequestApproval",
)

# Tools that write files: permissionMode acceptEdits lets these run without asking.
EDIT_TOOLS: tuple[str, ...] = ("Write", "Edit", "MultiEdit")


@dataclass(frozen=True)
class RuntimeGaps:
    """What one agent runtime cannot do of what agent files ask, with the reasons people read at load time."""

    tools: Mapping[str, str]  # tool name → why this runtime cannot offer it
    mcp: str | None = _NO_MCP  # why `mcp__…` tools are not offered (None: they are)
    skills: str | None = "this runtime has no Skill tool"  # None: `skills:` are loaded

    def tool_reason(self, name: str) -> str | None:
        if name in self.tools:
            return self.tools[name]
        if name.startswith("mcp__"):
            return self.mcp
        return None


# Per runtime (the name an agent's spec carries); a runtime that can do more registers its own gaps here.
RUNTIME_GAPS: dict[str, RuntimeGaps] = {
    "api": RuntimeGaps(UNAVAILABLE_TOOLS),
    # Claude Code has its own tools (WebFetch, Task, Skill, …); it is started with partytui's MCP server only
    # and without user or project settings (core/runtimes/claude_code.py), so neither reaches it
    "claude-code": RuntimeGaps(
        {},
        mcp="only partytui's own MCP server is connected to Claude Code",
        skills="Claude Code starts without user or project settings, where skills are found",
    ),
}
DEFAULT_RUNTIME = "api"


def runtime_gaps(runtime: str = DEFAULT_RUNTIME) -> RuntimeGaps:
    return RUNTIME_GAPS.get(runtime) or RUNTIME_GAPS[DEFAULT_RUNTIME]


def unavailable_reason(name: str, runtime: str = DEFAULT_RUNTIME) -> str | None:
    """Why ``runtime`` cannot offer ``name``, or None when it is offered or simply unknown."""
    return runtime_gaps(runtime).tool_reason(name)


def is_known(name: str) -> bool:
    """Offered here, or a tool partytui knows it cannot offer."""
    return name in OFFERED_TOOLS or unavailable_reason(name) is not None
