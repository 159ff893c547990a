"""The folded state is a value: what a view or a replay checkpoint holds never changes, and cannot be changed."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from pydantic import BaseModel

from partytui.core.truth import events as ev
from partytui.core.truth.frozen import FrozenDict, PVector
from partytui.core.truth.session import Session
from partytui.core.truth.state import TeamState, fold
from partytui.replay.player import ReplayPlayer


def every_kind_of_event() -> list[ev.EventBase]:
    """A session that gives every field of the state something to hold, twice over (so the second half
    changes what the first half made)."""
    lead, dev = ev.AgentInfo(name="lead", model="unknown", lead=True), ev.AgentInfo(name="dev", model="m")
    out: list[ev.EventBase] = [ev.SessionStarted(session_id="s", goal="g", agents=[lead, dev], load_warnings=["w1"])]
    for round_ in (1, 2):
        n = str(round_)
        out += [
            ev.PhaseChanged(phase=ev.PHASES[round_ - 1]),
            ev.AgentJoined(info=ev.AgentInfo(name="dev", model=f"m{n}")),
            ev.TurnStarted(agent="lead", turn=round_, model="claude", cleared=round_),
            ev.ThinkingDelta(agent="lead", text="hmm "),
            ev.TextDelta(agent="lead", text="Hello "),
            ev.TextDelta(agent="lead", text="team"),
            ev.ToolCalled(agent="lead", tool_use_id=f"t{n}", tool="Bash", input={"command": "ls"}),
            ev.ToolResult(agent="lead", tool_use_id=f"t{n}", tool="Bash", output="first"),
            ev.ToolResult(agent="lead", tool_use_id="t1", tool="Bash", output=f"again {n}", ok=False),
            ev.TodoUpdated(agent="dev", todos=[ev.Todo(content=f"todo {n}")]),
            ev.TaskCreated(agent="lead", tool_use_id=f"tc{n}", task=ev.Task(id=n, subject=f"task {n}")),
            ev.TaskUpdated(agent="dev", task=ev.Task(id="1", subject="task 1", status="in_progress", owner="dev")),
            ev.MessageSent(agent="lead", recipient="dev", content=f"hi {n}", id=f"m{n}"),
            ev.MessageSent(agent="dev", recipient="all", content=f"to all {n}"),
            ev.UserMessage(agent="dev", text=f"from you {n}"),
            ev.ApprovalRequested(agent="dev", request=ev.ApprovalRequest(id=round_, kind="question", agent="dev")),
            ev.ApprovalAnswered(agent="dev", id=round_, decision="answered", answers=[f"yes {n}"], note="ok"),
            ev.AgentState(agent="dev", state="running"),
            ev.FileChanged(agent="dev", path=f"f{n}.py"),
            ev.FileChanged(agent="dev", path="f1.py", action="delete" if round_ == 2 else "edit"),
            ev.ChecklistUpdated(agent="dev", path="list.md", items=[ev.ChecklistItem(text=f"item {n}")]),
            ev.DocumentChanged(agent="dev" if round_ == 1 else "lead", path="PLAN.md", content=f"v{n}", size=2),
            ev.DocumentRead(agent="lead", path="PLAN.md"),
            ev.MarkerFound(agent="dev", path=f"m{n}.done", marker=n, task_id="1"),
            ev.ErrorEvent(agent="dev", message=f"boom {n}"),
            ev.TurnStarted(agent="dev", turn=round_),
            ev.TextDelta(agent="dev", text="partial"),
            ev.TurnRetry(agent="dev", attempt=1, max_attempts=3, delay_s=1, reason="overloaded"),
            ev.TurnEnded(agent="lead", turn=round_, usage=ev.Usage(input_tokens=10), cost_usd=0.01),
            ev.SessionEnded(status="done") if round_ == 1 else ev.SessionResumed(load_warnings=["w2"]),
        ]
    for i, event in enumerate(out):
        event.seq, event.ts = i + 1, 1000.0 + i
    return out


def dump(value: Any) -> Any:
    """Everything a state holds, as plain data, found by walking it (a field added later is walked too)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: dump(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, dict):
        return {k: dump(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, PVector)):
        return [dump(v) for v in value]
    return value


EVENTS = every_kind_of_event()
HALF = len(EVENTS) // 2


def test_a_checkpoint_taken_mid_run_stays_as_it_was_while_the_fold_goes_on() -> None:
    player = ReplayPlayer(EVENTS, checkpoint_every=HALF)
    expected = dump(fold(EVENTS[:HALF]))
    player.seek(HALF)  # the checkpoint at HALF is taken here
    held = player.state
    player.seek(len(EVENTS))  # folds on from it
    assert dump(held) == expected
    # and going back restores the checkpoint as it was taken
    assert dump(player.seek(HALF)) == expected
    assert dump(player.seek(HALF + 3)) == dump(fold(EVENTS[: HALF + 3]))


def test_a_state_a_view_holds_stays_as_it_was_while_the_session_goes_on() -> None:
    session = Session(clock=lambda: 1000.0)
    for event in EVENTS[:HALF]:
        session.emit(event.model_copy())
    held = session.state
    before = dump(held)
    for event in EVENTS[HALF:]:
        session.emit(event.model_copy())
    assert dump(held) == before
    assert session.state is not held and dump(session.state) != before


def test_folding_never_changes_the_events() -> None:
    before = [e.model_dump() for e in EVENTS]
    fold(EVENTS)
    assert [e.model_dump() for e in EVENTS] == before


def _records_and_collections(value: Any, found: list[Any]) -> None:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        found.append(value)
        for f in dataclasses.fields(value):
            _records_and_collections(getattr(value, f.name), found)
    elif isinstance(value, (dict, list, PVector)):
        found.append(value)
        for item in value.values() if isinstance(value, dict) else value:
            _records_and_collections(item, found)


def test_every_record_and_collection_of_the_state_is_read_only() -> None:
    state = fold(EVENTS)
    found: list[Any] = []
    _records_and_collections(state, found)
    kinds = {type(x).__name__ for x in found}
    assert {"TeamState", "AgentView", "Entry", "TaskView", "ApprovalView", "DocumentView"} <= kinds
    for value in found:
        if dataclasses.is_dataclass(value):
            assert type(value).__dataclass_params__.frozen, type(value).__name__  # type: ignore[attr-defined]
        else:
            assert isinstance(value, (FrozenDict, PVector)), f"a {type(value).__name__} in the state can be changed"


def test_a_view_that_assigns_to_the_state_gets_an_error() -> None:
    state = fold(EVENTS)
    lead = state.agents["lead"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.status = "done"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        lead.state = "paused"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        lead.transcript[-1].ok = True  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.tasks["1"].history = []  # type: ignore[misc]
    with pytest.raises(TypeError):
        state.agents["ghost"] = lead  # type: ignore[index]
    with pytest.raises(TypeError):
        del state.files["f2.py"]  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        state.documents["PLAN.md"].reads["dev"] = 0.0  # type: ignore[index]
    with pytest.raises(TypeError):
        lead.transcript[0] = lead.transcript[1]  # type: ignore[index]
    with pytest.raises(TypeError):
        state.approvals.pop(1)
    assert dump(state) == dump(fold(EVENTS))  # nothing got through


def test_a_pure_apply_leaves_the_state_it_started_from() -> None:
    start = fold(EVENTS[:HALF])
    before = dump(start)
    after = start.apply_all(EVENTS[HALF:])
    assert dump(start) == before
    assert dump(after) == dump(fold(EVENTS))
    one = start.apply(EVENTS[HALF])
    assert dump(start) == before and one.last_seq == EVENTS[HALF].seq
    assert isinstance(TeamState().apply(EVENTS[0]), TeamState)


def test_every_state_handed_out_stays_as_it_was_even_between_two_deltas() -> None:
    # the reducer grows a streamed entry in place only while nobody holds it: hold the state after every
    # event (deltas of one block included), then check each against a fresh fold
    session = Session(clock=iter([e.ts for e in EVENTS]).__next__)  # stamped as EVENTS are
    held = []
    for event in EVENTS:
        session.emit(event.model_copy())
        held.append(session.state)
    for n, state in enumerate(held, 1):
        assert dump(state) == dump(fold(EVENTS[:n])), n
    lead = held[5].agents["lead"]  # after "Hello ", before "team"
    assert [e.text for e in lead.transcript if e.kind == "text"] == ["Hello "]


def test_a_delta_after_another_event_leaves_the_entry_a_view_holds() -> None:
    session = Session(clock=lambda: 1000.0)
    session.emit(
        ev.SessionStarted(session_id="s", agents=[ev.AgentInfo(name="a", model="m"), ev.AgentInfo(name="b", model="m")])
    )
    session.emit(ev.TurnStarted(agent="a", turn=1))
    session.emit(ev.TextDelta(agent="a", text="one "))
    held = session.state
    session.emit(ev.AgentState(agent="b", state="running"))  # the reducer's own copy of the state again
    session.emit(ev.TextDelta(agent="a", text="two"))
    session.emit(ev.TextDelta(agent="a", text=" three"))
    assert held.agents["a"].transcript[-1].text == "one "
    assert session.state.agents["a"].transcript[-1].text == "one two three"
