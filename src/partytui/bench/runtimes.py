"""Section 6: the two runtimes side by side — N agents streaming at once on partytui's own loop (api) and as
real Claude Code sessions (claude-code, the bundled CLI against the scenario served on 127.0.0.1).

Each agent streams two Markdown answers (~2 KB each) at a model's pace with a file write between them, which asks
permission (answered by policy). Measured per run: wall time, CPU seconds of partytui and of the Claude Code
processes (reaped children), the peak RSS of each Claude Code process (read from /proc while it runs) and
of partytui, and how long a tool call takes to become a logged request (tool.called -> approval.requested).
What a request then takes to reach the screen is section 2: the TUI sees the same event whichever runtime
asked.
"""

from __future__ import annotations

import asyncio
import os
import random
import resource
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .feed import markdown_answer

RSS_POLL_S = 0.1


@dataclass
class RuntimeRun:
    runtime: str
    agents: int
    wall_s: float
    cpu_partytui_s: float
    cpu_claude_s: float
    rss_partytui_mb: float  # growth of partytui's own RSS: its peak during the run over its RSS before
    rss_claude_mb: list[float]  # peak RSS of each Claude Code process
    request_ms: list[float]  # tool.called -> approval.requested, per request

    @property
    def cpu_per_agent_s(self) -> float:
        return (self.cpu_partytui_s + self.cpu_claude_s) / self.agents

    @property
    def rss_per_agent_mb(self) -> float:
        return (self.rss_partytui_mb + sum(self.rss_claude_mb)) / self.agents

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "cpu_per_agent_s": round(self.cpu_per_agent_s, 3),
            "rss_per_agent_mb": round(self.rss_per_agent_mb, 1),
            "request_ms_median": round(statistics.median(self.request_ms), 1) if self.request_ms else None,
        }


def _scenario(agents: int):
    import yaml

    from ..core.providers.scenario import parse_scenario

    rng = random.Random(7)  # the same answers every run
    turns = []
    for i in range(agents):
        name = f"agent{i + 1}"
        turns.append(
            (
                name,
                [
                    {
                        "text": markdown_answer(rng),
                        "tools": [{"name": "Write", "input": {"file_path": f"{name}.md", "content": f"# {name}\n"}}],
                    },
                    {"text": markdown_answer(rng)},
                ],
            )
        )
    return parse_scenario(yaml.safe_dump({"name": "bench-runtimes", "agents": dict(turns)}))


def _claude_pids() -> set[int]:
    """The Claude Code processes this process started (children named claude)."""
    me, found = os.getpid(), set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/comm") as handle:
                comm = handle.read().strip()
        except OSError:
            continue
        if int(fields[1]) == me and comm == "claude":
            found.add(int(entry))
    return found


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


async def _run(runtime: str, agents: int, speed: float, folder: Path) -> RuntimeRun:
    from ..core.runtimes import AgentSpec, Backends
    from ..core.team.approvals import ApprovalBroker
    from ..core.team.orchestrator import Team
    from ..core.team.policy import load_policy
    from ..core.truth.events import ApprovalRequested, ToolCalled
    from ..core.truth.session import Session

    scenario = _scenario(agents)
    session = Session()
    requested: dict[str, float] = {}
    called: dict[str, float] = {}

    def watch(event: Any) -> None:
        if isinstance(event, ToolCalled):
            called[event.tool_use_id] = time.perf_counter()
        elif isinstance(event, ApprovalRequested) and event.request.tool_use_id in called:
            requested[event.request.tool_use_id] = time.perf_counter()

    session.subscribe(watch)
    specs = [
        AgentSpec(
            name=name,
            model="claude-sonnet-5-5",
            system_prompt=f"You are {name}.",
            tools=["Read", "Write"],
            runtime=runtime,
        )
        for name in scenario.agents
    ]
    backends = Backends()
    if runtime == "api":
        from ..core.providers.scripted import scripted_provider

        backends.provider = scripted_provider(scenario, session, speed=speed)
    else:
        from ..core.providers.loopback import ScenarioBackend

        backends.claude_code = ScenarioBackend(
            scenario, session, speed=speed, config_dir=str(folder / f"claude-{agents}")
        )
    workspace = folder / f"ws-{runtime}-{agents}"
    workspace.mkdir(parents=True, exist_ok=True)
    team = Team(
        session,
        ApprovalBroker(session, load_policy("all")),
        None,
        specs,
        workspace=workspace,
        goal="bench",
        backends=backends,
    )
    peaks: dict[int, float] = {}
    before_self = resource.getrusage(resource.RUSAGE_SELF)
    before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    rss_before = own_peak = _rss_mb(os.getpid())
    started = time.perf_counter()
    for runner in team.runners.values():
        runner.deliver("Answer, write your file, answer again.")
    run = asyncio.create_task(team.run())
    while not run.done():  # the team stalls (ends) once every agent is idle: the scripts are done
        own_peak = max(own_peak, _rss_mb(os.getpid()))
        if runtime == "claude-code":
            for pid in _claude_pids():
                peaks[pid] = max(peaks.get(pid, 0.0), _rss_mb(pid))
        await asyncio.wait({run}, timeout=RSS_POLL_S)
    wall = time.perf_counter() - started
    after_self = resource.getrusage(resource.RUSAGE_SELF)
    after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return RuntimeRun(
        runtime=runtime,
        agents=agents,
        wall_s=round(wall, 2),
        cpu_partytui_s=round(
            after_self.ru_utime + after_self.ru_stime - before_self.ru_utime - before_self.ru_stime, 3
        ),
        cpu_claude_s=round(
            after_children.ru_utime + after_children.ru_stime - before_children.ru_utime - before_children.ru_stime, 3
        ),
        rss_partytui_mb=round(max(0.0, own_peak - rss_before), 1),
        rss_claude_mb=[round(v, 1) for v in peaks.values()],
        request_ms=[round((requested[k] - called[k]) * 1000, 1) for k in requested],
    )


def measure(counts: tuple[int, ...], folder: Path, *, speed: float = 1.0) -> list[RuntimeRun]:
    """Each count on the API runtime, then as Claude Code sessions (when the extra is installed)."""
    from ..core.runtimes.claude_code import available

    runs = []
    for runtime in ("api", "claude-code") if available() else ("api",):
        for n in counts:
            runs.append(asyncio.run(_run(runtime, n, speed, folder)))
    return runs
