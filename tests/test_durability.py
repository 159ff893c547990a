"""A full disk stops the run with a clear error and leaves a log that still reads back."""

from __future__ import annotations

import errno

from demo_args import headless_demo
from engine_fakes import call, make_team, member, text
from partytui.cli import main
from partytui.core.truth import log as log_module
from partytui.core.truth.log import SessionLog, read_log


class DiskFillsUp:
    """A file that takes ``room`` more bytes, writes part of the next chunk, then fails like a full disk."""

    def __init__(self, real, room: int) -> None:
        self.real, self.room = real, room

    def write(self, data: str) -> int:
        if len(data) > self.room:
            self.real.write(data[: self.room])
            self.real.flush()
            self.room = 0
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= len(data)
        return self.real.write(data)

    def flush(self) -> None:
        self.real.flush()

    def fileno(self) -> int:
        return self.real.fileno()

    def close(self) -> None:
        self.real.close()


async def test_a_full_disk_ends_the_run_failed_and_the_log_stays_readable(tmp_path):
    scripts = {
        "lead": [[call("Write", file_path=f"f{i}.txt", content="x" * 200)] for i in range(40)] + [[text("done")]]
    }
    team, _ = make_team(tmp_path, scripts, [member("lead", lead=True)])
    path = tmp_path / "s.jsonl"
    team.session.log = SessionLog(path)
    team.session.log._file = DiskFillsUp(team.session.log._file, room=6000)
    team.start_session("full", mode="scripted", scenario=None)
    code = await team.run()
    team.session.close()
    assert code == 1
    assert team.session.state.status == "failed" and "No space left" in team.session.state.reason
    contents = read_log(path)  # never a corrupt file: whole lines, at worst a torn last one
    assert contents.events and contents.events[0].type == "session.started"
    assert contents.torn_tail


def test_the_cli_says_so_and_exits_1(tmp_path, monkeypatch, capsys):
    real_init = SessionLog.__init__

    def tiny_disk(self, path, **kw):
        real_init(self, path, **kw)
        self._file = DiskFillsUp(self._file, room=20_000)

    monkeypatch.setattr(log_module.SessionLog, "__init__", tiny_disk)
    code = main(headless_demo(tmp_path / "ws", tmp_path / "s"))
    err = capsys.readouterr().err
    assert code == 1
    assert "No space left on device" in err and "Traceback" not in err
    (log,) = (tmp_path / "s").glob("*.jsonl")
    assert read_log(log).events
