"""Replaying recorded sessions, importing Claude Code transcripts, and exporting readable reports."""

from .claude_code import ImportResult, ImportStats, import_claude_code
from .export import export_html, export_markdown
from .player import ReplayPlayer

__all__ = ["ImportResult", "ImportStats", "ReplayPlayer", "export_html", "export_markdown", "import_claude_code"]
