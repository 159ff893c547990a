"""The workspace boundary: every path a tool touches is resolved here, and files are opened here.

``resolve`` turns what the model wrote into a real path inside the workspace or refuses it. The ``open_*``
helpers then walk from the workspace directory one component at a time with ``O_NOFOLLOW``, so a
symlink swapped in between the check and the open is refused rather than followed.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .base import ToolError

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def _escapes(path: str, why: str = "") -> ToolError:
    return ToolError(f"path escapes the workspace: {path}" + (f" ({why})" if why else ""))


def resolve(workspace: Path, path: str, *, must_exist: bool = False) -> Path:
    """The real path ``path`` names inside ``workspace``; relative paths start at the workspace."""
    if not isinstance(path, str) or path == "":
        raise ToolError("a path is required")
    if "\x00" in path:
        raise _escapes(repr(path), "NUL byte")
    if path.startswith("~"):
        # The model means the user's home; the shell's HOME is the workspace, so say so plainly.
        raise _escapes(path, "'~' is outside; use a workspace-relative path")
    root = os.path.realpath(workspace)
    joined = path if os.path.isabs(path) else os.path.join(root, path)
    real = Path(os.path.realpath(joined))
    if not real.is_relative_to(root):
        raise _escapes(path)
    if must_exist and not real.exists():
        raise ToolError(f"no such file or directory: {relative(workspace, real)}")
    return real


def relative(workspace: Path, path: Path | str) -> str:
    """``path`` as a workspace-relative posix string ("." for the workspace itself)."""
    root = os.path.realpath(workspace)
    p = path if os.path.isabs(path) else os.path.join(root, path)
    real = Path(os.path.realpath(p))
    if not real.is_relative_to(root):
        raise _escapes(str(path))
    return real.relative_to(root).as_posix() or "."


def _parts(workspace: Path, real: Path) -> tuple[str, list[str]]:
    root = os.path.realpath(workspace)
    try:
        parts = list(real.relative_to(root).parts)
    except ValueError:
        raise _escapes(str(real)) from None
    return root, parts


def _is_link(name: str, dir_fd: int) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


def _open_dir_chain(root: str, parts: list[str], shown: str, *, create: bool) -> int:
    """An fd for the directory ``root/parts...``, refusing any symlink on the way."""
    fd = os.open(root, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    try:
        for name in parts:
            if create:
                try:
                    os.mkdir(name, 0o777, dir_fd=fd)
                except FileExistsError:
                    pass
            try:
                nxt = os.open(name, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR) and _is_link(name, fd):
                    raise _escapes(shown, "a symlink appeared on the way") from None
                if exc.errno == errno.ENOTDIR:
                    raise ToolError(f"{shown}: {name} is not a directory") from None
                if exc.errno == errno.ENOENT:
                    raise ToolError(f"no such file or directory: {shown}") from None
                raise ToolError(f"{shown}: {exc.strerror}") from None
            os.close(fd)
            fd = nxt
        return fd
    except BaseException:
        os.close(fd)
        raise


def open_parent(workspace: Path, real: Path, *, create: bool = False) -> tuple[int, str]:
    """(fd of the parent directory, final name) for a resolved path; ``create`` makes missing dirs."""
    root, parts = _parts(workspace, real)
    if not parts:
        raise ToolError("the workspace itself is a directory, not a file")
    shown = "/".join(parts)
    return _open_dir_chain(root, parts[:-1], shown, create=create), parts[-1]


def open_file(workspace: Path, real: Path, flags: int = os.O_RDONLY, mode: int = 0o644) -> int:
    """An fd for a resolved file path, opened without following a symlink anywhere below the workspace."""
    dir_fd, name = open_parent(workspace, real)
    shown = "/".join(_parts(workspace, real)[1])
    try:
        return os.open(name, flags | _NOFOLLOW | _CLOEXEC, mode, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _escapes(shown, "a symlink appeared") from None
        if exc.errno == errno.ENOENT:
            raise ToolError(f"no such file or directory: {shown}") from None
        if exc.errno == errno.EISDIR:
            raise ToolError(f"{shown} is a directory") from None
        raise ToolError(f"{shown}: {exc.strerror}") from None
    finally:
        os.close(dir_fd)


def cap_output(text: str, limit: int) -> str:
    """Keep the head of ``text`` and a note of how much was cut, together within ``limit`` characters."""
    if len(text) <= limit:
        return text
    keep = limit
    while True:  # the note's length depends on the count it reports; settle on both
        note = f"\n… [truncated {len(text) - keep} chars]"
        if limit - len(note) == keep:
            break
        keep = limit - len(note)
        if keep < 0:  # no room even for the note
            return text[:limit]
    return text[:keep] + note
