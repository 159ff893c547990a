"""ApprovalModal: one request for the person — a question, a design, a plan, a migration, a tool permission
or a prose reply — answered from the keyboard (or the mouse) and returned as an :class:`Answer`.

Dismissing with ``None`` sets the request aside: it stays pending in the log and in the inbox.

Nothing is answered unseen: the modal *arms* once it has been on screen for ``arm_delay`` seconds (measured
from its first frame after each time it comes to the top, on an injectable monotonic clock); until then its
answer keys and buttons do nothing and the header counts down. A form of several questions asks for a final
review (armed again) instead of submitting on the last enter.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from rich.console import Group, RenderableType
from rich.segment import Segment
from rich.syntax import Syntax
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Button, Footer, Input, Static, TextArea

from ...core.config import APPROVAL_DELAY_S
from ...core.truth.events import ApprovalRequest, Question
from ...core.truth.state import ApprovalView
from ...core.views.present import age
from ..plain import plain, plain_line, plain_text
from ..theme import agent_color
from ..widgets.streamed_markdown import PaneMarkdown
from .backdrop import LiveBackdrop
from .changes import file_tool_diff, reask_section
from .help import HELP_BINDING, OffersHelp
from .question_block import QuestionBlock

# ── small shared helpers (the inbox and the task detail use them too) ──────────────────────────────────


def agent_style(color: str | None, name: str = "") -> str:
    """A bold Rich style in the agent's colour (the same colour the panes and the board use)."""
    return f"bold {agent_color(color, name)}"


def agent_color_from_app(app: Any, agent: str) -> str | None:
    """The agent's colour as the running app's session knows it, or None outside such an app."""
    state = getattr(getattr(app, "session", None), "state", None)
    view = getattr(state, "agents", {}).get(agent) if state is not None else None
    return view.info.color if view is not None else None


KIND_LABELS = {
    "question": "QUESTION",
    "design": "DESIGN",
    "plan": "PLAN",
    "migration": "MIGRATION",
    "permission": "PERMISSION",
    "reply": "REPLY",
    "other": "REQUEST",
}


# ── the result ────────────────────────────────────────────────────────────────────────────────────────


@dataclass
class Answer:
    decision: Literal["approved", "rejected", "answered"]
    note: str = ""
    answers: list[str] = field(default_factory=list)


# ── workspace files for a migration ───────────────────────────────────────────────────────────────────

MAX_FILE_BYTES = 200_000


def read_workspace_file(workspace: Path | None, rel: str) -> tuple[str | None, str]:
    """(text, "") for a readable text file inside the workspace, else (None, why not) — never raises."""
    if workspace is None:
        return None, "no workspace to read it from"
    try:
        root = workspace.resolve()
        target = (root / rel).resolve()
    except (OSError, RuntimeError, ValueError) as exc:
        return None, f"cannot resolve the path ({exc})"
    if not target.is_relative_to(root):
        return None, "the path is outside the workspace; not shown"
    if not target.exists():
        return None, "the file does not exist (yet) in the workspace"
    if not target.is_file():
        return None, "not a regular file"
    try:
        with target.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return None, f"cannot read it ({exc.strerror or exc})"
    if b"\x00" in data[:8192]:
        return None, "a binary file; not shown"
    truncated = len(data) > MAX_FILE_BYTES
    try:
        text = data[:MAX_FILE_BYTES].decode("utf-8", errors="strict" if not truncated else "ignore")
    except UnicodeDecodeError:
        return None, "not UTF-8 text; not shown"
    return text, ("shown up to the first 200 KB" if truncated else "")


CODE_THEME = "monokai"


def highlighted(code: str, path: str) -> Syntax:
    code = plain(code)
    lexer = Syntax.guess_lexer(plain_line(path), code)
    return Syntax(code, lexer, line_numbers=True, word_wrap=False, theme=CODE_THEME)


class Document(Widget):
    """A Markdown document drawn by Rich in one widget, its lines drawn once per width.

    A Textual ``Markdown`` is a tree of tens of widgets to compose and lay out before the modal's first
    frame, and a person waits for that frame; a ``Static`` would draw the document twice (once to measure
    its height, once to show it).
    """

    DEFAULT_CSS = "Document { height: auto; }"

    def __init__(self, source: str, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.source = source
        self._drawn: tuple[int, list[list[Segment]]] | None = None

    def _lines(self, width: int) -> list[list[Segment]]:
        if self._drawn is None or self._drawn[0] != width:
            options = self.app.console_options.update(width=max(1, width), height=None, highlight=False)
            self._drawn = (
                width,
                self.app.console.render_lines(PaneMarkdown(self.source, CODE_THEME), options, pad=False),
            )
        return self._drawn[1]

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(width))

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        lines = self._lines(width)
        return Strip(lines[y] if y < len(lines) else []).extend_cell_length(width).apply_style(self.rich_style)


# ── the modal ─────────────────────────────────────────────────────────────────────────────────────────


class ApprovalModal(OffersHelp, LiveBackdrop, ModalScreen[Answer | None]):
    HELP_SECTION = "Approval requests"
    CSS_PATH = "approval.tcss"

    # One key may mean different things by kind (a approves a design, allows a tool, submits answers);
    # check_action enables the one that applies, so the footer names it right.
    BINDINGS = [
        Binding("a", "approve", "Approve"),
        Binding("a", "allow", "Allow once"),
        Binding("a", "submit", "Submit"),
        Binding("A,s", "allow_always", "Allow for session", key_display="A/s"),
        Binding("ctrl+s", "send", "Send"),
        # priority: taken when the key arrives, before any key typed after it is handed to the focused
        # widget, so the reason that follows reaches the reason box (not a question's space, which picks)
        Binding("r", "reject", "Reject", priority=True),
        Binding("r", "decline", "Decline", priority=True),
        Binding("escape", "set_aside", "Set aside"),
        Binding("escape", "back", "Back"),
        Binding("1", "pick(1)", "Pick", key_display="1-9"),
        *[Binding(str(n), f"pick({n})", show=False) for n in range(2, 10)],
        # read the request from anywhere in the modal, even with a button focused
        Binding("pageup", "scroll('page_up')", show=False),
        Binding("pagedown", "scroll('page_down')", show=False),
        Binding("home", "scroll('home')", show=False),
        Binding("end", "scroll('end')", show=False),
        HELP_BINDING,
    ]

    # the actions that answer (or start answering) the request: they wait until the modal is armed
    ANSWER_ACTIONS = frozenset({"approve", "allow", "submit", "allow_always", "send", "reject", "decline", "pick"})
    ARM_TICK_S = 0.05

    _ACTIONS_BY_KIND = {
        "question": {"submit", "decline", "pick"},
        "permission": {"allow", "allow_always", "reject"},
        "reply": {"send", "decline"},
    }
    _DEFAULT_ACTIONS = {"approve", "reject"}

    def __init__(
        self,
        view: ApprovalView,
        workspace: Path | None,
        clock: Callable[[], float] = time.time,
        *,
        color: str | None = None,
        arm_delay: float = APPROVAL_DELAY_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(classes=f"kind-{view.request.kind}")
        self.view = view
        self.request: ApprovalRequest = view.request
        self.workspace = Path(workspace) if workspace is not None else None
        self.clock = clock
        self.color = color
        self.arm_delay = max(0.0, arm_delay)
        self.monotonic = monotonic
        self._current_question = 0
        self._rejecting = False
        self._shows_diff = False
        self._reviewing = False
        self._reviewed: list[str] = []  # the answers the final review showed
        self.armed = False  # True once the request has been on screen for arm_delay (see _arm_tick)
        self._shown_at: float | None = None
        self._age_shown = ""  # the "asked ... ago" last drawn in the header
        self._arm_timer: Any = None
        self._focus_when_armed = True

    @property
    def kind(self) -> str:
        return self.request.kind

    # ── layout ────────────────────────────────────────────────────────────────

    def compose(self) -> ComposeResult:
        # the header and the answer controls are docked, so only the request itself scrolls and the
        # buttons stay in sight at any terminal size; short requests keep the card short
        with VerticalScroll(id="dialog"):
            with Vertical(id="top"):
                yield Static(self._header(), id="header")
                if self.request.title:
                    yield Static(plain_text(self.request.title, style="bold"), id="title")
                if self.request.summary and self.request.summary != self.request.title:
                    yield Static(plain_text(self.request.summary), id="summary")
            with Vertical(id="bottom"):
                if self.kind == "reply":
                    yield Static(Text.assemble(("Your reply", "bold"), ("  ctrl+s sends", "dim")), id="reply-label")
                    yield TextArea(
                        id="reply", soft_wrap=True, show_line_numbers=False, placeholder="Write to the agent…"
                    )
                with Vertical(id="reason-box"):
                    yield Static(id="reason-label")
                    yield Input(placeholder="reason…", id="reason")
                if self.kind == "question":
                    yield Static(id="review")
                with Horizontal(id="buttons"):
                    yield from self._buttons()
            yield from self._body()
        yield Footer()

    def _header(self) -> Text:
        color = self.color
        if color is None and self.is_attached:
            color = agent_color_from_app(self.app, self.request.agent)
        text = Text()
        style = agent_style(color, self.request.agent)
        text.append("● ", style=style)
        text.append(plain_line(self.request.agent), style=style)
        text.append("  ")
        text.append(f" {KIND_LABELS.get(self.kind) or plain_line(self.kind.upper())} ", style="bold reverse")
        text.append(f"  #{self.request.id}", style="dim")
        text.append(f"  · asked {self._asked_ago()}", style="dim")
        if not self.armed:
            text.append(f"  ◔ arming {self._arming_left():.1f}s", style="bold yellow")
        return text

    def _asked_ago(self) -> str:
        return age(self.clock() - self.view.requested_at)

    def _redraw_header(self) -> None:
        # one line, always: drawn again without laying out the modal
        self.query_one("#header", Static).update(self._header(), layout=False)

    def _tick_age(self) -> None:
        """Once a second: "asked 40s ago" keeps counting while the person reads (redrawn only when it moves)."""
        shown = self._asked_ago()
        if shown != self._age_shown:
            self._age_shown = shown
            self._redraw_header()

    def _body(self) -> ComposeResult:
        req = self.request
        yield from reask_section(getattr(getattr(self.app, "session", None), "state", None), self.view)
        if self.kind == "question":
            for i, q in enumerate(req.questions):
                yield QuestionBlock(q, i, len(req.questions))
            if not req.questions:
                yield Static(Text("The request carries no questions; answer in the field below.", style="dim"))
                yield QuestionBlock(Question(question=req.title or "Your answer"), 0, 1)
        elif self.kind == "migration":
            yield from self._migration_body()
        elif self.kind == "permission":
            if req.body:  # partytui's own word on the call: no sandbox here, or a call interrupted mid-run
                yield Static(Text(req.body), classes="note")
            yield Static(self._permission_body(), id="tool")
        elif self.kind == "reply":
            yield Document(req.body or req.summary or "_(the agent left no text)_", id="document")
        else:
            if req.body:
                yield Document(req.body, id="document")
            elif not req.files:
                yield Static(Text("(no document attached)", style="dim italic"))
            yield from self._attached_files()

    def _attached_files(self) -> ComposeResult:
        """The documents a design, plan or other request names: Markdown rendered, anything else highlighted."""
        for rel in self.request.files:
            yield Static(plain_text(f"▌ {rel}", style="bold"), classes="file-name")
            content, why = read_workspace_file(self.workspace, rel)
            if content is None:
                yield Static(plain_text(f"⚠ {rel}: {why}", style="yellow"), classes="note file-note")
            elif rel.lower().endswith((".md", ".markdown")):
                yield Document(content, classes="file-document")
            else:
                yield Static(highlighted(content, rel), classes="file-code")

    def _migration_body(self) -> ComposeResult:
        req = self.request
        if not req.files:
            yield Static(Text("No files were named with this migration.", style="yellow"), classes="note")
        for rel in req.files:
            yield Static(plain_text(f"▌ {rel}", style="bold"), classes="file-name")
            code, why = read_workspace_file(self.workspace, rel)
            if code is None:
                yield Static(plain_text(f"⚠ {rel}: {why}", style="yellow"), classes="note file-note")
                continue
            yield Static(highlighted(code, rel), classes="file-code")
            if why:
                yield Static(Text(why, style="dim"), classes="note")
        yield Static(Text("Rollback and notes", style="bold underline"), classes="section")
        if "rollback" not in req.body.lower():
            yield Static(Text("⚠ No rollback is stated for this migration.", style="bold yellow"), classes="note")
        if req.body:
            yield Document(req.body, id="document")

    def _permission_body(self) -> RenderableType:
        tool = plain_line(self.request.tool or "?")
        data = dict(self.request.tool_input or {})
        parts: list[RenderableType] = [Text.assemble(("Tool  ", "dim"), (tool, "bold"))]
        description = data.pop("description", None) if tool == "Bash" else None
        if description:
            parts.append(Text.assemble(("Why   ", "dim"), plain(description)))
        if tool == "Bash" and "command" in data:
            parts.append(Text(""))
            parts.append(Syntax(plain(data.pop("command")), "bash", theme=CODE_THEME, word_wrap=True))
        elif (diff := file_tool_diff(tool, data, self.workspace, read_workspace_file)) is not None:
            parts += diff
            self._shows_diff = True
            data = {
                k: v
                for k, v in data.items()
                if k not in ("file_path", "content", "old_string", "new_string", "replace_all", "edits")
            }
        elif "file_path" in data and isinstance(data.get("content"), str):
            path = str(data.pop("file_path"))
            parts.append(Text.assemble(("File  ", "dim"), plain(path)))
            parts.append(highlighted(data.pop("content"), path))
        if data:
            parts.append(Text(""))
            parts.append(
                Syntax(
                    plain(json.dumps(data, indent=2, ensure_ascii=False, default=str)),
                    "json",
                    theme=CODE_THEME,
                    word_wrap=True,
                )
            )
        return Group(*parts)

    def _buttons(self) -> ComposeResult:
        if self.kind == "question":
            yield Button("Submit answers", variant="primary", id="submit")
            yield Button("Decline  r", variant="error", id="reject")
        elif self.kind == "permission":
            yield Button("Allow once  a", variant="success", id="approve")
            yield Button("Allow for session  s", variant="primary", id="always")
            yield Button("Reject  r", variant="error", id="reject")
        elif self.kind == "reply":
            yield Button("Send  ctrl+s", variant="primary", id="send")
            yield Button("Decline  r", variant="error", id="reject")
        else:
            yield Button("Approve  a", variant="success", id="approve")
            yield Button("Reject  r", variant="error", id="reject")
        yield Button("Set aside  esc", id="aside")

    def on_resize(self) -> None:
        # a diff goes side by side, and a re-ask's reason beside its changes, only where there is room
        self.set_class(self.size.width >= 150 and (self._shows_diff or bool(self.query("#reask"))), "-wide")
        self.set_class(self.size.width < 100, "-narrow")

    def on_mount(self) -> None:
        if not self.is_active:
            return  # dismissed (answered elsewhere) before it mounted: its widgets are already going
        self.query_one("#reason-box").display = False
        if self.kind == "question":
            self.query_one("#review").display = False
        self._show_arming()
        # until armed, the document has focus: keys typed meanwhile land in no answer, no text box
        self.query_one("#dialog").focus()
        self._age_shown = self._asked_ago()
        self.set_interval(1.0, self._tick_age)

    # ── arming: answer keys count only once the request has been on screen for arm_delay ─────────

    def on_screen_resume(self) -> None:
        # shown (first push, or back on top after a screen above it closed): the clock starts at the
        # first frame that actually shows it, not at the push
        self._disarm()
        self.call_after_refresh(self._start_arming)

    def on_screen_suspend(self) -> None:
        self._disarm()

    def _disarm(self) -> None:
        was_armed, self.armed = self.armed, False
        self._shown_at = None
        if self._arm_timer is not None:
            self._arm_timer.stop()
            self._arm_timer = None
        if self.is_mounted:
            if was_armed:
                self._show_arming()
            else:
                # the countdown starts again; the keys and buttons were off already, and drawing them off
                # again would rebuild the footer before the modal's first frame
                self._redraw_header()

    def _start_arming(self) -> None:
        if not self.is_current or self._shown_at is not None:
            return  # covered again before its first frame, or already counting
        self._shown_at = self.monotonic()
        self._arm_tick()
        if not self.armed:
            self._arm_timer = self.set_interval(self.ARM_TICK_S, self._arm_tick)

    def _arming_left(self) -> float:
        if self._shown_at is None:
            return self.arm_delay
        return max(0.0, self.arm_delay - (self.monotonic() - self._shown_at))

    def _arm_tick(self) -> None:
        if self._shown_at is None or self.armed:
            return
        if self._arming_left() > 0:
            self._redraw_header()
            return
        self.armed = True
        if self._arm_timer is not None:
            self._arm_timer.stop()
            self._arm_timer = None
        self._show_arming()
        if self._focus_when_armed:
            self._focus_when_armed = False
            self._focus_start()

    def _show_arming(self) -> None:
        """The header's countdown, the answer buttons and the footer's answer keys follow ``armed``."""
        self._redraw_header()
        for button in self.query("#buttons Button").results(Button):
            button.disabled = not self.armed
        self.refresh_bindings()

    def _rearm(self) -> None:
        """Arm again from the next frame (the form changed under the person's eyes: the final review)."""
        self._disarm()
        self._focus_when_armed = True
        self.query_one("#dialog").focus()
        self.call_after_refresh(self._start_arming)

    def _focus_start(self) -> None:
        if self._reviewing:
            self.query_one("#submit", Button).focus()
        elif self.kind == "question":
            blocks = list(self.query(QuestionBlock))
            blocks[min(self._current_question, len(blocks) - 1)].focus()
        elif self.kind == "reply":
            self.query_one("#reply", TextArea).focus()
        else:
            # the document has focus, not a button: arrows read it, and a stray enter approves nothing
            self.query_one("#dialog").focus()

    # ── which keys apply to which kind ────────────────────────────────────────

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self._rejecting or self._reviewing
        if action == "scroll":
            return not self._rejecting
        if action == "set_aside":
            # closing it unseen would hide it as surely as answering it: it waits for the arming too
            if self._rejecting or self._reviewing:
                return False
            return True if self.armed else None
        allowed = self._ACTIONS_BY_KIND.get(self.kind, self._DEFAULT_ACTIONS)
        if action in ("reject", "decline") and isinstance(self.focused, (Input, TextArea)):
            return False  # an r typed into an answer or a reply is a letter (the binding is a priority one)
        if action in self.ANSWER_ACTIONS:
            if self._rejecting:
                return False
            if action == "pick" and (self._reviewing or not any(b.question.options for b in self.query(QuestionBlock))):
                return False
            if action not in allowed:
                return False
            return True if self.armed else None  # None: shown dimmed in the footer, and the key does nothing
        return True

    # ── actions ───────────────────────────────────────────────────────────────

    @property
    def answerable(self) -> bool:
        """Armed, and not writing a rejection's reason: only then may anything answer the request (a key,
        a button, a question's pick). A key queued before the reason box took focus is no answer."""
        return self.armed and not self._rejecting

    def action_approve(self) -> None:
        if self.answerable:
            self.dismiss(Answer("approved"))

    action_allow = action_approve

    def action_allow_always(self) -> None:
        if self.answerable:
            self.dismiss(Answer("approved", note="always"))

    def action_submit(self) -> None:
        self._submit_questions()

    def action_send(self) -> None:
        if not self.answerable:
            return
        text = self.query_one("#reply", TextArea).text.strip()
        if not text:
            self.notify("Write a reply first (or escape to set it aside).", severity="warning")
            return
        self.dismiss(Answer("answered", answers=[text]))

    def action_reject(self) -> None:
        if not self.armed:
            return
        self._rejecting = True
        verb = "decline" if self.kind in ("question", "reply") else "reject"
        label = Text.assemble(
            (f"Why {verb}? (the agent reads this)", "bold"), ("  enter sends · escape goes back", "dim")
        )
        self.query_one("#reason-label", Static).update(label)
        self.query_one("#reason-box").display = True
        self.query_one("#buttons").display = False
        # focused now, not on a later turn of the loop: keys already typed after r are the reason's words
        # and must reach the box, not the question or button that had focus (a space there picks, an
        # enter there presses)
        self.set_focus(self.query_one("#reason", Input))
        self.refresh_bindings()

    action_decline = action_reject

    def action_scroll(self, where: str) -> None:
        dialog = self.query_one("#dialog", VerticalScroll)
        {
            "page_up": dialog.action_page_up,
            "page_down": dialog.action_page_down,
            "home": dialog.action_scroll_home,
            "end": dialog.action_scroll_end,
        }[where]()

    def action_set_aside(self) -> None:
        if self.answerable:
            self.dismiss(None)

    def action_back(self) -> None:
        if self._rejecting:
            self._rejecting = False
            self.query_one("#reason-box").display = False
            self.query_one("#buttons").display = True
            self.query_one("#reason", Input).value = ""
            self._focus_start()
            self.refresh_bindings()
        elif self._reviewing:
            self._leave_review()

    def action_pick(self, n: int) -> None:
        if not self.armed or self._reviewing:
            return
        blocks = list(self.query(QuestionBlock))
        focused = self.focused
        for block in blocks:
            if focused is block:
                self._current_question = block.index
        block = blocks[min(self._current_question, len(blocks) - 1)]
        if n > len(block.question.options):
            self.notify(f"There is no option {n}.", severity="warning", timeout=2)
            return
        if block.pick(n - 1):
            self._advance(block)
        else:
            block.focus()

    @on(QuestionBlock.Done)
    def _question_done(self, event: QuestionBlock.Done) -> None:
        if self.answerable:
            self._advance(event.block)

    @on(QuestionBlock.Changed)
    def _question_changed(self, event: QuestionBlock.Changed) -> None:
        if self._reviewing and self._answer_lines() != self._reviewed:
            self._leave_review()  # an answer changed after the review: review again before submitting

    @on(Input.Submitted, "#reason")
    def _reason_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.armed and self._rejecting:
            self.dismiss(Answer("rejected", note=event.value.strip()))

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        actions = {
            "approve": self.action_approve,
            "always": self.action_allow_always,
            "reject": self.action_reject,
            "aside": self.action_set_aside,
            "send": self.action_send,
            "submit": self._submit_questions,
        }
        if (act := actions.get(event.button.id or "")) is not None:
            event.stop()
            if self.answerable:
                act()

    def on_descendant_focus(self, event: Any) -> None:
        widget = event.widget
        while widget is not None and not isinstance(widget, QuestionBlock):
            widget = widget.parent if widget.parent is not self else None
        if isinstance(widget, QuestionBlock):
            self._current_question = widget.index

    # ── questions ─────────────────────────────────────────────────────────────

    def _advance(self, block: QuestionBlock) -> None:
        """Move on from a question: to the next unanswered one, or to submitting when all are answered."""
        blocks = list(self.query(QuestionBlock))
        if not block.answered:
            self.notify("Pick an option or type an answer first.", severity="warning", timeout=2)
            block.focus()
            return
        later = [b for b in blocks[block.index + 1 :] if not b.answered] + [b for b in blocks if not b.answered]
        if later:
            later[0].focus()
            self._current_question = later[0].index
        else:
            self._submit_questions()

    def _submit_questions(self) -> None:
        if not self.answerable:
            return
        blocks = list(self.query(QuestionBlock))
        missing = [b for b in blocks if not b.answered]
        if missing:
            self.notify(f"Question {missing[0].index + 1} still needs an answer.", severity="warning", timeout=3)
            missing[0].focus()
            return
        if len(blocks) > 1 and not self._reviewing:
            self._enter_review(blocks)  # several answers: the last enter shows them all, it does not send them
            return
        self.dismiss(Answer("answered", answers=[b.answer_line() for b in blocks]))

    def _answer_lines(self) -> list[str]:
        return [b.answer_line() for b in self.query(QuestionBlock)]

    def _enter_review(self, blocks: list[QuestionBlock]) -> None:
        self._reviewing = True
        self._reviewed = self._answer_lines()
        text = Text()
        text.append(f"Submit these {len(blocks)} answers?", style="bold")
        text.append("  enter or a submits · escape to change one\n", style="dim")
        for block in blocks:
            text.append(f"{block.index + 1}. ", style="bold")
            text.append(block.question.header or block.question.question, style="dim")
            text.append(" → ")
            text.append(block.answer_text(), style="bold green")
            text.append("\n")
        text.rstrip()
        review = self.query_one("#review", Static)
        review.update(text)
        review.display = True
        self.query_one("#submit", Button).label = "Submit these answers  a"
        self._rearm()

    def _leave_review(self) -> None:
        self._reviewing = False
        self.query_one("#review").display = False
        self.query_one("#submit", Button).label = "Submit answers"
        if not isinstance(self.focused, (QuestionBlock, Input)):  # not while the person is changing an answer
            blocks = list(self.query(QuestionBlock))
            blocks[min(self._current_question, len(blocks) - 1)].focus()
        self.refresh_bindings()
