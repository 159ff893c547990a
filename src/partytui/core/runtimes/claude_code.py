"""The Claude Code runtime: one agent as a real Claude Code session, driven through the Claude Agent SDK.

The agent file runs as Claude Code runs it: its body is appended to Claude Code's own system prompt, its
``tools``, ``disallowedTools``, ``model`` and ``permissionMode`` go to Claude Code unchanged, and Claude Code's
own tools do the work. partytui supervises:

- every permission Claude Code asks for (``can_use_tool``) is a request through the team's broker, logged
  before anyone waits; a refusal's note goes back to the model as the tool's result;
- ``AskUserQuestion`` is partytui's question modal; the answers go back as Claude Code expects them;
- the team's tools (tasks, SendMessage, RequestApproval, AdvancePhase, EndRun) are tools of an in-process
  MCP server named ``partytui``; the team's gates are a ``PreToolUse`` hook;
- what Claude Code streams (text, thinking, tool calls and results, sub-agents, usage) becomes events;
- Claude Code keeps its own conversation: its session id is logged with every turn, and a resumed partytui
  session continues it with ``resume=``.

Needs the ``claude-code`` extra (``pip install "partytui[claude-code]"``); :func:`available` says whether it
is installed.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..providers.pricing import cost_usd
from ..team.policy import tool_matches
from ..tools import build_toolset
from ..tools.base import Limits, Tool, ToolContext, ToolError
from ..tools.names import EDIT_TOOLS
from ..tools.team import PERMISSION_DENIED, QUESTION_DECLINED
from ..tools.workspace import cap_output
from ..truth.events import (
    ErrorEvent,
    FileChanged,
    Question,
    QuestionOption,
    ToolCalled,
    ToolResult,
    TurnEnded,
    TurnStarted,
    Usage,
)
from ..truth.workstate import AgentWork
from ..views.present import key_field
from .base import AgentHost, AgentSpec, RuntimeBase, ask_in_prose, asks_the_person

if TYPE_CHECKING:
    from claude_agent_sdk.types import PermissionMode

EXTRA = "claude-code"
INSTALL = 'pip install "partytui[claude-code]"'

# ── names: partytui's tool names ↔ the names Claude Code's model sees (the one place they are mapped) ──

MCP_SERVER = "partytui"
MCP_PREFIX = f"mcp__{MCP_SERVER}__"
# the team's tools that reach Claude Code through the MCP server; every other name is Claude Code's own
# (TodoWrite too: Claude Code run through the SDK has none of its own, and partytui shows the list in the pane)
MCP_TEAM_TOOLS: tuple[str, ...] = (
    "TaskCreate", "TaskUpdate", "TaskList", "TaskGet", "SendMessage", "RequestApproval", "AdvancePhase", "EndRun",
    "TodoWrite",
)  # fmt: skip
STDERR_LINES = 8
TOOL_SEARCH = "ToolSearch"  # Claude Code loads a deferred tool's schema (every MCP tool's) through it


def claude_code_name(name: str) -> str:
    """The name Claude Code's model calls partytui tool ``name`` by."""
    return MCP_PREFIX + name if name in MCP_TEAM_TOOLS else name


def partytui_name(name: str) -> str:
    """The partytui tool name for a name Claude Code's model called (events and cards use these)."""
    return name[len(MCP_PREFIX) :] if name.startswith(MCP_PREFIX) else name


def available() -> bool:
    """Is the Claude Agent SDK (which bundles the Claude Code CLI) installed?"""
    return importlib.util.find_spec("claude_agent_sdk") is not None


def logged_in() -> bool:
    """Does Claude Code have a login of its own here (an OAuth token, or saved credentials)?"""
    if os.environ.get("CLAUDE_CODE_OAUTH_TOKEN"):
        return True
    folder = Path(os.environ.get("CLAUDE_CONFIG_DIR") or Path.home() / ".claude").expanduser()
    # on macOS the credentials live in the keychain: a Claude Code folder is the sign it was set up
    return (folder / ".credentials.json").is_file() or (sys.platform == "darwin" and folder.is_dir())


def offline_env(base_url: str, config_dir: str) -> dict[str, str]:
    """The environment that keeps a Claude Code CLI on a local API and out of the person's ``~/.claude``."""
    return {
        "ANTHROPIC_BASE_URL": base_url,
        "ANTHROPIC_API_KEY": "scripted-offline",
        "CLAUDE_CONFIG_DIR": config_dir,
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        "DISABLE_TELEMETRY": "1",
        "DISABLE_AUTOUPDATER": "1",
        "DISABLE_ERROR_REPORTING": "1",
    }


@dataclass
class ClaudeCodeBackend:
    """Where Claude Code sessions reach their model. This one: Claude Code's own login and settings (no
    extra environment); the offline one is :class:`partytui.core.providers.loopback.ScenarioBackend`."""

    cli_path: str | None = None
    stderr: Callable[[str], None] | None = None

    async def env_for(self, agent: str) -> dict[str, str]:
        return {}


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(b.get("text", "")) for b in content if isinstance(b, dict) and b.get("type") == "text")
    return "" if content is None else str(content)


def _usage(raw: dict[str, Any] | None) -> Usage:
    raw = raw or {}
    return Usage(**{k: int(raw.get(k) or 0) for k in Usage.model_fields})


class ClaudeCodeRuntime(RuntimeBase):
    """One agent as a Claude Code session (an :class:`~.base.AgentRuntime`)."""

    def __init__(
        self,
        spec: AgentSpec,
        host: AgentHost,
        *,
        briefing: str,
        backend: ClaudeCodeBackend,
        limits: Limits | None = None,
    ) -> None:
        super().__init__(spec, host)
        self.instructions = spec.system_prompt + briefing
        self.backend = backend
        self.limits = limits or Limits()
        self.team_tools: dict[str, Tool] = {
            name: tool
            for name, tool in build_toolset(spec.tools, lead=spec.lead and not host.solo).items()
            if name in MCP_TEAM_TOOLS
        }
        self.resume_id: str | None = None  # Claude Code's own session id, once it has one
        self.working = False  # Claude Code is busy (between a prompt, or a background agent's news, and a result)
        self.turn_count = 0  # Claude Code counts its own turns: one per message it starts
        self._call_names: dict[str, str] = {}  # tool_use_id → partytui name
        self._call_started: dict[str, float] = {}
        self._call_inputs: dict[str, dict[str, Any]] = {}
        self._mcp_ids: dict[tuple[str, str], list[str]] = {}  # (tool, input) → tool_use ids the hook saw
        self.resume_at: str | None = None  # where in that conversation the next turn starts (a message uuid)
        self._resume_session_at: str | None = None  # set by a resume whose last turn was cut short
        self._left_pending: list[Any] = []  # requests a killed run left unanswered: asked again, never twice
        self._turn_open = False
        self._turn_content: list[dict[str, Any]] = []
        self._turn_usage: dict[str, Any] = {}
        self._turn_stop: str | None = None
        self._turn_model = spec.model
        self._turn_inputs: list[str] = []
        self._result: asyncio.Future[Any] | None = None
        self._last_text = ""
        self._stderr: list[str] = []  # the CLI's last words, for an error that only says "check stderr"

    @property
    def busy(self) -> bool:
        return (self.working and not self.stopped) or super().busy

    # ── the session ───────────────────────────────────────────────────────────

    def _options(self, env: dict[str, str]) -> Any:
        from claude_agent_sdk import ClaudeAgentOptions, HookMatcher, create_sdk_mcp_server

        servers: dict[str, Any] = {}
        if self.team_tools:
            servers[MCP_SERVER] = create_sdk_mcp_server(
                MCP_SERVER, tools=[self._mcp_tool(t) for t in self.team_tools.values()]
            )
        file_tools = self.spec.file_tools
        return ClaudeAgentOptions(
            cwd=str(self.team.workspace),
            model=self.model,
            system_prompt={"type": "preset", "preset": "claude_code", "append": self.instructions},
            # the file's own tool names (None: Claude Code's defaults); a team tool's name means the team's
            # tool (the MCP one), so Claude Code's own tool of that name, if it has one, is left out
            tools=None
            if file_tools is None
            else [t for t in file_tools if not t.startswith("mcp__") and t not in MCP_TEAM_TOOLS],
            disallowed_tools=list(dict.fromkeys([*self.spec.disallowed_tools, *MCP_TEAM_TOOLS])),
            # bypassPermissions is honoured here, in can_use_tool (Claude Code refuses it to root, and the
            # team's gates and the person's questions must still come through partytui)
            permission_mode=None
            if self.permission_mode in ("default", "bypassPermissions")
            else cast("PermissionMode", self.permission_mode),
            can_use_tool=self._can_use_tool,
            # the hook reads its input as a plain dict (the SDK's TypedDicts are dicts) and answers one
            hooks={"PreToolUse": [HookMatcher(matcher=None, hooks=[self._pre_tool_use])]},  # type: ignore[list-item]
            mcp_servers=servers,
            strict_mcp_config=True,
            setting_sources=[],  # the agent file is the configuration: no user or project settings sneak in
            include_partial_messages=True,
            resume=self.resume_id,
            resume_session_at=self.resume_id and self._resume_session_at,
            env=env,
            cli_path=self.backend.cli_path,
            stderr=self._on_stderr,
            max_turns=None,
        )

    async def run(self) -> None:
        try:
            await self._run()
        except asyncio.CancelledError:
            if not self.team.finished:
                self.finish("cancelled", "by you")
            raise
        except Exception as exc:  # a bug of ours or the SDK's must stop this agent visibly, never hang the team
            self._fail(f"Claude Code: {type(exc).__name__}: {exc}")

    async def _run(self) -> None:
        from claude_agent_sdk import ClaudeSDKClient

        client: Any = None
        reader: asyncio.Task[None] | None = None
        try:
            while not self.team.finished:
                if not self.pending_inputs:
                    await self._wait_for_work()
                    continue
                await self._checkpoint()
                if self._out_of_turns():
                    return
                if client is None:
                    self.set_state("running", "starting Claude Code")
                    client = ClaudeSDKClient(options=self._options(await self.backend.env_for(self.name)))
                    await client.connect()
                    reader = asyncio.create_task(self._read(client), name=f"claude-code:{self.name}")
                inputs = self.pending_notes + self.pending_inputs
                self.pending_inputs, self.pending_notes = [], []
                self._turn_inputs = inputs
                self._last_text = ""
                self._result = result_future = asyncio.get_running_loop().create_future()
                self.working = True
                self.set_state("running", "thinking")
                prompt_id = str(uuid.uuid4())
                self.resume_at = prompt_id
                await client.query(_prompt(prompt_id, "\n\n".join(inputs)))
                assert reader is not None  # started with the client, above
                done, _ = await asyncio.wait({result_future, reader}, return_when=asyncio.FIRST_COMPLETED)
                if reader in done:
                    reader.result()  # raises what stopped the reader
                    raise RuntimeError("the Claude Code session ended unexpectedly")
                result = result_future.result()
                if result.is_error:
                    why = "; ".join(result.errors or []) or (result.result or result.subtype)
                    self._fail(f"Claude Code: {why}")
                    return
                text = self._last_text
                if text and asks_the_person(text) and not self.team.finished:
                    self.set_state("waiting", "reply from you")
                    await ask_in_prose(self.team, self.name, self.turn_count, text, self.deliver)
                    continue
                if self.team.solo:
                    self.finish("done", "")
                    self.team.agent_finished(self.name)
                    return
        finally:
            if reader is not None:
                reader.cancel()
                await asyncio.gather(reader, return_exceptions=True)
            if client is not None:
                await asyncio.shield(client.disconnect())

    def _on_stderr(self, line: str) -> None:
        self._stderr = (self._stderr + [line.rstrip()])[-STDERR_LINES:]
        if self.backend.stderr is not None:
            self.backend.stderr(line)

    def _fail(self, message: str) -> None:
        if "Check stderr output" in message and self._stderr:
            message = message.split("\n")[0] + ": " + " | ".join(self._stderr)
        self._end_turn()
        self.session.emit(ErrorEvent(agent=self.name, message=message, fatal=True))
        self.finish("error", message.splitlines()[0][:120])
        self.team.agent_failed(self.name, message)

    # ── what Claude Code streams → events ─────────────────────────────────────

    async def _read(self, client: Any) -> None:
        async for message in client.receive_messages():
            self._on_message(message)

    def _on_message(self, message: Any) -> None:
        from claude_agent_sdk import AssistantMessage, ResultMessage, StreamEvent, SystemMessage, UserMessage

        if isinstance(message, StreamEvent):
            if message.parent_tool_use_id is None:
                self._on_stream(message.event)
        elif isinstance(message, AssistantMessage):
            self._on_assistant(message)
        elif isinstance(message, UserMessage):
            self._on_user(message)
        elif isinstance(message, ResultMessage):
            self._end_turn()
            self.resume_id = message.session_id or self.resume_id
            self.working = False
            if self._result is not None and not self._result.done():
                self._result.set_result(message)
        elif (
            isinstance(message, SystemMessage)
            and message.subtype == "init"
            and isinstance(message.data.get("session_id"), str)
        ):
            self.resume_id = message.data["session_id"]

    def _on_stream(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == "message_start":
            self._end_turn()
            message = event.get("message") or {}
            self.turn_count += 1
            self._turn_open = True
            self._turn_content, self._turn_stop = [], None
            self._turn_usage = dict(message.get("usage") or {})
            self._turn_model = str(message.get("model") or self.model)
            self.working = True
            self.session.emit(
                TurnStarted(
                    agent=self.name,
                    turn=self.turn_count,
                    model=self._turn_model,
                    inputs=self._turn_inputs,
                    resume_id=self.resume_id,
                    resume_at=self.resume_at,
                )
            )
            self._turn_inputs = []
            self.set_state("running", "thinking")
        elif kind == "content_block_delta":
            delta = event.get("delta") or {}
            if delta.get("type") == "text_delta":
                self.on_text(str(delta.get("text", "")))
            elif delta.get("type") == "thinking_delta":
                self.on_thinking(str(delta.get("thinking", "")))
        elif kind == "message_delta":
            self._turn_usage.update({k: v for k, v in (event.get("usage") or {}).items() if v is not None})
            self._turn_stop = (event.get("delta") or {}).get("stop_reason") or self._turn_stop

    def _end_turn(self) -> None:
        if not self._turn_open:
            return
        self._turn_open = False
        self._flush_guards()
        usage = _usage(self._turn_usage)
        texts = [b.get("text", "") for b in self._turn_content if b.get("type") == "text"]
        if texts:
            self._last_text = "\n".join(texts)
        self.session.emit(
            TurnEnded(
                agent=self.name,
                turn=self.turn_count,
                model=self._turn_model,
                stop_reason=self._turn_stop,
                content=self._turn_content,
                usage=usage,
                cost_usd=cost_usd(self._turn_model, usage),
            )
        )

    def _on_assistant(self, message: Any) -> None:
        from claude_agent_sdk import TextBlock, ThinkingBlock, ToolUseBlock

        sub = message.parent_tool_use_id
        for block in message.content:
            if isinstance(block, ToolUseBlock):
                self._log_call(block.id, block.name, block.input, parent=sub)
                if sub is None:
                    self._turn_content.append(
                        {"type": "tool_use", "id": block.id, "name": partytui_name(block.name), "input": block.input}
                    )
            elif sub is not None:
                continue  # a sub-agent's prose stays in its own transcript; its tool calls show as cards
            elif isinstance(block, TextBlock):
                self._turn_content.append({"type": "text", "text": block.text})
            elif isinstance(block, ThinkingBlock):
                self._turn_content.append({"type": "thinking", "thinking": block.thinking})
        if sub is None and message.usage and not self._turn_usage:
            self._turn_usage = dict(message.usage)

    def _on_user(self, message: Any) -> None:
        from claude_agent_sdk import ToolResultBlock

        if not isinstance(message.content, list):
            return
        if message.parent_tool_use_id is None and message.uuid:
            self.resume_at = message.uuid
        for block in message.content:
            if isinstance(block, ToolResultBlock) and block.tool_use_id in self._call_names:
                if message.parent_tool_use_id is None:
                    self._end_turn()
                started = self._call_started.pop(block.tool_use_id, time.monotonic())
                name = self._call_names.pop(block.tool_use_id)
                raw = self._call_inputs.pop(block.tool_use_id, {})
                self.session.emit(
                    ToolResult(
                        agent=self.name,
                        tool_use_id=block.tool_use_id,
                        tool=name,
                        ok=not block.is_error,
                        output=cap_output(_text_of(block.content), self.limits.output_cap_chars),
                        duration_ms=round((time.monotonic() - started) * 1000, 1),
                    )
                )
                if name in EDIT_TOOLS and not block.is_error:
                    self._file_changed(name, raw)

    def _file_changed(self, tool: str, raw: dict[str, Any]) -> None:
        """Claude Code's own Write and Edit change files as partytui's do: the board lists them."""
        path = self._relative(raw).get("file_path")
        if isinstance(path, str) and path and not Path(path).is_absolute():
            self.session.emit(FileChanged(agent=self.name, path=path, action="write" if tool == "Write" else "edit"))

    def _log_call(self, tool_use_id: str, name: str, raw: dict[str, Any], *, parent: str | None = None) -> None:
        """A tool call, logged once (the stream and a permission request may both see it first)."""
        shown = partytui_name(name)
        if tool_use_id not in self._call_names:  # its result is logged when it comes (after a resume too)
            self._call_names[tool_use_id] = shown
            self._call_inputs[tool_use_id] = raw if isinstance(raw, dict) else {}
            self._call_started[tool_use_id] = time.monotonic()
        if tool_use_id in self.work.called:
            return
        self.session.emit(
            ToolCalled(
                agent=self.name,
                tool_use_id=tool_use_id,
                tool=shown,
                input=raw if isinstance(raw, dict) else {},
                parent_tool_use_id=parent,
            )
        )
        if parent is None:
            self.set_state("running", shown)

    # ── permissions, questions and gates → the team's broker ─────────────────

    async def _pre_tool_use(self, data: dict[str, Any], tool_use_id: str | None, context: Any) -> dict[str, Any]:
        """Every tool call passes here first: a pause takes effect, and a gate the person has not opened
        refuses the call (even in a permission mode that would not ask)."""
        name = str(data.get("tool_name", ""))
        given = data.get("tool_input")
        raw: dict[str, Any] = given if isinstance(given, dict) else {}
        await self._checkpoint()
        if tool_use_id and name.startswith(MCP_PREFIX):
            self._mcp_ids.setdefault((partytui_name(name), _key(raw)), []).append(tool_use_id)
        try:
            self.team.check_gates(self.name, partytui_name(name), raw)
            await self.team.ask_before_secret_file(self.name, partytui_name(name), raw, tool_use_id or "")
        except ToolError as exc:
            return {
                "hookSpecificOutput": {
                    "hookEventName": "PreToolUse",
                    "permissionDecision": "deny",
                    "permissionDecisionReason": str(exc),
                }
            }
        return {}

    async def _can_use_tool(self, name: str, raw: dict[str, Any], context: Any) -> Any:
        from claude_agent_sdk import PermissionResultAllow, PermissionResultDeny

        tool_use_id = context.tool_use_id or ""
        self._log_call(tool_use_id, name, raw)
        if name == "AskUserQuestion":
            return await self._question(raw, tool_use_id)
        shown = partytui_name(name)
        if self.permission_mode == "bypassPermissions":
            return PermissionResultAllow()
        if shown in self.team_tools and self.team_tools[shown].read_only:
            return PermissionResultAllow()
        if self._granted(shown, raw):
            return PermissionResultAllow()
        if self.permission_mode == "dontAsk":
            return PermissionResultDeny(
                message=f"{shown} needs permission and this agent runs with permissionMode dontAsk"
            )
        self.set_state("waiting", f"permission for {shown}")
        shown_input = self._relative(raw)
        view = await self._ask(
            "permission",
            tool_use_id,
            shown_input,
            tool=shown,
            title=f"{shown}: {key_field(shown_input)}"[:200],
            tool_input=shown_input,
        )
        self.set_state("running", shown)
        if view.decision == "approved":
            return PermissionResultAllow()
        return PermissionResultDeny(message=f"{PERMISSION_DENIED} {shown}" + (f": {view.note}" if view.note else "."))

    def _relative(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Claude Code names files by absolute path; the person and the policy read them as partytui's tools
        name them, relative to the workspace (the same file)."""
        path = raw.get("file_path")
        if isinstance(path, str) and Path(path).is_absolute():
            try:
                return {**raw, "file_path": str(Path(path).relative_to(self.team.workspace))}
            except ValueError:
                pass  # outside the workspace: shown as it is
        return raw

    def _granted(self, tool: str, raw: dict[str, Any]) -> bool:
        raw = self._relative(raw)
        patterns = self.spec.tool_patterns.get(tool, [])
        if any(tool_matches(f"{tool}({p})", tool, raw) for p in patterns):
            return True
        return self.team.session_grant(self.name, tool)

    async def _question(self, raw: dict[str, Any], tool_use_id: str) -> Any:
        from claude_agent_sdk import PermissionResultAllow, PermissionResultDeny

        questions = [
            Question(
                question=str(q.get("question", "")),
                header=str(q.get("header", "")),
                multi_select=bool(q.get("multiSelect", False)),
                options=[
                    QuestionOption(label=str(o.get("label", "")), description=str(o.get("description", "")))
                    for o in q.get("options") or []
                    if isinstance(o, dict)
                ],
            )
            for q in raw.get("questions") or []
            if isinstance(q, dict)
        ]
        if not questions:
            return PermissionResultDeny(message="ask at least one question")
        self.set_state("waiting", "answer from you")
        view = await self._ask(
            "question", tool_use_id, raw, title=questions[0].header or questions[0].question, questions=questions
        )
        self.set_state("running", "AskUserQuestion")
        if view.decision == "rejected":
            return PermissionResultDeny(
                message=f"{QUESTION_DECLINED} to answer" + (f": {view.note}" if view.note else ".")
            )
        answers = list(view.answers) or ([view.note] if view.note else [])
        # partytui's answers read "question → label"; Claude Code wants the label(s) per question
        given = {
            q.question: answers[i].removeprefix(f"{q.question} → ") if i < len(answers) else ""
            for i, q in enumerate(questions)
        }
        return PermissionResultAllow(updated_input={**raw, "answers": given})

    # ── the team's tools, served to Claude Code over MCP ─────────────────────

    def _mcp_tool(self, tool: Tool) -> Any:
        from claude_agent_sdk import SdkMcpTool

        async def handler(args: dict[str, Any]) -> dict[str, Any]:
            ids = self._mcp_ids.get((tool.name, _key(args))) or []
            tool_use_id = ids.pop(0) if ids else f"mcp:{self.name}:{tool.name}:{self.turn_count}"
            ctx = ToolContext(
                agent=self.name,
                workspace=self.team.workspace,
                emit=self.session.emit,
                team=self.team,
                tool_use_id=tool_use_id,
                limits=self.limits,
            )
            try:
                output, ok = await tool.run(tool.parse(args), ctx), True
            except ToolError as exc:
                output, ok = str(exc), False
            except Exception as exc:  # a tool bug must not take the session down: the model reads it
                output, ok = f"internal error in {tool.name}: {type(exc).__name__}: {exc}", False
            return {"content": [{"type": "text", "text": output}], "is_error": not ok}

        return SdkMcpTool(
            name=tool.name, description=tool.description, input_schema=tool.Input.model_json_schema(), handler=handler
        )

    # ── resume ─────────────────────────────────────────────────────────────

    def continue_from(self, work: AgentWork) -> None:
        """Continue from the log's working state: Claude Code's own conversation (``resume=``) from where the
        last complete step left it (a turn cut short is asked for again), what arrived since the last turn
        began, and the requests left unanswered (asked again when the call comes again, never twice)."""
        super().continue_from(work)
        self.turn_count = work.turn
        self.resume_id = work.resume_id
        if work.turn_open or work.unresolved:  # cut short: Claude Code goes back to where it started
            self.turn_count -= 1
        if work.turn_open or work.unresolved or work.taken:  # (taken: cut short, and taken back by an earlier resume)
            self._resume_session_at = work.resume_at
        self._left_pending = [a.request for a in self.session.state.pending_approvals if a.request.agent == self.name]
        view = self.session.state.agents.get(self.name)
        if view is not None and view.state not in ("idle", "done", "error", "cancelled") and not work.inputs:
            self.pending_inputs.append(
                "partytui stopped while you were working and has resumed your session: carry on from where you were."
            )

    async def _ask(self, kind: str, tool_use_id: str, raw: dict[str, Any], **fields: Any) -> Any:
        """A request through the broker; one a killed run left unanswered is asked again instead of anew."""
        for request in self._left_pending:
            if request.kind == kind and (
                request.tool_use_id == tool_use_id or (request.tool == fields.get("tool") and request.tool_input == raw)
            ):
                self._left_pending.remove(request)
                return await self.team.broker.wait(request.id)
        return await self.team.broker.request(self.name, kind, tool_use_id=tool_use_id, **fields)


def _prompt(message_id: str, text: str) -> Any:
    """A prompt as one streamed user message with our own uuid (a resume can go back to just before it)."""

    async def one() -> Any:
        yield {
            "type": "user",
            "uuid": message_id,
            "parent_tool_use_id": None,
            "message": {"role": "user", "content": text},
        }

    return one()


def _key(raw: Any) -> str:
    return json.dumps(raw, sort_keys=True, default=str)
