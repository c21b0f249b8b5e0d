"""Messages in two languages: what ``surveys`` tells a user (errors, importer and cleaning notes).

Texts live in YAML files under ``surveys/locale/`` as ``key: {zh: ..., en: ...}`` with
``{placeholders}``. Code never builds a sentence itself: it raises or records a :class:`Text`
(a key and its values) and whoever shows it (the CLI, the app, a report) renders it in the user's
language with :func:`render`. ``str(text)`` is the English text, for logs and tests.

The app's and the reports' own labels live in ``analysis/locale`` (:mod:`analysis.i18n`), which
merges this table with its own; a key may be defined in one file only.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

__all__ = ["LANGUAGES", "Text", "msg", "render", "load_labels", "messages"]

LANGUAGES = ("zh", "en")
LOCALE = Path(__file__).resolve().parent / "locale"


def load_labels(folder: Path) -> dict[str, dict[str, str]]:
    """key -> {"zh": text, "en": text}, merged from every ``*.yaml`` file in ``folder``; a key
    defined twice is an error (a programming mistake, not a user's)."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("*.yaml")):
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, texts in entries.items():
            if key in merged:
                raise ValueError(f"{path.name}: label '{key}' is defined twice")
            merged[key] = texts
    return merged


@lru_cache(maxsize=1)
def messages() -> dict[str, dict[str, str]]:
    """The message table of ``surveys/locale``."""
    return load_labels(LOCALE)


@dataclass(frozen=True)
class Text:
    """A message to show: a key of the message table and the values of its placeholders.

    A value may itself be a :class:`Text` (rendered in the same language), so that a sentence
    can quote another ("expected: {expected}").
    """

    key: str
    values: tuple[tuple[str, Any], ...] = ()

    def render(self, lang: str = "en") -> str:
        texts = messages().get(self.key, {"en": self.key})
        template = texts.get(lang) or texts.get("en") or texts["zh"]
        values = {k: _bounded(render(v, lang)) for k, v in self.values}
        return template.format(**values) if values else template

    def __str__(self) -> str:
        return self.render("en")


#: characters of one placeholder value in a message; a longer value (a 10 MB answer quoted by
#: mistake) is cut and the rest counted, so that no message grows with the data
VALUE_CHARS = 1000


def _bounded(text: str) -> str:
    return text if len(text) <= VALUE_CHARS else f"{text[:VALUE_CHARS]}…(+{len(text) - VALUE_CHARS})"


def msg(key: str, /, **values: Any) -> Text:
    """The message ``key`` with its placeholder values: ``msg("study_file_unreadable", reason="busy")``."""
    return Text(key, tuple(values.items()))


def render(message: Any, lang: str = "en") -> str:
    """A :class:`Text` in ``lang``; anything else (a plain string, a number) as it is."""
    return message.render(lang) if isinstance(message, Text) else str(message)
