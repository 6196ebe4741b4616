"""Errors of the storage layer that a user can act on (the CLI reports them, exit 2).

::

    ValueError
     └── DirectoryFileError   a directory file was refused; ``problems`` has file:line each
    RuntimeError
     ├── SchemaOutOfDate      the database needs ``madoguchi db upgrade``
     └── DatabaseUnavailable  the database cannot be reached or opened

This module imports nothing heavy, so the command line can name these errors cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MAX_SHOWN = 50


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake in a directory file: where it is and what is wrong."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class DirectoryFileError(ValueError):
    """The directory file was refused and nothing was written; ``problems`` lists every mistake."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (str(p.path), p.line, p.message))
        shown = [str(p) for p in self.problems[:MAX_SHOWN]]
        if len(self.problems) > MAX_SHOWN:
            shown.append(f"... and {len(self.problems) - MAX_SHOWN} more")
        count = len(self.problems)
        header = f"directory file refused ({count} problem{'s' if count != 1 else ''}); nothing was changed"
        super().__init__("\n".join([header, *shown]))


class SchemaOutOfDate(RuntimeError):
    """The database was made by an older release; ``madoguchi db upgrade`` brings it up to date."""


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or opened (wrong URL, server down, no permission)."""
