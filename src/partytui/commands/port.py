"""``partytui import`` and ``partytui export``: sessions in from Claude Code, readable reports out."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from ..cli import EXIT_OK, CliError
from ..core.log import LogError, SessionLog, read_log
from ..core.plain import plain
from ..core.sessions import SessionNotFound, find_session, session_dir
from ..core.state import fold


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader never sees half a file (temp file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
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
    # SessionLog applies the same secret redaction as a live session; it writes to a temp file we rename
    out.parent.mkdir(parents=True, exist_ok=True)
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
    state = fold(contents.events)
    render = export_html if args.format == "html" else export_markdown
    text = render(state, contents.events)
    if not args.output:
        sys.stdout.write(text)
        return EXIT_OK
    out = Path(args.output).expanduser()
    try:
        write_atomically(out, text)
    except OSError as exc:
        raise CliError(f"cannot write {out}: {exc.strerror or exc}") from None
    print(f"wrote {out}", file=sys.stderr)
    return EXIT_OK
