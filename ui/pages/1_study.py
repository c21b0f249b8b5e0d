"""Study: the study in use, and a wizard from raw exports (or a study file) to the first
trustworthy table: upload -> check what was guessed (surveys.guess) -> check the data and use it.

Uploads and every edit live in the session (ui.state), so that they survive a visit to another
page; "edit the current study" reopens the study in use in the same wizard."""
from pathlib import Path

import streamlit as st

from surveys.errors import StudyError
from surveys.guess import draft_yaml
from surveys.study import parse_study
from surveys.tables import mask_url
from ui import auth
from ui import state as S
from ui import wizard as W
from ui.setup import (base_study, escape_markdown, init_state, lang, say, show_error, source_key,
                      tr)

init_state()
st.title(tr("page_study"))
st.caption(tr("study_caption"))


def use_study(text: str, folder: str) -> None:
    """Check the study (its file and its data) and make it the current one; errors are shown
    here and the old study stays."""
    try:
        study_file = Path(folder) / "study.yaml"
        parse_study(text, path=study_file if study_file.exists() else None, base_dir=Path(folder),
                    inside=folder)
        with st.spinner(tr("wizard_checking")):
            data = W.check_study(text, folder)
    except StudyError as error:
        show_error(error)
        return
    st.session_state[S.SOURCE] = {"yaml": text, "dir": folder}
    st.session_state[S.EXCLUDE] = None
    st.session_state[S.SWITCHED] = W.switched_summary(data)
    st.rerun()


# ------------------------------------------------------------------ the study in use
source = st.session_state.get(S.SOURCE)
live = []  # groups read from tables ("live tables"): the wizard edits files only
try:
    study = base_study()
    origin = tr("source_sample" if source is None else "source_uploaded")
    groups = ", ".join(study.name(g, lang()) for g in study.groups)
    st.markdown(f"**{tr('current_study')}** ({origin}): {escape_markdown(study.title)} — "
                f"{tr('waves')}: {escape_markdown(', '.join(study.waves))} — {tr('groups')}: "
                f"{escape_markdown(groups)}")
    live = [s for s in study.sources if s.file is None]  # groups read from tables
    if live:
        st.caption(tr("live_table_groups", groups=escape_markdown("; ".join(
            f"{study.name(s.group, lang())} ({s.wave}) ← {mask_url(s.engine)}"
            + (f" · {s.table}" if s.table else "") + (f" · {s.where}" if s.where else "")
            for s in live))))
except StudyError as error:
    study = None
    show_error(error)
text, folder, *_ = source_key()
c1, c2, c3 = st.columns(3)
c1.download_button(tr("download_yaml"), text, file_name="study.yaml", mime="text/yaml",
                   key="dl_current_yaml")
editor = auth.is_editor()
if study is not None and editor and not live and c2.button(
        tr("wizard_edit_current"), key="edit_current", help=tr("wizard_edit_current_help")):
    try:
        with st.spinner(tr("wizard_reading")):
            W.edit_current(study, folder)
    except StudyError as error:
        show_error(error)
if source is not None and c3.button(tr("back_to_sample"), key="back_to_sample"):
    st.session_state[S.SOURCE] = None
    st.session_state[S.EXCLUDE] = None
    st.session_state[S.SWITCHED] = None
    st.rerun()

if not editor:
    st.info(tr("viewer_cannot_upload"))
    st.stop()

def confirmation() -> None:
    """After "check and use": what is in use now, and the way to its first table."""
    switched = st.session_state.get(S.SWITCHED)
    if switched:
        st.success(tr("wizard_switched", groups=escape_markdown(switched)))
        st.page_link("ui/pages/3_reliability.py", label=tr("wizard_to_reliability"),
                     icon=":material/straighten:")


confirmed_above = st.session_state.get(S.DRAFT) is None
if confirmed_above:
    confirmation()

# ------------------------------------------------------------------ 1 upload
st.subheader(tr("wizard_step_upload"))
uploads = st.file_uploader(tr("upload_label"), accept_multiple_files=True, key="uploads",
                           help=tr("upload_help"))
W.take_uploads(uploads or [])
files = st.session_state.get(S.UPLOADS) or {}
if files:
    names = ", ".join(files)
    k1, k2 = st.columns([4, 1])
    k1.caption(tr("wizard_session_files", files=escape_markdown(names)))
    if k2.button(tr("wizard_clear_files"), key="clear_files"):
        W.clear_uploads()
        st.rerun()
yaml_text, tables = W.session_tables()
for name, table in tables.items():
    with st.expander(f"{tr('preview')}: {escape_markdown(name)} ({table.format}, "
                     f"{len(table.frame)} {tr('rows')})"):
        st.dataframe(table.frame.head(20), width="stretch")
        for note in table.notes:
            st.caption(f"ℹ️ {say(note)}")
if yaml_text is not None:
    st.info(tr("yaml_uploaded"))
    if st.button(tr("use_study"), key="use_uploaded_yaml", type="primary"):
        use_study(yaml_text, st.session_state[S.UPLOAD_DIR])
    if not confirmed_above:
        confirmation()
    st.stop()
W.guess_if_new(tables)
draft = st.session_state.get(S.DRAFT)
if draft is None:
    st.stop()

# ------------------------------------------------------------------ 2 check the guess
st.subheader(tr("wizard_step_check"))
W.summary(draft)
W.reverse_box(draft)
W.questions_box(draft)
W.settings(draft)
W.dimensions_editor(draft)
W.roles_editor(draft)
W.bulk_bar(draft)
W.matching_editor(draft)
try:
    draft_text = draft_yaml(draft, lang())
except StudyError as error:
    show_error(error)
    st.stop()
with st.expander(tr("yaml_preview")):
    st.code(draft_text, language="yaml")
    st.download_button(tr("download_yaml"), draft_text, file_name="study.yaml",
                       mime="text/yaml", key="dl_draft_yaml")

# ------------------------------------------------------------------ 3 check and use
st.subheader(tr("wizard_step_use"))
st.caption(tr("wizard_use_caption"))
if st.button(tr("wizard_use"), key="use_draft", type="primary"):
    use_study(draft_text, draft.folder or st.session_state[S.UPLOAD_DIR])
confirmation()
