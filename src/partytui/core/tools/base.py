"""What every tool is: a name, a description, an input model (its JSON schema goes to the model) and ``run``.

A tool returns the text the model sees; it raises :class:`ToolError` for an error result. A tool never
acts outside the session's workspace (see :mod:`partytui.core.tools.workspace`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError

from ..truth.events import EventBase

if TYPE_CHECKING:
    from ..team.services import TeamServices


class ToolError(Exception):
    """The tool could not do what was asked; the message goes back to the model as an error result."""


class ToolInput(BaseModel):
    # Models send extra keys now and then (e.g. ``description`` on Bash); ignore rather than fail.
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


@dataclass
class Limits:
    bash_timeout_s: float = 120.0
    bash_max_timeout_s: float = 600.0
    output_cap_chars: int = 30_000  # what a tool result may carry back to the model
    read_cap_bytes: int = 2_000_000  # files larger than this are refused by Read/Edit
    # past this (estimated) size of a conversation, its oldest tool outputs are cleared from the request:
    # the models' window is 200,000 tokens, and the system prompt and tool definitions need room too
    context_tokens: int = 160_000
    # a Bash call without a sandbox: "ask" the person first, or "allow" it (the person's choice); None reads
    # $PARTYTUI_UNSANDBOXED_BASH, else asks
    unsandboxed_bash: str | None = None


@dataclass
class ToolContext:
    agent: str
    workspace: Path
    emit: Callable[[EventBase], EventBase]
    team: TeamServices | None = None
    tool_use_id: str = ""
    limits: Limits = field(default_factory=Limits)


class Tool:
    name: ClassVar[str]
    description: ClassVar[str]
    Input: ClassVar[type[ToolInput]]
    read_only: ClassVar[bool] = False  # allowed in plan mode and never asks permission
    edits_files: ClassVar[bool] = False  # permissionMode acceptEdits lets these run without asking

    def schema(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "input_schema": self.Input.model_json_schema(),
        }

    def parse(self, raw: Any) -> ToolInput:
        if not isinstance(raw, dict):
            raise ToolError(f"{self.name}: the input must be a JSON object, got {type(raw).__name__}")
        try:
            return self.Input.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'input'}: {err['msg']}" for err in exc.errors()
            )
            raise ToolError(f"{self.name}: invalid input: {problems}") from None

    async def run(self, args: Any, ctx: ToolContext) -> str:
        raise NotImplementedError
