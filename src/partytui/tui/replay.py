"""The replay's screen: the main screen with the replay bar above the status bar and the replay's keys first.

It draws a ``ReplaySource`` (replay/source.py) like any other source; its keys play, step, jump and seek
through the source's ``playback``. Past approvals show in the inbox and inline in the transcripts, with who
answered, what, and the note; the keys that act on a live team are off the footer and only say so.
"""

from __future__ import annotations

from textual.binding import Binding

from ..core.truth.state import TeamState
from ..core.views.source import Playback
from ..replay.source import SPEEDS
from .screens.main import MODAL_KEYS, MainScreen, cannot_bindings
from .widgets.replay_bar import ReplayBar

__all__ = ["REPLAY_KEYS", "SPEEDS", "ReplayScreen"]

REPLAY_KEYS: list[tuple[str, str]] = [
    ("space", "play / pause (at the end: play again from the start)"),
    ("+ / -", "faster / slower: 0.5x … 50x, then as fast as possible"),
    (".", "one event forward (pauses)"),
    ("[ / ]", "previous / next phase change, approval or error"),
    ("home / end", "the start / the end of the session"),
    ("click the bar", "jump there"),
]


class ReplayScreen(MainScreen, inherit_bindings=False):
    """The main screen with the replay bar above the status bar and the replay's keys first in the footer."""

    CSS_PATH = "screens/main.tcss"
    ALLOW_IN_MAXIMIZED_VIEW = "Footer, StatusBar, ReplayBar"
    BINDINGS = [
        Binding("space", "toggle_play", "Play", key_display="space", priority=True),
        Binding("full_stop", "step", "Step", key_display=".", priority=True),
        Binding("left_square_bracket", "jump(-1)", "Prev", key_display="[", priority=True),
        Binding("right_square_bracket", "jump(1)", "Next", key_display="]", priority=True),
        Binding("plus,equals_sign", "speed(1)", "Faster", key_display="+", priority=True),
        Binding("minus", "speed(-1)", "Slower", key_display="-", show=False, priority=True),
        Binding("home", "seek_to('start')", "Start", show=False, priority=True),
        Binding("end", "seek_to('end')", "End", show=False, priority=True),
        *[b for b in MainScreen.BINDINGS if b.key not in ("p", "m", "x", "z")],  # type: ignore[union-attr]
        Binding("z", "zoom", "Zoom", show=False),  # off the footer, which has the replay's keys to show
        *cannot_bindings(),  # a replay has no team to pause, message or cancel
    ]

    def __init__(self) -> None:
        super().__init__()
        self.bar = ReplayBar(id="replay-bar")

    @property
    def playback(self) -> Playback:
        playback = self.source.playback
        assert playback is not None, "a replay screen draws a source that plays"
        return playback

    def compose(self):
        parts = list(super().compose())
        status = next(i for i, widget in enumerate(parts) if widget.id == "status")
        parts.insert(status, self.bar)
        yield from parts

    async def sync(self, state: TeamState, now: float, dirty: set[str], structural: bool, full: bool) -> None:
        await super().sync(state, now, dirty, structural, full)
        self.bar.show(self.playback.status())

    def action_toggle_play(self) -> None:
        self.playback.toggle()

    def action_step(self) -> None:
        if not self.playback.step():
            self.app.bell()

    def action_jump(self, direction: int) -> None:
        event = self.playback.jump(direction)
        if event is None:
            self.app.bell()
            return
        self.notify(f"#{event.seq} {event.type}" + (f" · {event.agent}" if event.agent else ""), timeout=2)

    def action_speed(self, direction: int) -> None:
        if not self.playback.change_speed(direction):
            self.app.bell()

    def action_seek_to(self, where: str) -> None:
        self.playback.seek(0 if where == "start" else self.playback.end)

    def on_replay_bar_seek(self, message: ReplayBar.Seek) -> None:
        self.playback.seek(message.position)

    def key_help(self) -> list[tuple[str, str]]:
        keys = MainScreen.screen_keys(leave_out=("p", "m", "x"))  # no live team to pause, message or cancel
        return [("", "Replay"), *REPLAY_KEYS, ("", "Screen"), *keys, *MODAL_KEYS]

    def palette_commands(self):
        playback = self.playback
        commands = [
            ("Play or pause the replay", "key space", playback.toggle),
            ("One event forward", "key .", self.action_step),
            ("Previous phase change, approval or error", "key [", lambda: self.action_jump(-1)),
            ("Next phase change, approval or error", "key ]", lambda: self.action_jump(1)),
            ("Replay faster", "key +", lambda: self.action_speed(1)),
            ("Replay slower", "key -", lambda: self.action_speed(-1)),
            ("Start of the session", "key home", lambda: playback.seek(0)),
            ("End of the session", "key end", lambda: playback.seek(playback.end)),
        ]
        ignored = ("Pause or resume ", "Message ", "Cancel ")
        return commands + [c for c in super().palette_commands() if not c[0].startswith(ignored)]
