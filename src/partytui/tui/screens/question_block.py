"""QuestionBlock: one question of an AskUserQuestion request, answered with number keys, arrows or free text."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from ...core.truth.events import Question
from ..plain import plain, plain_line


class QuestionBlock(Vertical, can_focus=True):
    """A question with numbered options; up/down move, space/enter pick, an "Other…" field for free text."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("space", "toggle_cursor", "Pick", show=False),
        Binding("enter", "confirm", "Confirm"),
    ]

    def __init__(self, question: Question, index: int, total: int) -> None:
        super().__init__(id=f"q{index}", classes="question")
        self.question = question
        self.index = index
        self.total = total
        self.cursor = 0
        self.picked: list[int] = []  # option indexes, in the order picked
        self.other = ""

    @property
    def multi(self) -> bool:
        return self.question.multi_select

    @property
    def answered(self) -> bool:
        return bool(self.picked or self.other.strip())

    def answer_text(self) -> str:
        labels = [self.question.options[i].label for i in sorted(self.picked)]
        if self.other.strip():
            labels.append(self.other.strip())
        return ", ".join(labels)

    def answer_line(self) -> str:
        return f"{self.question.question} → {self.answer_text()}"

    def compose(self) -> ComposeResult:
        q = self.question
        head = Text()
        if self.total > 1:
            head.append(f"{self.index + 1}/{self.total} ", style="dim")
        if q.header:
            head.append(f" {plain_line(q.header)} ", style="reverse")
            head.append(" ")
        head.append(plain(q.question), style="bold")
        if self.multi:
            head.append("  (pick any, enter to confirm)", style="dim italic")
        yield Static(head, classes="question-text")
        for i, _ in enumerate(q.options):
            yield Static(self._option_text(i), id=f"q{self.index}-opt{i}", classes="option")
        yield Input(placeholder="Other… type your own answer, enter to confirm", classes="other", compact=True)

    def _option_text(self, i: int) -> Text:
        opt = self.question.options[i]
        chosen = i in self.picked
        mark = ("☑" if chosen else "☐") if self.multi else ("●" if chosen else "○")
        text = Text()
        text.append("› " if i == self.cursor and self.has_focus else "  ", style="bold cyan")
        text.append(f"{i + 1} " if i < 9 else "  ", style="bold")
        text.append(f"{mark} ", style="bold green" if chosen else "dim")
        text.append(plain(opt.label), style="bold" if chosen else "")
        if opt.description:
            text.append(f"  {plain(opt.description)}", style="dim")
        return text

    def refresh_options(self) -> None:
        # a late focus or blur can land while the modal closes, when its rows are already gone
        rows = {row.id: row for row in self.query(".option").results(Static)}
        for i in range(len(self.question.options)):
            row = rows.get(f"q{self.index}-opt{i}")
            if row is None:
                continue
            row.update(self._option_text(i))
            row.set_class(i in self.picked, "-picked")
            row.set_class(i == self.cursor and self.has_focus, "-cursor")
        self.set_class(self.answered, "-answered")

    def on_focus(self) -> None:
        self.call_after_refresh(self.refresh_options)  # has_focus settles after this handler

    def on_blur(self) -> None:
        self.call_after_refresh(self.refresh_options)

    def _answers_open(self) -> bool:
        """Whether the modal takes answers yet (it arms once the request has been on screen long enough)."""
        return bool(getattr(self.screen, "armed", True))

    def pick(self, i: int) -> bool:
        """Pick (or for multiSelect toggle) option i; True when a single choice now answers the question."""
        if not 0 <= i < len(self.question.options) or not self._answers_open():
            return False
        self.cursor = i
        if self.multi:
            if i in self.picked:
                self.picked.remove(i)
            else:
                self.picked.append(i)
        else:
            self.picked = [i]
            self.other = ""
            self.query_one(Input).value = ""
        self.refresh_options()
        self.post_message(self.Changed(self))
        return not self.multi

    def action_cursor(self, step: int) -> None:
        if self.question.options:
            self.cursor = (self.cursor + step) % len(self.question.options)
            self.refresh_options()

    def action_toggle_cursor(self) -> None:
        if self.pick(self.cursor):
            self.post_message(self.Done(self))

    def action_confirm(self) -> None:
        if not self._answers_open():
            return
        if not self.multi and not self.answered and self.question.options:
            self.pick(self.cursor)
        self.post_message(self.Done(self))

    def on_click(self, event: Any) -> None:
        widget = event.widget
        if widget is not None and widget.has_class("option") and widget.id:
            done = self.pick(int(widget.id.rsplit("opt", 1)[1]))
            if done:
                self.post_message(self.Done(self))

    @on(Input.Changed, ".other")
    def _other_changed(self, event: Input.Changed) -> None:
        self.other = event.value
        if event.value.strip() and not self.multi and self.picked:
            self.picked = []
        self.refresh_options()
        self.post_message(self.Changed(self))

    @on(Input.Submitted, ".other")
    def _other_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._answers_open():
            self.post_message(self.Done(self))

    class Changed(Message):
        """The answer to this question changed (an option picked or unpicked, the free text edited)."""

        def __init__(self, block: QuestionBlock) -> None:
            super().__init__()
            self.block = block

    class Done(Message):
        """The person is done with this question (picked a single option or confirmed)."""

        def __init__(self, block: QuestionBlock) -> None:
            super().__init__()
            self.block = block
