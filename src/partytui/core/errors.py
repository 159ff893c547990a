"""FileProblem: the one shape of every "this file cannot be used" error — ``path:line: message``."""

from __future__ import annotations

import os


class FileProblem(Exception):
    """A file partytui cannot use; ``str()`` reads ``path:line: message`` (no line when it is unknown)."""

    def __init__(self, path: str | os.PathLike[str], line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")
