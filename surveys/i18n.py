"""Messages in two languages: what ``surveys`` tells a user (errors, importer and cleaning notes).

Texts live in YAML files under ``surveys/locale/`` as ``key: {zh: ..., en: ...}`` with
``{placeholders}``. Code never builds a sentence itself: it raises or records a :class:`Text`
(a key and its values) and whoever shows it (the CLI, the app, a report) renders it in the user's
language with :func:`render`. ``str(text)`` is the English text, for logs and tests.

The app's and the reports' own labels live in ``analysis/locale`` (:mod:`analysis.i18n`), which
merges this table with its own; a key may be defined in one file only.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

__all__ = ["LANGUAGES", "Text", "msg", "render", "load_labels", "messages"]

LANGUAGES = ("zh", "en")
LOCALE = Path(__file__).resolve().parent / "locale"
#: libyaml's safe loader where PyYAML was built with it (the same values, ~8x faster to load)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_labels(folder: Path) -> dict[str, dict[str, str]]:
    """key -> {"zh": text, "en": text}, merged from every ``*.yaml`` file in ``folder``; a key
    defined twice is an error (a programming mistake, not a user's)."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("*.yaml")):
        entries = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
        for key, texts in entries.items():
            if key in merged:
                raise ValueError(f"{path.name}: label '{key}' is defined twice")
            merged[key] = texts
    return merged


@lru_cache(maxsize=1)
def messages() -> dict[str, dict[str, str]]:
    """The message table of ``surveys/locale``."""
    return load_labels(LOCALE)


class Text(str):
    """A message to show: a key of the message table and the values of its placeholders.

    A Text *is* its English text (a ``str``), so that it can go wherever text goes: a list of
    notes, a DataFrame cell (keep such a column ``object``: pandas' string dtype would keep only
    the English text), results.json (which therefore holds English). Whoever shows it to a person
    calls :func:`render` (or :meth:`render`) with the person's language.

    A value may itself be a :class:`Text` (rendered in the same language), so that a sentence
    can quote another ("expected: {expected}"), or a list of values, rendered one by one and
    joined with "; " (zh "；").
    """

    key: str
    values: tuple[tuple[str, Any], ...]

    def __new__(cls, key: str, values: tuple[tuple[str, Any], ...] = ()) -> "Text":
        values = tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in values)
        self = super().__new__(cls, _fill(key, values, "en"))
        self.key, self.values = key, values
        return self

    def render(self, lang: str = "en") -> str:
        return _fill(self.key, self.values, lang)

    def __str__(self) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:
        values = "".join(f", {k}={v!r}" for k, v in self.values)
        return f"msg({self.key!r}{values})"

    def __reduce__(self):
        return (Text, (self.key, self.values))


def _fill(key: str, values: tuple[tuple[str, Any], ...], lang: str) -> str:
    texts = messages().get(key, {"en": key})
    template = texts.get(lang) or texts.get("en") or texts["zh"]
    filled = {k: _bounded(render(v, lang)) for k, v in values}
    return template.format(**filled) if filled else template


#: characters of one placeholder value in a message; a longer value (a 10 MB answer quoted by
#: mistake) is cut and the rest counted, so that no message grows with the data
VALUE_CHARS = 1000


def _bounded(text: str) -> str:
    return text if len(text) <= VALUE_CHARS else f"{text[:VALUE_CHARS]}…(+{len(text) - VALUE_CHARS})"


def msg(key: str, /, **values: Any) -> Text:
    """The message ``key`` with its placeholder values: ``msg("study_file_unreadable", reason="busy")``."""
    return Text(key, tuple(values.items()))


def render(message: Any, lang: str = "en") -> str:
    """A :class:`Text` in ``lang``; a tuple of values rendered one by one and joined with the
    language's list separator; anything else (a plain string, a number) as it is."""
    if isinstance(message, Text):
        return message.render(lang)
    if isinstance(message, tuple):
        return _fill("where_list_separator", (), lang).join(render(m, lang) for m in message)
    return str(message)
