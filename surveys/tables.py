"""Groups whose answers live in a table: a database, Parquet files or a Spark cluster.

A group of the study file may name a table instead of a file::

    groups:
      customers:
        table: cx.responses                  # a table or view of the engine
        engine: duckdb:///data/cx.duckdb     # an Ibis connection URL, a Parquet path or glob, or spark
        where: "wave = '2026Q3' AND role = 'customer'"   # optional SQL condition

The rows stay in the engine. Every expression is built with **Ibis** (one expression API,
compiled to each engine's SQL dialect) and run there; what comes back are aggregates:

- the checks (:func:`open_source`): the engine is reachable, the table and every column the study
  needs exist, the numeric columns are numeric, the ``where`` runs;
- the coding and the data-quality rules of :mod:`surveys.cleaning` as column expressions
  (:func:`load_table_group`): answers outside the scale (an error naming group, table and column,
  or missing values with ``invalid: missing``), duplicates (a window over the id, and over all
  columns for double submissions), straight-lining (max = min over a respondent's dimension
  items), speeders (the engine's median of the duration column: exact in DuckDB and Spark), the
  attention checks of ``careless:``, missing answers and zero-variance items, the exclusions;
- reverse coding as a column expression; the moments of the analyses from one aggregate query each
  (:class:`analysis.table_moments.TableResponses`).

What needs rows (the other careless-responding screens, bootstraps, the weighting, the
customer list, respondents.csv) gets a seeded sample of at most :data:`SAMPLE_ROWS` rows, sorted
by their values so that it does not depend on the engine's row order; results.json says so under
``study.sources`` (``sampled``: the sample size, ``null`` when the table was read whole).

Engines: ``duckdb:///path.duckdb`` (read-only), a Parquet path or glob (read by DuckDB),
``spark`` (the active SparkSession, else Spark Connect at ``SPARK_REMOTE``, else ``local[*]``;
``table`` a table or view of its catalog or ``parquet.`PATH```), and any other Ibis connection
URL (``postgres://user:pw@host/db``, ``clickhouse://``, ``trino://``...; the backend's Python
package must be installed). Credentials come from the URL or the environment and are masked
wherever the engine is shown (:func:`mask_url`). DuckDB and Spark run the SQL Ibis compiles for
them through their own Python API (Ibis 12's DuckDB backend calls a method DuckDB 2.0 removed).
"""
from __future__ import annotations

import difflib
import math
import os
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import pandas as pd

from .careless import careless_screens
from .cleaning import EXCLUSION_ORDER, MIN_STRAIGHT_ITEMS, SPEEDER_FRACTION, QualityReport
from .errors import StudyError
from .i18n import Text, msg
from .importers.base import ImportedTable
from .load import FILE_ROW, NPS_RANGE, GroupData, reverse_code
from .study import Scale, Study, TableSource

__all__ = ["SAMPLE_ROWS", "SAMPLE_SEED", "ENGINE_FLAGS", "engine_kind", "mask_url",
           "check_source_form", "open_source", "item_range", "OpenTable", "TableQuality", "load_table_group",
           "source_record", "read_record", "check_categories"]

#: at most this many rows are brought back for what needs rows
SAMPLE_ROWS = 100_000
#: the seed of the engine's row sample
SAMPLE_SEED = 16
#: the quality rules computed in the engine as column expressions (the other screens of
#: ``careless:`` need rows: they run on the sample and cannot exclude rows of a table group)
ENGINE_FLAGS = ("duplicates", "speeders", "straightliners", "attention")
#: the engine table's working columns (flags, exclusions), dropped before the analyses
_PRIVATE = ("_flag_", "_keep", "_out_")
_PARQUET = re.compile(r"\.parquet$|[*?\[]", re.IGNORECASE)
_NAME_PART = r'(?:[^\W\d][\w$]*|"[^"]+"|`[^`]+`)'
_TABLE_NAME = re.compile(rf"^{_NAME_PART}(?:\.{_NAME_PART})*$")


# --------------------------------------------------------------------------------------------------
# The study file's form
# --------------------------------------------------------------------------------------------------
def engine_kind(engine: str) -> str | None:
    """``"spark"``, ``"duckdb"``, ``"parquet"``, ``"ibis"`` (another connection URL) or None."""
    if engine.strip().lower() == "spark":
        return "spark"
    scheme = urlsplit(engine).scheme.lower() if "://" in engine else ""
    if scheme == "duckdb":
        return "duckdb"
    if scheme in ("", "file") and (_PARQUET.search(engine) or engine.endswith(("/", os.sep))):
        return "parquet"
    return "ibis" if scheme else None


def mask_url(engine: str) -> str:
    """The engine as it may be shown: a URL's password replaced by ``***``."""
    if "://" not in engine:
        return engine
    parts = urlsplit(engine)
    if parts.password is None:
        return engine
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _masked(text: str, engine: str) -> str:
    """``text`` (e.g. a driver's error) with the engine URL's password masked wherever it
    occurs."""
    password = urlsplit(engine).password if "://" in engine else None
    return text.replace(password, "***") if password else text


def _location(source: TableSource) -> str:
    """The local path of a DuckDB database (``duckdb:///abs/path``, ``duckdb://relative``) or
    of Parquet files, a relative one taken from the study file's folder."""
    engine = source.engine
    path = engine[len("duckdb://"):] if engine_kind(engine) == "duckdb" else engine
    if path.startswith("file://"):
        path = path[len("file://"):]
    return path if Path(path).is_absolute() else str(Path(source.base or ".") / path)


def check_source_form(source: TableSource, base: Path, study_path: Path | None,
                      key: str) -> TableSource:
    """The form of a table group (before any engine is reached): a known kind of engine, a
    table name for every engine but Parquet, a ``where`` that is one SQL condition."""
    import sqlglot

    kind = engine_kind(source.engine)
    if kind is None:
        raise StudyError(msg("table_engine_unknown", engine=mask_url(source.engine)),
                         file=study_path, key=f"{key}.engine", expected=msg("table_engine_expected"))
    if kind == "parquet" and source.table is not None:
        raise StudyError(msg("table_parquet_has_table"), file=study_path, key=f"{key}.table",
                         expected=msg("table_parquet_has_table_expected"))
    if kind != "parquet" and source.table is None:
        raise StudyError(msg("table_no_table", engine=mask_url(source.engine)), file=study_path,
                         key=f"{key}.table", expected=msg("table_table_expected"))
    if source.table is not None and not _TABLE_NAME.match(source.table):
        raise StudyError(msg("table_bad_name", table=source.table), file=study_path,
                         key=f"{key}.table", expected=msg("table_table_expected"))
    if source.where is not None:
        try:
            statements = sqlglot.parse(f"SELECT 1 FROM t WHERE {source.where}")
        except sqlglot.errors.SqlglotError as exc:
            raise StudyError(msg("table_where_not_sql", where=source.where,
                                 reason=str(exc).splitlines()[0]), file=study_path,
                             key=f"{key}.where", expected=msg("table_where_expected")) from None
        if len(statements) != 1 or not isinstance(statements[0], sqlglot.exp.Select):
            raise StudyError(msg("table_where_not_sql", where=source.where, reason=";"),
                             file=study_path, key=f"{key}.where",
                             expected=msg("table_where_expected"))
    return replace(source, base=base)


def source_record(source: TableSource, rows: int, sampled: int | None) -> dict:
    """The group's entry of results.json ``study.sources``."""
    return {"engine": mask_url(source.engine), "table": source.table, "where": source.where,
            "rows": rows, "sampled": sampled}


def read_record(study: Study, source: TableSource) -> dict:
    """Reach a table group's engine, check its table and columns (:func:`open_source`) and count
    its rows: the group's ``study.sources`` record without loading the group (what the study
    store keeps of a "live table", and its check when the stored study is opened again)."""
    opened = open_source(study, source)
    rows = int(opened.scalar_row(opened.table, rows=opened.table.count())["rows"])
    return source_record(source, rows, SAMPLE_ROWS if rows > SAMPLE_ROWS else None)


# --------------------------------------------------------------------------------------------------
# Engines: a source relation as an Ibis table, and a runner of Ibis expressions
# --------------------------------------------------------------------------------------------------
class _Engine:
    """Runs Ibis expressions in one engine. ``relation(sql)`` makes a ``SELECT`` the source of
    an Ibis table; ``run(expr)`` returns the result as a pyarrow Table; ``sql(expr)`` is the
    expression's SQL in the engine's dialect and ``run_sql`` runs such SQL (for the wide
    aggregates of :mod:`analysis.table_moments`, written with sqlglot, the SQL layer under Ibis,
    whose expressions compile a thousand times faster than Ibis' own)."""

    dialect = ""
    sqlglot_dialect = ""
    _views = 0

    def sql(self, expr) -> str:
        import ibis

        return ibis.to_sql(expr, dialect=self.dialect)

    def run_sql(self, sql: str):
        return self.arrow(sql)

    def relation(self, sql: str):
        import ibis

        _Engine._views += 1
        name = f"crm_source_{os.getpid()}_{_Engine._views}"
        self.view(name, sql)
        schema = ibis.Schema.from_pyarrow(self.arrow(f"SELECT * FROM {name} LIMIT 0").schema)
        return ibis.table(schema, name=name)

    def run(self, expr):
        return self.arrow(self.sql(expr))

    def view_of(self, expr):
        """``expr`` as a view of the engine, and an Ibis table over it: later expressions on it
        compile without the steps that made it."""
        return self.relation(self.sql(expr))

    def materialize(self, expr):
        """``expr`` computed once into a temporary table of the engine (for a relation whose
        window functions would otherwise run again in every query)."""
        import ibis

        _Engine._views += 1
        name = f"crm_kept_{os.getpid()}_{_Engine._views}"
        self.store(name, self.sql(expr))
        schema = ibis.Schema.from_pyarrow(self.arrow(f"SELECT * FROM {name} LIMIT 0").schema)
        return ibis.table(schema, name=name)

    def store(self, name: str, sql: str) -> None:
        raise NotImplementedError

    def view(self, name: str, sql: str) -> None:
        raise NotImplementedError

    def arrow(self, sql: str):
        raise NotImplementedError


class _DuckDB(_Engine):
    """A DuckDB database file opened read-only, or an in-memory DuckDB for Parquet files."""

    dialect = sqlglot_dialect = "duckdb"

    def __init__(self, database: str | None):
        import duckdb

        if database is not None and not Path(database).is_file():
            raise FileNotFoundError(f"no such file: {database}")
        self.con = duckdb.connect(database or ":memory:", read_only=database is not None)

    def view(self, name: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}")

    def store(self, name: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")

    def arrow(self, sql: str):
        return self.con.sql(sql).to_arrow_table()


class _Spark(_Engine):
    """The active SparkSession, else one built from the environment: Spark Connect at
    ``SPARK_REMOTE``, else ``local[*]``."""

    dialect, sqlglot_dialect = "pyspark", "spark"

    def __init__(self):
        import ibis
        import ibis.backends.pyspark
        from pyspark.sql import SparkSession

        if ibis.options.pyspark is None:  # the Spark dialect's compiler reads these options
            ibis.options.pyspark = ibis.backends.pyspark.Backend.Options()

        session = SparkSession.getActiveSession()
        if session is None:
            builder = SparkSession.builder.appName("crm-survey")
            if os.environ.get("SPARK_REMOTE"):
                builder = builder.remote(os.environ["SPARK_REMOTE"])
            else:
                builder = builder.master("local[*]").config("spark.ui.enabled", "false") \
                    .config("spark.ui.showConsoleProgress", "false") \
                    .config("spark.sql.shuffle.partitions", "4")
            session = builder.getOrCreate()
        self.session = session

    def view(self, name: str, sql: str) -> None:
        self.session.sql(sql).createOrReplaceTempView(name)

    def store(self, name: str, sql: str) -> None:
        self.session.sql(sql).cache().createOrReplaceTempView(name)

    def arrow(self, sql: str):
        return self.session.sql(sql).toArrow()


class _IbisBackend(_Engine):
    """Any other engine through its Ibis backend (Postgres, ClickHouse, Trino, BigQuery...)."""

    def __init__(self, url: str):
        import ibis

        self.con = ibis.connect(url)
        self.sqlglot_dialect = self.con.dialect

    def relation(self, sql: str):
        return self.con.sql(sql)

    def sql(self, expr) -> str:
        return str(self.con.compile(expr))

    def run_sql(self, sql: str):
        return self.con.sql(sql).to_pyarrow()

    def run(self, expr):
        return self.con.to_pyarrow(expr)

    def view_of(self, expr):
        return expr

    def materialize(self, expr):
        return self.con.create_table(f"crm_kept_{os.getpid()}_{id(expr)}", expr, temp=True)


_ENGINES: dict[tuple, _Engine] = {}


def _connect(source: TableSource) -> _Engine:
    """The engine of a source, one connection per database for the whole session."""
    kind = engine_kind(source.engine)
    key = (kind, _location(source) if kind in ("duckdb", "parquet") else source.engine)
    if key not in _ENGINES:
        if kind == "duckdb":
            _ENGINES[key] = _DuckDB(key[1])
        elif kind == "parquet":
            _ENGINES[key] = _DuckDB(None)
        elif kind == "spark":
            _ENGINES[key] = _Spark()
        else:
            _ENGINES[key] = _IbisBackend(source.engine)
    return _ENGINES[key]


# --------------------------------------------------------------------------------------------------
# Opening a group's table
# --------------------------------------------------------------------------------------------------
@dataclass
class OpenTable:
    """A table group reached and checked: ``table`` the Ibis table of its rows (``where``
    applied, columns renamed) and ``run`` the engine's runner."""

    source: TableSource
    table: Any
    engine: _Engine
    label: str

    def run(self, expr):
        """The result of an Ibis expression on ``table``, as a pyarrow Table."""
        return self.engine.run(expr)

    def scalar_row(self, table, **aggregates) -> dict:
        """One aggregate query over ``table`` (derived from :attr:`table`); its row as a dict."""
        return self.run(table.aggregate(**aggregates)).to_pylist()[0]


def _reason(exc: BaseException, engine: str) -> str:
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return _masked(lines[0] if lines else type(exc).__name__, engine)[:300]


def open_source(study: Study, source: TableSource) -> OpenTable:
    """Reach the engine of a table group, check its table, ``where`` and columns (one clear
    error naming group, table and column for each problem) and return the renamed table."""
    label = source.table or mask_url(source.engine)
    key = study.source_key(source)
    where = dict(group=source.group, table=label, engine=mask_url(source.engine))
    try:
        engine = _connect(source)
    except ImportError as exc:  # the engine's driver (Ibis names none: its backend extra)
        scheme = urlsplit(source.engine).scheme or source.engine
        package = exc.name or f"ibis-framework[{scheme}]"
        raise StudyError(msg("table_engine_package", package=package, **where),
                         file=study.path, key=f"{key}.engine",
                         expected=msg("table_engine_package_expected")) from None
    except Exception as exc:  # noqa: BLE001  (every driver has its own errors)
        raise StudyError(msg("table_engine_unreachable", reason=_reason(exc, source.engine),
                             **where), file=study.path, key=f"{key}.engine",
                         expected=msg("table_engine_expected")) from None
    if engine_kind(source.engine) == "parquet":
        location = _location(source).replace("'", "''")
        base = f"SELECT * FROM read_parquet('{location}', union_by_name = true)"
    else:
        base = f"SELECT * FROM {source.table}"
    try:
        engine.relation(base)
    except Exception as exc:  # noqa: BLE001
        kind = "table_engine_unreachable" if engine_kind(source.engine) == "parquet" \
            else "table_not_found"
        raise StudyError(msg(kind, reason=_reason(exc, source.engine), **where),
                         file=study.path, key=f"{key}.table", expected=msg(
                             "table_engine_expected" if kind == "table_engine_unreachable"
                             else "table_not_found_expected")) from None
    try:
        table = engine.relation(base if source.where is None else
                                f"{base} WHERE {source.where}")
        engine.run(table.limit(1))
    except Exception as exc:  # noqa: BLE001
        raise StudyError(msg("table_where_failed", where_=source.where,
                             reason=_reason(exc, source.engine), **where), file=study.path,
                         key=f"{key}.where", expected=msg("table_where_expected")) from None
    table = _renamed(study, source, table, label, key)
    _check_table_columns(study, source, table, label, key)
    if study.records is not None and study.records.group == source.group:
        raise StudyError(msg("table_records", **where), file=study.path, key="records.group",
                         expected=msg("table_records_expected"))
    return OpenTable(source, table, engine, label)


def item_range(study: Study, opened: OpenTable) -> pd.DataFrame:
    """The smallest and the largest answer of each Likert item of a table group, as two rows
    (what the inference of the scale needs, :func:`surveys.load._infer_scale`)."""
    items = [c for c in study.scored_items if c in opened.table.columns]
    table = _without_nan(study, opened.table)
    found = opened.scalar_row(table, **{f"low_{i}": table[c].min() for i, c in enumerate(items)},
                              **{f"high_{i}": table[c].max() for i, c in enumerate(items)}) \
        if items else {}
    return pd.DataFrame({c: [found[f"low_{i}"], found[f"high_{i}"]] for i, c in enumerate(items)},
                        dtype="float64")


def _renamed(study: Study, source: TableSource, table, label: str, key: str):
    for raw in source.rename:
        if raw not in table.columns:
            raise StudyError(msg("table_column_missing", column=raw, group=source.group,
                                 table=label, suggestion=_suggest(raw, table.columns)),
                             file=study.path, key=f"{key}.rename", column=raw,
                             expected=msg("table_column_expected"))
    return table.rename({new: old for old, new in source.rename.items()}) if source.rename \
        else table


def _suggest(name: str, columns) -> Text | str:
    close = difflib.get_close_matches(name, list(columns), n=3, cutoff=0.5)
    return msg("load_similar_columns", columns=", ".join(repr(c) for c in close)) if close else ""


def check_categories(study: Study, opened: OpenTable) -> None:
    """The category columns' check of the files (:func:`surveys.load.check_category_answers`)
    in the engine: each column's longest answer (as text) and its number of different answers
    from one aggregate query. A table has no row order: a too long answer is reported by the
    longest one (a file names the first)."""
    from .load import check_category_answers

    table = opened.table
    columns = [c for c in study.category_columns if c in table.columns]
    if not columns:
        return
    found = opened.scalar_row(table, **{
        f"chars_{i}": table[c].cast("string").length().max() for i, c in enumerate(columns)},
        **{f"levels_{i}": table[c].nunique() for i, c in enumerate(columns)})
    for i, column in enumerate(columns):
        check_category_answers(study, column, int(found[f"chars_{i}"] or 0),
                               int(found[f"levels_{i}"] or 0), file=opened.label,
                               key=study.source_key(opened.source))


def _check_table_columns(study: Study, source: TableSource, table, label: str, key: str) -> None:
    """Every dimension item is a column; the study's numeric columns present are numeric."""
    for item in study.items:
        if item not in table.columns:
            raise StudyError(msg("table_column_missing", column=item, group=source.group,
                                 table=label, suggestion=_suggest(item, table.columns)),
                             file=study.path, key=key, column=item,
                             expected=msg("table_column_expected"))
    schema = table.schema()
    for column in [*study.numeric_columns, study.duration]:
        if column is not None and column in schema and not (
                schema[column].is_numeric() and not schema[column].is_boolean()):
            raise StudyError(msg("table_column_type", column=column, group=source.group,
                                 table=label, type=str(schema[column])),
                             file=study.path, key=key, column=column,
                             expected=msg("table_column_type_expected"))


# --------------------------------------------------------------------------------------------------
# Coding and data quality as column expressions
# --------------------------------------------------------------------------------------------------
@dataclass
class TableQuality(QualityReport):
    """The quality report of a table group: counts from the engine (``totals``: rule ->
    flagged rows or invalid cells), row flags only over the sample (``flags``, ``keep``). A table
    has no file rows, so its findings list no examples."""

    totals: dict[str, int] = field(default_factory=dict)
    kept: int = 0

    @property
    def n(self) -> int:
        return self.kept

    def to_json(self) -> dict:
        rules = {}
        for rule in ("non_numeric", "out_of_range", *EXCLUSION_ORDER):
            if rule in self.totals or rule in ("non_numeric", "out_of_range",
                                               "duplicates", "speeders", "straightliners"):
                rules[rule] = {"count": int(self.totals.get(rule, 0)),
                               "excluded": self.excluded.get(rule, 0), "examples": []}
        return {"n_raw": self.n_raw, "n": self.n, "rules": rules, "missing": self.missing,
                "zero_variance": self.zero_variance, "thresholds": self.thresholds,
                "notes": self.notes}


def _invalid_cells(study: Study, scale: Scale, table) -> dict:
    """Column -> boolean expression of the cells the file path would reject (see
    :func:`surveys.load._check_ranges`); NaN in a float column counts as missing."""
    rules = {}
    for column in study.scored_items:
        if column in table.columns:
            x = table[column]
            rules[column] = (x < scale.min) | (x > scale.max), msg(
                "detail_outside_scale", min=f"{scale.min:g}", max=f"{scale.max:g}")
    if study.nps is not None and study.nps in table.columns:
        x = table[study.nps]
        rules[study.nps] = (x < NPS_RANGE[0]) | (x > NPS_RANGE[1]) | (x != x.round()), \
            msg("detail_not_nps")
    if study.revenue is not None and study.revenue in table.columns:
        rules[study.revenue] = table[study.revenue] < 0, msg("detail_negative_amount")
    return rules


def _without_nan(study: Study, table):
    """Float NaN as missing (pandas' reading of a file does the same)."""
    import ibis

    floats = {c: ibis.ifelse(table[c].isnan(), ibis.null(table[c].type()), table[c])
              for c in [*study.numeric_columns, study.duration]
              if c is not None and c in table.columns and table[c].type().is_floating()}
    return table.mutate(**floats) if floats else table


def _flags(study: Study, table, median_seconds: float | None) -> dict:
    """Rule -> boolean expression (see :mod:`surveys.cleaning`; the first row of a duplicate
    set is the smallest by its values, a table having no row order)."""
    import ibis

    items = [table[c] for c in study.items]
    answered = sum(x.notnull().cast("int64") for x in items)
    high = ibis.greatest(*[x.cast("float64").fill_null(-math.inf) for x in items])
    low = ibis.least(*[x.cast("float64").fill_null(math.inf) for x in items])
    flags = {"straightliners": (answered >= MIN_STRAIGHT_ITEMS) & (high == low)}
    id_column = study.id if study.id in table.columns else None
    others = [c for c in table.columns if c != id_column]
    duplicate = ibis.row_number().over(group_by=[table[c] for c in others],
                                       order_by=[table[id_column]] if id_column else []) > 0
    if id_column is not None:
        again = ibis.row_number().over(group_by=table[id_column],
                                       order_by=[table[c] for c in others]) > 0
        duplicate = duplicate | (table[id_column].notnull() & again)
    flags["duplicates"] = duplicate
    flags["speeders"] = ibis.literal(False) if median_seconds is None else \
        (table[study.duration] < SPEEDER_FRACTION * median_seconds).fill_null(False)
    asked = study.careless.get("attention", {})
    failed = [table[c].notnull() & (table[c] != float(code)) for c, code in asked.items()
              if c in table.columns]
    if "attention" in study.careless:
        flags["attention"] = ibis.or_(*failed) if failed else ibis.literal(False)
    return flags


def _count(expr):
    return expr.cast("int64").sum()


def load_table_group(study: Study, opened: OpenTable, scale: Scale):
    """One table group's :class:`~surveys.load.GroupData`: coded, checked, cleaned and
    reverse-coded in the engine; its ``data`` and ``scored`` frames a sample of the rows."""
    import ibis

    source, label = opened.source, opened.label
    key = f"groups.{source.group}"
    for rule in EXCLUSION_ORDER:
        if study.exclude.get(rule) and rule not in ENGINE_FLAGS:
            raise StudyError(msg("table_exclude_needs_rows", rule=rule, group=source.group,
                                 table=label), file=study.path, key=f"exclude.{rule}",
                             expected=msg("table_exclude_expected",
                                          rules=", ".join(ENGINE_FLAGS)))
    table = _without_nan(study, opened.table)
    invalid = _invalid_cells(study, scale, table)
    counts = opened.scalar_row(table, rows=table.count(), **{
        f"bad_{i}": _count(bad.fill_null(False)) for i, (bad, _) in enumerate(invalid.values())})
    bad_cells = {c: int(counts[f"bad_{i}"] or 0) for i, c in enumerate(invalid)}
    if study.invalid == "error" and any(bad_cells.values()):
        column = next(c for c, n in bad_cells.items() if n)
        bad, detail = invalid[column]
        value = opened.run(table.filter(bad).select(column).limit(1)).column(0)[0].as_py()
        raise StudyError(msg("table_invalid_answer", column=column, group=source.group,
                             table=label, value=value, n=bad_cells[column], detail=detail),
                         file=study.path, key=key, column=column,
                         expected=msg("load_valid_answer_expected"))
    if any(bad_cells.values()):
        table = table.mutate(**{c: ibis.ifelse(bad.fill_null(False), ibis.null(table[c].type()),
                                               table[c])
                                for c, (bad, _) in invalid.items() if bad_cells[c]})
    median = None
    if study.duration is not None and study.duration in table.columns:
        median = opened.scalar_row(table, m=table[study.duration].cast("float64").median())["m"]
    flags = _flags(study, table, median)
    marked = table.mutate(**{f"_flag_{r}": f.fill_null(False) for r, f in flags.items()})
    kept, removed = ibis.literal(True), {}
    for rule in EXCLUSION_ORDER:
        if rule in flags and study.exclude.get(rule):
            removed[f"_out_{rule}"] = marked[f"_flag_{rule}"] & kept
            kept = kept & ~marked[f"_flag_{rule}"]
    marked = opened.engine.view_of(marked.mutate(_keep=kept, **removed))
    items = [c for c in study.scored_items if c in table.columns]
    per_row = sum(marked[c].isnull().cast("int64") for c in items) if items else ibis.literal(0)
    m = marked.mutate(_missing=per_row)
    summary = opened.scalar_row(m, **dict(
        rows=m.count(), kept=_count(m._keep),
        with_missing=_count(m._missing > 0), all_missing=_count(m._missing == len(items)),
        max_missing=m._missing.max(),
        **{f"flag_{r}": _count(m[f"_flag_{r}"]) for r in flags},
        **{f"out_{r}": _count(m[f"_out_{r}"]) for r in flags if f"_out_{r}" in removed},
        **{f"missing_{i}": m[c].isnull().cast("int64").sum() for i, c in enumerate(items)},
        **{f"distinct_{i}": m[c].nunique() for i, c in enumerate(items)},
    ))
    n_raw = int(summary["rows"])
    sample, sampled = _sample(study, opened, marked, n_raw)
    careless = _sample_careless(study, sample, scale)
    totals = {"out_of_range": sum(bad_cells.values()),
              **{r: int(summary[f"flag_{r}"]) for r in flags}}
    if careless is not None:
        totals.update({r: int(f.sum()) for r, f in careless.flags.items() if r not in flags})
    missing = {"items": {c: {"missing": int(summary[f"missing_{i}"]),
                             "share": int(summary[f"missing_{i}"]) / n_raw if n_raw else None}
                         for i, c in enumerate(items)},
               "respondents_with_missing": int(summary["with_missing"] or 0),
               "respondents_all_missing": int(summary["all_missing"] or 0) if items else 0,
               "max_missing_per_respondent": int(summary["max_missing"] or 0)}
    thresholds = {} if median is None or not math.isfinite(median) else \
        {"speeder_seconds": SPEEDER_FRACTION * median}
    if median is not None and not math.isfinite(median):
        median = None
    notes = [] if sampled is None else [msg("table_sampled", n=sampled, rows=n_raw)]
    keep = sample["_keep"].astype(bool)
    quality = TableQuality(
        group=source.group, wave=source.wave, n_raw=n_raw,
        findings=pd.DataFrame(columns=["rule", "row", "column", "value", "detail"]),
        flags={**{r: sample[f"_flag_{r}"].astype(bool) for r in flags},
               **({r: f for r, f in careless.flags.items() if r not in flags}
                  if careless is not None else {})},
        excluded={r: int(summary[f"out_{r}"]) if f"_out_{r}" in removed else 0
                  for r in EXCLUSION_ORDER if r in flags} |
        ({r: 0 for r in careless.flags if r not in flags} if careless is not None else {}),
        keep=keep, missing=missing,
        zero_variance=[c for i, c in enumerate(items) if int(summary[f"distinct_{i}"]) < 2],
        notes=[*notes, *(careless.notes if careless is not None else [])],
        thresholds=thresholds, careless=careless, totals=totals, kept=int(summary["kept"]))
    data = sample.drop(columns=[c for c in sample.columns if c.startswith(_PRIVATE)])
    scored = reverse_code(data[keep.to_numpy()], study.reverse, scale)
    scored_table = _scored_table(study, opened, table, flags, summary, scale)
    info = ImportedTable(frame=data.iloc[:0], path=Path(opened.label), format="table",
                         file_rows=data[FILE_ROW].to_numpy())
    summed = tuple(c for c in [*study.scored_items, study.nps] if c is not None)
    return TableGroupData(source, info, data, scored, quality, summed, engine=opened.engine,
                          engine_table=scored_table, rows=n_raw, sampled=sampled,
                          own_scored=scored)


def _scored_table(study: Study, opened: OpenTable, table, flags: dict, summary: dict,
                  scale: Scale):
    """The kept rows, reverse-coded, as the engine table the analyses query. Without excluded
    duplicates the exclusions are row-wise conditions and the table a view; duplicates need
    window functions, so that the kept rows are then computed once into a temporary table."""
    import ibis

    kept = ibis.literal(True)
    for rule in EXCLUSION_ORDER:
        if rule in flags and rule != "duplicates" and study.exclude.get(rule):
            kept = kept & ~flags[rule].fill_null(False)
    if study.exclude.get("duplicates") and int(summary["out_duplicates"]):
        kept = kept & ~flags["duplicates"].fill_null(False)
        return opened.engine.materialize(_reverse_expr(table.filter(kept), study.reverse, scale))
    return opened.engine.view_of(_reverse_expr(table.filter(kept), study.reverse, scale))


def _reverse_expr(table, items: list[str], scale: Scale):
    present = {c: scale.min + scale.max - table[c] for c in items if c in table.columns}
    return table.mutate(**present) if present else table


def _sample(study: Study, opened: OpenTable, marked, n_raw: int) -> tuple[pd.DataFrame, int | None]:
    """The rows brought back (all of them up to :data:`SAMPLE_ROWS`, else a seeded sample),
    sorted by their values; numeric study columns as float64 and a 1-based ``_file_row`` (the
    position in the sample: a table has no file rows). Returns (rows, sample size or None)."""
    rows = marked
    if n_raw > SAMPLE_ROWS:
        rows = marked.sample(min(1.0, 1.2 * SAMPLE_ROWS / n_raw), seed=SAMPLE_SEED) \
            .limit(SAMPLE_ROWS)
    frame = opened.run(rows).to_pandas()
    numeric = [c for c in [*study.numeric_columns, study.duration] if c is not None and c in frame]
    frame[numeric] = frame[numeric].astype("float64")
    order = [c for c in frame.columns if not c.startswith(_PRIVATE)]
    frame = frame.sort_values(order, na_position="last", kind="stable").reset_index(drop=True)
    frame[FILE_ROW] = np.arange(1, len(frame) + 1)
    return frame, (len(frame) if n_raw > SAMPLE_ROWS else None)


def _sample_careless(study: Study, sample: pd.DataFrame, scale: Scale):
    """The careless-responding screens on the sample's rows (the attention check also runs in
    the engine, see :func:`_flags`)."""
    if not study.careless:
        return None
    screened = reverse_code(sample[study.items], study.reverse, scale)
    attention = {c: v for c, v in study.careless.get("attention", {}).items() if c in sample}
    settings = {**study.careless, "attention": attention} if "attention" in study.careless \
        else study.careless
    return careless_screens(screened, study.dimensions, settings, sample[list(attention)])


# --------------------------------------------------------------------------------------------------
# The group's data
# --------------------------------------------------------------------------------------------------
@dataclass
class TableGroupData(GroupData):
    """A table group: ``data`` and ``scored`` are the sample; the statistics come from the
    engine (:class:`analysis.table_moments.TableResponses`) as long as ``scored`` is the group's
    own (a filter or an added column of the app's then works on the sample)."""

    engine: Any = None
    engine_table: Any = None
    rows: int = 0
    sampled: int | None = None
    own_scored: Any = None

    @cached_property
    def responses(self):
        from analysis.moments import Responses
        from analysis.table_moments import TableResponses

        columns = [c for c in self.summed if c in self.scored.columns]
        if self.engine_table is None or self.scored is not self.own_scored:
            return Responses(self.scored, columns)
        return TableResponses(self.engine, self.engine_table, self.scored, columns)

    def record(self) -> dict:
        """The group's entry of results.json ``study.sources``."""
        return source_record(self.source, self.rows, self.sampled)
