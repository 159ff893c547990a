"""WorkspaceMirror: what agents keep in files, put on the board — checklists, completion markers, documents.

Agents that follow their own written protocols keep a Markdown checklist (``.claude/tasks/<agent>-tasks.md``),
drop a completion marker (``.orchestrator/complete/<TASK-ID>.done``) or share plan and context documents
(``MULTI_AGENT_PLAN.md``, ``CLAUDE.md``, …). The mirror watches those paths and turns what it finds into
events that carry everything a replay needs (the items, the content), so nothing is read back from disk later.

It learns of changes three ways: ``file.changed`` events (Write/Edit; the writer is known), a rescan after
every Bash result (the command's agent), and a slow timer (nobody known).
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from ..truth.events import (
    ChecklistItem,
    ChecklistUpdated,
    DocumentChanged,
    DocumentRead,
    ErrorEvent,
    EventBase,
    FileChanged,
    MarkerFound,
    Task,
    TaskCreated,
    TaskUpdated,
    ToolCalled,
    ToolResult,
)
from ..truth.session import Session
from .tasks import TaskBoard, TaskError, names_task

if TYPE_CHECKING:
    from .orchestrator import Team

# Paths are workspace-relative, matched part by part (``*`` never crosses a ``/``).
CHECKLIST_PATTERNS: tuple[str, ...] = (".claude/tasks/*.md",)
MARKER_PATTERNS: tuple[str, ...] = (".orchestrator/complete/*.done",)
DOCUMENT_PATTERNS: tuple[str, ...] = (
    "MULTI_AGENT_PLAN.md",
    "CLAUDE.md",
    "requirements.md",
    "PLAN.md",
    "*PLAN*.md",
    "docs/*.md",
    "README.md",
)

DOCUMENT_CAP_BYTES = 64_000  # a document's content in an event stops here (the log keeps every version)
CHECKLIST_CAP_BYTES = 256_000
MAX_DOCUMENTS = 50  # a project with a large docs/ folder lists its first fifty, not a copy of them all
CHECKLIST_MAX_ITEMS = 500
MARKER_NOTE_CHARS = 500

Stat = tuple[int, int]  # (mtime_ns, size)


def matches(rel: str, pattern: str) -> bool:
    """``rel`` (a workspace-relative POSIX path) matches ``pattern`` with the same number of parts."""
    parts, wanted = PurePosixPath(rel).parts, PurePosixPath(pattern).parts
    return len(parts) == len(wanted) and all(fnmatchcase(p, w) for p, w in zip(parts, wanted, strict=True))


@dataclass(frozen=True)
class Watched:
    """The kinds of file the mirror follows, as data: a deployment may add patterns."""

    checklists: tuple[str, ...] = CHECKLIST_PATTERNS
    markers: tuple[str, ...] = MARKER_PATTERNS
    documents: tuple[str, ...] = DOCUMENT_PATTERNS

    def kind_of(self, rel: str) -> str | None:
        for kind, patterns in (("checklist", self.checklists), ("marker", self.markers), ("document", self.documents)):
            if any(matches(rel, p) for p in patterns):
                return kind
        return None

    @property
    def patterns(self) -> tuple[str, ...]:
        return self.checklists + self.markers + self.documents


# ── checklists ───────────────────────────────────────────────────────────────

_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_BOXED = re.compile(r"^\s*(?:[-*+]|\d{1,4}[.)])\s+\[([^\]]?)\]\s*(.*)$")
_PLAIN = re.compile(r"^ ?(?:[-*+]|\d{1,4}[.)])\s+(.*)$")  # only top-level items without a box
_STRUCK = re.compile(r"^~~(.+)~~$")
_DONE_SECTION = re.compile(r"\b(done|complete|completed|finished)\b", re.IGNORECASE)
_DONE_MARKS = frozenset("xX✓✔")
_DOING_MARKS = frozenset("~-/")


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def parse_checklist(text: str, *, max_items: int = CHECKLIST_MAX_ITEMS) -> tuple[list[ChecklistItem], bool]:
    """Items of a Markdown checklist, leniently: ``- [ ]``, ``* [X]``, ``1. [x]``, ``[~]`` for in progress,
    and plain list items under a heading (done when the heading says so, or struck through).

    Returns the items and whether there were more than ``max_items``.
    """
    items: list[ChecklistItem] = []
    section = ""
    fenced = False
    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if fenced or not line.strip():
            continue
        if heading := _HEADING.match(line):
            section = _clean(heading.group(1).strip("*_ "))
            continue
        done = doing = False
        if boxed := _BOXED.match(line):
            mark, body = boxed.group(1), boxed.group(2)
            done, doing = mark in _DONE_MARKS, mark in _DOING_MARKS
        elif section and (plain := _PLAIN.match(line)):
            body = plain.group(1)
            done = bool(_DONE_SECTION.search(section))
        else:
            continue
        body = _clean(body)
        if struck := _STRUCK.match(body):
            body, done = struck.group(1).strip(), True
        if not body:
            continue
        if len(items) == max_items:
            return items, True
        items.append(ChecklistItem(text=body, done=done, doing=doing and not done, section=section))
    return items, False


def checklist_owner(rel: str, agents: Iterable[str], writer: str | None) -> str | None:
    """Whose list a checklist file is: the agent its name starts with (``backend-tasks.md``), else the writer."""
    stem = PurePosixPath(rel).stem.lower()
    for suffix in ("-tasks", "_tasks", ".tasks", "-todo", "_todo"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    by_name = {name.lower(): name for name in agents}
    if stem in by_name:
        return by_name[stem]
    return writer if writer in by_name.values() else None


# ── the mirror ───────────────────────────────────────────────────────────────


class WorkspaceMirror:
    """Started beside the agents (``start()`` / ``await stop()``, or ``await run()`` as a task).

    ``on_marker(task, marker_path, by)`` is told when a marker completes a team task.
    """

    def __init__(
        self,
        session: Session,
        workspace: Path | str,
        *,
        interval: float = 1.0,
        board: TaskBoard | None = None,
        on_marker: Callable[[Task, str, str | None], None] | None = None,
        watched: Watched = Watched(),
        document_cap: int = DOCUMENT_CAP_BYTES,
        checklist_cap: int = CHECKLIST_CAP_BYTES,
        max_documents: int = MAX_DOCUMENTS,
    ) -> None:
        self.session = session
        self.workspace = Path(workspace)
        self.root = self.workspace.resolve()
        self.interval = interval
        self.board = board or TaskBoard(session)
        self.on_marker = on_marker
        self.watched = watched
        self.document_cap = document_cap
        self.checklist_cap = checklist_cap
        self.max_documents = max_documents
        self._seen: dict[str, Stat] = {}
        self._queue: list[tuple[str, str | None, str | None]] = []  # (what, path, agent)
        self._reads: dict[str, tuple[str, str]] = {}  # tool_use_id → (agent, document path)
        self._busy = False
        self._task: asyncio.Task[None] | None = None
        self._unsubscribe: Callable[[], None] | None = None

    @classmethod
    def for_team(cls, team: Team, *, interval: float = 1.0) -> WorkspaceMirror:
        """A mirror of the team's workspace that completes tasks on the team's board and tells the lead."""

        def tell_lead(task: Task, path: str, by: str | None) -> None:
            lead = team.runners.get(team.lead_name or "")
            if lead is not None and by != team.lead_name and not team.finished:
                # a note, not a wake-up: scripted runs stay deterministic, and an idle team is nudged anyway
                who = f"{by} wrote " if by else ""
                lead.deliver(f"{who}{path}: task #{task.id} ({task.subject}) is now completed.", wake=False)

        return cls(team.session, team.workspace, interval=interval, board=team.board, on_marker=tell_lead)

    # ── lifecycle ───────────────────────────────────────────────────────────

    def attach(self) -> None:
        """Listen to the session: from now on reported changes are taken in as they are emitted."""
        if self._unsubscribe is None:
            self._unsubscribe = self.session.subscribe(self._on_event)

    def start(self) -> asyncio.Task[None]:
        self.attach()
        self.scan(None, initial=True)
        self._task = asyncio.get_running_loop().create_task(self.run(), name="workspace-mirror")
        return self._task

    async def run(self) -> None:
        """Rescan every ``interval`` seconds until cancelled; reported changes are taken in as they come."""
        self.attach()
        while True:
            await asyncio.sleep(self.interval)
            self._guarded(self.sync)
            # a tool that is still running will report its own changes, with its agent's name
            if not any(a.running_tool for a in self.session.state.agents.values()):
                self._guarded(self.scan, None)

    async def stop(self) -> None:
        """Take in what is still pending (a last rescan included), then stop listening."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        self._guarded(self.sync)
        self._guarded(self.scan, None)
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    # ── what the session tells us ───────────────────────────────────────────
    #
    # Handled at once, inside Session.emit: the file is read as that tool left it (a later look could see
    # another agent's command half-way through rewriting it), and the mirror's events follow their cause
    # in the log. The log line and the state already hold the cause when listeners run.

    def _on_event(self, event: EventBase) -> None:
        if isinstance(event, FileChanged):
            self._note("path", event.path, event.agent)
        elif isinstance(event, ToolCalled) and event.tool == "Read":
            raw = event.input or {}
            rel = self._relative(str(raw.get("file_path") or raw.get("path") or ""))
            if rel is not None and self.watched.kind_of(rel) == "document" and event.agent:
                self._reads[event.tool_use_id] = (event.agent, rel)
        elif isinstance(event, ToolResult):
            read = self._reads.pop(event.tool_use_id, None)
            if read is not None and event.ok:
                self._note("read", read[1], read[0])
            if event.tool == "Bash":
                self._note("scan", None, event.agent)
        elif isinstance(event, (TaskCreated, TaskUpdated)) and any(
            m.task_id is None for m in self.session.state.markers.values()
        ):
            self._note("markers", None, None)

    def _note(self, what: str, path: str | None, agent: str | None) -> None:
        self._queue.append((what, path, agent))
        if not self._busy:  # our own events come back here: the loop in sync() takes those in
            self._guarded(self.sync)

    def _guarded(self, step: Callable[..., None], *args: object) -> None:
        """The mirror only watches: a failure of its own is reported, never allowed to stop the team."""
        try:
            step(*args)
        except Exception as exc:
            self._queue.clear()
            self.session.emit(ErrorEvent(message=f"workspace mirror: {type(exc).__name__}: {exc}"))

    def sync(self) -> None:
        """Act on everything noted so far, in order."""
        if self._busy:
            return
        self._busy = True
        try:
            while self._queue:
                what, path, agent = self._queue.pop(0)
                if what == "scan":
                    self.scan(agent)
                elif what == "markers":
                    self._retry_markers()
                elif path is not None and (rel := self._relative(path)) is not None:
                    if what == "read":
                        self._read(rel, agent)
                    else:
                        self.check(rel, agent)
        finally:
            self._busy = False

    # ── scanning ────────────────────────────────────────────────────────────

    def scan(self, agent: str | None, *, initial: bool = False) -> None:
        """Rescan every watched path; a file whose size or mtime moved is read again, on behalf of ``agent``."""
        found: dict[str, Stat] = {}
        for pattern in self.watched.patterns:
            for path in self.workspace.glob(pattern):
                rel = path.relative_to(self.workspace).as_posix()
                if rel in found or self.watched.kind_of(rel) is None:
                    continue
                stat = self._stat(rel)
                if stat is not None:
                    found[rel] = stat
        for rel, stat in found.items():
            if initial or self._seen.get(rel) != stat:
                self.check(rel, agent)
        state = self.session.state
        known = set(self._seen) | set(state.documents) | set(state.checklists)
        for rel in sorted(known - set(found)):
            self.check(rel, agent)

    def check(self, rel: str, agent: str | None) -> None:
        """Bring one watched path's events up to date with the file as it is now."""
        kind = self.watched.kind_of(rel)
        if kind is None:
            return
        stat = self._stat(rel)
        if stat is None:
            self._seen.pop(rel, None)
        else:
            self._seen[rel] = stat
        if kind == "checklist":
            self._checklist(rel, agent, stat is not None)
        elif kind == "marker":
            if stat is not None:
                self._marker(rel, agent)
        else:
            self._document(rel, agent, stat is not None)

    # ── files, read safely ──────────────────────────────────────────────────

    def _relative(self, path: str) -> str | None:
        """``path`` (relative or absolute) as a workspace-relative POSIX path, or None when it is outside."""
        if not path.strip():
            return None
        candidate = Path(path)
        if not candidate.is_absolute():
            candidate = self.workspace / candidate
        normal = Path(os.path.normpath(candidate))
        for root in (Path(os.path.normpath(self.workspace.absolute())), self.root):
            try:
                rel = normal.relative_to(root).as_posix()
            except ValueError:
                continue
            return rel if rel not in ("", ".") else None
        return None

    def _target(self, rel: str) -> Path | None:
        """The real file behind ``rel``: None when missing, not a regular file, or (by a symlink) outside."""
        try:
            real = (self.workspace / rel).resolve()
        except (OSError, RuntimeError):
            return None
        if not real.is_relative_to(self.root) or not real.is_file():
            return None
        return real

    def _stat(self, rel: str) -> Stat | None:
        real = self._target(rel)
        if real is None:
            return None
        try:
            st = real.stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def _read(self, rel: str, agent: str | None) -> None:
        # a read of a document the mirror has not listed yet (made by a command since the last scan)
        if rel not in self.session.state.documents:
            self.check(rel, None)
        if rel in self.session.state.documents and agent:
            self.session.emit(DocumentRead(agent=agent, path=rel))

    def _load(self, rel: str, cap: int) -> tuple[str, int, bool] | None:
        """The file's text up to ``cap`` bytes, its size, and whether it was cut. Small files, read inline."""
        real = self._target(rel)
        if real is None:
            return None
        try:
            with real.open("rb") as handle:
                data = handle.read(cap + 1)
            size = real.stat().st_size
        except OSError:
            return None
        cut = len(data) > cap
        data = data[:cap]
        if b"\0" in data:
            return f"(binary file, {size} bytes)", size, False
        return data.decode("utf-8", errors="replace"), size, cut

    # ── the three kinds ─────────────────────────────────────────────────────

    def _checklist(self, rel: str, agent: str | None, exists: bool) -> None:
        state = self.session.state
        before = state.checklists.get(rel)
        loaded = self._load(rel, self.checklist_cap) if exists else None
        if loaded is None:
            if before is not None:
                self.session.emit(ChecklistUpdated(agent=before.owner, path=rel, by=agent, deleted=True))
            return
        text, _size, cut = loaded
        items, more = parse_checklist(text)
        owner = checklist_owner(rel, state.agents, agent)
        if before is None and not items:
            return  # an empty or unrelated file under .claude/tasks is not a list yet
        if before is not None and before.owner == owner and before.items == items:  # type: ignore[comparison-overlap]  # a PVector equals the list of the same items
            return
        self.session.emit(ChecklistUpdated(agent=owner, path=rel, items=items, by=agent, truncated=cut or more))

    def _document(self, rel: str, agent: str | None, exists: bool) -> None:
        before = self.session.state.documents.get(rel)
        loaded = self._load(rel, self.document_cap) if exists else None
        if loaded is None:
            if before is not None:
                self.session.emit(DocumentChanged(agent=agent, path=rel, deleted=True))
            return
        content, size, cut = loaded
        if before is None and len(self.session.state.documents) >= self.max_documents:
            return
        if before is not None and (before.content, before.size, before.truncated) == (content, size, cut):
            return
        self.session.emit(DocumentChanged(agent=agent, path=rel, content=content, size=size, truncated=cut))

    def _marker(self, rel: str, agent: str | None) -> None:
        seen = self.session.state.markers.get(rel)
        if seen is not None and seen.task_id is not None:
            return  # a marker completes its task once, however often the file is touched
        marker = PurePosixPath(rel).name.removesuffix(".done")
        task = self._task_for(marker)
        if seen is not None and task is None:
            return
        loaded = self._load(rel, MARKER_NOTE_CHARS)
        note = loaded[0].strip() if loaded else ""
        by = agent if agent is not None else (seen.by if seen else None)
        self.session.emit(MarkerFound(agent=by, path=rel, marker=marker, task_id=task.id if task else None, note=note))
        if task is not None:
            self._complete(task, rel, by)

    def _retry_markers(self) -> None:
        for view in list(self.session.state.markers.values()):
            if view.task_id is None and self._stat(view.path) is not None:
                self._marker(view.path, view.by)

    def _task_for(self, marker: str) -> Task | None:
        """The team task a marker names (``3.done``, ``#3.done``, ``TASK-555.done`` for a subject that says
        ``[TASK-555] …``, ``TASK-555: …``, …); an open task before a completed one of the same name."""
        named = [
            v.task
            for v in self.session.state.tasks.values()
            if v.task.source == "team" and v.task.status != "deleted" and names_task(v.task, marker)
        ]
        return min(named, key=lambda task: task.status == "completed", default=None)

    def _complete(self, task: Task, rel: str, by: str | None) -> None:
        if task.status != "completed":
            try:
                task = self.board.update(by, task.id, status="completed")  # type: ignore[arg-type]
            except TaskError:
                return
        if self.on_marker is not None:
            self.on_marker(task, rel, by)
