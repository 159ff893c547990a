"""Colours of the TUI: an agent's colour from its file's ``color`` name, and one colour and word per agent state."""

from __future__ import annotations

import zlib

from rich.color import Color, ColorParseError

# The colour names Claude Code agent files use, tuned to read well on a dark background.
AGENT_COLORS: dict[str, str] = {
    "red": "#ef6f6c",
    "blue": "#6fa8ff",
    "green": "#7ccf6b",
    "yellow": "#e8c547",
    "purple": "#b48cf2",
    "orange": "#f0995a",
    "pink": "#f28ac4",
    "cyan": "#5cc8d6",
    "white": "#d8d8d8",
    "gray": "#9a9a9a",
    "grey": "#9a9a9a",
}

# For agents whose file names no colour (or one we cannot parse): stable per name.
_FALLBACK = ["blue", "green", "purple", "orange", "cyan", "pink", "yellow", "red"]

STATE_COLORS: dict[str, str] = {
    "running": "#7ccf6b",
    "waiting": "#e8c547",
    "idle": "#8a8a8a",
    "paused": "#6fa8ff",
    "done": "#5cc8d6",
    "error": "#ef6f6c",
    "cancelled": "#8a8a8a",
}

# One short word per state for the status bar, where width is scarce.
STATE_WORDS: dict[str, str] = {
    "running": "run",
    "waiting": "wait",
    "idle": "idle",
    "paused": "pause",
    "done": "done",
    "error": "err",
    "cancelled": "stop",
}

DECISION_COLORS: dict[str, str] = {
    "approved": "#7ccf6b",
    "answered": "#7ccf6b",
    "rejected": "#ef6f6c",
    "pending": "#e8c547",
}


def agent_color(color: str | None, name: str = "") -> str:
    """A colour Textual and Rich can draw for an agent's ``color`` field."""
    key = (color or "").strip().lower()
    if key in AGENT_COLORS and not (key == "white" and name):
        return AGENT_COLORS[key]
    if key and key != "white":
        try:
            Color.parse(key)
        except ColorParseError:
            pass
        else:
            return key
    # "white" is the AgentInfo default, i.e. the file named no colour: give each agent its own instead
    if name:
        return AGENT_COLORS[_FALLBACK[zlib.crc32(name.encode()) % len(_FALLBACK)]]
    return AGENT_COLORS["white"]


def state_color(state: str) -> str:
    return STATE_COLORS.get(state, "#8a8a8a")


def state_word(state: str) -> str:
    return STATE_WORDS.get(state, state[:5])
