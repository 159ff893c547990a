"""The phase timeline: BRAINSTORM → PLAN → BUILD → VALIDATE, each done / current / next with its time, and the gates."""

from __future__ import annotations

from pathlib import Path

from textual.content import Content
from textual.widgets import Static

from ...core.truth.events import PHASES
from ...core.truth.state import ApprovalView, TeamState
from ...core.views.present import duration, one_line
from ...resources import DEMO_SCENARIO
from ..theme import DECISION_COLORS

# Where each human gate sits: the design gate guards the way into BUILD, the migration gate is inside BUILD.
GATES = (("design", "BUILD", "before"), ("migration", "BUILD", "within"))


def gate_state(state: TeamState, kind: str) -> str | None:
    """The latest request of this kind: pending / approved / rejected / answered, or None if never asked."""
    latest: ApprovalView | None = None
    for view in state.approvals.values():
        if view.request.kind == kind and (latest is None or view.seq > latest.seq):
            latest = view
    if latest is None:
        return None
    return latest.decision or "pending"


def phase_times(state: TeamState, now: float) -> dict[str, float]:
    end_of_run = state.ended_at if state.status != "running" and state.ended_at else now
    spent: dict[str, float] = {}
    for span in state.phases:
        until = span.ended_at if span.ended_at is not None else end_of_run
        spent[span.name] = spent.get(span.name, 0.0) + max(0.0, until - span.started_at)
    return spent


def _gate(kind: str, decision: str | None, compact: int = 0) -> Content:
    if compact >= 3:
        kind = kind[:3]
    if decision is None:
        return Content.styled(f"◇ {kind}", "dim")
    mark = {"approved": "✓", "answered": "✓", "rejected": "✗", "pending": "?"}.get(decision, "?")
    return Content.styled(f"◆ {kind} {mark}", f"bold {DECISION_COLORS.get(decision, '#d8d8d8')}")


def render_timeline(state: TeamState, now: float, width: int = 200) -> Content:
    """The timeline on one line if it fits: past phases lose their times first, then the arrows, then letters."""
    for compact in range(4):
        line = _render(state, now, compact)
        if line.cell_length <= width:
            break
    return line


_SHORT = {"BRAINSTORM": "BRAIN", "VALIDATE": "VALID"}


def _render(state: TeamState, now: float, compact: int) -> Content:
    order = list(PHASES) + [p.name for p in state.phases if p.name not in PHASES]
    current = state.phase
    finished = state.status == "done" and state.phases and state.phases[-1].ended_at is not None
    index = order.index(current) if current in order else -1
    spent = phase_times(state, now)
    visited = {span.name for span in state.phases}
    parts: list[Content] = []
    for i, name in enumerate(order):
        for kind, where, when in GATES:
            if where == name and when == "before":
                parts.append(_gate(kind, gate_state(state, kind), compact))
        time = f" {duration(spent[name])}" if name in spent else ""
        label = _SHORT.get(name, name) if compact >= 3 else name
        label = label if name in PHASES else one_line(label, 24)  # a phase named in the log: hostile text
        if name == current and not finished:
            parts.append(Content.assemble(("● ", "bold $accent"), (label, "bold reverse $accent"), (time, "bold")))
        elif name in visited or i < index:
            parts.append(
                Content.assemble(("✓ ", "$text-success"), (label, "$text-success"), ("" if compact else time, "dim"))
            )
        else:
            parts.append(Content.styled(f"○ {label}", "dim"))
        for kind, where, when in GATES:
            if where == name and when == "within":
                parts.append(_gate(kind, gate_state(state, kind), compact))
    return Content(" › " if compact < 2 else " ").join(parts)


PATH_ROOM = 24  # the least of the workspace path worth showing


def run_label(state: TeamState) -> str:
    """What kind of run this is, said on screen: a scripted one is never mistaken for a live team."""
    if state.mode != "scripted":
        return ""
    return "scripted demo" if state.scenario and Path(state.scenario).name == DEMO_SCENARIO else "scripted"


def shown_path(path: str, room: int) -> str:
    """A path in at most ``room`` cells: the home directory as ~, then cut from the left."""
    home = str(Path.home())
    if path == home or path.startswith(home + "/"):
        path = "~" + path[len(home) :]
    return path if len(path) <= room else "…" + path[len(path) - room + 1 :]


def render_header(state: TeamState, now: float, width: int = 200) -> Content:
    """The timeline, and at the right what kind of run it is and where the team works: the phases make room
    for the tag and a path of some length before they keep their times."""
    label = run_label(state)
    tag = Content.styled(f" {label} ", "bold reverse $warning") if label else Content("")
    want = tag.cell_length + (PATH_ROOM + 1 if state.workspace else 0)
    line = render_timeline(state, now, width)
    for compact in range(4):
        if line.cell_length + want + 1 <= width:
            break
        line = _render(state, now, compact)
    if line.cell_length + tag.cell_length + 1 > width:
        return render_timeline(state, now, width)  # no room even for the tag: the phases come first
    room = width - line.cell_length - tag.cell_length - 2
    where = Content.styled(shown_path(state.workspace, room), "dim") if state.workspace and room >= 12 else Content("")
    gap = max(1, width - line.cell_length - where.cell_length - tag.cell_length - (1 if where.cell_length else 0))
    return Content.assemble(line, " " * gap, where, " " if where.cell_length else "", tag)


class PhaseTimeline(Static):
    DEFAULT_CSS = """
    PhaseTimeline { height: auto; padding: 0 1; background: $panel; }
    """

    def show(self, state: TeamState, now: float) -> None:
        self.update(render_header(state, now, (self.size.width - 2) if self.size.width else 200))
