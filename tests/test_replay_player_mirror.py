"""Seeking back never lets later mirror events (documents, checklists, markers) leak into an earlier state."""

from __future__ import annotations

from partytui.core.truth import events as ev
from partytui.core.truth.state import fold
from partytui.core.views.summary import summarize
from partytui.replay.player import ReplayPlayer


def mirror_events() -> list[ev.EventBase]:
    events: list[ev.EventBase] = [
        ev.SessionStarted(session_id="s"),
        ev.DocumentChanged(path="PLAN.md", content="one", size=3),
        ev.ChecklistUpdated(agent="qa", path="qa-tasks.md", items=[ev.ChecklistItem(text="a")]),
        ev.DocumentChanged(agent="lead", path="PLAN.md", content="two", size=3),
        ev.DocumentRead(agent="qa", path="PLAN.md"),
        ev.MarkerFound(agent="qa", path=".orchestrator/complete/t1.done", marker="t1"),
        ev.ChecklistUpdated(agent="qa", path="qa-tasks.md", items=[ev.ChecklistItem(text="a", done=True)]),
    ]
    for i, event in enumerate(events, 1):
        event.seq, event.ts = i, 100.0 + i
    return events


def mirror_view(state):  # type: ignore[no-untyped-def]
    docs = {p: (d.content, d.changes, dict(d.reads)) for p, d in state.documents.items()}
    lists = {p: [i.done for i in c.items] for p, c in state.checklists.items()}
    return docs, lists, sorted(state.markers), summarize(state)


def test_seeks_back_and_forth_match_a_fresh_fold_of_the_mirror_events() -> None:
    events = mirror_events()
    player = ReplayPlayer(events, checkpoint_every=2)
    player.prepare(freeze_gc=False)
    for target in [len(events), 2, 5, 3, 1, len(events), 4, 2]:
        player.seek(target)
        assert mirror_view(player.state) == mirror_view(fold(events[:target])), target
