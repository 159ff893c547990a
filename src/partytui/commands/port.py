"""``partytui import`` and ``partytui export``: sessions in from Claude Code, readable reports out."""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
from pathlib import Path

from ..cli import EXIT_OK, CliError
from ..core.truth.evidence import warn_about
from ..core.truth.log import LogError, SessionLog, read_log
from ..core.truth.sessions import SessionNotFound, find_session, session_dir
from ..core.truth.state import fold
from ..core.views.plain import plain


def require_folder(path: Path) -> None:
    """An output path's folder must exist: a typo in it is an error, not a new directory tree."""
    folder = path.parent
    if not folder.is_dir():
        why = "is not a directory" if folder.exists() else "no such directory"
        raise CliError(f"{path}: {folder} {why} (create it first, or write elsewhere)")


def _new_file_beside(path: Path) -> tuple[int, str]:
    """A new temporary file in ``path``'s folder, created 0666 so the umask decides its permissions as for any
    file the person writes (mkstemp's 0600 would survive the rename and hide a report from its readers)."""
    while True:
        tmp = str(path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666), tmp
        except FileExistsError:
            continue


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader never sees half a file (temp file, then rename).

    The folder must exist (see :func:`require_folder`); the file gets the permissions the umask gives.
    """
    fd, tmp = _new_file_beside(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def import_main(args: argparse.Namespace) -> int:
    from ..replay.claude_code import import_claude_code

    source = Path(args.path).expanduser()
    if not source.exists():
        raise CliError(f"{source}: no such file or directory")
    result = import_claude_code(source)
    for problem in result.problems:
        print(plain(f"partytui: {problem}"), file=sys.stderr)
    if not result.events:
        raise CliError(f"nothing could be imported from {source}")
    session_id = result.events[0].session_id if hasattr(result.events[0], "session_id") else source.stem
    out = Path(args.output).expanduser() if args.output else session_dir() / f"{session_id}.jsonl"
    if out.suffix != ".jsonl":
        raise CliError(f"{out}: the output must be a .jsonl session log")
    if args.output:
        require_folder(out)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)  # partytui's own sessions folder
    # SessionLog applies the same secret redaction as a live session; it writes to a temp file we rename
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    os.close(fd)
    try:
        log = SessionLog(Path(tmp))
        try:
            for event in result.events:
                log.append(event)
        finally:
            log.close()
        os.replace(tmp, out)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise CliError(f"cannot write {out}: {exc.strerror or exc}") from None
    skipped = f", {result.stats.skipped_lines} lines skipped" if result.stats.skipped_lines else ""
    print(plain(f"imported {source.name}: {result.stats.line()}{skipped} → {out}"))
    return EXIT_OK


def export_main(args: argparse.Namespace) -> int:
    from ..replay.export import export_html, export_markdown

    try:
        path = find_session(args.session, getattr(args, "session_dir", None))
        contents = read_log(path)
    except (SessionNotFound, LogError) as exc:
        raise CliError(str(exc)) from None
    if not contents.events:
        raise CliError(f"{path}: the session log is empty")
    warn_about(contents, path)
    state = fold(contents.events)
    render = export_html if args.format == "html" else export_markdown
    text = render(state, contents.events)
    if not args.output:
        sys.stdout.write(text)
        return EXIT_OK
    out = Path(args.output).expanduser()
    require_folder(out)
    try:
        write_atomically(out, text)
    except OSError as exc:
        raise CliError(f"cannot write {out}: {exc.strerror or exc}") from None
    print(f"wrote {out}", file=sys.stderr)
    return EXIT_OK
