"""``partytui demo``, ``run`` and ``resume``: build a team from agent files, then run it in the TUI or headless."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..cli import EXIT_BAD_INPUT, CliError
from ..core.attach.running import AlreadyRunning, RunLock
from ..core.config import Config, ConfigError, load_config
from ..core.runtimes import AgentSpec, Backends
from ..core.team.approvals import ApprovalBroker
from ..core.team.definitions import AgentDefinition, AgentSet, load_agents, load_warnings
from ..core.team.orchestrator import Team
from ..core.team.policy import PolicyError, load_policy
from ..core.tools.base import Limits, ToolError
from ..core.tools.shell import UNSANDBOXED_ENV, unsandboxed_choice
from ..core.truth.events import SessionStarted
from ..core.truth.evidence import inconsistencies, record_origin, report, untrusted_folders
from ..core.truth.log import LogError, SessionLog, read_log, repair_torn_tail
from ..core.truth.session import Session
from ..core.truth.sessions import SessionNotFound, find_session, last_resumable, new_session_id, session_dir
from ..core.truth.state import fold
from ..core.views.plain import plain
from ..core.views.progress import ProgressPrinter
from ..resources import ResourceMissing, bundled_agents_dir, demo_scenario
from .detach import is_team_process, run_team_process, start_detached

if TYPE_CHECKING:
    from ..tui.app import PartyApp


@dataclass
class Prepared:
    session: Session
    team: Team
    log_path: Path
    headless: bool
    title: str
    start: Callable[[], None]  # emits the first events; called once listeners are attached
    lock: RunLock | None = None  # this process's claim on the log (core/attach/running.py)
    detach: bool = False
    config: Config = field(default_factory=Config)  # the TUI's settings (the approval delay, the alerts)
    confirm: str = ""  # what the person must accept before the team starts (a resume of a log in doubt)

    def close(self) -> None:
        """The run is over in this process: the log is closed and the claim on it released (else
        ``partytui sessions`` would go on calling it running)."""
        self.session.close()
        if self.lock is not None:
            self.lock.release()


def demo(args: argparse.Namespace) -> int:
    try:
        scenario = demo_scenario()
    except ResourceMissing as exc:
        raise CliError(str(exc)) from None
    args.scenario, args.goal, args.agent, args.prompt, args.agents, args.model = (
        str(scenario),
        None,
        None,
        None,
        None,
        None,
    )
    return run(args)


def run(args: argparse.Namespace) -> int:
    if _detaching(args):
        return start_detached(args.argv)
    return _execute(_prepare(args))


def _detaching(args: argparse.Namespace) -> bool:
    """Whether this is the terminal's side of ``--detach`` (it starts the background process and returns)."""
    return getattr(args, "detach", False) and not is_team_process()


def prepare_run(args: argparse.Namespace) -> Prepared:
    """A run built as ``partytui run`` builds it (``args`` as its parser gives them), not started yet.

    For callers that drive the app themselves, e.g. ``scripts/screenshots.py``.
    """
    return _prepare(args)


def resume(args: argparse.Namespace) -> int:
    if _detaching(args):
        return start_detached(args.argv)
    return _execute(_prepare_resume(args))


# ── building a run ──────────────────────────────────────────────────────────


def _config(args: argparse.Namespace) -> Config:
    try:
        config = load_config()
    except ConfigError as exc:
        raise CliError(str(exc)) from None
    if getattr(args, "model", None):
        config = config.model_copy(update={"default_model": args.model})
    return config


def _limits(args: argparse.Namespace, config: Config) -> Limits:
    """The run's limits; unsandboxed Bash: the flag, else $PARTYTUI_UNSANDBOXED_BASH, else the config, else ask."""
    if getattr(args, "allow_unsandboxed_bash", False):
        return Limits(unsandboxed_bash="allow")
    try:
        return Limits(unsandboxed_bash=unsandboxed_choice(os.environ.get(UNSANDBOXED_ENV) or config.unsandboxed_bash))
    except ToolError as exc:
        raise CliError(str(exc)) from None


def _load_team_files(dirs: list[Path]) -> AgentSet:
    for folder in dirs:
        if not folder.exists():
            raise CliError(f"{folder}: no such agents directory")
    agents = load_agents(dirs)
    for error in agents.errors:
        print(f"partytui: skipped {error}", file=sys.stderr)
    if not agents.agents:
        raise CliError(f"no valid agent files in {', '.join(map(str, dirs))}")
    return agents


def _warn(agents: AgentSet, members: list[AgentSpec]) -> list[str]:
    """The load warnings of the agents that run, each for its own runtime (what ``partytui agents`` says of
    them), printed now."""
    running = {m.name: m.runtime for m in members}
    lines = load_warnings(AgentSet(agents=[a for a in agents.agents if a.name in running]), running)
    for line in lines:
        print(f"partytui: {plain(line)}", file=sys.stderr)
    return lines


def _members(
    agents: AgentSet, config: Config, *, solo: str | None, runtime: str = "api", per_agent: dict[str, str] | None = None
) -> list[AgentSpec]:
    chosen: list[AgentDefinition]
    if solo:
        definition = agents.get(solo)
        if definition is None:
            names = ", ".join(a.name for a in agents.agents)
            raise CliError(f"no agent named {solo!r} (found: {names})")
        chosen = [definition]
    else:
        chosen = list(agents.agents)
        if agents.lead is None:
            # the user's agents are the team; partytui's own lead leads them
            shipped = load_agents([bundled_agents_dir()])
            lead = shipped.lead
            if lead is None:
                raise CliError("no agent in the team can lead, and the shipped lead is missing")
            if any(a.name == lead.name for a in chosen):
                lead = lead.model_copy(update={"name": f"partytui-{lead.name}"})
            chosen.insert(0, lead)
    lead_name = None if solo else next(a.name for a in chosen if a.can_lead)
    per_agent = config.agent_runtimes if per_agent is None else per_agent
    return [
        d.spec(config, lead=d.name == lead_name, runtime=per_agent.get(d.name, runtime), team=not solo) for d in chosen
    ]


def _runtime(args: argparse.Namespace, config: Config, scenario) -> str:
    """The team's runtime: --runtime, else the config file's, else api offline or with an API key, else
    Claude Code when it is installed (it brings its own login; said on stderr)."""
    from ..core.providers.base import has_credentials
    from ..core.runtimes.claude_code import available, logged_in

    chosen = getattr(args, "runtime", None) or config.runtime
    if chosen:
        return chosen
    if scenario is not None or has_credentials() or config.agent_runtimes:
        return "api"
    if available() and logged_in():
        print(
            "partytui: no ANTHROPIC_API_KEY is set, so the agents run as Claude Code sessions "
            "(Claude Code's own login); choose with --runtime api|claude-code",
            file=sys.stderr,
        )
        return "claude-code"
    return "api"  # the credentials check says what is missing


def _require_runtimes(members: list[AgentSpec], scenario) -> None:
    """Stop before anything is written when a chosen runtime cannot run here."""
    from ..core.runtimes.claude_code import INSTALL, available

    if any(m.runtime == "claude-code" for m in members) and not available():
        raise CliError(f"the claude-code runtime needs the Claude Agent SDK: {INSTALL}")
    if scenario is None and any(m.runtime == "api" for m in members):
        _require_credentials()


def _require_credentials() -> None:
    from ..core.providers.base import has_credentials

    if not has_credentials():
        raise CliError(
            "no ANTHROPIC_API_KEY is set, so the team cannot reach a model. Set it to run on the Anthropic "
            'API, or install Claude Code\'s runtime to use its login (pip install "partytui[claude-code]", '
            "then --runtime claude-code), or try `partytui demo` (offline) or `--scenario FILE`."
        )


def _provider(scenario, session: Session, speed: float):
    """The provider, built at the first model turn (core/providers/deferred.py): the SDK loads after the
    TUI's first frame, not before it."""
    from ..core.providers.deferred import DeferredProvider

    if scenario is not None:

        def build():
            from ..core.providers.scripted import scripted_provider

            return scripted_provider(scenario, session, speed=speed)

        return DeferredProvider(build, modules=["partytui.core.providers.scripted"])

    def build_live():
        from ..core.providers.anthropic import AnthropicProvider, make_client

        # every caller has already stopped on missing credentials (`_require_credentials`) before a live run
        return AnthropicProvider(make_client())

    return DeferredProvider(build_live, modules=["partytui.core.providers.anthropic"])


def _backends(members: list[AgentSpec], scenario, session: Session, speed: float, log_path: Path) -> Backends:
    """What the team's runtimes reach their models through; Claude Code offline gets the scenario on a
    loopback server, its own saved sessions beside the log (``<session>-claude``, for resume)."""
    runtimes = {m.runtime for m in members}
    backends = Backends()
    if "api" in runtimes:
        backends.provider = _provider(scenario, session, speed)
    if "claude-code" in runtimes:
        if scenario is not None:
            from ..core.providers.loopback import ScenarioBackend

            config_dir = log_path.with_name(f"{log_path.stem}-claude")
            backends.claude_code = ScenarioBackend(scenario, session, speed=speed, config_dir=str(config_dir))
        else:
            from ..core.runtimes.claude_code import ClaudeCodeBackend

            backends.claude_code = ClaudeCodeBackend()
    return backends


def _policy(args: argparse.Namespace):
    if not getattr(args, "approve", None):
        return None
    try:
        return load_policy(args.approve)
    except PolicyError as exc:
        raise CliError(str(exc)) from None


def _load_scenario(path: str):
    from ..core.providers.scenario import ScenarioError, load_scenario

    try:
        return load_scenario(path)
    except ScenarioError as exc:
        raise CliError(str(exc)) from None


def _default_agent_dirs(scenario_path: str | None, scenario) -> list[Path]:
    if scenario is not None:
        if scenario.agents_dir and scenario_path:  # a scenario is always read from a file
            return [(Path(scenario_path).parent / scenario.agents_dir).resolve()]
        return [bundled_agents_dir()]
    local = Path(".claude/agents")
    return [local.resolve()] if local.is_dir() else [bundled_agents_dir()]


def _prepare(args: argparse.Namespace) -> Prepared:
    if args.agent and not args.prompt:
        raise CliError("--agent needs --prompt TEXT")
    if args.prompt and not args.agent:
        raise CliError("--prompt goes with --agent NAME")
    config = _config(args)
    scenario = _load_scenario(args.scenario) if args.scenario else None
    goal = args.goal or (scenario.goal if scenario else "") or (args.prompt or "")
    if not goal:
        raise CliError("give the team a GOAL (or run one agent with --agent NAME --prompt TEXT)")
    try:
        dirs = (
            [Path(d).expanduser().resolve() for d in args.agents]
            if args.agents
            else _default_agent_dirs(args.scenario, scenario)
        )
    except ResourceMissing as exc:
        raise CliError(str(exc)) from None
    agents = _load_team_files(dirs)
    # --runtime is for the whole team; otherwise the config's per-agent choices stand over its default
    members = _members(
        agents,
        config,
        solo=args.agent,
        runtime=_runtime(args, config, scenario),
        per_agent={} if getattr(args, "runtime", None) else None,
    )
    policy = _policy(args)  # bad input is reported before anything is written
    _require_runtimes(members, scenario)
    warnings = _warn(agents, members)

    folder = session_dir(args.session_dir, config=config)
    session_id = new_session_id()
    log_path = folder / f"{session_id}.jsonl"
    lock = _lock(log_path, args)
    if args.workspace:
        workspace = Path(args.workspace).expanduser().resolve()
    elif scenario is not None:
        workspace = folder / f"{session_id}-workspace"
    else:
        workspace = Path.cwd()
    try:
        workspace.mkdir(parents=True, exist_ok=True)
        if scenario is not None:
            for rel, content in scenario.workspace_files.items():
                target = workspace / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(content, encoding="utf-8")
        log = SessionLog(log_path)
    except OSError as exc:
        raise CliError(f"cannot prepare the session: {exc}") from None

    session = Session(log=log)
    broker = ApprovalBroker(session, policy)
    team = Team(
        session,
        broker,
        None,
        members,
        workspace=workspace,
        goal=goal,
        solo=bool(args.agent),
        backends=_backends(members, scenario, session, args.speed, log_path),
        limits=_limits(args, config),
        migration_commands=config.migration_commands,
    )

    def start() -> None:
        scenario_at = str(Path(args.scenario).resolve()) if args.scenario else None
        # noted beside the log before the log says it (a crash in between leaves a resume that asks)
        record_origin(
            log_path,
            session_id,
            {"workspace": str(team.workspace), "scenario": scenario_at, "agents_dirs": [str(d) for d in dirs]},
        )
        team.start_session(
            session_id,
            mode="scripted" if scenario is not None else "live",
            scenario=scenario_at,
            prompt=args.prompt,
            agents_dirs=[str(d) for d in dirs],
            load_warnings=warnings,
        )

    title = f"partytui — scripted: {scenario.title or scenario.name}" if scenario is not None else "partytui"
    return Prepared(
        session, team, log_path, args.headless, title, start, lock, getattr(args, "detach", False), config=config
    )


def _doubts(log_path: Path, contents, started, args: argparse.Namespace) -> str:
    """What a resume of this log would take on trust: folders nothing vouches for, and what does not add up."""
    folders = untrusted_folders(
        log_path, started, {"workspace": args.workspace, "scenario": args.scenario, "agents_dirs": args.agents}
    )
    problems = inconsistencies(contents.events, contents.numbers, log_path)
    parts = []
    if folders:
        parts.append(
            f"{log_path}: the log would send the team to folders partytui did not start it with:\n  "
            + "\n  ".join(folders)
        )
    if problems:
        parts.append(f"{log_path}: the log does not add up:\n  " + report(problems).replace("\n", "\n  "))
    return plain("\n".join(parts))


def _resume_target(args: argparse.Namespace) -> Path:
    if args.last and args.session:
        raise CliError("give a SESSION or --last, not both")
    if not args.last:
        if not args.session:
            raise CliError("which session? give its id or log path, or --last (see `partytui sessions`)")
        return find_session(args.session, args.session_dir)
    folder = session_dir(args.session_dir)
    entry = last_resumable(folder)
    if entry is None:
        raise CliError(f"no session to continue in {folder} (see `partytui sessions`)")
    print(f"resuming {entry.id} ({entry.shown_status})", file=sys.stderr)
    return entry.path


def _prepare_resume(args: argparse.Namespace) -> Prepared:
    try:
        log_path = _resume_target(args)
        contents = read_log(log_path)
    except (SessionNotFound, LogError) as exc:
        raise CliError(str(exc)) from None
    events = contents.events
    state = fold(events)
    started = next((e for e in events if isinstance(e, SessionStarted)), None)
    if started is None:
        raise CliError(f"{log_path}: not a session log partytui can resume (no session.started)")
    if started.mode == "imported":
        raise CliError(f"{log_path}: an imported session can be replayed, not resumed")
    if state.status == "done":
        raise CliError(f"{log_path}: this session already finished (status done); replay it instead", EXIT_BAD_INPUT)
    doubts = _doubts(log_path, contents, started, args)
    if doubts and not args.trust_log and (args.headless or getattr(args, "detach", False) or not sys.stdout.isatty()):
        raise CliError(
            doubts + "\ncheck them, then resume with --trust-log to continue (or pass --workspace, "
            "--scenario, --agents yourself)",
            EXIT_BAD_INPUT,
        )
    config = _config(args)
    scenario_path = args.scenario or started.scenario
    scenario = _load_scenario(scenario_path) if scenario_path else None
    dirs = [Path(d) for d in (args.agents or started.agents_dirs)] or _default_agent_dirs(scenario_path, scenario)
    agents = _load_team_files(dirs)
    solo = started.agents[0].name if started.solo_prompt is not None and started.agents else None
    members = _members(agents, config, solo=solo)
    # the team is the one the log names, with the models it ran on
    logged = {a.name: a for a in started.agents}
    members = [m for m in members if m.name in logged]
    for m in members:
        m.model = logged[m.name].model
        m.lead = logged[m.name].lead
        m.runtime = logged[m.name].runtime  # a conversation continues on the runtime that holds it
    policy = _policy(args)
    _require_runtimes(members, scenario)
    warnings = _warn(agents, members)
    lock = _lock(log_path, args)  # before the log is touched: a running team's log is never written twice
    if contents.torn_tail:
        repair_torn_tail(log_path)
    session = Session(state=state, log=SessionLog(log_path))
    broker = ApprovalBroker(session, policy)
    speed = args.speed if args.speed is not None else 1.0
    team = Team(
        session,
        broker,
        None,
        members,
        workspace=Path(args.workspace or started.workspace),
        goal=started.goal,
        solo=solo is not None,
        backends=_backends(members, scenario, session, speed, log_path),
        limits=_limits(args, config),
        migration_commands=config.migration_commands,
    )
    return Prepared(
        session,
        team,
        log_path,
        args.headless,
        "partytui — resumed",
        lambda: team.continue_session(events, warnings),
        lock,
        getattr(args, "detach", False),
        config=config,
        confirm="" if args.trust_log else doubts,
    )


def _lock(log_path: Path, args: argparse.Namespace) -> RunLock:
    lock = RunLock(log_path, detached=getattr(args, "detach", False))
    try:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except AlreadyRunning as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"cannot prepare the session: {exc}") from None
    return lock


# ── running it ──────────────────────────────────────────────────────────────


def _execute(prepared: Prepared) -> int:
    session = prepared.session
    try:
        if prepared.detach:
            code = run_team_process(prepared)
        elif prepared.headless or not sys.stdout.isatty():
            code = _run_headless(prepared)
        else:
            code = _run_tui(prepared)
    finally:
        prepared.close()
    state = session.state
    print(f"session log: {prepared.log_path}", file=sys.stderr)
    if session.log_error is not None:
        print(
            f"partytui: {session.log_error} — the run was stopped; the log is intact up to that point", file=sys.stderr
        )
        return 1
    pending = state.pending_approvals
    if code == 3 and pending:
        first = pending[0].request
        print(
            f"waiting for a person: request #{first.id} ({first.kind}) from {first.agent}: {first.title}\n"
            f"answer it with: partytui resume {prepared.log_path}",
            file=sys.stderr,
        )
    elif state.status != "done":
        waiting = f", {len(pending)} request(s) waiting for you" if pending else ""
        print(
            f"the session is {state.status}{waiting}; continue it with: partytui resume {prepared.log_path}"
            " (or partytui resume --last)",
            file=sys.stderr,
        )
    return code


def _run_headless(prepared: Prepared) -> int:
    prepared.session.subscribe(ProgressPrinter(lambda: prepared.session.state, sys.stdout))
    prepared.start()
    return asyncio.run(_until_stopped(prepared.team))


EXIT_TERMINATED = 143  # 128 + SIGTERM, as a shell reports it
FIRST_FRAME_POLL_S = 0.01  # how often the SDK's import looks whether the TUI's main screen is up


async def _until_stopped(team: Team, on_term: Callable[[], None] | None = None) -> int:
    """Run the team; SIGTERM stops it cleanly (logged, every agent resumable) and exits 143."""
    loop = asyncio.get_running_loop()
    terminated = False

    def terminate() -> None:
        nonlocal terminated
        terminated = True
        team.stop("stopped by SIGTERM")
        if on_term is not None:
            on_term()

    try:
        loop.add_signal_handler(signal.SIGTERM, terminate)
    except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no signals here
        pass
    try:
        code = await team.run()
    finally:
        try:
            loop.remove_signal_handler(signal.SIGTERM)
        except (NotImplementedError, RuntimeError, ValueError):
            pass
    return EXIT_TERMINATED if terminated else code


async def _first_frame_drawn(app: PartyApp) -> None:
    """Until the main screen has drawn the team for the first time."""
    while not app.main.is_mounted:
        await asyncio.sleep(FIRST_FRAME_POLL_S)
    await app.flush_view()  # the state drawn now (after the app's first flush, if that is under way)
    drawn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    app.main.call_after_refresh(drawn.set_result, None)
    await drawn


def _run_tui(prepared: Prepared) -> int:
    app = tui_app(prepared)
    app.run()
    code = app.return_code
    return 1 if code is None else code


def tui_app(prepared: Prepared) -> PartyApp:
    """The TUI that runs ``prepared``, not started yet (``prepared.start()`` is called, unless the person is
    to accept a resume first); ``_run_tui`` runs it on the terminal, a test with ``run_test``."""
    from ..core.providers.deferred import DeferredProvider
    from ..tui.app import make_app
    from ..tui.terminal_alerts import AlertSettings

    team = prepared.team

    async def run_team() -> int:
        return await _until_stopped(team, on_term=lambda: app.exit(None, return_code=EXIT_TERMINATED))

    if isinstance(team.backends.provider, DeferredProvider):
        # the SDK is imported in a thread that takes turns with the loop on the GIL: started with the app,
        # it would slow the first frame by about as long as the import takes (half a second here)
        team.backends.provider.load_after(lambda: _first_frame_drawn(app))
    runner = run_team
    if prepared.confirm:
        # a resume of a log in doubt: the person reads what it says and accepts it before anything runs
        async def runner() -> int:
            if not await app.confirm_first("Resume this session?", prepared.confirm + "\n\nContinue there?"):
                app.exit(None, return_code=EXIT_BAD_INPUT)
                return EXIT_BAD_INPUT
            prepared.start()
            return await run_team()
    else:
        prepared.start()  # the app renders from the state, so it sees these events too
    app = make_app(
        prepared.session,
        broker=team.broker,
        controller=team,
        runner=runner,
        title=prepared.title,
        approval_delay=prepared.config.approval_delay,
        log_path=prepared.log_path,
        alerts=AlertSettings(
            title=prepared.config.terminal_title, bell=prepared.config.bell, desktop=prepared.config.desktop_notify
        ),
        hold_requests=bool(prepared.confirm),
    )
    return app
