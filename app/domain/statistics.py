"""Statistics reports (R50, seed 000 第3章): plain rows, report kinds, release states and routing.

A report is counts only: tables of labelled numbers and the charts drawn from them. It is the
same object on screen, in print, in a workbook and frozen in the database once released, so the
figures can never differ between them (:meth:`Report.to_json` / :meth:`Report.from_json`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from app.domain.enums import LabelledEnum
from app.domain.roles import ApproverTitle


class ReportKind(LabelledEnum):
    """The reports the statistics area computes."""

    HOLDINGS = "holdings", "馆藏统计"
    USE = "use", "利用统计"
    LOANS = "loans", "外借统计"
    INSPECTIONS = "inspections", "库房检查统计"
    CUSTOMERS = "customers", "客户信息统计"
    ACTIVITY = "activity", "销毁、事件与操作统计"


REPORT_LABELS = ReportKind.labels()


class ReleaseState(LabelledEnum):
    """A report's way from draft to release (seed 000 第13条: 审查后方可报发)."""

    DRAFT = "draft", "草稿"  # compiled, not yet submitted
    PENDING = "pending", "审批中"
    RELEASED = "released", "已发布"
    REJECTED = "rejected", "已退回"
    SUPERSEDED = "superseded", "已被新版本替代"


RELEASE_LABELS = ReleaseState.labels()

DRAFT_MARK = "草稿 — 未经批准不得报发"

# Chart colours (RGB 0–1), the same on screen (ui/widgets/charts.py) and in print.
PALETTE: tuple[tuple[float, float, float], ...] = (
    (0.16, 0.38, 0.71),
    (0.87, 0.45, 0.13),
    (0.20, 0.60, 0.33),
    (0.72, 0.20, 0.22),
    (0.50, 0.36, 0.70),
    (0.55, 0.55, 0.55),
    (0.10, 0.62, 0.68),
    (0.80, 0.68, 0.10),
)

# Routing (configurable, setting ``statistics_routing``): each step lists the approver titles
# that may sign it. 客户信息主管 is the 主管 post (监事/主管). An internal report is reviewed by
# 客户信息主管 or 客服部经理 (第13条); one requested by another department is approved by the
# 客服部经理 and the 总经理 after that review (第10条); a change of one item after release is
# approved by the 总经理 (第11条).
DEFAULT_ROUTING: dict[str, tuple[tuple[str, ...], ...]] = {
    "internal": (("supervisor", "cs_manager"),),
    "other_department": (("supervisor", "cs_manager"), ("cs_manager",), ("general_manager",)),
    "revision": (("general_manager",),),
}
ROUTE_LABELS = {
    "internal": "本部门报表",
    "other_department": "其他部门索取",
    "revision": "个别项修改",
}


def parse_routing(data: object) -> dict[str, tuple[tuple[str, ...], ...]]:
    """The routing table from its decoded setting (missing or unreadable parts: the defaults)."""
    routing = dict(DEFAULT_ROUTING)
    if not isinstance(data, dict):
        return routing
    titles = {t.value for t in ApproverTitle}
    for key in DEFAULT_ROUTING:
        steps = data.get(key)
        if not isinstance(steps, list) or not steps:
            continue
        clean = tuple(
            tuple(t for t in step if t in titles) for step in steps if isinstance(step, list)
        )
        if clean and all(clean):
            routing[key] = clean
    return routing


def routing_errors(routing: Mapping[str, Sequence[Sequence[str]]]) -> list[str]:
    """The routes of ``routing`` that break a rule (empty: acceptable).

    Every route needs steps; requests from other departments need the 客服部经理 and the 总经理
    (第10条); a revision needs the 总经理 (第11条).
    """
    problems: list[str] = []
    for key in DEFAULT_ROUTING:
        steps = routing.get(key) or ()
        if not steps or not all(steps):
            problems.append(key)
            continue
        signed = {t for step in steps for t in step}
        if key == "other_department" and not (
            any(tuple(s) == ("cs_manager",) for s in steps)
            and any(tuple(s) == ("general_manager",) for s in steps)
        ):
            problems.append(key)
        if key == "revision" and not any(tuple(s) == ("general_manager",) for s in steps):
            problems.append(key)
        if not signed:
            problems.append(key)
    return problems


# --- filters and periods -----------------------------------------------------------------------
@dataclass(frozen=True)
class ReportFilter:
    """What a report is restricted to (empty: everything)."""

    category: str = ""  # 门类 code
    year: int | None = None  # 年度 of the volumes
    department: str = ""  # 部门 of the users of the archives
    level: str = ""  # 密级: "none" (非密), secret, confidential, top_secret

    def describe(self) -> tuple[tuple[str, str], ...]:
        """``(("门类", "KH"), …)`` for the header of a printed report."""
        from app.domain.catalogue import SECRECY_LABELS, SecrecyLevel

        out: list[tuple[str, str]] = []
        if self.category:
            out.append(("门类", self.category))
        if self.year is not None:
            out.append(("年度", str(self.year)))
        if self.department:
            out.append(("部门", self.department))
        if self.level:
            word = "非密" if self.level == "none" else SECRECY_LABELS[SecrecyLevel(self.level)]
            out.append(("密级", word))
        return tuple(out)


def month_of(day: date) -> tuple[date, date]:
    """The first and last day of ``day``'s month."""
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def months_between(start: date, end: date) -> list[str]:
    """``["2026-01", "2026-02"]``: every month the period touches."""
    out: list[str] = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


# --- the report ---------------------------------------------------------------------------------
Cell = str | int | float


@dataclass(frozen=True)
class Table:
    """One section: a title, column heads and rows (the first column names the row)."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    key: str = ""  # stable name for tests and revisions ("by_kind")


@dataclass(frozen=True)
class Chart:
    """A chart drawn from the same numbers as a table: ``bar``, ``line`` or ``pie``."""

    kind: str
    title: str
    labels: tuple[str, ...]
    series: tuple[tuple[str, tuple[float, ...]], ...]  # (name, one value per label)


@dataclass(frozen=True)
class Report:
    """A computed (or frozen) statistics report: counts only, never a personal value."""

    kind: str
    title: str
    period_from: date
    period_to: date
    filters: tuple[tuple[str, str], ...] = ()
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()
    notes: tuple[str, ...] = ()
    computed_at: str = ""  # ISO time the numbers were taken

    def table(self, key: str) -> Table:
        """The section named ``key`` (KeyError when absent)."""
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(key)

    def value(self, key: str, row: str, column: int = 1) -> Cell:
        """The cell of section ``key`` whose first column is ``row``."""
        for r in self.table(key).rows:
            if r[0] == row:
                return r[column]
        raise KeyError(row)

    def period_text(self) -> str:
        """``2026-01-01 至 2026-01-31``."""
        return f"{self.period_from.isoformat()} 至 {self.period_to.isoformat()}"

    def to_json(self) -> str:
        """The report as JSON (what a released report keeps)."""
        data: dict[str, Any] = {
            "kind": self.kind,
            "title": self.title,
            "period_from": self.period_from.isoformat(),
            "period_to": self.period_to.isoformat(),
            "filters": [list(f) for f in self.filters],
            "tables": [
                {"title": t.title, "key": t.key, "headers": list(t.headers), "rows": t.rows}
                for t in self.tables
            ],
            "charts": [
                {
                    "kind": c.kind,
                    "title": c.title,
                    "labels": list(c.labels),
                    "series": [[n, list(v)] for n, v in c.series],
                }
                for c in self.charts
            ],
            "notes": list(self.notes),
            "computed_at": self.computed_at,
        }
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Report:
        """The report :meth:`to_json` wrote."""
        d = json.loads(text)
        return cls(
            kind=d["kind"],
            title=d["title"],
            period_from=date.fromisoformat(d["period_from"]),
            period_to=date.fromisoformat(d["period_to"]),
            filters=tuple((a, b) for a, b in d["filters"]),
            tables=tuple(
                Table(t["title"], tuple(t["headers"]), tuple(tuple(r) for r in t["rows"]), t["key"])
                for t in d["tables"]
            ),
            charts=tuple(
                Chart(
                    c["kind"],
                    c["title"],
                    tuple(c["labels"]),
                    tuple((n, tuple(v)) for n, v in c["series"]),
                )
                for c in d["charts"]
            ),
            notes=tuple(d["notes"]),
            computed_at=d.get("computed_at", ""),
        )


def cell_text(value: Cell) -> str:
    """How a cell reads on screen and in print (floats with one decimal)."""
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


@dataclass(frozen=True)
class ReleaseInfo:
    """What the page header of a report says about its release."""

    number: str = ""  # TJ2026-0001 once released
    version: int = 1
    state: str = ReleaseState.DRAFT.value
    compiled_by: str = ""
    approvals: tuple[str, ...] = ()  # "客服部经理 刘芳 2026-01-05"
    change_note: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_draft(self) -> bool:
        """Anything not released carries the draft watermark."""
        return self.state != ReleaseState.RELEASED.value and self.state != "superseded"
