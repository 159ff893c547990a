"""Bash on real subprocesses: output, exit codes, timeouts, process groups, floods and the scrubbed environment."""

from __future__ import annotations

import asyncio
import os
import sys
import time
import uuid
from pathlib import Path

import pytest

from partytui.core.tools import shell
from partytui.core.tools.base import Limits, ToolContext, ToolError
from partytui.core.tools.shell import BASH_TOOL, BashTool, CappedOutput, bwrap_available, scrubbed_env


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    d = tmp_path / "ws"
    d.mkdir()
    return d


@pytest.fixture
def ctx(ws: Path) -> ToolContext:
    return ToolContext(agent="qa", workspace=ws, emit=lambda e: e)


@pytest.fixture(params=["off", "bwrap"])
async def bash(request: pytest.FixtureRequest, ws: Path) -> BashTool:
    if request.param == "bwrap":
        ok, why = await bwrap_available(ws)
        if not ok:
            pytest.skip(f"bubblewrap does not work here: {why}")
    return BashTool(request.param)


async def call(tool: BashTool, ctx: ToolContext, **raw) -> str:
    return await tool.run(tool.parse(raw), ctx)


def _running(marker: str) -> list[int]:
    """Pids of live (not zombie) processes whose command line contains ``marker``."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\x00", b" ").decode(errors="replace")
            with open(f"/proc/{entry}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker in cmdline and state not in ("Z", "X") and int(entry) != os.getpid():
            pids.append(int(entry))
    return pids


async def _until(condition, seconds: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    """Wait for ``condition`` (bounded generously: a loaded machine starts and reaps processes slowly)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


async def _gone(marker: str) -> bool:
    return await _until(lambda: not _running(marker))  # a SIGKILLed process takes a moment to be torn down


def _sleep_marker() -> str:
    # a sleep length nobody else uses, so the test can find exactly its own processes
    return f"{900 + uuid.uuid4().int % 10_000}.{uuid.uuid4().int % 10**6:06d}"


def test_export_and_schema() -> None:
    assert BASH_TOOL.name == "Bash" and not BASH_TOOL.read_only and not BASH_TOOL.edits_files
    props = BASH_TOOL.schema()["input_schema"]["properties"]
    assert {"command", "timeout", "description"} <= set(props)


async def test_runs_in_the_workspace_with_merged_output(bash: BashTool, ctx: ToolContext, ws: Path) -> None:
    (ws / "hello.txt").write_text("hi there\n")
    out = await call(bash, ctx, command='cat hello.txt; pwd; echo "home=$HOME"; echo oops >&2', description="look")
    assert out == f"hi there\n{os.path.realpath(ws)}\nhome={os.path.realpath(ws)}\noops"
    assert await call(bash, ctx, command="true") == "(no output)"
    await call(bash, ctx, command="mkdir -p out && echo made > out/f.txt")
    assert (ws / "out" / "f.txt").read_text() == "made\n"


async def test_stdin_is_empty(bash: BashTool, ctx: ToolContext) -> None:
    assert await call(bash, ctx, command="cat; echo done") == "done"


async def test_non_zero_exit_is_an_error_with_the_output(bash: BashTool, ctx: ToolContext) -> None:
    with pytest.raises(ToolError) as err:
        await call(bash, ctx, command="echo before; ls no-such-file; exit 3")
    text = str(err.value)
    assert text.startswith("before\n") and "no-such-file" in text and text.endswith("\n\nexit code 3")
    with pytest.raises(ToolError, match=r"^exit code 1$"):
        await call(bash, ctx, command="false")


async def test_timeout_kills_the_group_and_its_children(bash: BashTool, ctx: ToolContext) -> None:
    marker = _sleep_marker()
    started = time.monotonic()
    with pytest.raises(ToolError) as err:
        await call(bash, ctx, command=f"echo start; sleep {marker} & sleep {marker}; echo never", timeout=700)
    assert time.monotonic() - started < 30
    assert str(err.value).startswith("start\n")
    assert "timed out after 0.7s" in str(err.value) and "never" not in str(err.value)
    assert await _gone(marker)


async def test_a_child_that_ignores_sigterm_is_killed(ctx: ToolContext) -> None:
    marker = _sleep_marker()
    cmd = f"(trap '' TERM; exec sleep {marker}) & wait"
    with pytest.raises(ToolError, match=r"timed out after 0\.3s"):
        await call(BashTool("off"), ctx, command=cmd, timeout=300)
    assert await _gone(marker)


async def test_background_children_do_not_outlive_the_command(bash: BashTool, ctx: ToolContext) -> None:
    marker = _sleep_marker()
    out = await asyncio.wait_for(call(bash, ctx, command=f"sleep {marker} & echo started"), 30)
    assert out == "started"
    assert await _gone(marker)


async def test_timeout_uses_the_limits(bash: BashTool, ctx: ToolContext) -> None:
    ctx.limits = Limits(bash_timeout_s=0.3, bash_max_timeout_s=0.5)
    with pytest.raises(ToolError, match=r"timed out after 0\.3s"):
        await call(bash, ctx, command="sleep 20")
    with pytest.raises(ToolError, match=r"timed out after 0\.5s"):
        await call(bash, ctx, command="sleep 20", timeout=600_000)  # asked for 10 minutes, capped


async def test_a_flood_stays_capped(bash: BashTool, ctx: ToolContext) -> None:
    ctx.limits = Limits(output_cap_chars=30_000)
    out = await asyncio.wait_for(call(bash, ctx, command="yes | head -c 50000000"), 60)
    assert len(out) <= 30_000
    head, note_and_tail = out.split("\n… [truncated ", 1)
    dropped, tail = note_and_tail.split(" chars]\n", 1)
    assert len(head) + len(tail) + int(dropped) == 50_000_000 - 1  # the final newline is stripped
    assert set(head.replace("\n", "")) == {"y"}


async def test_a_failing_flood_keeps_its_exit_code_under_the_cap(bash: BashTool, ctx: ToolContext) -> None:
    ctx.limits = Limits(output_cap_chars=30_000)
    with pytest.raises(ToolError) as info:
        await asyncio.wait_for(call(bash, ctx, command="seq 1 20000; exit 3"), 60)
    out = str(info.value)
    assert len(out) <= 30_000
    assert out.endswith("\n\nexit code 3")
    head, note_and_tail = out.split("\n… [truncated ", 1)
    dropped, tail = note_and_tail.split(" chars]\n", 1)
    tail = tail.removesuffix("\n\nexit code 3")
    full = "".join(f"{i}\n" for i in range(1, 20001))
    assert full.startswith(head) and full.endswith(tail + "\n")
    assert len(head) + len(tail) + int(dropped) == len(full) - 1  # the final newline is stripped


async def test_a_timed_out_flood_keeps_its_timeout_line_under_the_cap(bash: BashTool, ctx: ToolContext) -> None:
    ctx.limits = Limits(output_cap_chars=30_000, bash_timeout_s=1.5)
    with pytest.raises(ToolError) as info:
        await asyncio.wait_for(call(bash, ctx, command="seq 1 20000; sleep 20"), 60)
    out = str(info.value)
    assert len(out) <= 30_000
    assert out.endswith("timed out after 1.5s; the command and its children were killed")
    assert "\n… [truncated " in out


async def test_secrets_never_reach_the_command(
    bash: BashTool, ctx: ToolContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-canary-4b1d")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://canary-base-url")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_canary")
    monkeypatch.setenv("my_db_password", "hunter2-canary")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-canary")
    monkeypatch.setenv("PARTYTUI_HARMLESS", "still-here")
    out = await call(bash, ctx, command="env")
    assert "canary" not in out and "hunter2" not in out
    assert "PARTYTUI_HARMLESS=still-here" in out
    assert f"PATH={os.environ['PATH']}" in out


def test_scrubbed_env(ws: Path) -> None:
    env = scrubbed_env(
        ws,
        {
            "PATH": "/usr/bin",
            "LANG": "en_US.UTF-8",
            "TERM": "xterm",
            "OPENAI_API_KEY": "x",
            "SSH_AUTH_SOCK": "/s",
            "BASH_ENV": "/evil.sh",
            "BASH_FUNC_f%%": "() { :; }",
            "Client_Credentials": "c",
            "HOME": "/root",
        },
    )
    assert env == {
        "PATH": "/usr/bin",
        "LANG": "en_US.UTF-8",
        "TERM": "xterm",
        "HOME": os.path.realpath(ws),
        "PWD": os.path.realpath(ws),
    }


async def test_refused_commands_do_not_run(bash: BashTool, ctx: ToolContext, ws: Path) -> None:
    with pytest.raises(ToolError, match="Bash: refused: cd leaves the workspace"):
        await call(bash, ctx, command="touch made-before; cd .. && touch escaped")
    assert not (ws / "made-before").exists()


def test_capped_output_keeps_head_and_tail() -> None:
    buf = CappedOutput(10)
    for piece in (b"abc", b"defgh", b"ijklmnop", "é".encode() * 2 + b"\xc3", b"\xa9"):  # é split in two
        buf.feed(piece)
    whole = "abcdefghijklmnop" + "ééé"
    text = buf.text()
    head, rest = text.split("\n… [truncated ", 1)
    n, tail = rest.split(" chars]\n")
    assert head == whole[:5] and tail == whole[-5:] and int(n) == len(whole) - 10
    small = CappedOutput(100)
    small.feed(b"short")
    assert small.text() == "short"


async def test_sandbox_setting(monkeypatch: pytest.MonkeyPatch, ctx: ToolContext) -> None:
    monkeypatch.setenv(shell.SANDBOX_ENV, "sometimes")
    with pytest.raises(ToolError, match="PARTYTUI_BASH_SANDBOX='sometimes' is not one of"):
        await call(BashTool(), ctx, command="true")
    monkeypatch.setenv(shell.SANDBOX_ENV, "off")
    assert await call(BashTool(), ctx, command="echo ok") == "ok"
    monkeypatch.setattr(shell, "_bwrap_status", (False, "bwrap is not installed"))
    with pytest.raises(ToolError, match="bwrap sandbox is required but does not work here: bwrap is not installed"):
        await call(BashTool("bwrap"), ctx, command="true")
    monkeypatch.setenv(shell.SANDBOX_ENV, "auto")
    assert await call(BashTool(), ctx, command="echo fallback") == "fallback"


async def test_cancelling_the_call_kills_the_command(bash: BashTool, ctx: ToolContext) -> None:
    marker = _sleep_marker()
    task = asyncio.create_task(call(bash, ctx, command=f"sleep {marker} & sleep {marker}"))
    assert await _until(lambda: bool(_running(marker)))
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await _gone(marker)


# ── confinement that holds: capabilities, and a tree that dies with partytui ──────────────────────


def _sleeps(marker: str) -> list[int]:
    return [pid for pid in _running(marker) if open(f"/proc/{pid}/cmdline", "rb").read().startswith(b"sleep\x00")]


@pytest.mark.parametrize("mode", ["off", "bwrap"])
async def test_the_whole_tree_dies_when_partytui_is_killed(mode: str, ws: Path, tmp_path: Path) -> None:
    if mode == "bwrap":
        ok, why = await bwrap_available(ws)
        if not ok:
            pytest.skip(f"bubblewrap does not work here: {why}")
    marker = _sleep_marker()
    # a child in the background, a grandchild whose parent already left (reparented), and the shell's own
    command = f"sleep {marker} & (sleep {marker} &); sleep {marker}"
    host = tmp_path / "host.py"
    host.write_text(
        "import asyncio\nfrom pathlib import Path\n"
        "from partytui.core.tools.base import ToolContext\nfrom partytui.core.tools.shell import BashTool\n"
        f"tool = BashTool({mode!r})\n"
        f"ctx = ToolContext(agent='qa', workspace=Path({str(ws)!r}), emit=lambda e: e)\n"
        f"asyncio.run(tool.run(tool.parse({{'command': {command!r}}}), ctx))\n"
    )
    proc = await asyncio.create_subprocess_exec(sys.executable, str(host))
    try:
        assert await _until(lambda: len(_sleeps(marker)) == 3, seconds=60)
    finally:
        proc.kill()  # SIGKILL: partytui gets no chance to clean up
        await proc.wait()
    assert await _gone(marker), f"left running after partytui was killed: {_running(marker)}"


async def test_bwrap_leaves_root_no_capabilities(ctx: ToolContext) -> None:
    ok, why = await bwrap_available(ctx.workspace)
    if not ok:
        pytest.skip(f"bubblewrap does not work here: {why}")
    probe = Path(f"/usr/local/partytui-probe-{uuid.uuid4().hex[:8]}")
    cmd = (
        # '/' spelled at run time (\057), past the static check: only the sandbox stands in the way
        "grep CapEff /proc/self/status; mount -o remount,rw \"$(printf '\\057')\" 2>&1; echo remount=$?; "
        f"touch {probe} 2>&1; echo touch=$?"
    )
    try:
        out = await call(BashTool("bwrap"), ctx, command=cmd)
        assert "CapEff:\t0000000000000000" in out
        assert "remount=0" not in out and "touch=0" not in out
        assert not probe.exists()
    finally:
        probe.unlink(missing_ok=True)
