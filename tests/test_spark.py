"""Table groups read through Spark in local mode (``engine: spark``) give the results of the file.

Needs PySpark (``requirements-spark.txt``, installed by ``requirements-dev.txt``) and Java 17
(Debian's ``openjdk-17-jre-headless``, installed by ``.ci/run``): without them the module is
skipped (a missing system tool), on CI it runs. Local Spark answers each aggregate query in a
fraction of a second to a few seconds, so the test that always runs is small: a tiny study (two
dimensions of three items, 60 rows, a segment, a ``where``) through the sections that query the
engine (quality, descriptives, reliability, comparisons), and one clear error. The whole sample
study through Spark (about 5 minutes on a shared 2-core machine) runs with ``CRM_TEST_SPARK=1``."""
from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("pyspark", reason="the Spark extra (requirements-spark.txt) is not installed")
if shutil.which("java") is None:
    pytest.skip("Java 17 is not installed (openjdk-17-jre-headless)", allow_module_level=True)

from analysis.pipeline import analyse  # noqa: E402
from surveys.errors import StudyError  # noqa: E402
from surveys.load import load_study  # noqa: E402
from tests.test_tables import _differences, _small_study, _write_study, small  # noqa: E402,F401

#: the sections compared on the tiny study: every kind of engine query (the quality rules, value
#: counts, moment matrices, the segment's grouped moments)
SECTIONS = ("quality", "descriptives", "reliability", "comparisons")


@pytest.fixture(scope="module")
def spark():
    """One local SparkSession for the module (one core, one shuffle partition, no UI; the JVM's
    quick compiler only: these queries are tiny), stopped afterwards."""
    from pyspark.sql import SparkSession

    import surveys.tables

    session = (SparkSession.builder.appName("crm-survey-test").master("local[1]")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "1")
               .config("spark.default.parallelism", "1")
               .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    surveys.tables._ENGINES.pop(("spark", "spark"), None)
    session.stop()


def _tiny_answers(n: int = 60, seed: int = 22) -> pd.DataFrame:
    """Two dimensions of three items (one reverse-coded, a few missing answers), a region and a
    wave column for ``where``."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=n)
    frame = {f"{d}{i}": np.clip(np.rint(3 + 0.8 * latent + rng.normal(0, 0.9, n)), 1, 5)
             for d in "AB" for i in range(1, 4)}
    answers = pd.DataFrame(frame)
    answers["B3"] = 6 - answers["B3"]
    answers.loc[rng.random(n) < 0.1, "A2"] = np.nan
    answers["region"] = rng.choice(["north", "south"], n)
    answers["wave"] = np.where(np.arange(n) % 5 == 0, "2026Q2", "2026Q3")
    return answers


def _tiny_study(group: dict) -> dict:
    return {"title": "spark test", "scale": {"min": 1, "max": 5}, "groups": {"customers": group},
            "dimensions": {"a": ["A1", "A2", "A3"], "b": ["B1", "B2", "B3"]},
            "reverse": ["B3"], "segments": ["region"]}


def _sections(path) -> dict:
    results = analyse(load_study(path), lazy=True)
    return json.loads(json.dumps({key: results[key] for key in ("study", *SECTIONS)}))


def test_tiny_study_through_local_spark_equals_the_file(spark, tmp_path):
    answers = _tiny_answers()
    answers.to_parquet(tmp_path / "answers.parquet", index=False)
    answers[answers["wave"] == "2026Q3"].to_csv(tmp_path / "answers.csv", index=False)
    expected = _sections(_write_study(tmp_path, _tiny_study({"file": "answers.csv"})))
    group = {"engine": "spark", "table": f"parquet.`{(tmp_path / 'answers.parquet').as_posix()}`",
             "where": "wave = '2026Q3'"}
    results = _sections(_write_study(tmp_path, _tiny_study(group)))
    assert _differences(expected, results) == []
    assert results["study"]["sources"]["customers"] == {
        "engine": "spark", "table": group["table"], "where": "wave = '2026Q3'", "rows": 48,
        "sampled": None}
    assert results["comparisons"]["customers"]  # the segment was compared


def test_a_missing_column_in_spark_is_one_clear_error(spark, tmp_path):
    _tiny_answers().drop(columns=["B2"]).to_parquet(tmp_path / "answers.parquet", index=False)
    group = {"engine": "spark", "table": f"parquet.`{(tmp_path / 'answers.parquet').as_posix()}`"}
    with pytest.raises(StudyError) as caught:
        load_study(_write_study(tmp_path, _tiny_study(group)))
    error = caught.value
    assert error.column == "B2" and error.key == "groups.customers"
    assert "group 'customers'" in str(error) and "组“customers”" in error.render("zh")
    assert "Traceback" not in error.render("en")


@pytest.mark.skipif(os.environ.get("CRM_TEST_SPARK") != "1",
                    reason="the whole small study through Spark runs with CRM_TEST_SPARK=1 "
                           "(about 5 minutes)")
def test_small_study_through_local_spark(spark, small, tmp_path):  # noqa: F811 (the fixture)
    folder, expected = small
    path = (folder / "answers.parquet").as_posix()
    group = {"engine": "spark", "table": f"parquet.`{path}`", "where": "region IS NOT NULL"}
    results = json.loads(json.dumps(analyse(load_study(
        _write_study(tmp_path, _small_study({"customers": group}))))))
    assert _differences(expected, results) == []
    assert results["study"]["sources"]["customers"]["engine"] == "spark"
