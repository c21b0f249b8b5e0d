"""The whole analysis of a study, as one JSON-ready dict: the content of ``results.json``.

``run_study(path)`` loads and cleans the study (:mod:`surveys.load`) and calls each section builder
of ``analysis`` on the scored data. Every key is documented in the README ("results.json
reference"); keys are never renamed silently.
"""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Callable, Iterator

from surveys.load import StudyData, load_study

from . import (cfa, comparisons, customers, descriptives, drivers, factor, gaps, indices, ipa, kano,
               ladder, minimum, pls, reliability, segments, text)
from . import weighted, weighting
from .forked import ForkedBuilder, can_fork
from .jsonready import json_ready
from surveys.study import Study

__all__ = ["RESULTS_VERSION", "ABC_COLUMN", "LazyResults", "analyse", "run_study",
           "with_abc_class", "write_results"]

#: bumped when a key changes meaning or is removed (adding keys does not bump it)
RESULTS_VERSION = 1


def study_section(data: StudyData) -> dict:
    """Title, scale, waves and the rows read / kept / excluded per group and wave."""
    study = data.study

    def counts(wave: str) -> dict:
        return {g: {"n": d.quality.n, "n_raw": d.quality.n_raw, "excluded": d.quality.excluded}
                for (w, g), d in data.groups.items() if w == wave}

    return {
        "title": study.title,
        "wave": study.wave,
        "scale": {"min": data.scale.min, "max": data.scale.max, "inferred": data.scale_inferred},
        "dimensions": study.dimensions,
        "reverse": study.reverse,
        "names": study.names,
        "compare": list(study.compare) if study.compare else None,
        "report": study.report,
        "expectation": study.expectation,
        "importance": study.importance,
        "groups": counts(study.wave),
        "waves": {w: counts(w) for w in study.waves},
        "files": {f"{d.wave}/{d.group}": {"file": d.source.file.name, "format": d.table.format}
                  for d in data.groups.values() if d.source.file is not None},
        "sources": {d.group if d.wave == study.wave else f"{d.wave}/{d.group}": d.record()
                    for d in data.groups.values() if d.source.file is None},
        "fingerprint": data.fingerprint,
        "notes": data.notes,
    }


def quality_section(data: StudyData) -> dict:
    """The data-quality report of every group of the current wave (earlier waves under "waves")."""
    current = {g: d.quality.to_json() for (w, g), d in data.groups.items()
               if w == data.study.wave}
    notes_of = text.quality_notes(data.frames(), data.study.comments) if data.study.comments \
        else {}  # (without comments columns, the scored frames are not made for them)
    for group, notes in notes_of.items():
        current[group]["notes"] = [*current[group]["notes"], *notes]  # on the comments columns
    earlier = {w: {g: d.quality.to_json() for (w2, g), d in data.groups.items() if w2 == w}
               for w in data.study.waves if w != data.study.wave}
    return {**current, "waves": earlier} if earlier else current


def _present(options: dict, columns) -> dict:
    """The study's roles restricted to the columns one group has: items missing from the group
    are left out of lists and mappings, a missing single column becomes None (employees, say,
    answer the dimension items but not the satisfaction, NPS or importance questions)."""
    cols = set(columns)
    out = {}
    for key, value in options.items():
        if key in ("dimensions", "scale", "min_n", "cutoffs", "method"):
            out[key] = value
        elif isinstance(value, (list, tuple)) and key != "compare":
            out[key] = [c for c in value if c in cols]
        elif isinstance(value, dict) and key in ("expectation", "importance"):
            out[key] = {k: v for k, v in value.items() if v in cols}
        elif isinstance(value, str) and key not in ("weights",):
            out[key] = value if value in cols else None
        else:
            out[key] = value
    if out.get("weights") == "importance" and not out.get("importance"):
        out["weights"] = "equal"  # a group without importance questions: equal weights
    return out


def _per_group(build: Callable, frames: dict, options: dict, needs: tuple = ()) -> dict:
    """Call a section builder one group at a time with the roles that group has; groups lacking
    a role in ``needs`` (e.g. satisfaction for key drivers) are left out."""
    out = {}
    for group, frame in frames.items():
        opts = _present(options, frame.columns)
        if all(opts.get(role) for role in needs):
            out.update(build({group: frame}, **opts))
    return out


def _index_options(data: StudyData) -> dict:
    """The study's roles as keyword arguments of the index builders."""
    s = data.study
    return dict(dimensions=s.dimensions, scale=(data.scale.min, data.scale.max),
                satisfaction=s.satisfaction, loyalty=s.loyalty, nps=s.nps,
                expectation=s.expectation, importance=s.importance, weights=s.weights,
                segments=s.segments, min_n=s.min_n)


def _validity(data: StudyData) -> dict:
    """KMO, Bartlett and EFA of each group's item set, with the CFA of the dimension model under
    "cfa" (:func:`analysis.factor.factor_section`, :func:`analysis.cfa.cfa_section`)."""
    frames, dims = data.responses(), data.study.dimensions
    items = reliability.dimension_items(dims)
    answered = {g: r.count_rows(any_of=[i for i in items if i in r]) for g, r in frames.items()}
    enough = {g: r for g, r in frames.items() if answered[g] >= minimum.needed(len(items))}
    efa, fitted = factor.factor_section(enough, dims), cfa.cfa_section(enough, dims)
    return {g: {**efa.get(g, {}), "cfa": fitted.get(g)} if g in enough
            else minimum.validity_too_few(answered[g], items) for g in frames}


def _indices(data: StudyData) -> dict:
    """Indices per group. With importance weights, a group that was not asked the importance
    questions (employees, say) gets the CSI weights of the first group that was, so that the
    groups' indices stay comparable; its "weights" say which were used."""
    options = _index_options(data)
    frames = data.responses()
    asked = [g for g, f in frames.items() if _present(options, f.columns)["importance"]]
    out = _per_group(indices.indices_section, {g: frames[g] for g in asked}, options)
    borrowed = (out[asked[0]]["csi"]["weights"] if asked and options["weights"] == "importance"
                and out[asked[0]]["csi"]["weights"] else None)
    rest = {g: f for g, f in frames.items() if g not in asked}
    out.update(_per_group(indices.indices_section, rest,
                          {**options, "weights": borrowed} if borrowed else options))
    return {g: out[g] for g in frames if g in out}


def _trends(data: StudyData) -> dict:
    """Index changes between waves, one group at a time (see :func:`analysis.gaps.waves_section`)."""
    out = {}
    for group in data.study.groups:
        by_wave = {w: {group: f[group]} for w in data.study.waves
                   if group in (f := data.responses(w))}
        if len(by_wave) > 1:
            columns = set.intersection(*(set(f[group].columns) for f in by_wave.values()))
            options = _present(_index_options(data), columns)
            del options["segments"], options["min_n"]
            out.update(gaps.waves_section(by_wave, **options))
    return out


def _text(data: StudyData, themes_only: bool = False) -> dict:
    s = data.study
    return text.text_section(
        data.frames(), comments=s.comments, themes=s.themes, satisfaction=s.satisfaction,
        nps=s.nps, scale=(data.scale.min, data.scale.max), min_count=s.text.min_count,
        stopwords=s.text.stopwords, themes_only=themes_only)


#: sections :meth:`LazyResults.build_rest` builds before the others, in this order: ``text``
#: (its page is laid out from the preview and waits for the keywords at its end), then those
#: costing ~0.2-0.6 s on the sample (CPU), in the order of their pages in the app's navigation
#: (Reliability: validity; Structural model: pls; Segments: comparisons); a page asking for one
#: of the others (~0.01-0.1 s each) builds it itself
BUILT_FIRST = ("text", "validity", "pls", "comparisons")

#: cheap first looks at sections (:meth:`LazyResults.preview`): key -> builder
PREVIEWS: dict[str, Callable[[StudyData], Any]] = {
    "text": lambda d: _text(d, themes_only=True),
    "pls": lambda d: _pls(d, cards_only=True),
}


def _sections(study: Study) -> list[tuple[str, Callable[[StudyData], Any]]]:
    """(key, builder) for every analysis section that applies to the study, in results.json
    order. Each builder gets the current wave's groups unless it compares waves."""
    s = study
    sections = [
        ("study", study_section),
        ("quality", quality_section),
        *([("weighting", weighting.weighting_section)] if s.weighting else []),
        ("descriptives", lambda d: descriptives.descriptives_section(
            d.responses(), dimensions=s.dimensions, satisfaction=s.satisfaction,
            loyalty=s.loyalty)),
        ("reliability", lambda d: minimum.reliability_minimum(
            reliability.reliability_section(d.responses(), s.dimensions))),
        ("validity", _validity),
        ("indices", _indices),
    ]
    if s.compare:
        sections.append(("gaps", lambda d: gaps.gaps_section(
            d.responses(), compare=s.compare, dimensions=s.dimensions)))
    if s.expectation:
        sections.append(("servqual", lambda d: _per_group(
            gaps.servqual_section, d.responses(),
            dict(expectation=s.expectation, dimensions=s.dimensions), needs=("expectation",))))
    if len(s.waves) > 1:
        sections.append(("trends", _trends))
    if s.satisfaction or s.importance:
        sections.append(("ipa", lambda d: _per_group(
            ipa.ipa_section, d.responses(),
            dict(dimensions=s.dimensions, importance=s.importance, satisfaction=s.satisfaction,
                 method="stated" if s.importance else "derived_corr"),
            needs=("importance",) if s.importance else ("satisfaction",))))
    if s.satisfaction:
        sections.append(("drivers", lambda d: _per_group(
            drivers.drivers_section, d.responses(),
            dict(dimensions=s.dimensions, satisfaction=s.satisfaction, loyalty=s.loyalty),
            needs=("satisfaction",))))
    if s.kano:
        sections.append(("kano", lambda d: _per_group(
            kano.kano_section, d.responses(), dict(kano=s.kano))))
    if s.segments:
        sections.append(("comparisons", lambda d: _per_group(
            comparisons.comparisons_section, d.responses(),
            dict(dimensions=s.dimensions, by=s.segments, satisfaction=s.satisfaction,
                 min_n=s.min_n), needs=("by",))))
    if s.revenue or s.lifecycle or s.cooperation_years:
        sections.append(("segments", lambda d: _per_group(
            segments.segments_section, d.responses(),
            dict(dimensions=s.dimensions, satisfaction=s.satisfaction, loyalty=s.loyalty,
                 nps=s.nps, revenue=s.revenue, growth=s.growth, lifecycle=s.lifecycle,
                 cooperation_years=s.cooperation_years, cutoffs=s.abc, min_n=s.min_n))))
    if s.comments:
        sections.append(("text", _text))
    if s.contact or s.status:
        sections.append(("customers", lambda d: customers.customers_section(
            customers.customer_lists(d))))
    if s.ladder:
        sections.append(("ladder", lambda d: ladder.ladder_section(
            d.frames(), rungs=s.ladder.rungs, reached_from=s.ladder.reached_from,
            segments=s.segments, revenue=s.revenue, cutoffs=s.abc, lifecycle=s.lifecycle,
            cooperation_years=s.cooperation_years, min_n=s.min_n)))
    if s.pls:
        sections.append(("pls", _pls))
    return sections


def _pls(data: StudyData, cards_only: bool = False) -> dict:
    """The structural model per group (:func:`analysis.pls.pls_section`), with its indices in
    every earlier wave; with ``cards_only``, what the dashboard's index cards show."""
    earlier = {w: f for w, f in data.frames_by_wave().items() if w != data.study.wave}
    return pls.pls_section(data.frames(), data.study.pls, (data.scale.min, data.scale.max),
                           earlier=earlier, wave=data.study.wave, cards_only=cards_only)


def analyse(data: StudyData, progress: Callable[[str], None] | None = None, *,
            lazy: bool = False) -> dict | "LazyResults":
    """Every section for a loaded study; ``progress(key)`` is called before each section. With
    ``lazy``, a :class:`LazyResults` that builds each section when it is first asked for."""
    if lazy:
        return LazyResults(data, progress)
    results: dict[str, Any] = {"version": RESULTS_VERSION}
    data = weighting.with_weights(data)
    for key, build in _sections(data.study):
        if progress is not None:
            progress(key)
        results[key] = _section(key, data, build)
    return json_ready(results)


def _section(key: str, data: StudyData, build: Callable[[StudyData], Any]) -> Any:
    """One section as results.json holds it: built, weighted (:func:`_weighted`), and with the
    minimum sample sizes applied (:func:`analysis.minimum.section_minimum`)."""
    return minimum.section_minimum(key, _weighted(key, data, build(data)))


#: the sections whose population estimates are weighted when the study has ``weighting:``
WEIGHTED_SECTIONS = ("indices", "gaps", "ipa", "drivers", "trends")


def _weighted(key: str, data: StudyData, section: Any) -> Any:
    """With ``weighting:``, the weighted group's population estimates of a section
    (:mod:`analysis.weighted`) with the unweighted ones beside them under ``unweighted``; every
    other section and group as it is."""
    spec = data.study.weighting
    if spec is None or key not in WEIGHTED_SECTIONS or not section:
        return section
    frames = data.frames()
    frame = frames.get(spec.group)
    weights = data.weights.get((data.study.wave, spec.group))
    if frame is None or weights is None or len(frame) < 2:
        return section
    arrays = weighted.design_arrays(weights, frame.index)
    s = data.study
    if key == "gaps":
        if spec.group not in s.compare:
            return section
        a, b = (frames[g] for g in s.compare)
        design = {g: arrays if g == spec.group else weighted.unit_design(len(frames[g]))
                  for g in s.compare}
        pair = f"{s.compare[0]}|{s.compare[1]}"
        return {**section, pair: weighted.weighted_gaps(
            a, b, design[s.compare[0]], design[s.compare[1]], section[pair],
            dimensions=s.dimensions)}
    if spec.group not in section:
        return section
    if key == "trends":
        entry = section[spec.group]
        by_wave = {}
        for wave in entry["waves"]:
            rows = data.frames(wave)[spec.group]
            if (wave, spec.group) not in data.weights or len(rows) < 2:
                return section
            by_wave[wave] = weighted.weighted_indices(
                rows, weighted.design_arrays(data.weights[(wave, spec.group)], rows.index),
                entry["by_wave"][wave], **_present(_index_options(data), rows.columns))
        return {**section, spec.group: {**entry, "by_wave": by_wave,
                                        "changes": weighted.weighted_changes(by_wave,
                                                                             entry["changes"])}}
    options = _present(_index_options(data), frame.columns)
    if key == "ipa":
        options["method"] = section[spec.group]["method"]
        options["split"] = section[spec.group]["split"]
    build = {"indices": weighted.weighted_indices, "ipa": weighted.weighted_ipa,
             "drivers": weighted.weighted_drivers}[key]
    return {**section, spec.group: build(frame, arrays, section[spec.group], **options)}


class LazyResults(Mapping):
    """results.json as a read-only mapping whose sections are built on first access and kept
    (the app's pages ask only for the sections they show). The keys, their order and every value
    are those of :func:`analyse`; ``dict(lazy)`` builds the rest. Safe to share between threads:
    one section is built at a time (the sections share the groups' cached moments), and
    :meth:`build_rest` gives way to a page that asks for a section. :meth:`build_elsewhere`
    has the sections not asked for yet built by a forked copy of the process meanwhile."""

    def __init__(self, data: StudyData, progress: Callable[[str], None] | None = None):
        self._data, self._progress = weighting.with_weights(data), progress
        self._builders = dict(_sections(data.study))
        self._built: dict[str, Any] = {"version": RESULTS_VERSION}
        self._previews: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._asking = 0  # pages waiting for a section (build_rest waits for them)
        self._count_lock = threading.Lock()
        self._forked: ForkedBuilder | None = None

    def __getitem__(self, key: str) -> Any:
        if key not in self._built:
            with self._count_lock:
                self._asking += 1
            try:
                self._build(key)
            finally:
                with self._count_lock:
                    self._asking -= 1
        return self._built[key]

    def _build(self, key: str) -> None:
        if key not in self._builders:
            raise KeyError(key)
        if key in self._built:
            return
        if self._progress is not None:
            self._progress(key)
        if self._forked is not None and self._forked.take(key):  # waited for the forked copy
            return
        with self._lock:
            if key not in self._built:
                self._built[key] = json_ready(_section(key, self._data, self._builders[key]))

    def ready(self, key: str) -> bool:
        """Whether the section ``key`` is built (asking for it then costs nothing)."""
        return key in self._built

    def preview(self, key: str) -> Any:
        """The section ``key`` if it is built (or has no :data:`PREVIEWS` entry: then it is built
        now), else its preview, e.g. the ``text`` section's themes without keywords and suggested
        themes (what the dashboard shows, without loading jieba and scikit-learn); None for a
        section the study does not have."""
        if key in self._built or key not in PREVIEWS:
            return self.get(key)
        if key not in self._builders:
            return None
        if key in self._previews:  # without the lock, which a section being built holds
            return self._previews[key]
        with self._lock:
            if key in self._built:
                return self._built[key]
            if key not in self._previews:
                self._previews[key] = json_ready(_section(key, self._data, PREVIEWS[key]))
            return self._previews[key]

    def __iter__(self) -> Iterator[str]:
        yield "version"
        yield from self._builders

    def _rest_order(self) -> list[str]:
        """The sections not built yet, :data:`BUILT_FIRST` first, then in results.json order."""
        first = [k for k in BUILT_FIRST if k in self._builders]
        return [k for k in first + [k for k in self._builders if k not in first]
                if k not in self._built]

    def build_elsewhere(self) -> bool:
        """Start building every section not built yet in a forked copy of this process
        (:class:`analysis.forked.ForkedBuilder`, in :meth:`_rest_order`), while this process
        goes on (the app: lays out its first page, building the sections that page asks for
        itself; the copy skips those). A page asking for a section the copy is building waits
        for it; each section arrives as soon as it is built, with the value this process would
        have built. False (nothing started) where a copy cannot be forked
        (:func:`analysis.forked.can_fork`, or the fork fails): then :meth:`build_rest` builds
        them here."""
        if self._forked is not None or not can_fork():
            return False

        def build(key: str) -> Any:
            return json_ready(_section(key, self._data, self._builders[key]))

        try:
            self._forked = ForkedBuilder(build, self._rest_order(), self._built.setdefault)
        except OSError:  # no fork possible now (e.g. no memory left): build_rest builds them
            return False
        return True

    @property
    def building_elsewhere(self) -> bool:
        """Whether :meth:`build_elsewhere` started a forked copy."""
        return self._forked is not None

    def build_rest(self, busy: Callable[[], bool] = lambda: False) -> None:
        """Build every section not asked for yet, quietly (e.g. in a background thread while a
        reader looks at the first page, so that the next page finds its sections ready): the
        sections of :data:`BUILT_FIRST` first, and each section only once no page is waiting
        for one (a page waits at most for the section being built) and ``busy()`` is false
        (the app: no page is being run, so that a page never shares the processor with this
        thread, under Python's one interpreter lock, beyond the section being built). After
        :meth:`build_elsewhere`, it first waits for the forked copy to end and then builds only
        what the copy did not deliver (nothing, unless a section failed or the copy was
        stopped)."""
        self._progress = None
        if self._forked is not None:
            self._forked.wait()
        for key in self._rest_order():
            while self._asking or busy():
                time.sleep(0.005)
            self._build(key)

    def __len__(self) -> int:
        return 1 + len(self._builders)


#: the column :func:`with_abc_class` adds (A, B or C; missing without a revenue)
ABC_COLUMN = segments.ABC_COLUMN


def with_abc_class(data: StudyData) -> StudyData:
    """The study with each customer's ABC class (:func:`analysis.segments.abc_classes`, the
    study's cut-offs) as a column of every current-wave group that has the revenue column, so
    that the class can be used as a filter or segment."""
    revenue = data.study.revenue
    for group, frame in data.frames().items():
        if revenue is not None and revenue in frame:
            classes = segments.abc_classes(frame[revenue], cutoffs=data.study.abc)["class"]
            data = data.with_columns(group, {ABC_COLUMN: classes})
    return data


def run_study(path: str | Path) -> dict:
    """Load, clean and analyse the study file at ``path``."""
    return analyse(load_study(path))


def write_results(results: dict, out_dir: str | Path) -> Path:
    """Write ``results.json`` (UTF-8, Chinese kept readable) into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "results.json"
    path.write_text(json.dumps(results, ensure_ascii=False, indent=1, allow_nan=False),
                    encoding="utf-8")
    return path
