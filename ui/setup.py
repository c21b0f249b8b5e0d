"""Shared set-up of every page: load and analyse the current study (cached), the sidebar, the
page header, and small display helpers (rounded numbers, p-values, tables, charts).

Pages only lay out what ``analysis`` computed: the one place the analysis runs is
:func:`results_for`, cached on the study's content, the exclusion switches, the wave and the
filters. Every :class:`~surveys.errors.StudyError` is shown as a message, never a traceback.
"""
from __future__ import annotations

import atexit
import gc
import hashlib
import importlib
import math
import re
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import pandas as pd
import streamlit as st

from analysis.charts import display_name, format_p
from analysis.figure_json import Figure as JSONFigure
from analysis.i18n import section_name, t, table
from analysis.pipeline import ABC_COLUMN, analyse, with_abc_class
from analysis.weighting import with_weights
from surveys.errors import StudyError
from surveys.i18n import Text, render
from surveys.load import StudyData, combine_waves, load_study
from surveys.study import parse_study
from ui import auth, workspace
from ui import state as S

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "study.yaml"
RESULTS_KEPT = 12


def init_state() -> None:
    """Put every declared session-state key in place, clean up ended sessions' folders
    (:func:`ui.workspace.sweep`) and ask for a login where one is configured
    (:func:`ui.auth.require_login`: the page stops until someone allowed is logged in). Called by
    app.py and at the top of every page (through :func:`page` or directly), so that a page also
    works, and is also protected, when it runs first."""
    for key, value in S.DEFAULTS.items():
        st.session_state.setdefault(key, value)
    _TABLES.study = None  # the study's title and wave in Word downloads' names: once per run
    workspace.sweep()
    auth.require_login()


def lang() -> str:
    return st.session_state.get(S.LANG, "zh")


def tr(key: str, **values) -> str:
    """The label ``key`` in the session's language."""
    return t(key, lang(), **values)


def md(key: str, **values) -> str:
    """The label ``key`` for Markdown (st.markdown, st.caption, st.warning, a subheader...): its
    text ``values`` (names, titles, waves: data) escaped with :func:`escape_markdown`; numbers
    are left as they are."""
    return tr(key, **{name: escape_markdown(value) if isinstance(value, str) else value
                      for name, value in values.items()})


def show_error(error: StudyError) -> None:
    """A StudyError as a message in the session's language (file and column names escaped)."""
    st.error(escape_markdown(error.render(lang())))


def source_key() -> tuple[str, str, tuple, tuple, tuple]:
    """(study YAML text, folder of its files, exclusion switches, the folder's file stamps, stored
    waves): what the loaded data depends on; a file uploaded again with new content changes the
    stamps. Stored waves are (wave, study file, its wave name in that file) of a stored study
    whose waves were added separately (see :func:`store.open_stored`)."""
    source = st.session_state.get(S.SOURCE)
    text, folder = ((SAMPLE.read_text(encoding="utf-8"), str(SAMPLE.parent)) if source is None
                    else (source["yaml"], source["dir"]))
    exclude = st.session_state.get(S.EXCLUDE)
    files = [p for p in Path(folder).iterdir() if p.is_file()] if Path(folder).is_dir() else []
    stamps = tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files))
    waves = tuple(tuple(w) for w in (source or {}).get("waves", ()))
    return text, folder, tuple(sorted(exclude.items())) if exclude else (), stamps, waves


@st.cache_resource(show_spinner=False, max_entries=8)
def load(text: str, folder: str, exclude: tuple, stamps: tuple = (),
         waves: tuple = ()) -> StudyData:
    """The study read from its YAML text (paths relative to ``folder``), exclusions overridden;
    ``stamps`` only keys the cache. With stored ``waves``, each wave is read from its own study
    file and the waves are joined (:func:`surveys.load.combine_waves`)."""
    if waves:
        parts = []
        for wave, path, name_in_file in waves:
            part = load(Path(path).read_text(encoding="utf-8"), str(Path(path).parent), exclude)
            parts.append((wave, at_wave(part, name_in_file)))
        return combine_waves(parts)
    folder_path = Path(folder)
    study_file = folder_path / "study.yaml"
    study = parse_study(text, path=study_file if study_file.exists() else None,
                        base_dir=folder_path, inside=folder_path)
    if exclude:
        study = replace(study, exclude=dict(exclude))
    data = load_study(study)
    digest = hashlib.sha256(f"{text}|{exclude}".encode()).hexdigest()[:16]
    return replace(data, fingerprint=f"{data.fingerprint}|{digest}")


def base_study():
    """The current study as its file says (before the Data quality page's exclusion switches);
    its data files must be in its folder. Parsed once per study file and folder content (kept:
    treat as read-only)."""
    text, folder, _, stamps, _ = source_key()
    return _parsed_study(text, folder, stamps)


@st.cache_resource(show_spinner=False, max_entries=8)
def _parsed_study(text: str, folder: str, stamps: tuple = ()):
    """``stamps`` (the folder's files) only keys the cache."""
    return parse_study(text, base_dir=Path(folder), inside=folder)


@st.cache_resource(show_spinner=False, max_entries=8)
def _respondents(fingerprint: str, _data: StudyData) -> pd.DataFrame:
    from analysis.respondents import respondents_table

    return respondents_table(_data)


def respondents(data: StudyData) -> pd.DataFrame:
    """:func:`analysis.respondents.respondents_table` of the loaded study, kept per study content
    (the Data quality page shows it on every run; treat as read-only)."""
    return _respondents(data.fingerprint, data)


@st.cache_resource(show_spinner=False)
def _results_store() -> OrderedDict:
    """Computed results by (fingerprint, wave, filters), the most recent :data:`RESULTS_KEPT`."""
    return OrderedDict()


def at_wave(data: StudyData, wave: str) -> StudyData:
    """The study seen from ``wave``: that wave is the current one, later waves are left out."""
    waves = data.study.waves[: data.study.waves.index(wave) + 1]
    groups = {key: group for key, group in data.groups.items() if key[0] in waves}
    return replace(data, study=replace(data.study, wave=wave, waves=waves), groups=groups)


def with_abc_every_wave(data: StudyData) -> StudyData:
    """The ABC class (:func:`analysis.pipeline.with_abc_class`, the study's cut-offs) of every
    wave's customers, so that an ABC filter applies to the trend's earlier waves too."""
    study = data.study
    for wave in study.waves:
        data = with_abc_class(replace(data, study=replace(study, wave=wave)))
    return replace(data, study=study)


def _filter_note(note: Text | str, data: StudyData) -> str:
    """A note of :meth:`StudyData.filtered` in the session's language, with display names."""
    if not isinstance(note, Text) or note.key != "load_filter_not_applied":
        return render(note, lang())
    values = dict(note.values)
    column, group = values["column"], values["group"]
    name = tr("abc_class") if column == ABC_COLUMN else data.study.name(column, lang())
    return tr("filter_not_applied", column=name, group=data.study.name(group, lang()))


def say(message: Text | str) -> str:
    """A message (a :class:`~surveys.i18n.Text` note, warning or detail, or a plain string) in
    the session's language, made safe for Markdown (it may quote data: column names, answers)."""
    return escape_markdown(render(message, lang()))


def filter_columns(data: StudyData) -> list[str]:
    """The sidebar's filter columns: the study's segments and, with revenue, the ABC class."""
    return [*data.study.segments, *([ABC_COLUMN] if data.study.revenue else [])]


@st.cache_data(show_spinner=False, max_entries=64)
def _filter_values(fingerprint: str, column: str, _data: StudyData) -> list:
    values = set()
    for frame in with_abc_class(_data).frames().values():
        if column in frame:
            values.update(v for v in frame[column].dropna().unique().tolist())
    return sorted(values, key=str)


def filter_values(data: StudyData, column: str) -> list:
    """The values a filter column takes in the current wave (cached on the study's content)."""
    return _filter_values(data.fingerprint, column, data)


#: the sections in the order analyse() builds them, for the progress bar
SECTIONS = ["study", "quality", "weighting", "descriptives", "reliability", "validity", "indices",
            "gaps", "servqual", "trends", "ipa", "drivers", "kano", "comparisons", "segments", "text",
            "customers", "ladder", "pls"]


def _computing(section: str) -> None:
    """Shown while a page waits for a section it asks for the first time."""
    done = SECTIONS.index(section) if section in SECTIONS else 0
    st.toast(tr("computing_section", section=section_name(section, lang())),
             icon=":material/hourglass_top:", duration=2 if done else 3)


def results_for(data: StudyData, wave: str, filters: dict[str, list]) -> tuple[dict, list[str]]:
    """results.json of the study at ``wave`` restricted by ``filters`` and the filter notes.
    Sections are built when a page first asks for them (:class:`analysis.pipeline.LazyResults`)
    and then served from the cache, so the first page computes only what it shows; the others
    are built meanwhile by a forked copy of the process where one can be forked
    (:meth:`~analysis.pipeline.LazyResults.build_elsewhere`: on the other processor, while the
    first page is laid out), else by a thread once the page is shown (:func:`build_rest`)."""
    key = (data.fingerprint, wave, str(sorted(filters.items())))
    store = _results_store()
    if key not in store:
        # weighted before the filter: a filtered view keeps its rows' weights of the whole
        # group (raking only the filtered rows to the study's margins fails, or gives other
        # weights, once the filter leaves out a margin's levels: say, one region)
        seen = with_weights(with_abc_every_wave(at_wave(data, wave)))
        filtered = seen.filtered(filters)
        store[key] = (analyse(filtered, progress=_computing, lazy=True),
                      filtered.notes[len(seen.notes):])
        if hasattr(store[key][0], "build_rest"):  # a plain dict (tests) is whole already
            store[key][0].build_elsewhere()
            _unfinished.append(store[key][0])
        while len(store) > RESULTS_KEPT:
            store.popitem(last=False)
    store.move_to_end(key)
    return store[key]


#: results whose other sections :func:`build_rest` has not started on yet
_unfinished: list = []

#: modules that pages other than the first import on their first visit, imported when the
#: first page is shown (~0.22 s of CPU): Streamlit's emoji pattern (compiled on the first alert
#: of any page whose text is not ASCII: every alert in Chinese; ~0.17 s), the Study page's
#: wizard, the Data quality page's respondents table, the theme editor's YAML writer, plotly's
#: colour scales
WARM_MODULES = ("streamlit.emojis", "ui.wizard", "analysis.respondents", "surveys.study_edit",
                "plotly.colors")
#: imported by the background thread instead (DuckDB for the Stored studies page, ~0.3 s): the
#: first page's script run would be that much longer
BACKGROUND_MODULES = ("ui.store",)


def build_rest() -> None:
    """After a page is shown (app.py): :func:`_prepare_process`, then in a background thread
    build the sections the page did not ask for and prepare the study's cached tables other
    pages show (:func:`_build_and_warm`), so that switching to another page finds them ready."""
    _prepare_process()
    if not _unfinished:
        return
    try:  # the session's study, read here: the background thread has no session state
        data = current_data()
        text, folder, _, stamps, _ = source_key()
        warm = [partial(_respondents, data.fingerprint, data),
                partial(_parsed_study, text, folder, stamps)]
    except StudyError:
        warm = []
    warm += [partial(importlib.import_module, name) for name in BACKGROUND_MODULES]
    while _unfinished:
        threading.Thread(target=_build_and_warm, args=(_unfinished.pop(), warm),
                         daemon=True).start()


def _prepare_process() -> None:
    """Once per process, after the first page's content is sent (the reader sees it as soon):
    import :data:`WARM_MODULES` here rather than in the background thread, where they shared
    the processor with the page clicked next (a click right after waits for the rest of them
    instead); then freeze the objects made so far (the imported modules', ~200,000) out of the
    garbage collector's passes: a full pass over them cost a page run 0.25-0.45 s now and then.
    Objects made later are collected as before; the first results' objects would be kept until
    the process ends should they ever become unreachable cycles."""
    for name in WARM_MODULES:
        importlib.import_module(name)
    if not gc.get_freeze_count():
        gc.freeze()
        atexit.register(gc.unfreeze)  # collected at exit as before (DuckDB's bindings count leaks)


def _build_and_warm(results, warm: list) -> None:
    """The remaining sections (:meth:`analysis.pipeline.LazyResults.build_rest`) and the
    ``warm`` calls (cached results a page shows: the respondents table, the parsed study file;
    :data:`BACKGROUND_MODULES`),
    each step only while no page is being run (:func:`page_run`). When a forked copy builds the
    sections (``results.building_elsewhere``), build_rest only waits for it: it comes last, so
    that the calls are made here meanwhile."""
    rest = [partial(results.build_rest, busy=_pages_running)]
    elsewhere = results.building_elsewhere
    for step in [*([] if elsewhere else rest), *warm, *(rest if elsewhere else [])]:
        while _pages_running():
            time.sleep(0.005)
        step()


#: script runs of pages under way, in every session (see :func:`page_run`)
_RUNNING = [0]
_RUNNING_LOCK = threading.Lock()


@contextmanager
def page_run():
    """Marks a page's script run (app.py): while any is under way, the background build waits
    (:func:`_build_and_warm`), so that the page a reader clicked has the processor (Python runs
    one thread at a time) and builds any section it needs that is not built yet itself."""
    with _RUNNING_LOCK:
        _RUNNING[0] += 1
    try:
        yield
    finally:
        with _RUNNING_LOCK:
            _RUNNING[0] -= 1


def _pages_running() -> bool:
    return _RUNNING[0] > 0


def _few_left(results: dict, min_n: int) -> list[str]:
    """Groups left with fewer than ``min_n`` respondents after the filters."""
    indices = results.get("indices") or {}
    return [g for g, counts in results["study"]["groups"].items()
            if ((indices.get(g) or {}).get("n", counts["n"]) or 0) < min_n]


@dataclass
class Context:
    """What a page lays out: the results dict and where it came from."""

    results: dict
    data: StudyData
    wave: str
    filters: dict[str, list]
    notes: list[Text]
    lang: str

    def name(self, code: str, short: bool = False) -> str:
        """Display name of a group, dimension or item (the study's ``names``), in the language of
        this run (bound here, so that widgets' format functions work outside the run too)."""
        return display_name(self.results, code, self.lang, short=short)

    @property
    def groups(self) -> list[str]:
        return list(self.results["study"]["groups"])


def current_data() -> StudyData:
    """The loaded study (raises StudyError)."""
    return load(*source_key())


def sidebar() -> None:
    """Language, current study, wave and filters, the logged-in user: shared by every page
    (called by app.py)."""
    auth.sidebar_account()
    with st.sidebar:
        st.radio(t("language", lang()), ["zh", "en"], key=S.LANG, horizontal=True,
                 format_func=lambda code: {"zh": "中文", "en": "English"}[code])
        try:
            data = current_data()
        except StudyError as error:
            show_error(error)
            return
        st.caption(f"{tr('current_study')}: **{escape_markdown(data.study.title)}**")
        waves = data.study.waves
        if st.session_state.get(S.WAVE) not in waves:
            st.session_state[S.WAVE] = data.study.wave
        st.selectbox(tr("wave"), waves, key=S.WAVE)
        st.markdown(f"**{tr('filters')}**")
        for column in filter_columns(data):
            label = (tr("abc_class") if column == ABC_COLUMN
                     else data.study.name(column, lang()))
            st.multiselect(escape_markdown(label), filter_values(data, column),
                           key=S.filter_key(column), placeholder=tr("all"))


def page(title_key: str, caption_key: str | None = None) -> Context | None:
    """The page header and the current results; None (after showing why) when the study cannot be
    loaded, so that the page can stop."""
    init_state()
    st.title(tr(title_key))
    _TABLES.page, _TABLES.count = tr(title_key), 0  # names the page's Word downloads
    if caption_key:
        st.caption(tr(caption_key))
    try:
        data = current_data()
        wave = st.session_state.get(S.WAVE) or data.study.wave
        if wave not in data.study.waves:
            wave = data.study.wave
        filters = {c: st.session_state.get(S.filter_key(c)) or [] for c in filter_columns(data)}
        filters = {c: v for c, v in filters.items() if v}
        results, notes = results_for(data, wave, filters)
    except StudyError as error:
        show_error(error)
        st.info(tr("fix_study_hint"))
        return None
    if filters:
        shown = "; ".join(escape_markdown(
            f"{tr('abc_class') if c == ABC_COLUMN else data.study.name(c, lang())}"
            f" = {', '.join(map(str, v))}") for c, v in filters.items())
        st.info(f"{tr('filtered_by')}: {shown}")
    for note in notes:
        st.caption(f"ℹ️ {escape_markdown(_filter_note(note, data))}")
    for group in _few_left(results, data.study.min_n) if filters else []:
        st.warning(md("few_left", group=data.study.name(group, lang()), n=data.study.min_n))
    return Context(results, data, wave, filters, notes, lang())


# ---------------------------------------------------------------- display helpers

_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def escape_markdown(text) -> str:
    """Data text (a title, a dimension, item or segment name, a comment) made safe to put into
    ``st.markdown``, ``st.caption``, ``st.error`` and other Markdown: every ASCII punctuation
    character is backslash-escaped (CommonMark allows it for all of them), so that no link,
    image, emphasis, HTML or autolink ("http://…", "www.…") can come from the data."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", str(text))


def num(value, digits: int = 2) -> str:
    """A number rounded for reading; "–" when undefined."""
    return "–" if value is None else f"{value:.{digits}f}"


def pct(share, digits: int = 1) -> str:
    """A share as a percentage; "–" when undefined."""
    return "–" if share is None else f"{share * 100:.{digits}f}%"


def ci(interval, digits: int = 2) -> str:
    return "–" if not interval or interval[0] is None else (
        f"[{interval[0]:.{digits}f}, {interval[1]:.{digits}f}]")


def pval(p) -> str:
    return format_p(p)


def show_table(rows: list[dict], height: int | None = None, title: str | None = None) -> None:
    """A table of already formatted rows; column headers are the dict keys (translated labels).
    Small buttons under it download the table as formula-safe CSV (:func:`csv_download`) and as a
    three-line table in Word (:func:`word_download`)."""
    if not rows:
        st.info(tr("nothing_to_show"))
        return
    frame = pd.DataFrame(rows)
    kwargs = {"height": height} if height else {}
    st.dataframe(frame, hide_index=True, width="stretch", **kwargs)
    table_downloads(frame, title)


def table_downloads(frame: pd.DataFrame, title: str | None = None) -> None:
    """The CSV and Word downloads of a shown table, side by side under it."""
    text = table_text(frame)
    with st.container(horizontal=True, gap="small"):
        csv_download(frame, text)
        word_download(frame, title, text)


def table_text(frame: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """A shown table's column headers and cells as text (empty for a missing value): the Word
    table's content, and what names both downloads of the table."""
    headers = [str(c) for c in frame.columns]
    cells = [["" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v) for v in row]
             for row in frame.astype(object).values.tolist()]
    return headers, cells


def csv_download(frame: pd.DataFrame, text: tuple | None = None) -> None:
    """A small button downloading ``frame`` as formula-safe CSV
    (:func:`analysis.report.safety.formula_safe_csv`): Streamlit's own "Download as CSV" of
    st.dataframe writes ``=HYPERLINK(…)`` or ``@cmd`` cells from the data as they are, so it is
    switched off (``client.disableDataExport`` in ``.streamlit/config.toml``) and this one is
    offered instead. The file is written when the button is clicked (writing every table's CSV on
    every run of a page cost ~20 ms a table) and named by the table's content (``text``, its
    :func:`table_text`); identical tables on one page get a number."""
    from streamlit.errors import StreamlitDuplicateElementId

    from analysis.report.safety import formula_safe_csv

    stem = "table-" + hashlib.sha256(repr(text or table_text(frame)).encode()).hexdigest()[:8]
    for copy in range(1, 100):
        try:
            st.download_button(tr("download_csv"), partial(formula_safe_csv, frame),
                               file_name=stem + (f"-{copy}" if copy > 1 else "") + ".csv",
                               mime="text/csv", help=tr("download_csv_help"), on_click="ignore",
                               type="tertiary", icon=":material/download:")
            return
        except StreamlitDuplicateElementId:
            continue


#: the current script run's page title and how many tables it has shown (one per thread: each
#: session's script runs in its own thread)
_TABLES = threading.local()


def word_download(frame: pd.DataFrame, title: str | None = None, text: tuple | None = None) -> None:
    """A small "Word" download of one shown table: a .docx with the table as a three-line table
    (:func:`analysis.report.docx.table_docx`), built only when clicked, named after the study,
    the page and the table (``<title>_<wave>_<page>_表2.docx``, or the table's ``title``).
    ``text``: the table's :func:`table_text` when the caller has it."""
    from streamlit.errors import StreamlitDuplicateElementKey

    from analysis.report import report_file_name

    headers, cells = text or table_text(frame)
    language = lang()
    study = getattr(_TABLES, "study", None)
    if study is None:
        try:
            data = current_data()
            study = {"title": data.study.title,
                     "wave": st.session_state.get(S.WAVE) or data.study.wave}
        except StudyError:
            study = {}
        _TABLES.study = study
    _TABLES.count = getattr(_TABLES, "count", 0) + 1
    label = title or "_".join(part for part in (getattr(_TABLES, "page", ""),
                                                 tr("table_file", k=_TABLES.count)) if part)
    name = report_file_name({"study": study}, f"{label}.docx")
    digest = hashlib.sha1(repr((title, headers, cells, language)).encode()).hexdigest()[:12]

    def build() -> bytes:
        from analysis.report.docx import table_docx

        return table_docx(headers, cells, title, language)

    for attempt in range(20):  # the same table twice on one page gets a second key
        try:
            st.download_button(tr("download_table_word"), build, file_name=name, key=f"word_{digest}_{attempt}",
                               mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                               help=tr("download_table_word_help"), on_click="ignore", type="tertiary",
                               icon=":material/download:")
            return
        except StreamlitDuplicateElementKey:
            continue


def show_chart(figure, key: str | None = None) -> None:
    """A figure of :mod:`analysis.charts` (plotly's, or the plain JSON built inside
    :func:`analysis.charts.plain_json`, as app.py runs the pages: :func:`plotly_figure`), or a
    note that the section has nothing to draw."""
    if figure is None:
        st.info(tr("nothing_to_show"))
        return
    if isinstance(figure, JSONFigure):
        figure = plotly_figure(figure)
    st.plotly_chart(figure, width="stretch", key=key, config={"displaylogo": False})


def plotly_figure(figure: JSONFigure):
    """plotly's figure holding a plain JSON figure (:class:`analysis.figure_json.Figure`) as it
    is, without plotly's validation, so that Streamlit sends that JSON. Built with plotly's
    figure methods, a page's figure cost 20-200 ms (the path diagram's 19 annotations ~0.19 s of
    CPU), as plain JSON 1-6 ms and then ~2 ms here; validating the JSON again would cost 15-25
    ms. The JSON is the one plotly's methods write (``tests/test_app_speed.py`` compares every
    chart of every page both ways)."""
    import plotly.graph_objects as go

    return go.Figure(figure.to_plotly_json(), _validate=False)


def pick_group(ctx: Context, groups: list[str], key: str) -> str | None:
    """A group chooser (skipped when there is only one group)."""
    groups = [g for g in groups if g]
    if not groups:
        return None
    if len(groups) == 1:
        return groups[0]
    return st.radio(tr("group"), groups, format_func=lambda g: escape_markdown(ctx.name(g)),
                    horizontal=True, key=key)


def warnings_list(ctx: Context, warnings: list) -> None:
    """Warnings of a section (dicts with code/dimension/item/value/threshold, or strings)."""
    for w in warnings or []:
        if isinstance(w, dict) and w.get("code") == "below_minimum_n":
            continue  # said once by below_minimum_note
        if isinstance(w, dict):
            where = escape_markdown(" / ".join(" – ".join(ctx.name(part)
                                                          for part in str(w[k]).split("|"))
                                               for k in ("dimension", "item") if w.get(k)))
            value = "" if w.get("value") is None else f" ({num(w['value'], 3)}"
            value += "" if not value or w.get("threshold") is None else f" vs {num(w['threshold'], 3)})"
            value += ")" if value and w.get("threshold") is None else ""
            label = f"warn_{w.get('code', '')}"
            text = tr(label) if label in table() else tr("warn_unknown")
            st.warning(f"{text} {where}{value}".strip())
        else:
            st.warning(say(w))


def below_minimum_note(ctx: Context, group: str, *sections: dict | None,
                       text: str = "below_minimum") -> bool:
    """One plain sentence (the label ``text``) when a group's statistics were left out for too
    few respondents (:mod:`analysis.minimum`): how many answered and how many are needed. True
    if said."""
    found = [w for section in sections for entry in _entries(section)
             for w in entry.get("warnings") or [] if isinstance(w, dict)
             and w.get("code") == "below_minimum_n"]
    if not found:
        return False
    fewest = min(found, key=lambda w: w["value"])
    st.info(tr(text, group=escape_markdown(ctx.name(group)), n=int(fewest["value"]),
               needed=int(max(w["threshold"] for w in found))))
    return True


def _entries(section: dict | None) -> list[dict]:
    """The entries holding warnings in a group's reliability (per dimension) or validity."""
    if not section:
        return []
    if "warnings" in section:
        return [section]
    return [e for e in section.values() if isinstance(e, dict)]
