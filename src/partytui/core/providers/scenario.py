"""Scripted sessions as data: each agent's turns, the conditions they wait for, and the faults they meet.

A scenario is YAML (or JSON); ``docs/scenarios.md`` describes the format. Every load error names the file
and the line of the offending key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from ..errors import FileProblem
from ..tools.team import REJECTION_PREFIXES
from ..truth.events import PHASES, ApprovalKind
from ..truth.state import TeamState

APPROVAL_KINDS = get_args(ApprovalKind)
StopReason = Literal[
    "end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal", "model_context_window_exceeded"
]
AGENT_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
USER = "you"  # the sender name of the person's messages in transcripts
# the safe loader in C where PyYAML was built with libyaml (its wheels are), else its own
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ScenarioError(FileProblem):
    """A scenario that cannot be loaded."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Condition(_Strict):
    """What must hold before a turn is answered; every given key must hold (see docs/scenarios.md)."""

    phase: str | None = None
    messages: NonNegativeInt | None = None
    from_: str | None = Field(default=None, alias="from")
    tasks: NonNegativeInt | None = None
    completed: list[str] | Literal["all"] | None = None
    owned: NonNegativeInt | None = None
    approved: str | None = None
    answered: str | None = None
    rejected: str | None = None
    files: list[str] | None = None
    idle: list[str] | None = None
    # the person's answers: an option picked in an answered question, the reason given for a rejection
    chosen: list[str] | None = None
    reason: str | None = None
    # how many of this agent's requests (of the kind ``rejected`` names, if given) the person has rejected
    rejections: NonNegativeInt | None = None

    def describe(self) -> str:
        """What the turn waits for, in words (a held agent's reason, a stall's explanation), never as JSON."""
        parts: list[str] = []
        if self.phase:
            parts.append(f"the {self.phase} phase")
        if self.messages is not None or self.from_:
            count = self.messages if self.messages is not None else 1
            parts.append(f"{_count(count, 'message')}{f' from {self.from_}' if self.from_ else ''}")
        if self.tasks is not None:
            parts.append(f"{_count(self.tasks, 'task')} on the board")
        if self.completed == "all":
            parts.append("every task completed")
        elif self.completed:
            parts.append(f"task{'s' if len(self.completed) > 1 else ''} {_and(self.completed)} completed")
        if self.owned is not None:
            parts.append(f"{_count(self.owned, 'task')} of its own")
        for decision, kind in (("approved", self.approved), ("answered", self.answered), ("rejected", self.rejected)):
            if kind and not (decision == "rejected" and (self.reason or self.rejections is not None)):
                parts.append(f"a {'request' if kind == 'other' else kind} {decision}")
        if self.files:
            parts.append(f"the file{'s' if len(self.files) > 1 else ''} {_and(self.files)}")
        if self.idle:
            parts.append(f"{_and(self.idle)} idle")
        if self.chosen:
            parts.append(f"the person to choose {_and([repr(c) for c in self.chosen], 'and')}")
        if self.reason:
            parts.append(
                f"a {self.rejected or ''}{' ' if self.rejected else ''}rejection whose reason says {self.reason!r}"
            )
        if self.rejections is not None:
            parts.append(_count(self.rejections, f"{self.rejected} rejection" if self.rejected else "rejection"))
        return _and(parts) or "nothing"

    @field_validator("chosen", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [str(value)] if isinstance(value, (str, int)) and not isinstance(value, bool) else value

    @field_validator("phase")
    @classmethod
    def _known_phase(cls, value: str | None) -> str | None:
        if value is not None and value.upper() not in PHASES:
            raise ValueError(f"unknown phase {value!r}; phases are {', '.join(PHASES)}")
        return value.upper() if value else value

    @field_validator("approved", "answered", "rejected")
    @classmethod
    def _known_kind(cls, value: str | None) -> str | None:
        if value is not None and value not in APPROVAL_KINDS:
            raise ValueError(f"unknown approval kind {value!r}; kinds are {', '.join(APPROVAL_KINDS)}")
        return value

    @field_validator("completed", mode="before")
    @classmethod
    def _ids_as_text(cls, value: Any) -> Any:
        # task ids are strings in events, but `completed: [1, 2]` is the natural way to write them
        if isinstance(value, list):
            return [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
        return value


def _count(n: int, noun: str) -> str:
    return f"a {noun}" if n == 1 else f"{n} {noun}s"


def _and(items: list[str], word: str = "and") -> str:
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}" if items else ""


class ToolCallSpec(_Strict):
    name: str
    input: dict[str, Any] = Field(default_factory=dict)


class UsageSpec(_Strict):
    """Token counts a turn reports; a count left out is estimated (input, output) or 0 (cache)."""

    input_tokens: NonNegativeInt | None = None
    output_tokens: NonNegativeInt | None = None
    cache_creation_input_tokens: NonNegativeInt = 0
    cache_read_input_tokens: NonNegativeInt = 0


class Fault(_Strict):
    """One failed attempt served before a turn succeeds. Exactly one kind per fault."""

    status: int | None = Field(default=None, ge=400, le=599)
    retry_after_ms: NonNegativeInt | None = None
    midstream: str | None = None
    malformed: bool | None = None
    reset: bool | None = None
    timeout: bool | None = None
    message: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Fault:
        kinds = [k for k in ("status", "midstream", "malformed", "reset", "timeout") if getattr(self, k)]
        if len(kinds) != 1:
            raise ValueError("a fault is exactly one of: status, midstream, malformed, reset, timeout")
        if self.retry_after_ms is not None and self.status is None:
            raise ValueError("retry_after_ms goes with an HTTP status fault")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in ("status", "midstream", "malformed", "reset", "timeout") if getattr(self, k))


class Turn(_Strict):
    when: Condition | None = None
    pause: NonNegativeFloat = 0.0
    thinking: str | None = None
    text: str | None = None
    tools: list[ToolCallSpec] = Field(default_factory=list)
    stop: StopReason | None = None
    usage: UsageSpec | None = None
    faults: list[Fault] = Field(default_factory=list)
    # served instead of the next turn when this turn's request (RequestApproval, ExitPlanMode, a permission)
    # was rejected; the last of them usually asks again, and the script resumes once it is approved
    on_rejected: list[Turn] = Field(default_factory=list)
    # other words and calls for this turn, chosen by what the person answered: the first whose `if` holds
    variants: list[Variant] = Field(default_factory=list)

    @property
    def stop_reason(self) -> str:
        return self.stop or ("tool_use" if self.tools else "end_turn")

    def resolved(self, state: TeamState, agent: str) -> Turn:
        """This turn as the person's answers so far make it: the first variant that holds, over the turn."""
        for variant in self.variants:
            if condition_holds(variant.if_, state, agent):
                given = {k: getattr(variant, k) for k in variant.model_fields_set if k != "if_"}
                return self.model_copy(update=given)
        return self


class Variant(_Strict):
    """What replaces a turn's words and calls when ``if`` holds; a key left out keeps the turn's own."""

    if_: Condition = Field(alias="if")
    thinking: str | None = None
    text: str | None = None
    tools: list[ToolCallSpec] = Field(default_factory=list)
    stop: StopReason | None = None
    usage: UsageSpec | None = None


Turn.model_rebuild()

MAX_REVISIONS = 3  # rejections of one request a script answers with its revision turns


def _rejected(message: Any) -> bool:
    """Does this user message carry a rejected request's tool result?"""
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, list):
        return False
    for block in content:
        if not isinstance(block, dict) or block.get("type") != "tool_result":
            continue
        body = block.get("content")
        if isinstance(body, list):
            body = "".join(b.get("text", "") for b in body if isinstance(b, dict))
        if isinstance(body, str) and body.startswith(REJECTION_PREFIXES):  # the team's tools' answers to a "no"
            return True
    return False


class Scenario(_Strict):
    name: str
    title: str = ""
    goal: str = ""
    agents_dir: str | None = None
    workspace_files: dict[str, str] = Field(default_factory=dict)
    agents: dict[str, list[Turn]] = Field(default_factory=dict)

    _path: Path | None = PrivateAttr(default=None)

    def problems(self) -> list[tuple[tuple[Any, ...], str]]:
        """What the schema cannot see, as (location, message) pairs: bad agent names, workspace paths that
        leave the workspace, and conditions naming agents that have no script."""
        known = set(self.agents)
        found: list[tuple[tuple[Any, ...], str]] = []
        for rel in self.workspace_files:
            if not rel or Path(rel).is_absolute() or ".." in Path(rel).parts or rel.startswith(("/", "\\")):
                found.append((("workspace_files", rel), f"file {rel!r} must be a relative path inside the workspace"))
        for name in self.agents:
            if not AGENT_NAME.match(name):
                found.append((("agents", name), f"agent name {name!r}: use lower-case letters, digits, '-' or '_'"))
        for agent, turns in self.agents.items():
            for i, turn in enumerate(turns):
                when = turn.when
                if when is None:
                    continue
                refs = [("from", when.from_)] if when.from_ and when.from_ != USER else []
                refs += [("idle", name) for name in when.idle or []]
                for key, name in refs:
                    if name not in known:
                        found.append(
                            (
                                ("agents", agent, i, "when", key),
                                f"agent {name!r} has no script here (agents: {', '.join(sorted(known)) or 'none'})",
                            )
                        )
        return found

    # ── queries ──────────────────────────────────────────────────────────────

    @property
    def path(self) -> Path | None:
        return self._path

    def agents_path(self) -> Path | None:
        """The agent definitions to use: ``agents_dir`` relative to the scenario file; None: the shipped team."""
        if self.agents_dir is None:
            return None
        base = self._path.parent if self._path is not None else Path.cwd()
        return (base / self.agents_dir).resolve()

    def turn(self, agent: str, index: int) -> Turn | None:
        turns = self.agents.get(agent, [])
        return turns[index] if 0 <= index < len(turns) else None

    def select(self, agent: str, messages: list[Any]) -> Turn | None:
        """The turn that answers a request with these messages.

        Without rejections, turn N answers the request holding N assistant messages. A rejected request
        detours through the asking turn's ``on_rejected`` turns. The position is worked out from the
        messages alone, so a resumed session is served exactly where it stopped.
        """
        turns = self.agents.get(agent, [])
        users = [m for m in messages if isinstance(m, dict) and m.get("role") == "user"]
        answered = sum(1 for m in messages if isinstance(m, dict) and m.get("role") == "assistant")
        anchor, detour, rejections = 0, None, 0
        for i in range(1, answered + 1):
            current = turns[anchor] if anchor < len(turns) else None
            if current is not None and current.on_rejected and i < len(users) and _rejected(users[i]):
                rejections += 1
                if rejections > MAX_REVISIONS:
                    return None  # the script has no answer to a person who keeps saying no: it ends
                detour = 0
            elif current is not None and detour is not None and detour + 1 < len(current.on_rejected):
                detour += 1
            else:
                anchor, detour, rejections = anchor + 1, None, 0
        if anchor >= len(turns):
            return None
        return turns[anchor] if detour is None else turns[anchor].on_rejected[detour]

    @staticmethod
    def condition_holds(cond: Condition | Mapping[str, Any] | None, state: TeamState, agent: str) -> bool:
        return condition_holds(cond, state, agent)


# ── conditions ───────────────────────────────────────────────────────────────


def condition_holds(cond: Condition | Mapping[str, Any] | None, state: TeamState, agent: str) -> bool:
    """Whether every key of ``cond`` holds in ``state`` for ``agent`` (the agent whose turn waits)."""
    if cond is None:
        return True
    if not isinstance(cond, Condition):
        cond = Condition.model_validate(cond)
    checks: tuple[tuple[Any, Callable[[TeamState, str, Any, Condition], bool]], ...] = (
        (cond.phase, _phase_reached),
        (cond.messages if cond.messages is not None else (1 if cond.from_ else None), _messages),
        (cond.tasks, _tasks),
        (cond.completed, _completed),
        (cond.owned, _owned),
        (cond.approved, lambda s, a, k, c: _decided(s, k, {"approved"})),
        (cond.answered, lambda s, a, k, c: _decided(s, k, {"approved", "rejected", "answered"})),
        (cond.rejected, lambda s, a, k, c: _decided(s, k, {"rejected"})),
        (cond.files, lambda s, a, paths, c: all(p in s.files for p in paths)),
        (cond.idle, lambda s, a, names, c: all(_idle(s, n) for n in names)),
        (cond.chosen, lambda s, a, labels, c: all(_chosen(s, label) for label in labels)),
        (cond.reason, _reason),
        (cond.rejections, lambda s, a, count, c: len(_rejections(s, a, c)) >= count),
    )
    return all(check(state, agent, value, cond) for value, check in checks if value is not None)


def _phase_reached(state: TeamState, agent: str, phase: str, cond: Condition) -> bool:
    # "reached X or a later one" over the whole history: a team sent back from VALIDATE to BUILD has still
    # reached VALIDATE, so scripted waits never un-happen
    seen = [span.name for span in state.phases] + ([state.phase] if state.phase else [])
    target = PHASES.index(phase)
    return any(name in PHASES and PHASES.index(name) >= target for name in seen)


def _messages(state: TeamState, agent: str, count: int, cond: Condition) -> bool:
    view = state.agents.get(agent)
    if view is None:
        return count == 0
    received = [e for e in view.transcript if e.kind in ("message_in", "user")]
    if cond.from_ is not None:
        received = [e for e in received if e.peer == cond.from_]
    return len(received) >= count


def _team_tasks(state: TeamState) -> list[Any]:
    return [t for t in state.team_tasks() if t.task.source == "team"]


def _tasks(state: TeamState, agent: str, count: int, cond: Condition) -> bool:
    return len(_team_tasks(state)) >= count


def _completed(state: TeamState, agent: str, ids: list[str] | str, cond: Condition) -> bool:
    if ids == "all":
        tasks = _team_tasks(state)
        return bool(tasks) and all(t.task.status == "completed" for t in tasks)
    return all((view := state.tasks.get(i)) is not None and view.task.status == "completed" for i in ids)


def _owned(state: TeamState, agent: str, count: int, cond: Condition) -> bool:
    return sum(1 for t in _team_tasks(state) if t.task.owner == agent) >= count


def _decided(state: TeamState, kind: str, decisions: set[str]) -> bool:
    return any(a.request.kind == kind and a.decision in decisions for a in state.approvals.values())


def _chosen(state: TeamState, label: str) -> bool:
    """Some answered question took an option whose label contains ``label`` (case-insensitive)."""
    wanted = label.lower()
    for view in state.approvals.values():
        if view.request.kind != "question" or view.decision != "answered":
            continue
        for line in view.answers:  # "question → label, label" (see the question form and policies)
            picked = line.rpartition("→")[2] if "→" in line else line
            if wanted in picked.lower():
                return True
    return False


def _reason(state: TeamState, agent: str, text: str, cond: Condition) -> bool:
    """The reason given for the latest rejection of this agent's requests (of kind ``rejected``, if given)
    contains ``text`` (case-insensitive)."""
    rejected = _rejections(state, agent, cond)
    return bool(rejected) and text.lower() in max(rejected, key=lambda v: v.request.id).note.lower()


def _rejections(state: TeamState, agent: str, cond: Condition) -> list[Any]:
    """This agent's rejected requests (of kind ``rejected``, if the condition names one)."""
    return [
        v
        for v in state.approvals.values()
        if v.request.agent == agent and v.decision == "rejected" and cond.rejected in (None, v.request.kind)
    ]


def _idle(state: TeamState, name: str) -> bool:
    view = state.agents.get(name)
    return view is not None and view.state in ("idle", "done")


# ── loading ──────────────────────────────────────────────────────────────────


def load_scenario(path: Path | str) -> Scenario:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ScenarioError(path, None, f"cannot read the scenario: {err.strerror or err}") from None
    except UnicodeDecodeError as err:
        raise ScenarioError(path, None, f"not UTF-8 text ({err.reason} at byte {err.start})") from None
    return parse_scenario(text, path)


def parse_scenario(text: str, path: Path | str = "<scenario>") -> Scenario:
    """A scenario from its text; ``path`` names it in errors and anchors ``agents_dir``."""
    path = Path(path)
    data = _parse(text, path)
    if not isinstance(data, dict):
        raise ScenarioError(path, 1, "a scenario is a mapping with at least `name` and `agents`")
    if path.suffix.lower() != ".json":
        _refuse_cut_text(text, path)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as err:
        raise _validation_error(err, text, path) from None
    for loc, message in scenario.problems():
        where = _dotted(loc if loc[-1] in ("from", "idle") else loc[:-1])  # the key itself is in the message
        raise ScenarioError(path, _line_of(text, loc), f"{where}: {message}")
    scenario._path = path
    return scenario


# `text: see #2` is YAML for "see" and a comment: the rest of an agent's words would vanish silently
_CUT_TEXT = re.compile(r"""^\s*(?:-\s+)?(?:text|thinking):\s+(?!["'|>])[^#\n]*\s#""")


def _refuse_cut_text(text: str, path: Path) -> None:
    for number, line in enumerate(text.splitlines(), start=1):
        if _CUT_TEXT.match(line):
            raise ScenarioError(
                path, number, "' #' in unquoted text starts a YAML comment and cuts the text there: quote it"
            )


def _parse(text: str, path: Path) -> Any:
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as err:
            raise ScenarioError(path, err.lineno, f"invalid JSON: {err.msg}") from None
    try:
        # libyaml reads the demo's scenario ten times faster than PyYAML's own reader (0.15 s before the
        # TUI's first frame); a document it refuses is read again below, so every error reads the same
        return yaml.load(text, Loader=_FAST_LOADER)
    except Exception:
        pass
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ScenarioError(path, line, f"invalid YAML: {err.problem or err.context or err}") from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as err:
        raise ScenarioError(path, None, f"invalid YAML: {err}") from None


def _validation_error(err: ValidationError, text: str, path: Path) -> ScenarioError:
    errors = err.errors()
    first = errors[0]
    loc = tuple(first["loc"])
    where = _dotted(loc)
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = f"unknown key {loc[-1]!r}" if loc else "unknown key"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return ScenarioError(path, _line_of(text, loc), f"{where + ': ' if where else ''}{message}{more}")


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _is_schema_tag(part):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out


def _is_schema_tag(part: Any) -> bool:
    # pydantic puts the branch of a union or a validator wrapper in `loc` (e.g. "list[str]"); no key is named so
    return isinstance(part, str) and ("[" in part or part.startswith(("function-", "literal")))


def _line_of(text: str, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the key (or item) ``loc`` points at, found in the YAML node tree."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, ValueError, RecursionError):
        return None
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                    line, node = key.start_mark.line + 1, value
                    break
            else:
                continue  # a schema tag, or a key that is missing: stay on the enclosing node
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
    return line
