"""partytui: supervise a team of AI coding agents from your terminal."""

__version__ = "0.1.0"
