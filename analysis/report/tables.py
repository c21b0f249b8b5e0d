"""The report's content as tidy tables, shared by the Excel, HTML and PDF reports.

:func:`build_sections` turns a results dict (the content of ``results.json``) into a list of
:class:`Section` objects, one per analysis present, each with tidy :class:`Table` objects (one row
per group × dimension/item/..., the group as a column; every table names its method and its n) and
plain-language findings for managers (APA-style test strings in a column of the tables and in the
findings). Nothing is computed here beyond picking and ordering numbers; the three writers only lay
the tables out. Labels come from :mod:`analysis.i18n`, display names of groups, dimensions and items
from ``results["study"]["names"]``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ..charts import display_name, ladder_level_name, rung_name
from ..i18n import t
from ..pls_charts import construct_name
from surveys.i18n import msg
from . import apa
from .numstyle import NumberStyle

__all__ = ["Column", "Table", "Section", "Marked", "build_sections", "format_value", "is_faint",
           "KINDS", "STARS"]

#: value kinds of a column: how the writers format and store a value. "bounded"/"bounded3" are
#: statistics that cannot exceed 1 in absolute value (r, α, R², CFI...: APA writes them without
#: the leading zero), "loading" a factor loading (every report greys those below .40), "df" degrees
#: of freedom (whole, or one decimal for Welch's)
KINDS = ("text", "int", "num", "num3", "bounded", "bounded3", "loading", "df", "p", "pct", "flag")
#: the numbers of the HTML and PDF tables
PLAIN = NumberStyle("plain")
#: significance stars of a p-value: (bound, stars), the first bound p is below wins
STARS = ((0.001, "***"), (0.01, "**"), (0.05, "*"))


@dataclass
class Column:
    """A table column: its label and kind (one of :data:`KINDS`). A ``detail`` column is shown
    by the full reports (Excel, HTML, PDF) but left out of the thesis tables of the Word report."""
    label: str
    kind: str = "num"
    detail: bool = False


@dataclass
class Table:
    """One tidy table: ``rows`` hold plain values (str, int, float, bool or None) in column order.

    ``notes`` are further notes under the table (model fit, cut-offs); a ``detail`` table is
    left out of the Word report (its content is in the thesis tables or too long for a thesis)."""
    key: str
    title: str
    method: str
    n: str
    columns: list[Column]
    rows: list[list[Any]]
    notes: list[str] = field(default_factory=list)
    detail: bool = False


@dataclass
class Section:
    """One analysis: its tables and the plain-language findings for managers."""
    key: str
    title: str
    tables: list[Table] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)

    def add(self, key: str, title: str, method: str, n: str, columns: list[Column], rows: list,
            notes: list[str] | None = None, detail: bool = False) -> None:
        """Append a table (see :class:`Table`)."""
        self.tables.append(Table(key, title, method, n, columns, rows, list(notes or []), detail))


class Marked(float):
    """A number with a mark written after it: significance stars ("0.45**") or, with ``sup``,
    superscript letters; ``bold`` asks for emphasis (√AVE on a Fornell-Larcker diagonal). Writers
    that know no marks see a plain float."""

    mark: str
    sup: bool
    bold: bool

    def __new__(cls, value: float, mark: str = "", sup: bool = False, bold: bool = False):
        number = super().__new__(cls, value)
        number.mark, number.sup, number.bold = mark, sup, bold
        return number


def stars(p: float | None) -> str:
    """"***" for p < .001, "**" for p < .01, "*" for p < .05, else "" (:data:`STARS`)."""
    return next((mark for bound, mark in STARS if p is not None and p < bound), "")


class _Ctx:
    """The results and the language, with the name and label look-ups every builder needs."""

    def __init__(self, results: dict, lang: str):
        self.results, self.lang = results, lang

    def t(self, key: str, **values) -> str:
        return t(key, self.lang, **values)

    def name(self, code: str | None) -> str:
        return "" if code is None else display_name(self.results, str(code), self.lang)

    def col(self, key: str, kind: str = "num", detail: bool = False) -> Column:
        return Column(self.t(key), kind, detail)

    def n_text(self, counts: dict[str, int | None]) -> str:
        """"n = 301 (Customers), 42 (Employees)"."""
        parts = [f"{n if n is not None else '–'} ({self.name(g)})" for g, n in counts.items()]
        return "n = " + ", ".join(parts) if parts else ""


def format_value(value: Any, kind: str, lang: str = "zh") -> str:
    """A cell as text for the HTML and PDF reports: decimals by kind, p as ".019" or "<.001",
    shares as percentages, a dash for a missing number, a mark (stars, letters) after it
    (:class:`~.numstyle.NumberStyle` "plain")."""
    return PLAIN.cell(value, kind, lang) + (getattr(value, "mark", "") if value is not None else "")


#: a factor loading below this in absolute value is shown in grey (:func:`is_faint`)
FAINT_LOADING = 0.40


def is_faint(value: Any, kind: str) -> bool:
    """Whether a cell is shown in grey: a factor loading below :data:`FAINT_LOADING` in absolute
    value (the note ``rep_loadings_note`` under the table says so)."""
    return kind == "loading" and isinstance(value, float) and abs(value) < FAINT_LOADING


def _meets(value, bar: float, *, above: bool) -> bool:
    """Whether a fit index is known and on the good side of its cut-off (Hu & Bentler 1999)."""
    return value is not None and (value >= bar if above else value <= bar)


def _lo(interval) -> float | None:
    return interval[0] if interval else None


def _hi(interval) -> float | None:
    return interval[1] if interval else None


def _whole(value):
    """A scale end as people write it: 1 rather than 1.0."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _group_col(c: _Ctx) -> Column:
    return c.col("group", "text")


# ---------------------------------------------------------------- study and data quality

def _study(c: _Ctx) -> Section:
    study = c.results["study"]
    section = Section("study", c.t("rep_study"))
    scale = study.get("scale") or {}
    rows = []
    for wave, groups in (study.get("waves") or {study.get("wave"): study.get("groups", {})}).items():
        for group, counts in groups.items():
            excluded = counts.get("excluded") or {}
            rows.append([wave, c.name(group), counts.get("n_raw"), counts.get("n"),
                         sum(v or 0 for v in excluded.values()),
                         ("；" if c.lang == "zh" else "; ").join(
                             f"{c.t('rep_rule_' + k)} {v}" for k, v in excluded.items() if v)])
    section.add(
        "study", c.t("rep_study"), c.t("method_study", min=_whole(scale.get("min")),
                                       max=_whole(scale.get("max"))),
        c.n_text({g: v.get("n") for g, v in (study.get("groups") or {}).items()}),
        [c.col("wave", "text"), _group_col(c), c.col("rep_n_raw", "int"), c.col("rep_n_kept", "int"),
         c.col("rep_n_excluded", "int"), c.col("rep_exclusions", "text")], rows)
    quality = c.results.get("quality") or {}
    current = {g: q for g, q in quality.items() if g != "waves"}
    rule_rows, missing_rows = [], []
    for group, report in current.items():
        for rule, entry in (report.get("rules") or {}).items():
            rule_rows.append([c.name(group), c.t("rep_rule_" + rule), entry.get("count"),
                              entry.get("excluded")])
        for item, entry in ((report.get("missing") or {}).get("items") or {}).items():
            missing_rows.append([c.name(group), c.name(item), entry.get("missing"), entry.get("share")])
    n = c.n_text({g: q.get("n") for g, q in current.items()})
    if rule_rows:
        section.add(
            "quality", c.t("rep_quality"), c.t("method_quality"), n,
            [_group_col(c), c.col("rep_rule", "text"), c.col("rep_flagged", "int"),
             c.col("rep_n_excluded", "int")], rule_rows)
    if missing_rows:
        section.add(
            "missing", c.t("rep_missing"), c.t("method_missing"), n,
            [_group_col(c), c.col("item", "text"), c.col("rep_missing_count", "int"),
             c.col("rep_share", "pct")], missing_rows, detail=True)
    return section


# ---------------------------------------------------------------- descriptives and correlations

def _stat_values(s: dict) -> list:
    return [s.get("n"), s.get("mean"), s.get("sd"), s.get("min"), s.get("max"), s.get("skewness"),
            s.get("kurtosis")]


def _stat_columns(c: _Ctx) -> list[Column]:
    """n, M, SD, min, max, skewness, kurtosis (min and max are detail: a thesis table of many
    items keeps room for the item's wording)."""
    return [c.col("n", "int"), c.col("mean"), c.col("sd"), c.col("rep_min", detail=True),
            c.col("rep_max", detail=True), c.col("rep_skewness"), c.col("rep_kurtosis")]


def _score_name(c: _Ctx, code: str, outcomes: dict) -> str:
    """A dimension's display name, or the label of an outcome score (satisfaction, loyalty)."""
    return c.t(code) if code in outcomes else c.name(code)


def _descriptives(c: _Ctx) -> Section:
    section = Section("descriptives", c.t("rep_descriptives"))
    owner = {item: dim for dim, members in (c.results["study"].get("dimensions") or {}).items()
             for item in members}
    items, scores, matrix, counts = [], [], [], {}
    width = max((len(e.get("dimensions") or {}) + len(e.get("outcomes") or {})
                 for e in c.results["descriptives"].values()), default=0)
    for group, e in c.results["descriptives"].items():
        outcomes = e.get("outcomes") or {}
        outcome_of = {i: o for o, members in (e.get("outcome_items") or {}).items() for i in members}
        counts[group] = max((s.get("n") or 0 for s in (e.get("items") or {}).values()), default=None)
        for item, s in (e.get("items") or {}).items():
            scale = c.name(owner[item]) if item in owner else c.t(outcome_of.get(item, "item"))
            items.append([c.name(group), scale, c.name(item), *_stat_values(s)])
        variables = {**(e.get("dimensions") or {}), **outcomes}
        for code, s in variables.items():
            scores.append([c.name(group), _score_name(c, code, outcomes), *_stat_values(s)])
        pairs = e.get("correlations") or {}
        codes = list(variables)
        for i, a in enumerate(codes):
            cells: list[Any] = []
            for j, b in enumerate(codes):
                pair = pairs.get(f"{b}|{a}") or pairs.get(f"{a}|{b}") or {}
                if j < i and pair.get("r") is not None:
                    cells.append(Marked(pair["r"], stars(pair.get("p"))))
                else:
                    cells.append("—" if j == i else ("" if j > i else None))
            s = variables[a]
            matrix.append([c.name(group), f"{i + 1}. {_score_name(c, a, outcomes)}", s.get("mean"),
                           s.get("sd"), *cells, *[""] * (width - len(cells))])
        values = [p["r"] for p in pairs.values() if p.get("r") is not None]
        if values:
            significant = sum(1 for p in pairs.values() if p.get("p") is not None and p["p"] < 0.05)
            section.findings.append(c.t(
                "find_correlations", group=c.name(group), low=apa.bounded(min(values)),
                high=apa.bounded(max(values)), significant=significant, pairs=len(values)))
        skews = [(abs(s["skewness"]), code) for code, s in (e.get("items") or {}).items()
                 if s.get("skewness") is not None]
        kurts = [(abs(s["kurtosis"]), code) for code, s in (e.get("items") or {}).items()
                 if s.get("kurtosis") is not None]
        if skews and kurts:
            section.findings.append(c.t(
                "find_normality_ok" if max(skews)[0] < 3 and max(kurts)[0] < 10 else "find_normality_poor",
                group=c.name(group), skew=apa.num(max(skews)[0]), skew_item=c.name(max(skews)[1]),
                kurt=apa.num(max(kurts)[0]), kurt_item=c.name(max(kurts)[1])))
    n = c.n_text(counts)
    section.add("desc_items", c.t("rep_desc_items"), c.t("method_desc_items"), n,
                [_group_col(c), c.col("rep_scale_name", "text"), c.col("item", "text"),
                 *_stat_columns(c)], items)
    section.add("desc_scores", c.t("rep_desc_scores"), c.t("method_desc_scores"), n,
                [_group_col(c), c.col("rep_variable", "text"), *_stat_columns(c)], scores)
    section.add("correlations", c.t("rep_correlations"), c.t("method_correlations"), n,
                [_group_col(c), c.col("rep_variable", "text"), c.col("mean"), c.col("sd"),
                 *[Column(str(k + 1), "bounded") for k in range(width)]], matrix,
                notes=[c.t("rep_stars_note")])
    return section


# ---------------------------------------------------------------- reliability and validity

def _reliability(c: _Ctx) -> Section:
    section = Section("reliability", c.t("rep_reliability"))
    dims, items, counts = [], [], {}
    for group, entries in c.results["reliability"].items():
        counts[group] = max((e.get("n") or 0 for e in entries.values()), default=None)
        for dim, e in entries.items():
            split = e.get("split_half") or {}
            dims.append([c.name(group), c.name(dim), e.get("k"), e.get("n"), e.get("alpha"),
                         _lo(e.get("alpha_ci")), _hi(e.get("alpha_ci")), e.get("std_alpha"),
                         e.get("omega_total"), e.get("lambda6"), split.get("spearman_brown")])
            if e.get("alpha") is not None and e["alpha"] < 0.7:
                section.findings.append(c.t("find_alpha_low", group=c.name(group), dimension=c.name(dim),
                                            alpha=apa.bounded(e["alpha"])))
            for item, s in (e.get("items") or {}).items():
                items.append([c.name(group), c.name(dim), c.name(item), s.get("n"), s.get("mean"),
                              s.get("sd"), s.get("citc"), s.get("alpha_if_deleted")])
    alphas = [(e["alpha"], group, dim) for group, entries in c.results["reliability"].items()
              for dim, e in entries.items() if e.get("alpha") is not None]
    if alphas:
        low, group, dim = min(alphas)
        section.findings.append(c.t(
            "find_alpha_ok" if low >= 0.7 else "find_alpha_range", low=apa.bounded(low),
            high=apa.bounded(max(alphas)[0]), group=c.name(group), dimension=c.name(dim)))
    n = c.n_text(counts)
    section.add(
        "reliability", c.t("rep_reliability"), c.t("method_reliability"), n,
        [_group_col(c), c.col("dimension", "text"), c.col("rep_k", "int"), c.col("n", "int"),
         c.col("alpha", "bounded3"), c.col("rep_ci_low", "bounded3"), c.col("rep_ci_high", "bounded3"),
         c.col("std_alpha", "bounded3", detail=True), c.col("omega_total", "bounded3"),
         c.col("rep_lambda6", "bounded3", detail=True),
         c.col("rep_split_half", "bounded3", detail=True)], dims)
    section.add(
        "reliability_items", c.t("rep_reliability_items"), c.t("method_reliability_items"), n,
        [_group_col(c), c.col("dimension", "text"), c.col("item", "text"), c.col("n", "int", detail=True),
         c.col("mean"), c.col("sd"), c.col("citc", "bounded3"), c.col("alpha_if_deleted", "bounded3")],
        items)
    return section


def _validity(c: _Ctx) -> Section:
    section = Section("validity", c.t("rep_validity"))
    validity = c.results["validity"]
    counts = {g: (e.get("cfa") or {}).get("n") for g, e in validity.items()}
    adequacy, loadings, fit, constructs, htmt, discriminant = [], [], [], [], [], []
    width = max((len(v) for e in validity.values()
                 for v in ((e.get("efa") or {}).get("loadings") or {}).values()), default=0)
    for group, e in validity.items():
        bart = e.get("bartlett") or {}
        adequacy.append([c.name(group), e.get("kmo"), bart.get("chi2"), bart.get("df"), bart.get("p"),
                         apa.chi2(bart.get("chi2"), bart.get("df"), bart.get("p")),
                         (e.get("efa") or {}).get("n_factors")])
        if e.get("kmo") is not None:
            key = "find_kmo_ok" if e["kmo"] >= 0.6 else "find_kmo_low"
            section.findings.append(c.t(key, group=c.name(group), kmo=apa.bounded(e["kmo"])))
        for item, row in ((e.get("efa") or {}).get("loadings") or {}).items():
            loadings.append([c.name(group), c.name(item), *row, *[None] * (width - len(row))])
        cfa = e.get("cfa")
        if cfa:
            ratio = (cfa["chi2"] / cfa["df"] if cfa.get("chi2") is not None and cfa.get("df")
                     else None)
            fit.append([c.name(group), cfa.get("n"), cfa.get("chi2"), cfa.get("df"), ratio, cfa.get("p"),
                        cfa.get("cfi"), cfa.get("tli"), cfa.get("rmsea"), _lo(cfa.get("rmsea_ci")),
                        _hi(cfa.get("rmsea_ci")), cfa.get("srmr"), apa.cfa_fit(cfa)])
            text = apa.cfa_fit(cfa)
            if text:
                good = (_meets(cfa.get("cfi"), 0.95, above=True)
                        and _meets(cfa.get("rmsea"), 0.06, above=False)
                        and _meets(cfa.get("srmr"), 0.08, above=False))
                section.findings.append(c.t("find_cfa_good" if good else "find_cfa_poor",
                                            group=c.name(group), fit=text))
            for dim, cr in (cfa.get("constructs") or {}).items():
                constructs.append([c.name(group), c.name(dim), cr.get("cr"), cr.get("ave")])
            for pair, value in (cfa.get("htmt") or {}).items():
                a, _, b = pair.partition("|")
                htmt.append([c.name(group), c.name(a), c.name(b), value])
            rows = _discriminant_rows(c, group, cfa)
            discriminant += rows
            finding = _discriminant_finding(c, group, cfa) if rows else ""
            if finding:
                section.findings.append(finding)
    groups = (c.results.get("study") or {}).get("groups") or {}
    n = c.n_text({g: (groups.get(g) or {}).get("n") for g in validity})
    n_cfa = f"{c.n_text(counts)} {c.t('rep_listwise')}"
    section.add(
        "kmo", c.t("rep_adequacy"), c.t("method_adequacy"), n,
        [_group_col(c), c.col("kmo", "bounded3"), c.col("rep_chi2"), c.col("rep_df", "int"),
         c.col("rep_p", "p"), c.col("rep_apa", "text", detail=True), c.col("rep_n_factors", "int")],
        adequacy)
    if loadings:
        section.add(
            "efa", c.t("rep_efa"), c.t("method_efa"), n,
            [_group_col(c), c.col("item", "text"),
             *[Column(c.t("rep_factor", k=k + 1), "loading") for k in range(width)]], loadings,
            notes=[c.t("rep_loadings_note")])
    if fit:
        section.add(
            "cfa", c.t("rep_cfa"), c.t("method_cfa"), n_cfa,
            [_group_col(c), c.col("n", "int"), c.col("rep_chi2"), c.col("rep_df", "int"),
             c.col("rep_chi2_df"), c.col("rep_p", "p"), c.col("rep_cfi", "bounded3"),
             c.col("rep_tli", "bounded3"), c.col("rep_rmsea", "bounded3"),
             c.col("rep_ci90_low", "bounded3", detail=True), c.col("rep_ci90_high", "bounded3", detail=True),
             c.col("rep_srmr", "bounded3"), c.col("rep_apa", "text", detail=True)], fit,
            notes=[c.t("rep_fit_cutoffs")])
        section.add(
            "constructs", c.t("rep_constructs"), c.t("method_constructs"), n_cfa,
            [_group_col(c), c.col("dimension", "text"), c.col("cr", "bounded3"), c.col("ave", "bounded3")],
            constructs)
        section.add(
            "discriminant", c.t("rep_discriminant"), c.t("method_discriminant"), n_cfa,
            [_group_col(c), c.col("dimension", "text"),
             *[Column(str(k + 1), "bounded3") for k in range(_width(validity))]], discriminant)
        section.add(
            "htmt", c.t("rep_htmt"), c.t("method_htmt"), n_cfa,
            [_group_col(c), c.col("dimension", "text"), c.col("dimension", "text"),
             c.col("htmt", "num3")], htmt, detail=bool(discriminant))
    return section


def _width(validity: dict) -> int:
    """The most dimensions of any group's Fornell-Larcker matrix."""
    return max((len((e.get("cfa") or {}).get("fornell_larcker") or {}) for e in validity.values()),
               default=0)


def _discriminant_rows(c: _Ctx, group: str, cfa: dict) -> list[list]:
    """The Fornell-Larcker matrix with HTMT: √AVE on the diagonal (bold), the latent correlations
    below it and the HTMT ratios above it; one row per dimension, numbered like the columns."""
    matrix = cfa.get("fornell_larcker") or {}
    htmt = cfa.get("htmt") or {}
    width = _width(c.results["validity"])
    dims = list(matrix)
    rows = []
    for i, a in enumerate(dims):
        cells: list[Any] = []
        for j, b in enumerate(dims):
            value = (matrix.get(a) or {}).get(b) if j <= i else (
                htmt.get(f"{a}|{b}") if f"{a}|{b}" in htmt else htmt.get(f"{b}|{a}"))
            cells.append(None if value is None else Marked(value, bold=(i == j)))
        rows.append([c.name(group), f"{i + 1}. {c.name(a)}", *cells, *[""] * (width - len(cells))])
    return rows


def _discriminant_finding(c: _Ctx, group: str, cfa: dict) -> str:
    """Whether every √AVE exceeds the dimension's correlations and every HTMT is below .85."""
    matrix = cfa.get("fornell_larcker") or {}
    roots = [(row.get(dim), dim) for dim, row in matrix.items() if row.get(dim) is not None]
    correlations = [abs(v) for a, row in matrix.items() for b, v in row.items() if a != b and v is not None]
    ratios = [v for v in (cfa.get("htmt") or {}).values() if v is not None]
    if not roots or not correlations:
        return ""
    fornell = all(root > max((abs(v) for b, v in matrix[dim].items() if b != dim and v is not None),
                             default=0) for root, dim in roots)
    good = fornell and (not ratios or max(ratios) < 0.85)
    return c.t("find_discriminant_ok" if good else "find_discriminant_poor", group=c.name(group),
               low=apa.bounded(min(roots)[0]), high=apa.bounded(max(roots)[0]),
               r=apa.bounded(max(correlations)), htmt=apa.bounded(max(ratios)) if ratios else "–")


# ---------------------------------------------------------------- indices

def _indices(c: _Ctx) -> Section:
    section = Section("indices", c.t("rep_indices"))
    dims, items, index_rows, nps_rows, cb_rows = [], [], [], [], []
    counts = {}
    for group, e in c.results["indices"].items():
        counts[group] = e.get("n")
        for code, s in (e.get("dimensions") or {}).items():
            dims.append([c.name(group), c.name(code), s.get("n"), s.get("mean"), s.get("sd"),
                         _lo(s.get("ci")), _hi(s.get("ci")), s.get("top2"), s.get("bottom2")])
        for code, s in (e.get("items") or {}).items():
            items.append([c.name(group), c.name(code), s.get("n"), s.get("mean"), s.get("sd"),
                          _lo(s.get("ci")), _hi(s.get("ci")), s.get("top2"), s.get("bottom2")])
        for key in ("csi", "satisfaction_index", "loyalty_index"):
            idx = e.get(key)
            if idx:
                index_rows.append([c.name(group), c.t("rep_index_" + key), idx.get("n"), idx.get("value"),
                                   _lo(idx.get("ci")), _hi(idx.get("ci")),
                                   c.t("rep_ci_" + (idx.get("ci_method") or "none"))])
                if idx.get("value") is not None:
                    section.findings.append(c.t("find_index", group=c.name(group),
                                                index=c.t("rep_index_" + key),
                                                value=apa.num(idx["value"], 1)))
        nps = e.get("nps")
        if nps:
            shares = nps.get("shares") or {}
            nps_rows.append([c.name(group), nps.get("n"), nps.get("score"), _lo(nps.get("ci")),
                             _hi(nps.get("ci")), shares.get("promoters"), shares.get("passives"),
                             shares.get("detractors")])
            if nps.get("score") is not None:
                section.findings.append(c.t("find_nps", group=c.name(group),
                                            score=apa.num(nps["score"], 1),
                                            promoters=apa.num(100 * (shares.get("promoters") or 0), 0),
                                            detractors=apa.num(100 * (shares.get("detractors") or 0), 0)))
        for code, cb in (e.get("cb_ratio") or {}).items():
            for level, name, entry in [("dimension", code, cb),
                                       *(("item", i, v) for i, v in (cb.get("items") or {}).items())]:
                cb_rows.append([c.name(group), c.t(level), c.name(name), entry.get("n"), entry.get("mean_b"),
                                entry.get("mean_a"), entry.get("ratio_of_means"), entry.get("mean_ratio"),
                                c.t(entry["class"]) if entry.get("class") else None])
    n = c.n_text(counts)
    stat_cols = [c.col("n", "int"), c.col("mean"), c.col("sd"), c.col("rep_ci_low"),
                 c.col("rep_ci_high"), c.col("top2", "pct"), c.col("bottom2", "pct")]
    described = bool(c.results.get("descriptives"))  # the Word report has them there
    section.add("scores", c.t("rep_scores"), c.t("method_scores"), n,
                [_group_col(c), c.col("dimension", "text"), *stat_cols], dims, detail=described)
    if index_rows:
        section.add(
            "index", c.t("rep_index"), c.t("method_index"), n,
            [_group_col(c), c.col("rep_index_name", "text"), c.col("n", "int"), c.col("rep_value"),
             c.col("rep_ci_low"), c.col("rep_ci_high"), c.col("rep_ci_method", "text", detail=True)],
            index_rows)
    if nps_rows:
        section.add(
            "nps", c.t("nps"), c.t("method_nps"), n,
            [_group_col(c), c.col("n", "int"), c.col("nps", "num"), c.col("rep_ci_low"),
             c.col("rep_ci_high"), c.col("promoters", "pct"), c.col("passives", "pct"),
             c.col("detractors", "pct")], nps_rows)
    if cb_rows:
        section.add(
            "cb_ratio", c.t("rep_cb_ratio"), c.t("method_cb_ratio"), n,
            [_group_col(c), c.col("rep_level", "text"), c.col("rep_name", "text"), c.col("n", "int"),
             c.col("perception"), c.col("expectation"), c.col("rep_ratio_of_means", "num3"),
             c.col("rep_mean_ratio", "num3"), c.col("rep_class", "text")], cb_rows)
    section.add("items", c.t("rep_item_scores"), c.t("method_scores"), n,
                [_group_col(c), c.col("item", "text"), *stat_cols], items, detail=described)
    return section


# ---------------------------------------------------------------- gaps, SERVQUAL, trends

def gap_test(row: dict) -> str | None:
    """The APA string of one gap row: Welch's t with Hedges' g, or, for a weighted group, the
    design-based z test with the CI of the difference (``"test": "z_design"``); adjusted p."""
    if row.get("test") == "z_design":
        text = apa.z_test(row.get("z"), row.get("p_adj"))
        interval = apa.ci(row.get("ci"))
        return f"{text}, {interval}" if text and interval else text
    return apa.welch_t(row.get("t"), row.get("df"), row.get("p_adj"), row.get("hedges_g"))


def _gaps(c: _Ctx) -> Section:
    section = Section("gaps", c.t("rep_gaps"))
    for pair, rows in c.results["gaps"].items():
        a, _, b = pair.partition("|")
        table_rows = []
        weighted = any(r.get("test") == "z_design" for r in rows)
        for r in rows:
            text = gap_test(r)
            statistic = r.get("z") if r.get("test") == "z_design" else r.get("t")
            table_rows.append([c.t(r["level"]), c.name(r["name"]), r.get("n_a"), r.get("mean_a"),
                               r.get("n_b"), r.get("mean_b"), r.get("diff"), statistic, r.get("df"),
                               r.get("p"), r.get("p_adj"), r.get("hedges_g"), _lo(r.get("g_ci")),
                               _hi(r.get("g_ci")), r.get("u"), r.get("p_mwu_adj"), r.get("flag"), text])
            if r["level"] != "dimension" or r.get("p_adj") is None:
                continue
            if r.get("flag"):
                key = "find_gap_overrated"
            elif r["p_adj"] < 0.05:
                key = "find_gap_underrated"
            else:
                key = "find_gap_none"
            section.findings.append(c.t(key, name=c.name(r["name"]), a=c.name(a), b=c.name(b),
                                        mean_a=apa.num(r["mean_a"]), mean_b=apa.num(r["mean_b"]),
                                        test=text))
        n = c.n_text({a: max((r.get("n_a") or 0 for r in rows), default=None),
                      b: max((r.get("n_b") or 0 for r in rows), default=None)})
        section.add(
            "gaps", c.t("rep_gaps_table", a=c.name(a), b=c.name(b)), c.t("method_gaps"), n,
            [c.col("rep_level", "text"), c.col("rep_name", "text"),
             Column(f"n ({c.name(a)})", "int"), Column(f"{c.t('mean')} ({c.name(a)})", "num"),
             Column(f"n ({c.name(b)})", "int"), Column(f"{c.t('mean')} ({c.name(b)})", "num"),
             c.col("gap"), c.col("rep_t_or_z" if weighted else "rep_t"), c.col("rep_df", "df"),
             c.col("rep_p", "p", detail=True), c.col("p_adj", "p"), c.col("hedges_g"),
             c.col("rep_ci_low", detail=True),
             c.col("rep_ci_high", detail=True), c.col("rep_u", detail=True),
             c.col("rep_p_mwu_adj", "p", detail=True), c.col("rep_flag", "flag"),
             c.col("rep_apa", "text", detail=True)],
            table_rows, notes=[c.t("rep_gaps_weighted_note")] if weighted else [])
    return section


def _servqual(c: _Ctx) -> Section:
    section = Section("servqual", c.t("rep_servqual"))
    rows, counts = [], {}
    for group, entries in c.results["servqual"].items():
        counts[group] = max((r.get("n") or 0 for r in entries), default=None)
        for r in entries:
            text = apa.paired_t(r.get("t"), r.get("df"), r.get("p_adj"), r.get("gap_ci"))
            rows.append([c.name(group), c.t(r["level"]), c.name(r["name"]), r.get("n"),
                         r.get("mean_perception"), r.get("mean_expectation"), r.get("mean_gap"),
                         _lo(r.get("gap_ci")), _hi(r.get("gap_ci")), r.get("t"), r.get("df"), r.get("p"),
                         r.get("p_adj"), r.get("v"), r.get("p_wilcoxon_adj"), text])
            if r["level"] == "dimension" and r.get("p_adj") is not None and r["p_adj"] < 0.05:
                key = "find_servqual_below" if r["mean_gap"] < 0 else "find_servqual_above"
                section.findings.append(c.t(key, group=c.name(group), name=c.name(r["name"]),
                                            gap=apa.num(r["mean_gap"]), test=text))
    section.add(
        "servqual", c.t("rep_servqual"), c.t("method_servqual"), c.n_text(counts),
        [_group_col(c), c.col("rep_level", "text"), c.col("rep_name", "text"), c.col("n", "int"),
         c.col("perception"), c.col("expectation"), c.col("gap"), c.col("rep_ci_low"),
         c.col("rep_ci_high"), c.col("rep_t"), c.col("rep_df", "df"), c.col("rep_p", "p", detail=True),
         c.col("p_adj", "p"), c.col("rep_v", detail=True), c.col("rep_p_wilcoxon_adj", "p", detail=True),
         c.col("rep_apa", "text", detail=True)], rows)
    return section


def _trend_name(c: _Ctx, change: dict) -> str:
    return c.name(change["name"]) if change["index"] == "dimension" else c.t("rep_index_" + change["index"])


def _wave_n(by_wave: dict, change: dict, end: str) -> int | None:
    """n behind one end of a change: the dimension's or the index's n in that wave."""
    entry = by_wave.get(change[end]) or {}
    if change["index"] == "dimension":
        return ((entry.get("dimensions") or {}).get(change["name"]) or {}).get("n")
    return (entry.get(change["index"]) or {}).get("n")


def _trends(c: _Ctx) -> Section:
    section = Section("trends", c.t("rep_trends"))
    rows, counts = [], {}
    for group, entry in c.results["trends"].items():
        by_wave = entry.get("by_wave") or {}
        counts[group] = " / ".join(str(by_wave[w].get("n")) for w in entry.get("waves", []) if w in by_wave)
        for ch in entry.get("changes") or []:
            if ch["test"] == "welch_t":
                text = apa.welch_t(ch.get("statistic"), ch.get("df"), ch.get("p"))
            else:
                text = apa.z_test(ch.get("statistic"), ch.get("p"))
            name = _trend_name(c, ch)
            rows.append([c.name(group), ch["from"], ch["to"], name, _wave_n(by_wave, ch, "from"),
                         _wave_n(by_wave, ch, "to"), ch.get("value_from"), ch.get("value_to"),
                         ch.get("diff"), _lo(ch.get("ci")), _hi(ch.get("ci")),
                         c.t("rep_test_" + ch["test"]), ch.get("statistic"), ch.get("df"), ch.get("p"), text])
            if ch.get("p") is not None and ch["p"] < 0.05:
                key = "find_trend_up" if ch["diff"] > 0 else "find_trend_down"
                section.findings.append(c.t(key, group=c.name(group), name=name, start=ch["from"],
                                            end=ch["to"], value_from=apa.num(ch["value_from"]),
                                            value_to=apa.num(ch["value_to"]), test=text))
    if not section.findings:
        tested = [(row[14], row[3]) for row in rows if row[14] is not None]
        if tested:
            p, name = min(tested)
            section.findings.append(c.t("find_trend_none", tests=len(tested), p=apa.p_value(p),
                                        name=name))
    section.add(
        "trends", c.t("rep_trends"), c.t("method_trends"),
        "n = " + ", ".join(f"{v} ({c.name(g)})" for g, v in counts.items()),
        [_group_col(c), c.col("rep_from", "text"), c.col("rep_to", "text"), c.col("rep_name", "text"),
         c.col("rep_n_from", "int"), c.col("rep_n_to", "int"), c.col("rep_value_from"),
         c.col("rep_value_to"), c.col("rep_diff"), c.col("rep_ci_low"),
         c.col("rep_ci_high"), c.col("rep_test", "text"), c.col("rep_statistic"), c.col("rep_df", "df"),
         c.col("rep_p", "p"), c.col("rep_apa", "text", detail=True)], rows)
    return section


# ---------------------------------------------------------------- IPA, drivers, Kano

def _ipa(c: _Ctx) -> Section:
    section = Section("ipa", c.t("rep_ipa"))
    rows, counts, methods = [], {}, set()
    for group, e in c.results["ipa"].items():
        methods.add(c.t("rep_ipa_" + e.get("method", "stated")))
        counts[group] = max((p.get("n") or 0 for p in e.get("points", [])), default=None)
        for p in e.get("points", []):
            rows.append([c.name(group), c.name(p["name"]), p.get("n"), p.get("importance"),
                         p.get("performance"), c.t(p["quadrant"]) if p.get("quadrant") else None,
                         p.get("priority")])
        urgent = [c.name(p["name"]) for p in e.get("points", []) if p.get("quadrant") == "concentrate_here"]
        if sum(1 for p in e.get("points", []) if p.get("quadrant")) < 2:
            continue  # too few respondents or one dimension (analysis.minimum): nothing compared
        section.findings.append(c.t("find_ipa" if urgent else "find_ipa_none", group=c.name(group),
                                    names=", ".join(urgent)))
    section.add(
        "ipa", c.t("rep_ipa"), c.t("method_ipa", method="; ".join(sorted(methods))), c.n_text(counts),
        [_group_col(c), c.col("rep_name", "text"), c.col("n", "int"), c.col("importance"),
         c.col("performance"), c.col("rep_quadrant", "text"), c.col("rep_priority")], rows)
    return section


def _drivers(c: _Ctx) -> Section:
    section = Section("drivers", c.t("rep_drivers"))
    models, predictors, counts, fits = [], [], {}, []
    for group, outcomes in c.results["drivers"].items():
        for outcome, m in outcomes.items():
            if not m:
                continue
            counts[group] = m.get("n")
            text = apa.regression(m.get("r2"), m.get("f"), m.get("df_model"), m.get("df_resid"), m.get("p"))
            models.append([c.name(group), c.t(outcome), m.get("n"), m.get("r2"), m.get("adj_r2"),
                           m.get("f"), m.get("df_model"), m.get("df_resid"), m.get("p"), text])
            if text:
                fits.append(c.t("rep_model_fit", group=c.name(group), outcome=c.t(outcome), fit=text,
                                adj=apa.bounded(m.get("adj_r2")) or "–"))
            preds = m.get("predictors") or []
            for p in preds:
                predictors.append([c.name(group), c.t(outcome), c.name(p["name"]), p.get("b"), p.get("se"),
                                   p.get("beta"), p.get("t"), p.get("p"), p.get("vif"),
                                   p.get("rescaled_weight"), p.get("lmg_share")])
            ranked = [p for p in preds if p.get("rescaled_weight") is not None]
            if ranked:
                top = max(ranked, key=lambda p: p["rescaled_weight"])
                section.findings.append(c.t("find_driver", group=c.name(group), outcome=c.t(outcome),
                                            name=c.name(top["name"]),
                                            share=apa.num(100 * top["rescaled_weight"], 0), test=text))
    n = c.n_text(counts)
    section.add(
        "drivers_models", c.t("rep_driver_models"), c.t("method_drivers"), n,
        [_group_col(c), c.col("rep_outcome", "text"), c.col("n", "int"), c.col("rep_r2", "bounded3"),
         c.col("rep_adj_r2", "bounded3"), c.col("rep_f"), c.col("rep_df1", "int"), c.col("rep_df2", "int"),
         c.col("rep_p", "p"), c.col("rep_apa", "text", detail=True)], models)
    section.add(
        "drivers", c.t("rep_driver_weights"), c.t("method_driver_weights"), n,
        [_group_col(c), c.col("rep_outcome", "text"), c.col("dimension", "text"), c.col("rep_b", "num3"),
         c.col("rep_se", "num3"), c.col("rep_beta", "num3"), c.col("rep_t"), c.col("rep_p", "p"),
         c.col("rep_vif"), c.col("rep_relative_weight", "pct"), c.col("rep_lmg", "pct", detail=True)],
        predictors, notes=fits)
    return section


def _kano(c: _Ctx) -> Section:
    section = Section("kano", c.t("rep_kano"))
    rows, counts = [], {}
    cats = ["A", "O", "M", "I", "R", "Q"]
    for group, features in c.results["kano"].items():
        counts[group] = max((f.get("n") or 0 for f in features.values()), default=None)
        for feature, f in features.items():
            shares = f.get("shares") or {}
            rows.append([c.name(group), c.name(feature), f.get("n"), f.get(f"label_{c.lang}"),
                         *[shares.get(k) for k in cats], f.get("better"), f.get("worse")])
    section.add(
        "kano", c.t("rep_kano"), c.t("method_kano"), c.n_text(counts),
        [_group_col(c), c.col("rep_name", "text"), c.col("n", "int"), c.col("rep_class", "text"),
         *[Column(c.t("rep_kano_" + k), "pct") for k in cats], c.col("rep_better", "num3"),
         c.col("rep_worse", "num3")], rows)
    return section


# ---------------------------------------------------------------- comparisons and segments

def _comparisons(c: _Ctx) -> Section:
    section = Section("comparisons", c.t("rep_comparisons"))
    omnibus, levels, posthoc, counts = [], [], [], {}
    for group, by_columns in c.results["comparisons"].items():
        for by, outcomes in by_columns.items():
            for outcome, e in outcomes.items():
                counts[group] = max(counts.get(group) or 0, e.get("n") or 0)
                an, we, kw = e.get("anova") or {}, e.get("welch") or {}, e.get("kruskal") or {}
                w_text = apa.welch_anova(we.get("f"), we.get("df1"), we.get("df2"), we.get("p"))
                omnibus.append([c.name(group), c.name(by), _outcome(c, outcome), e.get("n"), e.get("k"),
                                an.get("f"), an.get("df1"), an.get("df2"), an.get("p"), an.get("eta2"),
                                we.get("f"), we.get("df2"), we.get("p"), kw.get("h"), kw.get("df"),
                                kw.get("p"), kw.get("epsilon2"), w_text,
                                apa.kruskal(kw.get("h"), kw.get("df"), kw.get("p"), kw.get("epsilon2"))])
                letters = (e.get("letters") or {}).get("games_howell") or {}
                for lv in e.get("levels") or []:
                    levels.append([c.name(group), c.name(by), _outcome(c, outcome), lv.get("level"), lv.get("n"),
                                   lv.get("mean"), lv.get("sd"), lv.get("median"), lv.get("small"),
                                   letters.get(lv.get("level"))])
                for method, key in (("tukey", "q"), ("games_howell", "t"), ("dunn", "z")):
                    for r in e.get(method) or []:
                        posthoc.append([c.name(group), c.name(by), _outcome(c, outcome), c.t("rep_" + method),
                                        r.get("a"), r.get("b"), r.get("diff"), r.get(key), r.get("p_adj"),
                                        _lo(r.get("ci")), _hi(r.get("ci"))])
                means = [lv for lv in e.get("levels") or [] if lv.get("mean") is not None]
                if we.get("p") is not None and we["p"] < 0.05 and means:
                    high = max(means, key=lambda lv: lv["mean"])
                    low = min(means, key=lambda lv: lv["mean"])
                    section.findings.append(c.t(
                        "find_comparison", group=c.name(group), by=c.name(by), outcome=_outcome(c, outcome),
                        high=high["level"], high_mean=apa.num(high["mean"]), low=low["level"],
                        low_mean=apa.num(low["mean"]), test=w_text))
    if not section.findings:
        tested = [(row[12], row[1], row[2]) for row in omnibus if row[12] is not None]
        if tested:
            p, by, outcome = min(tested)
            section.findings.append(c.t("find_comparison_none", tests=len(tested),
                                        p=apa.p_value(p), by=by, outcome=outcome))
    n = c.n_text(counts)
    section.add(
        "comparisons", c.t("rep_omnibus"), c.t("method_omnibus"), n,
        [_group_col(c), c.col("rep_by", "text"), c.col("rep_outcome", "text"), c.col("n", "int"),
         c.col("rep_k", "int", detail=True), c.col("rep_anova_f"), c.col("rep_df1", "int"),
         c.col("rep_df2", "int"), c.col("rep_p", "p"), c.col("rep_eta2", "bounded3"), c.col("rep_welch_f"),
         c.col("rep_welch_df2", "df"), c.col("rep_welch_p", "p"), c.col("rep_h", detail=True),
         c.col("rep_df", "int", detail=True), c.col("rep_kw_p", "p"),
         c.col("rep_epsilon2", "bounded3"), c.col("rep_apa_welch", "text", detail=True),
         c.col("rep_apa_kw", "text", detail=True)],
        omnibus)
    section.add(
        "levels", c.t("rep_levels"), c.t("method_levels"), n,
        [_group_col(c), c.col("rep_by", "text"), c.col("rep_outcome", "text"),
         c.col("rep_level_value", "text"),
         c.col("n", "int"), c.col("mean"), c.col("sd"), c.col("rep_median", detail=True),
         c.col("rep_small", "flag", detail=True), c.col("rep_letters", "text")],
        levels, notes=[c.t("rep_letters_note")])
    section.add(
        "posthoc", c.t("rep_posthoc"), c.t("method_posthoc"), n,
        [_group_col(c), c.col("rep_by", "text"), c.col("rep_outcome", "text"), c.col("rep_test", "text"),
         c.col("rep_level_a", "text"), c.col("rep_level_b", "text"), c.col("rep_diff"),
         c.col("rep_statistic"), c.col("p_adj", "p"), c.col("rep_ci_low"), c.col("rep_ci_high")],
        posthoc, detail=True)
    return section


def _outcome(c: _Ctx, code: str) -> str:
    """A compared score's name: a dimension's display name, or the label of an outcome score."""
    dims = c.results["study"].get("dimensions") or {}
    return c.name(code) if code in dims or c.t(code) == code else c.t(code)


def _segment_rows(c: _Ctx, group: str, kind: str, cells: dict, label: Callable[[str, dict], str]) -> list:
    rows = []
    for key, seg in cells.items():
        scores = seg.get("scores") or {}
        sat = scores.get("satisfaction") or {}
        loy = scores.get("loyalty") or {}
        rows.append([c.name(group), c.t("rep_seg_" + kind), label(key, seg), seg.get("n"),
                     seg.get("revenue_share"), sat.get("mean"), loy.get("mean"),
                     (seg.get("nps") or {}).get("score"), seg.get("small")])
    return rows


def _segments(c: _Ctx) -> Section:
    section = Section("segments", c.t("rep_segments"))
    rows, counts = [], {}
    for group, e in c.results["segments"].items():
        lang_label = (lambda key, seg: seg.get(f"label_{c.lang}") or key)
        if "abc" in e:
            abc = e["abc"]
            counts[group] = abc.get("n")
            rows += _segment_rows(c, group, "abc", abc.get("classes") or {}, lambda key, seg: key)
            a = (abc.get("classes") or {}).get("A") or {}
            if a.get("revenue_share") is not None:
                section.findings.append(c.t("find_abc", group=c.name(group),
                                            customers=apa.num(100 * a["customer_share"], 0),
                                            revenue=apa.num(100 * a["revenue_share"], 0)))
        if "value_matrix" in e:
            rows += _segment_rows(c, group, "value_matrix", e["value_matrix"].get("cells") or {}, lang_label)
        if "lifecycle" in e:
            rows += _segment_rows(c, group, "lifecycle", e["lifecycle"].get("stages") or {}, lang_label)
    section.add(
        "segments", c.t("rep_segments"), c.t("method_segments"), c.n_text(counts),
        [_group_col(c), c.col("rep_segmentation", "text"), c.col("rep_segment", "text"), c.col("n", "int"),
         c.col("rep_revenue_share", "pct"), c.col("satisfaction"), c.col("loyalty"), c.col("nps"),
         c.col("rep_small", "flag")], rows)
    return section


# ---------------------------------------------------------------- structural model (PLS)

def _pls(c: _Ctx) -> Section:
    section = Section("pls", c.t("rep_pls"))
    paths, r2, reliability, outer, htmt, total, indices, fit = ([] for _ in range(8))
    counts: dict[str, int | None] = {}

    def construct(code: str) -> str:
        return construct_name(c.results, code, c.lang)

    def path(key: str) -> str:
        source, target = key.split("->")
        return f"{construct(source)} → {construct(target)}"

    for group, e in c.results["pls"].items():
        counts[group] = e.get("n")
        g, model = c.name(group), e["model"]
        if e.get("error"):
            error = e["error"]
            refusal = msg(error["code"], **(error.get("values") or {})).render(c.lang)
            section.findings.append(f"{g}: {refusal}")
            fit.append([g, e.get("n"), None, None, model["scheme"], None, None, None,
                        construct(model["target"]), refusal])
            continue
        q = e["quality"]
        for key, p in e["paths"].items():
            paths.append([g, path(key), p["coef"], p["se"], p["t"], p["p"], _lo(p["ci"]),
                          _hi(p["ci"]), q["f2"].get(key), q["vif"].get(key)])
        r2 += [[g, construct(k), v, e["r2_adj"].get(k)] for k, v in e["r2"].items()]
        for k, s in q["constructs"].items():
            reliability.append([g, construct(k), s["mode"], s["items"], s["alpha"], s["rho_c"],
                                s["rho_a"], s["ave"], *s["eigenvalues"]])
        for item, o in e["outer"].items():
            outer.append([g, construct(o["construct"]), c.name(item), o["weight"], o["se"],
                          _lo(o["ci"]), _hi(o["ci"]), o["loading"], _lo(o["loading_ci"]),
                          _hi(o["loading_ci"])])
        htmt += [[g, construct(a), construct(b), v] for a, row in q["htmt"].items()
                 for b, v in row.items()]
        total += [[g, path(key), v] for key, v in e["total_effects"].items()]
        ipma = (e.get("ipma") or {}).get("constructs") or {}
        for k, v in e["indices"].items():
            interval = e["indices_ci"].get(k)
            indices.append([g, construct(k), v, _lo(interval), _hi(interval),
                            (ipma.get(k) or {}).get("importance")])
        boot = e["bootstrap"]
        fit.append([g, e["n"], e["n_dropped"], e["iterations"], model["scheme"], q["srmr"],
                    q["gof"], f"{boot['used']}/{boot['resamples']}", construct(model["target"]),
                    None])
        target = model.get("satisfaction") or model["target"]
        into = {k: p for k, p in e["paths"].items() if k.endswith(f"->{target}")}
        if into:
            key, top = max(into.items(), key=lambda kv: abs(kv[1]["coef"]))
            section.findings.append(c.t(
                "find_pls_path", group=g, target=construct(target),
                source=construct(key.split("->")[0]), coef=apa.num(top["coef"]),
                test=apa.p_value(top["p"]) if top["p"] is not None else "–",
                r2=apa.num(e["r2"][target])))
        rated = {k: v for k, v in ipma.items()
                 if v.get("importance") is not None and v.get("performance") is not None}
        weak = {}
        if rated:  # the lower right quadrant of the map: important, performing poorly
            important = sum(v["importance"] for v in rated.values()) / len(rated)
            performing = sum(v["performance"] for v in rated.values()) / len(rated)
            weak = {k: v for k, v in rated.items()
                    if v["importance"] >= important and v["performance"] < performing}
        if weak:
            k, v = max(weak.items(), key=lambda kv: kv[1]["importance"])
            section.findings.append(c.t(
                "find_pls_ipma", group=g, name=construct(k),
                target=construct(model["target"]), importance=apa.num(v["importance"]),
                performance=apa.num(v["performance"], 1)))
    n = c.n_text(counts)
    section.add(
        "pls_paths", c.t("rep_pls_paths"), c.t("method_pls_paths"), n,
        [_group_col(c), c.col("pls_path", "text"), c.col("pls_coef", "num3"),
         c.col("rep_se", "num3"), c.col("rep_t"), c.col("rep_p", "p"), c.col("rep_ci_low", "num3"),
         c.col("rep_ci_high", "num3"), c.col("pls_f2", "num3"), c.col("pls_vif")], paths)
    section.add("pls_r2", c.t("rep_pls_r2"), c.t("method_pls_paths"), n,
                [_group_col(c), c.col("pls_construct", "text"), c.col("pls_r2", "num3"),
                 c.col("pls_r2_adj", "num3")], r2)
    section.add(
        "pls_reliability", c.t("rep_pls_reliability"), c.t("method_pls_reliability"), n,
        [_group_col(c), c.col("pls_construct", "text"), c.col("pls_mode", "text"),
         c.col("pls_items", "int"), c.col("pls_alpha", "num3"), c.col("pls_rho_c", "num3"),
         c.col("pls_rho_a", "num3"), c.col("pls_ave", "num3"), c.col("pls_eig1"),
         c.col("pls_eig2")], reliability)
    section.add(
        "pls_outer", c.t("rep_pls_outer"), c.t("method_pls_outer"), n,
        [_group_col(c), c.col("pls_construct", "text"), c.col("item", "text"),
         c.col("pls_weight", "num3"), c.col("rep_se", "num3"), c.col("rep_pls_weight_low", "num3"),
         c.col("rep_pls_weight_high", "num3"), c.col("pls_loading", "num3"),
         c.col("rep_pls_loading_low", "num3"), c.col("rep_pls_loading_high", "num3")], outer)
    section.add("pls_htmt", c.t("rep_pls_htmt"), c.t("method_pls_htmt"), n,
                [_group_col(c), c.col("pls_construct", "text"), c.col("pls_construct", "text"),
                 c.col("pls_htmt", "num3")], htmt)
    section.add("pls_total", c.t("rep_pls_total"), c.t("method_pls_total"), n,
                [_group_col(c), c.col("pls_path", "text"), c.col("pls_total", "num3")], total)
    section.add(
        "pls_indices", c.t("rep_pls_indices"), c.t("method_pls_indices"), n,
        [_group_col(c), c.col("pls_construct", "text"), c.col("pls_index"),
         c.col("rep_ci_low"), c.col("rep_ci_high"), c.col("importance", "num3")], indices)
    section.add(
        "pls_fit", c.t("rep_pls_fit"), c.t("method_pls_fit"), n,
        [_group_col(c), c.col("n", "int"), c.col("rep_pls_dropped", "int"),
         c.col("rep_pls_iterations", "int"), c.col("pls_scheme", "text"),
         c.col("rep_pls_srmr", "num3"), c.col("rep_pls_gof", "num3"),
         c.col("rep_pls_resamples", "text"), c.col("rep_pls_target", "text"),
         c.col("rep_pls_note", "text")], fit)
    return section


# ---------------------------------------------------------------- comments

def _text(c: _Ctx) -> Section:
    """Themes (with the comments in no theme as the last row), keywords each way and suggested
    themes per group and comments column; comments stay plain text (the writers escape them)."""
    from ..text import top_detractor_themes

    section = Section("text", c.t("text_rep_section"))
    themes, keywords, suggested, counts = [], [], [], {}
    for group, columns in c.results["text"].items():
        for column, e in columns.items():
            counts[group] = e.get("n_answered")
            where = [c.name(group), c.name(column)]
            for theme in e.get("themes") or []:
                sat = theme.get("satisfaction") or {}
                themes.append([*where, theme["name"], ", ".join(theme["terms"]), theme["n"],
                               theme["share"], sat.get("mean"), _lo(sat.get("ci")),
                               _hi(sat.get("ci")), theme.get("nps"), theme.get("detractor_share"),
                               " / ".join(theme["examples"])])
            other = e.get("other") or {}
            if e.get("themes"):
                themes.append([*where, c.t("text_rep_other"), "", other.get("n"), other.get("share"),
                               None, None, None, None, None, ""])
            for side in ("detractors", "promoters"):
                for k in (e.get("keywords") or {}).get(side) or []:
                    keywords.append([*where, c.t(side), k["term"], k["n"], k["log_odds"], k["z"]])
            for s in e.get("suggested") or []:
                suggested.append([*where, ", ".join(s["terms"]), s["n"], " / ".join(s["examples"])])
            for theme in top_detractor_themes(e, 1):
                if theme.get("detractor_share") is not None:
                    section.findings.append(c.t(
                        "text_find_theme", group=c.name(group), column=c.name(column),
                        theme=theme["name"], n=theme["n"],
                        share=f"{apa.num(100 * theme['detractor_share'], 0)}%"))
    n = c.n_text(counts)
    where = [_group_col(c), c.col("text_rep_column", "text")]
    section.add("text_themes", c.t("text_rep_themes"), c.t("text_method_themes"), n,
                [*where, c.col("comments_theme", "text"), c.col("comments_terms", "text"),
                 c.col("n", "int"), c.col("share", "pct"), c.col("comments_satisfaction"),
                 c.col("rep_ci_low"), c.col("rep_ci_high"), c.col("nps", "num"),
                 c.col("comments_detractor_share", "pct"),
                 c.col("comments_examples", "text", detail=True)], themes)
    section.add("text_keywords", c.t("text_rep_keywords"), c.t("text_method_keywords"), n,
                [*where, c.col("text_rep_side", "text"), c.col("text_rep_term", "text"),
                 c.col("n", "int"), c.col("text_log_odds", "num3"), c.col("text_rep_z")],
                keywords)
    section.add("text_suggested", c.t("text_rep_suggested"), c.t("text_method_suggested"), n,
                [*where, c.col("comments_terms", "text"), c.col("n", "int"),
                 c.col("comments_examples", "text")], suggested, detail=True)
    return section


def _status_rows(c: _Ctx, group: str, entry: dict) -> list:
    return [[c.name(group), c.t(f"status_{key}"), c.t(f"status_{key}_meaning"), cell.get("n"),
             cell.get("share"), cell.get("revenue_share")]
            for key, cell in (entry.get("status") or {}).items()]


def _customers(c: _Ctx) -> Section:
    """Status counts of the customer list (never the list itself: no ids, no contacts)."""
    section = Section("customers", c.t("rep_customers"))
    rows, counts, method = [], {}, ""
    for group, entry in c.results["customers"].items():
        rows += _status_rows(c, group, entry)
        counts[group] = entry.get("n")
        rules = entry.get("rules") or {}
        method = c.t("method_customer_list", value=c.t("cust_value_" + (rules.get("value") or "none")),
                     low=f"{rules.get('dissatisfied_below'):g}", high=f"{rules.get('satisfied_from'):g}")
        red = (entry.get("status") or {}).get("red") or {}
        if red.get("n") is not None:
            section.findings.append(c.t("find_red_customers" if rules.get("value") else "find_red_no_value",
                                        group=c.name(group), n=red["n"],
                                        revenue=apa.num(100 * (red.get("revenue_share") or 0), 0)))
    section.add("customer_status", c.t("rep_customer_status"), method, c.n_text(counts),
                [_group_col(c), c.col("cust_col_status", "text"), c.col("rep_status_meaning", "text"),
                 c.col("n", "int"), c.col("rep_share", "pct"), c.col("rep_revenue_share", "pct")], rows)
    return section


def _ladder_level_rows(c: _Ctx, group: str, rungs: list, where: str, cell: dict) -> list:
    return [[c.name(group), where, ladder_level_name(c.results, rungs, int(level), c.lang),
             value.get("n"), value.get("share")] for level, value in (cell.get("levels") or {}).items()]


def _ladder(c: _Ctx) -> Section:
    section = Section("ladder", c.t("rep_ladder"))
    levels, reached, counts, threshold = [], [], {}, None
    for group, entry in c.results["ladder"].items():
        rungs = entry.get("rungs") or []
        counts[group] = entry.get("n")
        threshold = entry.get("reached_from")
        levels += _ladder_level_rows(c, group, rungs, c.t("ladder_all"), entry)
        for stage, cell in (entry.get("by_stage") or {}).items():
            levels += _ladder_level_rows(c, group, rungs, c.t(f"stage_{stage}"), cell)
        for rung, cell in (entry.get("rungs_reached") or {}).items():
            reached.append([c.name(group), rung_name(c.results, rung, c.lang),
                            ", ".join((entry.get("items") or {}).get(rung) or []), cell.get("n"),
                            cell.get("share")])
        order = entry.get("out_of_order") or {}
        top = (entry.get("levels") or {}).get(str(len(rungs))) or {}
        if entry.get("n"):
            section.findings.append(c.t(
                "find_ladder", group=c.name(group), top=apa.num(100 * (top.get("share") or 0), 0),
                rung=rung_name(c.results, rungs[-1], c.lang),
                out=apa.num(100 * (order.get("share") or 0), 0)))
    method = c.t("method_ladder", threshold="–" if threshold is None else f"{threshold:g}")
    n = c.n_text(counts)
    section.add("ladder_levels", c.t("rep_ladder_levels"), method, n,
                [_group_col(c), c.col("cust_col_stage", "text"), c.col("rep_level", "text"),
                 c.col("n", "int"), c.col("rep_share", "pct")], levels)
    section.add("ladder_rungs", c.t("rep_ladder_rungs"), method, n,
                [_group_col(c), c.col("rep_rung", "text"), c.col("rep_items", "text"),
                 c.col("n", "int"), c.col("rep_share", "pct")], reached)
    return section


def _weighting(c: _Ctx) -> Section:
    """Population weights: each margin's target, sample and weighted shares, and which estimates
    are weighted (analysis/weighting.py, analysis/weighted.py)."""
    section = Section("weighting", c.t("weighting_title"))
    for group, w in c.results["weighting"].items():
        rows = [[c.name(group), c.name(column), level, m.get("target"), m.get("sample"),
                 m.get("weighted")]
                for column, levels in (w.get("margins") or {}).items()
                for level, m in levels.items()]
        values = dict(group=c.name(group), min=apa.num(w.get("min")), max=apa.num(w.get("max")),
                      n_eff=apa.num(w.get("n_eff"), 1), deff=apa.num(w.get("deff")))
        method = (c.t("weighting_column_caption", column=w.get("column"), **values)
                  if w.get("column") else c.t("weighting_caption", columns=", ".join(
                      c.name(col) for col in w.get("margins") or {}), **values))
        section.add("weighting", c.t("weighting_title"), method,
                    c.n_text({group: w.get("n")}),
                    [_group_col(c), c.col("column", "text"), c.col("level", "text"),
                     c.col("weighting_target", "pct"), c.col("weighting_sample", "pct"),
                     c.col("weighting_weighted", "pct")], rows)
        section.findings.append(c.t("weighting_report_note", group=c.name(group),
                                    n_eff=apa.num(w.get("n_eff"), 1)))
    return section


#: results key -> section builder, in report order
BUILDERS: dict[str, Callable[[_Ctx], Section]] = {
    "study": _study, "weighting": _weighting, "descriptives": _descriptives, "reliability": _reliability,
    "validity": _validity, "indices": _indices,
    "gaps": _gaps, "servqual": _servqual, "trends": _trends, "ipa": _ipa, "drivers": _drivers,
    "kano": _kano, "comparisons": _comparisons, "segments": _segments, "pls": _pls,
    "text": _text, "customers": _customers, "ladder": _ladder,
}


def build_sections(results: dict, lang: str = "zh") -> list[Section]:
    """The report's sections for every analysis present in ``results`` (empty ones left out)."""
    c = _Ctx(results, lang)
    sections = [build(c) for key, build in BUILDERS.items() if results.get(key)]
    for section in sections:
        section.tables = [table for table in section.tables if table.rows]
    return [s for s in sections if s.tables]
