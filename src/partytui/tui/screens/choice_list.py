"""A screen that is a list to choose from: j / k move, enter (or a click) chooses, and the screen is dismissed
with what the chosen line stands for (the inbox's requests, the picker's running sessions)."""

from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

MOVE_BINDINGS = [Binding("j", "move(1)", show=False), Binding("k", "move(-1)", show=False)]


class ChoosesFromList:
    """Mixed into a Screen with one OptionList; ``chosen`` says what an option stands for (None: nothing)."""

    def chosen(self, option: Option) -> Any | None:
        raise NotImplementedError

    def _choose(self, option: Option) -> None:
        value = self.chosen(option)
        if value is not None:
            self.dismiss(value)  # type: ignore[attr-defined]

    def action_choose(self) -> None:
        options = self.query_one(OptionList)  # type: ignore[attr-defined]
        if options.highlighted is not None:
            self._choose(options.get_option_at_index(options.highlighted))

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)  # type: ignore[attr-defined]
        options.action_cursor_down() if step > 0 else options.action_cursor_up()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(event.option)
