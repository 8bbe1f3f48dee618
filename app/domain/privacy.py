"""Personal data lifecycle rules (R4, R5, R7, R8, R36): consent, purposes, storage periods.

Pure functions over plain rows: which entries cover a use, when a customer's data must go,
what a pseudonym looks like. The services in ``app.services.privacy`` and
``app.services.customers.consents`` read the database and call these.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.domain.enums import LabelledEnum

# --- purposes and legal bases (configurable lists; these are the defaults) -------------------
CONTRACT = "合同履行"
SERVICE = "客户服务"
MARKETING = "营销"
PROVISION = "对外提供"  # providing data to a third party (R36): explicit consent only
DEFAULT_PURPOSES: tuple[str, ...] = (CONTRACT, SERVICE, MARKETING, PROVISION)

BASIS_CONTRACT = "合同必需"
BASIS_LEGAL = "法定义务"
# what a legal basis covers without consent; marketing and 对外提供 never (R36)
DEFAULT_BASES: dict[str, tuple[str, ...]] = {
    BASIS_CONTRACT: (CONTRACT, SERVICE),
    BASIS_LEGAL: (CONTRACT, SERVICE),
}
CONSENT_ONLY: frozenset[str] = frozenset({MARKETING, PROVISION})

# a customer's own request is always answered (the law gives the right; no consent needed)
SUBJECT_REQUEST = "客户查询"


class EntryKind(StrEnum):
    """A consent given by the customer or a legal basis stated by the company."""

    CONSENT = "consent"
    BASIS = "basis"


class Method(StrEnum):
    """How a consent was given."""

    WRITTEN = "written"  # 书面
    ELECTRONIC = "electronic"  # 电子


METHOD_LABELS = {Method.WRITTEN: "书面", Method.ELECTRONIC: "电子"}


@dataclass(frozen=True)
class Entry:
    """One consent or legal basis with its purposes, as the rules need it."""

    kind: str  # EntryKind
    basis: str  # the legal basis for kind basis, "" for a consent
    given_on: date
    valid_until: date | None
    # purpose -> the day its consent was withdrawn (None: not withdrawn)
    purposes: Mapping[str, date | None]


def entry_purposes(entry: Entry, bases: Mapping[str, Sequence[str]]) -> dict[str, date | None]:
    """The purposes ``entry`` covers: a consent its own list, a basis what the settings say."""
    if entry.kind == EntryKind.CONSENT:
        return dict(entry.purposes)
    return {p: None for p in bases.get(entry.basis, ()) if p not in CONSENT_ONLY}


def covering(
    entries: Iterable[Entry], purpose: str, day: date, bases: Mapping[str, Sequence[str]]
) -> Entry | None:
    """The first entry that allows ``purpose`` on ``day`` (None: the use is refused)."""
    for e in entries:
        if e.given_on > day or (e.valid_until is not None and e.valid_until < day):
            continue
        covered = entry_purposes(e, bases)
        if purpose not in covered:
            continue
        withdrawn = covered[purpose]
        if withdrawn is not None and withdrawn <= day:
            continue  # withdrawal takes effect at once (R4)
        return e
    return None


def refusal_reason(
    entries: Sequence[Entry], purpose: str, day: date, bases: Mapping[str, Sequence[str]]
) -> str | None:
    """Why ``purpose`` is refused on ``day`` (a reason code), or None when it is allowed.

    ``withdrawn``: a consent covered it but was withdrawn; ``expired``: an entry covered it but
    its validity ended; ``consent_only``: only a basis exists and the purpose needs consent;
    ``none``: nothing covers it.
    """
    if covering(entries, purpose, day, bases) is not None:
        return None
    mentioned = [e for e in entries if purpose in entry_purposes(e, bases)]
    if any(entry_purposes(e, bases)[purpose] is not None for e in mentioned):
        return "withdrawn"
    if mentioned:
        return "expired"
    if purpose in CONSENT_ONLY and any(e.kind == EntryKind.BASIS for e in entries):
        return "consent_only"
    return "none"


# --- storage periods (R4, R8) ----------------------------------------------------------------
@dataclass(frozen=True)
class StorageEnd:
    """When a customer's personal data must go, and the rule that decides it."""

    ends: date | None  # None: no end yet (open consent, permanent volume, no rule applies)
    rule: str  # consent | lost | volumes | open | none
    consent_end: date | None = None
    lost_end: date | None = None
    volumes_end: date | None = None


def add_years(day: date, years: int) -> date:
    """``day`` plus ``years`` (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def storage_end(
    entries: Sequence[Entry],
    *,
    lost_on: date | None,
    lost_years: int,
    volume_ends: Sequence[date | None],
) -> StorageEnd:
    """The end of a customer's storage period: the latest of three dates (R4, R8).

    * **consent**: each entry ends when withdrawn in full, at its ``valid_until``, or — for a
      customer who is 流失 — on the day they were lost; an entry with none of these is open.
    * **lost**: a 流失 customer's data is kept ``lost_years`` after the day they were lost.
    * **volumes**: the last retention end of their volumes (a permanent one is open).

    Anything open means no end yet. No rule at all (no entries, not lost, no volumes): no end.
    """
    open_ = False
    consent_end: date | None = None
    for e in entries:
        withdrawn = list(e.purposes.values()) if e.kind == EntryKind.CONSENT else []
        if withdrawn and all(w is not None for w in withdrawn):
            end: date = max(w for w in withdrawn if w is not None)
        elif e.valid_until is not None:
            end = e.valid_until
        elif lost_on is not None:
            end = lost_on
        else:
            open_ = True
            continue
        consent_end = end if consent_end is None or end > consent_end else consent_end
    lost_end = add_years(lost_on, lost_years) if lost_on is not None else None
    volumes_end: date | None = None
    for v in volume_ends:
        if v is None:
            open_ = True
        elif volumes_end is None or v > volumes_end:
            volumes_end = v
    found = [
        (d, r)
        for d, r in ((consent_end, "consent"), (lost_end, "lost"), (volumes_end, "volumes"))
        if d
    ]
    if open_:
        return StorageEnd(None, "open", consent_end, lost_end, volumes_end)
    if not found:
        return StorageEnd(None, "none")
    ends, rule = max(found, key=lambda p: p[0])
    return StorageEnd(ends, rule, consent_end, lost_end, volumes_end)


# --- deletion and anonymisation (R8) ---------------------------------------------------------
class RequestReason(StrEnum):
    """Why a customer's data is to be deleted or anonymised."""

    CUSTOMER = "customer_request"  # 客户要求
    PERIOD_ENDED = "period_ended"  # 存储期限届满
    WITHDRAWN = "consent_withdrawn"  # 撤回同意


REASON_LABELS = {
    RequestReason.CUSTOMER: "客户要求",
    RequestReason.PERIOD_ENDED: "存储期限届满",
    RequestReason.WITHDRAWN: "撤回同意",
}


class Outcome(StrEnum):
    """Delete the customer, or anonymise them while their volumes are kept."""

    DELETE = "delete"  # 删除
    ANONYMISE = "anonymise"  # 匿名化


OUTCOME_LABELS = {Outcome.DELETE: "删除", Outcome.ANONYMISE: "匿名化"}


class RequestState(StrEnum):
    """Where an erasure request stands."""

    PENDING = "pending"  # 待审批
    APPROVED = "approved"  # 已批准，待执行
    REFUSED = "refused"  # 已驳回
    DONE = "done"  # 已执行


STATE_LABELS = {
    RequestState.PENDING: "待审批",
    RequestState.APPROVED: "已批准",
    RequestState.REFUSED: "已驳回",
    RequestState.DONE: "已执行",
}


def pseudonym(number: str) -> str:
    """The name an anonymised customer keeps: derived from the 客户编号 alone.

    The same on every copy, so a restored backup renames the customer the same way.
    """
    return f"匿名客户{number[-6:]}"


# --- subject requests (查询/更正/删除) --------------------------------------------------------
class SubjectKind(LabelledEnum):
    """What a customer asked for."""

    ACCESS = "access", "查询"
    CORRECTION = "correction", "更正"
    DELETION = "deletion", "删除"


SUBJECT_LABELS = SubjectKind.labels()
DEFAULT_ANSWER_DAYS = 15
DEFAULT_LOST_YEARS = 3
