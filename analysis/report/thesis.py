"""The paragraphs of interpretation after each table of the Word report, written as a thesis
writes them ("由表 3 可知，各维度的 Cronbach's α 系数介于 0.79 与 0.85 之间，均大于 0.70，说明问卷具有
良好的内部一致性。").

:class:`Thesis` has one writer per table key of :mod:`.tables` in :data:`WRITERS`; a table without
one gets :meth:`Thesis.generic` (and the Word report adds its section's findings). The facts are
those of the findings, read from results.json; the numbers follow the study's number style
(:mod:`.numstyle`), the cut-offs are the usual ones of the literature (Nunnally 1978 for α,
Kaiser 1974 for KMO, Hu & Bentler 1999 for fit, Fornell & Larcker 1981 for CR/AVE, Henseler et al.
2015 for HTMT, Kline 2016 for skewness and kurtosis). Templates live in
``analysis/locale/thesis.yaml``; a placeholder holding a name from the data (group, dimension,
item, level) is never searched for statistic symbols.
"""
from __future__ import annotations

import re
from typing import Callable

from ..charts import display_name, keyword_groups_by_nps, rung_name
from ..i18n import t, table as label_table
from ..pls_charts import construct_name
from . import apa
from .docx import Rich
from .numstyle import NumberStyle
from .tables import Table, gap_test

__all__ = ["Thesis", "WRITERS", "NAME_KEYS"]

#: placeholders that hold names from the data (written as they are)
NAME_KEYS = {"group", "who", "name", "names", "dims", "items", "a", "b", "top", "outcome", "by",
             "high_name", "low_name", "over", "under", "title", "keep", "level_high", "level_low",
             "low_items", "up_items", "first", "second", "pairs_text", "list", "up", "down", "mixed",
             "neg", "ns_names", "study_title", "groups", "index", "column", "worst", "status",
             "meaning", "rung", "target", "low_side", "high_side", "down"}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class Thesis:
    """Paragraphs for the tables of one report: ``results``, the language, the number style."""

    def __init__(self, results: dict, lang: str, style: NumberStyle):
        self.results, self.lang, self.style = results, lang, style

    # ------------------------------------------------------------ helpers

    def name(self, code: str | None) -> str:
        return "" if code is None else display_name(self.results, str(code), self.lang)

    def term(self, key: str) -> str:
        return t(key, self.lang)

    def rich(self, key: str, **values) -> Rich:
        """The template ``key`` with ``values``: literal text and numbers in the number style,
        names (:data:`NAME_KEYS`) as they are."""
        template = label_table()[key][self.lang]
        pieces, last = [], 0
        for match in _PLACEHOLDER.finditer(template):
            if match.start() > last:
                pieces.append((self.style.text(template[last:match.start()]), False, False))
            field = match.group(1)
            value = values[field]
            if isinstance(value, Rich):
                pieces += value.pieces
            else:
                pieces.append((str(value), False, field in NAME_KEYS))
            last = match.end()
        if last < len(template):
            pieces.append((self.style.text(template[last:]), False, False))
        return Rich([p for p in pieces if p[0]])

    def join(self, parts: list[Rich]) -> Rich:
        """Sentences one after the other (a space between English ones)."""
        return self._joined(parts, "" if self.lang == "zh" else " ")

    def join_items(self, parts: list[Rich]) -> Rich:
        """Clauses of one sentence ("；" / "; ")."""
        return self._joined(parts, t("th_item_sep", self.lang))

    @staticmethod
    def _joined(parts: list[Rich], sep: str) -> Rich:
        pieces = []
        for k, part in enumerate(parts):
            if k and sep:
                pieces.append((sep, False, True))
            pieces += part.pieces
        return Rich(pieces)

    def listing(self, names: list[str]) -> str:
        """"“A”、“B”和“C”" / "'A', 'B' and 'C'"."""
        quoted = [t("th_quote", self.lang, name=n) for n in names]
        if len(quoted) <= 1:
            return "".join(quoted)
        return t("th_list_sep", self.lang).join(quoted[:-1]) + t("th_list_and", self.lang) + quoted[-1]

    def num(self, value, digits: int = 2) -> str:
        return self.style.num(value, digits) or "–"

    def bounded(self, value, digits: int = 2) -> str:
        return self.style.bounded(value, digits) or "–"

    def p(self, value) -> str:
        return self.style.p(value) or "–"

    def test(self, apa_text: str | None) -> str:
        return self.style.text(apa_text) or "–"

    def who(self, group: str, groups) -> str:
        """"客户样本中，" when the table has several groups, else nothing."""
        return t("th_who", self.lang, group=self.name(group)) if len(groups) > 1 else ""

    # ------------------------------------------------------------ the writers' entry points

    def introduction(self) -> list[Rich]:
        study = self.results.get("study") or {}
        scale = study.get("scale") or {}
        groups = [self.name(g) for g in study.get("groups") or {}]
        lo, hi = scale.get("min"), scale.get("max")
        points = "–" if lo is None or hi is None else f"{int(hi - lo + 1)}"
        return [self.rich("th_intro", study_title=study.get("title") or "", wave=study.get("wave"),
                          groups=t("th_list_sep", self.lang).join(groups), points=points,
                          style_name=t(f"th_style_{self.style.name}", self.lang))]

    def paragraphs(self, table: Table, label: str) -> list[Rich] | None:
        """The paragraphs after ``table`` (numbered ``label``, "表 3"), or None when there is no
        writer for its key (or nothing to say)."""
        writer = WRITERS.get(table.key)
        if writer is None:
            return None
        try:
            paragraphs = writer(self, label)
        except (KeyError, TypeError, ValueError):  # results of an older layout: say less
            return None
        return paragraphs or None

    def generic(self, table: Table, label: str) -> Rich:
        return self.rich("th_generic", label=label, title=table.title)


# ---------------------------------------------------------------- study and data quality

def _study(th: Thesis, label: str) -> list[Rich]:
    groups = (th.results.get("study") or {}).get("groups") or {}
    sentences = [th.rich("th_sample", label=label)]
    for group, counts in groups.items():
        excluded = {k: v for k, v in (counts.get("excluded") or {}).items() if v}
        n_raw, n = counts.get("n_raw") or 0, counts.get("n") or 0
        if not excluded:
            sentences.append(th.rich("th_sample_all", group=th.name(group), n_raw=n_raw))
            continue
        reasons = t("th_list_sep", th.lang).join(
            t("th_reason", th.lang, rule=th.term("rep_rule_" + k), count=v) for k, v in excluded.items())
        sentences.append(th.rich("th_sample_group", group=th.name(group), n_raw=n_raw,
                                 excluded=sum(excluded.values()), reasons=reasons, n=n,
                                 rate=th.num(100 * n / n_raw, 1) if n_raw else "–"))
    return [th.join(sentences)]


def _quality(th: Thesis, label: str) -> list[Rich]:
    quality = {g: q for g, q in (th.results.get("quality") or {}).items() if g != "waves"}
    sentences = [th.rich("th_quality", label=label)]
    any_missing = False
    for group, report in quality.items():
        items = ((report.get("missing") or {}).get("items") or {})
        missing = {i: e for i, e in items.items() if e.get("missing")}
        if not missing:
            sentences.append(th.rich("th_missing_none", group=th.name(group)))
            continue
        worst = max(missing, key=lambda i: missing[i].get("share") or 0)
        sentences.append(th.rich("th_missing", group=th.name(group), k=len(missing), total=len(items),
                                 name=th.name(worst), share=th.num(100 * (missing[worst]["share"] or 0), 1)))
        any_missing = True
    if any_missing:
        sentences.append(th.rich("th_missing_rule"))
    return [th.join(sentences)]


# ---------------------------------------------------------------- descriptives

def _range(values: list[float]) -> tuple[float, float]:
    return min(values), max(values)


def _desc_items(th: Thesis, label: str) -> list[Rich]:
    section = th.results["descriptives"]
    out = []
    for group, entry in section.items():
        stats = [s for s in (entry.get("items") or {}).values() if s.get("mean") is not None]
        if not stats:
            continue
        means = _range([s["mean"] for s in stats])
        sds = _range([s["sd"] for s in stats if s.get("sd") is not None])
        skew = max(((abs(s["skewness"]), code) for code, s in entry["items"].items()
                    if s.get("skewness") is not None), default=None)
        kurt = max(((abs(s["kurtosis"]), code) for code, s in entry["items"].items()
                    if s.get("kurtosis") is not None), default=None)
        values = dict(label=label, who=th.who(group, section), m_low=th.num(means[0]),
                      m_high=th.num(means[1]), sd_low=th.num(sds[0]), sd_high=th.num(sds[1]))
        if skew is None or kurt is None:
            out.append(th.rich("th_desc_items_short", **values))
            continue
        far = [th.name(code) for code, s in entry["items"].items()
               if abs(s.get("skewness") or 0) >= 3 or abs(s.get("kurtosis") or 0) >= 10]
        key = "th_desc_items_poor" if far else "th_desc_items"
        out.append(th.rich(key, **values, skew=th.num(skew[0]), kurt=th.num(kurt[0]),
                           items=th.listing(far)))
    return out


def _desc_scores(th: Thesis, label: str) -> list[Rich]:
    section = th.results["descriptives"]
    scale = th.results["study"].get("scale") or {}
    mid = (scale["min"] + scale["max"]) / 2 if scale.get("min") is not None else None
    out = []
    for group, entry in section.items():
        dims = {d: s for d, s in (entry.get("dimensions") or {}).items() if s.get("mean") is not None}
        if not dims:
            continue
        low = min(dims, key=lambda d: dims[d]["mean"])
        high = max(dims, key=lambda d: dims[d]["mean"])
        above = sum(1 for s in dims.values() if mid is not None and s["mean"] > mid)
        out.append(th.rich("th_desc_scores", label=label, who=th.who(group, section),
                           low=th.num(dims[low]["mean"]), low_name=th.name(low),
                           high=th.num(dims[high]["mean"]), high_name=th.name(high),
                           total=len(dims), above=above, mid=th.num(mid) if mid is not None else "–"))
    return out


def _score_label(th: Thesis, code: str, entry: dict) -> str:
    return th.term(code) if code in (entry.get("outcomes") or {}) else th.name(code)


def _correlations(th: Thesis, label: str) -> list[Rich]:
    section = th.results["descriptives"]
    out = []
    for group, entry in section.items():
        pairs = {k: v for k, v in (entry.get("correlations") or {}).items() if v.get("r") is not None}
        if not pairs:
            continue
        strongest = max(pairs, key=lambda k: abs(pairs[k]["r"]))
        a, _, b = strongest.partition("|")
        rs = [v["r"] for v in pairs.values()]
        significant = [v for v in pairs.values() if v.get("p") is not None and v["p"] < 0.05]
        values = dict(label=label, who=th.who(group, section), low=th.bounded(min(rs)),
                      high=th.bounded(max(rs)), a=_score_label(th, a, entry), b=_score_label(th, b, entry),
                      max=th.bounded(pairs[strongest]["r"]), p=th.p(pairs[strongest].get("p")),
                      pairs=len(pairs), sig=len(significant))
        all_positive = len(significant) == len(pairs) and min(rs) > 0
        out.append(th.rich("th_corr_all" if all_positive else "th_corr_some", **values))
    return out


# ---------------------------------------------------------------- reliability and validity

def _reliability(th: Thesis, label: str) -> list[Rich]:
    section = th.results["reliability"]
    out = []
    for group, entries in section.items():
        alphas = {d: e["alpha"] for d, e in entries.items() if e.get("alpha") is not None}
        if not alphas:
            continue
        omegas = [e["omega_total"] for e in entries.values() if e.get("omega_total") is not None]
        low = [th.name(d) for d, a in alphas.items() if a < 0.7]
        values = dict(label=label, who=th.who(group, section), low=th.bounded(min(alphas.values())),
                      high=th.bounded(max(alphas.values())), dims=th.listing(low))
        parts = [th.rich("th_alpha_low" if low else "th_alpha_ok", **values)]
        if omegas:
            parts.append(th.rich("th_omega", o_low=th.bounded(min(omegas)), o_high=th.bounded(max(omegas))))
        out.append(th.join(parts))
    return out


def _reliability_items(th: Thesis, label: str) -> list[Rich]:
    section = th.results["reliability"]
    out = []
    for group, entries in section.items():
        citc, low, up = [], [], []
        for dim, e in entries.items():
            for item, s in (e.get("items") or {}).items():
                if s.get("citc") is not None:
                    citc.append(s["citc"])
                    if s["citc"] < 0.4:
                        low.append(th.name(item))
                if (s.get("alpha_if_deleted") is not None and e.get("alpha") is not None
                        and s["alpha_if_deleted"] > e["alpha"] + 0.005):
                    up.append(th.name(item))
        if not citc:
            continue
        first = th.rich("th_citc_low" if low else "th_citc_ok", label=label, who=th.who(group, section),
                        low=th.bounded(min(citc)), high=th.bounded(max(citc)), low_items=th.listing(low))
        second = th.rich("th_aid_up" if up else "th_aid_ok", up_items=th.listing(up))
        out.append(th.join([first, second]))
    return out


def _kmo_grade(kmo: float) -> str:
    for bound, key in ((0.9, "th_kmo_90"), (0.8, "th_kmo_80"), (0.7, "th_kmo_70"), (0.6, "th_kmo_60")):
        if kmo >= bound:
            return key
    return "th_kmo_low"


def _kmo(th: Thesis, label: str) -> list[Rich]:
    section = th.results["validity"]
    out = []
    for group, e in section.items():
        bart = e.get("bartlett") or {}
        if e.get("kmo") is None or bart.get("chi2") is None:
            continue
        key = "th_kmo" if (bart.get("p") is not None and bart["p"] < 0.05 and e["kmo"] >= 0.6) \
            else "th_kmo_not"
        out.append(th.rich(key, label=label, who=th.who(group, section), kmo=th.bounded(e["kmo"], 3),
                           grade=th.rich(_kmo_grade(e["kmo"])), chi2=th.num(bart["chi2"]),
                           df=apa.df_value(bart.get("df")) or "–", p=th.p(bart.get("p"))))
    return out


def _efa(th: Thesis, label: str) -> list[Rich]:
    section = th.results["validity"]
    dims = th.results["study"].get("dimensions") or {}
    out = []
    for group, e in section.items():
        efa = e.get("efa") or {}
        loadings = efa.get("loadings") or {}
        if not loadings:
            continue
        primary, mains, cross = {}, [], []
        for item, row in loadings.items():
            values = [abs(v) if v is not None else 0 for v in row]
            k = max(range(len(values)), key=values.__getitem__)
            primary[item] = k
            mains.append(values[k])
            if sum(1 for v in values if v >= 0.4) > 1:
                cross.append(th.name(item))
        owners = {}
        clean = True
        for dim, items in dims.items():
            factors = {primary[i] for i in items if i in primary}
            if len(factors) != 1:
                clean = False
                continue
            factor = factors.pop()
            if factor in owners.values():
                clean = False
            owners[dim] = factor
        match = clean and len(owners) == len(dims) == efa.get("n_factors")
        first = th.rich("th_efa", label=label, who=th.who(group, section), k=efa.get("n_factors") or "–",
                        low=th.bounded(min(mains)), high=th.bounded(max(mains)))
        parts = [first, th.rich("th_efa_cross" if cross else "th_efa_no_cross", items=th.listing(cross)),
                 th.rich("th_efa_match" if match else "th_efa_mismatch", d=len(dims))]
        out.append(th.join(parts))
    return out


#: CFA fit cut-offs: (index, good, acceptable, higher is better) — Hu & Bentler (1999)
FIT_CUTOFFS = (("chi2_df", 3.0, 5.0, False), ("cfi", 0.95, 0.90, True), ("tli", 0.95, 0.90, True),
               ("rmsea", 0.06, 0.08, False), ("srmr", 0.08, 0.10, False))
FIT_NAMES = {"chi2_df": "χ²/df", "cfi": "CFI", "tli": "TLI", "rmsea": "RMSEA", "srmr": "SRMR"}


def _cfa(th: Thesis, label: str) -> list[Rich]:
    section = {g: e["cfa"] for g, e in th.results["validity"].items() if e.get("cfa")}
    out = []
    for group, cfa in section.items():
        if cfa.get("chi2") is None or not cfa.get("df"):
            continue
        fit = {**cfa, "chi2_df": cfa["chi2"] / cfa["df"]}
        bad, weak = [], []
        for key, good, ok, higher in FIT_CUTOFFS:
            value = fit.get(key)
            if value is None:
                continue
            if not (value >= good if higher else value <= good):
                (weak if (value >= ok if higher else value <= ok) else bad).append(FIT_NAMES[key])
        key = "th_cfa_poor" if bad else ("th_cfa_ok" if weak else "th_cfa_good")
        out.append(th.rich(key, label=label, who=th.who(group, section), ratio=th.num(fit["chi2_df"]),
                           cfi=th.bounded(cfa.get("cfi"), 3), tli=th.bounded(cfa.get("tli"), 3),
                           rmsea=th.bounded(cfa.get("rmsea"), 3), srmr=th.bounded(cfa.get("srmr"), 3),
                           names=t("th_list_sep", th.lang).join(bad or weak)))
    return out


def _constructs(th: Thesis, label: str) -> list[Rich]:
    section = {g: e["cfa"] for g, e in th.results["validity"].items() if e.get("cfa")}
    out = []
    for group, cfa in section.items():
        constructs = {d: c for d, c in (cfa.get("constructs") or {}).items()
                      if c.get("cr") is not None and c.get("ave") is not None}
        if not constructs:
            continue
        crs = [c["cr"] for c in constructs.values()]
        aves = [c["ave"] for c in constructs.values()]
        low_cr = [th.name(d) for d, c in constructs.items() if c["cr"] < 0.7]
        low_ave = [th.name(d) for d, c in constructs.items() if c["ave"] < 0.5]
        parts = [th.rich("th_cr_low" if low_cr else "th_cr_ok", label=label, who=th.who(group, section),
                         low=th.bounded(min(crs), 3), high=th.bounded(max(crs), 3), dims=th.listing(low_cr)),
                 th.rich("th_ave_low" if low_ave else "th_ave_ok", low=th.bounded(min(aves), 3),
                         high=th.bounded(max(aves), 3), dims=th.listing(low_ave)),
                 th.rich("th_convergent_poor" if low_cr or low_ave else "th_convergent_ok")]
        out.append(th.join(parts))
    return out


def _discriminant(th: Thesis, label: str) -> list[Rich]:
    section = {g: e["cfa"] for g, e in th.results["validity"].items() if e.get("cfa")}
    out = []
    for group, cfa in section.items():
        matrix = cfa.get("fornell_larcker") or {}
        roots = {d: row.get(d) for d, row in matrix.items() if row.get(d) is not None}
        others = {d: max((abs(v) for b, v in row.items() if b != d and v is not None), default=None)
                  for d, row in matrix.items()}
        correlations = [v for v in others.values() if v is not None]
        if not roots or not correlations:
            continue
        failing = [th.name(d) for d in roots if others.get(d) is not None and roots[d] <= others[d]]
        ratios = [v for v in (cfa.get("htmt") or {}).values() if v is not None]
        high_htmt = bool(ratios) and max(ratios) >= 0.85
        values = dict(label=label, who=th.who(group, section), low=th.bounded(min(roots.values()), 3),
                      high=th.bounded(max(roots.values()), 3), r=th.bounded(max(correlations), 3),
                      htmt=th.bounded(max(ratios), 3) if ratios else "–", dims=th.listing(failing))
        if not failing and not high_htmt:
            out.append(th.rich("th_disc_ok", **values))
            continue
        issues = []
        if failing:
            issues.append(th.rich("th_disc_fl", **values))
        if high_htmt:
            issues.append(th.rich("th_disc_htmt", **values))
        out.append(th.join([th.rich("th_disc_poor", **values), *issues, th.rich("th_disc_poor_end")]))
    return out


# ---------------------------------------------------------------- indices

def _index(th: Thesis, label: str) -> list[Rich]:
    section = th.results["indices"]
    out = []
    for group, e in section.items():
        parts = []
        for key in ("csi", "satisfaction_index", "loyalty_index"):
            idx = e.get(key) or {}
            if idx.get("value") is None:
                continue
            ci = idx.get("ci") or [None, None]
            parts.append(th.rich("th_index_item", index=th.term("rep_index_" + key),
                                 value=th.num(idx["value"], 1), lo=th.num(ci[0], 1), hi=th.num(ci[1], 1)))
        if parts:
            out.append(th.rich("th_index", label=label, who=th.who(group, section),
                               list=th.join(parts)))
    return out


def _nps(th: Thesis, label: str) -> list[Rich]:
    section = {g: e["nps"] for g, e in th.results["indices"].items() if (e.get("nps") or {}).get("score")
               is not None}
    out = []
    for group, nps in section.items():
        shares = nps.get("shares") or {}
        ci = nps.get("ci") or [None, None]
        out.append(th.rich("th_nps_neg" if nps["score"] < 0 else "th_nps_pos", label=label,
                           who=th.who(group, section), score=th.num(nps["score"], 1),
                           lo=th.num(ci[0], 1), hi=th.num(ci[1], 1),
                           promoters=th.num(100 * (shares.get("promoters") or 0), 1),
                           passives=th.num(100 * (shares.get("passives") or 0), 1),
                           detractors=th.num(100 * (shares.get("detractors") or 0), 1)))
    return out


def _cb_ratio(th: Thesis, label: str) -> list[Rich]:
    section = {g: e["cb_ratio"] for g, e in th.results["indices"].items() if e.get("cb_ratio")}
    out = []
    for group, cb in section.items():
        ratios = {d: c["ratio_of_means"] for d, c in cb.items() if c.get("ratio_of_means") is not None}
        if not ratios:
            continue
        below = [d for d, r in ratios.items() if r < 1]
        lowest = min(ratios, key=ratios.get)
        out.append(th.rich("th_cb_below" if below else "th_cb_ok", label=label, who=th.who(group, section),
                           below=len(below), total=len(ratios), name=th.name(lowest),
                           c=th.num(ratios[lowest], 3)))
    return out


# ---------------------------------------------------------------- gaps, SERVQUAL, trends

def _gaps(th: Thesis, label: str) -> list[Rich]:
    out = []
    for pair, rows in th.results["gaps"].items():
        a, _, b = pair.partition("|")
        dims = [r for r in rows if r["level"] == "dimension" and r.get("p_adj") is not None]
        if not dims:
            continue
        over = [r for r in dims if r.get("flag")]
        under = [r for r in dims if not r.get("flag") and r["p_adj"] < 0.05]
        values = dict(label=label, a=th.name(a), b=th.name(b), k=len(dims))
        if not over and not under:
            out.append(th.rich("th_gaps_none", **values))
            continue
        parts = [th.rich("th_gaps_intro", **values)]
        if over:
            top = max(over, key=lambda r: abs(r.get("diff") or 0))
            parts.append(th.rich("th_gaps_over", **values, over=th.listing([th.name(r["name"]) for r in over]),
                                 n_over=len(over), top=th.name(top["name"]), ma=th.num(top.get("mean_a")),
                                 mb=th.num(top.get("mean_b")),
                                 test=th.test(gap_test(top))))
        if under:
            parts.append(th.rich("th_gaps_under", **values,
                                 under=th.listing([th.name(r["name"]) for r in under])))
        if len(over) + len(under) < len(dims):
            parts.append(th.rich("th_gaps_rest"))
        out.append(th.join(parts))
    return out


def _servqual(th: Thesis, label: str) -> list[Rich]:
    section = th.results["servqual"]
    out = []
    for group, rows in section.items():
        dims = [r for r in rows if r["level"] == "dimension" and r.get("p_adj") is not None
                and r.get("mean_gap") is not None]
        if not dims:
            continue
        below = [r for r in dims if r["p_adj"] < 0.05 and r["mean_gap"] < 0]
        above = [r for r in dims if r["p_adj"] < 0.05 and r["mean_gap"] > 0]
        values = dict(label=label, who=th.who(group, section), total=len(dims))
        if not below and not above:
            out.append(th.rich("th_servqual_none", **values))
            continue
        parts = []
        if below:
            worst = min(below, key=lambda r: r["mean_gap"])
            gaps = [r["mean_gap"] for r in below]
            parts.append(th.rich("th_servqual_below", **values, below=len(below),
                                 low=th.num(min(gaps)), high=th.num(max(gaps)), name=th.name(worst["name"]),
                                 test=th.test(apa.paired_t(worst.get("t"), worst.get("df"),
                                                           worst.get("p_adj"), worst.get("gap_ci")))))
        if above:
            parts.append(th.rich("th_servqual_above", label=label, who=th.who(group, section),
                                 names=th.listing([th.name(r["name"]) for r in above])))
        out.append(th.join(parts))
    return out


def _trend_name(th: Thesis, change: dict) -> str:
    return th.name(change["name"]) if change["index"] == "dimension" else th.term("rep_index_" + change["index"])


def _trends(th: Thesis, label: str) -> list[Rich]:
    section = th.results["trends"]
    out = []
    for group, entry in section.items():
        changes = [ch for ch in entry.get("changes") or [] if ch.get("p") is not None]
        if not changes:
            continue
        significant = [ch for ch in changes if ch["p"] < 0.05]
        values = dict(label=label, who=th.who(group, section), first=changes[0]["from"],
                      second=changes[-1]["to"])
        if not significant:
            smallest = min(changes, key=lambda ch: ch["p"])
            out.append(th.rich("th_trends_none", **values, p=th.p(smallest["p"])))
            continue
        items = []
        for ch in significant:
            text = (apa.welch_t(ch.get("statistic"), ch.get("df"), ch.get("p")) if ch["test"] == "welch_t"
                    else apa.z_test(ch.get("statistic"), ch.get("p")))
            items.append(th.rich("th_trend_item_up" if ch["diff"] > 0 else "th_trend_item_down",
                                 name=_trend_name(th, ch), start=ch["from"], end=ch["to"],
                                 value_from=th.num(ch.get("value_from")), value_to=th.num(ch.get("value_to")),
                                 test=th.test(text)))
        parts = [th.rich("th_trends", **values, list=th.join_items(items))]
        if len(significant) < len(changes):
            parts.append(th.rich("th_trends_rest"))
        out.append(th.join(parts))
    return out


# ---------------------------------------------------------------- IPA and drivers

def _ipa(th: Thesis, label: str) -> list[Rich]:
    section = th.results["ipa"]
    out = []
    for group, entry in section.items():
        points = entry.get("points") or []
        if not points:
            continue
        by_quadrant = {}
        for point in points:
            by_quadrant.setdefault(point.get("quadrant"), []).append(th.name(point["name"]))
        focus = by_quadrant.get("concentrate_here") or []
        keep = by_quadrant.get("keep_up") or []
        parts = [th.rich("th_ipa" if focus else "th_ipa_none", label=label, who=th.who(group, section),
                         names=th.listing(focus))]
        if keep:
            parts.append(th.rich("th_ipa_keep", keep=th.listing(keep)))
        out.append(th.join(parts))
    return out


def _models(th: Thesis) -> list[tuple[str, str, dict]]:
    return [(g, o, m) for g, outcomes in th.results["drivers"].items() for o, m in outcomes.items() if m]


def _drivers_models(th: Thesis, label: str) -> list[Rich]:
    models = _models(th)
    groups = {g for g, _, _ in models}
    out = []
    for group, outcome, m in models:
        if m.get("r2") is None or m.get("f") is None:
            continue
        out.append(th.rich("th_model", label=label, who=th.who(group, groups), outcome=th.term(outcome),
                           df1=apa.df_value(m.get("df_model")), df2=apa.df_value(m.get("df_resid")),
                           f=th.num(m["f"]), p=th.p(m.get("p")), r2=th.bounded(m["r2"]),
                           adj=th.bounded(m.get("adj_r2")), pct=th.num(100 * m["r2"], 1)))
    return out


def _drivers(th: Thesis, label: str) -> list[Rich]:
    models = _models(th)
    groups = {g for g, _, _ in models}
    out = []
    for group, outcome, m in models:
        preds = [p for p in m.get("predictors") or [] if p.get("p") is not None and p.get("beta") is not None]
        if not preds:
            continue
        positive = [p for p in preds if p["p"] < 0.05 and p["beta"] > 0]
        negative = [p for p in preds if p["p"] < 0.05 and p["beta"] < 0]
        rest = [p for p in preds if p["p"] >= 0.05]
        vifs = [p["vif"] for p in preds if p.get("vif") is not None]
        values = dict(label=label, who=th.who(group, groups), outcome=th.term(outcome))
        parts = []
        if positive:
            top = max(positive, key=lambda p: p["beta"])
            parts.append(th.rich("th_drivers_pos", **values,
                                 names=th.listing([th.name(p["name"]) for p in positive]),
                                 top=th.name(top["name"]), beta=th.bounded(top["beta"], 3), p=th.p(top["p"]),
                                 share=th.num(100 * (top.get("rescaled_weight") or 0), 1)))
        else:
            parts.append(th.rich("th_drivers_none", **values))
        if negative:
            parts.append(th.rich("th_drivers_neg", neg=th.listing([th.name(p["name"]) for p in negative])))
        if rest and positive:
            parts.append(th.rich("th_drivers_ns", ns_names=th.listing([th.name(p["name"]) for p in rest])))
        if vifs:
            parts.append(th.rich("th_vif_ok" if max(vifs) < 5 else "th_vif_high",
                                 low=th.num(min(vifs)), high=th.num(max(vifs))))
        out.append(th.join(parts))
    return out


# ---------------------------------------------------------------- comparisons and segments

def _comparisons(th: Thesis, label: str) -> list[Rich]:
    out = []
    for group, by_columns in th.results["comparisons"].items():
        for by, outcomes in by_columns.items():
            tested = {o: e for o, e in outcomes.items() if (e.get("welch") or {}).get("p") is not None}
            if not tested:
                continue
            significant = {o: e for o, e in tested.items() if e["welch"]["p"] < 0.05}
            values = dict(label=label, group=th.name(group), by=th.name(by))
            if not significant:
                smallest = min(tested, key=lambda o: tested[o]["welch"]["p"])
                out.append(th.rich("th_comparisons_none", **values, k=len(tested),
                                   p=th.p(tested[smallest]["welch"]["p"])))
                continue
            items = []
            for outcome, e in significant.items():
                w = e["welch"]
                items.append(th.rich("th_comparison_item", outcome=_outcome_name(th, outcome), by=th.name(by),
                                     test=th.test(apa.welch_anova(w.get("f"), w.get("df1"), w.get("df2"),
                                                                  w.get("p")))))
            parts = [th.rich("th_comparisons", **values, list=th.join_items(items))]
            if len(significant) < len(tested):
                parts.append(th.rich("th_comparisons_rest"))
            out.append(th.join(parts))
    return out


def _outcome_name(th: Thesis, code: str) -> str:
    dims = th.results["study"].get("dimensions") or {}
    return th.name(code) if code in dims else th.term(code)


def _levels(th: Thesis, label: str) -> list[Rich]:
    sentences = [th.rich("th_levels", label=label)]
    for group, by_columns in th.results["comparisons"].items():
        for by, outcomes in by_columns.items():
            for outcome, e in outcomes.items():
                if (e.get("welch") or {}).get("p") is None or e["welch"]["p"] >= 0.05:
                    continue
                letters = (e.get("letters") or {}).get("games_howell") or {}
                means = [lv for lv in e.get("levels") or [] if lv.get("mean") is not None
                         and lv["level"] in letters]
                if len(means) < 2:
                    continue
                high = max(means, key=lambda lv: lv["mean"])
                low = min(means, key=lambda lv: lv["mean"])
                differ = not set(letters[high["level"]]) & set(letters[low["level"]])
                sentences.append(th.rich("th_levels_differ" if differ else "th_levels_same",
                                         outcome=_outcome_name(th, outcome), by=th.name(by),
                                         level_high=high["level"], m_high=th.num(high["mean"]),
                                         level_low=low["level"], m_low=th.num(low["mean"])))
    return [th.join(sentences)]


def _segments(th: Thesis, label: str) -> list[Rich]:
    section = th.results["segments"]
    out = []
    for group, entry in section.items():
        abc = entry.get("abc") or {}
        classes = abc.get("classes") or {}
        a, c = classes.get("A") or {}, classes.get("C") or {}
        if a.get("revenue_share") is None or a.get("customer_share") is None:
            continue
        parts = [th.rich("th_abc", label=label, who=th.who(group, section),
                         customers=th.num(100 * a["customer_share"], 1),
                         revenue=th.num(100 * a["revenue_share"], 1))]
        sat_a = ((a.get("scores") or {}).get("satisfaction") or {}).get("mean")
        sat_c = ((c.get("scores") or {}).get("satisfaction") or {}).get("mean")
        if sat_a is not None and sat_c is not None:
            parts.append(th.rich("th_abc_higher" if sat_a > sat_c else "th_abc_lower",
                                 sat_a=th.num(sat_a), sat_c=th.num(sat_c)))
        out.append(th.join(parts))
    return out


# ---------------------------------------------------------------- comments, customer list, ladder

def _sides(th: Thesis, group: str) -> dict:
    """The two sides the comment keywords compare: NPS detractors and promoters, or the bottom
    and top two boxes of satisfaction (:func:`analysis.charts.keyword_groups_by_nps`)."""
    by_nps = keyword_groups_by_nps(th.results, group)
    return dict(low_side=th.term("th_side_detractors" if by_nps else "th_side_low"),
                high_side=th.term("th_side_promoters" if by_nps else "th_side_high"))


def _comments(th: Thesis) -> list[tuple[str, str, dict]]:
    return [(g, col, e) for g, columns in th.results["text"].items() for col, e in columns.items()]


def _text_themes(th: Thesis, label: str) -> list[Rich]:
    entries = _comments(th)
    groups = {g for g, _, _ in entries}
    out = []
    for group, column, e in entries:
        themes = [x for x in e.get("themes") or [] if x.get("n")]
        if not themes:
            continue
        top = max(themes, key=lambda x: x["n"])
        parts = [th.rich("th_text_themes", label=label, who=th.who(group, groups),
                         answered=e.get("n_answered") or 0, column=th.name(column), top=top["name"],
                         n=top["n"], share=th.num(100 * (top.get("share") or 0), 1))]
        rated = [x for x in themes if x.get("detractor_share") is not None]
        if rated:
            worst = max(rated, key=lambda x: (x["detractor_share"], x["n"]))
            mean = (worst.get("satisfaction") or {}).get("mean")
            parts.append(th.rich("th_text_worst", **_sides(th, group), worst=worst["name"],
                                 detractors=th.num(100 * worst["detractor_share"], 1), mean=th.num(mean)))
        other = e.get("other") or {}
        if other.get("share"):
            parts.append(th.rich("th_text_other", share=th.num(100 * other["share"], 1)))
        out.append(th.join(parts))
    return out


def _text_keywords(th: Thesis, label: str, top: int = 3) -> list[Rich]:
    entries = _comments(th)
    groups = {g for g, _, _ in entries}
    out = []
    for group, column, e in entries:
        keywords = e.get("keywords") or {}
        down, up = keywords.get("detractors") or [], keywords.get("promoters") or []
        words = [k for k in down + up if k.get("z") is not None]
        if not words:
            continue

        def strongest(side: list) -> str:
            ranked = sorted((k for k in side if k.get("z") is not None), key=lambda k: -abs(k["z"]))
            return th.listing([k["term"] for k in ranked[:top]]) or "–"

        sides = _sides(th, group)
        parts = [th.rich("th_text_keywords", label=label, who=th.who(group, groups),
                         column=th.name(column), down=strongest(down), up=strongest(up), **sides)]
        significant = [k for k in words if abs(k["z"]) > 1.96]
        if significant:
            parts.append(th.rich("th_text_keywords_sig", total=len(words), sig=len(significant)))
        else:
            parts.append(th.rich("th_text_keywords_ns", z=th.num(max(abs(k["z"]) for k in words))))
        out.append(th.join(parts))
    return out


def _customer_status(th: Thesis, label: str) -> list[Rich]:
    section = th.results["customers"]
    out = []
    for group, entry in section.items():
        red = (entry.get("status") or {}).get("red") or {}
        if red.get("n") is None:
            continue
        values = dict(label=label, who=th.who(group, section), status=th.term("status_red"),
                      meaning=th.term("status_red_meaning"), n=red["n"],
                      share=th.num(100 * (red.get("share") or 0), 1))
        if (entry.get("rules") or {}).get("value") and red.get("revenue_share") is not None:
            out.append(th.rich("th_customers", **values, revenue=th.num(100 * red["revenue_share"], 1)))
        else:
            out.append(th.rich("th_customers_no_value", **values))
    return out


def _ladder_levels(th: Thesis, label: str) -> list[Rich]:
    section = th.results["ladder"]
    out = []
    for group, entry in section.items():
        rungs, levels = entry.get("rungs") or [], entry.get("levels") or {}
        if not entry.get("n") or not rungs:
            continue
        top, none = levels.get(str(len(rungs))) or {}, levels.get("0") or {}
        parts = [th.rich("th_ladder", label=label, who=th.who(group, section),
                         top=th.num(100 * (top.get("share") or 0), 1), rung=rung_name(th.results, rungs[-1], th.lang),
                         none=th.num(100 * (none.get("share") or 0), 1),
                         first=rung_name(th.results, rungs[0], th.lang),
                         out=th.num(100 * ((entry.get("out_of_order") or {}).get("share") or 0), 1))]
        stages = {stage: ((cell.get("levels") or {}).get(str(len(rungs))) or {}).get("share")
                  for stage, cell in (entry.get("by_stage") or {}).items() if cell.get("n")}
        stages = {k: v for k, v in stages.items() if v is not None}
        if len(stages) > 1:
            high, low = max(stages, key=stages.get), min(stages, key=stages.get)
            parts.append(th.rich("th_ladder_stage", high_name=th.term(f"stage_{high}"),
                                 high=th.num(100 * stages[high], 1), low_name=th.term(f"stage_{low}"),
                                 low=th.num(100 * stages[low], 1)))
        out.append(th.join(parts))
    return out


def _ladder_rungs(th: Thesis, label: str) -> list[Rich]:
    section = th.results["ladder"]
    out = []
    for group, entry in section.items():
        reached = {r: c["share"] for r, c in (entry.get("rungs_reached") or {}).items()
                   if c.get("share") is not None}
        if not reached:
            continue
        high, low = max(reached, key=reached.get), min(reached, key=reached.get)
        out.append(th.rich("th_ladder_rungs", label=label, who=th.who(group, section),
                           low=th.num(100 * reached[low], 1), low_name=rung_name(th.results, low, th.lang),
                           high=th.num(100 * reached[high], 1),
                           high_name=rung_name(th.results, high, th.lang)))
    return out


# ---------------------------------------------------------------- structural model (PLS)

def _pls_models(th: Thesis) -> dict[str, dict]:
    """The groups whose data carried the model (a refused group is named in the fit table)."""
    return {g: e for g, e in th.results["pls"].items() if not e.get("error") and e.get("paths")}


def _construct(th: Thesis, code: str) -> str:
    return construct_name(th.results, code, th.lang)


def _path_ends(th: Thesis, key: str) -> tuple[str, str]:
    source, _, target = key.partition("->")
    return _construct(th, source), _construct(th, target)


def _pls_reliability(th: Thesis, label: str) -> list[Rich]:
    models = _pls_models(th)
    out = []
    for group, e in models.items():
        constructs = (e.get("quality") or {}).get("constructs") or {}
        reflective = {k: c for k, c in constructs.items() if c.get("mode") != "B" and (c.get("items") or 0) > 1
                      and None not in (c.get("alpha"), c.get("rho_c"), c.get("ave"))}
        formative = [_construct(th, k) for k, c in constructs.items() if c.get("mode") == "B"]
        parts = []
        if reflective:
            def bounds(key: str) -> tuple[str, str]:
                values = [c[key] for c in reflective.values()]
                return th.bounded(min(values), 3), th.bounded(max(values), 3)

            (a_low, a_high), (c_low, c_high), (v_low, v_high) = bounds("alpha"), bounds("rho_c"), bounds("ave")
            low = [_construct(th, k) for k, c in reflective.items() if c["rho_c"] < 0.7 or c["ave"] < 0.5]
            parts.append(th.rich("th_pls_rel_low" if low else "th_pls_rel_ok", label=label,
                                 who=th.who(group, models), a_low=a_low, a_high=a_high, c_low=c_low,
                                 c_high=c_high, v_low=v_low, v_high=v_high, names=th.listing(low)))
        if formative:
            parts.append(th.rich("th_pls_formative", names=th.listing(formative)))
        if parts:
            out.append(th.join(parts))
    return out


def _pls_outer(th: Thesis, label: str) -> list[Rich]:
    models = _pls_models(th)
    out = []
    for group, e in models.items():
        modes = (e.get("model") or {}).get("modes") or {}
        outer = e.get("outer") or {}
        reflective = {i: o for i, o in outer.items() if modes.get(o.get("construct")) != "B"
                      and o.get("loading") is not None}
        formative = [o for o in outer.values() if modes.get(o.get("construct")) == "B"
                     and o.get("weight") is not None]
        parts = []
        if reflective:
            loadings = [o["loading"] for o in reflective.values()]
            low = [th.name(i) for i, o in reflective.items() if o["loading"] < 0.7]
            parts.append(th.rich("th_pls_loadings_low" if low else "th_pls_loadings_ok", label=label,
                                 who=th.who(group, models), low=th.bounded(min(loadings), 3),
                                 high=th.bounded(max(loadings), 3), items=th.listing(low)))
        if formative:
            tested = [o for o in formative if (o.get("ci") or [None])[0] is not None]
            significant = [o for o in tested if o["ci"][0] > 0 or o["ci"][1] < 0]
            if tested:
                parts.append(th.rich("th_pls_weights", total=len(tested), sig=len(significant)))
        if parts:
            out.append(th.join(parts))
    return out


def _pls_htmt(th: Thesis, label: str) -> list[Rich]:
    models = _pls_models(th)
    out = []
    for group, e in models.items():
        pairs = [(a, b, v) for a, row in ((e.get("quality") or {}).get("htmt") or {}).items()
                 for b, v in row.items() if v is not None]
        if not pairs:
            continue
        values = [v for _, _, v in pairs]
        high = [th.rich("th_pls_pair", a=_construct(th, a), b=_construct(th, b), value=th.bounded(v, 3))
                for a, b, v in pairs if v > 0.85]
        out.append(th.rich("th_pls_htmt_high" if high else "th_pls_htmt_ok", label=label,
                           who=th.who(group, models), low=th.bounded(min(values), 3),
                           high=th.bounded(max(values), 3),
                           pairs_text=th._joined(high, t("th_list_sep", th.lang))))
    return out


def _pls_paths(th: Thesis, label: str) -> list[Rich]:
    models = _pls_models(th)
    out = []
    for group, e in models.items():
        paths = e["paths"]
        values = dict(label=label, who=th.who(group, models), k=len(paths),
                      boot=(e.get("bootstrap") or {}).get("used") or 0)
        tested = {k: p for k, p in paths.items() if p.get("p") is not None}
        if not tested:
            key = max(paths, key=lambda k: abs(paths[k]["coef"]))
            a, b = _path_ends(th, key)
            out.append(th.rich("th_pls_paths_noboot", **values, a=a, b=b, coef=th.num(paths[key]["coef"], 3)))
            continue
        significant = {k: p for k, p in tested.items() if p["p"] < 0.05}
        if not significant:
            out.append(th.rich("th_pls_paths_none", **values))
            continue
        items = [th.rich("th_pls_path_item", a=a, b=b, coef=th.num(p["coef"], 3), p=th.p(p["p"]))
                 for (a, b), p in ((_path_ends(th, k), p) for k, p in significant.items())]
        parts = [th.rich("th_pls_paths", **values, sig=len(significant), list=th.join_items(items))]
        arrow = "→" if th.lang == "zh" else " → "
        rest = [arrow.join(t("th_quote", th.lang, name=end) for end in _path_ends(th, k))
                for k in tested if k not in significant]
        if rest:
            parts.append(th.rich("th_pls_paths_ns", ns_names=t("th_list_sep", th.lang).join(rest)))
        out.append(th.join(parts))
    return out


def _r2_grade(r2: float) -> str:
    """Chin's (1998) bars for R² in PLS: .67 substantial, .33 moderate, .19 weak."""
    for bound, key in ((0.67, "th_r2_strong"), (0.33, "th_r2_moderate"), (0.19, "th_r2_weak")):
        if r2 >= bound:
            return key
    return "th_r2_very_weak"


def _pls_r2(th: Thesis, label: str) -> list[Rich]:
    models = _pls_models(th)
    out = []
    for group, e in models.items():
        r2 = {k: v for k, v in (e.get("r2") or {}).items() if v is not None}
        if not r2:
            continue
        high, low = max(r2, key=r2.get), min(r2, key=r2.get)
        out.append(th.rich("th_pls_r2" if len(r2) > 1 else "th_pls_r2_one", label=label,
                           who=th.who(group, models), low=th.bounded(r2[low], 3),
                           low_name=_construct(th, low), high=th.bounded(r2[high], 3),
                           high_name=_construct(th, high), grade=th.rich(_r2_grade(r2[high]))))
    return out


def _pls_indices(th: Thesis, label: str) -> list[Rich]:
    models = _pls_models(th)
    out = []
    for group, e in models.items():
        indices = {k: v for k, v in (e.get("indices") or {}).items() if v is not None}
        if not indices:
            continue
        high, low = max(indices, key=indices.get), min(indices, key=indices.get)
        parts = [th.rich("th_pls_indices", label=label, who=th.who(group, models),
                         high_name=_construct(th, high), high=th.num(indices[high], 1),
                         low_name=_construct(th, low), low=th.num(indices[low], 1))]
        ipma = e.get("ipma") or {}
        rated = {k: v for k, v in (ipma.get("constructs") or {}).items() if v.get("importance") is not None}
        if rated and ipma.get("target"):
            top = max(rated, key=lambda k: rated[k]["importance"])
            parts.append(th.rich("th_pls_ipma", target=_construct(th, ipma["target"]), top=_construct(th, top),
                                 importance=th.num(rated[top]["importance"], 3),
                                 performance=th.num(rated[top].get("performance"), 1)))
        out.append(th.join(parts))
    return out


def _pls_fit(th: Thesis, label: str) -> list[Rich]:
    models = _pls_models(th)
    out = []
    for group, e in models.items():
        quality = e.get("quality") or {}
        if quality.get("srmr") is None:
            continue
        out.append(th.rich("th_pls_fit", label=label, who=th.who(group, models),
                           srmr=th.bounded(quality["srmr"], 3), gof=th.bounded(quality.get("gof"), 3),
                           verdict=th.rich("th_srmr_ok" if quality["srmr"] < 0.08 else "th_srmr_high")))
    return out


#: table key -> writer of its paragraphs
WRITERS: dict[str, Callable[[Thesis, str], list[Rich]]] = {
    "study": _study, "quality": _quality, "desc_items": _desc_items, "desc_scores": _desc_scores,
    "correlations": _correlations, "reliability": _reliability, "reliability_items": _reliability_items,
    "kmo": _kmo, "efa": _efa, "cfa": _cfa, "constructs": _constructs, "discriminant": _discriminant,
    "index": _index, "nps": _nps, "cb_ratio": _cb_ratio, "gaps": _gaps, "servqual": _servqual,
    "trends": _trends, "ipa": _ipa, "drivers_models": _drivers_models, "drivers": _drivers,
    "comparisons": _comparisons, "levels": _levels, "segments": _segments,
    "text_themes": _text_themes, "text_keywords": _text_keywords, "customer_status": _customer_status,
    "ladder_levels": _ladder_levels, "ladder_rungs": _ladder_rungs,
    "pls_reliability": _pls_reliability, "pls_outer": _pls_outer, "pls_htmt": _pls_htmt,
    "pls_paths": _pls_paths, "pls_r2": _pls_r2, "pls_indices": _pls_indices, "pls_fit": _pls_fit,
}
