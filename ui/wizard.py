"""The Study page's wizard: uploads kept in the session, the guessed study (a
:class:`surveys.guess.Draft`) shown as dimensions with their items, bulk assignment, renaming in
place, reverse suggestions, scale and invalid-answer controls, and the matching of a second
questionnaire. Every edit goes straight into the draft in ``st.session_state`` (so that it
survives a visit to another page); widgets are keyed by :data:`ui.state.DRAFT_VERSION`, bumped
whenever the draft changes under them.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from surveys.errors import StudyError
from surveys.guess import ROLES, Draft, draft_of_study, guess_files
from surveys.i18n import render
from surveys.importers import read_table
from surveys.importers.base import ImportedTable
from surveys.load import StudyData
from surveys.study import Study
from analysis.i18n import t
from ui import state as S
from ui import workspace
from ui.setup import current_data, escape_markdown, lang, tr
from ui.study import STUDY_SUFFIXES, save_uploads

__all__ = ["bump", "take_uploads", "clear_uploads", "session_tables", "guess_if_new",
           "edit_current", "check_study", "switched_summary", "summary", "reverse_box",
           "questions_box", "settings", "dimensions_editor", "roles_editor", "bulk_bar",
           "matching_editor"]

#: roles offered for the other columns (items get a dimension through the bulk bar)
OTHER_ROLES = [r for r in ROLES if r != "item"]


def _picked() -> list[str]:
    """The first file's columns ticked in this run's tables (for the bulk bar)."""
    return st.session_state.setdefault("_wizard_picked", [])


def _key(name: str) -> str:
    return f"wz{st.session_state.get(S.DRAFT_VERSION, 0)}_{name}"


def bump() -> None:
    """Show the draft afresh in every wizard widget (after a change made by a button)."""
    st.session_state[S.DRAFT_VERSION] = st.session_state.get(S.DRAFT_VERSION, 0) + 1


def _folder() -> str:
    """The session's upload folder (:func:`ui.workspace.upload_folder`; made again if swept)."""
    folder = st.session_state.get(S.UPLOAD_DIR)
    if not folder or not Path(folder).is_dir():
        st.session_state[S.UPLOAD_DIR] = folder = str(workspace.upload_folder())
    return folder


@st.cache_resource(show_spinner=False, max_entries=16)
def _read(path: str, stamp: tuple) -> ImportedTable:
    """A file read once per content (``stamp``: size and modification time); treat as read-only."""
    return read_table(path)


def _stamp(path: Path) -> tuple:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def take_uploads(uploads: list) -> None:
    """Save new uploads into the session's folder and keep them in the session; a data file no
    importer reads is shown as an error and not kept."""
    kept = dict(st.session_state.get(S.UPLOADS) or {})
    for upload in uploads:
        content = upload.getvalue()
        known = kept.get(Path(upload.name).name)
        if known and Path(known).is_file() and Path(known).read_bytes() == content:
            continue
        try:
            saved = save_uploads({upload.name: content}, _folder())
            for name, path in saved.items():
                if path.suffix.lower() not in STUDY_SUFFIXES:
                    _read(str(path), _stamp(path))
                kept[name] = str(path)
        except StudyError as error:
            st.error(escape_markdown(error.render(lang())))
    st.session_state[S.UPLOADS] = kept


def clear_uploads() -> None:
    """Forget this session's uploads and the draft guessed from them."""
    st.session_state[S.UPLOADS] = None
    st.session_state[S.DRAFT] = None
    st.session_state[S.DRAFT_FILES] = None


def session_tables() -> tuple[str | None, dict[str, ImportedTable]]:
    """The uploaded study file's text (None without one) and every uploaded data file read."""
    text, tables = None, {}
    for name, path in (st.session_state.get(S.UPLOADS) or {}).items():
        path = Path(path)
        if not path.is_file():
            continue
        if path.suffix.lower() in STUDY_SUFFIXES:
            text = path.read_text(encoding="utf-8")
        else:
            try:
                tables[name] = _read(str(path), _stamp(path))
            except StudyError as error:
                st.error(escape_markdown(error.render(lang())))
    return text, tables


def guess_if_new(tables: dict[str, ImportedTable]) -> None:
    """Guess the study again when the uploaded data files changed (names or contents)."""
    files = _files_key(tables)
    if not tables or files == st.session_state.get(S.DRAFT_FILES):
        return
    with st.spinner(tr("wizard_guessing")):
        st.session_state[S.DRAFT] = guess_files(tables, folder=_folder())
    st.session_state[S.DRAFT_FILES] = files
    st.session_state[S.SWITCHED] = None
    bump()


def _files_key(tables: dict[str, ImportedTable]) -> tuple:
    """The uploaded data files a draft was guessed from: names, sizes and modification times."""
    kept = st.session_state.get(S.UPLOADS) or {}
    return tuple((name, _stamp(Path(kept[name])) if name in kept else None) for name in tables)


def edit_current(study: Study, folder: str) -> None:
    """Open the study in use in the wizard (its files, roles, names and reverse items)."""
    st.session_state[S.DRAFT] = draft_of_study(study, folder)
    _, tables = session_tables()
    st.session_state[S.DRAFT_FILES] = _files_key(tables)
    bump()


def check_study(text: str, folder: str) -> StudyData:
    """Load the study's data as the pages will (the app's cache is warm afterwards); raises the
    StudyError of the first problem. The study in use does not change."""
    previous = st.session_state.get(S.SOURCE), st.session_state.get(S.EXCLUDE)
    st.session_state[S.SOURCE] = {"yaml": text, "dir": folder}
    st.session_state[S.EXCLUDE] = None
    try:
        return current_data()
    finally:
        st.session_state[S.SOURCE], st.session_state[S.EXCLUDE] = previous


def switched_summary(data: StudyData) -> str:
    """'客户 313 行（保留 301）' per group of the current wave, for the confirmation."""
    study = data.study
    return tr("list_separator").join(
        tr("wizard_rows_kept", group=study.name(g, lang()), n_raw=d.quality.n_raw, n=d.quality.n)
        for (w, g), d in data.groups.items() if w == study.wave)


# ------------------------------------------------------------------ the draft on the page

def _name(value) -> str:
    return render(value, lang())


def _dimension_label(draft: Draft, code: str) -> str:
    name = _name(draft.dimension_name(code))
    return name if name == code else f"{name} ({code})"


def summary(draft: Draft) -> None:
    ref = draft.reference
    counts = ref["role"].value_counts()
    dims = draft.dimensions()
    st.markdown(tr("wizard_summary", files=escape_markdown(", ".join(g.file for g in draft.groups)),
                   dimensions=len(dims), items=sum(len(v) for v in dims.values()),
                   satisfaction=int(counts.get("satisfaction", 0)),
                   loyalty=int(counts.get("loyalty", 0)), nps=int(counts.get("nps", 0)),
                   segments=int(counts.get("segment", 0)), ignored=int(counts.get("ignore", 0))))


def reverse_box(draft: Draft) -> None:
    """The suggested reverse-worded items, accepted with one click."""
    ref = draft.reference
    suggested = draft.suggested_reverse()
    if suggested:
        rows = ref[ref["item"].isin(suggested)]
        lines = [f"- **{escape_markdown(r.name or r.column)}** ({escape_markdown(r.item)}): "
                 f"{escape_markdown(_name(r.why))}" for r in rows.itertuples()]
        st.warning(tr("wizard_reverse_suggested", n=len(suggested)) + "\n\n" + "\n".join(lines))
        if st.button(tr("wizard_reverse_accept", n=len(suggested)), key=_key("accept_reverse"),
                     type="primary"):
            draft.accept_reverse()
            bump()
            st.rerun()
    chosen = ref[ref["reverse"] & (ref["role"] == "item")]
    if len(chosen):
        st.caption(tr("wizard_reverse_chosen", items=escape_markdown(
            tr("list_separator").join(r.name or r.item for r in chosen.itertuples()))))


def questions_box(draft: Draft) -> None:
    if draft.questions:
        st.warning(tr("wizard_questions") + "\n\n" + "\n".join(
            f"- {escape_markdown(_name(q))}" for q in draft.questions))


def settings(draft: Draft) -> None:
    """Title, scale and what to do with invalid answers."""
    c1, c2, c3 = st.columns([3, 1, 1])
    draft.title = c1.text_input(tr("study_title"), value=draft.title, key=_key("title")) or draft.title
    low = c2.number_input(tr("scale_min"), value=float(draft.scale[0]), step=1.0, format="%g",
                          key=_key("scale_min"))
    high = c3.number_input(tr("scale_max"), value=float(draft.scale[1]), step=1.0, format="%g",
                           key=_key("scale_max"))
    draft.scale = (low, high)
    if draft.scale_why:
        st.caption(tr("wizard_scale_why", why=escape_markdown(_name(draft.scale_why))))
    missing = st.toggle(tr("wizard_invalid_missing"), value=draft.invalid == "missing",
                        key=_key("invalid"), help=tr("wizard_invalid_help"))
    draft.invalid = "missing" if missing else "error"


def dimensions_editor(draft: Draft) -> None:
    """One box per dimension: its name (editable) and its items (name, reverse, a tick for the
    bulk bar)."""
    _picked().clear()
    st.markdown(f"**{tr('wizard_dimensions')}**")
    ref = draft.reference
    for code, items in draft.dimensions().items():
        with st.container(border=True):
            name = st.text_input(tr("wizard_dimension_name", code=code),
                                 value=_name(draft.dimension_name(code)), key=_key(f"dname_{code}"))
            if name and name != _name(draft.dimension_name(code)):
                draft.dimension_names[code] = name
            rows = ref[(ref["role"] == "item") & (ref["dimension"] == code)]
            shown = pd.DataFrame({"pick": False, "name": rows["name"].where(rows["name"] != "",
                                                                            rows["column"]),
                                  "reverse": rows["reverse"], "item": rows["item"],
                                  "column": rows["column"]})
            edited = st.data_editor(
                shown, key=_key(f"items_{code}"), hide_index=True, width="stretch",
                column_config={
                    "pick": st.column_config.CheckboxColumn(tr("wizard_pick"), width="small"),
                    "name": st.column_config.TextColumn(tr("wizard_item_name")),
                    "reverse": st.column_config.CheckboxColumn(tr("reverse"), width="small"),
                    "item": st.column_config.TextColumn(tr("wizard_code"), disabled=True),
                    "column": st.column_config.TextColumn(tr("column"), disabled=True)})
            _apply(ref, rows.index, edited)


def _apply(ref: pd.DataFrame, index, edited: pd.DataFrame) -> None:
    """Names and reverse flags edited in a table, into the draft; ticked rows to the bulk bar."""
    for position, row_index in enumerate(index):
        row = edited.iloc[position]
        if "name" in edited and row["name"] != (ref.at[row_index, "name"] or ref.at[row_index, "column"]):
            ref.at[row_index, "name"] = row["name"]
        if "reverse" in edited:
            ref.at[row_index, "reverse"] = bool(row["reverse"])
        if bool(row["pick"]):
            _picked().append(ref.at[row_index, "column"])


def roles_editor(draft: Draft) -> None:
    """The first file's other columns: their role, name and why (left-out ones last)."""
    ref = draft.reference
    labels = {role: tr(f"role_{role}") for role in OTHER_ROLES}
    codes = {label: role for role, label in labels.items()}
    for used in (True, False):
        rows = ref[(ref["role"] != "item") & ((ref["role"] != "ignore") == used)]
        if rows.empty:
            continue
        st.markdown(f"**{tr('wizard_roles' if used else 'wizard_left_out')}**")
        shown = pd.DataFrame({"pick": False, "column": rows["column"],
                              "role": rows["role"].map(labels),
                              "name": rows["name"],
                              "why": [_name(w) for w in rows["why"]]})
        edited = st.data_editor(
            shown, key=_key(f"roles_{used}"), hide_index=True, width="stretch",
            column_config={
                "pick": st.column_config.CheckboxColumn(tr("wizard_pick"), width="small"),
                "column": st.column_config.TextColumn(tr("column"), disabled=True),
                "role": st.column_config.SelectboxColumn(tr("role"), options=list(codes),
                                                         required=True),
                "name": st.column_config.TextColumn(tr("wizard_item_name")),
                "why": st.column_config.TextColumn(tr("wizard_why"), disabled=True)})
        changed = False
        for position, row_index in enumerate(rows.index):
            row = edited.iloc[position]
            role = codes.get(row["role"], ref.at[row_index, "role"])
            if role != ref.at[row_index, "role"]:
                draft.assign([ref.at[row_index, "column"]], role)
                changed = True
            if row["name"] != ref.at[row_index, "name"]:
                ref.at[row_index, "name"] = row["name"]
            if bool(row["pick"]):
                _picked().append(ref.at[row_index, "column"])
        if changed:
            bump()
            st.rerun()


def bulk_bar(draft: Draft) -> None:
    """Ticked rows -> a dimension (existing or new) or a role, in one click."""
    st.markdown(f"**{tr('wizard_bulk')}**")
    options = ([("dim", code) for code in draft.dimensions()] + [("new", "")]
               + [("role", role) for role in OTHER_ROLES])
    current = lang()  # bound now: Streamlit may call the format function outside the run
    names = {code: _dimension_label(draft, code) for code in draft.dimensions()}

    def label(option) -> str:
        kind, value = option
        if kind == "dim":
            return t("wizard_to_dimension", current, name=names[value])
        if kind == "new":
            return t("wizard_to_new_dimension", current)
        return t("wizard_to_role", current, role=t(f"role_{value}", current))

    c1, c2, c3 = st.columns([3, 2, 1])
    target = c1.selectbox(tr("wizard_bulk_target"), options, format_func=label,
                          key=_key("bulk_target"))
    name = ""
    if target[0] == "new":
        name = c2.text_input(tr("wizard_new_dimension_name"), key=_key("bulk_new_name"))
    c3.write("")
    picked = _picked()
    apply = c3.button(tr("wizard_bulk_apply", n=len(picked)), key=_key("bulk_apply"),
                      disabled=not picked)
    if not picked:
        st.caption(tr("wizard_bulk_hint"))
    if apply:
        kind, value = target
        if kind == "role":
            draft.assign(list(picked), value)
        else:
            code = value if kind == "dim" else draft.new_dimension(
                name or tr("wizard_new_dimension_default"))
            draft.assign(list(picked), "item", code)
        bump()
        st.rerun()


def matching_editor(draft: Draft) -> None:
    """A later file's rating items and the first file's items they were matched to."""
    ref = draft.reference
    items = ref[ref["role"].isin(("item", "satisfaction", "loyalty"))]
    choices = {f"{r.item} · {r.name or r.column}": r.item for r in items.itertuples()}
    none = tr("wizard_not_used")
    back = {code: label for label, code in choices.items()}
    for number, group in enumerate(draft.groups[1:], start=1):
        mapping = group.mapping
        rows = mapping[(mapping["role"] != "ignore") | mapping["why"].map(
            lambda w: getattr(w, "key", "") == "guess_why_unmatched")]
        rows = rows[rows["role"].isin(("item", "satisfaction", "loyalty", "ignore"))]
        if rows.empty:
            continue
        names = draft.group_names.get(group.group, {})
        st.markdown(f"**{tr('wizard_matching', group=escape_markdown(names.get(lang()) or names.get('zh') or group.group), file=escape_markdown(group.file))}**")
        shown = pd.DataFrame({"column": rows["column"],
                              "match": [back.get(i, none) if r != "ignore" else none
                                        for i, r in zip(rows["item"], rows["role"])],
                              "why": [_name(w) for w in rows["why"]]})
        edited = st.data_editor(
            shown, key=_key(f"match_{number}"), hide_index=True, width="stretch",
            column_config={
                "column": st.column_config.TextColumn(tr("column"), disabled=True),
                "match": st.column_config.SelectboxColumn(tr("wizard_match"),
                                                          options=[none, *choices], required=True),
                "why": st.column_config.TextColumn(tr("wizard_why"), disabled=True)})
        for position, (_, row) in enumerate(rows.iterrows()):
            chosen = edited.iloc[position]["match"]
            if chosen != shown.iloc[position]["match"]:
                draft.match(number, row["column"], choices.get(chosen))
                bump()
                st.rerun()
