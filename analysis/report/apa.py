"""APA-style strings for the tests in ``results.json`` (APA Publication Manual, 7th ed., 6.36-6.46).

Rules: test statistics and effect sizes with two decimals; p with three decimals and no leading
zero, below .001 written ``p < .001`` (and above .999 ``p > .999``); statistics that cannot exceed
1 in absolute value (p, r, R², η², ε², CFI, TLI, RMSEA, SRMR, KMO) without a leading zero; a
fractional degree of freedom (Welch) with one decimal, a whole one as an integer; negative values
with a true minus sign (U+2212). A missing number gives ``None`` (the caller shows a dash).
Nothing is computed here: every number comes from ``results.json``.
"""
from __future__ import annotations

import math

__all__ = ["MINUS", "num", "bounded", "p_value", "df_value", "ci", "welch_t", "paired_t",
           "mann_whitney", "wilcoxon", "anova", "welch_anova", "kruskal", "chi2", "regression",
           "z_test", "cfa_fit"]

MINUS = "\u2212"


def _missing(*values) -> bool:
    return any(v is None or (isinstance(v, float) and not math.isfinite(v)) for v in values)


def _signed(text: str) -> str:
    return MINUS + text[1:] if text.startswith("-") else text


def num(value: float | None, digits: int = 2) -> str | None:
    """A number with ``digits`` decimals and a true minus sign ("−0.66"); None stays None."""
    if _missing(value):
        return None
    text = f"{value:.{digits}f}"
    if float(text) == 0:
        text = text.lstrip("-")  # no "−0.00"
    return _signed(text)


def bounded(value: float | None, digits: int = 2) -> str | None:
    """A statistic bounded by ±1 without the leading zero (".45", "−.12", "1.00")."""
    text = num(value, digits)
    if text is None:
        return None
    return text.replace("0.", ".", 1) if text.lstrip(MINUS).startswith("0.") else text


def p_value(p: float | None) -> str | None:
    """"p = .019", "p < .001", "p > .999" (three decimals, no leading zero)."""
    if _missing(p):
        return None
    if p < 0.001:
        return "p < .001"
    if p >= 0.9995:  # would round to 1.000
        return "p > .999"
    return f"p = {bounded(p, 3)}"


def df_value(df: float | None) -> str | None:
    """Degrees of freedom: "297" when whole, "56.3" (one decimal) when fractional (Welch)."""
    if _missing(df):
        return None
    return str(int(round(df))) if abs(df - round(df)) < 1e-9 else num(df, 1)


def ci(interval: list | None, digits: int = 2, level: int = 95, leading_zero: bool = True) -> str | None:
    """"95% CI [0.12, 0.45]"; None when either end is missing."""
    if not interval or _missing(*interval):
        return None
    fmt = num if leading_zero else bounded
    return f"{level}% CI [{fmt(interval[0], digits)}, {fmt(interval[1], digits)}]"


def _join(*parts: str | None) -> str | None:
    return None if any(p is None for p in parts) else ", ".join(parts)


def welch_t(t: float | None, df: float | None, p: float | None, g: float | None = None) -> str | None:
    """Welch's t-test: "t(56.3) = 2.41, p = .019, g = 0.45" (Hedges' g, may exceed 1)."""
    if _missing(t, df):
        return None
    parts = [f"t({df_value(df)}) = {num(t)}", p_value(p)]
    if not _missing(g):
        parts.append(f"g = {num(g)}")
    return _join(*parts)


def paired_t(t: float | None, df: float | None, p: float | None,
             gap_ci: list | None = None) -> str | None:
    """Paired t-test: "t(289) = −12.30, p < .001, 95% CI [−1.02, −0.77]" (CI of the mean gap)."""
    if _missing(t, df):
        return None
    text = _join(f"t({df_value(df)}) = {num(t)}", p_value(p))
    interval = ci(gap_ci)
    return f"{text}, {interval}" if text and interval else text


def mann_whitney(u: float | None, p: float | None) -> str | None:
    """Mann-Whitney: "U = 3165.50, p < .001"."""
    return None if _missing(u) else _join(f"U = {num(u)}", p_value(p))


def wilcoxon(v: float | None, p: float | None) -> str | None:
    """Wilcoxon signed-rank: "V = 1234.00, p = .003"."""
    return None if _missing(v) else _join(f"V = {num(v)}", p_value(p))


def anova(f: float | None, df1: float | None, df2: float | None, p: float | None,
          eta2: float | None = None) -> str | None:
    """One-way ANOVA: "F(4, 296) = 0.40, p = .810, η² = .01"."""
    if _missing(f, df1, df2):
        return None
    parts = [f"F({df_value(df1)}, {df_value(df2)}) = {num(f)}", p_value(p)]
    if not _missing(eta2):
        parts.append(f"η² = {bounded(eta2)}")
    return _join(*parts)


def welch_anova(f: float | None, df1: float | None, df2: float | None, p: float | None) -> str | None:
    """Welch's ANOVA: "F(4, 129.5) = 0.41, p = .798"."""
    return anova(f, df1, df2, p)


def kruskal(h: float | None, df: float | None, p: float | None,
            epsilon2: float | None = None) -> str | None:
    """Kruskal-Wallis: "H(4) = 1.98, p = .740, ε² = .01"."""
    if _missing(h, df):
        return None
    parts = [f"H({df_value(df)}) = {num(h)}", p_value(p)]
    if not _missing(epsilon2):
        parts.append(f"ε² = {bounded(epsilon2)}")
    return _join(*parts)


def chi2(value: float | None, df: float | None, p: float | None) -> str | None:
    """A chi-square test (Bartlett's sphericity, CFA): "χ²(136) = 2225.36, p < .001"."""
    return None if _missing(value, df) else _join(f"χ²({df_value(df)}) = {num(value)}", p_value(p))


def regression(r2: float | None, f: float | None, df1: float | None, df2: float | None,
               p: float | None) -> str | None:
    """OLS model: "R² = .56, F(5, 295) = 76.44, p < .001"."""
    if _missing(r2):
        return None
    test = anova(f, df1, df2, p)
    return None if test is None else f"R² = {bounded(r2)}, {test}"


def z_test(z: float | None, p: float | None) -> str | None:
    """A z test (index change between waves): "z = 1.96, p = .050"."""
    return None if _missing(z) else _join(f"z = {num(z)}", p_value(p))


def cfa_fit(fit: dict) -> str | None:
    """CFA fit (Hu & Bentler 1999 indices): "χ²(109) = 113.13, p = .374, CFI = 1.00,
    TLI = 1.00, RMSEA = .01, 90% CI [.00, .03], SRMR = .03"."""
    test = chi2(fit.get("chi2"), fit.get("df"), fit.get("p"))
    if test is None:
        return None
    parts = [test, f"CFI = {bounded(fit.get('cfi'))}", f"TLI = {bounded(fit.get('tli'))}",
             f"RMSEA = {bounded(fit.get('rmsea'))}"]
    interval = ci(fit.get("rmsea_ci"), level=90, leading_zero=False)
    if interval:
        parts.append(interval)
    parts.append(f"SRMR = {bounded(fit.get('srmr'))}")
    return None if any("None" in part for part in parts) else ", ".join(parts)
