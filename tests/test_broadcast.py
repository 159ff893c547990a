"""A message to everyone reaches every teammate, and every view of the session agrees: the live fold, the fold
a resume starts from, the agent a resume continues, and a replay. Who it reached is resolved once, when it
is sent, and carried by the event; an older log without that list resolves by the same rule."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from engine_fakes import FakeProvider, call, make_team, member, text
from partytui.core.team.approvals import ApprovalBroker
from partytui.core.team.orchestrator import Team
from partytui.core.truth import events as ev
from partytui.core.truth.log import read_log
from partytui.core.truth.session import Session
from partytui.core.truth.state import Reducer, TeamState, fold
from partytui.replay.player import ReplayPlayer
from partytui.replay.source import ReplaySource
from partytui.tui import make_app

TEAM = ("lead", "dev", "qa")


def _received(state: TeamState, agent: str) -> list[tuple[str | None, str]]:
    return [(e.peer, e.text) for e in state.agents[agent].transcript if e.kind == "message_in"]


def _every_recipient_has_it(state: TeamState) -> None:
    for name in ("dev", "qa"):
        assert _received(state, name) == [("lead", "kickoff")], name
    assert _received(state, "lead") == []  # the sender is no recipient of its own broadcast


async def _broadcast_run(tmp_path: Path, recipient: str) -> tuple[Session, Path]:
    log = tmp_path / "s.jsonl"
    scripts = {
        "lead": [[call("SendMessage", recipient=recipient, content="kickoff")], [call("EndRun", status="failed")]],
        "dev": [[text("ok")]],
        "qa": [[text("ok")]],
    }
    team, _ = make_team(tmp_path, scripts, [member("lead", lead=True), member("dev"), member("qa")], log=log)
    team.start_session("s1", mode="scripted", scenario=None)
    await asyncio.wait_for(team.run(), 60)
    team.session.close()
    return team.session, log


@pytest.mark.parametrize("recipient", ["everyone", "*", "all", "team"])
async def test_a_broadcast_is_in_every_recipients_transcript_live_after_resume_and_in_replay(
    tmp_path: Path, recipient: str
) -> None:
    session, log = await _broadcast_run(tmp_path, recipient)
    _every_recipient_has_it(session.state)  # live
    events = read_log(log).events
    _every_recipient_has_it(fold(events))  # what `partytui resume` folds before it continues
    player = ReplayPlayer(events)
    player.seek(len(events))
    _every_recipient_has_it(player.state)  # replay
    player.seek(0)
    player.step(len(events))
    _every_recipient_has_it(player.state)
    [sent] = [e for e in events if isinstance(e, ev.MessageSent)]
    assert sent.recipient == recipient and sent.recipients == ["dev", "qa"]  # resolved once, when sent


async def test_the_views_are_told_every_recipient_of_a_broadcast(tmp_path: Path) -> None:
    reducer = Reducer(fold([ev.SessionStarted(session_id="s", agents=[ev.AgentInfo(name=n, model="m") for n in TEAM])]))
    change = reducer.apply(ev.MessageSent(agent="lead", recipient="everyone", recipients=["dev", "qa"], content="hi"))
    assert set(change.agents) == set(TEAM) and change.structural
    delta = reducer.apply(ev.TextDelta(agent="dev", text="x"))
    assert delta.agents == ("dev",) and not delta.structural


async def test_an_older_log_without_the_recipients_resolves_them_by_the_same_rule(tmp_path: Path) -> None:
    _, log = await _broadcast_run(tmp_path, "everyone")
    old = tmp_path / "old.jsonl"
    lines = []
    for line in log.read_text().splitlines():
        data = json.loads(line)
        if data["type"] == "message.sent":
            del data["recipients"]  # as partytui wrote it before the event carried them
        lines.append(json.dumps(data))
    old.write_text("\n".join(lines) + "\n")
    events = read_log(old).events
    [sent] = [e for e in events if isinstance(e, ev.MessageSent)]
    assert sent.recipients is None
    _every_recipient_has_it(fold(events))
    player = ReplayPlayer(events)
    player.seek(len(events))
    _every_recipient_has_it(player.state)


async def test_a_broadcast_not_yet_read_when_partytui_stopped_is_read_after_resume(tmp_path: Path) -> None:
    _, log = await _broadcast_run(tmp_path, "everyone")
    events = read_log(log).events
    cut = next(i for i, e in enumerate(events) if isinstance(e, ev.MessageSent)) + 1
    crashed = events[:cut]  # stopped right after the message was logged, before anyone read it
    scripts = {"lead": [[call("EndRun", status="failed")]], "dev": [[text("ok")]], "qa": [[text("ok")]]}
    resumed = Session(state=fold(crashed))
    members = [member("lead", lead=True), member("dev"), member("qa")]
    team = Team(resumed, ApprovalBroker(resumed), FakeProvider(scripts), members, workspace=tmp_path / "ws", goal="g")
    team.continue_session(crashed)
    for name in ("dev", "qa"):
        runner = team.runners[name]
        read = [
            b.get("text") for m in runner.messages if m["role"] == "user" for b in m["content"] if isinstance(b, dict)
        ]
        assert (read + runner.pending_inputs).count("Message from lead: kickoff") == 1, name
    _every_recipient_has_it(team.session.state)


async def _until(pilot, condition, what: str, steps: int = 500) -> None:  # type: ignore[no-untyped-def]
    for _ in range(steps):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never happened: {what}")


def _panes_show_it(app) -> bool:  # type: ignore[no-untyped-def]
    """Each teammate's pane holds the message as one it received from the lead."""
    panes = app.main.panes

    def shown(name: str) -> bool:
        items = panes[name].transcript.items if name in panes else []
        return any(i.entry.kind == "message_in" and i.entry.text == "kickoff" for i in items)

    return shown("dev") and shown("qa")


async def test_every_teammates_pane_shows_a_broadcast_live_and_in_replay(tmp_path: Path) -> None:
    _, log = await _broadcast_run(tmp_path, "everyone")
    events = read_log(log).events
    live = Session(state=fold(events[:1]), clock=lambda: events[-1].ts)
    app = make_app(live, clock=lambda: events[-1].ts)
    async with app.run_test(size=(160, 48)) as pilot:
        await _until(pilot, lambda: app.main.is_mounted and bool(app.main.panes), "the main screen")
        for event in events[1:]:
            live.emit(event.model_copy())  # as the team emits them, one by one
        await _until(pilot, lambda: _panes_show_it(app), "every teammate's pane shows the broadcast")
    source = ReplaySource.of_events(events, speed=None, freeze_gc=False)
    replay = make_app(source)
    async with replay.run_test(size=(160, 48)) as pilot:
        await _until(pilot, lambda: source.player.at_end and _panes_show_it(replay), "the replay shows it too")
