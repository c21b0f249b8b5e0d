"""Comments (开放题): what customers write. The words that separate detractors from promoters, the
themes of the study's dictionary with satisfaction and NPS per theme (examples on a click), the
suggested themes, and an editor that writes ``themes:`` back into the study file.

While the ``text`` section is still being built (jieba's dictionary, the NMF fits: ~2 s, in the
background after the first page), the page is laid out from its preview (the counts and the
themes, :meth:`analysis.pipeline.LazyResults.preview`) and the keywords and suggested themes are
filled in at their places when the section is ready.

Comments are data: every comment and theme name shown as Markdown goes through
``escape_markdown``; tables and charts show them as plain text."""
from pathlib import Path

import pandas as pd
import streamlit as st

from analysis import charts
from analysis.i18n import section_name
from analysis.text import read_comments, theme_members
from surveys.errors import StudyError
from surveys.i18n import msg
from surveys.study import parse_study
from surveys.study_edit import with_themes
from ui import auth
from ui import state as S
from ui.setup import (SAMPLE, at_wave, ci, csv_download, escape_markdown, num, page, pct,
                      pick_group, say, show_chart, show_table, source_key, table_downloads, tr,
                      with_abc_every_wave)

#: comments listed under a theme picked in the table
SHOWN_COMMENTS = 30
#: where the theme editor keeps its rows (and the message of the last save)
EDITOR, SAVED = "comments_editor_rows", "comments_saved"
_SEPARATORS = str.maketrans({c: "," for c in "，、;；\n"})

ctx = page("page_comments", "comments_caption")
if ctx is None:
    st.stop()
r = ctx.results
ready = getattr(r, "ready", lambda key: True)("text")  # a plain dict: every section is there
section = (r.get("text") if ready else r.preview("text")) or {}
study = ctx.data.study
if not section:
    st.info(tr("comments_none"))
    st.stop()

group = pick_group(ctx, list(section), key="comments_group")
columns = list(section[group])
column = columns[0] if len(columns) == 1 else st.radio(
    tr("comments_column"), columns, format_func=lambda c: escape_markdown(ctx.name(c)),
    horizontal=True, key="comments_column")
entry = section[group][column]
by_nps = charts.keyword_groups_by_nps(r, group)

cards = st.columns(3 if entry["themes"] else 2)
cards[0].metric(tr("comments_answered"), entry["n_answered"], border=True)
cards[1].metric(tr("comments_blank"), entry["n_blank"], border=True)
if entry["themes"]:  # without a dictionary every comment is "other"
    cards[2].metric(tr("comments_other"), pct((entry["other"] or {}).get("share")), border=True,
                    help=tr("comments_other_help"))
for note in ((r.get("quality") or {}).get(group) or {}).get("notes") or []:
    if getattr(note, "key", "").startswith("comments_"):  # the quality notes on comments
        st.warning(say(note))

# ---------------------------------------------------------------- keywords
st.subheader(tr("comments_keywords"))
keywords_place = st.container()

# ---------------------------------------------------------------- themes
st.subheader(tr("comments_themes"))
themes = entry["themes"]
if themes:
    rows = [{tr("comments_theme"): t["name"], tr("n"): t["n"], tr("share"): pct(t["share"]),
             tr("comments_satisfaction"): num(t["satisfaction"]["mean"]),
             tr("ci95"): ci(t["satisfaction"]["ci"]),
             "NPS": num(t["nps"], 0), tr("comments_detractor_share"): pct(t["detractor_share"]),
             tr("comments_terms"): ", ".join(t["terms"])} for t in themes]
    picked = st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                          on_select="rerun", selection_mode="single-row", key="comments_table")
    table_downloads(pd.DataFrame(rows))  # formula-safe CSV: theme names and terms are data text
    st.caption(tr("comments_themes_caption"))
    chosen = picked.selection.rows if picked and picked.selection else []
    if chosen:
        theme = themes[chosen[0]]
        seen = with_abc_every_wave(at_wave(ctx.data, ctx.wave)).filtered(ctx.filters)
        frame = seen.frames()[group]  # the rows the results saw
        texts = read_comments(frame[column]).text
        inside = theme_members(texts, {theme["name"]: theme["terms"]})[theme["name"]]
        st.markdown(f"**{escape_markdown(theme['name'])}** — "
                    + tr("comments_examples_of", n=int(inside.sum()),
                         shown=min(int(inside.sum()), SHOWN_COMMENTS)))
        shown = {tr("comments_comment"): [c[:500] + ("…" if len(c) > 500 else "")
                                          for c in texts[inside].head(SHOWN_COMMENTS)]}
        if study.nps in frame:  # the writer's 0-10 answer; never an id
            shown[tr("comments_recommend")] = frame.loc[inside, study.nps].head(
                SHOWN_COMMENTS).map(lambda v: num(v, 0)).tolist()
        st.dataframe(pd.DataFrame(shown), hide_index=True, width="stretch")
        csv_download(pd.DataFrame(shown))  # the comments themselves, formula-safe
    else:
        st.info(tr("comments_pick_theme"))
else:
    st.info(tr("comments_no_dictionary"))

# ---------------------------------------------------------------- suggested themes
suggested_place = st.container()
suggested: list[dict] = []  # filled by _keywords_and_suggestions


def _keywords_and_suggestions() -> None:
    """The keyword chart and the suggested themes (and their buttons in the editor) at their
    places; they need the whole ``text`` section."""
    with keywords_place:
        show_chart(charts.keyword_chart(r, group, column, ctx.lang), key="comments_keywords")
        st.caption(tr("comments_keywords_caption" if by_nps else "comments_keywords_caption_sat"))
    suggested[:] = entry.get("suggested") or []
    if suggested:
        with suggested_place:
            st.subheader(tr("comments_suggested"))
            st.caption(tr("comments_suggested_caption" if not themes else
                          "comments_suggested_caption_other"))
            show_table([{tr("comments_terms"): ", ".join(s["terms"]), tr("n"): s["n"],
                         tr("comments_examples"): " / ".join(s["examples"])} for s in suggested])
    with buttons_place:
        for index, suggestion in enumerate(suggested):  # labels are Markdown: terms escaped
            st.button(tr("comments_add_suggestion",
                         terms=escape_markdown(", ".join(suggestion["terms"][:4]))),
                      key=f"comments_add_{index}", on_click=_add_suggestion, args=(index,),
                      disabled=not editor)


# ---------------------------------------------------------------- theme editor
def _editor_rows() -> pd.DataFrame:
    return pd.DataFrame([{"theme": name, "terms": ", ".join(terms)}
                         for name, terms in study.themes.items()], columns=["theme", "terms"])


def _add_suggestion(index: int) -> None:
    rows = st.session_state.get(EDITOR)
    rows = _editor_rows() if rows is None else rows
    # a single character as a substring matches too much (不, 好): words of two or more first
    terms = [t for t in suggested[index]["terms"] if len(t) > 1] or suggested[index]["terms"]
    st.session_state[EDITOR] = pd.concat([rows, pd.DataFrame(
        [{"theme": terms[0], "terms": ", ".join(terms[:4])}])], ignore_index=True)
    st.session_state.pop("comments_editor", None)


def _themes_from(rows: pd.DataFrame) -> dict[str, list[str]]:
    """The editor's rows as a themes mapping; terms split at commas (also ，、;；)."""
    out: dict[str, list[str]] = {}
    for row in rows.itertuples():
        name = "" if pd.isna(row.theme) else str(row.theme).strip()
        terms = [] if pd.isna(row.terms) else [
            t.strip() for t in str(row.terms).translate(_SEPARATORS).split(",") if t.strip()]
        if not name and not terms:
            continue
        if name in out:
            raise StudyError(msg("theme_twice", theme=name), key="themes")
        out[name] = list(dict.fromkeys(terms))
    return out


def _save(rows: pd.DataFrame) -> None:
    """Write the themes into the session's study file (everything else byte-exact) and reload."""
    text, folder, *_ = source_key()
    try:
        new_text = with_themes(text, _themes_from(rows))
        parse_study(new_text, base_dir=Path(folder))
    except StudyError as error:
        st.session_state[SAVED] = ("error", error.render(ctx.lang))
        return
    source = dict(st.session_state.get(S.SOURCE) or {"dir": str(SAMPLE.parent)})
    if source.get("waves"):  # a stored study whose waves load from their own study files
        Path(source["waves"][-1][1]).write_text(new_text, encoding="utf-8")
    source["yaml"] = new_text
    st.session_state[S.SOURCE] = source
    st.session_state[SAVED] = ("success", tr("comments_saved"))
    st.session_state.pop(EDITOR, None)
    st.session_state.pop("comments_editor", None)


st.subheader(tr("comments_editor"))
st.caption(tr("comments_editor_caption"))
kind, message = st.session_state.pop(SAVED, (None, None))
if kind == "success":
    st.success(message)
elif kind == "error":
    st.error(escape_markdown(message))  # the error quotes theme names
editor = auth.is_editor()  # a viewer sees the themes but does not change the study file
buttons_place = st.container()
start = st.session_state.get(EDITOR)
edited = st.data_editor(
    _editor_rows() if start is None else start, num_rows="dynamic", hide_index=True,
    width="stretch", key="comments_editor", disabled=not editor,
    column_config={"theme": st.column_config.TextColumn(tr("comments_theme")),
                   "terms": st.column_config.TextColumn(tr("comments_terms"),
                                                        help=tr("comments_terms_help"))})
st.button(tr("comments_save"), type="primary", key="comments_save", on_click=_save,
          args=(edited,), disabled=not editor)
text, *_ = source_key()
st.download_button(tr("download_yaml"), text, file_name="study.yaml", mime="text/yaml",
                   key="comments_download", on_click="ignore")
if not ready:  # the rest of the page is shown: now wait for the keywords and suggestions
    with keywords_place, st.spinner(tr("computing_section",
                                       section=section_name("text", ctx.lang))):
        entry = r["text"][group][column]  # the whole entry (keywords, suggested themes)
_keywords_and_suggestions()
