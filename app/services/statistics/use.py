"""利用统计 (R35, R40, R50): 人次, 卷次, 件次 and pages copied, and the volumes used most.

By 利用方式, purpose, department and 密级, per month.

Read from ``use_log`` alone (one row per volume used, written at issue, with the volume's 密级,
门类 and 年度 and the items handed over as they were then). 人次 counts applications served.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, func, select

from app.domain.loans import KIND_LABELS, UseKind
from app.domain.statistics import Report, ReportKind, Table
from app.services.statistics.common import (
    LEVEL_ORDER,
    LEVEL_WORDS,
    Query,
    bar,
    group_rows,
    level_key,
    line,
    month_columns,
    month_table,
    per_local_month,
    pie,
    table,
    volume_conditions,
)
from app.storage.models import UseLog, Volume

TOP = 10
PURPOSES = 10
COLUMNS = ("人次", "卷次", "件次", "复制页数")
TOP_KEY = "top_volumes"


def _where(q: Query) -> list[Any]:
    """The period and the filter, on ``use_log`` alone.

    Each row carries its volume's 密级, 门类 and 年度 and the items handed over (filled by a
    trigger when it was written, app/storage/stat_counters.py), so neither the million-row
    volume table nor the register entries are looked up row by row.
    """
    f = q.filters
    where = [q.in_period(UseLog.occurred_at)]
    if f.department:
        where.append(UseLog.department == f.department)
    where += volume_conditions(f, UseLog.volume_category, UseLog.volume_year, UseLog.volume_level)
    return where


_FIGURES = (
    func.count(func.distinct(UseLog.application_id)),  # 人次: applications served
    func.count(),  # 卷次
    func.coalesce(func.sum(UseLog.items), 0),  # 件次
    func.coalesce(func.sum(UseLog.pages_copied), 0),  # pages copied
)


def _sum(q: Query) -> list[int]:
    """人次 (distinct applications), 卷次, 件次, pages copied: aggregated in SQL."""
    row = q.uow.session.execute(select(*_FIGURES).where(*_where(q))).one()
    return [int(v or 0) for v in row]


def _by(
    q: Query, column: Any, key: Callable[[Any], str] = lambda v: v or ""
) -> dict[str, list[int]]:
    """The four figures per value of ``column`` (one grouped pass in SQL)."""
    out: dict[str, list[int]] = {}
    for value, *figures in q.uow.session.execute(
        select(column, *_FIGURES).where(*_where(q)).group_by(column)
    ):
        acc = out.setdefault(key(value), [0, 0, 0, 0])
        for i, v in enumerate(figures):
            acc[i] += int(v or 0)
    return out


def use_totals(q: Query) -> tuple[int, int, int, int]:
    """人次, 卷次, 件次 and pages copied in the period (the overview reads these)."""
    persons, volumes, items, pages = _sum(q)
    return persons, volumes, items, pages


def build(q: Query) -> Report:
    """The use report for ``q``."""
    persons, volumes, items, pages = _sum(q)
    t_summary = table(
        "summary",
        "利用概况",
        ("项目", "数量"),
        (("人次", persons), ("卷次", volumes), ("件次", items), ("复制页数", pages)),
    )
    kinds = {k.value: label for k, label in KIND_LABELS.items()}
    t_kind = table(
        "by_kind",
        "按利用方式",
        ("利用方式", *COLUMNS),
        _fix_persons(group_rows(_by(q, UseLog.kind), [k.value for k in UseKind], kinds), persons),
    )
    purposes = _by(q, UseLog.purpose)
    top_purposes = sorted(purposes, key=lambda p: (-purposes[p][1], p))[:PURPOSES]
    rest = [p for p in purposes if p not in top_purposes]
    shown = {p[:30]: purposes[p] for p in top_purposes}
    if rest:
        shown["其他"] = [sum(purposes[p][i] for p in rest) for i in range(4)]
    t_purpose = table(
        "by_purpose",
        "按利用目的（前 10 项）",
        ("利用目的", *COLUMNS),
        _fix_persons(group_rows(shown, list(shown)), persons),
    )
    t_department = table(
        "by_department",
        "按部门",
        ("部门", *COLUMNS),
        _fix_persons(group_rows(_by(q, UseLog.department)), persons),
    )
    t_level = table(
        "by_level",
        "按密级",
        ("密级", *COLUMNS),
        _fix_persons(_levels(q), persons),
    )
    t_month = _months(q)
    t_top = _top_volumes(q)
    return q.report(
        ReportKind.USE,
        tables=(t_summary, t_kind, t_purpose, t_department, t_level, t_month, t_top),
        charts=(
            bar("卷次（按利用方式）", t_kind, 2),
            line("利用（按月）", t_month, (1, 2)),
            pie("卷次（按部门）", t_department, 2),
        ),
        notes=(
            "人次按申请计（一份申请为一人次，合计行不重复计算）；卷次按登记的案卷计；"
            "件次按交付的件数计；复制页数含复制、摘抄、对外提供。",
        ),
        filtered=True,
    )


def _fix_persons(rows: tuple[tuple[Any, ...], ...], persons: int) -> tuple[tuple[Any, ...], ...]:
    """The 合计 row's 人次 is the distinct count (an application may span several groups)."""
    if rows and rows[-1][0] == "合计":
        last = rows[-1]
        rows = (*rows[:-1], (last[0], persons, *last[2:]))
    return rows


def _levels(q: Query) -> tuple[tuple[Any, ...], ...]:
    """By 密级 (the volume's when it was used)."""
    merged = _by(q, UseLog.volume_level, level_key)
    return group_rows(merged, LEVEL_ORDER, LEVEL_WORDS)


def _months(q: Query) -> Table:
    per = per_local_month(q.uow, UseLog.occurred_at, and_(*_where(q)), UseLog.pages_copied)
    return month_table(
        "by_month", "按月", ("月份", "卷次", "复制页数"), q.months(), *month_columns(per, 2)
    )


def _top_volumes(q: Query) -> Table:
    """The volumes used most, by 档号 with 门类, 年度 and 密级: never their titles.

    A volume's title names its customer (``张三丰2024年度客户档案``) and may be classified, so
    a report, which holds counts only, identifies volumes by 档号 (R5, R17).
    """
    uses = func.count().label("uses")
    top = [
        (int(vid), int(n))
        for vid, n in q.uow.session.execute(
            select(UseLog.volume_id, uses)
            .where(*_where(q))
            .group_by(UseLog.volume_id)
            .order_by(uses.desc(), UseLog.volume_id)
            .limit(TOP)
        )
    ]
    info = {
        vid: (code, category, year, level)
        for vid, code, category, year, level in q.uow.session.execute(
            select(
                Volume.id,
                Volume.reference_code,
                Volume.category_code,
                Volume.year,
                Volume.secrecy_level,
            ).where(Volume.id.in_([t[0] for t in top]))
        )
    }
    listed = []
    for rank, (vid, n) in enumerate(top, start=1):
        code, category, year, level = info[vid]
        listed.append(
            (rank, code, category or "", str(year), LEVEL_WORDS[level_key(level)], int(n))
        )
    return table(
        TOP_KEY, "利用最多的案卷", ("名次", "档号", "门类", "年度", "密级", "卷次"), listed
    )
