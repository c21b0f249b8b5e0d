"""The one translation table: every label the app and the reports show, in zh and en.

Labels live in YAML files under ``analysis/locale/`` (``terms.yaml`` for statistics and domain
terms shared by app and reports, ``app.yaml`` for the app's own texts, ``report.yaml`` for the
reports'); :func:`t` looks a key up in all of them. A key may appear in one file only, and every
key has both languages (both checked by the tests). Names from a study (groups, dimensions,
items) are data, not labels: they come from the study file's ``names``.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

__all__ = ["LANGUAGES", "t", "table"]

LANGUAGES = ("zh", "en")
LOCALE = Path(__file__).resolve().parent / "locale"


@lru_cache(maxsize=1)
def table() -> dict[str, dict[str, str]]:
    """key -> {"zh": text, "en": text}, merged from every file in ``analysis/locale``."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(LOCALE.glob("*.yaml")):
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, texts in entries.items():
            if key in merged:
                raise ValueError(f"{path.name}: label '{key}' is defined twice")
            merged[key] = texts
    return merged


def t(key: str, lang: str = "zh", **values) -> str:
    """The label ``key`` in ``lang`` with ``{placeholders}`` filled; the key itself if unknown."""
    texts = table().get(key)
    if texts is None:
        return key
    text = texts.get(lang) or texts["zh"]
    return text.format(**values) if values else text
