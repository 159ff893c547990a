"""The API runtime: partytui's own loop over the Messages API, with partytui's own tools.

Stream a turn, run its tool calls, feed the results back, repeat. Everything it does is an event, and the
agent's conversation is folded from those events (core/truth/workstate.py): the live run reads it from the
session as it is kept current, and a resumed session folds it from the log and continues from there.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from ..providers.base import Provider, ProviderError, TurnResult
from ..providers.pricing import cost_usd
from ..team.policy import tool_matches
from ..tools import build_toolset
from ..tools.base import Limits, Tool, ToolContext, ToolError
from ..tools.names import UNAVAILABLE_TOOLS
from ..tools.team import PERMISSION_DENIED
from ..tools.workspace import cap_output
from ..truth.events import ErrorEvent, ToolCalled, ToolResult, TurnEnded, TurnRetry, TurnStarted
from ..truth.workstate import AgentWork, opening, taken_back
from ..views.present import key_field
from .base import AgentHost, AgentSpec, RuntimeBase, ask_in_prose, asks_the_person
from .context import ContextTrimmer

# The result of an interrupted call the person chose not to run again.
INTERRUPTED_NOT_RUN_AGAIN = "Interrupted: partytui stopped while this call ran, and it was not run again."
TOO_LONG_ATTEMPTS = 3  # a request the API finds too long is cleared further and sent again, this many times in all


class ApiRuntime(RuntimeBase):
    """One agent on the Messages API (an :class:`~.base.AgentRuntime`)."""

    def __init__(
        self,
        spec: AgentSpec,
        host: AgentHost,
        *,
        briefing: str = "",
        provider: Provider,
        limits: Limits | None = None,
        max_tokens: int = 8192,
    ) -> None:
        super().__init__(spec, host)
        self.system = spec.system_prompt + briefing
        self.tools: dict[str, Tool] = build_toolset(spec.tools, lead=spec.lead and not host.solo)
        self.provider = provider
        self.tool_patterns = spec.tool_patterns
        self.disallowed_patterns = spec.disallowed_patterns
        self.max_tokens = max_tokens
        self.limits = limits or Limits()
        self.context = ContextTrimmer(self.limits.context_tokens)

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The whole conversation, folded from the log (requests may clear old outputs)."""
        return list(self.work.messages)

    # ── the loop ───────────────────────────────────────────────────────────

    async def run(self) -> None:
        try:
            if unfinished := self.work.unfinished:  # a resumed session's calls that have no result yet
                await self._run_tool_calls(unfinished)
            while not self.team.finished:
                if not self.pending_inputs and not self.work.answered:
                    await self._wait_for_work()
                    continue
                await self._checkpoint()
                if self._out_of_turns():
                    return
                result = await self._turn()
                if result is None:
                    return
                calls = [b for b in result if b.get("type") == "tool_use"]
                if calls:
                    await self._run_tool_calls(calls)
                    continue
                text = "\n".join(b.get("text", "") for b in result if b.get("type") == "text")
                if text and asks_the_person(text) and not self.team.finished:
                    await self._ask_in_prose(text)
                    continue
                if self.team.solo:
                    self.finish("done", "")
                    self.team.agent_finished(self.name)
                    return
        except asyncio.CancelledError:
            if not self.team.finished:
                self.finish("cancelled", "by you")
            raise
        except Exception as exc:  # a bug of ours must stop this agent visibly, never hang the team
            self._fail(f"internal error: {type(exc).__name__}: {exc}")

    async def _run_tool_calls(self, calls: list[dict[str, Any]]) -> None:
        for call in calls:
            await self._checkpoint()
            await self._execute(call)  # its result, logged, waits in the working state for the next turn
            if self.team.finished:
                return

    async def _turn(self) -> list[dict[str, Any]] | None:
        inputs = self.pending_notes + self.pending_inputs
        self.pending_inputs, self.pending_notes = [], []
        # the request is the conversation as turn.started will make it (the cleared count goes into that event)
        request, cleared = self.context.request([*self.work.messages, opening(self.work, inputs)])
        self.session.emit(
            TurnStarted(agent=self.name, turn=self.turn_no + 1, model=self.model, inputs=inputs, cleared=cleared)
        )
        self.set_state("running", "thinking")
        try:
            result = await self._request(request)
        except ProviderError as exc:
            self._flush_guards()
            self._fail(str(exc))
            return None
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the SDK or a transport failed in a way we did not foresee
            self._flush_guards()
            self._fail(f"{type(exc).__name__}: {exc}")
            return None
        self._flush_guards()
        self.session.emit(
            TurnEnded(
                agent=self.name,
                turn=self.turn_no,
                model=result.model or self.model,
                stop_reason=result.stop_reason,
                content=result.content,
                usage=result.usage,
                cost_usd=cost_usd(result.model or self.model, result.usage),
            )
        )
        return result.content

    async def _request(self, request: list[dict[str, Any]]) -> TurnResult:
        """One turn's request; refused as longer than the model's window, it is cleared further and sent again."""
        for attempt in range(1, TOO_LONG_ATTEMPTS + 1):
            try:
                result = await self.provider.stream_turn(
                    agent=self.name,
                    model=self.model,
                    system=self.system,
                    messages=request,
                    tools=[tool.schema() for tool in self.tools.values()],
                    max_tokens=self.max_tokens,
                    sink=self,
                )
            except ProviderError as exc:
                if exc.status != 400 or "too long" not in str(exc) or attempt == TOO_LONG_ATTEMPTS:
                    raise
                request, cleared = self.context.tighter(self.messages)
                if not cleared:
                    raise  # nothing left to clear: sending it again would be refused again
                outputs = "output" if cleared == 1 else "outputs"
                self.on_retry(
                    attempt,
                    TOO_LONG_ATTEMPTS,
                    0.0,
                    f"the conversation is too long for the model: {cleared} more older tool {outputs} cleared",
                )
                continue
            usage = result.usage
            self.context.observe(usage.input_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens)
            return result
        raise AssertionError("unreachable")

    def _fail(self, message: str) -> None:
        self.session.emit(ErrorEvent(agent=self.name, message=message, fatal=True))
        self.finish("error", message.splitlines()[0][:120])
        self.team.agent_failed(self.name, message)

    async def _ask_in_prose(self, text: str) -> None:
        self.set_state("waiting", "reply from you")
        await ask_in_prose(self.team, self.name, self.turn_no, text, self.deliver)

    # ── sink for the provider (on_text and on_thinking: RuntimeBase) ──────────

    def on_retry(self, attempt: int, max_attempts: int, delay_s: float, reason: str) -> None:
        self._text_guard.flush()  # the failed attempt's held-back text is dropped with the rest of it
        self._thinking_guard.flush()
        self.session.emit(
            TurnRetry(
                agent=self.name, attempt=attempt, max_attempts=max_attempts, delay_s=round(delay_s, 2), reason=reason
            )
        )
        self.set_state("running", f"retrying in {delay_s:.0f}s ({reason}), attempt {attempt}/{max_attempts}")

    # ── tools ──────────────────────────────────────────────────────────────

    def _tool_for(self, name: str) -> Tool:
        tool = self.tools.get(name)
        if tool is not None:
            return tool
        if name in UNAVAILABLE_TOOLS or name.startswith("mcp__"):
            why = UNAVAILABLE_TOOLS.get(name, "MCP servers are not supported")
            raise ToolError(f"{name} is not available in partytui: {why}")
        raise ToolError(f"{name} is not one of your tools (you have: {', '.join(sorted(self.tools))})")

    def _granted(self, tool: Tool, raw: dict[str, Any]) -> bool:
        patterns = self.tool_patterns.get(tool.name, [])
        if any(tool_matches(f"{tool.name}({p})", tool.name, raw) for p in patterns):
            return True
        return self.team.session_grant(self.name, tool.name)

    async def _permission(self, tool: Tool, raw: dict[str, Any], tool_use_id: str) -> None:
        for pattern in self.disallowed_patterns.get(tool.name, []):
            if tool_matches(f"{tool.name}({pattern})", tool.name, raw):
                raise ToolError(f"{tool.name}({pattern}) is disallowed for this agent (disallowedTools)")
        await self.team.ask_before_secret_file(self.name, tool.name, raw, tool_use_id)
        mode = self.permission_mode
        if tool.read_only or mode == "bypassPermissions":
            return
        if mode == "plan":
            raise ToolError(
                f"{tool.name} is not allowed in plan mode: read and plan, then present the plan with ExitPlanMode"
            )
        if mode == "acceptEdits" and tool.edits_files:
            return
        if self._granted(tool, raw):
            return
        if mode == "dontAsk":
            raise ToolError(f"{tool.name} needs permission and this agent runs with permissionMode dontAsk")
        view = await self.team.broker.request(
            self.name,
            "permission",
            tool_use_id=tool_use_id,
            title=f"{tool.name}: {key_field(raw)}"[:200],
            tool=tool.name,
            tool_input=raw,
        )
        if view.decision != "approved":
            raise ToolError(f"{PERMISSION_DENIED} {tool.name}" + (f": {view.note}" if view.note else "."))

    async def _run_again(self, tool: Tool, raw: dict[str, Any], tool_use_id: str) -> None:
        """A call interrupted before its result was logged: run again silently only what cannot do harm twice."""
        if tool.read_only:
            return  # reads, and team tools, which find their own effect in the log (a message, a task)
        asked = [
            a
            for a in self.session.state.approvals.values()
            if a.request.tool_use_id == tool_use_id and a.request.kind == "permission"
        ]
        if any(a.pending or a.decision != "approved" for a in asked):
            return  # it was still waiting for the person (or refused): it never ran
        view = await self.team.broker.request(
            self.name,
            "permission",
            tool_use_id=f"{tool_use_id}:again",
            title=f"Run again? {tool.name}: {key_field(raw)}"[:200],
            tool=tool.name,
            tool_input=raw,
            body=(
                f"partytui stopped while this {tool.name} call was running, before its result was logged: it may "
                "have done its work in part or in full. Approve to run it again; reject and the agent is told it "
                "was interrupted and not run again."
            ),
        )
        if view.decision != "approved":
            raise ToolError(
                f"{INTERRUPTED_NOT_RUN_AGAIN} It may have run in part or in full: check its effects before repeating it."
                + (f" Note from the person: {view.note}" if view.note else "")
            )

    async def _execute(self, call: dict[str, Any]) -> None:
        tool_use_id, name = call.get("id", ""), call.get("name", "")
        given = call.get("input")
        raw: dict[str, Any] = given if isinstance(given, dict) else {}
        # logged as called, with no result: partytui stopped while it ran, and it may have done its work already,
        # so one that changes something is run again only if the person says so (never logged twice)
        interrupted = tool_use_id in self.work.called
        if not interrupted:
            self.session.emit(ToolCalled(agent=self.name, tool_use_id=tool_use_id, tool=name, input=raw))
        self.set_state("running", name)
        started = time.monotonic()
        ok, output = True, ""
        try:
            tool = self._tool_for(name)
            if "__invalid_json__" in raw:
                raise ToolError(f"the input for {name} was not valid JSON: {str(raw['__invalid_json__'])[:300]}")
            args = tool.parse(raw)
            if interrupted:
                await self._run_again(tool, raw, tool_use_id)
            await self._permission(tool, raw, tool_use_id)
            self.team.check_gates(self.name, tool.name, raw)
            ctx = ToolContext(
                agent=self.name,
                workspace=self.team.workspace,
                emit=self.session.emit,
                team=self.team,
                tool_use_id=tool_use_id,
                limits=self.limits,
            )
            output = await tool.run(args, ctx)
        except ToolError as exc:
            ok, output = False, str(exc)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a tool bug must not take the agent down: report it as the result
            ok, output = False, f"internal error in {name}: {type(exc).__name__}: {exc}"

        output = cap_output(output, self.limits.output_cap_chars)
        self.session.emit(
            ToolResult(
                agent=self.name,
                tool_use_id=tool_use_id,
                tool=name,
                ok=ok,
                output=output,
                duration_ms=round((time.monotonic() - started) * 1000, 1),
            )
        )

    # ── resume ─────────────────────────────────────────────────────────────

    def continue_from(self, work: AgentWork) -> None:
        """Go on from the log's working state: a turn cut short is asked again with what it was given (the
        session's fold takes it back the same way when the resume is logged)."""
        super().continue_from(taken_back(work))
