"""Properties that must hold for any valid study (hypothesis, derandomized so that CI runs the
same examples; few examples, so that the file runs in seconds):

- a study written out in another format (xlsx; GB18030 text with semicolons) or stored and
  exported again is read back with the same data and gives the same results.json;
- reliability does not depend on the order of the rows, nor of the items within a dimension
  (except the first-half/second-half split, which is defined by that order, and the split-half
  range of an odd number of items, whose splits psych's splitHalf enumerates by that order);
- results.json never holds NaN or infinity, whatever the answers (constant items, tiny groups,
  missing answers).
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.pipeline import analyse
from analysis.reliability import reliability_section
from surveys.load import load_study
from surveys.store import Store

SETTINGS = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@st.composite
def studies(draw, degenerate: bool = False):
    """(answers, dimensions): a customer table with a region segment and 1-3 dimensions of 2-4
    items on a 1-5 scale; ``degenerate`` adds constant items, tiny n and many missing answers."""
    seed = draw(st.integers(0, 2 ** 32 - 1))
    rng = np.random.default_rng(seed)
    n = draw(st.integers(2, 8) if degenerate else st.integers(20, 60))
    dimensions = {f"D{d}": [f"D{d}_{i}" for i in range(1, draw(st.integers(2, 4)) + 1)]
                  for d in range(1, draw(st.integers(1, 3)) + 1)}
    trait = rng.normal(size=n)
    frame = pd.DataFrame({"region": rng.choice(["north", "south", "east"], size=n)})
    for items in dimensions.values():
        for item in items:
            frame[item] = np.clip(np.round(3 + trait + rng.normal(size=n)), 1, 5)
    if degenerate:
        frame[dimensions["D1"][0]] = draw(st.sampled_from([1.0, 3.0, 5.0]))
        missing = rng.random(frame.shape) < draw(st.sampled_from([0.0, 0.3, 0.7]))
        missing[:, 0] = False  # the region
        frame = frame.mask(missing)
    return frame.astype({c: "Int64" for c in frame.columns if c != "region"}), dimensions


def _study_text(dimensions: dict, file: str) -> str:
    dims = "\n".join(f"  {d}: [{', '.join(items)}]" for d, items in dimensions.items())
    return (f"title: Property study\nscale: {{min: 1, max: 5}}\ngroups:\n  customers: {{file: {file}}}"
            f"\ndimensions:\n{dims}\nsegments: [region]\n")


def _write(folder: Path, frame: pd.DataFrame, dimensions: dict, kind: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "csv":
        frame.to_csv(folder / "data.csv", index=False)
        file = "data.csv"
    elif kind == "gb18030":
        frame.to_csv(folder / "data.txt", index=False, sep=";", encoding="gb18030")
        file = "data.txt"
    else:
        frame.astype(object).where(frame.notna(), None).to_excel(folder / "data.xlsx", index=False)
        file = "data.xlsx"
    (folder / "study.yaml").write_text(_study_text(dimensions, file), encoding="utf-8")
    return folder / "study.yaml"


def _without_provenance(results: dict) -> dict:
    """results.json without what names the files (their checksum and how they were read)."""
    out = json.loads(json.dumps(results))
    out["study"].pop("fingerprint", None)
    out["study"].pop("files", None)
    for group in out["quality"].values():
        if isinstance(group, dict):
            group.pop("notes", None)
    return out


@settings(max_examples=2, **SETTINGS)
@given(study=studies())
def test_another_format_reads_back_the_same_data_and_results(tmp_path_factory, study):
    frame, dimensions = study
    root = tmp_path_factory.mktemp("formats")
    loaded = {kind: load_study(_write(root / kind, frame, dimensions, kind))
              for kind in ("csv", "gb18030", "xlsx")}
    reference = loaded["csv"].frames()["customers"].drop(columns="_file_row")
    for kind in ("gb18030", "xlsx"):
        other = loaded[kind].frames()["customers"].drop(columns="_file_row")
        pd.testing.assert_frame_equal(other, reference, check_dtype=False)
    results = {kind: _without_provenance(analyse(data)) for kind, data in loaded.items()}
    assert results["gb18030"] == results["csv"]
    assert results["xlsx"] == results["csv"]


@settings(max_examples=3, **SETTINGS)
@given(study=studies())
def test_a_stored_and_exported_study_is_the_same_study(tmp_path_factory, study):
    frame, dimensions = study
    root = tmp_path_factory.mktemp("stored")
    original = load_study(_write(root / "in", frame, dimensions, "xlsx"))
    store = Store(root / "store.duckdb")
    store.export_study(store.add_study(root / "in" / "study.yaml"), root / "out")
    again = load_study(root / "out" / "study.yaml")
    assert again.fingerprint == original.fingerprint  # byte-identical files
    pd.testing.assert_frame_equal(again.frames()["customers"], original.frames()["customers"])


ORDER_FREE = ("alpha", "std_alpha", "alpha_ci", "omega_total", "lambda6", "n", "k")


def _close(a, b) -> bool:
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


@settings(max_examples=15, **SETTINGS)
@given(study=studies(), order=st.randoms(use_true_random=False))
def test_reliability_does_not_depend_on_row_or_item_order(study, order):
    frame, dimensions = study
    frame = frame.drop(columns="region").astype("float64")
    rows = list(frame.index)
    order.shuffle(rows)
    shuffled_dims = {}
    for dimension, items in dimensions.items():
        items = list(items)
        order.shuffle(items)
        shuffled_dims[dimension] = items
    before = reliability_section({"g": frame}, dimensions)["g"]
    after = reliability_section({"g": frame.loc[rows]}, shuffled_dims)["g"]
    for dimension in dimensions:
        a, b = before[dimension], after[dimension]
        for key in ORDER_FREE:
            assert _close(a[key], b[key]), (dimension, key, a[key], b[key])
        if a["k"] % 2 == 0:  # psych enumerates the splits of an odd number of items by order
            for key in ("max", "min", "mean"):
                assert _close(a["split_half"][key], b["split_half"][key]), (dimension, key)
        assert set(a["items"]) == set(b["items"])
        for item in a["items"]:
            for key, value in a["items"][item].items():
                assert _close(value, b["items"][item][key]), (item, key)


@settings(max_examples=4, **SETTINGS)
@given(study=studies(degenerate=True))
def test_results_are_strict_json_whatever_the_answers(tmp_path_factory, study):
    frame, dimensions = study
    folder = tmp_path_factory.mktemp("degenerate")
    results = analyse(load_study(_write(folder, frame, dimensions, "csv")))
    json.dumps(results, allow_nan=False)  # raises on NaN or infinity

