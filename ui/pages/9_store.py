"""Study store: the stored studies, saving the study open in the app, opening and deleting one.

The buttons act in callbacks, before the page is drawn, so that the list shows their effect."""
import streamlit as st

from surveys.errors import StudyError
from ui import auth, store, workspace
from ui import state as S
from ui.setup import escape_markdown, init_state, lang, show_table, source_key, tr

MESSAGE = "store_message"  # (kind, text) of the last action, shown once


def _failed(error: StudyError) -> None:
    st.session_state[MESSAGE] = ("error", escape_markdown(error.render(lang())))


def _save() -> None:
    if not auth.is_editor():
        return
    text, folder, *_ = source_key()
    wave = (st.session_state.get("store_wave") or "").strip() or None
    try:
        study_id = store.save_current(text, folder, wave=wave)
        st.session_state[MESSAGE] = ("success", tr("store_saved", id=study_id))
    except StudyError as error:
        _failed(error)


def _open(study_id: int) -> None:
    """Open a stored study in a new folder of the session; the folder of the study opened
    before is removed (a session keeps one copy)."""
    before = (st.session_state.get(S.SOURCE) or {}).get("dir")
    try:
        st.session_state[S.SOURCE] = store.open_stored(study_id)
        st.session_state[S.WAVE] = None
        st.session_state[MESSAGE] = ("success", tr("store_opened", id=study_id))
    except StudyError as error:
        _failed(error)
        return
    workspace.release(before)


def _delete(study_id: int) -> None:
    if not auth.is_editor():
        return
    try:
        store.delete_stored(study_id)
        st.session_state["store_confirm"] = False
        st.session_state[MESSAGE] = ("success", tr("store_deleted", id=study_id))
    except StudyError as error:
        _failed(error)


init_state()
st.title(tr("page_store"))
st.caption(tr("store_caption"))
kind, text = st.session_state.pop(MESSAGE, (None, None))
if kind == "success":
    st.success(text)
elif kind == "error":
    st.error(text)

try:
    studies = store.stored_studies()
except StudyError as error:
    st.error(escape_markdown(error.render(lang())))
    st.stop()

if studies:
    show_table([{tr("store_id"): s.id, tr("store_title"): s.title,
                 tr("store_waves"): ", ".join(w.name for w in s.waves),
                 tr("store_data"): tr("live_table") if s.live else tr("store_data_files"),
                 tr("store_files"): len(s.files), tr("store_size"): f"{s.size / 1024:,.0f} KB",
                 tr("store_created"): f"{s.created:%Y-%m-%d %H:%M}"} for s in studies])
else:
    st.info(tr("store_empty"))

editor = auth.is_editor()
if editor:
    st.subheader(tr("store_save_header"))
    st.text_input(tr("store_save_wave"), key="store_wave")
    st.button(tr("store_save"), key="store_save", on_click=_save)
else:
    st.info(tr("viewer_store_note"))

if studies:
    st.subheader(tr("store_open_header"))
    by_id = {s.id: s for s in studies}
    labels = {i: f"{i} · {s.title}" + (f" · {tr('live_table')}" if s.live else "")
              for i, s in by_id.items()}
    chosen = st.selectbox(tr("store_pick"), list(by_id), key="store_pick",
                          format_func=labels.__getitem__)
    if by_id[chosen].live:
        st.caption(tr("store_live_header"))
        show_table([{tr("store_live_group"): t.group, tr("store_live_wave"): t.wave,
                     tr("store_live_engine"): t.engine, tr("store_live_table"): t.table or "",
                     tr("store_live_where"): t.where or "", tr("store_live_rows"): t.rows,
                     tr("store_live_sampled"): "" if t.sampled is None else t.sampled,
                     tr("store_live_read"): f"{t.read:%Y-%m-%d %H:%M}"}
                    for t in by_id[chosen].live_tables])
    left, right = st.columns(2)
    left.button(tr("store_open"), key="store_open", on_click=_open, args=(chosen,))
    if editor:
        confirmed = right.checkbox(tr("store_confirm"), key="store_confirm")
        right.button(tr("store_delete"), key="store_delete", disabled=not confirmed,
                     on_click=_delete, args=(chosen,))
