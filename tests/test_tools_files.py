"""The file tools on real files: Read, Write, Edit, MultiEdit, Glob, Grep, LS."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from partytui.core.tools import files
from partytui.core.tools.base import Limits, ToolContext, ToolError
from partytui.core.tools.files import EDIT, FILE_TOOLS, GLOB, GREP, LS_TOOL, MULTI_EDIT, READ, WRITE, glob_regex
from partytui.core.tools.workspace import cap_output
from partytui.core.truth.events import EventBase, FileChanged


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    d = tmp_path / "ws"
    d.mkdir()
    return d


@pytest.fixture
def events() -> list[EventBase]:
    return []


@pytest.fixture
def ctx(ws: Path, events: list[EventBase]) -> ToolContext:
    return ToolContext(agent="backend", workspace=ws, emit=lambda e: events.append(e) or e)


async def call(tool, ctx: ToolContext, **raw) -> str:
    return await tool.run(tool.parse(raw), ctx)


def test_the_tool_set() -> None:
    assert [t.name for t in FILE_TOOLS] == ["Read", "Write", "Edit", "MultiEdit", "Glob", "Grep", "LS"]
    assert {t.name for t in FILE_TOOLS if t.read_only} == {"Read", "Glob", "Grep", "LS"}
    assert {t.name for t in FILE_TOOLS if t.edits_files} == {"Write", "Edit", "MultiEdit"}
    props = GREP.schema()["input_schema"]["properties"]
    assert {"-i", "-n", "-A", "-B", "-C", "head_limit", "output_mode", "glob"} <= set(props)


def test_invalid_input_is_a_tool_error() -> None:
    with pytest.raises(ToolError, match="Read: invalid input: file_path"):
        READ.parse({"path": "x"})
    with pytest.raises(ToolError, match="limit"):
        READ.parse({"file_path": "x", "limit": 0})


# ── Read ──────────────────────────────────────────────────────────────────────


async def test_read_numbers_lines_like_cat_n(ctx: ToolContext, ws: Path) -> None:
    (ws / "a.txt").write_text("alpha\nbeta\r\n\ngamma")
    assert await call(READ, ctx, file_path="a.txt") == "     1\talpha\n     2\tbeta\n     3\t\n     4\tgamma"


async def test_read_offset_and_limit(ctx: ToolContext, ws: Path) -> None:
    (ws / "n.txt").write_text("".join(f"line {i}\n" for i in range(1, 11)))
    out = await call(READ, ctx, file_path="n.txt", offset=4, limit=3)
    assert out.splitlines()[:3] == ["     4\tline 4", "     5\tline 5", "     6\tline 6"]
    assert "continue with offset=7" in out
    last = await call(READ, ctx, file_path="n.txt", offset=9)
    assert last == "     9\tline 9\n    10\tline 10"
    with pytest.raises(ToolError, match="has 10 lines; offset 11 is past the end"):
        await call(READ, ctx, file_path="n.txt", offset=11)


async def test_read_defaults_to_2000_lines_and_cuts_long_lines(ctx: ToolContext, ws: Path) -> None:
    ctx.limits = Limits(output_cap_chars=10_000_000)
    (ws / "long.txt").write_text("x" * 5000 + "\n" + "".join(f"{i}\n" for i in range(2, 2501)))
    out = await call(READ, ctx, file_path="long.txt")
    lines = out.splitlines()
    assert lines[0] == "     1\t" + "x" * 2000 + "… [line cut at 2000 chars]"
    assert lines[1999] == "  2000\t2000"
    assert lines[2000] == "… [more lines follow; continue with offset=2001]"


async def test_read_empty_binary_missing_and_directory(ctx: ToolContext, ws: Path) -> None:
    (ws / "empty.txt").write_text("")
    assert await call(READ, ctx, file_path="empty.txt") == "The file empty.txt exists but is empty."
    (ws / "img.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(ToolError, match=r"img\.png is a binary file"):
        await call(READ, ctx, file_path="img.png")
    with pytest.raises(ToolError, match=r"no such file or directory: nope\.txt"):
        await call(READ, ctx, file_path="nope.txt")
    (ws / "sub").mkdir()
    with pytest.raises(ToolError, match="sub is a directory; use LS"):
        await call(READ, ctx, file_path="sub")
    with pytest.raises(ToolError, match=r"^\. is a directory; use LS"):
        await call(READ, ctx, file_path=".")


async def test_read_refuses_a_file_over_the_cap_but_reads_a_part(ctx: ToolContext, ws: Path) -> None:
    ctx.limits = Limits(read_cap_bytes=1_000_000)
    big = ws / "big.log"
    with big.open("w") as f:
        for i in range(1, 200_001):
            f.write(f"entry {i:07d}\n")
    size = big.stat().st_size
    with pytest.raises(
        ToolError, match=rf"big.log is {size} bytes, over the read cap of 1000000 bytes.*offset and limit"
    ):
        await call(READ, ctx, file_path="big.log")
    out = await call(READ, ctx, file_path="big.log", offset=150_000, limit=2)
    assert out.splitlines()[:2] == ["150000\tentry 0150000", "150001\tentry 0150001"]


async def test_read_a_huge_single_line_keeps_memory_bounded(ctx: ToolContext, ws: Path) -> None:
    (ws / "one.min.js").write_text("y" * 3_000_000 + "\nnext\n")
    out = await call(READ, ctx, file_path="one.min.js", offset=1, limit=2)
    assert out.splitlines() == ["     1\t" + "y" * 2000 + "… [line cut at 2000 chars]", "     2\tnext"]


async def test_output_is_capped(ctx: ToolContext, ws: Path) -> None:
    ctx.limits = Limits(output_cap_chars=100)
    (ws / "a.txt").write_text("".join(f"{i}\n" for i in range(100)))
    out = await call(READ, ctx, file_path="a.txt")
    full = "\n".join(f"{i + 1:>6}\t{i}" for i in range(100))
    assert len(out) <= 100
    head, note = out.split("\n… [truncated ", 1)
    assert full.startswith(head) and note == f"{len(full) - len(head)} chars]"
    assert out == full[: len(head)] + f"\n… [truncated {len(full) - len(head)} chars]"


async def test_a_large_read_stays_within_the_cap_with_the_true_count(ctx: ToolContext, ws: Path) -> None:
    ctx.limits = Limits(output_cap_chars=30_000)
    (ws / "big.txt").write_text("".join(f"row {i:020d}\n" for i in range(2000)))
    out = await call(READ, ctx, file_path="big.txt")
    full = "\n".join(f"{i + 1:>6}\trow {i:020d}" for i in range(2000))
    assert len(full) > 30_000 and len(out) == 30_000
    head, note = out.split("\n… [truncated ", 1)
    assert full.startswith(head) and note == f"{len(full) - len(head)} chars]"


def test_cap_output_never_exceeds_the_limit() -> None:
    for size in (0, 5, 99, 100, 101, 150, 1_000, 123_456):
        text = "z" * size
        for limit in (0, 3, 30, 100, 1_000, 30_000):
            out = cap_output(text, limit)
            assert len(out) <= limit
            if size <= limit:
                assert out == text
            elif "[truncated " in out:
                kept = out.index("\n… [truncated ")
                assert out.endswith(f"[truncated {size - kept} chars]")


# ── Write ─────────────────────────────────────────────────────────────────────


async def test_write_creates_parents_and_emits(ctx: ToolContext, ws: Path, events: list[EventBase]) -> None:
    out = await call(WRITE, ctx, file_path="src/pkg/mod.py", content="x = 1\n")
    assert out == "Created src/pkg/mod.py (6 bytes)."
    assert (ws / "src" / "pkg" / "mod.py").read_text() == "x = 1\n"
    assert events == [FileChanged(agent="backend", path="src/pkg/mod.py", action="write")]
    out = await call(WRITE, ctx, file_path=str(ws / "src/pkg/mod.py"), content="héllo")
    assert out == "Overwrote src/pkg/mod.py (6 bytes)."
    assert len(events) == 2


async def test_write_keeps_the_mode_and_leaves_no_temp_files(ctx: ToolContext, ws: Path) -> None:
    script = ws / "run.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    await call(WRITE, ctx, file_path="run.sh", content="#!/bin/sh\necho hi\n")
    assert stat.S_IMODE(script.stat().st_mode) == 0o755
    assert [p.name for p in ws.iterdir()] == ["run.sh"]


async def test_write_is_atomic_when_the_swap_fails(
    ctx: ToolContext, ws: Path, events: list[EventBase], monkeypatch: pytest.MonkeyPatch
) -> None:
    (ws / "keep.txt").write_text("original\n")

    def failing_replace(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", failing_replace)
    with pytest.raises(ToolError, match=r"could not write keep\.txt: No space left on device"):
        await call(WRITE, ctx, file_path="keep.txt", content="new content\n")
    assert (ws / "keep.txt").read_text() == "original\n"
    assert [p.name for p in ws.iterdir()] == ["keep.txt"]
    assert events == []


async def test_write_onto_a_directory_is_refused(ctx: ToolContext, ws: Path) -> None:
    (ws / "d").mkdir()
    with pytest.raises(ToolError, match="d is a directory"):
        await call(WRITE, ctx, file_path="d", content="x")
    with pytest.raises(ToolError, match=r"^d is a directory$"):
        await call(EDIT, ctx, file_path="d", old_string="a", new_string="b")
    with pytest.raises(ToolError, match=r"^\. is a directory$"):
        await call(MULTI_EDIT, ctx, file_path=".", edits=[{"old_string": "a", "new_string": "b"}])
    (ws / "f").write_text("")
    with pytest.raises(ToolError, match="f is not a directory"):
        await call(WRITE, ctx, file_path="f/inner.txt", content="x")


# ── Edit / MultiEdit ──────────────────────────────────────────────────────────

SOURCE = "def f():\n    return 1\n\n\ndef g():\n    return 1\n"


async def test_edit_replaces_a_unique_string(ctx: ToolContext, ws: Path, events: list[EventBase]) -> None:
    (ws / "m.py").write_text(SOURCE)
    out = await call(
        EDIT, ctx, file_path="m.py", old_string="def g():\n    return 1", new_string="def g():\n    return 2"
    )
    assert out.startswith("Edited m.py: 1 replacement.")
    assert "     6\t    return 2" in out
    assert (ws / "m.py").read_text() == SOURCE.replace("return 1\n", "return 2\n").replace("return 2", "return 1", 1)
    assert events == [FileChanged(agent="backend", path="m.py", action="edit")]


async def test_edit_errors(ctx: ToolContext, ws: Path, events: list[EventBase]) -> None:
    (ws / "m.py").write_text(SOURCE)
    with pytest.raises(ToolError, match=r"old_string occurs 2 times in m\.py.*replace_all"):
        await call(EDIT, ctx, file_path="m.py", old_string="return 1", new_string="return 2")
    with pytest.raises(ToolError, match=r"old_string was not found in m\.py"):
        await call(EDIT, ctx, file_path="m.py", old_string="return 3", new_string="return 2")
    with pytest.raises(ToolError, match="are the same"):
        await call(EDIT, ctx, file_path="m.py", old_string="return 1", new_string="return 1")
    with pytest.raises(ToolError, match=r"no such file: other\.py"):
        await call(EDIT, ctx, file_path="other.py", old_string="a", new_string="b")
    (ws / "blob.bin").write_bytes(b"abc\x00def")
    with pytest.raises(ToolError, match="binary file"):
        await call(EDIT, ctx, file_path="blob.bin", old_string="abc", new_string="x")
    assert (ws / "m.py").read_text() == SOURCE
    assert events == []


async def test_edit_replace_all_and_create(ctx: ToolContext, ws: Path, events: list[EventBase]) -> None:
    (ws / "m.py").write_text(SOURCE)
    out = await call(EDIT, ctx, file_path="m.py", old_string="return 1", new_string="return 0", replace_all=True)
    assert out.startswith("Edited m.py: 2 replacements.")
    assert (ws / "m.py").read_text().count("return 0") == 2
    assert await call(EDIT, ctx, file_path="new/n.py", old_string="", new_string="n = 1\n") == "Created new/n.py."
    assert (ws / "new" / "n.py").read_text() == "n = 1\n"
    assert [e.action for e in events] == ["edit", "write"]


async def test_edit_refuses_a_file_over_the_cap(ctx: ToolContext, ws: Path) -> None:
    ctx.limits = Limits(read_cap_bytes=100)
    (ws / "big.txt").write_text("a" * 200)
    with pytest.raises(ToolError, match=r"big\.txt is 200 bytes, over the 100-byte cap for Edit"):
        await call(EDIT, ctx, file_path="big.txt", old_string="a", new_string="b", replace_all=True)


async def test_multiedit_applies_in_order(ctx: ToolContext, ws: Path, events: list[EventBase]) -> None:
    (ws / "m.py").write_text(SOURCE)
    out = await call(
        MULTI_EDIT,
        ctx,
        file_path="m.py",
        edits=[
            {"old_string": "def f", "new_string": "def first"},
            {"old_string": "first():\n    return 1", "new_string": "first():\n    return 10"},
            {"old_string": "return 1\n", "new_string": "return 20\n", "replace_all": True},
        ],
    )
    assert out == "Applied 3 edits to m.py (3 replacements)."
    assert (ws / "m.py").read_text() == "def first():\n    return 10\n\n\ndef g():\n    return 20\n"
    assert events == [FileChanged(agent="backend", path="m.py", action="edit")]


async def test_multiedit_is_all_or_nothing(ctx: ToolContext, ws: Path, events: list[EventBase]) -> None:
    (ws / "m.py").write_text(SOURCE)
    before = (ws / "m.py").stat()
    with pytest.raises(ToolError, match=r"edit 2 of 2: old_string occurs 2 times.*no edit was applied"):
        await call(
            MULTI_EDIT,
            ctx,
            file_path="m.py",
            edits=[
                {"old_string": "def f", "new_string": "def h"},
                {"old_string": "return 1", "new_string": "return 2"},
            ],
        )
    assert (ws / "m.py").read_text() == SOURCE
    assert (ws / "m.py").stat().st_ino == before.st_ino  # not even rewritten
    assert events == []


async def test_multiedit_can_create_a_file(ctx: ToolContext, ws: Path, events: list[EventBase]) -> None:
    out = await call(
        MULTI_EDIT,
        ctx,
        file_path="c.txt",
        edits=[{"old_string": "", "new_string": "one two"}, {"old_string": "two", "new_string": "three"}],
    )
    assert out.startswith("Applied 2 edits to c.txt")
    assert (ws / "c.txt").read_text() == "one three"
    assert [e.action for e in events] == ["write"]
    with pytest.raises(ToolError, match="edits"):
        MULTI_EDIT.parse({"file_path": "c.txt", "edits": []})


# ── Glob ──────────────────────────────────────────────────────────────────────


def _touch(path: Path, text: str = "", mtime: float | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if mtime is not None:
        os.utime(path, (mtime, mtime))


async def test_glob_newest_first_and_relative(ctx: ToolContext, ws: Path) -> None:
    _touch(ws / "src" / "old.py", mtime=1_000_000)
    _touch(ws / "src" / "pkg" / "new.py", mtime=3_000_000)
    _touch(ws / "top.py", mtime=2_000_000)
    _touch(ws / "src" / "notes.md", mtime=4_000_000)
    _touch(ws / ".git" / "hooks" / "x.py")
    assert await call(GLOB, ctx, pattern="**/*.py") == "src/pkg/new.py\ntop.py\nsrc/old.py"
    assert await call(GLOB, ctx, pattern="*.py") == "top.py"
    assert await call(GLOB, ctx, pattern="*.py", path="src") == "src/old.py"
    assert await call(GLOB, ctx, pattern="src/**/*.{md,py}") == "src/notes.md\nsrc/pkg/new.py\nsrc/old.py"
    assert await call(GLOB, ctx, pattern=str(ws / "src" / "*.md")) == "src/notes.md"
    assert await call(GLOB, ctx, pattern="**/*.rs") == "No files found"
    with pytest.raises(ToolError, match="not a directory"):
        await call(GLOB, ctx, pattern="*", path="top.py")


async def test_glob_caps_results(ctx: ToolContext, ws: Path) -> None:
    for i in range(1005):
        (ws / f"f{i:04d}.txt").write_text("")
    out = await call(GLOB, ctx, pattern="*.txt")
    lines = out.splitlines()
    assert len(lines) == 1001
    assert lines[-1].startswith("… [5 more files not shown (first 1000 of 1005)")


def test_glob_regex() -> None:
    rx = glob_regex("src/**/test_*.{py,pyi}")
    assert rx.match("src/test_a.py") and rx.match("src/x/y/test_b.pyi")
    assert not rx.match("src/x/a.py") and not rx.match("test_a.py")
    assert glob_regex("[!a]?.txt").match("b1.txt") and not glob_regex("[!a]?.txt").match("a1.txt")
    with pytest.raises(ToolError, match="unbalanced"):
        glob_regex("*.{py")


# ── Grep ──────────────────────────────────────────────────────────────────────


@pytest.fixture
def tree(ws: Path) -> Path:
    _touch(ws / "app.py", "import os\n\ndef main():\n    TODO = 1\n    return TODO\n", mtime=2_000_000)
    _touch(ws / "lib" / "util.py", "# todo: tidy\nx = 1\n", mtime=3_000_000)
    _touch(ws / "README.md", "A TODO list\n", mtime=1_000_000)
    _touch(ws / ".git" / "config", "TODO in git\n")
    (ws / "data.bin").write_bytes(b"TODO\x00\x01")
    return ws


async def test_grep_files_with_matches(ctx: ToolContext, tree: Path) -> None:
    assert await call(GREP, ctx, pattern="TODO") == "Found 2 files\napp.py\nREADME.md"
    assert await call(GREP, ctx, pattern="todo", **{"-i": True}) == "Found 3 files\nlib/util.py\napp.py\nREADME.md"
    assert await call(GREP, ctx, pattern="TODO", glob="*.md") == "Found 1 file\nREADME.md"
    assert await call(GREP, ctx, pattern="x = ", path="lib") == "Found 1 file\nlib/util.py"
    assert await call(GREP, ctx, pattern="nothing-here") == "No matches found"


async def test_grep_content_and_count(ctx: ToolContext, tree: Path) -> None:
    out = await call(GREP, ctx, pattern="TODO", output_mode="content", path="app.py")
    assert out == "app.py:4:    TODO = 1\napp.py:5:    return TODO"
    out = await call(GREP, ctx, pattern="TODO", output_mode="content", path="app.py", **{"-n": False})
    assert out == "app.py:    TODO = 1\napp.py:    return TODO"
    out = await call(GREP, ctx, pattern="TODO", output_mode="count")
    assert out == "README.md:1\napp.py:2\n\n3 matches in 2 files"


async def test_grep_context_marks_gaps(ctx: ToolContext, ws: Path) -> None:
    _touch(ws / "c.txt", "".join(f"{'hit' if i in (2, 3, 9) else 'line'} {i}\n" for i in range(1, 13)))
    out = await call(GREP, ctx, pattern="hit", output_mode="content", **{"-C": 1})
    assert out.splitlines() == [
        "c.txt-1-line 1",
        "c.txt:2:hit 2",
        "c.txt:3:hit 3",
        "c.txt-4-line 4",
        "--",
        "c.txt-8-line 8",
        "c.txt:9:hit 9",
        "c.txt-10-line 10",
    ]
    out = await call(GREP, ctx, pattern="hit 9", output_mode="content", **{"-B": 2, "-A": 0})
    assert out.splitlines() == ["c.txt-7-line 7", "c.txt-8-line 8", "c.txt:9:hit 9"]


async def test_grep_head_limit_and_bad_regex(ctx: ToolContext, ws: Path) -> None:
    _touch(ws / "many.txt", "match\n" * 50)
    out = await call(GREP, ctx, pattern="match", output_mode="content", head_limit=3)
    assert out.splitlines() == [
        "many.txt:1:match",
        "many.txt:2:match",
        "many.txt:3:match",
        "… [stopped at head_limit=3]",
    ]
    with pytest.raises(ToolError, match="invalid regular expression"):
        await call(GREP, ctx, pattern="(unclosed")


async def test_glob_and_grep_list_a_symlinked_file_under_its_own_name(ctx: ToolContext, ws: Path) -> None:
    _touch(ws / "real.txt", "needle here\n", mtime=1_000_000)
    (ws / "alias.txt").symlink_to(ws / "real.txt")
    (ws / "sub").mkdir()
    (ws / "sub" / "up.txt").symlink_to(Path("..") / "real.txt")  # a relative link into a parent directory
    assert sorted((await call(GLOB, ctx, pattern="**/*.txt")).splitlines()) == ["alias.txt", "real.txt", "sub/up.txt"]
    out = await call(GREP, ctx, pattern="needle", output_mode="count")
    assert out == "alias.txt:1\nreal.txt:1\nsub/up.txt:1\n\n3 matches in 3 files"
    out = await call(GREP, ctx, pattern="needle", output_mode="content", glob="alias.txt")
    assert out == "alias.txt:1:needle here"


# ── LS ────────────────────────────────────────────────────────────────────────


async def test_ls_tree(ctx: ToolContext, ws: Path) -> None:
    _touch(ws / "src" / "pkg" / "a.py")
    _touch(ws / "src" / "b.py")
    _touch(ws / "README.md")
    _touch(ws / ".git" / "HEAD")
    _touch(ws / "src" / "__pycache__" / "a.pyc")
    _touch(ws / "build" / "out.o")
    assert await call(LS_TOOL, ctx, path=".") == (
        "- ./\n  - build/\n    - out.o\n  - src/\n    - pkg/\n      - a.py\n    - b.py\n  - README.md"
    )
    assert await call(LS_TOOL, ctx, path="src", ignore=["pkg", "*.md"]) == "- src/\n  - b.py"
    assert await call(LS_TOOL, ctx, path=".", ignore=["build", "src"]) == "- ./\n  - README.md"
    (ws / "empty").mkdir()
    assert await call(LS_TOOL, ctx, path="empty") == "- empty/\n  (empty)"
    with pytest.raises(ToolError, match=r"README\.md is not a directory"):
        await call(LS_TOOL, ctx, path="README.md")


async def test_a_fifo_does_not_hang_read_edit_or_grep(ctx: ToolContext, ws: Path) -> None:
    os.mkfifo(ws / "pipe")
    with pytest.raises(ToolError, match="pipe is not a regular file"):
        await call(READ, ctx, file_path="pipe")
    with pytest.raises(ToolError, match="pipe is not a regular file"):
        await call(EDIT, ctx, file_path="pipe", old_string="a", new_string="b")
    with pytest.raises(ToolError, match="pipe is not a regular file or directory"):
        await call(GREP, ctx, pattern="x", path="pipe")
    assert await call(GREP, ctx, pattern="x") == "No matches found"  # the walk skips it
