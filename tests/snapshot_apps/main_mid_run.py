"""The main screen of a mid-run four-agent session, frozen in time (run it directly to look at it)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from partytui.core.truth.session import Session
from partytui.core.truth.state import fold
from partytui.tui import make_app
from snapshot_apps.team_sample import NOW, RecordingController, mid_run_events

app = make_app(
    Session(state=fold(mid_run_events()), clock=lambda: NOW), controller=RecordingController(), clock=lambda: NOW
)

if __name__ == "__main__":
    app.run()
