"""The archive catalogue's rules (R10–R17): retention, secrecy terms and markings, carriers.

Pure functions and enums; the services apply them inside their transactions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from app.domain.enums import LabelledEnum


class Retention(LabelledEnum):
    """保管期限 (R12), stored as the code that also goes into the 档号."""

    PERMANENT = "Y", "永久"
    THIRTY_YEARS = "D30", "定期30年"
    TEN_YEARS = "D10", "定期10年"


RETENTION_LABELS = Retention.labels()
RETENTION_YEARS = {Retention.PERMANENT: None, Retention.THIRTY_YEARS: 30, Retention.TEN_YEARS: 10}
# Legacy ledgers (before DA/T 22-2015): 永久 / 长期 / 短期, and the usual ways of writing them.
LEGACY_RETENTION = {
    "永久": Retention.PERMANENT,
    "y": Retention.PERMANENT,
    "长期": Retention.THIRTY_YEARS,
    "定期30年": Retention.THIRTY_YEARS,
    "30年": Retention.THIRTY_YEARS,
    "d30": Retention.THIRTY_YEARS,
    "短期": Retention.TEN_YEARS,
    "定期10年": Retention.TEN_YEARS,
    "10年": Retention.TEN_YEARS,
    "d10": Retention.TEN_YEARS,
}


def parse_retention(text: str) -> Retention | None:
    """A retention as written in a ledger (``长期`` → D30), or None when not recognised."""
    return LEGACY_RETENTION.get("".join(text.split()).lower())


def retention_expiry(year: int, retention: Retention) -> date | None:
    """Last day of the retention period, counted from 1 January after the filing year (R12).

    ``None`` for permanent records.
    """
    years = RETENTION_YEARS[retention]
    if years is None:
        return None
    return date(year + years, 12, 31)


class SecrecyLevel(LabelledEnum):
    """密级 (R15); a missing level means not classified."""

    SECRET = "secret", "秘密"
    CONFIDENTIAL = "confidential", "机密"
    TOP_SECRET = "top_secret", "绝密"


SECRECY_LABELS = SecrecyLevel.labels()
SECRECY_RANK: dict[SecrecyLevel | None, int] = {
    None: 0,
    SecrecyLevel.SECRET: 1,
    SecrecyLevel.CONFIDENTIAL: 2,
    SecrecyLevel.TOP_SECRET: 3,
}
DEFAULT_TERM_YEARS = {
    SecrecyLevel.SECRET: 10,
    SecrecyLevel.CONFIDENTIAL: 20,
    SecrecyLevel.TOP_SECRET: 30,
}
# A volume without a level may carry an openness marking from its ledger (公开 ≠ 内部 ≠ unmarked).
OPENNESS_LABELS = {"public": "公开", "internal": "内部", "non_secret": "非密"}
MARKED_LEVELS = {SecrecyLevel.CONFIDENTIAL, SecrecyLevel.TOP_SECRET}  # marking in 备注栏 (R15)
REVIEW_DAYS = 90  # terms ending within this many days go to the review queue (R16)


def rank(level: SecrecyLevel | None) -> int:
    """Order of levels: none < 秘密 < 机密 < 绝密."""
    return SECRECY_RANK[level]


@dataclass(frozen=True)
class Secrecy:
    """A classification: level, term in years from the 定密 date, and that date."""

    level: SecrecyLevel | None = None
    term_years: int | None = None
    since: date | None = None

    @property
    def term(self) -> int | None:
        """The term in years (the default of the level when none was given)."""
        if self.level is None:
            return None
        return self.term_years if self.term_years is not None else DEFAULT_TERM_YEARS[self.level]

    @property
    def ends(self) -> date | None:
        """Last day of the term (the day before the anniversary), None when unclassified."""
        if self.level is None or self.since is None or self.term is None:
            return None
        return add_years(self.since, self.term) - timedelta(days=1)

    def marking(self) -> str:
        """``机密★20年`` for 机密/绝密 (R15), ``秘密`` alone, ``""`` when unclassified."""
        if self.level is None:
            return ""
        label = SECRECY_LABELS[self.level]
        if self.level in MARKED_LEVELS:
            return f"{label}★{self.term}年"
        return label

    def expired(self, today: date) -> bool:
        """True when the term has ended on or before ``today``."""
        end = self.ends
        return end is not None and end < today

    def ending_within(self, today: date, days: int = REVIEW_DAYS) -> bool:
        """True when the term ends in the next ``days`` days (and has not ended yet)."""
        end = self.ends
        return end is not None and today <= end and (end.toordinal() - today.toordinal()) <= days


def add_years(day: date, years: int) -> date:
    """``day`` plus whole years (29 February becomes 28 February when needed)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def strongest(items: list[Secrecy]) -> Secrecy:
    """A volume's classification from its items: highest level, longest term (R15).

    The 定密 date is the earliest among the items of that level.
    """
    classified = [s for s in items if s.level is not None]
    if not classified:
        return Secrecy()
    level = max((s.level for s in classified), key=rank)
    term = max(s.term or 0 for s in classified)
    since = min((s.since for s in classified if s.level == level and s.since), default=None)
    return Secrecy(level, term, since)


def update_marking(
    remarks: str,
    old: str,
    new: str,
    *,
    declassified_on: date | None = None,
    was: str | None = None,
) -> str:
    """Keep the secrecy marking in the 备注栏 in step (R15, R16).

    The marking is the first line of the remarks (``old`` is the one there now, ``""`` when
    none). On declassification the marking the item had (``was``, default ``old``) stays,
    struck through (``~~机密★20年~~ 解密 2046-05-01``), never erased.
    """
    lines = remarks.splitlines()
    body = lines[1:] if lines and old and lines[0] == old else lines
    if declassified_on is not None:
        struck = was if was is not None else old
        head = f"~~{struck}~~ 解密 {declassified_on.isoformat()}" if struck else ""
    else:
        head = new
    return "\n".join(([head] if head else []) + body)


class Carrier(LabelledEnum):
    """载体 of an item (R13)."""

    PAPER = "paper", "纸质"
    DISC = "disc", "光盘"
    DISK = "disk", "磁盘"
    ELECTRONIC = "electronic", "电子文件"


CARRIER_LABELS = Carrier.labels()


class VolumeState(LabelledEnum):
    """Where a volume is in its life."""

    ON_SHELF = "on_shelf", "在架"
    ON_LOAN = "on_loan", "借出"
    IN_REPAIR = "in_repair", "在修"
    DESTROYED = "destroyed", "已销毁"


VOLUME_STATE_LABELS = VolumeState.labels()
UNPLACED_LABEL = "未上架"


def volume_state_label(state: str, placed: bool) -> str:
    """The state shown in lists: 在架 only for a volume that has a place (issue 21).

    A new volume is ``on_shelf`` by state before it is boxed or shelved; the list then says
    未上架, as its detail does. A volume out or in repair keeps its state's word.
    """
    try:
        known = VolumeState(state)
    except ValueError:
        return state
    if known is VolumeState.ON_SHELF and not placed:
        return UNPLACED_LABEL
    return VOLUME_STATE_LABELS[known]
