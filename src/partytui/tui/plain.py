"""Text from agents, files and logs as Textual ``Content`` or Rich ``Text``: plain, never read as markup.

The one way the TUI shows such text: :func:`partytui.core.views.plain.plain` takes out what a terminal would act
on, and the text is wrapped as it is — ``[b]``, ``[/]`` or ``[@click=…]`` in a file name stay characters.
Never hand such text to ``Content.from_markup``, ``Static("…")``, a string ``border_title``, a ``TabPane``
or ``DataTable`` label, or ``notify(markup=True)``: each of those parses markup.
"""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text
from textual.content import Content
from textual.style import Style as ContentStyle

from ..core.views.plain import plain, plain_line

__all__ = ["plain", "plain_content", "plain_line", "plain_text"]


def plain_content(text: object, style: str | ContentStyle = "") -> Content:
    """Textual ``Content`` showing ``text`` as it is (controls out), in ``style``."""
    return Content.styled(plain(text), style) if style else Content(plain(text))


def plain_text(text: object, style: str | Style = "", **kwargs: Any) -> Text:
    """Rich ``Text`` showing ``text`` as it is (controls out), in ``style``."""
    return Text(plain(text), style=style, **kwargs)
