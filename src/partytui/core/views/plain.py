"""Text from agents, files and logs made safe to show: data, never terminal control.

Every view (the TUI, the headless lines, ``summary``, ``agents``, exports) passes such text through
:func:`plain` (or :func:`plain_line` where one line is wanted) before it shows it. Escape sequences are
removed whole — so nothing can set the terminal's title, write its clipboard (OSC 52), move the cursor or
clear the screen — and any other control character becomes a visible symbol. Newlines and tabs stay.
Markup is not this module's business: the TUI builds its styled text from plain strings without parsing
them (``tui/plain.py``), and the Markdown export escapes what Markdown would read as HTML.
"""

from __future__ import annotations

import re

# A whole escape sequence, 7-bit (ESC …) or 8-bit (a C1 introducer). A string (OSC, DCS, …) without its
# terminator loses only its introducer: the text after it stays in sight, it is what a person must see.
_SEQUENCE = re.compile(
    r"""
    (?:\x1b\[|\x9b) [\x30-\x3f]* [\x20-\x2f]* [\x40-\x7e]?              # CSI: cursor, colours, clear
  | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]) [^\x07\x1b\x9c]* (?:\x07|\x1b\\|\x9c)  # OSC, DCS…: title, clipboard
  | \x1b [\x20-\x2f]* [\x30-\x7e]?                                      # any other ESC sequence, or a lone ESC
    """,
    re.VERBOSE | re.DOTALL,
)

# What is left that a terminal could act on, or that would break lines and columns: C0 but tab and newline,
# DEL, C1, the Unicode line separators, and the bidirectional overrides that reorder what is seen.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _symbol(match: re.Match[str]) -> str:
    char = match.group(0)
    code = ord(char)
    if char in "\r\x0b\x0c\u2028\u2029\x85":
        return "\n"  # a line break by another name
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟, the Unicode control pictures
    if code == 0x7F:
        return "\u2421"  # ␡
    if 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        return ""  # invisible anyway; dropped so they reorder nothing
    return "\ufffd"


def plain(text: object) -> str:
    """``text`` as plain text to display: escape sequences removed, other controls shown as symbols.

    Newlines and tabs are kept; ``\\r\\n`` and a lone ``\\r`` (progress bars) become a newline.
    """
    text = text if isinstance(text, str) else str(text)
    if not _UNSAFE.search(text):
        return text  # the common case costs one scan
    text = _SEQUENCE.sub("", text.replace("\r\n", "\n"))
    return _UNSAFE.sub(_symbol, text)


def plain_line(text: object) -> str:
    """``text`` as one plain line: as :func:`plain`, with each newline and tab made a space."""
    return plain(text).replace("\n", " ").replace("\t", " ")


def terminal_safe_json(dumped: str) -> str:
    """JSON text (``json.dumps(..., ensure_ascii=False)``) with what a terminal could act on written as
    ``\\uXXXX`` escapes: the same data to a JSON reader, nothing but characters to a terminal."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", dumped)
