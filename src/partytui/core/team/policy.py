"""Headless answers to requests for a human: ``--approve all``, ``--approve none`` or a policy file.

A policy file (YAML)::

    default: ask              # ask | approve | reject — when no rule matches ("ask": wait for a person)
    rules:                    # the first rule that matches answers
      - kind: migration       # question | design | migration | plan | other | permission | reply | "*"
        agent: backend        # a glob on the asking agent's name (default "*")
        decision: reject      # approve | reject | answer
        note: "Add a rollback script first."
      - kind: permission
        tool: "Bash(pytest:*)"  # permission requests: a tool pattern as in Claude Code settings
        decision: approve
      - kind: question
        decision: answer
        answer: first         # "first": every question gets its first option; a number picks that option,
                              # an option's label (or a unique part of it) picks it, other text is the answer;
                              # a list answers the questions in order: [2, "No tags"]

"ask" answers nothing: headless, the run then stops with exit code 3 and the request stays pending.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from ..truth.events import ApprovalKind, ApprovalRequest, Question
from .approvals import PolicyAnswer

KINDS = get_args(ApprovalKind)


class PolicyError(Exception):
    pass


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = "*"
    agent: str = "*"
    tool: str | None = None
    decision: Literal["approve", "reject", "answer"]
    note: str = ""
    answer: str | int | list[str | int] = "first"

    @field_validator("kind", mode="after")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        # a misspelt kind would match nothing, silently: the run would stop at the request it meant to answer
        if not any(fnmatch.fnmatchcase(kind, value) for kind in KINDS):
            raise ValueError(f'unknown kind {value!r} (known: {", ".join(KINDS)}, or a pattern such as "*")')
        return value


class PolicyFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    default: Literal["ask", "approve", "reject"] = "ask"
    rules: list[Rule] = []


def tool_matches(pattern: str, tool: str | None, tool_input: dict[str, Any] | None) -> bool:
    """``Bash``, ``Bash(pytest:*)`` (a command prefix), ``Bash(git status)``, ``Write(src/**)`` (a path glob)."""
    name, _, arg = pattern.partition("(")
    if not fnmatch.fnmatchcase(tool or "", name.strip()):
        return False
    if not arg:
        return True
    arg = arg.rstrip(")")
    data = tool_input or {}
    subject = str(data.get("command") or data.get("file_path") or data.get("path") or data.get("pattern") or "")
    if arg.endswith(":*"):
        prefix = arg[:-2]
        return subject == prefix or subject.startswith(prefix + " ")
    return fnmatch.fnmatchcase(subject, arg)


def _option(question: Question, answer: str | int) -> str:
    """The option ``answer`` names: "first", its number, its label or a part of only its label; else the text."""
    labels = [o.label for o in question.options]
    text = str(answer).strip()
    if text == "first":
        return labels[0] if labels else "no preference"
    if text.isdigit() and 1 <= int(text) <= len(labels):
        return labels[int(text) - 1]
    exact = [label for label in labels if label.lower() == text.lower()]
    partial = [label for label in labels if text.lower() in label.lower()]
    return exact[0] if exact else partial[0] if len(partial) == 1 else text


def _answers(request: ApprovalRequest, answer: str | int | list[str | int]) -> list[str]:
    given = answer if isinstance(answer, list) else [answer] * len(request.questions)
    return [
        f"{q.question} → {_option(q, given[i] if i < len(given) else 'first')}" for i, q in enumerate(request.questions)
    ]


class Policy:
    def __init__(self, spec: PolicyFile, source: str = "policy") -> None:
        self.spec = spec
        self.source = source

    @classmethod
    def approve_all(cls) -> Policy:
        return cls(PolicyFile(default="approve"), "--approve all")

    @classmethod
    def reject_all(cls) -> Policy:
        return cls(PolicyFile(default="reject"), "--approve none")

    def decide(self, request: ApprovalRequest) -> PolicyAnswer | None:
        for rule in self.spec.rules:
            if not fnmatch.fnmatchcase(request.kind, rule.kind):
                continue
            if not fnmatch.fnmatchcase(request.agent, rule.agent):
                continue
            if rule.tool is not None and not tool_matches(rule.tool, request.tool, request.tool_input):
                continue
            return self._answer(request, rule.decision, rule.note, rule.answer)
        if self.spec.default == "ask":
            return None
        return self._answer(request, self.spec.default, "", "first")

    def _answer(
        self, request: ApprovalRequest, decision: str, note: str, answer: str | int | list[str | int]
    ) -> PolicyAnswer:
        if decision == "reject":
            return PolicyAnswer("rejected", note or f"rejected by {self.source}")
        if request.kind == "question":
            return PolicyAnswer("answered", note, _answers(request, answer))
        if request.kind == "reply":
            text = "Yes, go ahead as you propose." if answer == "first" else str(answer)
            return PolicyAnswer("answered", note, [text])
        return PolicyAnswer("approved", note)


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """The line (1-based) of the YAML node at ``loc`` (keys and list indexes), as near as it exists."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if getattr(k, "value", None) == key), None)
            if match is None:
                key_node = next((k for k, _ in node.value if getattr(k, "value", None) == key), None)
                return key_node.start_mark.line + 1 if key_node is not None else line
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
        line = node.start_mark.line + 1
    return line


def load_policy(arg: str) -> Policy:
    """``all``, ``none``, or the path of a policy file (errors name the file and line)."""
    if arg == "all":
        return Policy.approve_all()
    if arg == "none":
        return Policy.reject_all()
    path = Path(arg)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise PolicyError(f"{arg}: no such policy file (use --approve all, none, or a policy file)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{arg}: cannot read the policy file: {exc}") from None
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise PolicyError(f"{arg}{line}: invalid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"{arg}: invalid YAML: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PolicyError(f"{arg}:1: a policy file is a mapping with 'default' and 'rules'")
    try:
        spec = PolicyFile.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        # a misspelt field is also a missing one: the misspelling says more
        err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        line_no = _line_of(node, tuple(err["loc"]))
        where = ".".join(str(p) for p in err["loc"])
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            model = Rule if len(err["loc"]) > 1 else PolicyFile
            message = f"unknown field (known: {', '.join(model.model_fields)})"
        raise PolicyError(f"{arg}:{line_no}: {where}: {message}") from None
    return Policy(spec, str(path))
