"""Agent files (Claude Code's subagent format: YAML front matter, then the system prompt) → AgentDefinition.

Liberal in what it accepts — unknown fields are kept and warned about, odd names and unknown tools are
warnings — but a file partytui cannot use is one :class:`DefinitionError` naming the file and line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field
from rich.color import Color, ColorParseError

from ..config import Config
from ..errors import FileProblem
from ..runtimes.base import AgentSpec
from ..tools.names import (
    COORDINATION_TOOLS,
    DEFAULT_RUNTIME,
    LEAD_ONLY_TOOLS,
    OFFERED_TOOLS,
    is_known,
    runtime_gaps,
    unavailable_reason,
)
from ..truth.events import AgentInfo

PermissionMode = Literal["default", "acceptEdits", "dontAsk", "bypassPermissions", "plan"]
PERMISSION_MODES: tuple[str, ...] = ("default", "acceptEdits", "dontAsk", "bypassPermissions", "plan")

# Names that read as "the one who leads", for files that do not say `lead: true`.
LEAD_NAMES = frozenset(
    {"lead", "team-lead", "tech-lead", "lead-engineer", "orchestrator", "coordinator", "manager", "project-manager"}
)

# Claude Code fields partytui reads; anything else lands in `extra`.
_FIELDS = {
    "name", "description", "tools", "disallowedTools", "model", "permissionMode",
    "maxTurns", "skills", "color", "lead",
}  # fmt: skip
# Claude Code fields partytui knows but does not act on: kept, with a milder warning.
_IGNORED_FIELDS = {"mcpServers", "hooks", "memory", "background", "isolation", "effort"}

# Claude Code's colour names that Rich spells differently.
_COLOUR_NAMES = {"orange": "dark_orange", "pink": "hot_pink"}

_KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TOOL_ENTRY = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)\s*(?:\((.*)\))?$", re.DOTALL)
# `key: value` where the value is a plain scalar holding ": " — invalid YAML that agent files often contain.
_PLAIN_WITH_COLON = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*):[ \t]+([^\s'\"\[\]{}|>&*!%@`#-][^\n]*)$")


class DefinitionError(FileProblem):
    """An agent file partytui cannot use."""


class AgentDefinition(BaseModel):
    name: str
    description: str
    system_prompt: str = ""
    tools: list[str] | None = None  # None: every offered tool
    tool_patterns: dict[str, list[str]] = Field(default_factory=dict)
    disallowed_tools: list[str] = Field(default_factory=list)
    disallowed_patterns: dict[str, list[str]] = Field(default_factory=dict)
    model: str = "inherit"
    permission_mode: PermissionMode = "default"
    max_turns: int | None = None
    skills: list[str] = Field(default_factory=list)
    color: str | None = None
    lead: bool = False
    path: str = ""
    extra: dict[str, Any] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)
    shadowed: list[str] = Field(default_factory=list)  # earlier files of the same name, which do not run

    @property
    def can_lead(self) -> bool:
        """Says `lead: true`, or has a lead's name and does not say `lead: false`."""
        if self.lead:
            return True
        return "lead" not in self.model_fields_set and self.name in LEAD_NAMES

    def allowed_tools(self, *, team: bool = False) -> list[str]:
        """The offered tools this agent may call, in a stable order; in a ``team``, the coordination tools too."""
        wanted = list(OFFERED_TOOLS if self.tools is None else self.tools)
        if team:
            wanted += COORDINATION_TOOLS
        blocked = set(self.disallowed_tools)
        if not self.can_lead:
            blocked.update(LEAD_ONLY_TOOLS)
        seen: list[str] = []
        for name in wanted:
            if name in OFFERED_TOOLS and name not in blocked and name not in seen:
                seen.append(name)
        return seen

    def unavailable_tools(self, runtime: str = DEFAULT_RUNTIME) -> dict[str, str]:
        """Tools the file asks for that ``runtime`` cannot offer, with the reason."""
        return {name: why for name in self.tools or [] if (why := unavailable_reason(name, runtime))}

    def spec(
        self,
        config: Config | None = None,
        *,
        lead: bool | None = None,
        runtime: str = "api",
        model: str | None = None,
        team: bool = False,
    ) -> AgentSpec:
        """This agent as the team runs it (model resolved unless ``model`` is given; ``lead`` defaults to
        whether it can lead); in a ``team`` it has the coordination tools too."""
        return AgentSpec(
            name=self.name,
            model=model or resolve_model(self.model, config or Config()),
            system_prompt=self.system_prompt,
            tools=self.allowed_tools(team=team),
            description=self.description,
            color=self.color or "white",
            lead=self.can_lead if lead is None else lead,
            permission_mode=self.permission_mode,
            tool_patterns=self.tool_patterns,
            disallowed_patterns=self.disallowed_patterns,
            max_turns=self.max_turns,
            runtime=runtime,
            file_tools=self.tools,
            disallowed_tools=self.disallowed_tools,
        )

    def agent_info(self, config: Config | None = None, model: str | None = None, *, team: bool = False) -> AgentInfo:
        """The agent as a session's events describe it (model resolved unless ``model`` is given)."""
        return self.spec(config, model=model, team=team).info()


@dataclass
class AgentSet:
    agents: list[AgentDefinition] = field(default_factory=list)
    errors: list[DefinitionError] = field(default_factory=list)

    def get(self, name: str) -> AgentDefinition | None:
        return next((a for a in self.agents if a.name == name), None)

    @property
    def lead(self) -> AgentDefinition | None:
        """The first agent that can lead the team, if any."""
        return next((a for a in self.agents if a.can_lead), None)


def display_color(color: str | None) -> str | None:
    """A colour name a Rich style accepts, or None (Claude Code's `orange` and `pink` are not Rich names)."""
    if not color:
        return None
    name = _COLOUR_NAMES.get(color.lower(), color.lower())
    try:
        Color.parse(name)
    except ColorParseError:
        return None
    return name


def resolve_model(model: str | None, config: Config) -> str:
    """An alias (sonnet, opus, haiku or one from the config) → its model id; inherit/unset → the default."""
    key = (model or "").strip()
    if not key or key.lower() == "inherit":
        key = config.default_model  # which may itself be an alias
    return config.models.get(key.lower(), key)


# ── loading ───────────────────────────────────────────────────────────────────


def load_agents(paths: Sequence[Path]) -> AgentSet:
    """Every agent in ``paths`` (directories: their ``*.md`` files, sorted; or single files).

    Bad files become errors and the rest still load; when two files share a name the later wins.
    """
    result = AgentSet()
    for base in paths:
        base = Path(base)
        if base.is_dir():
            files = sorted(p for p in base.glob("*.md") if p.is_file())
        elif base.exists():
            files = [base]
        else:
            result.errors.append(DefinitionError(str(base), None, "no such file or directory"))
            continue
        for file in files:
            try:
                agent = load_agent_file(file)
            except DefinitionError as exc:
                result.errors.append(exc)
                continue
            earlier = result.get(agent.name)
            if earlier is not None:
                agent.shadowed = [*earlier.shadowed, earlier.path]
                result.agents[result.agents.index(earlier)] = agent
            else:
                result.agents.append(agent)
    return result


def load_warnings(found: AgentSet, runtime: str | Mapping[str, str] = DEFAULT_RUNTIME) -> list[str]:
    """What partytui will not do as the loaded files ask, one ``path: agent: …`` line each: which of two
    same-named files runs, tools the agent's runtime cannot offer, skills it will not load, unknown fields.

    ``runtime`` is the team's, or each agent's by name (the default runtime for one not named).
    ``partytui agents``, ``run``, ``demo`` and ``resume`` print these same lines; the session log keeps them.
    """
    lines: list[str] = []
    for agent in found.agents:
        agent_runtime = runtime if isinstance(runtime, str) else runtime.get(agent.name, DEFAULT_RUNTIME)
        gaps = runtime_gaps(agent_runtime)
        where = f"{agent.path}: {agent.name}:"
        if agent.shadowed:
            lines.append(
                f"{where} warning: {len(agent.shadowed) + 1} files define agent '{agent.name}'; this one "
                f"runs, not {', '.join(agent.shadowed)}"
            )
        for name, why in agent.unavailable_tools(agent_runtime).items():
            lines.append(f"{where} {name} is unavailable here: {why}")
        if gaps.skills is not None:
            lines += [f"{where} skill '{skill}' will not be loaded: {gaps.skills}" for skill in agent.skills]
        lines += [f"{where} warning: {warning}" for warning in agent.warnings]
    return lines


def load_agent_file(path: Path) -> AgentDefinition:
    """One agent file; raises :class:`DefinitionError` if it cannot be used."""
    path = Path(path)
    where = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DefinitionError(where, None, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise DefinitionError(where, line, "not UTF-8 text") from None
    return parse_agent(text, where)


def parse_agent(text: str, where: str) -> AgentDefinition:
    """An agent from its file's text; ``where`` names the file in errors."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not lines or lines[0].rstrip() != "---":
        raise DefinitionError(where, 1, "no front matter: an agent file starts with a '---' line")
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
    if close is None:
        raise DefinitionError(where, 1, "the front matter opened here is never closed with a '---' line")
    front = lines[1:close]
    body = "\n".join(lines[close + 1 :]).strip()
    warnings: list[str] = []
    root, data = _parse_front_matter(front, where, close, warnings)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise DefinitionError(where, 2, f"the front matter must be a mapping of fields, got {_kind(data)}")
    fields = _Fields(where, data, root, close)
    return fields.build(body, warnings)


def _parse_front_matter(front: list[str], where: str, close: int, warnings: list[str]) -> tuple[Any, Any]:
    text = "\n".join(front)
    try:
        return yaml.compose(text), yaml.safe_load(text)
    except yaml.YAMLError as exc:
        first = exc
    # Agent files in the wild often write `description: Use when: ...`; read such values as plain text.
    patched, quoted = [], []
    for line in front:
        m = _PLAIN_WITH_COLON.match(line)
        if m and ": " in m.group(2):
            value = m.group(2).rstrip().replace("'", "''")
            patched.append(f"{m.group(1)}: '{value}'")
            quoted.append(f"the value of '{m.group(1)}' contains ': ', which YAML rejects (read as plain text)")
        else:
            patched.append(line)
    if quoted:
        try:
            text = "\n".join(patched)
            result = yaml.compose(text), yaml.safe_load(text)
        except yaml.YAMLError:
            pass
        else:
            warnings.extend(quoted)
            return result
    raise _yaml_error(first, "\n".join(front), where, close) from None


def _yaml_error(exc: yaml.YAMLError, text: str, where: str, close: int) -> DefinitionError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or ""
    # YAML counts lines from 0 inside the front matter, which starts on the file's line 2.
    line = mark.line + 2 if mark is not None else 2
    if isinstance(exc, yaml.reader.ReaderError):
        # The reader stops at a character YAML forbids (a control character) and gives only its offset.
        problem = f"unacceptable character #x{exc.character:04x}" if isinstance(exc.character, int) else "bad byte"
        line = text.count("\n", 0, exc.position) + 2
    if not problem:
        problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return DefinitionError(where, min(line, close + 1), f"invalid YAML in the front matter: {problem}")


class _Fields:
    """Front-matter values checked one by one, each error pointing at its key's line."""

    def __init__(self, where: str, data: dict[Any, Any], root: Any, close: int) -> None:
        self.where = where
        self.data = data
        self.close = close
        self.lines: dict[str, int] = {}
        self.items: dict[str, list[int]] = {}  # per list-valued key: each item's line
        if isinstance(root, yaml.MappingNode):
            for key, value in root.value:
                if isinstance(key, yaml.ScalarNode):
                    self.lines[str(key.value)] = key.start_mark.line + 2
                    if isinstance(value, yaml.SequenceNode):
                        self.items[str(key.value)] = [n.start_mark.line + 2 for n in value.value]

    def error(self, key: str, message: str, item: int | None = None) -> DefinitionError:
        line = self.lines.get(key, 1)
        if item is not None and item < len(self.items.get(key, [])):
            line = self.items[key][item]
        return DefinitionError(self.where, line, message)

    def text(self, key: str, required: bool = False) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                if key in self.data:
                    raise self.error(key, f"{key} is empty")
                raise DefinitionError(self.where, 1, f"missing required field '{key}'")
            return None
        if not isinstance(value, str):
            raise self.error(key, f"{key} must be a string, got {_kind(value)}")
        if required and not value.strip():
            raise self.error(key, f"{key} is empty")
        return value.strip()

    def names(self, key: str) -> list[str] | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            return [part.strip() for part in _split_top_level(value) if part.strip()]
        if isinstance(value, list):
            out = []
            for i, item in enumerate(value):
                if not isinstance(item, str):
                    raise self.error(key, f"{key}: every entry must be a string, got {_kind(item)}", i)
                if item.strip():
                    out.append(item.strip())
            return out
        raise self.error(key, f"{key} must be a string or a list, got {_kind(value)}")

    def build(self, body: str, warnings: list[str]) -> AgentDefinition:
        name = self.text("name", required=True)
        description = self.text("description", required=True)
        assert name is not None and description is not None
        if not _KEBAB.match(name):
            warnings.append(f"name '{name}' is not lower-kebab-case (like 'api-designer')")

        tools, tool_patterns = self.tool_entries("tools", warnings)
        disallowed, disallowed_patterns = self.tool_entries("disallowedTools", warnings)

        mode = self.text("permissionMode") or "default"
        if mode not in PERMISSION_MODES:
            choices = ", ".join(PERMISSION_MODES)
            raise self.error("permissionMode", f"permissionMode must be one of {choices}; got '{mode}'")

        max_turns = self.data.get("maxTurns")
        if isinstance(max_turns, str) and max_turns.strip().isdigit():
            max_turns = int(max_turns.strip())
        if max_turns is not None and (isinstance(max_turns, bool) or not isinstance(max_turns, int)):
            raise self.error("maxTurns", f"maxTurns must be a whole number, got {_kind(max_turns)}")
        if max_turns is not None and max_turns < 1:
            raise self.error("maxTurns", f"maxTurns must be at least 1, got {max_turns}")

        color = self.text("color")
        if color and display_color(color) is None:
            warnings.append(f"color '{color}' is not a colour name; shown without colour")

        lead = self.data.get("lead")
        if lead is not None and not isinstance(lead, bool):
            raise self.error("lead", f"lead must be true or false, got {_kind(lead)}")

        extra: dict[str, Any] = {}
        for key, value in self.data.items():
            if key in _FIELDS:
                continue
            extra[str(key)] = value
            if key in _IGNORED_FIELDS:
                warnings.append(f"field '{key}' is not used by partytui (kept)")
            else:
                warnings.append(f"unknown field '{key}' (kept)")

        if not body:
            warnings.append("the body is empty: the agent has no system prompt")

        values: dict[str, Any] = dict(
            name=name,
            description=description,
            system_prompt=body,
            tools=tools,
            tool_patterns=tool_patterns,
            disallowed_tools=disallowed or [],
            disallowed_patterns=disallowed_patterns,
            model=self.text("model") or "inherit",
            permission_mode=mode,
            max_turns=max_turns,
            skills=self.names("skills") or [],
            color=color or None,
            path=self.where,
            extra=extra,
            warnings=warnings,
        )
        if lead is not None:
            values["lead"] = lead  # only when written, so `lead: false` can overrule a lead-like name
        return AgentDefinition(**values)

    def tool_entries(self, key: str, warnings: list[str]) -> tuple[list[str] | None, dict[str, list[str]]]:
        """Bare tool names, plus the patterns some entries carry (``Bash(git:*)``)."""
        entries = self.names(key)
        if entries is None:
            return None, {}
        names: list[str] = []
        patterns: dict[str, list[str]] = {}
        for entry in entries:
            m = _TOOL_ENTRY.match(entry)
            if not m:
                warnings.append(f"{key}: '{entry}' is not a tool name (ignored)")
                continue
            name, pattern = m.group(1), m.group(2)
            if pattern is not None and pattern.strip():
                patterns.setdefault(name, []).append(pattern.strip())
                if key == "disallowedTools":
                    continue  # a pattern narrows what is blocked; the tool itself stays allowed
            if name not in names:
                names.append(name)
            if not is_known(name):
                warnings.append(f"{key}: unknown tool '{name}'")
        return names, patterns


def _split_top_level(text: str) -> list[str]:
    """Split on commas outside parentheses, so ``Bash(git add, git commit)`` stays one entry."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"  # dates and times, which YAML reads unquoted
