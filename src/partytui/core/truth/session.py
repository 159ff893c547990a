"""Session: the one place events enter — stamped, logged, folded into the state, then told to listeners.

Two folds are kept current here: ``state`` (what the team looks like, for every view) and ``work`` (what each
agent continues from: its conversation, paused, cancelled, held — core/truth/workstate.py), which a resume folds
from the log with the same function.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from typing import TypeVar

from .events import AgentHeld, EventBase
from .log import LogWriteError, SessionLog
from .secrets import redacted_line, secrets_from_env
from .state import Change, Reducer, TeamState
from .workstate import WorkState, step

Listener = Callable[[EventBase], None]
ChangeListener = Callable[[Change], None]
_T = TypeVar("_T")


def _tell(listeners: list[Callable[[_T], None]], what: _T) -> None:
    for listener in list(listeners):
        try:
            listener(what)
        except Exception as exc:  # a broken view must not stop the team: drop it and say so once
            listeners.remove(listener)
            print(f"partytui: a view stopped following the session: {type(exc).__name__}: {exc}", file=sys.stderr)


class Session:
    """``emit`` is synchronous: the log line, the state and every listener see an event before the next."""

    def __init__(
        self,
        state: TeamState | None = None,
        log: SessionLog | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._reducer = Reducer(state)
        self.work = WorkState()
        self.log = log
        self.clock = clock
        self.secrets = secrets_from_env()
        self._listeners: list[Listener] = []
        self._change_listeners: list[ChangeListener] = []
        self._waiters: list[tuple[Callable[[TeamState], bool], asyncio.Future[None]]] = []
        # set once the log cannot be written (a full disk): the run must stop, the screen may go on
        self.log_error: LogWriteError | None = None
        self.on_log_error: Callable[[LogWriteError], None] | None = None
        self.on_held: Callable[[], None] | None = None

    @property
    def state(self) -> TeamState:
        """The state after the last event (a value: it stays as it is when more events come)."""
        return self._reducer.state

    @state.setter
    def state(self, state: TeamState) -> None:
        """Go on from ``state`` (a replay seeking back shows an earlier one)."""
        self._reducer = Reducer(state)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def subscribe_changes(self, listener: ChangeListener) -> Callable[[], None]:
        """Like :meth:`subscribe`, but told what each event changed (the reducer's answer), for views."""
        self._change_listeners.append(listener)
        return lambda: self._change_listeners.remove(listener)

    def emit(self, event: EventBase) -> EventBase:
        event.seq = self._reducer.last_seq + 1
        event.ts = self.clock()
        # the agent's working state takes the event as the agent was given it; what is logged and shown is redacted
        self.work = step(self.work, event)
        # secrets are cut here, once, field by field, so the log, the screen, exports and replays never hold them
        event, line = redacted_line(event, self.secrets)
        if self.log is not None and self.log_error is None:
            try:
                self.log.append(event, line)
            except LogWriteError as exc:
                # what is on disk stays readable (at worst a torn last line); nothing more is written
                self.log_error = exc
                if self.on_log_error is not None:
                    self.on_log_error(exc)
        self._publish(event)
        return event

    def _publish(self, event: EventBase) -> None:
        """Fold a stamped event into the state and tell every listener and waiter."""
        change = self._reducer.apply(event)
        _tell(self._listeners, event)
        _tell(self._change_listeners, change)
        if self._waiters:
            self._wake_waiters()

    @property
    def held(self) -> dict[str, str]:
        """Agents whose (scripted) model call waits for a condition of the team's state; while every other
        agent is idle such a wait can never end, and the team must see that to stop."""
        return self.work.held

    async def hold(self, agent: str, why: str, predicate: Callable[[TeamState], bool]) -> None:
        """``wait_until`` on behalf of an agent, known to the team as held (not working) meanwhile."""
        if predicate(self.state):
            return
        self.emit(AgentHeld(agent=agent, why=why))
        if self.on_held is not None:
            self.on_held()
        try:
            await self.wait_until(predicate)
        finally:
            self.emit(AgentHeld(agent=agent, why=""))

    async def wait_until(self, predicate: Callable[[TeamState], bool]) -> None:
        """Return once ``predicate(state)`` holds; checked after every event."""
        if predicate(self.state):
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (predicate, future)
        self._waiters.append(entry)
        try:
            await future
        finally:
            if entry in self._waiters:
                self._waiters.remove(entry)

    def _wake_waiters(self) -> None:
        for predicate, future in list(self._waiters):
            if not future.done() and predicate(self.state):
                future.set_result(None)

    def flush(self) -> None:
        if self.log is not None and self.log_error is None:
            try:
                self.log.flush()
            except LogWriteError as exc:
                self.log_error = exc

    def close(self) -> None:
        if self.log is not None:
            try:
                self.log.close()
            except (LogWriteError, OSError) as exc:
                self.log_error = self.log_error or LogWriteError(str(exc))
