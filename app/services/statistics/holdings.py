"""馆藏统计 (R50): volumes, items and pages, files, growth and places.

Volumes, items and pages by 门类, 年度, 保管期限, 密级, 载体 and state; electronic files;
growth per month; places used and free per 库房.

The volume figures come from ``stat_volume_group`` (count, items, pages per 门类 × 年度 ×
保管期限 × 密级 × state, kept by triggers), folded here into the sections, so a million volumes
are not read at all. Holdings are as the database holds them now (``截至统计时``); the growth
section counts volumes filed in the period.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select

import app.services.statistics.filing as filing
from app.domain.catalogue import (
    CARRIER_LABELS,
    RETENTION_LABELS,
    VOLUME_STATE_LABELS,
)
from app.domain.locations import LocationKind
from app.domain.statistics import Report, ReportKind, Table
from app.services.statistics.common import (
    LEVEL_WORDS,
    Query,
    bar,
    group_rows,
    labelled_table,
    level_key,
    line,
    month_columns,
    month_table,
    per_local_month,
    pie,
    table,
    uses_volume_filter,
    volume_clause,
)
from app.storage.models import (
    ArchiveBox,
    ArchiveItem,
    ItemFile,
    StatCounter,
    StatVolumeGroup,
    StorageLocation,
    Volume,
)

COLUMNS = ("案卷", "件", "页")


@dataclass(frozen=True)
class HoldingsTotals:
    """The headline figures (the overview and the home screen read these)."""

    volumes: int
    items: int
    pages: int
    by_state: dict[str, int]  # state value → volumes


def _groups(q: Query) -> list[tuple[str, int, str, str | None, str, int, int, int]]:
    """Count, items and pages per 门类 × 年度 × 保管期限 × 密级 × state.

    Read from ``stat_volume_group``, which the volume table's triggers keep
    (app/storage/stat_counters.py): a few hundred rows instead of a million.
    """
    g = StatVolumeGroup
    stmt = select(g.category_code, g.year, g.retention, g.level, g.state, g.n, g.items, g.pages)
    f = q.filters
    if f.category:
        stmt = stmt.where(g.category_code == f.category)
    if f.year is not None:
        stmt = stmt.where(g.year == f.year)
    if f.level:
        stmt = stmt.where(g.level == ("" if f.level == "none" else f.level))
    return [
        (str(c), int(y), str(r), lv or None, str(st), int(n), int(i), int(p))
        for c, y, r, lv, st, n, i, p in q.uow.session.execute(stmt.where(g.n > 0))
    ]


def holdings_totals(q: Query) -> HoldingsTotals:
    """Volumes, items, pages and volumes per state under the filter (the same scan)."""
    by_state: dict[str, int] = defaultdict(int)
    items = pages = 0
    for *_keys, state, n, i, p in _groups(q):
        by_state[str(state)] += int(n)
        items += int(i)
        pages += int(p)
    return HoldingsTotals(sum(by_state.values()), items, pages, dict(by_state))


def holdings_counters(q: Query) -> tuple[int, int, int]:
    """Volumes, items and pages in total from the running totals (the overview; no filter).

    The triggers of app/storage/stat_counters.py keep them; they equal :func:`holdings_totals`
    without a filter (tests/integration/test_statistics_reports.py checks both).
    """
    row = q.uow.session.get(StatCounter, "volume")
    return (int(row.n), int(row.items), int(row.pages)) if row else (0, 0, 0)


def build(q: Query) -> Report:
    """The holdings report for ``q``."""
    groups = _groups(q)
    by: dict[str, dict[str, list[int]]] = {
        name: defaultdict(lambda: [0, 0, 0])
        for name in ("category", "year", "retention", "level", "state")
    }
    for category, year, retention, level, state, n, items, pages in groups:
        keys = {
            "category": category or "",
            "year": str(year),
            "retention": retention,
            "level": level_key(level),
            "state": state,
        }
        for name, key in keys.items():
            acc = by[name][key]
            acc[0] += int(n)
            acc[1] += int(items)
            acc[2] += int(pages)
    t_category = table("by_category", "按门类", ("门类", *COLUMNS), group_rows(by["category"]))
    t_year = table(
        "by_year",
        "按年度",
        ("年度", *COLUMNS),
        group_rows(by["year"], sorted(by["year"])),
    )
    t_retention = labelled_table(
        "by_retention", "按保管期限", ("保管期限", *COLUMNS), by["retention"], RETENTION_LABELS
    )
    t_level = labelled_table("by_level", "按密级", ("密级", *COLUMNS), by["level"], LEVEL_WORDS)
    t_state = labelled_table(
        "by_state", "按状态", ("状态", *COLUMNS), by["state"], VOLUME_STATE_LABELS
    )
    totals = t_state.rows[-1]
    files, size = _files(q)
    t_summary = table(
        "summary",
        "馆藏概况",
        ("项目", "数量"),
        (
            ("案卷", totals[1]),
            ("件", totals[2]),
            ("页", totals[3]),
            ("电子文件（个）", files),
            ("电子文件容量（MB）", round(size / 1_048_576, 1)),
        ),
    )
    t_carrier = table("by_carrier", "按载体（件）", ("载体", "件"), _carriers(q))
    t_growth = _growth(q)
    t_places = table(
        "places",
        "库房位置（盒位）",
        ("库房", "盒位", "已用", "空余"),
        _places(q),
    )
    return q.report(
        ReportKind.HOLDINGS,
        tables=(
            t_summary,
            t_category,
            t_year,
            t_retention,
            t_level,
            t_carrier,
            t_state,
            t_growth,
            t_places,
            filing.filing_table(q),
        ),
        charts=(
            bar("案卷数量（按年度）", t_year),
            pie("案卷（按保管期限）", t_retention),
            line("本期新增（按月）", t_growth, (1, 2)),
        ),
        notes=(
            "馆藏数量为统计时的现状；“本期新增”按立卷登记时间统计。"
            "归档移交按部门每月一次、次月规定日期前办理统计。",
        ),
        filtered=True,
    )


def _files(q: Query) -> tuple[int, int]:
    stmt = select(func.count(ItemFile.id), func.coalesce(func.sum(ItemFile.size), 0)).where(
        ItemFile.state == "complete"
    )
    if uses_volume_filter(q.filters):
        stmt = (
            stmt.join(ArchiveItem, ArchiveItem.id == ItemFile.item_id)
            .join(Volume, Volume.id == ArchiveItem.volume_id)
            .where(volume_clause(q.filters))
        )
    n, size = q.uow.session.execute(stmt).one()
    return int(n), int(size)


def _carriers(q: Query) -> tuple[tuple[str | int | float, ...], ...]:
    stmt = select(ArchiveItem.carrier, func.count()).group_by(ArchiveItem.carrier)
    if uses_volume_filter(q.filters):
        stmt = stmt.join(Volume, Volume.id == ArchiveItem.volume_id).where(volume_clause(q.filters))
    counts = {str(c): int(n) for c, n in q.uow.session.execute(stmt)}
    return group_rows(
        counts,
        [c.value for c in CARRIER_LABELS],
        {c.value: label for c, label in CARRIER_LABELS.items()},
    )


def _growth(q: Query) -> Table:
    per_month = per_local_month(
        q.uow,
        Volume.created_at,
        q.in_period(Volume.created_at) & volume_clause(q.filters),
        Volume.item_count,
    )
    return month_table(
        "growth",
        "本期新增（按月）",
        ("月份", "新增案卷", "其中件数"),
        q.months(),
        *month_columns(per_month, 2),
    )


def _places(q: Query) -> list[tuple[str | int | float, ...]]:
    session = q.uow.session
    rooms = session.execute(
        select(StorageLocation.id, StorageLocation.code, StorageLocation.path_key)
        .where(StorageLocation.kind == LocationKind.STOREROOM.value)
        .order_by(StorageLocation.path_key)
    ).all()
    slots = session.execute(
        select(StorageLocation.path_key, StorageLocation.capacity).where(
            StorageLocation.capacity.is_not(None)
        )
    ).all()
    boxes = session.execute(
        select(StorageLocation.path_key, func.count(ArchiveBox.id))
        .join(ArchiveBox, ArchiveBox.location_id == StorageLocation.id)
        .group_by(StorageLocation.path_key)
    ).all()
    rows: list[tuple[str | int | float, ...]] = []
    for _rid, code, key in rooms:
        capacity = sum(int(c or 0) for k, c in slots if k.startswith(key))
        used = sum(int(n) for k, n in boxes if k.startswith(key))
        rows.append((code, capacity, used, max(capacity - used, 0)))
    if rows:
        rows.append(
            (
                "合计",
                sum(int(r[1]) for r in rows),
                sum(int(r[2]) for r in rows),
                sum(int(r[3]) for r in rows),
            )
        )
    return rows
