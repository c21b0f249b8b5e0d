"""Sufficient statistics computed inside a database or Spark: :class:`TableResponses`.

The same object the statistics of :mod:`analysis` ask (:class:`~analysis.moments.Responses`),
over a group whose rows stay in an engine (:mod:`surveys.tables`). Each request is one aggregate
query of Ibis expressions (see the "SQL form" of :mod:`analysis.moments`):

- the exactness of each column (whole numbers of magnitude at most ``MAX_WHOLE``:
  ``min``, ``max`` and ``SUM(x <> ROUND(x))``), once;
- :meth:`TableResponses.moments`: ``COUNT``, ``SUM`` of the answers and their squares over the
  rows where the other column of each pair is answered, and ``SUM(x_i * x_j)`` — in exact
  integers (``CAST(x AS BIGINT)``; dimension scores as ``score × L``) for whole-number answers,
  so that the result does not depend on the row order and equals the in-memory path to the last
  bit; in floating point about the engine's mean otherwise (the row path);
- :meth:`TableResponses.counts`: ``SELECT x, COUNT(*) ... GROUP BY x``;
- dimension scores, outcome scores and differences as column expressions
  (:meth:`TableResponses.scores`, :meth:`TableResponses.differences`), segment and wave levels as
  filters of the same table (:meth:`TableResponses.by`).

What needs rows (a bootstrap, the rank tests of answers that are not whole numbers, a
per-respondent export) reads ``frame``: the seeded sample :mod:`surveys.tables` brought back
(the whole table up to 100,000 rows).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from . import moments as _m
from .moments import Counts, Moments, Responses, _ratio

__all__ = ["TableResponses"]


@dataclass(frozen=True)
class _Kind:
    """How a column of the engine table is summed: ``exact`` integers at ``scale`` (the
    answer is ``value / scale``; ``bound`` an upper bound of |value|), or floats."""

    exact: bool
    scale: int = 1
    bound: int = 0


def _number(value: float) -> str:
    """A float literal written exactly (repr round-trips), a negative one in parentheses."""
    return f"({float(value)!r})" if value < 0 else repr(float(value))


def _summands(y: list[str]) -> dict[str, str]:
    """The columns the moment aggregates read, computed once a row: ``y{i}`` the summand (an
    SQL expression of the table, NULL where missing), ``p{i}`` its square and ``m{i}`` 1 where
    it is answered, else 0; the aggregates are then products of plain columns (sums of
    ``y_i m_j`` rather than ``CASE`` expressions: shorter SQL, faster to run)."""
    out = {}
    for i, v in enumerate(y):
        out[f"y{i}"] = v
        out[f"p{i}"] = f"({v}) * ({v})"
        out[f"m{i}"] = f"CASE WHEN ({v}) IS NULL THEN 0 ELSE 1 END"
    return out


def _count_aggregates(k: int) -> dict[str, str]:
    """The rows and each column's answers (over :func:`_summands`)."""
    return {"rows": "COUNT(*)", **{f"c{i}": f"COUNT(y{i})" for i in range(k)}}


def _pair_aggregates(k: int, complete_column: list[bool]) -> dict[str, str]:
    """The sums of :class:`~analysis.moments.Moments` over :func:`_summands`: pair counts, sums
    and squares over the rows where the other column is answered only where it has missing
    answers (else they are the column's own). Plain SQL that every engine reads."""
    aggregates = {}
    for i in range(k):
        aggregates[f"s{i}"], aggregates[f"q{i}"] = f"SUM(y{i})", f"SUM(p{i})"
        for j in range(k):
            if j > i:
                aggregates[f"x{i}_{j}"] = f"SUM(y{i} * y{j})"
                if not complete_column[i] and not complete_column[j]:
                    aggregates[f"n{i}_{j}"] = f"SUM(m{i} * m{j})"
            if j != i and not complete_column[j]:
                aggregates[f"s{i}_{j}"] = f"SUM(y{i} * m{j})"
                aggregates[f"q{i}_{j}"] = f"SUM(p{i} * m{j})"
    return aggregates


def _moments_of(columns: tuple[str, ...], found: dict, complete_column: list[bool], exact: bool,
                origin: np.ndarray, scale: np.ndarray) -> Moments:
    """:class:`Moments` from the results of :func:`_count_aggregates` and
    :func:`_pair_aggregates`."""
    k = len(columns)
    number = (lambda v: 0 if v is None else int(v)) if exact else \
        (lambda v: 0.0 if v is None else float(v))
    n = np.zeros((k, k), dtype=np.int64)
    sums, squares, cross = (np.empty((k, k), dtype=object) for _ in range(3))
    for i in range(k):
        for j in range(k):
            if i == j or complete_column[j]:
                n[i, j] = found[f"c{i}"]
            elif complete_column[i]:
                n[i, j] = found[f"c{j}"]
            else:
                n[i, j] = found[f"n{min(i, j)}_{max(i, j)}"]
            if i == j or complete_column[j]:
                sums[i, j], squares[i, j] = number(found[f"s{i}"]), number(found[f"q{i}"])
            else:
                sums[i, j] = number(found[f"s{i}_{j}"])
                squares[i, j] = number(found[f"q{i}_{j}"])
            cross[i, j] = number(found[f"q{i}"]) if i == j else \
                number(found[f"x{min(i, j)}_{max(i, j)}"])
    if exact:
        return Moments.from_sums(columns, n, sums, squares, cross, scale)
    return Moments(columns, n, sums.astype(np.float64), squares.astype(np.float64),
                   cross.astype(np.float64), np.ones(k, dtype=np.int64), origin, False)


class TableResponses(Responses):
    """One set of respondents in an engine table and its sufficient statistics.

    Parameters
    ----------
    engine : the engine (:mod:`surveys.tables`): ``run(expr)`` and ``sql(expr)`` for Ibis
        expressions, ``run_sql(sql)`` and ``sqlglot_dialect`` for the wide aggregates.
    table : the Ibis table of the respondents (one row each; reverse coding applied).
    frame : the rows brought back (a sample, see :mod:`surveys.tables`), for what needs rows.
    columns : the columns whose pairwise moments are computed together on the first request.
    """

    def __init__(self, engine, table, frame: pd.DataFrame,
                 columns: Sequence[str] | None = None, *, kinds: Mapping[str, _Kind] | None = None,
                 _prepared=None):
        super().__init__(frame, columns, _prepared=_prepared)
        self.engine, self.table = engine, table
        self._kinds: dict[str, _Kind] = dict(kinds or {})
        self._rows: int | None = None
        self._sql: str | None = None
        self._table_derived: dict[tuple, TableResponses] = {}

    def one_row(self, table=None, **aggregates) -> dict:
        """One aggregate query of Ibis expressions; its row as a dict."""
        table = self.table if table is None else table
        return self.engine.run(table.aggregate(**aggregates)).to_pylist()[0]

    def _from(self, table) -> str:
        """``FROM (the table's SQL) AS t`` (the SQL of :attr:`table` compiled once)."""
        if table is self.table:
            if self._sql is None:
                self._sql = self.engine.sql(table)
            return f"FROM ({self._sql}) AS t"
        return f"FROM ({self.engine.sql(table)}) AS t"

    def _q(self, name: str) -> str:
        """A column name quoted for the engine's dialect."""
        from sqlglot import exp  # only for table groups (0.1 s of import)

        return exp.to_identifier(name, quoted=True).sql(dialect=self.engine.sqlglot_dialect)

    def _cast(self, name: str, to: str) -> str:
        """``CAST(column AS type)`` in the engine's dialect (``DOUBLE`` is Postgres' ``DOUBLE
        PRECISION``...)."""
        from sqlglot import exp

        kind = exp.DataType.build(to).sql(dialect=self.engine.sqlglot_dialect)
        return f"CAST({self._q(name)} AS {kind})"

    def _wide(self, table, aggregates: Mapping[str, str], by: str | None = None,
              columns: Mapping[str, str] | None = None):
        """One aggregate query of many SQL expressions over ``table`` (or over ``columns``, a
        projection of it computed first): its row as a dict, or with ``by`` a dict level -> row,
        one per non-missing value of the column ``by``."""
        names = {name: f"a{i}" for i, name in enumerate(aggregates)}
        select = ", ".join(f"{a} AS {names[name]}" for name, a in aggregates.items())
        source = self._from(table)
        level = None if by is None else self._q(by)
        if columns is not None:
            projected = ", ".join(f"{v} AS {name}" for name, v in columns.items())
            keep = "" if level is None else f"{level} AS lv, "
            source = f"FROM (SELECT {keep}{projected} {source}) AS p"
            level = None if level is None else "lv"
        if level is None:
            row = self.engine.run_sql(f"SELECT {select} {source}").to_pylist()[0]
            return {name: row[alias] for name, alias in names.items()}
        rows = self.engine.run_sql(f"SELECT {level} AS a_level, {select} {source} "
                                   f"WHERE {level} IS NOT NULL GROUP BY {level}").to_pylist()
        return {row["a_level"]: {name: row[alias] for name, alias in names.items()}
                for row in rows}

    def _value_counts(self, columns: Sequence[str], by: str | None = None) -> dict:
        """(level,) column -> :class:`Counts` of several columns in one query (``UNION ALL``
        of ``GROUP BY value``), per level of ``by`` if given."""
        from sqlglot import exp

        level = None if by is None else self._q(by)
        double = exp.DataType.build("DOUBLE").sql(dialect=self.engine.sqlglot_dialect)
        parts = []
        for i, c in enumerate(columns):
            kind = self.kind(c)
            value = self._cast(c, "BIGINT" if kind.exact and _m.exact_path() else "DOUBLE")
            keys = f"{value}" if level is None else f"{level}, {value}"
            parts.append(f"SELECT {i} AS _column, {'' if level is None else level + ' AS _level, '}"
                         f"CAST({value} AS {double}) AS _value, COUNT(*) AS _n FROM t "
                         f"WHERE {self._q(c)} IS NOT NULL"
                         f"{'' if level is None else ' AND ' + level + ' IS NOT NULL'} "
                         f"GROUP BY {keys}")
        sql = self.engine.sql(self.table) if self._sql is None else self._sql
        self._sql = sql
        frame = self.engine.run_sql(f"WITH t AS ({sql}) " + " UNION ALL ".join(parts)).to_pandas()
        out = {}
        for key, part in frame.groupby(["_column"] if level is None else ["_level", "_column"],
                                       sort=False):
            column = columns[int(key[-1])]
            part = part.sort_values("_value")
            kind = self.kind(column)
            values = part["_value"].to_numpy(np.float64)
            if kind.exact and _m.exact_path():
                values = _ratio(np.rint(values).astype(np.int64), np.full(len(part), kind.scale))
            counts = Counts(np.asarray(values, dtype=np.float64), part["_n"].to_numpy(np.int64))
            out[column if level is None else (key[0], column)] = counts
        return out

    def __len__(self) -> int:
        if self._rows is None:
            self._rows = int(self.one_row(n=self.table.count())["n"])
        return self._rows

    # ------------------------------------------------------------------ exactness
    def kind(self, name: str) -> _Kind:
        """How ``name`` is summed (checked in the engine once, together with the hint)."""
        if name not in self._kinds:
            wanted = [c for c in dict.fromkeys([name, *self._hint])
                      if c not in self._kinds and c in self.table.columns]
            aggregates = {}
            schema = self.table.schema()
            for i, c in enumerate(wanted):
                x = self._q(c)
                aggregates[f"low_{i}"], aggregates[f"high_{i}"] = f"MIN({x})", f"MAX({x})"
                if schema[c].is_floating():
                    aggregates[f"frac_{i}"] = f"SUM(CASE WHEN {x} <> ROUND({x}) THEN 1 ELSE 0 END)"
            found = self._wide(self.table, aggregates) if wanted else {}
            for i, c in enumerate(wanted):
                low, high = found[f"low_{i}"], found[f"high_{i}"]
                low, high = (0, 0) if low is None else (low, high)
                bound = max(abs(low), abs(high))
                whole = not found.get(f"frac_{i}") and bound <= _m.MAX_WHOLE
                self._kinds[c] = _Kind(whole, 1, int(math.ceil(bound)) if whole else 0)
        return self._kinds[name]

    def is_exact(self, columns: Sequence[str]) -> bool:
        return _m.exact_path() and all(self.kind(c).exact for c in columns)

    def _value(self, name: str, table=None):
        """The column as an Ibis expression: int64 (times its scale) when exact, else float64."""
        table = self.table if table is None else table
        kind = self.kind(name)
        return table[name].cast("int64") if kind.exact and _m.exact_path() else \
            table[name].cast("float64")

    # ------------------------------------------------------------------ moments
    def moments(self, columns: Sequence[str], *, complete: bool = False) -> Moments:
        columns = tuple(columns)
        if complete:
            key = ("complete", columns)
            if key not in self._moments:
                self._moments[key] = self._sum(columns, complete=True)
            return self._moments[key]
        for (kind, computed), found in self._moments.items():
            if kind == "pairwise" and set(columns) <= set(computed):
                return found.sub(columns)
        together = tuple(dict.fromkeys([*columns, *(c for c in self._hint
                                                    if c in self.table.columns)]))
        hinted = any(kind == "pairwise" and set(self._hint) & set(computed)
                     for kind, computed in self._moments)
        if hinted or not self.is_exact(columns) or not self.is_exact(together):
            together = columns  # the hint's moments are there: these columns alone
        self._moments[("pairwise", together)] = self._sum(together)
        return self._moments[("pairwise", together)].sub(columns)

    def _sum(self, columns: tuple[str, ...], *, complete: bool = False) -> Moments:
        """The pairwise (or, with ``complete``, listwise) sums of ``columns`` in one query."""
        k = len(columns)
        if not k:
            empty = np.zeros((0, 0), dtype=np.int64)
            return Moments((), empty, empty, empty, empty, np.zeros(0, np.int64), np.zeros(0),
                           True)
        table = self.table
        if complete:
            import ibis
            table = table.filter(ibis.and_(*[table[c].notnull() for c in columns]))
        exact = self.is_exact(columns)
        origin = np.zeros(k)
        if exact:
            y = [self._cast(c, "BIGINT") for c in columns]
        else:
            x = [self._float_sql(c) for c in columns]
            means = self._wide(table, {f"m{i}": f"AVG({v})" for i, v in enumerate(x)})
            origin = np.array([float(means[f"m{i}"] or 0.0) for i in range(k)])
            y = [f"({v} - {_number(o)})" for v, o in zip(x, origin)]
        counts = self._wide(table, _count_aggregates(k), columns=_summands(y))
        complete_column = [int(counts[f"c{i}"]) == int(counts["rows"]) for i in range(k)]
        found = self._wide(table, _pair_aggregates(k, complete_column), columns=_summands(y))
        scale = np.array([self.kind(c).scale for c in columns], dtype=np.int64)
        return _moments_of(columns, {**counts, **found}, complete_column, exact, origin, scale)

    def count_rows(self, *, any_of: Sequence[str] = (), all_of: Sequence[str] = ()) -> int:
        import ibis

        key = ("rows", tuple(any_of), tuple(all_of))
        if key in self._table_derived:
            return self._table_derived[key]
        keep = ibis.literal(True)
        if any_of:
            keep = keep & ibis.or_(*[self.table[c].notnull() for c in any_of])
        for c in all_of:
            keep = keep & self.table[c].notnull()
        self._table_derived[key] = int(self.one_row(n=keep.cast("int64").sum())["n"] or 0)
        return self._table_derived[key]

    # ------------------------------------------------------------------ value counts
    def counts(self, column: str) -> Counts:
        """How often each answer of ``column`` occurs: ``GROUP BY`` in the engine, for the
        column and the rest of the hint in one query."""
        if column not in self._counts:
            wanted = [c for c in dict.fromkeys([column, *self._hint])
                      if c not in self._counts and c in self.table.columns]
            found = self._value_counts(wanted)
            for c in wanted:
                self._counts[c] = found.get(c, Counts(np.zeros(0), np.zeros(0, np.int64)))
        return self._counts[column]

    def pair_counts(self, first: str, second: str) -> pd.Series:
        """As :meth:`Responses.pair_counts`: ``GROUP BY`` the two columns in the engine."""
        x, y = self.table[first], self.table[second]
        found = self.engine.run(self.table.filter(x.notnull() & y.notnull())
                                .group_by([first, second]).aggregate(_n=x.count())).to_pandas()
        return found.set_index([first, second])["_n"].rename(None)

    # ------------------------------------------------------------------ ranked shares (ABC)
    def ranked_totals(self, column: str) -> dict:
        """``rows``, ``n`` (rows with a value of ``column``) and ``total`` (its sum, float)."""
        return self._wide(self.table, {"rows": "COUNT(*)", "n": f"COUNT({self._q(column)})",
                                       "total": f"SUM({self._cast(column, 'DOUBLE')})"})

    def _ranked_levels(self, column: str, total: float, cutoffs: Sequence[float],
                       labels: Sequence[str]) -> str:
        """SQL of the distinct values ``v`` of ``column``, largest first, with their rows ``k``,
        sum ``s``, the rows up to and including them ``upto`` (a window), the sum of the larger
        values ``before`` and the class ``cls``: ``labels[i]`` for the first ``i`` with
        ``before / total < cutoffs[i]``, else the last label."""
        v, q = self._cast(column, "DOUBLE"), self._q(column)
        levels = (f"SELECT {v} AS v, COUNT(*) AS k, SUM({v}) AS s {self._from(self.table)} "
                  f"WHERE {q} IS NOT NULL GROUP BY {v}")
        window = "OVER (ORDER BY v DESC ROWS BETWEEN UNBOUNDED PRECEDING AND {})"
        ordered = (f"SELECT v, k, s, SUM(k) {window.format('CURRENT ROW')} AS upto, "
                   f"COALESCE(SUM(s) {window.format('1 PRECEDING')}, 0) AS before "
                   f"FROM ({levels}) AS l")
        cases = " ".join(f"WHEN before / {_number(total)} < {_number(c)} THEN '{label}'"
                         for c, label in zip(cutoffs, labels))
        return (f"SELECT v, k, s, upto, before, CASE {cases} ELSE '{labels[-1]}' END AS cls "
                f"FROM ({ordered}) AS o")

    def ranked_classes(self, column: str, total: float, cutoffs: Sequence[float],
                       labels: Sequence[str]) -> pd.DataFrame:
        """Per class of :meth:`_ranked_levels` (the rows ranked by ``column``, largest first;
        equal values share a class, that of the first of them): ``n`` rows, ``sum`` of the
        column, ``lowest`` value and ``last`` rank; one query with a window over the distinct
        values, in the engine."""
        levels = self._ranked_levels(column, total, cutoffs, labels)
        found = self.engine.run_sql(f"SELECT cls, SUM(k) AS n, SUM(s) AS total, MIN(v) AS lowest, "
                                    f"MAX(upto) AS last FROM ({levels}) AS c GROUP BY cls")
        return found.to_pandas().set_index("cls").rename(columns={"total": "sum"})

    def ranked_points(self, column: str, total: float, cutoffs: Sequence[float],
                      labels: Sequence[str], ranks: Sequence[int]) -> pd.DataFrame:
        """The rows at ``ranks`` (1 = largest value of ``column``; ties in any order, as they
        share value and class): ``rank``, ``value``, ``cum_sum`` (the sum of the values up to
        and including that rank) and ``class``, in rank order."""
        from sqlglot import exp

        levels = self._ranked_levels(column, total, cutoffs, labels)
        wanted = exp.values([(int(r),) for r in ranks], alias="r", columns=["at_rank"]) \
            .sql(dialect=self.engine.sqlglot_dialect)
        found = self.engine.run_sql(
            f"SELECT r.at_rank AS rank, o.v AS value, "
            f"o.before + (r.at_rank - (o.upto - o.k)) * o.v AS cum_sum, o.cls AS class "
            f"FROM ({levels}) AS o JOIN {wanted} "
            f"ON r.at_rank > o.upto - o.k AND r.at_rank <= o.upto").to_pandas()
        return found.sort_values("rank", ignore_index=True)

    def with_labels(self, name: str, expression, labels: pd.Series) -> "TableResponses":
        """The same respondents with a column ``name``, ``expression`` (an Ibis expression of
        :attr:`table`, e.g. a segment as a ``CASE`` of the revenue); ``labels`` the same
        segments of the rows brought back, aligned with them. Splitting by it (:meth:`split` of
        ``labels`` named ``name``) then queries the engine per segment."""
        return TableResponses(self.engine, self.table.mutate(**{name: expression}),
                              self.frame.assign(**{name: labels.to_numpy()}), self._hint,
                              kinds=self._kinds, _prepared=self._prepared)

    # ------------------------------------------------------------------ derived columns
    def _derive(self, key: tuple, expressions: dict, kinds: dict, rows: Responses
                 ) -> "TableResponses":
        if key not in self._table_derived:
            self._table_derived[key] = TableResponses(
                self.engine, self.table.mutate(**expressions), rows.frame, list(expressions),
                kinds={**self._kinds, **kinds}, _prepared=rows._prepared)
        return self._table_derived[key]

    def scores(self, definitions: Mapping[str, Sequence[str]],
               min_share: float | Mapping[str, float] = 0.0) -> "TableResponses":
        """As :meth:`Responses.scores`, each score a column expression of the engine: exact
        scores as integers ``score × L`` (L the least common multiple of the possible numbers
        of answered items), else ``sum / count`` in floating point (the same operations, in the
        same order, as the in-memory path)."""
        import ibis

        shares = {name: min_share[name] if isinstance(min_share, Mapping) else min_share
                  for name in definitions}
        key = ("scores", tuple((name, tuple(items), shares[name])
                               for name, items in definitions.items()))
        if key in self._table_derived:
            return self._table_derived[key]
        rows = Responses.scores(self, definitions, min_share)
        expressions, kinds = {}, {}
        for name, items in definitions.items():
            items = list(items)
            answered = sum(self.table[i].notnull().cast("int64") for i in items) if items \
                else ibis.literal(0)
            enough = (answered >= shares[name] * len(items) - 1e-12) & (answered > 0)
            possible = [c for c in range(1, len(items) + 1)
                        if c >= shares[name] * len(items) - 1e-12]
            scale = math.lcm(*possible) if possible else 1
            parts = [self.kind(i) for i in items]
            if items and _m.exact_path() and all(p.exact and p.scale == 1 for p in parts) and \
                    max(p.bound for p in parts) * scale <= _m.MAX_WHOLE:
                total = sum(self._value(i).fill_null(0) for i in items)
                value = total * (ibis.literal(scale) // ibis.greatest(answered, 1))
                expressions[name] = ibis.ifelse(enough, value, ibis.null("int64"))
                kinds[name] = _Kind(True, scale, max(p.bound for p in parts) * scale)
            else:
                total = sum(self._float(i).fill_null(0.0) for i in items) if items \
                    else ibis.literal(0.0)
                expressions[name] = ibis.ifelse(enough, total / answered.cast("float64"),
                                                ibis.null("float64"))
                kinds[name] = _Kind(False)
        return self._derive(key, expressions, kinds, rows)

    def _float_sql(self, name: str):
        """:meth:`_float` as a sqlglot expression."""
        kind = self.kind(name)
        value = self._cast(name, "DOUBLE")
        return f"({value} / {_number(float(kind.scale))})" if kind.exact and kind.scale != 1 \
            else value

    def _float(self, name: str, table=None):
        """The column's answers as float64 (an exact score: its integer over its scale)."""
        table = self.table if table is None else table
        kind = self.kind(name)
        if kind.exact and kind.scale != 1:
            return table[name].cast("float64") / float(kind.scale)
        return table[name].cast("float64")

    def differences(self, pairs: Mapping[str, tuple[str, str]]) -> "TableResponses":
        """As :meth:`Responses.differences`, each a column expression of the engine."""
        import ibis

        key = ("differences", tuple((name, tuple(pair)) for name, pair in pairs.items()))
        if key in self._table_derived:
            return self._table_derived[key]
        rows = Responses.differences(self, pairs)
        expressions, kinds = {}, {}
        for name, (a, b) in pairs.items():
            ka, kb = self.kind(a), self.kind(b)
            both = self.table[a].notnull() & self.table[b].notnull()
            if _m.exact_path() and ka.exact and kb.exact and ka.scale == 1 and kb.scale == 1:
                value, kinds[name] = self._value(a) - self._value(b), \
                    _Kind(True, 1, ka.bound + kb.bound)
                expressions[name] = ibis.ifelse(both, value, ibis.null("int64"))
            else:
                expressions[name] = ibis.ifelse(both, self._float(a) - self._float(b),
                                                ibis.null("float64"))
                kinds[name] = _Kind(False)
        return self._derive(key, expressions, kinds, rows)

    # ------------------------------------------------------------------ levels
    def split(self, labels: pd.Series) -> dict:
        """By a column of the engine table when ``labels`` is one (by its name), the levels'
        moments then coming from the engine; else the rows' split (see
        :meth:`Responses.split`)."""
        name = getattr(labels, "name", None)
        if name is None or name not in self.table.columns:
            return Responses.split(self, labels)
        key = ("by", name)
        if key not in self._table_derived:
            self._table_derived[key] = self._levels(name, labels)
        return self._table_derived[key]

    def by(self, column: str) -> dict:
        return self.split(self.frame[column].rename(column)) if column in self.frame else \
            self.split(pd.Series([], name=column, dtype=object))

    def _levels(self, column: str, labels: pd.Series) -> dict:
        """Level -> :class:`TableResponses` of the rows with that value of ``column``, levels
        sorted as the in-memory split sorts them (the rows' levels first). The pairwise moments
        and value counts of the hint columns of every level come from two grouped queries."""
        rows = Responses.split(self, labels)
        hint = tuple(c for c in self._hint if c in self.table.columns)
        exact = bool(hint) and self.is_exact(hint)
        grouped = {}
        if exact:
            y = [self._cast(c, "BIGINT") for c in hint]
            whole = self._wide(self.table, _count_aggregates(len(y)), columns=_summands(y))
            complete_column = [int(whole[f"c{i}"]) == int(whole["rows"])
                               for i in range(len(hint))]
            grouped = self._wide(self.table, {**_count_aggregates(len(y)),
                                              **_pair_aggregates(len(y), complete_column)},
                                 by=column, columns=_summands(y))
            counted = self._value_counts(hint, by=column)
        else:
            found = self.engine.run(self.table.filter(self.table[column].notnull())
                                    .select(column).distinct()).column(0).to_pylist()
            grouped = {level: None for level in found}
        levels = list(rows) + sorted(set(grouped) - set(rows), key=lambda v: (str(type(v)), v))
        x = self.table[column]
        scale = np.array([self.kind(c).scale for c in hint], dtype=np.int64)
        parts = {}
        for level in levels:
            part = rows.get(level) or Responses(self.frame.iloc[:0])
            parts[level] = TableResponses(self.engine, self.table.filter(x == level), part.frame,
                                          self._hint, kinds=self._kinds,
                                          _prepared=part._prepared)
            if exact and level in grouped:
                parts[level]._moments[("pairwise", hint)] = _moments_of(
                    hint, grouped[level], complete_column, True, np.zeros(len(hint)), scale)
                parts[level]._rows = int(grouped[level]["rows"])
                for c in hint:
                    parts[level]._counts[c] = counted.get(
                        (level, c), Counts(np.zeros(0), np.zeros(0, np.int64)))
        return parts
