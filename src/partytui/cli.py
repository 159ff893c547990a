"""The ``partytui`` command: parses arguments, then hands off to one module per command.

Handlers are imported only when their command runs, so ``partytui --help`` stays fast.
Exit codes: 0 done, 1 failed, 2 bad input or usage, 3 waiting for a human.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from typing import Any

from .core.views.plain import plain

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_WAITING = 0, 1, 2, 3


class CliError(Exception):
    """A problem the person can fix (a bad file, a bad argument): printed, exit 2, never a traceback."""

    def __init__(self, message: str, code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.code = code


def _number(text: str, cast: Callable[[str], float], what: str, low: float) -> float:
    try:
        value = cast(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not {what}: {text!r}") from None
    if value < low:
        raise argparse.ArgumentTypeError(f"must be {low} or more" if low else "cannot be negative")
    return value


def _speed(text: str) -> float:
    return _number(text, float, "a number", 0)


def _count(text: str) -> int:
    return int(_number(text, int, "a whole number", 1))


def _running_session_options(p: argparse.ArgumentParser, session_help: str) -> None:
    """How attach, stop and serve name a session running detached."""
    p.add_argument("session", nargs="?", help=session_help)
    p.add_argument("--last", action="store_true", help="the session started last of those running detached")
    p.add_argument("--session-dir", metavar="DIR")


def _run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--agents", action="append", metavar="DIR", help="a directory of agent files (repeatable)")
    p.add_argument("--scenario", metavar="FILE", help="run a scripted scenario offline instead of the API")
    p.add_argument("--workspace", metavar="DIR", help="the directory the agents work in")
    p.add_argument("--session-dir", metavar="DIR", help="where session logs go (env PARTYTUI_SESSION_DIR)")
    p.add_argument("--headless", action="store_true", help="no TUI: print progress lines")
    p.add_argument(
        "--approve",
        metavar="all|none|POLICY_FILE",
        help="answer requests for a human by policy (headless); without it the first request exits 3",
    )
    p.add_argument("--speed", type=_speed, default=1.0, help="scripted pacing: 2 = twice as fast, 0 = no delays")
    p.add_argument("--model", metavar="ID", help="the model for agents that say 'inherit' or name none")
    p.add_argument(
        "--allow-unsandboxed-bash",
        action="store_true",
        help="where bubblewrap is missing, let Bash run without asking you first (default: ask)",
    )
    p.add_argument(
        "--detach",
        action="store_true",
        help="run the team in the background; print its session id and return (see: partytui attach)",
    )


def _runtime_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--runtime",
        choices=["api", "claude-code"],
        help="how every agent runs: partytui's own loop on the Messages API, or a real Claude Code session "
        "(the claude-code extra); default: the config file's choice, else api with an API key, else Claude Code",
    )


class Parser(argparse.ArgumentParser):
    """argparse without prefix matching: ``--headles`` is an error, never a guess at ``--headless``.

    Every subcommand's parser is one too (``add_subparsers`` builds them with the parent's class).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="partytui", description="Supervise a team of AI coding agents from your terminal.")
    parser.add_argument("--version", action="version", version="partytui 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "demo",
        help="watch the scripted demo team build something (offline)",
        description="A scripted team (no API key, nothing leaves the machine) builds a small notes tool and stops "
        "to ask you: a question, a design, a migration. Its answers to you are scripted; what it "
        "does depends on yours.",
    )
    _runtime_option(p)
    p.add_argument("--headless", action="store_true", help="no TUI: print progress lines")
    p.add_argument(
        "--approve",
        metavar="all|none|POLICY_FILE",
        help="answer the requests by policy (with --headless); without it the first request exits 3",
    )
    p.add_argument(
        "--speed", type=_speed, default=1.0, help="pacing of the script: 2 = twice as fast, 0 = no delays (default 1)"
    )
    p.add_argument(
        "--workspace",
        metavar="DIR",
        help="where the team writes its files (default: a new folder beside the session log)",
    )
    p.add_argument("--session-dir", metavar="DIR", help="where session logs go (env PARTYTUI_SESSION_DIR)")
    p.add_argument(
        "--detach",
        action="store_true",
        help="run the team in the background; print its session id and return (see: partytui attach)",
    )
    p.add_argument(
        "--allow-unsandboxed-bash",
        action="store_true",
        help="where bubblewrap is missing, let Bash run without asking you first (default: ask)",
    )
    p.set_defaults(handler="partytui.commands.run:demo")

    p = sub.add_parser("run", help="run a team (or one agent) on a goal")
    p.add_argument("goal", nargs="?", help="what the team should do")
    p.add_argument("--agent", metavar="NAME", help="run this one agent instead of the team")
    p.add_argument("--prompt", metavar="TEXT", help="the prompt for --agent")
    _runtime_option(p)
    _run_options(p)
    p.set_defaults(handler="partytui.commands.run:run")

    p = sub.add_parser("resume", help="continue an interrupted session from its log")
    p.add_argument("session", nargs="?", help="a session log (.jsonl) or a session id")
    p.add_argument("--last", action="store_true", help="the most recent session that can be continued")
    p.add_argument(
        "--trust-log",
        action="store_true",
        help="continue even where the log names folders partytui has no record of starting it with, "
        "or does not add up (without it, resume shows them and stops, exit code 2)",
    )
    _run_options(p)
    p.set_defaults(handler="partytui.commands.run:resume")

    p = sub.add_parser("sessions", help="list recent sessions, newest first")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--limit", type=_count, default=20, metavar="N", help="at most N sessions (default 20)")
    p.add_argument("--all", action="store_true", help="every session")
    p.add_argument("--session-dir", metavar="DIR")
    p.set_defaults(handler="partytui.commands.sessions:main")

    p = sub.add_parser("attach", help="open the TUI on a session running in the background (--detach)")
    _running_session_options(p, "a session id or log (default: the latest running one)")
    p.add_argument("--pick", action="store_true", help="choose from a list of the sessions running detached")
    p.add_argument("--read-only", action="store_true", help="watch only: answer and control nothing")
    p.set_defaults(handler="partytui.commands.detach:attach")

    p = sub.add_parser("stop", help="stop a session running in the background (resume goes on later)")
    _running_session_options(p, "a session id or log")
    p.set_defaults(handler="partytui.commands.detach:stop")

    p = sub.add_parser("serve", help="show a running session in a browser (needs partytui[serve])")
    _running_session_options(
        p, "a session id or log (default: the one running detached; with none or several, a list to pick from)"
    )
    p.add_argument("--port", type=int, default=8000, help="the port (default 8000)")
    p.add_argument(
        "--host", default="127.0.0.1", help="the address to bind (default 127.0.0.1; wider needs TLS in front)"
    )
    p.add_argument("--read-only", action="store_true", help="nobody answers or controls from the browser")
    p.set_defaults(handler="partytui.commands.detach:serve")

    p = sub.add_parser("summary", help="the final state of a session")
    p.add_argument("session", help="a session log (.jsonl) or a session id")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--session-dir", metavar="DIR")
    p.set_defaults(handler="partytui.commands.summary:main")

    p = sub.add_parser("replay", help="watch a recorded session again")
    p.add_argument("session", help="a session log (.jsonl) or a session id")
    p.add_argument("--headless", action="store_true", help="print the final summary instead")
    p.add_argument("--session-dir", metavar="DIR")
    p.set_defaults(handler="partytui.commands.replay:main")

    p = sub.add_parser("import", help="convert another tool's session into a partytui session log")
    p.add_argument("source", choices=["claude-code"], help="the format to import")
    p.add_argument("path", help="a transcript file (.jsonl) or a session directory")
    p.add_argument("-o", "--output", metavar="OUT.jsonl")
    p.set_defaults(handler="partytui.commands.port:import_main")

    p = sub.add_parser("export", help="write a readable report of a session")
    p.add_argument("session", help="a session log (.jsonl) or a session id")
    p.add_argument("--format", choices=["md", "html"], default="md")
    p.add_argument("-o", "--output", metavar="FILE")
    p.add_argument("--session-dir", metavar="DIR")
    p.set_defaults(handler="partytui.commands.port:export_main")

    p = sub.add_parser("agents", help="list the agents found in agent directories")
    p.add_argument("dirs", nargs="*", metavar="DIR", help="directories or files (default: the shipped team)")
    p.set_defaults(handler="partytui.commands.agents:main")

    p = sub.add_parser("bench", help="measure streaming, approvals, memory, the log and start-up")
    p.add_argument("--quick", action="store_true", help="a short run (seconds) that checks the benchmark works")
    p.add_argument("--compare", metavar="FILE", help="an earlier run's --json file: print each number's ratio to it")
    p.add_argument(
        "--runtimes",
        action="store_true",
        help="only section 6: 1, 4 and 8 agents on the API loop and as Claude Code sessions",
    )
    p.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    p.set_defaults(handler="partytui.commands.bench:main")
    return parser


def _load(path: str) -> Callable[[argparse.Namespace], int]:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # what --detach starts again in the background
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return _load(args.handler)(args)
    except CliError as exc:
        print(plain(f"partytui: {exc}"), file=sys.stderr)  # it may quote a hostile file or log
        return exc.code
    except KeyboardInterrupt:
        print("partytui: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
