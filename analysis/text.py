"""Open-ended comments: themes, the words that separate detractors from promoters, and suggested
themes.

Every function takes one group's respondents as a DataFrame (the comment columns as text, the
satisfaction items reverse-coded floats, the 0-10 recommendation column) or the comments of one
column. :func:`text_section` assembles the ``text`` block of ``results.json`` (documented in
``docs/json/text.md``); :func:`comment_notes` gives the notes of the quality report.

What counts as a comment
------------------------
A cell is *answered* when, after stripping white space, it holds a letter or a digit, is not only
a number (``5``, ``4.5``: a comments column holding numbers is a mistake in the study file, noted
in the quality report) and is not one of the usual "nothing to add" answers (:data:`NO_ANSWER`,
compared without punctuation and case: 无, 没有, 暂无, none, n/a ...). Every other cell is *blank*;
``n_answered + n_blank`` is the group's number of respondents. Comments are used whole, however
long; only what is shown (examples) is cut at :data:`EXAMPLE_CHARS` characters, and comments over
:data:`MAX_CHARS` characters are noted.

Segmentation
------------
Text is casefolded and split into runs of Han characters, segmented by jieba's accurate mode
(Sun 2012; :data:`JIEBA_HMM` says whether its HMM joins unknown characters into words), and runs
of other letters (a word, apostrophes inside kept: ``don't``), which are words as they stand.
Digits and punctuation are dropped, and so are the shipped stopwords (``analysis/stopwords/``:
``zh.txt`` written for this project, ``en.txt`` the Snowball English list without its negations)
and the study's own (``text: {stopwords: ...}``). Negations (不, 没有, not) are kept on purpose.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import sys
import tempfile
import warnings
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from surveys.i18n import Text, msg
from surveys.study import stopword_lines

from .indices import dimension_scores, nps as nps_result, score_table

__all__ = [
    "MAX_CHARS", "EXAMPLE_CHARS", "MIN_COUNT", "N_KEYWORDS", "NO_ANSWER", "JIEBA_HMM",
    "Comments", "read_comments", "comment_notes", "shipped_stopwords",
    "segment", "segment_all", "theme_members", "theme_table",
    "log_odds_dirichlet", "separating_terms", "keyword_groups", "npmi_coherence",
    "theme_set_score", "suggest_themes", "top_detractor_themes", "column_analysis", "text_section", "quality_notes",
]

#: comments longer than this are noted in the quality report (and used whole)
MAX_CHARS = 10_000
#: examples are cut to this many characters (an ellipsis marks the cut)
EXAMPLE_CHARS = 120
#: examples per theme and per suggested theme
N_EXAMPLES = 3
#: terms counted fewer times than this (detractors and promoters together) are not reported
MIN_COUNT = 5
#: terms reported each way (the issue asks for at least 20)
N_KEYWORDS = 30
#: jieba's HMM for unknown words: off (measured 1.4 times faster; see benchmarks/bench_text.py)
JIEBA_HMM = False
#: answers meaning "nothing to add", compared after removing everything but letters and digits
#: and casefolding: such cells are blank, not comments
NO_ANSWER = frozenset({
    "无", "無", "没有", "沒有", "没", "暂无", "暫無", "暂时没有", "目前没有", "无意见", "没有意见",
    "没意见", "暂无意见", "无建议", "没有建议", "暂无建议", "没什么", "没什么意见", "没有了", "无无", "否",
    "na", "n/a", "none", "no", "nil", "nothing", "null", "nope",
})
#: suggested themes: candidate numbers of themes, terms shown, terms judged for coherence, least
#: comments, comments the factorisation is fitted on (a seeded sample of them when there are more)
SUGGEST_K = tuple(range(2, 9))
SUGGEST_TERMS = 8
COHERENCE_TERMS = 5
MIN_SUGGEST_DOCS = 20
SUGGEST_FIT_DOCS = 5000

STOPWORDS = Path(__file__).resolve().parent / "stopwords"
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKENS = re.compile(rf"([{_HAN}]+)|([^\W\d_{_HAN}]+(?:['’][^\W\d_{_HAN}]+)*)")
_NUMBER = re.compile(r"[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)%?")
_NOT_CONTENT = re.compile(r"[\W_]+")


# ------------------------------------------------------------------------------------ comments
@dataclass
class Comments:
    """One column's comments (see the module docstring for what counts as answered).

    Attributes
    ----------
    text : the comment (stripped) where answered, missing where blank; the column's index.
    number : cells that held only a number (blank).
    """

    text: pd.Series
    number: pd.Series

    @property
    def answered(self) -> pd.Series:
        return self.text.notna()

    @property
    def n_answered(self) -> int:
        return int(self.answered.sum())

    @property
    def n_blank(self) -> int:
        return int(len(self.text) - self.n_answered)


def _is_missing(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (
        isinstance(value, (float, np.floating)) and np.isnan(value))


def read_comments(values: pd.Series) -> Comments:
    """The answered comments of a column as read from the data file (numbers, dates and text)."""
    text, number = [], []
    for value in values.to_numpy(dtype=object):
        if _is_missing(value):
            text.append(None), number.append(False)
        elif isinstance(value, (int, float, np.number)) and not isinstance(value, (bool, np.bool_)):
            text.append(None), number.append(True)
        else:
            stripped = str(value).strip()
            is_number = _NUMBER.fullmatch(stripped) is not None
            content = _NOT_CONTENT.sub("", stripped).casefold()
            blank = is_number or not content or content in NO_ANSWER
            text.append(None if blank else stripped), number.append(is_number)
    return Comments(pd.Series(text, index=values.index, dtype=object),
                    pd.Series(number, index=values.index, dtype=bool))


def comment_notes(values: pd.Series, column: str) -> list[Text]:
    """Notes for the quality report on one comments column: nothing answered, cells holding only
    numbers (left out), comments longer than :data:`MAX_CHARS` characters (used whole)."""
    comments = read_comments(values)
    notes = []
    if comments.number.any():
        notes.append(msg("comments_numbers", column=column, count=int(comments.number.sum())))
    elif comments.n_answered == 0:
        notes.append(msg("comments_empty", column=column))
    long = sum(len(t) > MAX_CHARS for t in comments.text.dropna())
    if long:
        notes.append(msg("comments_long", column=column, count=long, limit=f"{MAX_CHARS:,}"))
    return notes


def quality_notes(frames: Mapping[str, pd.DataFrame], comments: Sequence[str]) -> dict[str, list]:
    """GROUP -> the notes (:func:`comment_notes`) on the comments columns the group has."""
    out = {}
    for group, frame in frames.items():
        notes = [n for c in comments if c in frame for n in comment_notes(frame[c], c)]
        if notes:
            out[group] = notes
    return out


# ------------------------------------------------------------------------------------ segmentation
@lru_cache(maxsize=1)
def shipped_stopwords() -> frozenset[str]:
    """The shipped Chinese and English stopwords (``analysis/stopwords/*.txt``)."""
    words: set[str] = set()
    for path in sorted(STOPWORDS.glob("*.txt")):
        words |= stopword_lines(path.read_text(encoding="utf-8"))
    return frozenset(words)


def _import_jieba():
    """The jieba module, quiet.

    jieba finds its data files through setuptools' ``pkg_resources`` when it can import it (half
    a second of import, and a deprecation warning); hidden while jieba is imported, it opens the
    same files from its own folder.
    """
    hide = "pkg_resources" not in sys.modules
    if hide:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # import fails quietly
    try:
        import jieba
    finally:
        if hide and sys.modules.get("pkg_resources", False) is None:
            del sys.modules["pkg_resources"]
    jieba.setLogLevel(logging.WARNING)
    return jieba


@lru_cache(maxsize=1)
def _prefix_dictionary(folder: str | None = None
                       ) -> tuple[dict[int, tuple[np.ndarray, np.ndarray]], int]:
    """jieba's prefix dictionary (every word of its default dictionary and every prefix of one,
    with the word's count, 0 for a prefix that is no word) as sorted arrays, one pair (words,
    counts) per word length, and the total count.

    jieba itself loads the whole dictionary into a dict (a marshal cache of ~500,000 entries in
    the temporary folder: about a second). These arrays load in milliseconds: they are built
    once from jieba's own dictionary and kept beside its cache, under a name holding the MD5 of
    jieba's ``dict.txt`` (a changed dictionary gets new arrays); where the temporary folder is
    not writable they are built again per process. ``folder``: where they are kept (default the
    temporary folder).
    """
    jieba = _import_jieba()
    source = Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME
    digest = hashlib.md5(source.read_bytes(), usedforsecurity=False).hexdigest()
    cache = Path(folder or tempfile.gettempdir()) / f"crm-analysis-jieba-{digest}.npz"
    try:
        with np.load(cache) as stored:
            arrays = {int(name[5:]): (stored[name], stored[f"count{name[5:]}"])
                      for name in stored.files if name.startswith("words")}
            return arrays, int(stored["total"])
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        pass  # no arrays yet (or a damaged file): build them
    tokenizer = _whole_tokenizer()
    by_length: dict[int, list[str]] = {}
    for word in tokenizer.FREQ:
        by_length.setdefault(len(word), []).append(word)
    arrays = {}
    for length, words in by_length.items():
        keys = np.sort(np.array(words, dtype=f"<U{length}"))
        arrays[length] = keys, np.array([tokenizer.FREQ[w] for w in keys.tolist()], dtype=np.int64)
    try:
        handle, name = tempfile.mkstemp(dir=cache.parent, suffix=".npz")
    except OSError:
        return arrays, tokenizer.total  # a read-only temporary folder: kept for this process
    try:
        with os.fdopen(handle, "wb") as out:
            np.savez(out, total=np.int64(tokenizer.total),
                     **{f"words{n}": w for n, (w, _) in arrays.items()},
                     **{f"count{n}": c for n, (_, c) in arrays.items()})
        os.replace(name, cache)  # whole or not at all, also with two processes at once
    except OSError:
        Path(name).unlink(missing_ok=True)
    return arrays, tokenizer.total


def _dictionary_for(runs: Iterable[str]) -> dict[str, int]:
    """The entries of jieba's prefix dictionary (:func:`_prefix_dictionary`) that are substrings
    of ``runs``: every entry jieba can look up while segmenting them.

    jieba looks up only substrings of the text it segments (the words of its DAG, starting from
    each character and lengthened while the string is a prefix of a word), and every prefix of a
    word is an entry; so the substrings of length L that can be entries start where one of length
    L - 1 does. Level by level, the windows of L characters at those positions of the joined
    texts (separated by NUL, in no entry) are looked up by binary search in the sorted entries of
    length L.
    """
    arrays, _ = _prefix_dictionary()
    longest = max(arrays)
    joined = "\0".join(sorted(set(runs))) + "\0" * longest
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)  # the characters
    windows = np.lib.stride_tricks.sliding_window_view(codes, longest)
    alive = np.flatnonzero(codes[:len(codes) - longest])  # every character, no separator
    found: dict[str, int] = {}
    length = 1
    while alive.size and length in arrays:
        words, counts = arrays[length]
        # the windows as strings of `length` characters (the same UCS-4 code points)
        wanted = np.ascontiguousarray(windows[alive, :length]).view(words.dtype).ravel()
        at = np.minimum(np.searchsorted(words, wanted), len(words) - 1)
        hit = words[at] == wanted
        entries = np.unique(at[hit])
        found.update(zip(words[entries].tolist(), counts[entries].tolist()))
        alive = alive[hit]
        length += 1
    return found


#: above this many characters (distinct Han runs), jieba loads its whole dictionary: looking up
#: the substrings (~0.6 µs a character) would then take about as long as jieba's load (~1 s)
RESTRICTED_CHARS = 1_000_000


@lru_cache(maxsize=1)
def _whole_tokenizer():
    """jieba's tokenizer with its whole default dictionary, loaded once per process (about a
    second; jieba keeps a cache of the dictionary in the temporary folder). Where it cannot
    write that cache (a read-only or missing temporary folder) jieba logs the failure with a
    traceback; that is hidden: only a later load is slower."""
    jieba = _import_jieba()
    tokenizer, level = jieba.Tokenizer(), jieba.default_logger.level
    jieba.setLogLevel(logging.CRITICAL)
    try:
        tokenizer.initialize()
    finally:
        jieba.setLogLevel(level)
    return tokenizer


def _tokenizer(runs: Iterable[str]):
    """A jieba tokenizer for the texts ``runs`` (or any substring of them): jieba's default
    dictionary restricted to :func:`_dictionary_for` these texts, with its total count. It
    segments them exactly as jieba's whole dictionary does, since no other entry can be looked
    up (``tests/test_text.py`` compares them), without loading the whole dictionary; for more
    than :data:`RESTRICTED_CHARS` characters, jieba's own with the whole dictionary."""
    runs = set(runs)
    if sum(map(len, runs)) > RESTRICTED_CHARS:
        return _whole_tokenizer()
    _, total = _prefix_dictionary()
    tokenizer = _import_jieba().Tokenizer()
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = _dictionary_for(runs), total, True
    return tokenizer


def segment(text: str, stopwords: Iterable[str] = ()) -> list[str]:
    """The words of one comment: casefolded; Han runs segmented by jieba (accurate mode), other
    letter runs taken as words; digits, punctuation and ``stopwords`` dropped."""
    return segment_all([text], stopwords)[0]


def segment_all(texts: Sequence[str], stopwords: Iterable[str] = ()) -> list[list[str]]:
    """:func:`segment` of every text, each distinct text segmented once (one tokenizer for all,
    :func:`_tokenizer`)."""
    stop = frozenset(stopwords)
    runs = {t: _TOKENS.findall(t.casefold()) for t in dict.fromkeys(texts)}
    han = {h for found in runs.values() for h, _ in found if h}
    tokenizer = _tokenizer(han) if han else None
    done = {}
    for t, found in runs.items():
        words = []
        for h, word in found:
            if h:
                words += [w for w in tokenizer.lcut(h, HMM=JIEBA_HMM) if w not in stop]
            elif word not in stop:
                words.append(word)
        done[t] = words
    return [done[t] for t in texts]


def _term_matrix(tokens: Sequence[Sequence[str]]) -> tuple[sparse.csr_matrix, list[str]]:
    """Documents x terms counts (CSR, int64) and the terms, in order of first appearance."""
    vocabulary: dict[str, int] = {}
    indptr, indices = [0], []
    for words in tokens:
        indices += [vocabulary.setdefault(w, len(vocabulary)) for w in words]
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.int64)
    matrix = sparse.csr_matrix((data, np.asarray(indices, dtype=np.int64), np.asarray(indptr)),
                               shape=(len(tokens), len(vocabulary)))
    matrix.sum_duplicates()
    return matrix, list(vocabulary)


# ------------------------------------------------------------------------------------ themes
def theme_members(texts: pd.Series, themes: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Which comment is in which theme: True where the comment, as written, contains any of the
    theme's terms, compared case-insensitively (``str.casefold`` on both sides; no segmentation,
    no traditional/simplified conversion). Missing comments are in no theme.

    Returns a boolean DataFrame, ``texts``' index, one column per theme.
    """
    folded = [t.casefold() if isinstance(t, str) else "" for t in texts.to_numpy(dtype=object)]
    members = {}
    for name, terms in themes.items():
        wanted = [str(term).casefold() for term in terms]
        members[name] = np.fromiter((any(w in f for w in wanted) for f in folded), dtype=bool,
                                    count=len(folded))
    return pd.DataFrame(members, index=texts.index, dtype=bool)


def _examples(texts: pd.Series, n: int = N_EXAMPLES) -> list[str]:
    """The first ``n`` distinct texts (in row order), cut to :data:`EXAMPLE_CHARS` characters."""
    out = []
    for text in pd.unique(texts.dropna().to_numpy()):
        out.append(text if len(text) <= EXAMPLE_CHARS else text[:EXAMPLE_CHARS - 1] + "…")
        if len(out) == n:
            break
    return out


def _satisfaction_entry(frame: pd.DataFrame, satisfaction: Sequence[str],
                        scale: tuple[float, float]) -> dict:
    """Mean satisfaction score and its t interval, as the dimension scores of ``indices``."""
    if not satisfaction or frame.empty:
        return {"mean": None, "ci": [None, None]}
    row = score_table(frame, {"satisfaction": list(satisfaction)}, scale).iloc[0]
    return {"mean": row["mean"], "ci": [row["ci_low"], row["ci_high"]]}


def _nps_entry(frame: pd.DataFrame, nps: str | None) -> tuple[float | None, float | None]:
    """(NPS, share of detractors) of the rows that answered the 0-10 question."""
    if nps is None or nps not in frame:
        return None, None
    result = nps_result(pd.to_numeric(frame[nps], errors="coerce"))
    if result.n == 0:
        return None, None
    return result.score, result.detractors / result.n


def theme_table(frame: pd.DataFrame, texts: pd.Series, themes: Mapping[str, Sequence[str]], *,
                satisfaction: Sequence[str] = (), nps: str | None = None,
                scale: tuple[float, float] = (1.0, 5.0)) -> tuple[list[dict], dict]:
    """Per theme: n, share of the answered comments, mean satisfaction with its CI, NPS, share of
    detractors, examples; and the comments in no theme (``other``).

    Parameters
    ----------
    frame : the group's respondents (satisfaction items reverse-coded, the NPS column).
    texts : the answered comments (:func:`read_comments`), missing where blank; ``frame``'s index.
    themes : theme -> terms (:func:`theme_members`).
    satisfaction : the overall-satisfaction items; empty = no satisfaction per theme.
    nps : the 0-10 recommendation column, or None.
    scale : the Likert scale.

    Returns
    -------
    (themes, other): themes as in results.json ``text.GROUP.COLUMN.themes``, other ``{n, share}``.

    Notes
    -----
    share = n / (answered comments); a comment may be in several themes. Satisfaction score of a
    respondent: the mean of the satisfaction items answered, if at least half were answered
    (:func:`analysis.indices.dimension_scores`); the theme's mean and its t interval
    :math:`\\bar x \\pm t_{.975, n-1}\\, s/\\sqrt n` as for dimension scores
    (:func:`analysis.indices.score_table`). NPS = 100 (P − D)/n and the share of detractors
    D/n over the theme's writers who answered the 0-10 question (:func:`analysis.indices.nps`).
    """
    answered = texts.notna()
    n_answered = int(answered.sum())
    members = theme_members(texts, themes)
    rows = []
    for name, terms in themes.items():
        inside = members[name].to_numpy() & answered.to_numpy()
        sub = frame.loc[inside]
        score, detractor_share = _nps_entry(sub, nps)
        rows.append({"name": name, "terms": list(terms), "n": int(inside.sum()),
                     "share": int(inside.sum()) / n_answered if n_answered else None,
                     "satisfaction": _satisfaction_entry(sub, satisfaction, scale),
                     "nps": score, "detractor_share": detractor_share,
                     "examples": _examples(texts[inside])})
    other = answered.to_numpy() & ~members.to_numpy().any(axis=1)
    return rows, {"n": int(other.sum()), "share": int(other.sum()) / n_answered if n_answered
                  else None}


# ------------------------------------------------------------------------------------ keywords
def log_odds_dirichlet(y_a: np.ndarray, y_b: np.ndarray, prior: np.ndarray) -> pd.DataFrame:
    """Weighted log-odds ratio with an informative Dirichlet prior ("Fightin' Words").

    Parameters
    ----------
    y_a, y_b : counts of each term in the texts of group a and of group b.
    prior : the Dirichlet prior's α of each term (all > 0 where a term is counted).

    Returns
    -------
    DataFrame, one row per term: ``delta`` (log-odds ratio a vs b), ``variance``, ``z``.

    Notes
    -----
    With :math:`n_a = \\sum_w y_{aw}`, :math:`n_b = \\sum_w y_{bw}`, :math:`\\alpha_0 = \\sum_w
    \\alpha_w`:

    .. math::
        \\hat\\delta_w = \\log\\frac{y_{aw} + \\alpha_w}{n_a + \\alpha_0 - y_{aw} - \\alpha_w}
                      - \\log\\frac{y_{bw} + \\alpha_w}{n_b + \\alpha_0 - y_{bw} - \\alpha_w},
        \\qquad \\sigma^2(\\hat\\delta_w) \\approx \\frac{1}{y_{aw} + \\alpha_w}
                      + \\frac{1}{y_{bw} + \\alpha_w},
        \\qquad z_w = \\hat\\delta_w / \\sqrt{\\sigma^2(\\hat\\delta_w)}.

    A positive z marks a term typical of group a. :func:`separating_terms` sets the prior from
    the data, an empirical-Bayes choice (R's tidylo sets its default prior the same way, from
    the total counts): :math:`\\alpha_w = y_{aw} + y_{bw}`, so that :math:`\\alpha_0 = n_a + n_b`.

    References
    ----------
    Monroe, B. L., Colaresi, M. P., & Quinn, K. M. (2008). Fightin' words: Lexical feature
    selection and evaluation for identifying the content of political conflict. *Political
    Analysis*, 16(4), 372-403.
    """
    y_a, y_b, prior = (np.asarray(v, dtype=float) for v in (y_a, y_b, prior))
    n_a, n_b, a0 = y_a.sum(), y_b.sum(), prior.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = (np.log((y_a + prior) / (n_a + a0 - y_a - prior))
                 - np.log((y_b + prior) / (n_b + a0 - y_b - prior)))
        variance = 1.0 / (y_a + prior) + 1.0 / (y_b + prior)
        z = delta / np.sqrt(variance)
    return pd.DataFrame({"delta": delta, "variance": variance, "z": z})


def keyword_groups(frame: pd.DataFrame, *, nps: str | None = None,
                   satisfaction: Sequence[str] = (),
                   scale: tuple[float, float] = (1.0, 5.0)) -> tuple[pd.Series, pd.Series] | None:
    """(detractors, promoters) as boolean Series over ``frame``'s rows: NPS 0-6 vs 9-10; without
    the NPS column, a satisfaction score (:func:`analysis.indices.dimension_scores` of the
    satisfaction items) in the bottom two vs the top two points of the scale (≤ min + 1 vs ≥
    max − 1). None when the group has neither."""
    if nps is not None and nps in frame:
        values = pd.to_numeric(frame[nps], errors="coerce")
        return (values <= 6).fillna(False), (values >= 9).fillna(False)
    present = [c for c in satisfaction if c in frame]
    if present:
        score = dimension_scores(frame, {"satisfaction": present})["satisfaction"]
        low, high = scale
        return (score <= low + 1).fillna(False), (score >= high - 1).fillna(False)
    return None


def separating_terms(counts: sparse.csr_matrix, terms: Sequence[str], detractors: np.ndarray,
                     promoters: np.ndarray, *, min_count: int = MIN_COUNT,
                     top: int = N_KEYWORDS) -> dict:
    """The terms that separate detractors' comments from promoters', ranked by z.

    Parameters
    ----------
    counts : answered comments x terms counts (:func:`segment_all`).
    terms : the terms of ``counts``' columns.
    detractors, promoters : boolean masks over ``counts``' rows.
    min_count : terms counted fewer times in the two groups together are not reported.
    top : terms reported each way.

    Returns
    -------
    ``{"detractors": [...], "promoters": [...]}``, each a list of ``{term, n, log_odds, z}``
    with n = the term's count in that group's comments and ``log_odds``, ``z`` signed so that
    positive means typical of that group (:func:`log_odds_dirichlet`, detractors vs promoters,
    prior α = the term's count in the two groups' comments together). Only terms with z > 0 for
    a group are in its list, highest z first (ties by term).
    """
    y_d = np.asarray(counts[np.asarray(detractors, bool)].sum(axis=0)).ravel()
    y_p = np.asarray(counts[np.asarray(promoters, bool)].sum(axis=0)).ravel()
    stats = log_odds_dirichlet(y_d, y_p, y_d + y_p)
    stats["term"], stats["n_d"], stats["n_p"] = list(terms), y_d, y_p
    stats = stats[(y_d + y_p >= min_count) & np.isfinite(stats["z"].to_numpy())]
    out = {}
    for side, sign, n_col in (("detractors", 1.0, "n_d"), ("promoters", -1.0, "n_p")):
        part = stats.assign(delta=sign * stats["delta"], z=sign * stats["z"])
        part = part[part["z"] > 0].sort_values(["z", "term"], ascending=[False, True]).head(top)
        out[side] = [{"term": r.term, "n": int(getattr(r, n_col)), "log_odds": float(r.delta),
                      "z": float(r.z)} for r in part.itertuples()]
    return out


# ------------------------------------------------------------------------------------ suggested themes
def npmi_coherence(top_terms: Sequence[Sequence[int]], present: sparse.spmatrix) -> float:
    """Mean NPMI coherence of topics, each given by its top terms (column indices of
    ``present``, a documents x terms 0/1 matrix).

    Notes
    -----
    With D documents, :math:`P(w) = D(w)/D` and :math:`P(w_i, w_j) = D(w_i, w_j)/D` from the
    documents containing the terms, :math:`NPMI = \\log\\frac{P(w_i, w_j)}{P(w_i) P(w_j)} \\big/
    -\\log P(w_i, w_j)`, −1 for terms never together and 1 for terms in every document. A topic's
    coherence is the mean over its pairs of top terms; the result is the mean over topics.

    References
    ----------
    Bouma, G. (2009). Normalized (pointwise) mutual information in collocation extraction.
    *Proceedings of GSCL*, 31-40. Lau, J. H., Newman, D., & Baldwin, T. (2014). Machine reading
    tea leaves: Automatically evaluating topic coherence and topic model quality. *EACL*, 530-539.
    """
    present = sparse.csc_matrix(present, dtype=float)
    n_docs = present.shape[0]
    scores = []
    for topic in top_terms:
        cols = present[:, list(topic)]
        together = (cols.T @ cols).toarray() / n_docs
        single = np.diag(together)
        values = []
        for i in range(len(topic)):
            for j in range(i + 1, len(topic)):
                p_ij = together[i, j]
                if p_ij == 0:
                    values.append(-1.0)
                elif p_ij == 1:
                    values.append(1.0)
                else:
                    values.append(np.log(p_ij / (single[i] * single[j])) / -np.log(p_ij))
        scores.append(np.mean(values) if values else np.nan)
    return float(np.nanmean(scores)) if scores else float("nan")


def _shown_terms(weights: np.ndarray) -> np.ndarray:
    """A topic's shown terms: the :data:`SUGGEST_TERMS` largest weights of its row of H that are
    above 0."""
    order = np.argsort(-weights, kind="stable")[:SUGGEST_TERMS]
    return order[weights[order] > 0]


def theme_set_score(components: np.ndarray, present: sparse.spmatrix) -> float:
    """How good a set of topics is as suggested themes: coverage · (1 + coherence) / 2.

    Coherence is the mean :func:`npmi_coherence` of each topic's :data:`COHERENCE_TERMS` top
    terms; coverage the share of the comments (rows of the 0/1 matrix ``present``) containing at
    least one shown term (:func:`_shown_terms`) of some topic, so that a k that leaves a group of
    comments unrepresented scores low however coherent its topics are. Both are in [0, 1] after
    the shift, and so is the score.
    """
    tops = [np.argsort(-h, kind="stable")[:COHERENCE_TERMS] for h in components]
    shown = np.unique(np.concatenate([_shown_terms(h) for h in components]))
    covered = np.asarray(sparse.csr_matrix(present)[:, shown].sum(axis=1)).ravel() > 0
    return float(covered.mean() * (1 + npmi_coherence(tops, present)) / 2)


def suggest_themes(counts: sparse.csr_matrix, terms: Sequence[str], texts: Sequence[str], *,
                   min_count: int = MIN_COUNT, seed: int = 0) -> list[dict]:
    """Clusters of co-occurring terms, for the researcher to name and save as themes.

    Parameters
    ----------
    counts : comments x terms counts (:func:`segment_all`).
    terms : the terms of ``counts``' columns.
    texts : the comments of ``counts``' rows (for the examples).
    min_count : terms in fewer comments than this are left out.
    seed : seed of the factorisation and of the sample it is fitted on.

    Returns
    -------
    A list of ``{terms, n, examples}``, most comments first; empty with fewer than
    :data:`MIN_SUGGEST_DOCS` comments that have a kept term.

    Notes
    -----
    TF-IDF (smoothed idf, l2-normalised rows) of the comments, non-negative matrix factorisation
    :math:`X \\approx WH` (scikit-learn, NNDSVDa start, coordinate descent, at most 500
    iterations, fixed seed) for each k in :data:`SUGGEST_K`; the k with the best
    :func:`theme_set_score` (NPMI coherence of the topics' top terms, weighted by the share of
    comments the topics' terms cover) is kept, the smaller k on a tie.
    Each comment belongs to the theme of its largest weight in W (none if all are 0); a theme
    shows its top terms (:func:`_shown_terms`) and the comments with the largest weights as
    examples. With more than :data:`SUGGEST_FIT_DOCS` comments, the factorisations are fitted on
    a seeded sample of that many and every comment is then assigned with H fixed.
    """
    counts = sparse.csr_matrix(counts)
    present = (counts > 0).astype(np.int64)
    kept = np.flatnonzero(np.asarray(present.sum(axis=0)).ravel() >= min_count)
    counts, present = counts[:, kept], present[:, kept]
    rows = np.flatnonzero(np.asarray(present.sum(axis=1)).ravel() > 0)
    if len(rows) < MIN_SUGGEST_DOCS or len(kept) < 2:
        return []
    # scikit-learn (0.4 s of import) only when there is something to fit
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfTransformer

    tfidf = TfidfTransformer().fit(counts[rows]).transform(counts[rows])
    rng = np.random.default_rng(seed)
    fit_rows = (np.sort(rng.choice(len(rows), SUGGEST_FIT_DOCS, replace=False))
                if len(rows) > SUGGEST_FIT_DOCS else np.arange(len(rows)))
    fitted = []
    for k in SUGGEST_K:
        if k >= len(kept) or k > len(fit_rows) // 5:
            break
        model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=500)
        with warnings.catch_warnings():  # an unconverged fit still ranks the terms usefully
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(tfidf[fit_rows])
        fitted.append((theme_set_score(model.components_, present[rows][fit_rows]), model))
    if not fitted:
        return []
    model = max(fitted, key=lambda scored: scored[0])[1]  # the first (smallest k) on a tie
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weights = model.transform(tfidf)
    assigned = np.where(weights.max(axis=1) > 0, weights.argmax(axis=1), -1)
    texts = np.asarray(texts, dtype=object)[rows]
    out = []
    for topic, h in enumerate(model.components_):
        inside = np.flatnonzero(assigned == topic)
        order = inside[np.argsort(-weights[inside, topic], kind="stable")]
        out.append({"terms": [terms[kept[j]] for j in _shown_terms(h)],
                    "n": int(len(inside)), "examples": _examples(pd.Series(texts[order]))})
    return sorted(out, key=lambda s: -s["n"])


def top_detractor_themes(entry: dict, k: int = 3) -> list[dict]:
    """The ``k`` themes of a ``text.GROUP.COLUMN`` entry that detractors write about most: by
    detractor_share × n (the number of detractors among the theme's writers when all of them
    answered the 0-10 question), then by n; without NPS, by the lowest mean satisfaction. Themes
    without comments, or without detractors, are left out."""
    themes = [t for t in entry.get("themes") or [] if t["n"]]
    with_nps = [t for t in themes if t.get("detractor_share")]
    if with_nps:
        return sorted(with_nps, key=lambda t: (-t["detractor_share"] * t["n"], -t["n"]))[:k]
    scored = [t for t in themes if t["satisfaction"]["mean"] is not None
              and t.get("detractor_share") is None]
    return sorted(scored, key=lambda t: (t["satisfaction"]["mean"], -t["n"]))[:k]


# ------------------------------------------------------------------------------------ section
def column_analysis(frame: pd.DataFrame, column: str, *, themes: Mapping[str, Sequence[str]],
                    satisfaction: Sequence[str] = (), nps: str | None = None,
                    scale: tuple[float, float] = (1.0, 5.0), min_count: int = MIN_COUNT,
                    stopwords: Iterable[str] = (), seed: int = 0,
                    themes_only: bool = False) -> dict:
    """One comments column of one group: the entry ``text.GROUP.COLUMN`` of results.json (keys
    in ``docs/json/text.md``); with ``themes_only``, its first four keys (the themes, without
    segmentation, keywords or suggested themes)."""
    comments = read_comments(frame[column])
    texts = comments.text
    theme_rows, other = theme_table(frame, texts, themes, satisfaction=satisfaction, nps=nps,
                                    scale=scale)
    entry = {"n_answered": comments.n_answered, "n_blank": comments.n_blank, "themes": theme_rows,
             "other": other}
    if themes_only:
        return entry
    answered = comments.answered.to_numpy()
    tokens = segment_all(texts[answered].tolist(), shipped_stopwords() | frozenset(stopwords))
    counts, terms = _term_matrix(tokens)
    keywords = {"detractors": [], "promoters": []}
    groups = keyword_groups(frame, nps=nps, satisfaction=satisfaction, scale=scale)
    if groups is not None and terms:
        detractors, promoters = (g.to_numpy()[answered] for g in groups)
        keywords = separating_terms(counts, terms, detractors, promoters, min_count=min_count)
    pool = np.ones(len(tokens), dtype=bool)
    if themes:  # with a dictionary: suggestions from the comments it does not cover
        pool = ~theme_members(texts[answered], themes).to_numpy().any(axis=1)
    suggested = (suggest_themes(counts[pool], terms, texts[answered][pool].tolist(),
                                min_count=min_count, seed=seed) if terms else [])
    return {**entry, "keywords": keywords, "suggested": suggested}


def text_section(frames: Mapping[str, pd.DataFrame], *, comments: Sequence[str],
                 themes: Mapping[str, Sequence[str]] | None = None,
                 satisfaction: Sequence[str] = (), nps: str | None = None,
                 scale: tuple[float, float] = (1.0, 5.0), min_count: int = MIN_COUNT,
                 stopwords: Iterable[str] = (), seed: int = 0, themes_only: bool = False) -> dict:
    """The ``text`` block of results.json: GROUP -> COLUMN -> :func:`column_analysis`.

    Parameters
    ----------
    frames : group name -> respondents x columns (comments as text, satisfaction items
        reverse-coded floats, NaN = missing).
    comments : the open-ended columns; a group without one of them is left out for it.
    themes : theme -> terms (the study's dictionary); None or empty = none (suggestions then come
        from every comment instead of the comments in no theme).
    satisfaction : overall-satisfaction items (theme means; the keyword groups without NPS).
    nps : the 0-10 recommendation column, or None.
    scale : (min, max) of the Likert scale.
    min_count : least count of a reported keyword, and least number of comments of a term in the
        suggested themes.
    stopwords : words left out besides the shipped lists.
    seed : seed of the suggested themes.
    themes_only : only the themes of each column (see :func:`column_analysis`): what the
        dashboard shows, in a fraction of the time (no jieba, no scikit-learn).
    """
    stop = frozenset(w.casefold() for w in stopwords)
    section = {}
    for group, frame in frames.items():
        entry = {c: column_analysis(frame, c, themes=themes or {}, satisfaction=[
            s for s in satisfaction if s in frame], nps=nps if nps in frame else None, scale=scale,
            min_count=min_count, stopwords=stop, seed=seed, themes_only=themes_only)
            for c in comments if c in frame}
        if entry:
            section[group] = entry
    return section
