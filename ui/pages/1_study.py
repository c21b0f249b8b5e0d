"""Study: upload a study YAML with its data files, or data files alone and map their columns to
items and dimensions (guessed from 问卷星 matrix headers and item prefixes); download the YAML."""
from pathlib import Path

import streamlit as st

from surveys.errors import StudyError
from surveys.study import parse_study
from ui import auth, workspace
from ui import state as S
from ui.setup import (base_study, escape_markdown, init_state, md, say, show_error,
                      source_key, tr)
from ui.study import ROLES, guess_mapping, read_uploads, save_uploads, study_yaml

init_state()
st.title(tr("page_study"))
st.caption(tr("study_caption"))


def use_study(text: str, folder: str) -> None:
    """Make the checked study the current one (errors shown, the old study stays)."""
    try:
        study_file = Path(folder) / "study.yaml"
        parse_study(text, path=study_file if study_file.exists() else None, base_dir=Path(folder),
                    inside=folder)
    except StudyError as error:
        show_error(error)
        return
    st.session_state[S.SOURCE] = {"yaml": text, "dir": folder}
    st.session_state[S.EXCLUDE] = None
    st.rerun()


source = st.session_state.get(S.SOURCE)
try:
    study = base_study()
    origin = tr("source_sample" if source is None else "source_uploaded")
    groups = ", ".join(study.name(g, st.session_state[S.LANG]) for g in study.groups)
    st.markdown(f"**{tr('current_study')}** ({origin}): {escape_markdown(study.title)} — "
                f"{tr('waves')}: {escape_markdown(', '.join(study.waves))} — "
                f"{tr('groups')}: {escape_markdown(groups)}")
except StudyError as error:
    show_error(error)
text, folder, *_ = source_key()
c1, c2 = st.columns(2)
c1.download_button(tr("download_yaml"), text, file_name="study.yaml", mime="text/yaml",
                   key="dl_current_yaml")
if source is not None and c2.button(tr("back_to_sample"), key="back_to_sample"):
    st.session_state[S.SOURCE] = None
    st.session_state[S.EXCLUDE] = None
    st.rerun()

if not auth.is_editor():
    st.info(tr("viewer_cannot_upload"))
    st.stop()
st.subheader(tr("upload_title"))
uploads = st.file_uploader(tr("upload_label"), accept_multiple_files=True, key="uploads",
                           help=tr("upload_help"))
if not uploads:
    st.stop()
if not st.session_state.get(S.UPLOAD_DIR) or not Path(st.session_state[S.UPLOAD_DIR]).is_dir():
    st.session_state[S.UPLOAD_DIR] = str(workspace.upload_folder())
folder = st.session_state[S.UPLOAD_DIR]
try:
    paths = save_uploads({u.name: u.getvalue() for u in uploads}, folder)
    yaml_text, tables = read_uploads(paths)
except StudyError as error:
    show_error(error)
    st.stop()

for name, table in tables.items():
    with st.expander(f"{tr('preview')}: {escape_markdown(name)} ({table.format}, "
                     f"{len(table.frame)} {tr('rows')})"):
        st.dataframe(table.frame.head(20), width="stretch")
        for note in table.notes:
            st.caption(f"ℹ️ {say(note)}")

if yaml_text is not None:
    st.info(tr("yaml_uploaded"))
    if st.button(tr("use_study"), key="use_uploaded_yaml", type="primary"):
        use_study(yaml_text, folder)
    st.stop()

st.subheader(tr("mapping_title"))
st.caption(tr("mapping_caption"))
title = st.text_input(tr("study_title"), value=tr("new_study"), key="new_title")
low, high = st.columns(2)
scale = (low.number_input(tr("scale_min"), value=1, step=1, key="scale_min"),
         high.number_input(tr("scale_max"), value=5, step=1, key="scale_max"))
role_labels = {role: tr(f"role_{role}") for role in ROLES}
role_codes = {label: role for role, label in role_labels.items()}
groups = {}
for index, (name, table) in enumerate(tables.items()):
    st.markdown(f"**{escape_markdown(name)}**")
    group = st.text_input(tr("group_name"), value=["customers", "employees"][index]
                          if index < 2 else f"group{index + 1}", key=f"group_{name}")
    guessed = guess_mapping(table)
    found = guessed[guessed["role"] == "item"].groupby("dimension", sort=False).size()
    st.caption(md("guessed_dimensions", count=len(found),
                  names=("、" if st.session_state[S.LANG] == "zh" else ", ").join(
                      f"{d} ({k})" for d, k in found.items()) or "–"))
    edited = st.data_editor(
        guessed.assign(role=guessed["role"].map(role_labels)), key=f"mapping_{name}",
        hide_index=True, width="stretch",
        column_config={
            "column": st.column_config.TextColumn(tr("column"), disabled=True),
            "role": st.column_config.SelectboxColumn(tr("role"), options=list(role_labels.values()),
                                                     required=True),
            "dimension": st.column_config.TextColumn(tr("dimension")),
            "item": st.column_config.TextColumn(tr("item")),
            "reverse": st.column_config.CheckboxColumn(tr("reverse"))})
    groups[group] = (name, edited.assign(role=edited["role"].map(role_codes)))
try:
    draft = study_yaml(title, scale, groups)
except StudyError as error:
    show_error(error)
    st.stop()
with st.expander(tr("yaml_preview")):
    st.code(draft, language="yaml")
c1, c2 = st.columns(2)
c1.download_button(tr("download_yaml"), draft, file_name="study.yaml", mime="text/yaml",
                   key="dl_draft_yaml")
if c2.button(tr("use_study"), key="use_draft", type="primary"):
    use_study(draft, folder)
