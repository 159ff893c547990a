"""The main screen's widgets: agent panes and transcripts, the task board, the phase timeline, the status bar."""

from .agent_pane import AgentPane
from .board import TaskBoard, TaskCard
from .statusbar import StatusBar
from .timeline import PhaseTimeline
from .transcript import Transcript

__all__ = ["AgentPane", "PhaseTimeline", "StatusBar", "TaskBoard", "TaskCard", "Transcript"]
