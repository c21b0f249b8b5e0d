"""What the pages show about population weights: a "weighted" badge with the effective n where
estimates are weighted, and a note where they deliberately are not (reliability, validity)."""
from __future__ import annotations

import streamlit as st

from ui.setup import Context, escape_markdown, num, tr


def weighted_badge(ctx: Context, group: str | None) -> None:
    """A "weighted · effective n" badge when ``group``'s estimates are weighted."""
    summary = (ctx.results.get("weighting") or {}).get(group or "")
    if not summary:
        return
    st.badge(tr("weighted_badge", n_eff=num(summary.get("n_eff"), 0), n=summary.get("n")),
             icon=":material/balance:", color="blue")
    st.caption(tr("weighted_caption", group=escape_markdown(ctx.name(group))))


def unweighted_note(ctx: Context) -> None:
    """On pages whose statistics stay unweighted although the study weights a group."""
    if ctx.results.get("weighting"):
        st.caption(tr("unweighted_note"))
