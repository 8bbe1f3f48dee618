"""What every statistics report shares: the query frame, periods, filters and table builders.

A report builder is ``build(q: Query) -> Report``: it reads counts in the caller's unit of work
and returns plain rows (:mod:`app.domain.statistics`). Aggregates only: no builder selects a
name, a number or any other personal value, and titles of volumes appear only in the
top-volumes list, and only within the reader's clearance (R17).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, false, func, select, true

from app.clock import Clock, as_utc
from app.domain.accounts import Actor
from app.domain.catalogue import SECRECY_LABELS, SecrecyLevel
from app.domain.statistics import (
    REPORT_LABELS,
    Cell,
    Chart,
    Report,
    ReportFilter,
    ReportKind,
    Table,
    months_between,
)
from app.errors import FieldError, ValidationFailed
from app.services.loans.shared import utc_range
from app.storage.models import Volume
from app.storage.store import UnitOfWork

LEVEL_WORDS = {"none": "非密", **{lv.value: label for lv, label in SECRECY_LABELS.items()}}
LEVEL_ORDER = ("none", "secret", "confidential", "top_secret")
MAX_DAYS = 3 * 366 + 1  # a report covers at most three years


@dataclass(frozen=True)
class Query:
    """One report's question: who reads, the period (local days), the filter, the clock."""

    uow: UnitOfWork
    actor: Actor
    period_from: date
    period_to: date
    filters: ReportFilter
    clock: Clock

    @property
    def utc(self) -> tuple[datetime, datetime]:
        """The period as a half-open UTC range."""
        return utc_range(self.period_from, self.period_to)

    @property
    def today(self) -> date:
        """Today (local)."""
        return self.clock.now().astimezone().date()

    def in_period(self, column: Any) -> Any:
        """SQL: ``column`` (a time) falls in the period."""
        start, end = self.utc
        return and_(column >= start, column < end)

    def months(self) -> list[str]:
        """The months of the period, ``YYYY-MM``."""
        return months_between(self.period_from, self.period_to)

    def report(
        self,
        kind: ReportKind,
        tables: Iterable[Table],
        charts: Iterable[Chart],
        notes: Iterable[str],
        *,
        filtered: bool,
    ) -> Report:
        """The report of ``kind`` over this period: its title, sections, charts and notes.

        ``filtered``: the builder applies the filter (门类, 年度, 密级 …), so the report names it.
        """
        return Report(
            kind=kind.value,
            title=REPORT_LABELS[kind],
            period_from=self.period_from,
            period_to=self.period_to,
            filters=self.filters.describe() if filtered else (),
            tables=tuple(tables),
            charts=tuple(charts),
            notes=tuple(notes),
        )


def check_period(period_from: date, period_to: date) -> None:
    """Refuse a reversed or overlong period."""
    if period_from > period_to:
        raise ValidationFailed([FieldError("date_range", "range_order")])
    if (period_to - period_from).days > MAX_DAYS:
        raise ValidationFailed([FieldError("date_range", "period_too_long")])


def volume_conditions(filters: ReportFilter, category: Any, year: Any, level: Any) -> list[Any]:
    """SQL conditions: ``category``, ``year`` and ``level`` match the filter's 门类, 年度, 密级.

    The columns are a volume's, or the copies a use row keeps of them; ``none`` is no 密级.
    """
    parts = []
    if filters.category:
        parts.append(category == filters.category)
    if filters.year is not None:
        parts.append(year == filters.year)
    if filters.level == "none":
        parts.append(level.is_(None))
    elif filters.level:
        parts.append(level == filters.level)
    return parts


def volume_clause(filters: ReportFilter, volume: Any = Volume) -> Any:
    """SQL: the volume matches the filter's 门类, 年度 and 密级."""
    return and_(
        true(),
        *volume_conditions(filters, volume.category_code, volume.year, volume.secrecy_level),
    )


def uses_volume_filter(filters: ReportFilter) -> bool:
    """True when the filter restricts volumes."""
    return bool(filters.category or filters.year is not None or filters.level)


def level_key(value: str | None) -> str:
    """Stored 密级 → ``none``/``secret``/… (unknown values count as the highest)."""
    if value is None:
        return "none"
    try:
        return SecrecyLevel(value).value
    except ValueError:
        return "top_secret"


def month_key(value: datetime | date | None) -> str:
    """The local ``YYYY-MM`` of a stored time (or a date)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = as_utc(value).astimezone().date()
    return f"{value.year:04d}-{value.month:02d}"


def group_rows(
    counts: Mapping[str, Sequence[int]] | Mapping[str, int],
    order: Iterable[str] | None = None,
    labels: Mapping[str, str] | None = None,
    *,
    total: bool = True,
) -> tuple[tuple[Cell, ...], ...]:
    """Rows ``(label, n…)`` in ``order`` (then the others sorted), with a 合计 row."""
    keys = list(order or [])
    keys += sorted(k for k in counts if k not in keys)
    rows: list[tuple[Cell, ...]] = []
    width = 1
    for key in keys:
        raw: Sequence[int] | int = counts.get(key, 0)
        values = tuple(raw) if isinstance(raw, Sequence) else (int(raw),)
        width = max(width, len(values))
        label = (labels or {}).get(key, key) or "（未填）"
        rows.append((label, *values))
    rows = [r + (0,) * (width + 1 - len(r)) for r in rows]
    if total:
        sums = tuple(sum(int(r[i]) for r in rows) for i in range(1, width + 1))
        rows.append(("合计", *sums))
    return tuple(rows)


def table(key: str, title: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Table:
    """A :class:`Table` from plain sequences (short rows of counts padded with zeros)."""
    width = len(headers)
    padded = tuple(tuple(r) + (0,) * (width - len(r)) for r in rows)
    return Table(title, tuple(headers), padded, key)


def labelled_table(
    key: str,
    title: str,
    headers: Sequence[str],
    counts: Mapping[str, Sequence[int]] | Mapping[str, int],
    labels: Mapping[Any, str],
) -> Table:
    """A table of ``counts`` in the order of ``labels``, each row named by its label.

    ``labels`` may be keyed by an enum's members (``LabelledEnum.labels()``): a member's value
    is the key of its counts. Keys without a label follow, sorted; then the 合计 row.
    """
    names = {str(getattr(k, "value", k)): label for k, label in labels.items()}
    return table(key, title, headers, group_rows(counts, list(names), names))


def bar(title: str, source: Table, column: int = 1, *, skip_total: bool = True) -> Chart:
    """A bar chart of one column of ``source``."""
    return _chart("bar", title, source, (column,), skip_total)


def pie(title: str, source: Table, column: int = 1) -> Chart:
    """A pie chart of one column of ``source`` (without the 合计 row)."""
    return _chart("pie", title, source, (column,), True)


def line(title: str, source: Table, columns: Sequence[int]) -> Chart:
    """A line chart of some columns of ``source`` (one line per column)."""
    return _chart("line", title, source, tuple(columns), True)


def _chart(
    kind: str, title: str, source: Table, columns: tuple[int, ...], skip_total: bool
) -> Chart:
    rows = [r for r in source.rows if not (skip_total and r[0] == "合计")]
    return Chart(
        kind,
        title,
        tuple(str(r[0]) for r in rows),
        tuple((source.headers[c], tuple(_number(r[c]) for r in rows)) for c in columns),
    )


def month_table(
    key: str,
    title: str,
    headers: Sequence[str],
    months: Sequence[str],
    *columns: Mapping[str, Sequence[int]],
) -> Table:
    """A per-month table: for each column source, the first figure of its month; a 合计 row."""
    rows: list[tuple[Cell, ...]] = []
    for m in months:
        rows.append((m, *(int(c[m][0]) if m in c else 0 for c in columns)))
    sums = tuple(sum(int(r[i]) for r in rows) for i in range(1, len(columns) + 1))
    return table(key, title, headers, [*rows, ("合计", *sums)])


def month_columns(per: Mapping[str, Sequence[int]], width: int) -> list[dict[str, list[int]]]:
    """Split a multi-figure per-month mapping into one mapping per figure."""
    return [{m: [int(v[i])] for m, v in per.items()} for i in range(width)]


def _number(value: Cell) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def nothing() -> Any:
    """SQL false (an empty selection)."""
    return false()


def ratio(part: int, whole: int) -> float:
    """``part / whole`` as a percentage with one decimal (0 when ``whole`` is 0)."""
    return round(100.0 * part / whole, 1) if whole else 0.0


def safe_count(value: Any) -> int:
    """An aggregate as int (None → 0)."""
    return int(value or 0)


def per_local_month(uow: UnitOfWork, column: Any, where: Any, *sums: Any) -> dict[str, list[int]]:
    """Rows (count, then each of ``sums``) per local month of the UTC time ``column``.

    Grouped by UTC hour in SQL (a few thousand groups for a year), then each hour is moved to
    its local month here: exact for whole-hour time zones, and the same SQL on both engines.
    """
    if uow.session.get_bind().dialect.name == "postgresql":
        hour: Any = func.to_char(func.timezone("UTC", column), "YYYY-MM-DD HH24")
    else:
        hour = func.substr(column, 1, 13)
    stmt = select(hour, func.count(), *(func.coalesce(func.sum(s), 0) for s in sums))
    out: dict[str, list[int]] = {}
    for key, n, *totals in uow.session.execute(stmt.where(where).group_by(hour)):
        moment = datetime.strptime(str(key), "%Y-%m-%d %H").replace(tzinfo=UTC)
        month = month_key(moment)
        acc = out.setdefault(month, [0] * (1 + len(sums)))
        for i, v in enumerate((n, *totals)):
            acc[i] += int(v or 0)
    return out
