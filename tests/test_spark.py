"""A table group read through Spark in local mode (engine: spark) gives the results of the file.

Needs PySpark (requirements-spark.txt) and Java 17, and runs only with ``CRM_TEST_SPARK=1``:
local Spark answers each of the ~100 aggregate queries in about a second, so the test takes about
5 minutes on a shared 2-core machine (measured), too long for every CI run."""
from __future__ import annotations

import json
import os
import shutil

import pytest

if os.environ.get("CRM_TEST_SPARK") != "1":
    pytest.skip("the Spark test runs with CRM_TEST_SPARK=1 (about 5 minutes)",
                allow_module_level=True)
pytest.importorskip("pyspark", reason="the Spark extra (requirements-spark.txt) is not installed")
if shutil.which("java") is None:
    pytest.skip("Java 17 is not installed (openjdk-17-jre-headless)", allow_module_level=True)

from analysis.pipeline import analyse  # noqa: E402
from surveys.load import load_study  # noqa: E402
from tests.test_tables import _differences, _small_study, _write_study, small  # noqa: E402,F401


def test_small_study_through_local_spark(small, tmp_path):  # noqa: F811 (the fixture)
    folder, expected = small
    path = (folder / "answers.parquet").as_posix()
    group = {"engine": "spark", "table": f"parquet.`{path}`", "where": "region IS NOT NULL"}
    results = json.loads(json.dumps(analyse(load_study(
        _write_study(tmp_path, _small_study({"customers": group}))))))
    assert _differences(expected, results) == []
    assert results["study"]["sources"]["customers"]["engine"] == "spark"
