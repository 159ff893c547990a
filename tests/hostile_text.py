"""Hostile text for tests: markup, terminal escape codes, control characters and HTML, and a session that
carries a given piece of it in every field a view shows."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import strategies as st

from partytui.core.truth.events import EventBase, parse_event

T0 = 1_700_000_000.0
HOSTILE_FILE = "hostile.txt"  # a workspace file holding the hostile text (a permission to edit it shows a diff)

PAYLOADS = [
    "\x1b]0;PWNED-TITLE\x07",  # sets the terminal's title
    "\x1b]2;PWNED\x1b\\",
    "\x1b]52;c;cHduZWQ=\x07",  # writes the clipboard
    "\x1b[2J\x1b[H",  # clears the screen
    "\x1b[1mbold\x1b[0m",
    "\x9b2J",  # the same as one 8-bit C1 character
    "\x9d0;PWNED\x9c",
    "\x1bP+q\x1b\\",  # a DCS query the terminal would answer
    "\x07\x08\x0c\r\x7f",  # (a NUL would make the workspace file binary, and hide its diff)
    "\u202eevil\u202c",
    "[/]",
    "[b]bold[/b]",
    "[@click=app.screenshot('pwned')]click me[/]",
    "[link=https://example.com]x[/link]",
    "grep -E '[0-9'",
    "$text-error",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "```\n<b>fenced</b>\n```",
    "| a | b |",
    "\\",
    "\n\n- item\n",
]

_CHARS = st.characters(codec="utf-8", exclude_categories=("Cs",))
_CONTROLS = st.sampled_from([chr(c) for c in [*range(0, 0x20), *range(0x7F, 0xA0), 0x2028, 0x2029, 0x202E, 0x2066]])

# a piece of hostile text: known payloads, control characters and anything else, mixed
hostile = st.lists(
    st.one_of(st.sampled_from(PAYLOADS), _CONTROLS, st.text(_CHARS, max_size=8)), min_size=1, max_size=8
).map("".join)

# everything at once: what every test also checks, whatever hypothesis draws
ALL = "x" + "".join(PAYLOADS)

# What may reach a terminal: text, newlines, and the sequences the app itself writes (colours and styles,
# cursor moves, OSC 8 links). Anything else — a title, the clipboard, a clear, a bell, C1 — is an escape.
_ALLOWED = re.compile(r"\x1b\[[0-9;:]*[mHK]|\x1b\]8;[^\x07\x1b]*(?:\x1b\\|\x07)")
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def terminal_problems(output: str) -> list[str]:
    """What in ``output`` (as written to a terminal) is terminal control that the app did not mean."""
    rest = _ALLOWED.sub("", output).replace("\r\n", "\n")
    return [f"{m.group()!r} in {rest[max(0, m.start() - 30) : m.end() + 30]!r}" for m in _FORBIDDEN.finditer(rest)][:5]


def hostile_records(s: str, workspace: str = "") -> list[dict[str, Any]]:
    """A session in which ``s`` is in every field that is shown: names, goal, tasks, messages, tools,
    requests of every kind and their answers, lists, documents, errors."""
    name = "h" + s  # an agent whose name (from a log, an import) is hostile too
    n = 0

    def e(type_: str, agent: str | None = None, **fields: Any) -> dict[str, Any]:
        nonlocal n
        n += 1
        return {"type": type_, "seq": n, "ts": T0 + n, "agent": agent, **fields}

    def request(id_: int, kind: str, **fields: Any) -> dict[str, Any]:
        return e(
            "approval.requested",
            name,
            request={"id": id_, "kind": kind, "agent": name, "title": s, "summary": s + " summary", **fields},
        )

    task = {"id": "1", "subject": s, "description": s, "owner": name, "status": "in_progress"}
    question = {"question": s, "header": s, "options": [{"label": s, "description": s}, {"label": "b"}]}
    return [
        e(
            "session.started",
            session_id="hostile",
            goal=s,
            workspace=workspace,
            mode="scripted",
            scenario=s,
            agents=[
                {"name": "lead", "model": "m", "lead": True, "color": "purple"},
                {"name": name, "model": s, "color": s, "description": s},
            ],
        ),
        e("phase.changed", "lead", phase="BRAINSTORM", note=s),
        e("phase.changed", "lead", phase=s, previous="BRAINSTORM", note=s),
        e("agent.state", name, state="running", reason=s),
        e("turn.started", name, turn=1),
        e("thinking.delta", name, text=s),
        e("text.delta", name, text=s),
        e("tool.called", name, tool_use_id="t1", tool="Bash", input={"command": s}),
        e("tool.result", name, tool_use_id="t1", tool="Bash", ok=True, output=s, duration_ms=1200),
        e("tool.called", name, tool_use_id="t2", tool=s, input={"file_path": s, s: s}),
        e(
            "tool.called",
            name,
            tool_use_id="t3",
            tool="Edit",
            input={"file_path": s, "old_string": s, "new_string": s + "!"},
        ),
        e("tool.result", name, tool_use_id="t3", tool="Edit", ok=True, output=s),
        e("tool.result", name, tool_use_id="t2", tool=s, ok=False, output=s),
        e("turn.retry", name, attempt=1, max_attempts=3, delay_s=1, reason=s),
        e("task.created", "lead", task=task),
        e("task.created", "lead", task={"id": "2", "subject": s, "blocked_by": ["1"], "owner": name}),
        e("task.updated", name, task={**task, "status": "completed"}),
        e("todo.updated", name, todos=[{"content": s, "status": "in_progress", "active_form": s}]),
        e("checklist.updated", name, path=s, items=[{"text": s, "section": s}], by=name),
        e("document.changed", name, path=s + ".md", content=s, size=len(s.encode())),
        e("document.read", "lead", path=s + ".md"),
        e("file.changed", name, path=s),
        e("message.sent", name, recipient="lead", content=s, summary=s),
        e("message.sent", "lead", recipient=name, content=s),
        e("user.message", name, text=s),
        request(1, "question", questions=[question]),
        request(2, "design", body=s, files=[s]),
        request(3, "migration", body=s, files=[s]),
        request(4, "permission", tool="Bash", tool_input={"command": s, "description": s}),
        request(5, "permission", tool=s, tool_input={"file_path": s, "content": s, s: s}),
        request(6, "reply", body=s),
        request(7, "plan", body=s),
        e("approval.answered", id=2, decision="rejected", by="human", note=s),
        request(8, "design", body=s + " again", files=[s]),  # asked again after the rejection: what changed
        request(
            9, "permission", tool="Edit", tool_input={"file_path": HOSTILE_FILE, "old_string": s, "new_string": s + "!"}
        ),
        e("approval.answered", id=7, decision="answered", by="human", answers=[s], note=s),
        e("error", name, message=s),
        e("agent.state", name, state="error", reason=s),
        e("turn.ended", name, turn=1, usage={"input_tokens": 10, "output_tokens": 5}, cost_usd=0.01),
    ]


def hostile_events(s: str, workspace: str = "") -> list[EventBase]:
    return [parse_event(record) for record in hostile_records(s, workspace)]
