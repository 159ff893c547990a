"""Views attached to a running team over its socket: they see what it does and answer through its broker."""

from __future__ import annotations

import asyncio
import json

import pytest

from engine_fakes import call, make_team, member, results
from partytui.core.attach import wire
from partytui.core.attach.attached import AttachedSource, RemoteBroker, RemoteController, TeamLink
from partytui.core.attach.running import RunLock
from partytui.core.attach.team_socket import TeamSocket
from partytui.core.truth.log import read_log

DESIGN = [call("RequestApproval", kind="design", title="D", body="# design")]
ASKS_THEN_FAILS = [DESIGN, [call("EndRun", status="failed", summary="over")]]  # the lead's turns


class Served:
    """A team running in this process behind its socket, as a detached team runs."""

    def __init__(self, team, door, log, lock=None):
        self.team, self.door, self.log, self.lock = team, door, log, lock
        self.run = None

    def start(self):
        self.run = asyncio.create_task(self.team.run())
        return self

    async def ended(self):
        """The run's exit code, once it ended and the socket closed."""
        code = await asyncio.wait_for(self.run, 10)
        await self.door.close(self.team.status, code)
        if self.lock is not None:
            self.lock.release()
        return code


async def _served_team(root, lead=ASKS_THEN_FAILS, *, log=None, locked=False):
    """A one-agent team whose log is ``log`` (default: root/sessions/s1.jsonl), its socket open; not yet run."""
    if log is None:
        log = root / "sessions" / "s1.jsonl"
        log.parent.mkdir()
    team, _ = make_team(root, {"lead": lead}, [member("lead", lead=True)], log=log)
    team.broker.human_attached = True
    lock = None
    if locked:  # listed among the sessions running detached
        lock = RunLock(log, detached=True)
        lock.acquire()
    door = TeamSocket(team, log)
    await door.start()
    team.start_session(log.stem, mode="scripted", scenario=None)
    return Served(team, door, log, lock)


async def _attached(log, role="control"):
    news: list[tuple[str, str]] = []
    link = TeamLink(log, role=role, on_news=lambda kind, text: news.append((kind, text)))
    reader = await link.connect()
    follower = asyncio.create_task(link.run(reader))
    await asyncio.wait_for(link.caught_up.wait(), 10)
    return link, follower, news


def _armed_modal(app) -> bool:
    """An approval modal is on top and takes answers (it has been on screen for its arming delay)."""
    return type(app.screen).__name__ == "ApprovalModal" and bool(getattr(app.screen, "armed", False))


async def _until(predicate, timeout=None, pilot=None):
    """Wait for ``predicate`` (bounded); with a ``pilot``, its app runs meanwhile."""

    async def poll():
        while not predicate():
            await (pilot.pause(0.05) if pilot is not None else asyncio.sleep(0.01))

    await asyncio.wait_for(poll(), timeout or (30 if pilot is not None else 10))


async def test_two_views_answer_the_same_request_the_first_stands(tmp_path):
    served = (await _served_team(tmp_path)).start()
    team, log = served.team, served.log
    one, f1, _news1 = await _attached(log)
    two, f2, news2 = await _attached(log)
    # both views see the request, folded from the events they were sent
    await _until(lambda: one.session.state.pending_approvals and two.session.state.pending_approvals)
    request_id = one.session.state.pending_approvals[0].request.id
    assert RemoteBroker(one).answer(request_id, "approved", "first")
    assert RemoteBroker(two).answer(request_id, "rejected", "second")
    await _until(lambda: any(kind == "refused" for kind, _ in news2))
    assert await served.ended() == 1
    assert await asyncio.wait_for(f1, 10) == 1 and await asyncio.wait_for(f2, 10) == 1
    answered = [e for e in read_log(log).events if e.type == "approval.answered"]
    assert [(e.id, e.decision, e.note) for e in answered] == [(request_id, "approved", "first")]
    assert results(team, "lead")[0] == ("RequestApproval", True, "APPROVED. Note from the person: first")
    assert "already answered" in next(text for kind, text in news2 if kind == "refused")
    # each view's state is the log's fold: the answer shows in both, the run's end too
    for link in (one, two):
        assert link.session.state.approvals[request_id].decision == "approved"
        assert link.session.state.last_seq == team.session.state.last_seq
        assert link.ended["status"] == "failed"


async def test_a_read_only_view_cannot_answer_or_control(tmp_path):
    served = (await _served_team(tmp_path)).start()
    team, log = served.team, served.log
    watcher, follower, news = await _attached(log, role="read-only")
    await _until(lambda: watcher.session.state.pending_approvals)
    request_id = watcher.session.state.pending_approvals[0].request.id
    assert RemoteBroker(watcher).answer(request_id, "approved")  # sent; the team refuses it
    RemoteController(watcher).pause("lead")
    RemoteController(watcher).stop()
    await _until(lambda: sum(kind == "refused" for kind, _ in news) == 3)
    assert all("only watches" in text or "read-only" in text for kind, text in news if kind == "refused")
    assert team.session.state.approvals[request_id].pending and not team.is_paused("lead") and not team.finished
    assert not [e for e in read_log(log).events if e.type == "approval.answered"]
    # a view that may answer does, and the watcher sees it
    assert team.broker.answer(request_id, "approved")
    assert await served.ended() == 1
    await asyncio.wait_for(follower, 10)
    assert watcher.session.state.approvals[request_id].decision == "approved"


async def test_a_view_catches_up_after_losing_the_team_and_nothing_is_folded_twice(tmp_path):
    served = (await _served_team(tmp_path)).start()
    team, log = served.team, served.log
    link, follower, news = await _attached(log)
    await _until(lambda: link.session.state.pending_approvals)
    seen: list[int] = []
    link.session.subscribe(lambda e: seen.append(e.seq))
    for viewer in list(served.door._viewers):
        viewer.writer.close()  # the connection drops; the team goes on
    await _until(lambda: any(kind == "lost" for kind, _ in news))
    request_id = team.session.state.pending_approvals[0].request.id
    team.broker.answer(request_id, "approved")  # while the view is away
    await _until(lambda: any(kind == "back" for kind, _ in news))
    assert await served.ended() == 1
    await asyncio.wait_for(follower, 10)
    assert seen == sorted(set(seen)) and seen[-1] == team.session.state.last_seq
    assert link.session.state.approvals[request_id].decision == "approved"


async def test_stop_ends_the_run_cancelled_and_agents_keep_their_places(tmp_path):
    served = (await _served_team(tmp_path, [DESIGN])).start()
    link, follower, _ = await _attached(served.log)
    await _until(lambda: link.session.state.pending_approvals)
    assert RemoteController(link).stop()
    assert await served.ended() == 1
    await asyncio.wait_for(follower, 10)
    ended = read_log(served.log).events[-1]
    assert (ended.type, ended.status) == ("session.ended", "cancelled") and "stopped by the person" in ended.reason
    assert link.session.state.agents["lead"].state != "cancelled"  # resume carries on from here
    assert link.session.state.pending_approvals  # still asked after a resume


async def test_bad_lines_are_refused_and_change_nothing(tmp_path):
    served = await _served_team(tmp_path, [DESIGN])
    door = served.door
    assert door.path.stat().st_mode & 0o777 == 0o600  # only its owner may watch or answer
    with wire.reachable(door.path) as name:
        reader, writer = await asyncio.open_unix_connection(name)
    writer.write(b'{"op":"answer","id":1,"decision":"approved"}\n')  # no hello first
    assert b"expected hello" in await reader.readline()
    with wire.reachable(door.path) as name:
        reader, writer = await asyncio.open_unix_connection(name)
    writer.write(wire.message("hello"))
    lines = []
    while not (lines and lines[-1].startswith(b'{"op":"caught_up"')):
        lines.append(await reader.readline())
    for bad in (b"not json\n", b'{"op":"answer","id":"x","decision":"maybe"}\n', b'{"op":"pause","agent":"nobody"}\n'):
        writer.write(bad)
        reply = json.loads(await reader.readline())
        assert reply["op"] == "result" and not reply["ok"], reply
    writer.close()
    await door.close("cancelled", 1)
    assert not door.path.exists()


def test_a_session_runs_in_one_process_at_a_time(tmp_path):
    from partytui.core.attach.running import AlreadyRunning, running_team

    log = tmp_path / "s.jsonl"
    first = RunLock(log, detached=True)
    first.acquire()
    team = running_team(log)
    assert team is not None and team.detached
    with pytest.raises(AlreadyRunning, match="attach with: partytui attach s"):
        RunLock(log, detached=False).acquire()
    first.release()
    assert running_team(log) is None


async def test_an_attached_app_answers_through_the_team_and_q_leaves_it_running(tmp_path):
    from partytui.tui.app import make_app

    served = (await _served_team(tmp_path)).start()
    team, log = served.team, served.log
    watcher_link = TeamLink(log, role="read-only")
    watcher = make_app(AttachedSource(watcher_link, read_only=True))
    async with watcher.run_test(size=(120, 40)) as pilot:
        await _until(lambda: watcher_link.session.state.pending_approvals, pilot=pilot)
        await pilot.press("a", "r", "S")  # no modal, nothing sent: a read-only view answers nothing
        assert team.session.state.pending_approvals and not team.finished
        # nor does its footer offer what it cannot do
        offered = {key for key, b in watcher.screen.active_bindings.items() if b.binding.show}
        assert not offered & {"p", "m", "x"} and {"q", "i", "t"} <= offered
        app = make_app(AttachedSource(TeamLink(log)))
        async with app.run_test(size=(120, 40)) as second:
            # armed: the request was on screen for its arming delay before it is answered
            await _until(lambda: _armed_modal(app), pilot=second)
            await second.press("a")
            await _until(lambda: not team.session.state.pending_approvals, pilot=second)
            offered = {key for key, b in app.screen.active_bindings.items() if b.binding.show}
            assert {"p", "m", "x"} <= offered  # a view that controls the team offers its controls
            await second.press("q")  # detaches at once
        assert app.return_code == 0
        await _until(lambda: watcher_link.session.state.approvals[1].decision == "approved", pilot=pilot)
    assert await served.ended() == 1
    answered = [e for e in read_log(log).events if e.type == "approval.answered"]
    assert [(e.id, e.decision, e.by) for e in answered] == [(1, "approved", "human")]


async def test_a_view_started_on_the_list_of_running_sessions_attaches_to_the_one_picked(tmp_path):
    from partytui.tui.app import make_app
    from partytui.tui.screens.pick_session import SessionPicker

    folder = tmp_path / "sessions"
    folder.mkdir()
    source = AttachedSource(None, folder=folder)
    app = make_app(source)
    teams = {}
    async with app.run_test(size=(100, 30)) as pilot:
        picker = app.screen
        assert isinstance(picker, SessionPicker)
        await _until(lambda: picker.query_one("#pick-empty").display, pilot=pilot)
        assert "partytui demo --detach" in str(picker.query_one("#pick-empty").render())
        # two teams start in the background after the page opened: the list shows them, newest first
        for sid in ("s1", "s2"):
            (tmp_path / sid).mkdir()
            served = await _served_team(tmp_path / sid, log=folder / f"{sid}.jsonl", locked=True)
            teams[sid] = served.start()
        await _until(lambda: [(e.id, e.pending) for e in picker.entries] == [("s2", 1), ("s1", 1)], pilot=pilot)
        assert not picker.query_one("#pick-empty").display
        await pilot.press("j", "enter")  # the second line: s1
        await _until(lambda: _armed_modal(app), pilot=pilot)  # on screen for its arming delay, then answered
        assert source.link is not None and source.link.session_id == "s1"
        await pilot.press("a")
        await _until(lambda: not teams["s1"].team.session.state.pending_approvals, pilot=pilot)
        await pilot.press("q")
    assert app.return_code == 0
    assert teams["s2"].team.session.state.pending_approvals  # the other team was not touched
    teams["s2"].team.stop("test over")
    for served in teams.values():
        await served.ended()
    answered = [(e.id, e.decision) for e in read_log(folder / "s1.jsonl").events if e.type == "approval.answered"]
    assert answered == [(1, "approved")]
    assert not [e for e in read_log(folder / "s2.jsonl").events if e.type == "approval.answered"]


async def test_leaving_the_list_of_running_sessions_attaches_to_nothing(tmp_path):
    from partytui.tui.app import make_app
    from partytui.tui.screens.help import HelpScreen

    source = AttachedSource(None, read_only=True, folder=tmp_path)
    app = make_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")  # the list's keys first
        await _until(lambda: isinstance(app.screen, HelpScreen), pilot=pilot)
        assert app.screen.bindings[0] == ("", "Sessions running in the background")
        await pilot.press("escape", "q")
    assert app.return_code == 0 and source.link is None
