"""The session log (append, tolerant read, redaction) and the reducer that folds it."""

from __future__ import annotations

import json

import pytest

from partytui.core.truth import events as ev
from partytui.core.truth.log import LogError, SessionLog, read_log, repair_torn_tail
from partytui.core.truth.session import Session
from partytui.core.truth.state import fold
from partytui.core.views.summary import summarize


def _clock():
    t = [1000.0]

    def tick() -> float:
        t[0] += 1.0
        return t[0]

    return tick


def _sample(session: Session) -> None:
    session.emit(
        ev.SessionStarted(
            session_id="s1", goal="g", agents=[ev.AgentInfo(name="lead", model="claude-sonnet-5-5", lead=True)]
        )
    )
    session.emit(ev.PhaseChanged(phase="BRAINSTORM"))
    session.emit(ev.TurnStarted(agent="lead", turn=1, model="claude-sonnet-5-5"))
    session.emit(ev.TextDelta(agent="lead", text="Hello "))
    session.emit(ev.TextDelta(agent="lead", text="team"))
    session.emit(ev.TurnEnded(agent="lead", turn=1, usage=ev.Usage(input_tokens=100, output_tokens=20), cost_usd=0.001))
    session.emit(ev.TaskCreated(agent="lead", task=ev.Task(id="1", subject="Write it")))
    session.emit(
        ev.TaskUpdated(agent="lead", task=ev.Task(id="1", subject="Write it", status="in_progress", owner="lead"))
    )
    session.emit(ev.PhaseChanged(phase="PLAN", previous="BRAINSTORM"))


def test_log_round_trip_folds_to_the_same_state(tmp_path):
    path = tmp_path / "s.jsonl"
    live = Session(log=SessionLog(path), clock=_clock())
    _sample(live)
    live.close()
    contents = read_log(path)
    assert not contents.torn_tail
    assert [e.seq for e in contents.events] == list(range(1, 10))
    assert summarize(fold(contents.events)) == summarize(live.state)
    replayed = fold(contents.events)
    assert replayed.agents["lead"].transcript[0].text == "Hello team"
    assert [p.name for p in replayed.phases] == ["BRAINSTORM", "PLAN"]
    assert replayed.phases[0].ended_at == replayed.phases[1].started_at


def test_a_new_turn_starts_a_new_transcript_entry():
    s = Session(clock=_clock())
    _sample(s)
    s.emit(ev.TurnStarted(agent="lead", turn=2))
    s.emit(ev.TextDelta(agent="lead", text="second"))
    texts = [e.text for e in s.state.agents["lead"].transcript if e.kind == "text"]
    assert texts == ["Hello team", "second"]


def test_torn_last_line_is_dropped_and_repaired(tmp_path):
    path = tmp_path / "s.jsonl"
    log = Session(log=SessionLog(path), clock=_clock())
    _sample(log)
    log.close()
    with open(path, "a") as handle:
        handle.write('{"v":1,"seq":10,"type":"text.de')
    contents = read_log(path)
    assert contents.torn_tail and len(contents.events) == 9
    repair_torn_tail(path)
    assert path.read_text().endswith("\n")
    assert len(read_log(path).events) == 9


@pytest.mark.parametrize(
    "bad, message",
    [
        ("this is not json", "not a partytui event"),
        ('{"v": 99, "type": "phase.changed", "phase": "PLAN"}', "newer than this partytui reads"),
        ('{"v": 1, "type": "phase.changed"}', "bad phase.changed event"),
        ("[1, 2]", "not a partytui event"),
    ],
)
def test_bad_line_in_the_middle_names_file_and_line(tmp_path, bad, message):
    path = tmp_path / "s.jsonl"
    good = json.dumps({"v": 1, "seq": 1, "ts": 1.0, "type": "phase.changed", "phase": "PLAN"})
    path.write_text(f"{good}\n{bad}\n{good}\n")
    with pytest.raises(LogError) as info:
        read_log(path)
    assert f"{path}:2:" in str(info.value) and message in str(info.value)


def test_unknown_event_types_pass_through(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps({"v": 1, "seq": 1, "type": "future.thing", "x": 1}) + "\n")
    (event,) = read_log(path).events
    assert event.type == "future.thing"
    fold([event])  # the reducer ignores it


def test_secrets_never_reach_the_log(tmp_path, monkeypatch):
    canary = "sk-ant-api03-CANARY0123456789abcdef"
    monkeypatch.setenv("ANTHROPIC_API_KEY", canary)
    monkeypatch.setenv("MY_SERVICE_TOKEN", "tok-0123456789-canary")
    path = tmp_path / "s.jsonl"
    s = Session(log=SessionLog(path), clock=_clock())
    s.emit(ev.ToolResult(agent="a", tool_use_id="t", tool="Bash", output=f"key={canary} other=tok-0123456789-canary"))
    s.emit(ev.TextDelta(agent="a", text="Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345"))
    s.close()
    text = path.read_text()
    assert canary not in text and "tok-0123456789-canary" not in text and "abcdefghijklmnopqrstuvwxyz012345" not in text
    assert "[redacted]" in text


def test_approvals_are_on_disk_before_close(tmp_path):
    path = tmp_path / "s.jsonl"
    s = Session(log=SessionLog(path), clock=_clock())
    s.emit(ev.TextDelta(agent="a", text="buffered"))
    s.emit(ev.ApprovalRequested(agent="a", request=ev.ApprovalRequest(id=1, kind="design", agent="a")))
    # no close: a crash right now must still leave the request (and what came before it) in the file
    types = [json.loads(line)["type"] for line in path.read_text().splitlines()]
    assert types == ["text.delta", "approval.requested"]


def test_unknown_cost_stays_unknown():
    s = Session(clock=_clock())
    _sample(s)
    s.emit(ev.TurnEnded(agent="lead", turn=2, usage=ev.Usage(input_tokens=5), cost_usd=None))
    data = summarize(s.state)
    assert data["agents"][0]["cost_usd"] is None
    assert data["agents"][0]["input_tokens"] == 105


def test_summary_shape():
    s = Session(clock=_clock())
    _sample(s)
    s.emit(ev.ApprovalRequested(agent="lead", request=ev.ApprovalRequest(id=1, kind="question", agent="lead")))
    data = summarize(s.state)
    assert data["status"] == "running"
    assert data["tasks"] == [
        {"id": "1", "subject": "Write it", "status": "in_progress", "owner": "lead", "blocked_by": []}
    ]
    assert data["approvals"][0]["decision"] == "pending" and data["approvals"][0]["kind"] == "question"
    assert s.state.agents["lead"].state == "waiting"
    assert s.state.agents["lead"].reason == "approval #1 (question)"


def test_a_retry_discards_the_failed_attempts_partial_text():
    s = Session(clock=_clock())
    _sample(s)
    s.emit(ev.TurnStarted(agent="lead", turn=2))
    s.emit(ev.TextDelta(agent="lead", text="Half a sent"))
    s.emit(ev.TurnRetry(agent="lead", attempt=2, max_attempts=5, delay_s=1.0, reason="overloaded"))
    s.emit(ev.TextDelta(agent="lead", text="Half a sentence, whole."))
    kinds = [(e.kind, e.text) for e in s.state.agents["lead"].transcript]
    assert kinds[-2:] == [("retry", "retrying in 1s (overloaded), attempt 2/5"), ("text", "Half a sentence, whole.")]
    assert kinds[0] == ("text", "Hello team")
