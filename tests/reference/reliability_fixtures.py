"""Write the CSV fixtures that tests/reference/reliability.R and factor.R read.

Run once from the project root: ``python tests/reference/reliability_fixtures.py``. The CSVs are
committed; this script documents how they were made (fixed seeds).

- cronbach_wide_missing.csv: pingouin's public dataset (12 respondents, 11 binary items, 4 missing).
- reliability_generated.csv: 500 respondents of a 1-5 Likert study, scale A (a1..a6, a4 is worded in
  reverse and stored RAW, not reverse-coded) and scale B (b1..b5), one common factor per scale.
- reliability_generated_missing.csv: the same answers with about 10% missing completely at random,
  and the last 3 respondents with no answer to scale B.
- factor_generated.csv: 600 respondents, 12 items, three correlated factors (x1-x4, y1-y4, z1-z4),
  1-5 Likert, about 5% missing.
- reliability_sample.csv + reliability_sample_dimensions.json: the dimension items of the sample
  study (data/sample, current wave) as the pipeline hands them to analysis/ (coded, reverse items
  reverse-coded), with a "group" column; a frozen copy so the reference values stay valid.
"""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin as pg

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def likert(latent: np.ndarray) -> np.ndarray:
    """Cut a continuous answer into 1..5."""
    return np.digitize(latent, [-1.5, -0.5, 0.5, 1.5]) + 1.0


def generated_scales(rng: np.random.Generator, n: int = 500) -> pd.DataFrame:
    trait_a, trait_b = rng.standard_normal((2, n))
    columns = {}
    for i, loading in enumerate([0.8, 0.7, 0.75, -0.7, 0.6, 0.5], start=1):
        columns[f"a{i}"] = likert(loading * trait_a + 0.6 * rng.standard_normal(n))
    for i, loading in enumerate([0.7, 0.6, 0.65, 0.5, 0.3], start=1):
        columns[f"b{i}"] = likert(loading * trait_b + 0.7 * rng.standard_normal(n))
    return pd.DataFrame(columns)


def with_missing(frame: pd.DataFrame, rng: np.random.Generator, share: float) -> pd.DataFrame:
    values = frame.to_numpy(copy=True)
    values[rng.random(values.shape) < share] = np.nan
    return pd.DataFrame(values, columns=frame.columns)


def generated_factors(rng: np.random.Generator, n: int = 600) -> pd.DataFrame:
    phi = np.array([[1.0, 0.3, 0.2], [0.3, 1.0, 0.4], [0.2, 0.4, 1.0]])
    traits = rng.standard_normal((n, 3)) @ np.linalg.cholesky(phi).T
    loadings = [0.8, 0.7, 0.6, 0.5]
    columns = {}
    for f, name in enumerate("xyz"):
        for i, loading in enumerate(loadings, start=1):
            columns[f"{name}{i}"] = likert(loading * traits[:, f] + 0.6 * rng.standard_normal(n))
    return pd.DataFrame(columns)


def sample_study() -> None:
    from surveys.load import load_study

    data = load_study(Path(__file__).resolve().parents[2] / "data" / "sample" / "study.yaml")
    dimensions = data.study.dimensions
    items = [item for members in dimensions.values() for item in members]
    frames = [frame[items].assign(group=group) for group, frame in data.frames().items()]
    pd.concat(frames, ignore_index=True)[["group", *items]].to_csv(FIXTURES / "reliability_sample.csv", index=False)
    (FIXTURES / "reliability_sample_dimensions.json").write_text(json.dumps(dimensions, indent=1))


def main() -> None:
    FIXTURES.mkdir(exist_ok=True)
    pg.read_dataset("cronbach_wide_missing").astype(float).to_csv(
        FIXTURES / "cronbach_wide_missing.csv", index=False
    )
    rng = np.random.default_rng(20261124)
    scales = generated_scales(rng)
    scales.to_csv(FIXTURES / "reliability_generated.csv", index=False)
    missing = with_missing(scales, rng, 0.10)
    missing.loc[missing.index[-3:], [f"b{i}" for i in range(1, 6)]] = np.nan
    missing.to_csv(FIXTURES / "reliability_generated_missing.csv", index=False)
    with_missing(generated_factors(rng), rng, 0.05).to_csv(FIXTURES / "factor_generated.csv", index=False)
    sample_study()


if __name__ == "__main__":
    main()
