"""The one error type of the toolkit.

Every problem with a user's input (study file, data file, answer value) is raised as a
:class:`StudyError` that names where it is: the file, the row as a spreadsheet shows it (1-based,
header rows counted), the column, and what was expected. The CLI prints ``error.render(lang)`` as
one line and exits non-zero; the app shows the same text as a message. Neither shows a traceback.
Messages are :class:`~surveys.i18n.Text` (zh and en, ``surveys/locale/``); ``str(error)`` is the
English text.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .i18n import Text, msg, render

__all__ = ["StudyError", "Location", "run_command"]


@dataclass(frozen=True)
class Location:
    """Where a problem sits. Every part is optional; ``row`` is 1-based as in a spreadsheet."""

    file: str | None = None
    row: int | None = None
    column: str | None = None
    key: str | None = None  # a study-file key such as ``groups.customers.file``

    def render(self, lang: str = "en") -> str:
        parts = []
        if self.file is not None:
            parts.append(Path(self.file).name)
        if self.key is not None:
            parts.append(msg("where_key", key=self.key).render(lang))
        if self.row is not None:
            parts.append(msg("where_row", row=self.row).render(lang))
        if self.column is not None:
            parts.append(msg("where_column", column=self.column).render(lang))
        return msg("where_separator").render(lang).join(parts)

    def __str__(self) -> str:
        return self.render("en")


@dataclass
class StudyError(Exception):
    """A problem with the user's input, located and explained.

    Parameters
    ----------
    message : what is wrong, in one sentence: a :class:`~surveys.i18n.Text` such as
        ``msg("study_file_unreadable", reason="busy")`` (a plain string is shown as it is, in every language).
    file, row, column, key : where (see :class:`Location`).
    expected : what would have been right, a Text or a string ("a number from 1 to 5").
    more : further locations with the same problem (e.g. other rows); the message counts them.
    """

    message: Text | str
    file: str | Path | None = None
    row: int | None = None
    column: str | None = None
    key: str | None = None
    expected: Text | str | None = None
    more: list[Location] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    @property
    def location(self) -> Location:
        return Location(
            None if self.file is None else str(self.file), self.row, self.column, self.key
        )

    def render(self, lang: str = "en") -> str:
        """The whole message in ``lang`` ("zh" or "en"): where, what, what was expected, and
        where else the same problem is."""
        where = self.location.render(lang)
        message = render(self.message, lang)
        out = msg("error_at", where=where, message=message).render(lang) if where else message
        if self.expected:
            out += msg("error_expected", expected=render(self.expected, lang)).render(lang)
        if self.more:
            shown = msg("where_list_separator").render(lang).join(
                loc.render(lang) for loc in self.more[:3])
            out += msg("error_more", where=shown).render(lang)
            if len(self.more) > 3:
                out += msg("error_more_count", n=len(self.more) - 3).render(lang)
        return out

    def __str__(self) -> str:
        return self.render("en")


def run_command(command: Callable[[], int], debug: bool = False, lang: str = "en") -> int:
    """Run a command-line command and turn failures into one line on stderr, in ``lang``.

    A :class:`StudyError` or an operating-system error prints ``error: …`` and gives exit status 2;
    any other exception is a bug of ours: ``internal error: …`` and status 1, with the traceback
    only when ``debug`` is set. Control characters from the data (a title holding ESC or CR) are
    printed escaped.
    """
    from .limits import printable  # (limits raises StudyError)

    def say(key: str, /, **values: Any) -> None:
        print(printable(msg(key, **values).render(lang)), file=sys.stderr)

    try:
        return command()
    except StudyError as exc:
        say("cli_error", message=exc.render(lang))
        return 2
    except OSError as exc:
        say("cli_error", message=f"{exc.filename or ''}: {exc.strerror}")
        return 2
    except Exception as exc:
        if debug:
            raise
        say("cli_internal_error", kind=type(exc).__name__, message=exc)
        return 1
