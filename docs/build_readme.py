"""README.md is assembled from the fragments in docs/: ``python docs/build_readme.py``.

Edit the fragments (docs/readme_head.md, the per-topic files, docs/readme_tail.md), never README.md
itself; the study-file key tables come from ``surveys.study``. tests/test_cli.py checks that
README.md is what this script builds.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from surveys.limits import LIMITS  # noqa: E402
from surveys.study import GROUP_KEYS, RECORDS_KEYS, STUDY_KEYS  # noqa: E402

DOCS = ROOT / "docs"
#: (fragment, level of its top heading in the README), in README order
FRAGMENTS = [("importers.md", 2), ("wjx.md", 3), ("app.md", 2), ("wizard.md", 2), ("reports.md", 2),
             ("store.md", 2), ("security.md", 2), ("tables.md", 2), ("json/intro.md", 2),
             ("json/study.md", 3),
             ("json/careless.md", 3), ("json/weighting.md", 3), ("json/descriptives.md", 3),
             ("json/reliability.md", 3), ("json/cfa.md", 3), ("json/indices.md", 3),
             ("json/gaps.md", 3), ("json/drivers.md", 3), ("json/text.md", 3),
             ("json/customers.md", 3), ("json/pls.md", 3), ("performance.md", 2)]


def _shift(text: str, top: int) -> str:
    """Re-level the headings so that the fragment's highest one is at level ``top``."""
    levels = [len(m.group(1)) for m in re.finditer(r"^(#+) ", text, re.M)]
    delta = top - min(levels) if levels else 0
    return re.sub(r"^(#+) ", lambda m: "#" * (len(m.group(1)) + delta) + " ", text, flags=re.M)


def _key_table(keys: dict[str, str]) -> str:
    return "\n".join(f"| `{key}` | {meaning} |" for key, meaning in keys.items())


def _limits_table() -> str:
    return "\n".join(f"| `{spec.env}` | {spec.default:,} | {spec.meaning} |"
                     for spec in LIMITS.values())


def _fragment(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8").replace("@LIMITS@", _limits_table())


def build() -> str:
    head = (DOCS / "readme_head.md").read_text(encoding="utf-8")
    head = (head.replace("@STUDY_KEYS@", _key_table(STUDY_KEYS))
            .replace("@GROUP_KEYS@", _key_table(GROUP_KEYS))
            .replace("@RECORDS_KEYS@", _key_table(RECORDS_KEYS)))
    parts = [head] + [_shift(_fragment(name).strip(), level) + "\n" for name, level in FRAGMENTS]
    parts.append((DOCS / "readme_tail.md").read_text(encoding="utf-8"))
    return "\n".join(parts)


if __name__ == "__main__":
    (ROOT / "README.md").write_text(build(), encoding="utf-8")
