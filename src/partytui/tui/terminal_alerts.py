"""Telling the person outside the terminal that a request waits: the window title, the bell, a desktop
notification — all through the terminal's own escape codes.

The sequences are built here as plain strings (no Textual); the app writes them through its driver. Text in
them comes from agents and is hostile: it is made plain first (core/views/plain.py), so nothing an agent writes can
end a sequence early or start one of its own.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..core.views.plain import plain_line

ESC, BEL, ST = "\x1b", "\x07", "\x1b\\"
MAX_TEXT = 160  # a notification or a title is a glance, not a document


@dataclass(frozen=True)
class AlertSettings:
    """Which of the outside-the-terminal alerts are on (the config file's ``terminal_title``, ``bell``,
    ``desktop_notify``)."""

    title: bool = True
    bell: bool = True
    desktop: bool = True

    @classmethod
    def off(cls) -> AlertSettings:
        return cls(title=False, bell=False, desktop=False)


def plain(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` safe inside an OSC sequence: one plain line (core/views/plain.py: escape sequences removed, controls
    shown as symbols), no ``;`` (it separates an OSC's fields), no invisible format characters, trimmed to
    ``limit`` characters."""
    text = plain_line(text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")  # bidi overrides, zero-widths
    text = " ".join(text.replace(";", ",").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def title_sequence(title: str) -> str:
    """OSC 2: the window (and tab) title."""
    return f"{ESC}]2;{plain(title)}{BEL}"


# XTWINOPS: keep the person's own title on the terminal's stack, and give it back on the way out
PUSH_TITLE, POP_TITLE = f"{ESC}[22;0t", f"{ESC}[23;0t"


def notification_protocol(env: Mapping[str, str]) -> str:
    """Which desktop-notification escape the terminal understands: OSC 777 for the VTE family (GNOME
    Terminal, Tilix…), foot and urxvt; OSC 9 for the rest (iTerm2, WezTerm, Ghostty, kitty, Windows Terminal)."""
    term = env.get("TERM", "")
    if env.get("VTE_VERSION") or term.startswith(("foot", "rxvt")):
        return "osc777"
    return "osc9"


def notification_sequence(title: str, body: str, protocol: str) -> str:
    if protocol == "osc777":
        return f"{ESC}]777;notify;{plain(title, 60)};{plain(body)}{BEL}"
    # OSC 9 has one field; "9;4;…" would be a progress report to some terminals, so the text never starts
    # with a digit
    text = plain(f"{title}: {body}")
    return f"{ESC}]9;{text if not text[:1].isdigit() else '#' + text}{BEL}"


def tmux_passthrough(sequence: str) -> str:
    """Wrapped so tmux hands it to the outer terminal (needs ``set -g allow-passthrough on``, tmux ≥ 3.3)."""
    return f"{ESC}Ptmux;{sequence.replace(ESC, ESC + ESC)}{ST}"


def waiting_title(base: str, waiting: int) -> str:
    """``(2) partytui — waiting for you`` while requests wait, else the app's own title."""
    return f"({waiting}) partytui — waiting for you" if waiting else base


class TerminalAlerts:
    """Writes the alerts a request for the person sets off, as the settings allow.

    ``write`` takes raw terminal output (the app passes its driver's ``write``); ``ring`` rings the bell.
    """

    def __init__(
        self,
        settings: AlertSettings,
        write: Callable[[str], None],
        ring: Callable[[], None],
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.settings = settings
        self.write = write
        self.ring = ring
        env = os.environ if env is None else env
        self.in_tmux = bool(env.get("TMUX"))
        self.protocol = notification_protocol(env)
        self._title: str | None = None  # what the title was last set to (None: never touched)

    def request(self, title: str, body: str) -> None:
        """A new request needs the person: ring and notify."""
        if self.settings.bell:
            self.ring()
        if self.settings.desktop:
            sequence = notification_sequence(title, body, self.protocol)
            self.write(tmux_passthrough(sequence) if self.in_tmux else sequence)

    def show_waiting(self, base: str, waiting: int) -> None:
        """Keep the terminal's title in step with the number of requests waiting for the person."""
        if not self.settings.title:
            return
        title = waiting_title(base, waiting)
        if title == self._title or (self._title is None and not waiting):
            return  # unchanged, or nothing to say yet: the person's own title stays
        if self._title is None:
            self.write(PUSH_TITLE)
        self._title = title
        self.write(title_sequence(title))

    def restore(self) -> None:
        """Give the person's own title back (on the way out)."""
        if self._title is not None:
            self.write(POP_TITLE)
            self._title = None
