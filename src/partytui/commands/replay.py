"""``partytui replay SESSION [--headless]``: watch a recorded session again, or print its final summary."""

from __future__ import annotations

import argparse
import sys

from ..cli import CliError
from ..core.truth.events import EventBase
from ..core.truth.evidence import warn_about
from ..core.truth.log import LogError, read_log
from ..core.truth.sessions import SessionNotFound, find_session
from ..core.truth.state import fold
from ..core.views.summary import summarize
from .summary import render_text


def load_events(session: str, session_dir: str | None) -> tuple[str, list[EventBase]]:
    """The log's path and its events; a missing, unreadable or empty log is a ``CliError`` naming it."""
    try:
        path = find_session(session, session_dir)
        contents = read_log(path)
    except (SessionNotFound, LogError) as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"{session}: {exc.strerror or exc}") from None
    warn_about(contents, path)
    if not contents.events:
        raise CliError(f"{path}: no events to replay")
    if contents.torn_tail:
        print(
            f"partytui: {path}: the last line was cut short (a crash mid-write); replaying what came before",
            file=sys.stderr,
        )
    return str(path), contents.events


def main(args: argparse.Namespace) -> int:
    path, events = load_events(args.session, args.session_dir)  # a bad or empty log stops here, either way
    if args.headless or not sys.stdout.isatty():
        # the final state, folded by the same reducer the replay uses: what `partytui summary` prints
        print(render_text(summarize(fold(events))))
        return 0
    from ..replay.source import ReplaySource
    from ..tui.app import make_app

    app = make_app(ReplaySource.of_events(events, title=f"partytui — replay of {path.rsplit('/', 1)[-1]}"))
    app.run()
    return 0
