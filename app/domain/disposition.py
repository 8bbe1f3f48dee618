"""Disposition rules (R12, R44, R46): holds, appraisal decisions, 销毁清册 routes and methods.

Pure functions and plain rows; ``app.services.disposition`` applies them in its transactions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from app.domain.catalogue import RETENTION_YEARS, Retention, SecrecyLevel
from app.domain.enums import LabelledEnum
from app.domain.roles import ApproverTitle


# --- legal holds (冻结, R46) ---------------------------------------------------------------
class HoldState(LabelledEnum):
    """A hold is in force until an approver releases it."""

    ACTIVE = "active", "冻结中"
    RELEASED = "released", "已解除"


@dataclass(frozen=True)
class HoldRef:
    """A hold as a refusal names it: its number and reason."""

    id: int
    number: str
    reason: str

    def label(self) -> str:
        """``DJ2026-0001（诉讼保全）`` for messages."""
        return f"{self.number}（{self.reason}）"


@dataclass(frozen=True)
class VolumeQuery:
    """A hold's scope by query: volumes of a 门类, a 全宗, a range of years (all optional).

    An empty query (every field None) matches nothing: a hold on "everything" must be said
    with an explicit year range.
    """

    category_code: str | None = None
    fonds_code: str | None = None
    year_from: int | None = None
    year_to: int | None = None

    def is_empty(self) -> bool:
        """True when the query names no condition (matches nothing)."""
        return (
            not self.category_code
            and not self.fonds_code
            and self.year_from is None
            and self.year_to is None
        )

    def to_json(self) -> str:
        """The stored form ("" for an empty query)."""
        if self.is_empty():
            return ""
        return json.dumps(
            {
                "category_code": self.category_code or None,
                "fonds_code": self.fonds_code or None,
                "year_from": self.year_from,
                "year_to": self.year_to,
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> VolumeQuery:
        """Read the stored form (an empty text is the empty query)."""
        if not text:
            return cls()
        raw = json.loads(text)
        return cls(
            category_code=raw.get("category_code") or None,
            fonds_code=raw.get("fonds_code") or None,
            year_from=raw.get("year_from"),
            year_to=raw.get("year_to"),
        )

    def matches(self, *, category_code: str, fonds_code: str, year: int) -> bool:
        """True when a volume with these values is in scope."""
        if self.is_empty():
            return False
        if self.category_code and category_code != self.category_code:
            return False
        if self.fonds_code and fonds_code != self.fonds_code:
            return False
        if self.year_from is not None and year < self.year_from:
            return False
        return not (self.year_to is not None and year > self.year_to)

    def describe(self) -> str:
        """A short Chinese description (``门类 KH，2000–2010 年``)."""
        parts = []
        if self.fonds_code:
            parts.append(f"全宗 {self.fonds_code}")
        if self.category_code:
            parts.append(f"门类 {self.category_code}")
        if self.year_from is not None or self.year_to is not None:
            a = "" if self.year_from is None else str(self.year_from)
            b = "" if self.year_to is None else str(self.year_to)
            parts.append(f"{a}–{b} 年")
        return "，".join(parts)


# --- retention with extensions (R12) ---------------------------------------------------------
def retention_end_year(year: int, retention: str, until: int | None) -> int | None:
    """Last year a volume is kept: an appraisal's extension wins; None when permanent.

    The period runs from 1 January after the filing year (R12): a 10-year volume of 2010 is
    kept to the end of 2020.
    """
    if retention == Retention.PERMANENT.value:
        return None
    if until is not None:
        return until
    years = RETENTION_YEARS[Retention(retention)]
    return None if years is None else year + years


def kept_years(year: int, today: date) -> int:
    """已保管期限: whole calendar years kept since 1 January after the filing year (≥ 0)."""
    return max(0, today.year - year - 1)


def date_range_text(date_from: date | None, date_to: date | None, year: int) -> str:
    """起止日期 as printed: ``2010-03-01—2010-11-30``, the year alone when no dates are known."""
    if date_from is None and date_to is None:
        return str(year)
    a = date_from.isoformat() if date_from else ""
    b = date_to.isoformat() if date_to else ""
    return f"{a}—{b}"


# --- appraisal (鉴定) ---------------------------------------------------------------------
class Decision(LabelledEnum):
    """What an appraisal decides for one volume (R44)."""

    DESTROY = "destroy", "销毁"
    EXTEND = "extend", "延长保管"
    PERMANENT = "permanent", "转为永久"
    TRANSFER = "transfer", "移交"


MIN_APPRAISERS = 2
MAX_EXTENSION_YEARS = 50
LOOK_AHEAD_MAX_YEARS = 10


# --- destruction (销毁, R44) ---------------------------------------------------------------
class ListState(LabelledEnum):
    """Life of a 销毁清册."""

    DRAFT = "draft", "编制中"
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已退回"
    DESTROYED = "destroyed", "已销毁"


OPEN_LIST_STATES = (ListState.DRAFT, ListState.PENDING, ListState.APPROVED)


class Method(LabelledEnum):
    """How material is destroyed: by technical means, never sold as scrap (R44, seeds 000/001)."""

    SHRED = "shred", "粉碎"
    BURN = "burn", "焚烧"
    AGENCY = "agency", "送指定机构销毁"


DEFAULT_METHODS: tuple[str, ...] = tuple(m.value for m in Method)
# Words that name a sale in any form: refused whatever the configured list says (R44).
FORBIDDEN_METHOD_WORDS = ("出售", "变卖", "卖", "废品", "废纸", "sell", "sale")


def method_is_sale(text: str) -> bool:
    """True when a method names selling (出售 as scrap): always refused (R44)."""
    folded = text.strip().casefold()
    return any(word in folded for word in FORBIDDEN_METHOD_WORDS)


def method_label(value: str) -> str:
    """The Chinese label of a method value (the value itself when unknown)."""
    try:
        return Method(value).label
    except ValueError:
        return value


# The approval route of a 清册: 客服部经理 then 总经理 by default (configurable, setting
# ``destruction_routing``); 机密/绝密 volumes always add the 总经理 when the route lacks one.
DEFAULT_ROUTE: tuple[ApproverTitle, ...] = (
    ApproverTitle.CS_MANAGER,
    ApproverTitle.GENERAL_MANAGER,
)
HIGH_LEVELS = (SecrecyLevel.CONFIDENTIAL.value, SecrecyLevel.TOP_SECRET.value)


def route_for(configured: tuple[ApproverTitle, ...], levels: set[str | None]) -> list[str]:
    """The steps (approver titles in order) a list must pass; 机密/绝密 always end at 总经理."""
    steps = [t.value for t in configured] or [t.value for t in DEFAULT_ROUTE]
    high = any(level in HIGH_LEVELS for level in levels)
    if high and ApproverTitle.GENERAL_MANAGER.value not in steps:
        steps.append(ApproverTitle.GENERAL_MANAGER.value)
    return steps


def next_step(steps: list[str], signed: set[int]) -> int | None:
    """The first unsigned step (approvals go in order), or None when all are signed."""
    for n in range(len(steps)):
        if n not in signed:
            return n
    return None


DEFAULT_REASON = "保管期满，经鉴定已失去保存价值"
FILE_DESTROYED = "destroyed"  # ``item_file.state`` of a crypto-erased file (the row is kept)


# --- the 清册's rows (R44): printed by app.printing.destruction_forms, shown on the page -----
LIST_COLUMNS = (
    "序号",
    "档号",
    "题名",
    "起止日期",
    "密级",
    "数量",
    "应保管期限",
    "已保管期限",
    "销毁原因",
    "备注",
)


@dataclass(frozen=True)
class RowSnapshot:
    """The columns of a 清册 row as the volume stands when listed."""

    reference_code: str
    title: str
    date_range: str
    secrecy: str
    quantity: str
    retention: str
    kept: str


@dataclass(frozen=True, kw_only=True)
class DestructionRow(RowSnapshot):
    """One row of a 清册: the listed volume's snapshot with its 序号, 销毁原因 and 备注."""

    seq: int
    reason: str
    remarks: str

    def cells(self, unclassified: str = "") -> tuple[str, ...]:
        """The row's texts in :data:`LIST_COLUMNS` order (``unclassified`` for an empty 密级)."""
        return (
            str(self.seq),
            self.reference_code,
            self.title,
            self.date_range,
            self.secrecy or unclassified,
            self.quantity,
            self.retention,
            self.kept,
            self.reason,
            self.remarks,
        )
