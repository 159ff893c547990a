"""The benchmark's report: each measured number beside its target, as text for people and JSON for tools."""

from __future__ import annotations

import os
import platform
import sys
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Metric:
    key: str
    label: str
    value: float | int | None
    unit: str
    target: str = ""  # e.g. "<= 50"; empty: reported, no target
    ok: bool | None = None  # None: no target, or not measured

    @classmethod
    def check(cls, key: str, label: str, value: float | int | None, unit: str, op: str, limit: float) -> Metric:
        ok = None if value is None else (value <= limit if op == "<=" else value >= limit)
        return cls(key, label, value, unit, f"{op} {limit:g}", ok)


@dataclass
class Section:
    key: str
    title: str
    metrics: list[Metric] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)  # raw results (ramp steps, samples)


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            names = [line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    memory_gb = None
    try:
        memory_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        pass
    from importlib.metadata import version

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "os": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
        "textual": version("textual"),
        "anthropic": version("anthropic"),
    }


def _value(metric: Metric) -> str:
    if metric.value is None:
        return "n/a"
    if isinstance(metric.value, float) and not metric.value.is_integer():
        return f"{metric.value:,.1f}"
    return f"{metric.value:,.0f}"


def render_text(sections: list[Section], info: dict[str, Any], mode: str) -> str:
    lines = [
        f"partytui bench ({mode}) on {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB, "
        f"Python {info['python']}, Textual {info['textual']}",
        "",
    ]
    load = info.get("load_1min")
    if load:
        lines[1:1] = [
            f"load average (1 min) during the run: {load['start']:g} at the start, {load['max']:g} at most, "
            f"{load['end']:g} at the end, on {info['cores']} cores (judge by ratios within one run)"
        ]
    quick = mode == "quick"  # too short to judge: the quick ramp stops below the streaming target itself
    for section in sections:
        lines.append(section.title)
        for m in section.metrics:
            verdict = "" if m.ok is None or quick else ("  ok" if m.ok else "  MISSED")
            target = f"  (target {m.target} {m.unit})".rstrip() if m.target else ""
            lines.append(f"  {m.label:<52} {_value(m):>12} {m.unit:<10}{target}{verdict}")
        for note in section.notes:
            lines.append(f"  · {note}")
        lines.append("")
    missed = [m.label for s in sections for m in s.metrics if m.ok is False]
    if quick:
        lines.append("quick run: every section works; the targets are judged by a full run (partytui bench)")
    else:
        lines.append("all targets met" if not missed else f"targets missed: {len(missed)}")
    return "\n".join(lines)


def to_json(sections: list[Section], info: dict[str, Any], mode: str) -> dict[str, Any]:
    return {"mode": mode, "machine": info, "sections": [asdict(s) for s in sections]}


def render_comparison(sections: list[Section], info: dict[str, Any], before: dict[str, Any], source: str) -> str:
    """Each number beside the same number of an earlier run's JSON, as a ratio (this run / that one).

    Numbers move 1.5–2.5× between machines of the same kind, so runs are compared by ratios, and the two
    machines are printed first."""

    def machine_line(m: dict[str, Any]) -> str:
        return f"{m.get('cpu')}, {m.get('cores')} cores, Python {m.get('python')}, Textual {m.get('textual')}"

    old = {(s["key"], m["key"]): m for s in before.get("sections", []) for m in s.get("metrics", [])}
    lines = [
        f"compared with {source} ({before.get('mode', '?')} run)",
        f"  this machine: {machine_line(info)}",
        f"  that machine: {machine_line(before.get('machine', {}))}",
        "",
    ]
    for section in sections:
        for m in section.metrics:
            was = old.get((section.key, m.key))
            if was is None or not isinstance(was.get("value"), (int, float)) or not isinstance(m.value, (int, float)):
                continue
            ratio = f"{m.value / was['value']:.2f}x" if was["value"] else "n/a"
            lines.append(f"  {m.label:<52} {_value(m):>12} was {_value(Metric('', '', was['value'], '')):>10}  {ratio}")
    return "\n".join(lines)
