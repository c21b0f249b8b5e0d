"""What the app shows of the structural model outside its own page: the dashboard's cards of the
model's satisfaction and loyalty indices, and the notes of ``results["pls"]`` as text."""
from __future__ import annotations

import streamlit as st

from analysis.charts import wave_name
from surveys.i18n import msg
from ui.setup import Context, ci, escape_markdown, num, tr


def note_text(note: dict, lang: str) -> str:
    """A note or refusal of ``results["pls"]`` ({code, values, expected}) in ``lang``."""
    text = msg(note["code"], **(note.get("values") or {})).render(lang)
    expected = note.get("expected")
    if expected:
        text += msg("error_expected", expected=msg(expected["code"], **(expected.get("values")
                                                                         or {}))).render(lang)
    return text


def model_index_cards(ctx: Context, group: str) -> None:
    """The model's satisfaction and loyalty indices of ``group`` with their change since the
    previous wave, when the study declares a model with these constructs (nothing otherwise)."""
    results = ctx.results  # the section's preview: these values without the quality criteria
    entry = (getattr(results, "preview", results.get)("pls") or {}).get(group) or {}
    model = entry.get("model") or {}
    roles = [(role, model.get(role)) for role in ("satisfaction", "loyalty") if model.get(role)]
    if not roles or entry.get("error"):
        return
    waves = list((entry.get("waves") or {}).items())
    columns = st.columns(4)  # as wide as the headline cards above
    for column, (role, construct) in zip(columns, roles):
        value = (entry.get("indices") or {}).get(construct)
        delta = None
        if len(waves) > 1:
            before, earlier = waves[-2]
            old = (earlier.get("indices") or {}).get(construct)
            if old is not None and value is not None:
                delta = (f"{value - old:+.1f} "
                         f"{tr('since', wave=wave_name(ctx.results, before, ctx.lang))}")
        interval = (entry.get("indices_ci") or {}).get(construct)
        column.metric(tr(f"pls_card_{role}"), num(value, 1), delta=delta, border=True,
                      help=tr("pls_card_help", n=entry.get("n"), ci=ci(interval, 1)))
    st.caption(escape_markdown(tr("pls_cards_caption")))
