"""``--detach``, ``partytui attach`` and ``partytui stop``: a team that runs without a terminal, and views on it.

``run``/``demo``/``resume --detach`` start the same command again as a background process in a session of
its own (stdin from /dev/null, output to ``<id>.out`` beside the log); that process builds the team, opens
the team socket, says it is ready through a pipe, and runs the team until it ends.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..cli import EXIT_FAILED, CliError
from ..core.attach.running import RunningTeam, output_path, running_team, running_teams
from ..core.truth.sessions import SessionNotFound, find_session, session_dir
from ..core.views.plain import plain
from ..core.views.progress import ProgressPrinter

if TYPE_CHECKING:
    from .run import Prepared

STOP_TIMEOUT_S = 60
ENV_READY_FD = "PARTYTUI_TEAM_READY_FD"  # set only for the background process: where it says it is ready


def is_team_process() -> bool:
    return ENV_READY_FD in os.environ


# ── the terminal's side ─────────────────────────────────────────────────────


def start_detached(argv: list[str]) -> int:
    """Start ``partytui ARGV`` (with --detach) in the background; print its session once it is ready."""
    read_end, write_end = os.pipe()
    env = dict(os.environ, **{ENV_READY_FD: str(write_end)})
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "partytui", *argv],
            stdin=subprocess.DEVNULL,
            pass_fds=(write_end,),
            start_new_session=True,  # no terminal: closing this one (or losing SSH) does not reach it
            env=env,
        )
    finally:
        os.close(write_end)
    with os.fdopen(read_end, "rb") as ready:
        line = ready.readline()  # until the team says it runs, or its process ends
    if not line:
        code = child.wait()  # bad input was printed by the process itself, to this terminal
        return code or EXIT_FAILED
    info = json.loads(line)
    sid = info["session"]
    print(
        f"session {sid} runs in the background (process {info['pid']})\n"
        f"  watch and answer:  partytui attach {sid}   (or: partytui attach --last)\n"
        f"  stop it:           partytui stop {sid}\n"
        f"  its output:        {info['out']}\n"
        f"  session log:       {info['log']}"
    )
    return 0


# ── the background process ──────────────────────────────────────────────────


def run_team_process(prepared: Prepared) -> int:
    """Run a prepared team with no terminal: viewers attach through its socket; requests wait for them."""
    ready_fd = int(os.environ.pop(ENV_READY_FD))  # not inherited by what the agents run
    out = output_path(prepared.log_path)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    prepared.team.broker.human_attached = True  # nobody may be watching now; somebody may attach later
    return asyncio.run(_serve_team(prepared, ready_fd, out))


async def _serve_team(prepared: Prepared, ready_fd: int, out: Path) -> int:
    from ..core.attach.team_socket import TeamSocket

    team, session = prepared.team, prepared.session
    door = TeamSocket(team, prepared.log_path)
    await door.start()
    session.subscribe(ProgressPrinter(lambda: session.state, sys.stdout))
    prepared.start()
    session.flush()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, team.stop, "stopped by SIGTERM")
    info = {"session": prepared.log_path.stem, "pid": os.getpid(), "log": str(prepared.log_path), "out": str(out)}
    os.write(ready_fd, json.dumps(info).encode() + b"\n")
    os.close(ready_fd)
    code = 1
    try:
        code = await team.run()
    finally:
        await door.close(team.status, code)
    print(plain(f"partytui: the run ended: {team.status} {team.reason}".rstrip()), flush=True)  # the lead's words
    return code


# ── attach and stop ─────────────────────────────────────────────────────────


def _detached_session(args: argparse.Namespace) -> RunningTeam:
    """The running detached team that ``SESSION`` or ``--last`` names."""
    folder = session_dir(getattr(args, "session_dir", None))
    if getattr(args, "last", False) or not args.session:
        teams = [t for t in running_teams(folder).values() if t.detached]
        if not teams:
            raise CliError(f"no session is running detached in {folder}; start one with: partytui demo --detach")
        return max(teams, key=lambda t: t.session_id)  # ids begin with their start time
    try:
        log_path = find_session(args.session, getattr(args, "session_dir", None))
    except SessionNotFound as exc:
        raise CliError(str(exc)) from None
    team = running_team(log_path)
    if team is None:
        raise CliError(
            f"session {log_path.stem} is not running; resume it in the background with: "
            f"partytui resume {log_path.stem} --detach"
        )
    if not team.detached:
        raise CliError(f"session {log_path.stem} runs in a terminal (process {team.pid}), not detached")
    return team


def attach(args: argparse.Namespace) -> int:
    from ..core.attach.attached import AttachedSource, TeamLink
    from ..tui.app import make_app

    token = os.environ.get(ENV_TOKEN_SHA256) or None
    if args.pick and (args.session or args.last):
        raise CliError("--pick chooses from the list of running sessions: name a session, or say --pick, not both")
    if args.pick:
        source = AttachedSource(
            None, read_only=args.read_only, token_sha256=token, folder=session_dir(getattr(args, "session_dir", None))
        )
    else:
        team = _detached_session(args)
        source = AttachedSource(
            TeamLink(team.log_path, role="read-only" if args.read_only else "control"),
            read_only=args.read_only,
            token_sha256=token,
        )
    app = make_app(source)
    app.run()
    if app.return_code:  # the view itself failed (Textual printed why); the team is not touched
        return app.return_code
    link = source.link
    if link is None:  # left the list without picking a session
        return 0
    sid = link.session_id
    if link.ended is not None:
        print(
            plain(f"session {sid}: the run ended ({link.ended.get('status')}). Summary: partytui summary {sid}"),
            file=sys.stderr,
        )
        return 0
    print(
        plain(
            f"detached from session {sid}; the team goes on.\n"
            f"  attach again: partytui attach {sid}\n"
            f"  stop it:      partytui stop {sid}"
        ),
        file=sys.stderr,
    )
    return 0


ENV_TOKEN_SHA256 = "PARTYTUI_ANSWER_TOKEN_SHA256"  # set by `partytui serve` for the views it starts


def stop(args: argparse.Namespace) -> int:
    from ..core.attach.attached import TeamLink, TeamUnreachable

    if not args.session and not args.last:
        raise CliError("name the session to stop (partytui stop SESSION), or say --last")
    team = _detached_session(args)

    async def ask() -> dict | None:
        link = TeamLink(team.log_path)
        reader = await link.connect()
        link.send("stop")
        await asyncio.wait_for(link.run(reader), STOP_TIMEOUT_S)
        return link.ended

    try:
        ended = asyncio.run(ask())
    except TeamUnreachable as exc:
        raise CliError(str(exc), EXIT_FAILED) from None
    except TimeoutError:
        raise CliError(f"session {team.session_id} did not stop within {STOP_TIMEOUT_S} s", EXIT_FAILED) from None
    status = (ended or {}).get("status", "cancelled")
    print(
        plain(
            f"session {team.session_id} stopped ({status}); the log says so.\n"
            f"  go on later: partytui resume {team.session_id} --detach"
        )
    )
    return 0


# ── serve ───────────────────────────────────────────────────────────────────

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def serve(args: argparse.Namespace) -> int:
    """The attached TUI in a browser: every page starts read-only; the printed token unlocks answering."""
    try:
        from textual_serve.server import Server
    except ImportError:
        raise CliError("serving to a browser needs textual-serve: pip install 'partytui[serve]'") from None
    import hashlib
    import secrets
    import shlex

    folder = session_dir(getattr(args, "session_dir", None))
    detached = [t for t in running_teams(folder).values() if t.detached]
    team = None
    if args.session or args.last or len(detached) == 1:
        team = _detached_session(args)
        folder = team.log_path.parent
        what, command = f"session {team.session_id}", ["attach", team.session_id]
    else:  # none running, or several: each page starts on the list of running sessions and picks one
        what, command = f"the sessions running in {folder}", ["attach", "--pick"]
    command = [sys.executable, "-m", "partytui", *command, "--read-only", "--session-dir", str(folder)]
    token = None if args.read_only else secrets.token_urlsafe(18)
    # the views the server starts inherit this environment: they compare a given token with its digest
    os.environ.pop(ENV_TOKEN_SHA256, None)
    if token is not None:
        os.environ[ENV_TOKEN_SHA256] = hashlib.sha256(token.encode()).hexdigest()
    url = f"http://{'[' + args.host + ']' if ':' in args.host else args.host}:{args.port}"
    print(f"partytui serves {what} at {url}")
    if token is None:
        print("  read-only: every page watches; nobody can answer or control from the browser")
    else:
        print(f"  every page starts read-only; to answer and control, press u there and give this token:\n    {token}")
    if args.host not in LOOPBACK:
        print(
            f"  warning: {args.host} is reachable from other machines and this is plain HTTP — "
            "put TLS in front (a reverse proxy with https) before anyone types the token there"
        )
    sys.stdout.flush()
    title = f"partytui — {team.session_id}" if team is not None else "partytui — sessions"
    Server(shlex.join(command), host=args.host, port=args.port, title=title).serve()
    return 0
