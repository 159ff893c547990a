"""Readable reports of a session: Markdown for a pull request or a wiki, one self-contained HTML file to share.

Both are built from the folded state (what happened) and the events (when): title and goal, status,
phases, tasks, approvals, costs, then each agent's transcript with tool calls folded. Everything written
goes through the log's redaction once more, in case a secret reached an event without passing the log,
and through ``plain`` (no terminal control in a report someone may ``cat``). Text from agents is data: the
HTML report escapes it, the Markdown report keeps the agents' Markdown but never their HTML (``<`` outside
code is written ``&lt;``).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from markdown_it import MarkdownIt

from ..core.truth.events import EventBase
from ..core.truth.secrets import redact, secrets_from_env
from ..core.truth.state import AgentView, Entry, TeamState
from ..core.views.plain import plain
from ..core.views.present import duration, key_argument
from ..core.views.summary import checklists, documents, markers

OUTPUT_LINES = 40
OUTPUT_CHARS = 4000
INPUT_CHARS = 160


# ── shared helpers ───────────────────────────────────────────────────────────


def _when(ts: float | None) -> str:
    if not ts:
        return "—"
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _clock(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%H:%M:%S")


def _money(value: float | None) -> str:
    return "?" if value is None else f"${value:.4f}"


def _span(state: TeamState, events: list[EventBase]) -> tuple[float | None, float | None]:
    start = state.started_at or (events[0].ts if events else None)
    end = state.ended_at or state.last_ts or (events[-1].ts if events else None)
    return start, end


def call_summary(tool: str | None, data: dict[str, Any] | None) -> str:
    """One line saying what a tool call did, e.g. ``Bash: pytest -q``."""
    data = data or {}
    text = " ".join(key_argument(tool, data).split())
    if not text and data:
        text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    if len(text) > INPUT_CHARS:
        text = text[: INPUT_CHARS - 1] + "…"
    return f"{tool or 'tool'}: {text}" if text else (tool or "tool")


def clip(text: str) -> str:
    """At most OUTPUT_LINES lines and OUTPUT_CHARS characters, saying how much was left out."""
    text = text.rstrip("\n")
    lines = text.splitlines()
    cut = lines[:OUTPUT_LINES]
    out = "\n".join(cut)
    if len(out) > OUTPUT_CHARS:
        out = out[:OUTPUT_CHARS]
    hidden = len(text) - len(out)
    if hidden > 0:
        more = len(lines) - len(cut)
        out += f"\n… ({more} more lines)" if more else f"\n… ({hidden} more characters)"
    return out


def _tool_status(entry: Entry) -> str:
    if entry.ok is None:
        return "no result"
    status = "ok" if entry.ok else "failed"
    if entry.duration_ms:
        status += f", {duration(entry.duration_ms / 1000)}" if entry.duration_ms >= 1000 else ""
    return status


def _totals(state: TeamState) -> dict[str, Any]:
    agents = list(state.agents.values())
    costs = [a.cost_usd for a in agents]
    return {
        "turns": sum(a.turns for a in agents),
        "input": sum(a.usage.input_tokens for a in agents),
        "output": sum(a.usage.output_tokens for a in agents),
        "cache_read": sum(a.usage.cache_read_input_tokens for a in agents),
        "cache_write": sum(a.usage.cache_creation_input_tokens for a in agents),
        "cost": None if any(c is None for c in costs) else sum(c for c in costs if c is not None),
    }


def _cost_rows(state: TeamState) -> list[list[str]]:
    rows = []
    for agent in state.agents.values():
        u = agent.usage
        rows.append(
            [
                agent.name,
                agent.info.model,
                str(agent.turns),
                f"{u.input_tokens:,}",
                f"{u.output_tokens:,}",
                f"{u.cache_read_input_tokens:,}",
                f"{u.cache_creation_input_tokens:,}",
                _money(agent.cost_usd),
            ]
        )
    t = _totals(state)
    rows.append(
        [
            "total",
            "",
            str(t["turns"]),
            f"{t['input']:,}",
            f"{t['output']:,}",
            f"{t['cache_read']:,}",
            f"{t['cache_write']:,}",
            _money(t["cost"]),
        ]
    )
    return rows


COST_HEAD = ["agent", "model", "turns", "input", "output", "cache read", "cache write", "cost"]
TASK_HEAD = ["#", "subject", "status", "owner", "blocked by"]
PHASE_HEAD = ["phase", "started", "duration"]


def _phase_rows(state: TeamState) -> list[list[str]]:
    rows = []
    for span in state.phases:
        end = span.ended_at if span.ended_at is not None else (state.ended_at or None)
        rows.append(
            [span.name, _when(span.started_at), duration(end - span.started_at) if end is not None else "running"]
        )
    return rows


def _task_rows(state: TeamState) -> list[list[str]]:
    return [
        [
            t.task.id,
            t.task.subject,
            t.task.status.replace("_", " "),
            t.task.owner or "—",
            ", ".join(t.task.blocked_by) or "—",
        ]
        for t in state.tasks.values()
        if t.task.status != "deleted" and t.task.source == "team"
    ]


OPEN_ITEMS_SHOWN = 3


def _workspace_sections(state: TeamState) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, head, rows) for the checklists, completion markers and shared documents the agents kept."""
    sections = []
    if lists := checklists(state):
        rows = []
        for c in lists:
            still = [i["text"] for i in c["items"] if i["status"] != "completed"]
            more = f" (+{len(still) - OPEN_ITEMS_SHOWN} more)" if len(still) > OPEN_ITEMS_SHOWN else ""
            rows.append(
                [
                    c["path"],
                    c["owner"] or "—",
                    f"{c['done']}/{c['total']}",
                    "; ".join(still[:OPEN_ITEMS_SHOWN]) + more or "—",
                ]
            )
        sections.append(("Checklists", ["checklist", "owner", "done", "still open"], rows))
    if found := markers(state):
        rows = [
            [m["id"], m["by"] or "—", f"#{m['task_id']} {m['task']}" if m["task_id"] else "none yet", m["note"] or "—"]
            for m in found
        ]
        sections.append(("Completion markers", ["marker", "by", "completed task", "note"], rows))
    if docs := documents(state):
        rows = [
            [d["path"], str(d["versions"]), ", ".join(d["changed_by"]) or "—", ", ".join(d["read_by"]) or "—"]
            for d in docs
        ]
        sections.append(("Documents", ["document", "versions", "changed by", "read by"], rows))
    return sections


def _finish(text: str) -> str:
    return plain(redact(text, secrets_from_env()))


# ── Markdown ─────────────────────────────────────────────────────────────────


def _md_cell(text: str) -> str:
    return _md_safe(" ".join(str(text).split())).replace("|", "\\|") or " "


_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(?<![\\`])(`+)(?:.*?[^`])?\1(?!`)")  # not after a backslash: no span


def _md_safe(text: str) -> str:
    """Markdown with no HTML in it: ``<`` outside code fences and code spans becomes ``&lt;`` (shown as ``<``).

    An agent's Markdown keeps its look; a ``<script>`` or ``<img onerror=…>`` in it is text wherever the
    report is rendered. Code is literal in Markdown, so it is left as it is.
    """
    if "<" not in text:
        return text
    out: list[str] = []
    fence = ""
    for line in text.split("\n"):
        opened = _FENCE.match(line)
        if fence:
            closes = opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence)
            if closes and opened and not line[opened.end() :].strip():
                fence = ""
            out.append(line)
            continue
        if opened and not (opened.group(1)[0] == "`" and "`" in line[opened.end() :]):
            fence = opened.group(1)  # a fence opens (a backtick fence's info string holds no backtick)
            out.append(line)
            continue
        pieces, at = [], 0
        for span in _CODE_SPAN.finditer(line):
            pieces += [line[at : span.start()].replace("<", "&lt;"), span.group(0)]
            at = span.end()
        out.append("".join(pieces) + line[at:].replace("<", "&lt;"))
    return "\n".join(out)


def _md_table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _fence(text: str) -> str:
    ticks = "`" * max(3, _longest_backtick_run(text) + 1)
    return f"{ticks}\n{text}\n{ticks}"


def _longest_backtick_run(text: str) -> int:
    best = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        best = max(best, run)
    return best


def _md_code(text: str) -> str:
    text = " ".join(text.split())  # on one line: a code span's later line could start a block (HTML among them)
    ticks = "`" * (_longest_backtick_run(text) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _md_entry(entry: Entry) -> str:
    text = _md_safe(entry.text.strip())
    stamp = f" <sub>{_clock(entry.ts)}</sub>" if entry.ts else ""
    if entry.kind == "text":
        return text
    if entry.kind == "thinking":
        return "\n".join("> " + line if line else ">" for line in [f"*thinking*{stamp}", *text.splitlines()])
    if entry.kind == "tool":
        head = f"- {_md_code(call_summary(entry.tool, entry.input))} — {_tool_status(entry)}{stamp}"
        if not entry.output:
            return head
        body = _fence(clip(entry.output))
        return head + "\n\n" + "\n".join(("  " + line) if line else "" for line in body.splitlines())
    labels = {
        "message_out": f"→ {entry.peer}",
        "message_in": f"← {entry.peer}",
        "user": "you",
        "approval": f"⏸ approval #{entry.approval_id}",
        "error": "⚠ error",
        "context": "⋯ context",
    }
    return f"**{_md_cell(labels.get(entry.kind, entry.kind))}:**{stamp} {text}"


def _approval_lines_md(state: TeamState) -> list[str]:
    out = []
    for a in state.approvals.values():
        r = a.request
        decision = a.decision or "pending"
        by = f" by {_md_cell(a.by)}" if a.by else ""
        out.append(
            f"- **#{r.id} {_md_cell(r.kind)}** from {_md_cell(r.agent)}: "
            f"{_md_cell(r.title or r.summary or '(untitled)')} — "
            f"**{_md_cell(decision)}**{by}" + (f" · {_md_cell(a.note)}" if a.note else "")
        )
        out += [f"  - {_md_cell(answer)}" for answer in a.answers]
    return out


def export_markdown(state: TeamState, events: Iterable[EventBase]) -> str:
    events = list(events)
    start, end = _span(state, events)
    title = f"partytui session {state.session_id}" if state.session_id else "partytui session"
    parts = [f"# {title}", ""]
    if state.goal:
        parts += ["> " + line for line in _md_safe(state.goal.strip()).splitlines()] + [""]
    status = _md_cell(state.status + (f" — {state.reason}" if state.reason else ""))
    parts += [
        f"- **Status:** {status}",
        f"- **Started:** {_when(start)} · **duration** {duration(end - start) if start and end else '—'}",
        f"- **Mode:** {_md_cell(state.mode)}" + (f" · scenario {_md_cell(state.scenario)}" if state.scenario else ""),
        f"- **Events:** {len(events)} · **agents** {len(state.agents)} · **messages** {len(state.messages)}",
    ]
    if state.workspace:
        parts.append(f"- **Workspace:** {_md_code(state.workspace)}")
    parts.append("")
    if state.phases:
        parts += ["## Phases", "", _md_table(PHASE_HEAD, _phase_rows(state)), ""]
    tasks = _task_rows(state)
    if tasks:
        parts += ["## Tasks", "", _md_table(TASK_HEAD, tasks), ""]
    if state.approvals:
        parts += ["## Approvals", "", *_approval_lines_md(state), ""]
    for title, head, rows in _workspace_sections(state):
        parts += [f"## {title}", "", _md_table(head, rows), ""]
    if state.errors:
        parts += ["## Errors", "", *[f"- {_md_cell(e)}" for e in state.errors], ""]
    parts += ["## Cost", "", _md_table(COST_HEAD, _cost_rows(state)), ""]
    parts += ["## Transcripts", ""]
    for agent in state.agents.values():
        parts += [f"### {_md_cell(agent.name)}", "", f"*{_md_cell(_agent_line(agent))}*", ""]
        for entry in agent.transcript:
            parts += [_md_entry(entry), ""]
    report = _finish("\n".join(parts).rstrip() + "\n")
    if _holds_html(report):
        # the per-piece escaping missed a construct (a fence inside a list, say): every < is escaped, code
        # included; a report that shows "&lt;" in code beats one that carries HTML
        report = report.replace("<", "&lt;")
    return report


# how a Markdown reader that allows HTML reads the report: the check that none is left
_html_reader = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")


_OWN_HTML = {"<sub>", "</sub>"}  # the report's own time stamps


def _holds_html(markdown: str) -> bool:
    for token in _html_reader.parse(markdown):
        if token.type == "html_block":
            return True
        if any(c.type == "html_inline" and c.content not in _OWN_HTML for c in token.children or ()):
            return True
    return False


def _agent_line(agent: AgentView) -> str:
    bits = [agent.info.model, f"{agent.turns} turns", agent.state]
    if agent.info.lead:
        bits.insert(0, "lead")
    if agent.info.description:
        bits.append(agent.info.description)
    return " · ".join(bits)


# ── HTML ─────────────────────────────────────────────────────────────────────

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _html_table(head: list[str], rows: list[list[str]], cls: str = "") -> str:
    out = [f'<table class="{cls}"><thead><tr>' + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr></thead><tbody>"]
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _html_entry(entry: Entry) -> str:
    text = entry.text
    stamp = f'<span class="ts">{_clock(entry.ts)}</span>' if entry.ts else ""
    if entry.kind == "text":
        return f'<div class="entry text">{stamp}<div class="md">{_markdown.render(text)}</div></div>'
    if entry.kind == "thinking":
        return (
            f'<details class="entry thinking"><summary>{stamp}thinking</summary><pre>{_e(text.strip())}</pre></details>'
        )
    if entry.kind == "tool":
        state = "pending" if entry.ok is None else ("ok" if entry.ok else "failed")
        summary = (
            f'<summary>{stamp}<span class="tool-name">{_e(call_summary(entry.tool, entry.input))}</span> '
            f'<span class="badge {state}">{_e(_tool_status(entry))}</span></summary>'
        )
        body = f"<pre>{_e(clip(entry.output))}</pre>" if entry.output else ""
        return f'<details class="entry tool {state}">{summary}{body}</details>'
    labels = {
        "message_out": f"→ {entry.peer}",
        "message_in": f"← {entry.peer}",
        "user": "you",
        "approval": f"⏸ approval #{entry.approval_id}",
        "error": "⚠ error",
        "context": "⋯ context",
    }
    label = labels.get(entry.kind, entry.kind)
    return (
        f'<div class="entry {entry.kind.replace("_", "-")}">{stamp}<span class="who">{_e(label)}</span>'
        f'<div class="md">{_markdown.render(text)}</div></div>'
    )


def _status_class(state: TeamState) -> str:
    return f' class="status {_e(state.status)}"'


def _css() -> str:
    return resources.files(__package__).joinpath("report.css").read_text(encoding="utf-8")


def export_html(state: TeamState, events: Iterable[EventBase]) -> str:
    events = list(events)
    start, end = _span(state, events)
    title = f"partytui session {state.session_id}" if state.session_id else "partytui session"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # nothing in the report may load or run anything
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{_e(title)}</title><style>{_css()}</style></head><body>",
        f"<header><h1>{_e(title)}</h1>",
    ]
    if state.goal:
        out.append(f'<blockquote class="goal">{_e(state.goal.strip())}</blockquote>')
    facts = [
        ("status", state.status + (f" — {state.reason}" if state.reason else "")),
        ("started", _when(start)),
        ("duration", duration(end - start) if start and end else "—"),
        ("mode", state.mode + (f" · {state.scenario}" if state.scenario else "")),
        ("events", str(len(events))),
        ("agents", str(len(state.agents))),
    ]
    if state.workspace:
        facts.append(("workspace", state.workspace))
    out.append(
        '<dl class="facts">'
        + "".join(
            f"<div><dt>{_e(k)}</dt><dd{_status_class(state) if k == 'status' else ''}>{_e(v)}</dd></div>"
            for k, v in facts
        )
        + "</dl></header><main>"
    )
    if state.phases:
        out += ["<section><h2>Phases</h2>", _html_table(PHASE_HEAD, _phase_rows(state)), "</section>"]
    tasks = _task_rows(state)
    if tasks:
        out += ["<section><h2>Tasks</h2>", _html_table(TASK_HEAD, tasks, "tasks"), "</section>"]
    if state.approvals:
        rows = []
        for a in state.approvals.values():
            r = a.request
            note = a.note + ("" if not a.answers else (" · " if a.note else "") + " / ".join(a.answers))
            rows.append(
                [
                    f"#{r.id}",
                    r.kind,
                    r.agent,
                    r.title or r.summary or "(untitled)",
                    a.decision or "pending",
                    a.by or "—",
                    note or "—",
                ]
            )
        out += [
            "<section><h2>Approvals</h2>",
            _html_table(["#", "kind", "agent", "title", "decision", "by", "notes"], rows, "approvals"),
            "</section>",
        ]
    for title, head, rows in _workspace_sections(state):
        out += [f"<section><h2>{_e(title)}</h2>", _html_table(head, rows, "workspace"), "</section>"]
    if state.errors:
        out += ["<section><h2>Errors</h2><ul>", *[f"<li>{_e(e)}</li>" for e in state.errors], "</ul></section>"]
    out += ["<section><h2>Cost</h2>", _html_table(COST_HEAD, _cost_rows(state), "cost"), "</section>"]
    out.append("<section><h2>Transcripts</h2>")
    for agent in state.agents.values():
        color = agent.info.color
        if not re.fullmatch(r"[A-Za-z]{1,20}|#[0-9A-Fa-f]{3,8}", color) or color.lower() in ("white", "black"):
            color = "var(--accent)"  # unreadable on one of the two themes, or not a colour at all
        out.append(
            f'<article class="agent" style="--agent: {color}"><h3>{_e(agent.name)}</h3>'
            f'<p class="meta">{_e(_agent_line(agent))}</p>'
        )
        out += [_html_entry(entry) for entry in agent.transcript]
        out.append("</article>")
    out.append("</section></main><footer>Written by partytui export.</footer></body></html>")
    return _finish("\n".join(out) + "\n")
