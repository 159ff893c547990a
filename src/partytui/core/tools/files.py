"""The file tools agents know from Claude Code: Read, Write, Edit, MultiEdit, Glob, Grep and LS.

Every path goes through :func:`workspace.resolve` and every open through the workspace's ``O_NOFOLLOW``
walk. Reads and writes go through ``aiofiles`` and directory walks run in a worker thread, so a big file
or a big tree never stalls the event loop that streams the other agents.
"""

from __future__ import annotations

import asyncio
import errno
import os
import re
import secrets
import stat
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import aiofiles
from aiofiles.threadpool.binary import AsyncBufferedReader
from pydantic import BaseModel, Field

from ..truth.events import FileChanged
from ..truth.secrets import is_secret_file
from .base import Tool, ToolContext, ToolError, ToolInput
from .workspace import cap_output, open_file, open_parent, relative, resolve

DEFAULT_LINES = 2000
MAX_LINE_CHARS = 2000
MAX_GLOB_RESULTS = 1000
MAX_LS_ENTRIES = 1000
BINARY_SNIFF = 8192
_CHUNK = 1 << 20
SKIP_DIRS = frozenset({".git"})


# ── helpers ───────────────────────────────────────────────────────────────────


def _is_binary(head: bytes) -> bool:
    return b"\x00" in head[:BINARY_SNIFF]


def _cut_line(line: str) -> str:
    if len(line) > MAX_LINE_CHARS:
        return line[:MAX_LINE_CHARS] + f"… [line cut at {MAX_LINE_CHARS} chars]"
    return line


def _numbered(lines: list[tuple[int, str]]) -> str:
    return "\n".join(f"{n:>6}\t{text}" for n, text in lines)


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A regex for a glob over posix paths: ``**`` crosses directories, ``*``/``?`` do not, ``{a,b}``."""
    out: list[str] = []
    i, depth, n = 0, 0, len(pattern)
    while i < n:
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 2 if pattern[i + 1 : i + 2] in ("!", "^") else i + 1)
            if end < 0:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1 : end]
                if body[:1] in ("!", "^"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end
        elif c == "{":
            depth += 1
            out.append("(?:")
        elif c == "}" and depth:
            depth -= 1
            out.append(")")
        elif c == "," and depth:
            out.append("|")
        else:
            out.append(re.escape(c))
        i += 1
    if depth:
        raise ToolError(f"unbalanced '{{' in glob pattern: {pattern}")
    return re.compile("".join(out) + r"\Z", re.DOTALL)


def _inside(root: str, path: str) -> bool:
    return Path(os.path.realpath(path)).is_relative_to(root)


def _walk_files(root: str, base: str) -> Iterator[tuple[str, int, str]]:
    """(full path, dir fd, name) of every regular file below ``base``; never follows a directory link.

    A symlinked file is kept only if it resolves inside the workspace.
    """
    for dirpath, dirnames, filenames, dirfd in os.fwalk(base, follow_symlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            try:
                st = os.stat(name, dir_fd=dirfd, follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISLNK(st.st_mode):
                if not _inside(root, full) or not os.path.isfile(full):
                    continue
            elif not stat.S_ISREG(st.st_mode):
                continue
            yield full, dirfd, name


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


def _open_regular(ctx: ToolContext, real: Path, rel: str, hint: str = "") -> tuple[int, int]:
    """(read fd, size) of a regular file; O_NONBLOCK so a FIFO planted in the workspace cannot hang the open.

    A directory is refused as ``"{rel} is a directory{hint}"``, anything else not regular as such.
    """
    if rel == ".":  # the workspace itself has no parent to open it through
        raise ToolError(f"{rel} is a directory{hint}")
    fd = open_file(ctx.workspace, real, os.O_RDONLY | os.O_NONBLOCK)
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        if stat.S_ISDIR(st.st_mode):
            raise ToolError(f"{rel} is a directory{hint}")
        raise ToolError(f"{rel} is not a regular file")
    return fd, st.st_size


def _search_base(ctx: ToolContext, path: str | None) -> Path:
    return resolve(ctx.workspace, path or ".", must_exist=True)


async def _read_small(ctx: ToolContext, real: Path, what: str) -> str:
    """The whole text of a file an edit may touch: within the read cap, not binary, UTF-8."""
    rel = relative(ctx.workspace, real)
    fd, size = _open_regular(ctx, real, rel)
    async with aiofiles.open(fd, "rb") as f:
        if size > ctx.limits.read_cap_bytes:
            raise ToolError(f"{rel} is {size} bytes, over the {ctx.limits.read_cap_bytes}-byte cap for {what}")
        data = await f.read()
    if _is_binary(data):
        raise ToolError(f"{rel} is a binary file; {what} works on text files")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ToolError(f"{rel} is not UTF-8 text (byte {exc.start}); {what} works on text files") from None


async def _write_atomic(ctx: ToolContext, real: Path, data: bytes) -> bool:
    """Replace ``real`` with ``data`` in one rename; returns True when the file is new."""
    rel = relative(ctx.workspace, real)
    dir_fd, name = open_parent(ctx.workspace, real, create=True)
    tmp = f".{name}.partytui-{secrets.token_hex(4)}.tmp"
    try:
        try:
            st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            st = None
        if st is not None and stat.S_ISLNK(st.st_mode):
            raise ToolError(f"path escapes the workspace: {rel} (a symlink appeared)")
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise ToolError(f"{rel} is a directory")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(tmp, flags, 0o666, dir_fd=dir_fd)
        try:
            if st is not None:
                os.fchmod(fd, stat.S_IMODE(st.st_mode))
            async with aiofiles.open(fd, "wb") as f:
                await f.write(data)
                await f.flush()
                await asyncio.to_thread(os.fsync, f.fileno())
            os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        except BaseException:
            try:
                os.unlink(tmp, dir_fd=dir_fd)
            except OSError:
                pass
            raise
    except OSError as exc:
        raise ToolError(f"could not write {rel}: {exc.strerror}") from None
    finally:
        os.close(dir_fd)
    return st is None


def _changed(ctx: ToolContext, real: Path, action: Literal["write", "edit"]) -> None:
    ctx.emit(FileChanged(agent=ctx.agent, path=relative(ctx.workspace, real), action=action))


# ── Read ──────────────────────────────────────────────────────────────────────


async def _lines_of(f: AsyncBufferedReader, start: int, count: int) -> tuple[list[tuple[int, str]], bool, int]:
    """Lines ``start``..``start+count-1`` (1-based), whether more follow, and lines seen.

    Streams in chunks and keeps at most one cut line in memory, so offset/limit work on huge files.
    """
    line_bytes = MAX_LINE_CHARS * 4 + 4
    out: list[tuple[int, str]] = []
    lineno, buf, cut = 1, bytearray(), False
    chunk = await f.read(_CHUNK)
    pos = 0
    while chunk:
        if lineno >= start + count:
            return out, pos < len(chunk) or bool(await f.read(1)), lineno - 1
        if lineno < start:
            skip = start - lineno
            if chunk.count(b"\n", pos) < skip:
                lineno += chunk.count(b"\n", pos)
                chunk, pos = await f.read(_CHUNK), 0
                continue
            pos = chunk.index(b"\n", pos) + 1
            lineno += 1
            if pos >= len(chunk):
                chunk, pos = await f.read(_CHUNK), 0
            continue
        nl = chunk.find(b"\n", pos)
        piece = chunk[pos : nl if nl >= 0 else len(chunk)]
        room = line_bytes - len(buf)
        if len(piece) > room:
            buf += piece[: max(room, 0)]
            cut = True
        else:
            buf += piece
        if nl < 0:
            chunk, pos = await f.read(_CHUNK), 0
            continue
        out.append((lineno, _decode_line(buf, cut)))
        buf, cut, lineno, pos = bytearray(), False, lineno + 1, nl + 1
        if pos >= len(chunk):
            chunk, pos = await f.read(_CHUNK), 0
    if buf or cut:  # a last line without a newline
        if start <= lineno < start + count:
            out.append((lineno, _decode_line(buf, cut)))
        return out, False, lineno
    return out, False, lineno - 1


def _decode_line(raw: bytes | bytearray, cut: bool) -> str:
    text = bytes(raw).decode("utf-8", errors="replace").removesuffix("\r")
    if cut and len(text) <= MAX_LINE_CHARS:
        return text + f"… [line cut at {MAX_LINE_CHARS} chars]"
    return _cut_line(text)


class Read(Tool):
    name = "Read"
    description = (
        "Read a text file in the workspace. Lines come numbered like `cat -n`. By default up to "
        f"{DEFAULT_LINES} lines from the start; use offset (1-based line) and limit for more or for large files."
    )
    read_only = True

    class Input(ToolInput):
        file_path: str = Field(description="Workspace-relative or absolute path inside the workspace")
        offset: int | None = Field(default=None, ge=0, description="First line to read (1-based)")
        limit: int | None = Field(default=None, ge=1, description="How many lines to read")

    async def run(self, args: Input, ctx: ToolContext) -> str:
        real = resolve(ctx.workspace, args.file_path, must_exist=True)
        rel = relative(ctx.workspace, real)
        fd, size = _open_regular(ctx, real, rel, "; use LS to list it")
        async with aiofiles.open(fd, "rb") as f:
            if size == 0:
                return f"The file {rel} exists but is empty."
            if _is_binary(await f.read(BINARY_SNIFF)):
                raise ToolError(f"{rel} is a binary file; Read shows text files only")
            partial = args.offset is not None or args.limit is not None
            if size > ctx.limits.read_cap_bytes and not partial:
                raise ToolError(
                    f"{rel} is {size} bytes, over the read cap of {ctx.limits.read_cap_bytes} bytes; "
                    "read a part of it with offset and limit, or search it with Grep"
                )
            await f.seek(0)
            start = max(args.offset or 1, 1)
            lines, more, seen = await _lines_of(f, start, args.limit or DEFAULT_LINES)
        if not lines:
            raise ToolError(f"{rel} has {seen} lines; offset {start} is past the end")
        text = _numbered(lines)
        if more:
            text += f"\n… [more lines follow; continue with offset={lines[-1][0] + 1}]"
        return cap_output(text, ctx.limits.output_cap_chars)


# ── Write / Edit / MultiEdit ──────────────────────────────────────────────────


class Write(Tool):
    name = "Write"
    description = "Write a file in the workspace, replacing it if it exists; parent directories are created."
    edits_files = True

    class Input(ToolInput):
        file_path: str
        content: str

    async def run(self, args: Input, ctx: ToolContext) -> str:
        real = resolve(ctx.workspace, args.file_path)
        data = args.content.encode("utf-8")
        created = await _write_atomic(ctx, real, data)
        _changed(ctx, real, "write")
        rel = relative(ctx.workspace, real)
        return f"{'Created' if created else 'Overwrote'} {rel} ({len(data)} bytes)."


def replace_exact(text: str, old: str, new: str, replace_all: bool, rel: str) -> tuple[str, int]:
    """``text`` with ``old`` replaced as Edit does it (and the count), or a ToolError saying why it cannot be."""
    if old == new:
        raise ToolError("old_string and new_string are the same; there is nothing to change")
    if old == "":
        raise ToolError(f"old_string is empty; use Write to replace the whole of {rel}")
    found = text.count(old)
    if found == 0:
        raise ToolError(f"old_string was not found in {rel} (it must match exactly, whitespace included)")
    if found > 1 and not replace_all:
        raise ToolError(
            f"old_string occurs {found} times in {rel}; add surrounding lines to make it unique, "
            "or set replace_all to change every occurrence"
        )
    return text.replace(old, new) if replace_all else text.replace(old, new, 1), found if replace_all else 1


def _snippet(text: str, needle: str, around: int = 3) -> str:
    """A few numbered lines around the first place ``needle`` now sits, for the model to check."""
    at = text.find(needle) if needle else -1
    if at < 0:
        return ""
    first = text.count("\n", 0, at)
    last = first + needle.count("\n")
    lines = text.split("\n")
    lo, hi = max(first - around, 0), min(last + around + 1, len(lines))
    return _numbered([(i + 1, _cut_line(lines[i])) for i in range(lo, hi)])


class Edit(Tool):
    name = "Edit"
    description = (
        "Replace an exact string in a file. old_string must occur exactly once unless replace_all is set; "
        "include enough surrounding text to make it unique."
    )
    edits_files = True

    class Input(ToolInput):
        file_path: str
        old_string: str
        new_string: str
        replace_all: bool = False

    async def run(self, args: Input, ctx: ToolContext) -> str:
        real = resolve(ctx.workspace, args.file_path)
        rel = relative(ctx.workspace, real)
        if not real.exists():
            if args.old_string == "":  # Claude Code's way to create a file with Edit
                await _write_atomic(ctx, real, args.new_string.encode("utf-8"))
                _changed(ctx, real, "write")
                return f"Created {rel}."
            raise ToolError(f"no such file: {rel}")
        text = await _read_small(ctx, real, "Edit")
        new_text, n = replace_exact(text, args.old_string, args.new_string, args.replace_all, rel)
        await _write_atomic(ctx, real, new_text.encode("utf-8"))
        _changed(ctx, real, "edit")
        head = f"Edited {rel}: {n} replacement{'s' if n != 1 else ''}."
        snippet = _snippet(new_text, args.new_string)
        return cap_output(f"{head}\n{snippet}" if snippet else head, ctx.limits.output_cap_chars)


class EditSpec(BaseModel):
    old_string: str
    new_string: str
    replace_all: bool = False


class MultiEdit(Tool):
    name = "MultiEdit"
    description = (
        "Make several exact-string edits to one file, in order. All succeed or none is applied; "
        "each edit sees the result of the ones before it."
    )
    edits_files = True

    class Input(ToolInput):
        file_path: str
        edits: list[EditSpec] = Field(min_length=1)

    async def run(self, args: Input, ctx: ToolContext) -> str:
        real = resolve(ctx.workspace, args.file_path)
        rel = relative(ctx.workspace, real)
        edits = list(args.edits)
        if real.exists():
            text = await _read_small(ctx, real, "MultiEdit")
            action: Literal["write", "edit"] = "edit"
        elif edits[0].old_string == "":  # the first edit creates the file
            text, action = edits.pop(0).new_string, "write"
        else:
            raise ToolError(f"no such file: {rel}")
        total = 0
        for i, e in enumerate(edits, start=1):
            try:
                text, n = replace_exact(text, e.old_string, e.new_string, e.replace_all, rel)
            except ToolError as exc:
                raise ToolError(f"edit {i} of {len(edits)}: {exc}; no edit was applied") from None
            total += n
        await _write_atomic(ctx, real, text.encode("utf-8"))
        _changed(ctx, real, action)
        return f"Applied {len(args.edits)} edits to {rel} ({total} replacements)."


# ── Glob / Grep / LS ──────────────────────────────────────────────────────────


def _glob(root: str, base: str, pattern: str) -> list[str]:
    rx = glob_regex(pattern)
    found = []
    for full, _fd, _name in _walk_files(root, base):
        if rx.match(os.path.relpath(full, base).replace(os.sep, "/")):
            found.append(full)
    found.sort(key=lambda p: (-_mtime(p), p))
    return found


class Glob(Tool):
    name = "Glob"
    description = (
        "Find files by glob pattern (e.g. `**/*.py`, `src/**/*.{ts,tsx}`). Results are workspace-relative, "
        "newest first."
    )
    read_only = True

    class Input(ToolInput):
        pattern: str
        path: str | None = Field(default=None, description="Directory to search in; the workspace if absent")

    async def run(self, args: Input, ctx: ToolContext) -> str:
        base = _search_base(ctx, args.path)
        if not base.is_dir():
            raise ToolError(f"{relative(ctx.workspace, base)} is not a directory")
        pattern = args.pattern
        if os.path.isabs(pattern):
            # An absolute pattern is fine when it points into the search base (spelled either way).
            spellings = {str(base), str(ctx.workspace / relative(ctx.workspace, base))}
            prefix = next((p.rstrip("/") + "/" for p in spellings if pattern.startswith(p.rstrip("/") + "/")), None)
            if prefix is None:
                raise ToolError(f"path escapes the workspace: {pattern}")
            pattern = pattern[len(prefix) :]
        if "\x00" in pattern or ".." in pattern.split("/"):
            raise ToolError(f"path escapes the workspace: {args.pattern}")
        root = os.path.realpath(ctx.workspace)
        found = await asyncio.to_thread(_glob, root, str(base), pattern)
        if not found:
            return "No files found"
        # relpath, not relative(): a symlinked file is listed under its own name, not its target's
        shown = [os.path.relpath(p, root).replace(os.sep, "/") for p in found[:MAX_GLOB_RESULTS]]
        text = "\n".join(shown)
        if len(found) > MAX_GLOB_RESULTS:
            text += (
                f"\n… [{len(found) - MAX_GLOB_RESULTS} more files not shown "
                f"(first {MAX_GLOB_RESULTS} of {len(found)}); narrow the pattern or path]"
            )
        return cap_output(text, ctx.limits.output_cap_chars)


@dataclass
class _GrepJob:
    rx: re.Pattern[str]
    mode: str
    numbers: bool
    before: int
    after: int
    file_filter: re.Pattern[str] | None
    filter_on_name: bool
    limit: int | None  # stop gathering once this many output lines exist


def _open_grep_target(root: str, dir_fd: int | None, name: str, full: str) -> int | None:
    """A read fd for one file of the search, or None to skip it.

    A symlinked file found by :func:`_walk_files` (which kept it because it resolves inside the
    workspace) is opened at its resolved target through the workspace's ``O_NOFOLLOW`` walk, so a
    link swapped to point outside after the walk checked it is skipped, not followed.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        return os.open(name, flags | os.O_NOFOLLOW, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno != errno.ELOOP or dir_fd is None:
            return None
    target = Path(os.path.realpath(full))
    if not target.is_relative_to(root):
        return None
    try:
        return open_file(Path(root), target, flags)
    except (ToolError, OSError):
        return None


def _grep_file(job: _GrepJob, fd: int | None, rel: str) -> tuple[int, list[str]]:
    """(match count, output lines) for one file, read from ``fd``; binary files count as no match."""
    if fd is None:
        return 0, []
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            return 0, []
    except OSError:
        os.close(fd)
        return 0, []
    with open(fd, "rb") as f:
        if _is_binary(f.read(BINARY_SNIFF)):
            return 0, []
        f.seek(0)
        count = 0
        out: list[str] = []
        before: deque[tuple[int, str]] = deque(maxlen=job.before)
        after_left, last_printed = 0, 0
        want_lines = job.mode == "content"
        for n, raw in enumerate(f, start=1):
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            if job.rx.search(line):
                count += 1
                if job.mode == "files_with_matches":
                    return 1, []
                if want_lines:
                    first = before[0][0] if before else n
                    if out and (job.before or job.after) and first > last_printed + 1:
                        out.append("--")  # a gap between context groups, as grep marks it
                    for bn, bl in before:
                        out.append(_grep_line(rel, bn, bl, job.numbers, "-"))
                    before.clear()
                    out.append(_grep_line(rel, n, line, job.numbers, ":"))
                    last_printed, after_left = n, job.after
                    if job.limit is not None and len(out) >= job.limit:
                        break
                continue
            if want_lines and after_left:
                out.append(_grep_line(rel, n, line, job.numbers, "-"))
                last_printed, after_left = n, after_left - 1
            elif job.before:
                before.append((n, line))
        return count, out


def _grep_line(rel: str, n: int, line: str, numbers: bool, sep: str) -> str:
    return f"{rel}{sep}{n}{sep}{_cut_line(line)}" if numbers else f"{rel}{sep}{_cut_line(line)}"


def _grep(job: _GrepJob, root: str, base: str) -> list[tuple[str, float, int, list[str]]]:
    """(rel, mtime, count, lines) of every file that matched."""
    results: list[tuple[str, float, int, list[str]]] = []
    total_lines = 0
    single = os.path.isfile(base)
    if single:
        targets: Iterator[tuple[str, int | None, str]] = iter([(base, None, base)])
    else:
        targets = _walk_files(root, base)
    for full, dir_fd, name in targets:
        if not single and is_secret_file(name):
            continue  # searched only when named (and then the person is asked first): .env, keys
        if job.file_filter is not None and not single:
            key = os.path.basename(full) if job.filter_on_name else os.path.relpath(full, base)
            if not job.file_filter.match(key.replace(os.sep, "/")):
                continue
        rel = os.path.relpath(full, root).replace(os.sep, "/")
        count, lines = _grep_file(job, _open_grep_target(root, dir_fd, name, full), rel)
        if count:
            if job.mode == "content" and results and lines:
                lines = ["--", *lines] if job.before or job.after else lines
            results.append((rel, _mtime(full), count, lines))
            total_lines += len(lines) or 1
            if job.limit is not None and total_lines >= job.limit and job.mode == "content":
                break
    return results


class Grep(Tool):
    name = "Grep"
    description = (
        "Search file contents with a regular expression (Python `re` syntax). output_mode: "
        "files_with_matches (default), content (matching lines; -n line numbers, -A/-B/-C context) or count. "
        "glob filters files (e.g. `*.py`); binary files and .git are skipped."
    )
    read_only = True

    class Input(ToolInput):
        pattern: str = Field(description="A Python regular expression")
        path: str | None = Field(default=None, description="File or directory to search; the workspace if absent")
        glob: str | None = Field(default=None, description="Only files matching this glob, e.g. `*.py`")
        output_mode: Literal["files_with_matches", "content", "count"] = "files_with_matches"
        case_insensitive: bool = Field(default=False, alias="-i", description="Ignore case")
        line_numbers: bool = Field(default=True, alias="-n", description="Line numbers in content mode")
        after: int | None = Field(default=None, ge=0, alias="-A", description="Lines of context after a match")
        before: int | None = Field(default=None, ge=0, alias="-B", description="Lines of context before a match")
        context: int | None = Field(default=None, ge=0, alias="-C", description="Lines of context around a match")
        head_limit: int | None = Field(default=None, ge=1, description="Show only the first N lines or files")

    async def run(self, args: Input, ctx: ToolContext) -> str:
        base = _search_base(ctx, args.path)
        if not (base.is_dir() or base.is_file()):  # a FIFO would block the walk's open
            raise ToolError(f"{relative(ctx.workspace, base)} is not a regular file or directory")
        try:
            rx = re.compile(args.pattern, re.IGNORECASE if args.case_insensitive else 0)
        except re.error as exc:
            raise ToolError(f"invalid regular expression {args.pattern!r}: {exc}") from None
        job = _GrepJob(
            rx=rx,
            mode=args.output_mode,
            numbers=args.line_numbers,
            before=args.before if args.before is not None else (args.context or 0),
            after=args.after if args.after is not None else (args.context or 0),
            file_filter=glob_regex(args.glob) if args.glob else None,
            filter_on_name=bool(args.glob) and "/" not in (args.glob or ""),
            # one line more than asked, so the note below knows whether anything was left out
            limit=args.head_limit + 1 if args.head_limit else None,
        )
        root = os.path.realpath(ctx.workspace)
        results = await asyncio.to_thread(_grep, job, root, str(base))
        if not results:
            return "No matches found"
        if args.output_mode == "content":
            lines = [line for _rel, _m, _c, ls in results for line in ls]
        elif args.output_mode == "count":
            lines = [f"{rel}:{count}" for rel, _m, count, _l in results]
        else:
            results.sort(key=lambda r: (-r[1], r[0]))
            lines = [rel for rel, *_ in results]
        shown = lines[: args.head_limit] if args.head_limit else lines
        if args.output_mode == "files_with_matches":
            text = f"Found {len(results)} file{'s' if len(results) != 1 else ''}\n" + "\n".join(shown)
        elif args.output_mode == "count":
            total = sum(r[2] for r in results)
            text = "\n".join(shown) + f"\n\n{total} matches in {len(results)} files"
        else:
            text = "\n".join(shown)
        if args.head_limit and len(lines) > args.head_limit:
            text += f"\n… [stopped at head_limit={args.head_limit}]"
        return cap_output(text, ctx.limits.output_cap_chars)


class _ListingFull(Exception):
    pass


def _ls(dir_fd: int, prefix: str, ignore: list[re.Pattern[str]], out: list[str], rel: str) -> None:
    entries = []
    with os.scandir(dir_fd) as it:
        for e in it:
            if e.name in SKIP_DIRS or e.name == "__pycache__":
                continue
            path = f"{rel}/{e.name}" if rel else e.name
            if any(p.match(e.name) or p.match(path) for p in ignore):
                continue
            entries.append((not e.is_dir(follow_symlinks=False), e.name, e.is_symlink()))
    for is_file, name, is_link in sorted(entries):
        if len(out) >= MAX_LS_ENTRIES:
            out.append(f"{prefix}… [listing stopped at {MAX_LS_ENTRIES} entries; list a subdirectory]")
            raise _ListingFull
        if is_link:
            out.append(f"{prefix}- {name}@")
        elif is_file:
            out.append(f"{prefix}- {name}")
        else:
            out.append(f"{prefix}- {name}/")
            try:
                sub = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
            except OSError:
                continue
            try:
                _ls(sub, prefix + "  ", ignore, out, f"{rel}/{name}" if rel else name)
            finally:
                os.close(sub)


class LS(Tool):
    name = "LS"
    description = "List a directory in the workspace as a tree (directories end in `/`, symlinks in `@`)."
    read_only = True

    class Input(ToolInput):
        path: str = "."
        ignore: list[str] | None = Field(default=None, description="Glob patterns of names to leave out")

    async def run(self, args: Input, ctx: ToolContext) -> str:
        real = resolve(ctx.workspace, args.path, must_exist=True)
        rel = relative(ctx.workspace, real)
        if not real.is_dir():
            raise ToolError(f"{rel} is not a directory")
        ignore = [glob_regex(p) for p in args.ignore or []]
        # open the listed directory through the same symlink-refusing walk as a file
        root = os.path.realpath(ctx.workspace)
        if real == Path(root):
            fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        else:
            parent, name = open_parent(ctx.workspace, real)
            try:
                fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=parent)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise ToolError(f"path escapes the workspace: {rel} (a symlink appeared)") from None
                raise ToolError(f"{rel}: {exc.strerror}") from None
            finally:
                os.close(parent)
        out: list[str] = [f"- {rel}/"]

        def walk() -> None:
            try:
                _ls(fd, "  ", ignore, out, "" if rel == "." else rel)
            except _ListingFull:
                pass
            finally:
                os.close(fd)

        await asyncio.to_thread(walk)
        if len(out) == 1:
            out.append("  (empty)")
        return cap_output("\n".join(out), ctx.limits.output_cap_chars)


READ, WRITE, EDIT, MULTI_EDIT, GLOB, GREP, LS_TOOL = Read(), Write(), Edit(), MultiEdit(), Glob(), Grep(), LS()
FILE_TOOLS: list[Tool] = [READ, WRITE, EDIT, MULTI_EDIT, GLOB, GREP, LS_TOOL]
