"""ApprovalBroker: every request for a human goes through here, and is on disk before anyone waits on it.

A request is logged (``approval.requested``, fsynced), then the asking agent awaits a Future. Only a
logged ``approval.answered`` resolves it — whoever answers (the TUI, a policy, a resumed session), and
however often: the first answer stands, later ones are refused.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol

from ..truth.events import ApprovalAnswered, ApprovalRequest, ApprovalRequested, EventBase
from ..truth.session import Session
from ..truth.state import ApprovalView


class Policy(Protocol):
    def decide(self, request: ApprovalRequest) -> PolicyAnswer | None: ...


class PolicyAnswer:
    def __init__(self, decision: str, note: str = "", answers: list[str] | None = None) -> None:
        self.decision, self.note, self.answers = decision, note, answers or []


class ApprovalBroker:
    def __init__(self, session: Session, policy: Policy | None = None) -> None:
        self.session = session
        self.policy = policy
        self._futures: dict[int, asyncio.Future[ApprovalView]] = {}
        # told about requests that neither a policy nor an attached person will answer (headless, no policy)
        self.on_unanswered: Callable[[ApprovalRequest], None] | None = None
        self.human_attached = False
        session.subscribe(self._on_event)

    def _next_id(self) -> int:
        return max(self.session.state.approvals, default=0) + 1

    async def request(self, agent: str, kind: str, *, tool_use_id: str | None = None, **fields: Any) -> ApprovalView:
        """Log a new request and wait for its answer.

        A request made for a tool call that was already logged (a resumed session runs the call again)
        waits on the logged request instead: answered, it returns at once; it is never asked twice.
        """
        if tool_use_id is not None:
            for view in self.session.state.approvals.values():
                if view.request.tool_use_id == tool_use_id and view.request.kind == kind:
                    return await self.wait(view.request.id)
        request = ApprovalRequest(id=self._next_id(), kind=kind, agent=agent, tool_use_id=tool_use_id, **fields)
        self.session.emit(ApprovalRequested(agent=agent, request=request))
        return await self.wait(request.id)

    async def wait(self, approval_id: int) -> ApprovalView:
        """Wait for the answer to a logged request (also used to ask again after a resume)."""
        view = self.session.state.approvals[approval_id]
        if not view.pending:
            return view
        future = self._futures.get(approval_id)
        if future is None:
            future = self._futures[approval_id] = asyncio.get_running_loop().create_future()
            self._route(view.request)
        return await asyncio.shield(future)

    def _route(self, request: ApprovalRequest) -> None:
        answer = self.policy.decide(request) if self.policy else None
        if answer is not None:
            self.answer(request.id, answer.decision, answer.note, answer.answers, by="policy")
        elif not self.human_attached and self.on_unanswered is not None:
            self.on_unanswered(request)

    def answer(
        self,
        approval_id: int,
        decision: str,
        note: str = "",
        answers: list[str] | None = None,
        by: str = "human",
    ) -> bool:
        """Log an answer. False (and nothing logged) when the request is unknown or already answered."""
        view = self.session.state.approvals.get(approval_id)
        if view is None or not view.pending:
            return False
        self.session.emit(
            ApprovalAnswered(
                agent=view.request.agent, id=approval_id, decision=decision, by=by, note=note, answers=answers or []
            )
        )
        return True

    def _on_event(self, event: EventBase) -> None:
        if isinstance(event, ApprovalAnswered):
            future = self._futures.pop(event.id, None)
            if future is not None and not future.done():
                future.set_result(self.session.state.approvals[event.id])
