"""The shape of a figure group (tables of rows of cells) and the SQL helpers every group counts with.

A count cell carries the case-list URL whose total it equals (`Count`); other cells are plain numbers or
text. Counts are conditional aggregates over the readable cases of the request (one statement per table);
durations are ranked with window functions, so median and p90 are computed by the database on both
SQLite and PostgreSQL (nearest rank: the smallest value with at least p of the values at or below it).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache

from sqlalchemy import and_, case, func, select, true

from service.cases.stats.filters import Facets, cases_url, facet_conditions, query_string
from service.models import Case


@dataclass(frozen=True)
class Count:
    """A number of cases and the case-list query (`GET /api/v1/cases?...`) whose total equals it."""

    value: int
    cases_url: str


@dataclass(frozen=True)
class Table:
    id: str
    title: str
    columns: list[str]
    rows: list[list]
    note: str = ""


@dataclass(frozen=True)
class Report:
    group: str
    title: str
    filters: dict
    generated_at: datetime
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Scope:
    """A request's frame: who reads (need to know as a condition), the facets chosen, the time."""

    readable: object
    facets: Facets
    now: datetime
    dialect: str

    def where(self, **facets):
        """Readable cases under the request's facets with `facets` laid over them."""
        return and_(self.readable, *facet_conditions(replace(self.facets, **facets), self.now))

    def cell_condition(self, cell: dict):
        if "task" in cell or "task_state" in cell:   # depends on the time (overdue)
            return _condition(Facets(zone=self.facets.zone, **cell), self.now)
        return _cached_condition(tuple(sorted(cell.items())), self.facets.zone)

    def url(self, base: dict, cell: dict) -> str:
        return cases_url(replace(self.facets, **base), **cell)


def _condition(facets: Facets, now: datetime):
    conditions = facet_conditions(facets, now)
    return and_(*conditions) if conditions else true()


@lru_cache(maxsize=4096)
def _cached_condition(cell: tuple, zone: str):
    """A cell's condition without time-dependent facets, built once (building expressions costs more than
    running the statement on a small office's data)."""
    return _condition(Facets(zone=zone, **dict(cell)), datetime.min)


def count_cells(session, scope: Scope, base: dict, cells: dict[object, dict]) -> dict[object, Count]:
    """One statement: for each cell key, the readable cases under base + the cell's facets."""
    keys = list(cells)
    if not keys:
        return {}
    columns = [func.count(case((scope.cell_condition(cells[k]), 1))) for k in keys]
    values = session.execute(select(*columns).select_from(Case).where(scope.where(**base))).one()
    framed = replace(scope.facets, **base)
    prefix = query_string(framed)
    return {k: Count(int(v or 0), _url(framed, prefix, cells[k])) for k, v in zip(keys, values, strict=True)}


def _url(framed: Facets, prefix: str, cell: dict) -> str:
    """The case-list URL: the request's and the table's facets, then the cell's own."""
    if any(getattr(framed, name) is not None for name in cell):   # the cell narrows a facet already set
        return cases_url(framed, **cell)
    extra = query_string(Facets(), **cell)
    return "/api/v1/cases?" + "&".join(part for part in (prefix, extra) if part)


def present_values(session, scope: Scope, base: dict, column) -> list[str]:
    """The distinct non-null values of a fact among the readable cases (rows beyond a known vocabulary)."""
    rows = session.execute(select(column).where(scope.where(**base), column.is_not(None)).group_by(column))
    return sorted(v for (v,) in rows if v != "")


def present_combinations(session, scope: Scope, base: dict, columns) -> list[list[str]]:
    """For several facts at once (one scan): each one's distinct non-null values among the readable cases."""
    rows = session.execute(select(*columns).where(scope.where(**base)).group_by(*columns)).all()
    return [sorted({row[i] for row in rows if row[i] not in (None, "")}) for i in range(len(columns))]


def vocabulary(known, found) -> list[str]:
    return list(known) + [v for v in found if v not in known]


def days_between(dialect: str, start, end):
    """Elapsed days (fractional) between two UTC timestamps, in SQL."""
    if dialect == "postgresql":
        return func.extract("epoch", end - start) / 86400.0
    return func.julianday(end) - func.julianday(start)


def duration_stats(session, values, keys: list[str]) -> dict[tuple, dict]:
    """{group key tuple: {n, avg, p50, p90}} over `values` (a select with columns `keys` and `d`)."""
    sub = values.subquery()
    group = [sub.c[k] for k in keys]
    ranked = select(*group, sub.c.d,
                    func.row_number().over(partition_by=group or None, order_by=sub.c.d).label("rn"),
                    func.count().over(partition_by=group or None).label("n")).subquery()
    rgroup = [ranked.c[k] for k in keys]
    rows = session.execute(
        select(*rgroup, func.count(), func.avg(ranked.c.d),
               func.min(case((ranked.c.rn * 2 >= ranked.c.n, ranked.c.d))),
               func.min(case((ranked.c.rn * 10 >= ranked.c.n * 9, ranked.c.d))))
        .group_by(*rgroup))
    out = {}
    for row in rows:
        key = tuple(row[:len(keys)])
        n, avg, p50, p90 = row[len(keys):]
        out[key] = {"n": int(n), "avg": _days(avg), "p50": _days(p50), "p90": _days(p90)}
    return out


def _days(value) -> float | None:
    return None if value is None else round(float(value), 1)


def share(part: int, whole: int) -> str:
    """A percentage with one decimal, '—' when there is nothing to divide by."""
    return f"{part * 100 / whole:.1f}%" if whole else "—"
