"""The one error type of the toolkit.

Every problem with a user's input (study file, data file, answer value) is raised as a
:class:`StudyError` that names where it is: the file, the row as a spreadsheet shows it (1-based,
header rows counted), the column, and what was expected. The CLI prints ``str(error)`` as one line
and exits non-zero; the app shows the same text as a message. Neither shows a traceback.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

__all__ = ["StudyError", "Location", "run_command"]


@dataclass(frozen=True)
class Location:
    """Where a problem sits. Every part is optional; ``row`` is 1-based as in a spreadsheet."""

    file: str | None = None
    row: int | None = None
    column: str | None = None
    key: str | None = None  # a study-file key such as ``groups.customers.file``

    def __str__(self) -> str:
        parts = []
        if self.file is not None:
            parts.append(Path(self.file).name)
        if self.key is not None:
            parts.append(f"key '{self.key}'")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)


@dataclass
class StudyError(Exception):
    """A problem with the user's input, located and explained.

    Parameters
    ----------
    message : what is wrong, in one sentence ("value '好' is not a number").
    file, row, column, key : where (see :class:`Location`).
    expected : what would have been right ("a number from 1 to 5").
    more : further locations with the same problem (e.g. other rows); the message counts them.
    """

    message: str
    file: str | Path | None = None
    row: int | None = None
    column: str | None = None
    key: str | None = None
    expected: str | None = None
    more: list[Location] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    @property
    def location(self) -> Location:
        return Location(
            None if self.file is None else str(self.file), self.row, self.column, self.key
        )

    def __str__(self) -> str:
        where = str(self.location)
        text = f"{where}: {self.message}" if where else self.message
        if self.expected:
            text += f" (expected {self.expected})"
        if self.more:
            shown = "; ".join(str(loc) for loc in self.more[:3])
            extra = f" and {len(self.more) - 3} more" if len(self.more) > 3 else ""
            text += f"; same problem at {shown}{extra}"
        return text


def run_command(command: Callable[[], int], debug: bool = False) -> int:
    """Run a command-line command and turn failures into one line on stderr.

    A :class:`StudyError` or an operating-system error prints ``error: …`` and gives exit status 2;
    any other exception is a bug of ours: ``internal error: …`` and status 1, with the traceback
    only when ``debug`` is set.
    """
    try:
        return command()
    except StudyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {exc.filename or ''}: {exc.strerror}", file=sys.stderr)
        return 2
    except Exception as exc:
        if debug:
            raise
        print(f"internal error: {type(exc).__name__}: {exc} (run again with --debug for details)",
              file=sys.stderr)
        return 1
