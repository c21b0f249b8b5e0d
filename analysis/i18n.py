"""The one translation table: every label the app and the reports show, in zh and en.

Labels live in YAML files under ``analysis/locale/`` (``terms.yaml`` for statistics and domain
terms shared by app and reports, ``app.yaml`` for the app's own texts, ``report.yaml`` for the
reports', one file per feature for the rest); :func:`t` looks a key up in all of them and in the
message table of ``surveys/locale`` (errors and notes, :mod:`surveys.i18n`). A key may appear in
one file only, and every key has both languages (both checked by the tests). Names from a study
(groups, dimensions, items) are data, not labels: they come from the study file's ``names``.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from surveys.i18n import LANGUAGES, load_labels, messages

__all__ = ["LANGUAGES", "t", "table", "section_name"]

LOCALE = Path(__file__).resolve().parent / "locale"


@lru_cache(maxsize=1)
def table() -> dict[str, dict[str, str]]:
    """key -> {"zh": text, "en": text}, merged from every file in ``analysis/locale`` and the
    message table of ``surveys/locale``."""
    labels, notes = load_labels(LOCALE), messages()
    twice = sorted(set(labels) & set(notes))
    if twice:
        raise ValueError(f"label '{twice[0]}' is defined in analysis/locale and surveys/locale")
    return {**notes, **labels}


def t(key: str, lang: str = "zh", **values) -> str:
    """The label ``key`` in ``lang`` with ``{placeholders}`` filled; the key itself if unknown."""
    texts = table().get(key)
    if texts is None:
        return key
    text = texts.get(lang) or texts["zh"]
    return text.format(**values) if values else text


def section_name(key: str, lang: str = "zh") -> str:
    """The name of a results.json section (``progress_<key>`` in ``analysis/locale/sections.yaml``)
    for progress lines; the key itself for a section without one."""
    return t(f"progress_{key}", lang) if f"progress_{key}" in table() else key
