"""Replay: the live app's screen and widgets driven by a ``ReplayPlayer`` over a recorded session log.

No model is called, no tool runs and nothing is answered: the session's state is the player's state. A step
tells the app about each event it folded, as ``Session.emit`` would; a seek replaces the state and redraws.
Past approvals show in the inbox and inline in the transcripts, with who answered, what, and the note.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.worker import Worker

from ..core.truth.events import EventBase
from ..core.truth.session import Session
from ..replay.player import JUMP_KINDS, ReplayPlayer
from .app import PartyApp
from .screens.main import MODAL_KEYS, MainScreen
from .widgets.replay_bar import ReplayBar, ReplayStatus, speed_label

# Speeds that + and - step through; None is as fast as possible.
SPEEDS: tuple[float | None, ...] = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, None)
# A long idle stretch in the recording (a person thinking over a request) plays as at most this many seconds.
MAX_GAP_S = 2.0
# A forward seek of at most this many events is shown like live events (panes keep their scroll and zoom);
# a longer one, or any seek back, redraws from the new state.
INCREMENTAL_SEEK = 400

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
        # a replay has no team to pause, message or cancel: the keys only say so, off the footer
        Binding("p", "pause", "Pause", show=False),
        Binding("m", "message", "Message", show=False),
        Binding("x", "cancel_agent", "Cancel", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.bar = ReplayBar(id="replay-bar")

    @property
    def replay(self) -> "ReplayApp":
        return self.app  # type: ignore[return-value]

    def compose(self):  # type: ignore[override]
        parts = list(super().compose())
        status = next(i for i, widget in enumerate(parts) if widget.id == "status")
        parts.insert(status, self.bar)
        yield from parts

    def action_toggle_play(self) -> None:
        self.replay.toggle_play()

    def action_step(self) -> None:
        self.replay.step()

    def action_jump(self, direction: int) -> None:
        self.replay.jump(direction)

    def action_speed(self, direction: int) -> None:
        self.replay.change_speed(direction)

    def action_seek_to(self, where: str) -> None:
        self.replay.seek(0 if where == "start" else len(self.replay.player.events))

    def on_replay_bar_seek(self, message: ReplayBar.Seek) -> None:
        self.replay.seek(message.position)

    def key_help(self) -> list[tuple[str, str]]:
        keys = MainScreen.screen_keys(leave_out=("p", "m", "x"))  # no live team to pause, message or cancel
        return [("", "Replay"), *REPLAY_KEYS, ("", "Screen"), *keys, *MODAL_KEYS]

    def palette_commands(self):  # type: ignore[no-untyped-def]
        replay = self.replay
        commands = [
            ("Play or pause the replay", "key space", replay.toggle_play),
            ("One event forward", "key .", replay.step),
            ("Previous phase change, approval or error", "key [", lambda: replay.jump(-1)),
            ("Next phase change, approval or error", "key ]", lambda: replay.jump(1)),
            ("Replay faster", "key +", lambda: replay.change_speed(1)),
            ("Replay slower", "key -", lambda: replay.change_speed(-1)),
            ("Start of the session", "key home", lambda: replay.seek(0)),
            ("End of the session", "key end", lambda: replay.seek(len(replay.player.events))),
        ]
        ignored = ("Pause or resume ", "Message ", "Cancel ")
        return commands + [c for c in super().palette_commands() if not c[0].startswith(ignored)]


class ReplayApp(PartyApp):
    """``PartyApp`` without a broker, a controller or a runner; its session's state is ``player.state``."""

    def __init__(
        self,
        player: ReplayPlayer,
        *,
        autoplay: bool = True,
        speed: float | None = 1.0,
        title: str = "partytui — replay",
    ) -> None:
        self.player = player
        self._t0 = player.events[0].ts if player.events else 0.0
        super().__init__(Session(state=player.state, clock=self._now), clock=self._now, title=title)
        self.main = ReplayScreen()
        self.speed: float | None = speed
        self.autoplay = autoplay
        self._player_task: Worker[None] | None = None
        self._rezoom: str | None = None
        self._markers = tuple(sorted((p, kind) for kind in JUMP_KINDS for p in player.markers([kind])))
        # every event the player folds (playing, stepping, seeking) is noted as the session's would be
        player.subscribe_changes(self._on_change)

    def _now(self) -> float:
        """The replay's "now": the time of the last event shown, so ages and clocks read as they did then."""
        return self._t0 + self.player.time_at(self.player.position)

    @property
    def playing(self) -> bool:
        return self._player_task is not None and not self._player_task.is_finished

    # ── lifecycle ───────────────────────────────────────────────────────────

    def on_mount(self) -> None:
        # Textual calls PartyApp.on_mount too (handlers run along the class hierarchy): it pushes the screen
        if self.autoplay:
            self.play()

    def _announce_requests(self) -> None:
        # past requests ring no bell: the transcript and the inbox show them with their answers
        self._new_requests.clear()

    async def flush_view(self, *, paced: bool = False) -> None:
        await super().flush_view(paced=paced)
        if not self.main.is_mounted:
            return
        if self._rezoom is not None:
            pane = self.main.panes.get(self._rezoom)
            self._rezoom = None
            if pane is not None:
                self.main.maximize(pane, container=False)
        self.main.bar.show(self.status())  # type: ignore[attr-defined]

    def status(self) -> ReplayStatus:
        player = self.player
        return ReplayStatus(
            position=player.position,
            total=len(player.events),
            elapsed=player.time_at(player.position),
            duration=player.duration,
            speed=self.speed,
            playing=self.playing,
            markers=self._markers,
        )

    # ── playing ─────────────────────────────────────────────────────────────

    def _follow(self) -> None:
        """The session shows the player's latest state (a value: each fold makes a new one)."""
        self.session.state = self.player.state

    async def _play(self) -> None:
        await self.player.play(self.speed, lambda _: self._follow(), max_gap=MAX_GAP_S)
        self.request_structural()  # the bar says "end"

    def play(self) -> None:
        if self.player.at_end:
            self.seek(0)
        self.stop()
        self._player_task = self.run_worker(self._play(), name="replay", group="replay")
        self.request_structural()

    def stop(self) -> None:
        """Pause: the player's task is cancelled between two events, never in the middle of one."""
        task, self._player_task = self._player_task, None
        if task is not None and not task.is_finished:
            task.cancel()
        self.request_structural()

    def toggle_play(self) -> None:
        if self.playing:
            self.stop()
        else:
            self.play()

    def change_speed(self, direction: int) -> None:
        i = SPEEDS.index(self.speed) if self.speed in SPEEDS else 1
        new = SPEEDS[max(0, min(len(SPEEDS) - 1, i + direction))]
        if new == self.speed:
            self.bell()
            return
        self.speed = new
        if self.playing:
            self.play()  # the player paces by the speed it started with
        self.notify(f"Replay speed {speed_label(new)}", timeout=2)

    def step(self) -> None:
        self.stop()
        if not self.player.step(1):
            self.bell()
        self._follow()

    def jump(self, direction: int) -> None:
        find = self.player.next_marker if direction > 0 else self.player.prev_marker
        target = find(kinds=JUMP_KINDS)
        if target is None:
            self.bell()
            return
        self.seek(target)
        event = self.player.events[target - 1]
        self.notify(f"#{event.seq} {event.type}" + (f" · {event.agent}" if event.agent else ""), timeout=2)

    def seek(self, position: int) -> None:
        """Show the session after ``position`` events; keeps playing if it was."""
        was_playing = self.playing
        self.stop()
        before = self.player.position
        self.player.seek(position)
        after = self.player.position
        self._follow()
        if not 0 <= after - before <= min(INCREMENTAL_SEEK, self.player.checkpoint_every):
            # a short step forward is folded from where the player was, its changes noted live-style;
            # a seek back or a long jump starts from a checkpoint: redraw from the new state
            if self.main.maximized is not None:
                self._rezoom = self.main.focused_agent
                self.main.minimize()
            self.reset_view()
        if was_playing and not self.player.at_end:
            self.play()


def make_replay_app(
    events: list[EventBase],
    *,
    autoplay: bool = True,
    speed: float | None = 1.0,
    title: str = "partytui — replay",
    freeze_gc: bool = True,
) -> ReplayApp:
    """The one way the CLI, the tests and the screenshot script build a replay.

    ``freeze_gc``: see ``ReplayPlayer.prepare``; a process that builds many replays (tests) passes False.
    """
    player = ReplayPlayer(events)
    player.prepare(freeze_gc=freeze_gc)
    return ReplayApp(player, autoplay=autoplay, speed=speed, title=title)
