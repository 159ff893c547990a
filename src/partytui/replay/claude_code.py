"""Claude Code transcripts → a partytui session log, so ``replay``, ``summary`` and ``export`` work on them.

A Claude Code session is one JSONL file of records plus a file per subagent. Records form a tree through
``parentUuid``; one API response is written as several ``assistant`` lines sharing ``message.id``. The
importer follows the tree to its newest leaf, merges each API response into one turn, and interleaves the
subagents' events with the main agent's by timestamp. It never raises on bad input: a line it cannot
read becomes a problem naming the file and line.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..core.truth import events as ev
from ..core.truth.events import AgentInfo, EventBase, Usage

MAIN_AGENT = "claude"
SPAWN_TOOLS = {"Task", "Agent"}
# Record types Claude Code writes that carry nothing partytui shows; anything else counts as unknown.
PASSED_TYPES = {"progress", "system", "file-history-snapshot", "queue-operation", "summary", "custom-title"}
COLORS = ("cyan", "green", "yellow", "magenta", "blue", "red", "orange", "purple", "pink")


@dataclass
class ImportStats:
    files: int = 0
    lines: int = 0
    records: int = 0
    skipped_lines: int = 0  # malformed or torn lines
    rewound: int = 0  # records on branches a rewind abandoned
    passed: Counter[str] = field(default_factory=Counter)  # known types with nothing to show
    unknown: Counter[str] = field(default_factory=Counter)  # types this importer does not know
    agents: int = 0
    turns: int = 0
    tool_calls: int = 0
    tasks: int = 0
    messages: int = 0

    def line(self) -> str:
        return (
            f"{self.agents} agent{'s' * (self.agents != 1)}, {self.turns} turns, {self.tool_calls} tool calls, "
            f"{self.tasks} tasks, {self.messages} messages"
        )


@dataclass
class ImportResult:
    events: list[EventBase]
    problems: list[str]
    stats: ImportStats


@dataclass
class _Record:
    data: dict[str, Any]
    file: Path
    line: int
    index: int
    ts: float | None

    @property
    def type(self) -> str:
        value = self.data.get("type")
        return value if isinstance(value, str) else "?"

    @property
    def uuid(self) -> str | None:
        value = self.data.get("uuid")
        return value if isinstance(value, str) and value else None

    @property
    def message(self) -> dict[str, Any]:
        value = self.data.get("message")
        return value if isinstance(value, dict) else {}

    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class _AgentFile:
    name: str
    path: Path
    records: list[_Record]
    agent_id: str | None = None  # None for the main session
    parent: str | None = None
    spawn_prompt: str | None = None
    spawn_ts: float | None = None
    description: str = ""


# ── reading ──────────────────────────────────────────────────────────────────


def _timestamp(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value) or abs(value) > 1e15:
            return None
        return float(value) / (1000.0 if value > 1e11 else 1.0)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip().replace("Z", "+00:00")).timestamp()
        except (ValueError, OverflowError, OSError):
            return None
    return None


def _read_records(path: Path, problems: list[str], stats: ImportStats) -> list[_Record]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(f"{path}: cannot read: {exc.strerror or exc}")
        return []
    stats.files += 1
    records: list[_Record] = []
    lines = raw.split(b"\n")
    ends_clean = raw.endswith(b"\n") or not raw
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        stats.lines += 1
        try:
            data = json.loads(line)
        except (ValueError, RecursionError) as exc:
            stats.skipped_lines += 1
            if number == len(lines) and not ends_clean:
                problems.append(f"{path}:{number}: the last line is cut short (a partial write); skipped")
            else:
                problems.append(f"{path}:{number}: not JSON ({_first_line(exc)}); skipped")
            continue
        if not isinstance(data, dict):
            stats.skipped_lines += 1
            problems.append(f"{path}:{number}: not a JSON object; skipped")
            continue
        stats.records += 1
        records.append(_Record(data, path, number, len(records), _timestamp(data.get("timestamp"))))
    return records


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


# ── the record tree: keep the newest branch ──────────────────────────────────


def _is_prompt(record: _Record) -> bool:
    content = record.message.get("content")
    if isinstance(content, str):
        return True
    if isinstance(content, list):
        kinds = {b.get("type") for b in content if isinstance(b, dict)}
        return "tool_result" not in kinds and bool(kinds & {"text", "image"})
    return False


def _message_key(record: _Record) -> tuple[str, str] | None:
    msg_id = record.message.get("id")
    if not isinstance(msg_id, str) or not msg_id:
        return None
    request = record.data.get("requestId")
    return (msg_id, request if isinstance(request, str) else "")


def newest_branch(records: list[_Record]) -> tuple[list[_Record], int]:
    """The records on the newest branch of each tree, in file order, and how many a rewind abandoned.

    Parallel tool calls also fork the tree (each result hangs off its own call), so a side branch is
    dropped only if it diverges: a prompt of its own, or an API response the kept branch does not have.
    """
    by_uuid: dict[str, _Record] = {}
    for record in records:
        if record.uuid and record.uuid not in by_uuid:
            by_uuid[record.uuid] = record

    def parent(record: _Record) -> _Record | None:
        ref = record.data.get("parentUuid")
        if not isinstance(ref, str):
            ref = record.data.get("logicalParentUuid")  # a compaction boundary starts a new root
        found = by_uuid.get(ref) if isinstance(ref, str) else None
        return found if found is not record else None

    parents: dict[int, _Record | None] = {}
    for record in by_uuid.values():
        parents[record.index] = parent(record)

    roots: dict[int, _Record] = {}

    def root(record: _Record) -> _Record:
        chain: list[_Record] = []
        node: _Record = record
        seen: set[int] = set()
        while node.index not in roots:
            if node.index in seen:  # a cycle: treat where it closes as the root
                break
            seen.add(node.index)
            chain.append(node)
            up = parents.get(node.index)
            if up is None:
                break
            node = up
        top = roots.get(node.index, node)
        for item in chain:
            roots[item.index] = top
        return top

    has_child: set[int] = set()
    for record in by_uuid.values():
        up = parents[record.index]
        if up is not None:
            has_child.add(up.index)
    newest_leaf: dict[int, _Record] = {}
    for record in by_uuid.values():
        if record.index not in has_child:
            top = root(record).index
            if top not in newest_leaf or record.index > newest_leaf[top].index:
                newest_leaf[top] = record

    on_path: set[int] = set()
    path_messages: set[tuple[str, str]] = set()
    for leaf in newest_leaf.values():
        node: _Record | None = leaf
        while node is not None and node.index not in on_path:
            on_path.add(node.index)
            if node.type == "assistant" and (key := _message_key(node)):
                path_messages.add(key)
            node = parents.get(node.index)

    # group the off-path records by the side branch they hang from, then drop the diverging branches
    branch_of: dict[int, int] = {}

    def branch(record: _Record) -> int:
        chain: list[_Record] = []
        seen: set[int] = set()
        node: _Record = record
        while node.index not in branch_of:
            chain.append(node)
            seen.add(node.index)
            up = parents.get(node.index)
            if up is None or up.index in on_path or up.index in seen:
                branch_of[node.index] = node.index
                break
            node = up
        top = branch_of[node.index]
        for item in chain:
            branch_of[item.index] = top
        return top

    diverging: set[int] = set()
    for record in by_uuid.values():
        if record.index in on_path:
            continue
        top = branch(record)
        if (record.type == "user" and _is_prompt(record)) or (
            record.type == "assistant" and _message_key(record) not in path_messages
        ):
            diverging.add(top)
    kept: list[_Record] = []
    dropped = 0
    for record in records:
        if (
            record.uuid
            and by_uuid.get(record.uuid) is record
            and record.index not in on_path
            and branch_of.get(record.index) in diverging
        ):
            dropped += 1
            continue
        kept.append(record)
    return kept, dropped


# ── finding the files of a session ───────────────────────────────────────────


def _first_record(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            for line in handle:
                if line.strip():
                    data = json.loads(line)
                    return data if isinstance(data, dict) else {}
    except (OSError, ValueError, RecursionError):
        pass
    return {}


def _agent_id(path: Path) -> str:
    return path.stem[len("agent-") :] if path.stem.startswith("agent-") else path.stem


def locate(path: Path) -> tuple[Path, list[Path]]:
    """The main transcript and its subagent files; raises ``ValueError`` when ``path`` names no session."""
    if path.is_dir():
        beside = path.with_suffix(".jsonl")
        if (path / "subagents").is_dir() and beside.is_file():
            path = beside
        else:
            mains = sorted(p for p in path.glob("*.jsonl") if not p.stem.startswith("agent-"))
            if len(mains) != 1:
                if not mains:
                    raise ValueError(f"{path}: no Claude Code transcript (.jsonl) in this directory")
                names = ", ".join(p.name for p in mains[:5])
                raise ValueError(f"{path}: several transcripts here ({names}); name one")
            path = mains[0]
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    if path.stem.startswith("agent-"):
        return path, []  # a subagent transcript on its own
    session_id = path.stem
    found = sorted((path.parent / session_id / "subagents").glob("agent-*.jsonl"))
    known = {_agent_id(p) for p in found}
    wanted = _first_record(path).get("sessionId") or session_id
    for flat in sorted(path.parent.glob("agent-*.jsonl")):
        # a project directory holds many sessions' flat agent files: keep only this session's
        if _agent_id(flat) not in known and _first_record(flat).get("sessionId") in (wanted, session_id):
            found.append(flat)
    return path, found


# ── conversion ───────────────────────────────────────────────────────────────


def _text_of(content: Any) -> str:
    """Tool result or prompt content (a string or a list of blocks) as plain text."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return "" if content is None else json.dumps(content, ensure_ascii=False)
    parts = []
    for block in content:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict):
            if block.get("type") == "text":
                parts.append(str(block.get("text", "")))
            elif block.get("type") == "image":
                parts.append("[image]")
    return "\n".join(parts)


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _str(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _price(model: str, usage: Usage) -> float | None:
    if model == "<synthetic>":
        return 0.0  # written by Claude Code itself, never billed
    try:
        from ..core.providers import pricing  # written alongside; absent in older trees
    except ImportError:
        return None
    try:
        value = pricing.cost_usd(model, usage)
    except Exception:  # an unknown model or a pricing table this importer does not know how to call
        return None
    return float(value) if isinstance(value, (int, float)) else None


def _todos(raw: Any) -> list[ev.Todo]:
    todos = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, dict) and item.get("content"):
            status = item.get("status")
            todos.append(
                ev.Todo(
                    content=_str(item.get("content")),
                    status=status if status in ("pending", "in_progress", "completed") else "pending",
                    active_form=_str(item.get("activeForm")),
                )
            )
    return todos


def _questions(raw: Any) -> list[ev.Question]:
    out = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        options = [
            ev.QuestionOption(label=_str(o.get("label")), description=_str(o.get("description")))
            for o in item.get("options") or []
            if isinstance(o, dict)
        ]
        out.append(
            ev.Question(
                question=_str(item.get("question")),
                header=_str(item.get("header")),
                multi_select=bool(item.get("multiSelect")),
                options=options,
            )
        )
    return out


class _Importer:
    def __init__(self, problems: list[str], stats: ImportStats) -> None:
        self.problems = problems
        self.stats = stats
        self.tasks: dict[str, ev.Task] = {}
        self.approval_ids = 0
        self.task_counter = 0
        self.calls: dict[str, tuple[str, str, dict[str, Any], float]] = {}  # id → agent, tool, input, ts
        self.open_approvals: dict[str, int] = {}  # tool_use_id → approval id

    # each agent's events in its own order; merged by timestamp afterwards
    def convert(self, agent: _AgentFile, first_ts: float) -> list[EventBase]:
        out: list[EventBase] = []
        clock = max(first_ts, agent.spawn_ts or first_ts)
        groups: dict[tuple[str, str], list[_Record]] = {}
        for record in agent.records:
            if record.type == "assistant" and (key := _message_key(record)):
                groups.setdefault(key, []).append(record)
        turn = 0
        first_prompt = True
        for record in agent.records:
            if record.ts is not None:
                clock = max(clock, record.ts)
            kind = record.type
            try:
                if kind == "assistant":
                    key = _message_key(record)
                    lines = groups.get(key, [record]) if key else [record]
                    if lines[0] is not record:
                        continue  # already merged into its message's first line
                    turn += 1
                    out.extend(self._turn(agent.name, turn, lines, clock))
                elif kind == "user":
                    made = self._user(agent, record, clock, first_prompt)
                    if any(isinstance(e, (ev.UserMessage, ev.MessageSent)) for e in made):
                        first_prompt = False
                    out.extend(made)
                elif kind == "system" and record.data.get("level") == "error":
                    message = _str(record.data.get("content")) or _str(record.data.get("subtype")) or "error"
                    out.append(ev.ErrorEvent(ts=clock, agent=agent.name, message=message))
                elif kind in PASSED_TYPES:
                    self.stats.passed[kind] += 1
                else:
                    self.stats.unknown[kind] += 1
            except Exception as exc:
                self.problems.append(f"{record.where()}: could not import this {kind} record ({_first_line(exc)})")
        return out

    def _turn(self, agent: str, turn: int, lines: list[_Record], ts: float) -> list[EventBase]:
        model, stop_reason = "", None
        blocks: list[dict[str, Any]] = []
        written_at: list[float] = []  # each block's own line time: tool durations start there
        totals = {k: 0 for k in Usage.model_fields}
        for line in lines:
            message = line.message
            if not model and isinstance(message.get("model"), str):
                model = message["model"]
            if isinstance(message.get("stop_reason"), str):
                stop_reason = message["stop_reason"]
            content = message.get("content")
            if isinstance(content, str):
                content = [{"type": "text", "text": content}]
            if isinstance(content, list):
                for block in content:
                    if isinstance(block, dict):
                        blocks.append(block)
                        written_at.append(max(ts, line.ts) if line.ts is not None else ts)
            usage = message.get("usage")
            if isinstance(usage, dict):
                # the same usage is repeated on every line of a response: count it once (the largest seen)
                for k in totals:
                    totals[k] = max(totals[k], _int(usage.get(k)))
        usage = Usage(**totals)
        self.stats.turns += 1
        out: list[EventBase] = [ev.TurnStarted(ts=ts, agent=agent, turn=turn, model=model)]
        for block, at in zip(blocks, written_at, strict=True):
            kind = block.get("type")
            if kind == "text" and _str(block.get("text")).strip():
                out.append(ev.TextDelta(ts=ts, agent=agent, text=_str(block.get("text"))))
            elif kind == "thinking" and _str(block.get("thinking")).strip():
                out.append(ev.ThinkingDelta(ts=ts, agent=agent, text=_str(block.get("thinking"))))
            elif kind == "tool_use":
                out.extend(self._tool_called(agent, block, ts, at))
        if lines[0].data.get("isApiErrorMessage"):
            out.append(ev.ErrorEvent(ts=ts, agent=agent, message=_text_of(blocks) or "API error"))
        if stop_reason is None and any(b.get("type") == "tool_use" for b in blocks):
            stop_reason = "tool_use"
        out.append(
            ev.TurnEnded(
                ts=ts,
                agent=agent,
                turn=turn,
                model=model,
                stop_reason=stop_reason,
                content=blocks,
                usage=usage,
                cost_usd=_price(model, usage),
            )
        )
        return out

    def _tool_called(self, agent: str, block: dict[str, Any], ts: float, called_at: float) -> list[EventBase]:
        tool_id, tool = _str(block.get("id")), _str(block.get("name")) or "unknown"
        raw = block.get("input")
        data = raw if isinstance(raw, dict) else {"value": raw}
        self.calls[tool_id] = (agent, tool, data, called_at)
        self.stats.tool_calls += 1
        out: list[EventBase] = [ev.ToolCalled(ts=ts, agent=agent, tool_use_id=tool_id, tool=tool, input=data)]
        if tool == "TodoWrite":
            out.append(ev.TodoUpdated(ts=ts, agent=agent, todos=_todos(data.get("todos"))))
        elif tool == "SendMessage":
            recipient = _str(data.get("recipient") or data.get("to")) or "team"
            content = _str(data.get("content") if data.get("content") is not None else data.get("message"))
            self.stats.messages += 1
            out.append(
                ev.MessageSent(
                    ts=ts, agent=agent, recipient=recipient, content=content, summary=_str(data.get("summary"))
                )
            )
        elif tool == "TaskUpdate":
            task_id = _str(data.get("taskId"))
            if task_id:
                out.append(self._task_update(agent, task_id, data, ts))
        elif tool in ("AskUserQuestion", "ExitPlanMode"):
            self.approval_ids += 1
            self.open_approvals[tool_id] = self.approval_ids
            question = tool == "AskUserQuestion"
            request = ev.ApprovalRequest(
                id=self.approval_ids,
                kind="question" if question else "plan",
                agent=agent,
                title="Question" if question else "Plan",
                body="" if question else _str(data.get("plan")),
                questions=_questions(data.get("questions")) if question else [],
                tool=tool,
                tool_use_id=tool_id,
            )
            if question and request.questions:
                request.title = request.questions[0].question
            out.append(ev.ApprovalRequested(ts=ts, agent=agent, request=request))
        return out

    def _task_update(self, agent: str, task_id: str, data: dict[str, Any], ts: float) -> EventBase:
        task = self.tasks.get(task_id) or ev.Task(id=task_id, subject=f"task {task_id}")
        changes: dict[str, Any] = {}
        status = data.get("status")
        if status in ("pending", "in_progress", "completed", "deleted"):
            changes["status"] = status
        for source, target in (("owner", "owner"), ("subject", "subject"), ("description", "description")):
            if isinstance(data.get(source), str):
                changes[target] = data[source]
        if isinstance(data.get("activeForm"), str):
            changes["active_form"] = data["activeForm"]
        for source, target in (("addBlocks", "blocks"), ("addBlockedBy", "blocked_by")):
            extra = [_str(x) for x in data.get(source) or [] if isinstance(x, (str, int))]
            if extra:
                changes[target] = list(dict.fromkeys([*getattr(task, target), *extra]))
        known = task_id in self.tasks
        self.tasks[task_id] = task = task.model_copy(update=changes)
        if not known:
            self.stats.tasks += 1
            return ev.TaskCreated(ts=ts, agent=agent, task=task)
        return ev.TaskUpdated(ts=ts, agent=agent, task=task)

    def _user(self, agent: _AgentFile, record: _Record, ts: float, first_prompt: bool) -> list[EventBase]:
        content = record.message.get("content")
        out: list[EventBase] = []
        texts: list[str] = []
        blocks = content if isinstance(content, list) else [content] if isinstance(content, str) else []
        for block in blocks:
            if isinstance(block, str):
                texts.append(block)
            elif isinstance(block, dict) and block.get("type") == "tool_result":
                out.extend(self._tool_result(agent.name, record, block, ts))
            elif isinstance(block, dict) and block.get("type") in ("text", "image"):
                texts.append(_text_of([block]))
        text = "\n".join(t for t in texts if t)
        if text:
            if first_prompt and agent.parent and (agent.spawn_prompt is None or agent.spawn_prompt == text):
                # a subagent's brief comes from the agent that spawned it, not from the person
                self.stats.messages += 1
                out.insert(0, ev.MessageSent(ts=ts, agent=agent.parent, recipient=agent.name, content=text))
            else:
                out.insert(0, ev.UserMessage(ts=ts, agent=agent.name, text=text))
        return out

    def _tool_result(self, agent: str, record: _Record, block: dict[str, Any], ts: float) -> list[EventBase]:
        tool_id = _str(block.get("tool_use_id"))
        _, tool, data, called = self.calls.get(tool_id, (agent, "unknown", {}, ts))
        ok = block.get("is_error") is not True
        output = _text_of(block.get("content"))
        out: list[EventBase] = [
            ev.ToolResult(
                ts=ts,
                agent=agent,
                tool_use_id=tool_id,
                tool=tool,
                ok=ok,
                output=output,
                duration_ms=max(0.0, (ts - called) * 1000.0),
            )
        ]
        if tool == "TaskCreate" and ok:
            out.append(self._task_created(agent, record, data, output, ts))
        elif tool_id in self.open_approvals:
            answers = [line for line in output.splitlines() if line.strip()]
            decision = ("answered" if tool == "AskUserQuestion" else "approved") if ok else "rejected"
            out.append(
                ev.ApprovalAnswered(
                    ts=ts,
                    agent=agent,
                    id=self.open_approvals.pop(tool_id),
                    decision=decision,
                    note="" if ok else output[:500],
                    answers=answers if decision == "answered" else [],
                )
            )
        return out

    def _task_created(self, agent: str, record: _Record, data: dict[str, Any], output: str, ts: float) -> EventBase:
        structured = record.data.get("toolUseResult")
        task_id = ""
        if isinstance(structured, dict) and isinstance(structured.get("task"), dict):
            task_id = _str(structured["task"].get("id"))
        if not task_id and (match := re.search(r"#(\w+)", output)):
            task_id = match.group(1)
        if not task_id:
            self.task_counter += 1
            task_id = str(self.task_counter)
        task = ev.Task(
            id=task_id,
            subject=_str(data.get("subject")) or f"task {task_id}",
            description=_str(data.get("description")),
            active_form=_str(data.get("activeForm")),
        )
        self.tasks[task_id] = task
        self.stats.tasks += 1
        return ev.TaskCreated(ts=ts, agent=agent, task=task)

    def task_files(self, folder: Path, ts: float) -> list[EventBase]:
        """A team's task files (``tasks/<team-or-session>/<N>.json``): their final state on the board."""
        out: list[EventBase] = []
        for path in sorted(folder.glob("*.json"), key=lambda p: (len(p.stem), p.stem)):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if not isinstance(data, dict):
                    raise ValueError("not a JSON object")
            except (OSError, ValueError, RecursionError) as exc:
                self.problems.append(f"{path}: not a task file ({_first_line(exc)}); skipped")
                continue
            task_id = _str(data.get("id")) or path.stem
            status = data.get("status")
            task = ev.Task(
                id=task_id,
                subject=_str(data.get("subject")) or f"task {task_id}",
                description=_str(data.get("description")),
                active_form=_str(data.get("activeForm")),
                status=status if status in ("pending", "in_progress", "completed", "deleted") else "pending",
                owner=_str(data.get("owner")) or None,
                blocks=[_str(x) for x in data.get("blocks") or [] if isinstance(x, (str, int))],
                blocked_by=[_str(x) for x in data.get("blockedBy") or [] if isinstance(x, (str, int))],
            )
            before = self.tasks.get(task_id)
            if before == task:
                continue
            self.tasks[task_id] = task
            if before is None:
                self.stats.tasks += 1
                out.append(ev.TaskCreated(ts=ts, task=task))
            else:
                out.append(ev.TaskUpdated(ts=ts, task=task))
        return out


def _model_of(records: list[_Record]) -> str:
    for record in records:
        model = record.message.get("model") if record.type == "assistant" else None
        if isinstance(model, str) and model and model != "<synthetic>":
            return model
    return "unknown"


def _first_prompt(records: list[_Record]) -> str:
    prompts = []
    for record in records:
        if record.type == "user" and _is_prompt(record) and not record.data.get("isMeta"):
            text = _text_of(record.message.get("content")).strip()
            if text:
                prompts.append(text)
                if not text.startswith("<"):  # skip slash-command echoes and hook output
                    return text
    return prompts[0] if prompts else ""


def _link_subagents(main: _AgentFile, subs: list[_AgentFile]) -> None:
    """Name each subagent by its type and tie it to the call that spawned it."""
    spawns: dict[str, dict[str, Any]] = {}  # tool_use_id → input
    spawn_ts: dict[str, float | None] = {}
    by_agent_id: dict[str, tuple[str, str]] = {}  # agentId → (tool_use_id, spawning agent)
    for record in main.records:
        content = record.message.get("content")
        for block in content if isinstance(content, list) else []:
            if not isinstance(block, dict):
                continue
            if block.get("type") == "tool_use" and block.get("name") in SPAWN_TOOLS:
                given = block.get("input")
                spawns[_str(block.get("id"))] = given if isinstance(given, dict) else {}
                spawn_ts[_str(block.get("id"))] = record.ts
            elif block.get("type") == "tool_result":
                result = record.data.get("toolUseResult")
                if isinstance(result, dict) and isinstance(result.get("agentId"), str):
                    by_agent_id[result["agentId"]] = (_str(block.get("tool_use_id")), main.name)
    used: set[str] = set()
    for sub in subs:
        agent_id = sub.agent_id or ""
        tool_id = by_agent_id.get(agent_id, ("", ""))[0]
        if tool_id not in spawns:
            # older builds: match the subagent's first prompt to a spawning call's prompt
            prompt = _first_prompt(sub.records)
            tool_id = next((t for t, i in spawns.items() if t not in used and i.get("prompt") == prompt), "")
        short = agent_id[:7] if agent_id else sub.path.stem[:7]
        if agent_id.startswith("acompact"):
            sub.name = f"compact-{agent_id[len('acompact') :].lstrip('-')[:6]}"
            sub.description = "Claude Code's conversation compaction"
        elif tool_id in spawns:
            used.add(tool_id)
            spec = spawns[tool_id]
            sub.name = f"{_str(spec.get('subagent_type')) or 'subagent'}-{short}"
            sub.parent = main.name
            sub.spawn_prompt = _str(spec.get("prompt")) or None
            sub.spawn_ts = spawn_ts.get(tool_id)
            sub.description = _str(spec.get("description"))
        else:
            sub.name = f"subagent-{short}"


def import_claude_code(path: Path) -> ImportResult:
    """A Claude Code session (a transcript, or a session directory) as partytui events; never raises."""
    problems: list[str] = []
    stats = ImportStats()
    try:
        main_path, sub_paths = locate(Path(path))
    except ValueError as exc:
        return ImportResult([], [str(exc)], stats)
    except OSError as exc:
        return ImportResult([], [f"{path}: {exc.strerror or exc}"], stats)

    def load(file: Path) -> list[_Record]:
        kept, dropped = newest_branch(_read_records(file, problems, stats))
        stats.rewound += dropped
        return kept

    main_records = load(main_path)
    first_main = next((r for r in main_records if r.type in ("user", "assistant")), None)
    main_name = MAIN_AGENT
    if first_main is not None and isinstance(first_main.data.get("agentName"), str):
        main_name = first_main.data["agentName"] or MAIN_AGENT
    main = _AgentFile(main_name, main_path, main_records)
    subs = [_AgentFile("", p, load(p), agent_id=_agent_id(p)) for p in sub_paths]
    subs = [s for s in subs if s.records]
    _link_subagents(main, subs)
    taken = {main.name}
    for sub in subs:
        name, n = sub.name, 2
        while sub.name in taken:
            sub.name, n = f"{name}-{n}", n + 1
        taken.add(sub.name)

    agents = [main, *subs]
    all_ts = [r.ts for a in agents for r in a.records if r.ts is not None]
    if not any(r.type in ("user", "assistant") for a in agents for r in a.records):
        problems.append(f"{main_path}: no user or assistant records to import")
        return ImportResult([], problems, stats)
    first_ts = min(all_ts) if all_ts else 0.0

    importer = _Importer(problems, stats)
    streams: list[list[EventBase]] = [importer.convert(main, first_ts)]
    streams += [importer.convert(sub, first_ts) for sub in subs]
    merged = sorted(
        ((e.ts, rank, i, e) for rank, stream in enumerate(streams) for i, e in enumerate(stream)),
        key=lambda item: item[:3],
    )
    body = [item[3] for item in merged]
    last_ts = max([first_ts, *all_ts, *(e.ts for e in body)])

    session_id = _str(first_main.data.get("sessionId")) if first_main is not None else ""
    workspace = next((r.data["cwd"] for r in main_records if isinstance(r.data.get("cwd"), str)), "")
    infos = []
    for n, agent in enumerate(agents):
        infos.append(
            AgentInfo(
                name=agent.name,
                model=_model_of(agent.records),
                color=COLORS[n % len(COLORS)],
                description=agent.description or ("the main Claude Code agent" if agent is main else ""),
                lead=agent is main,
            )
        )
    stats.agents = len(infos)
    # ~/.claude/projects/<project>/<session>.jsonl → ~/.claude/tasks/<team or session>/
    team = next((r.data["teamName"] for r in main_records if isinstance(r.data.get("teamName"), str)), "")
    tail: list[EventBase] = []
    for folder in dict.fromkeys(n for n in (team, session_id, main_path.stem) if n):
        task_dir = main_path.parent.parent.parent / "tasks" / folder
        if task_dir.is_dir():
            tail = importer.task_files(task_dir, last_ts)
            break
    events: list[EventBase] = [
        ev.SessionStarted(
            ts=first_ts,
            session_id=session_id or main_path.stem,
            goal=_first_prompt(main_records),
            workspace=workspace,
            mode="imported",
            agents=infos,
        ),
        *body,
        *tail,
        ev.SessionEnded(ts=last_ts, status="done", reason=f"imported from Claude Code ({main_path.name})"),
    ]
    for seq, event in enumerate(events, start=1):
        event.seq = seq
    return ImportResult(events, problems, stats)
