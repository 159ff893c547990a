"""The workspace boundary: paths, symlinks (before and during a run) and the tools that must respect it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from partytui.core.tools.base import ToolContext, ToolError
from partytui.core.tools.files import EDIT, GLOB, GREP, LS_TOOL, READ, WRITE
from partytui.core.tools.shell import BashTool, bwrap_available, check_command
from partytui.core.tools.workspace import open_file, open_parent, relative, resolve
from partytui.core.truth.events import EventBase


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    d = tmp_path / "outside"
    d.mkdir()
    (d / "secret.txt").write_text("TOP-SECRET-CONTENT\n")
    return d


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    d = tmp_path / "ws"
    (d / "src").mkdir(parents=True)
    (d / "src" / "app.py").write_text("print('hi')\n")
    return d


@pytest.fixture
def ctx(ws: Path) -> ToolContext:
    events: list[EventBase] = []
    c = ToolContext(agent="backend", workspace=ws, emit=lambda e: events.append(e) or e)
    c.events = events  # type: ignore[attr-defined]
    return c


async def call(tool, ctx: ToolContext, **raw) -> str:
    return await tool.run(tool.parse(raw), ctx)


# ── resolve / relative ────────────────────────────────────────────────────────


def test_relative_and_absolute_inside(ws: Path) -> None:
    real_ws = Path(os.path.realpath(ws))
    assert resolve(ws, "src/app.py") == real_ws / "src" / "app.py"
    assert resolve(ws, str(ws / "src" / "app.py")) == real_ws / "src" / "app.py"
    assert resolve(ws, "src/../src/app.py", must_exist=True) == real_ws / "src" / "app.py"
    assert resolve(ws, "new/dir/file.txt") == real_ws / "new" / "dir" / "file.txt"


@pytest.mark.parametrize(
    "path",
    ["..", "../outside/secret.txt", "src/../../outside", "/etc/passwd", "/", "~", "~/.ssh/id_rsa", "~root", "a\x00b"],
)
def test_escapes_are_refused(ws: Path, path: str) -> None:
    with pytest.raises(ToolError, match="path escapes the workspace"):
        resolve(ws, path)


def test_empty_and_missing(ws: Path) -> None:
    with pytest.raises(ToolError, match="path is required"):
        resolve(ws, "")
    with pytest.raises(ToolError, match=r"no such file or directory: nope\.txt"):
        resolve(ws, "nope.txt", must_exist=True)


def test_symlinks_pointing_outside(ws: Path, outside: Path) -> None:
    (ws / "link.txt").symlink_to(outside / "secret.txt")
    (ws / "linkdir").symlink_to(outside)
    (ws / "dangling").symlink_to(outside / "not-yet")
    for path in ("link.txt", "linkdir", "linkdir/secret.txt", "linkdir/new.txt", "dangling"):
        with pytest.raises(ToolError, match="path escapes the workspace"):
            resolve(ws, path)


def test_symlink_inside_is_followed(ws: Path) -> None:
    (ws / "alias").symlink_to(ws / "src")
    assert resolve(ws, "alias/app.py") == Path(os.path.realpath(ws)) / "src" / "app.py"


def test_workspace_given_through_a_symlink(tmp_path: Path, ws: Path) -> None:
    via = tmp_path / "via"
    via.symlink_to(ws)
    assert resolve(via, "src/app.py") == Path(os.path.realpath(ws)) / "src" / "app.py"
    assert relative(via, ws / "src" / "app.py") == "src/app.py"


def test_relative_is_posix_and_dot_for_root(ws: Path) -> None:
    assert relative(ws, ws) == "."
    assert relative(ws, ws / "src" / "app.py") == "src/app.py"
    assert relative(ws, "src/app.py") == "src/app.py"


# ── the check-then-open race ──────────────────────────────────────────────────


def test_component_swapped_for_symlink_after_resolve(ws: Path, outside: Path) -> None:
    real = resolve(ws, "src/app.py", must_exist=True)
    os.rename(ws / "src", ws / "src-old")
    (ws / "src").symlink_to(outside)
    (outside / "app.py").write_text("outside\n")
    with pytest.raises(ToolError, match="path escapes the workspace"):
        open_file(ws, real)
    with pytest.raises(ToolError, match="path escapes the workspace"):
        open_parent(ws, real, create=True)


def test_final_component_swapped_for_symlink_after_resolve(ws: Path, outside: Path) -> None:
    real = resolve(ws, "src/app.py", must_exist=True)
    (ws / "src" / "app.py").unlink()
    (ws / "src" / "app.py").symlink_to(outside / "secret.txt")
    with pytest.raises(ToolError, match="path escapes the workspace"):
        open_file(ws, real)


# ── the tools at the boundary ─────────────────────────────────────────────────


async def test_read_refuses_symlink_created_during_a_run(ctx: ToolContext, ws: Path, outside: Path) -> None:
    assert "print('hi')" in await call(READ, ctx, file_path="src/app.py")
    (ws / "src" / "app.py").unlink()
    (ws / "src" / "app.py").symlink_to(outside / "secret.txt")
    with pytest.raises(ToolError, match="path escapes the workspace") as err:
        await call(READ, ctx, file_path="src/app.py")
    assert "TOP-SECRET" not in str(err.value)


async def test_write_refuses_symlinked_directory_component(ctx: ToolContext, ws: Path, outside: Path) -> None:
    await call(WRITE, ctx, file_path="out/first.txt", content="one")
    (ws / "out" / "first.txt").unlink()
    (ws / "out").rmdir()
    (ws / "out").symlink_to(outside)  # appears between two calls of the same run
    with pytest.raises(ToolError, match="path escapes the workspace"):
        await call(WRITE, ctx, file_path="out/second.txt", content="two")
    with pytest.raises(ToolError, match="path escapes the workspace"):
        await call(EDIT, ctx, file_path="out/secret.txt", old_string="TOP", new_string="BOTTOM")
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]
    assert (outside / "secret.txt").read_text() == "TOP-SECRET-CONTENT\n"
    assert ctx.events and all(e.path == "out/first.txt" for e in ctx.events)  # type: ignore[attr-defined]


async def test_write_absolute_outside_is_refused(ctx: ToolContext, outside: Path) -> None:
    with pytest.raises(ToolError, match="path escapes the workspace"):
        await call(WRITE, ctx, file_path=str(outside / "pwned.txt"), content="x")
    assert not (outside / "pwned.txt").exists()


async def test_walking_tools_do_not_follow_links_outside(ctx: ToolContext, ws: Path, outside: Path) -> None:
    (ws / "linkdir").symlink_to(outside)
    (ws / "linkfile.txt").symlink_to(outside / "secret.txt")
    assert "secret" not in await call(GLOB, ctx, pattern="**/*.txt")
    assert await call(GREP, ctx, pattern="TOP-SECRET") == "No matches found"
    listing = await call(LS_TOOL, ctx, path=".")
    assert "- linkdir@" in listing and "secret.txt" not in listing
    for tool, raw in ((GLOB, {"pattern": "*", "path": "linkdir"}), (GREP, {"pattern": "x", "path": "../outside"})):
        with pytest.raises(ToolError, match="path escapes the workspace"):
            await call(tool, ctx, **raw)
    with pytest.raises(ToolError, match="path escapes the workspace"):
        await call(GLOB, ctx, pattern="../outside/*")


def test_grep_skips_a_file_link_swapped_outside_after_the_walk(ws: Path, outside: Path) -> None:
    from partytui.core.tools.files import _open_grep_target

    root = os.path.realpath(ws)
    (ws / "src" / "alias.py").symlink_to(ws / "src" / "app.py")
    dir_fd = os.open(ws / "src", os.O_RDONLY | os.O_DIRECTORY)
    try:
        fd = _open_grep_target(root, dir_fd, "alias.py", str(ws / "src" / "alias.py"))
        assert fd is not None
        os.close(fd)
        (ws / "src" / "alias.py").unlink()  # the walk kept it; now it points outside
        (ws / "src" / "alias.py").symlink_to(outside / "secret.txt")
        assert _open_grep_target(root, dir_fd, "alias.py", str(ws / "src" / "alias.py")) is None
    finally:
        os.close(dir_fd)


# ── Bash's static check ───────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "command",
    [
        "cat ../outside/secret.txt",
        "cd .. && ls",
        "cd src; cd ../..; ls",
        "ls ~",
        "cat ~/.ssh/id_rsa",
        "cat /etc/passwd",
        "echo x >/root/pwned",
        "cp src/app.py --target-directory=/etc",
        "X=/etc; ls $X",
        "echo a#b; cat /etc/shadow",  # '#' inside a word is no comment to bash
        "cat 'unbalanced",
        # ways out the check used to miss
        "cat /proc/self/root/etc/passwd",
        "cat /proc/self/cwd/../x",
        "cat $HOME/../x",
        "cd ${PWD%/*} && ls",
        "cd $D",
    ],
)
def test_bash_static_check_refuses(ws: Path, outside: Path, command: str) -> None:
    with pytest.raises(ToolError, match=r"Bash: (refused|could not parse)"):
        check_command(command.replace("../outside", os.path.relpath(outside, ws)), ws)


def test_bash_static_check_refuses_a_symlink_out(ws: Path, outside: Path) -> None:
    (ws / "linkdir").symlink_to(outside)
    with pytest.raises(ToolError, match="path leads outside"):
        check_command("cat linkdir/secret.txt", ws)


@pytest.mark.parametrize(
    "command",
    [
        "ls -la src && cat src/app.py",
        "cd src && cat app.py && cd .. && ls",
        "/usr/bin/env python3 -c 'print(1)' > /dev/null 2>&1",
        "mktemp -p /tmp",
        "gcc -I/usr/include -o app app.c",
        "curl -s https://example.com/x || true",
        "sed -e 's/../x/' src/app.py",
        "git log --oneline HEAD~3",
    ],
)
def test_bash_static_check_allows(ws: Path, command: str) -> None:
    check_command(command, ws)


def test_bash_static_check_allows_the_workspace_by_absolute_path(ws: Path) -> None:
    check_command(f"cat {ws}/src/app.py", ws)


async def test_bwrap_blocks_what_the_static_check_cannot_see(ctx: ToolContext, outside: Path) -> None:
    ok, why = await bwrap_available(ctx.workspace)
    if not ok:
        pytest.skip(f"bubblewrap does not work here: {why}")
    target = outside / "written.txt"
    # the path is built at run time (\057 is '/'), so only the sandbox can stop it
    cmd = f"p=$(printf '\\057%s' '{str(target)[1:]}'); echo pwned > \"$p\"; echo rc=$?"
    check_command(cmd, ctx.workspace)  # the static check lets it through
    out = await call(BashTool("bwrap"), ctx, command=cmd)
    assert "rc=" in out
    assert not target.exists()


async def test_bwrap_keeps_the_system_read_only(ctx: ToolContext) -> None:
    ok, why = await bwrap_available(ctx.workspace)
    if not ok:
        pytest.skip(f"bubblewrap does not work here: {why}")
    cmd = "p=$(printf '\\057usr/local/partytui-probe'); echo x > \"$p\"; echo rc=$?; echo inside > mine.txt"
    out = await call(BashTool("bwrap"), ctx, command=cmd)
    assert "Read-only file system" in out and "rc=1" in out
    assert not Path("/usr/local/partytui-probe").exists()
    assert (ctx.workspace / "mine.txt").read_text() == "inside\n"


@pytest.mark.parametrize(
    "command",
    [
        "eval 'cat /e''tc/passwd'",
        "python3 -c \"open('/etc/x', 'w')\"",
        "cat $(printf '\\057etc/passwd')",
        "echo x > /tmp/shared",
        "cp tool /usr/local/bin/tool",
    ],
)
def test_what_the_static_check_cannot_stop(ws: Path, command: str) -> None:
    """docs/security.md lists these: only bubblewrap, or the person asked before an unsandboxed call, stops them."""
    check_command(command, ws)
