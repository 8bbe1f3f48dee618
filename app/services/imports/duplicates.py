"""Duplicates flagged, not dropped: rows sharing an ID number, USCC, phone, bank account or 档号.

The rows of one duplicate (within the file, or with a record already registered) form a
:class:`DuplicateGroup`, shown together for the operator's :class:`Choice`: import one of
them, import all of them with a note, or skip them. Without a choice a group keeps its default:
rows sharing a phone or bank account are imported and flagged 疑似重复 (R3); the same ID
number is imported once (R3 refuses it twice: "import all" is not offered); a 档号 used twice
keeps the first volume under it.

A kind finds its groups while checking (customers: :func:`customer_groups`; volumes: the 档号
step of ``kinds.volume_checks``) and applies the choices given in ``KindContext.decisions``.
Group keys never hold personal data: they are a short digest of the shared value.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.errors import FieldError
from app.services.imports.kinds.base import KindContext, RowOutcome
from app.services.imports.kinds.bulk import numbers_where_in
from app.storage.models import CustomerBankAccount, CustomerPhone

WHAT_LABELS = {
    "id_number": "证件号码",
    "uscc": "统一社会信用代码",
    "phone": "联系电话",
    "bank_account": "银行账号",
    "reference_code": "档号",
}
DECISION_REASONS = frozenset({"skipped_by_decision"})
FLAG_REASONS = frozenset({"duplicate_group", "duplicate_existing", "kept_both"})


class Decision(StrEnum):
    """What to do with the rows of a duplicate group."""

    ALL = "all"  # import every row (a note says they are duplicates)
    ONE = "one"  # import the chosen row only
    SKIP = "skip"  # import none of them


DECISION_LABELS = {
    Decision.ALL: "都导入（加备注）",
    Decision.ONE: "只导入一行",
    Decision.SKIP: "都跳过",
}


@dataclass(frozen=True)
class Choice:
    """The operator's decision on one group (``keep``: the row kept with ``ONE``)."""

    decision: Decision
    keep: int | None = None


@dataclass
class DuplicateGroup:
    """Rows of the file sharing one value (and the registered records that have it)."""

    key: str  # what + digest of the value: stable across checks, no personal data
    what: str  # id_number | uscc | phone | bank_account | reference_code
    rows: list[int]  # sheet rows, in order
    existing: list[str]  # 客户编号 / 档号 of registered records sharing it
    allow_all: bool  # False: the value may be stored once only (an ID number, R3)
    default: Decision
    shown: str = ""  # what the list shows of the value (masked, or the 档号 itself)

    @property
    def label(self) -> str:
        """What is shared, in Chinese."""
        return WHAT_LABELS.get(self.what, self.what)


def group_key(what: str, value: str) -> str:
    """A stable key for ``value`` that does not reveal it."""
    return f"{what}:{hashlib.sha256(value.encode()).hexdigest()[:12]}"


def choice_of(ctx: KindContext, group: DuplicateGroup) -> Choice:
    """The operator's choice for ``group`` (its default when none was made)."""
    found = ctx.decisions.get(group.key)
    if isinstance(found, Choice):
        if found.decision is Decision.ALL and not group.allow_all:
            return Choice(group.default)
        return found
    return Choice(group.default)


def skip(o: RowOutcome) -> None:
    """Refuse a row because the operator chose to skip it."""
    if not any(e.reason == "skipped_by_decision" for e in o.errors):
        o.errors.append(FieldError("row", "skipped_by_decision"))


def is_skipped(o: RowOutcome) -> bool:
    """True when every reason the row is refused is the operator's decision."""
    return bool(o.errors) and all(e.reason in DECISION_REASONS for e in o.errors)


def is_flagged(o: RowOutcome) -> bool:
    """True when the row is part of a duplicate (imported and flagged, or shown for a choice)."""
    return o.flagged or any(w.reason in FLAG_REASONS for w in o.warnings)


def mark(group: DuplicateGroup, members: Sequence[RowOutcome]) -> None:
    """Warn every row of a group, naming the other rows (and the registered records)."""
    for o in members:
        others = [str(r) for r in group.rows if r != o.row]
        if others:
            params = {"rows": "、".join(others), "what": group.label}
            o.warnings.append(FieldError(group.what, "duplicate_group", params))
        if group.existing:
            params = {"what": group.label, "number": "、".join(group.existing[:3])}
            o.warnings.append(FieldError(group.what, "duplicate_existing", params))
        o.flagged = True


def flagged_group(
    what: str,
    value: str,
    members: Sequence[RowOutcome],
    existing: list[str],
    *,
    allow_all: bool,
    default: Decision,
    shown: str = "",
) -> DuplicateGroup:
    """The group of ``members`` (the rows sharing ``value``), each of them warned (:func:`mark`)."""
    rows = [o.row for o in members]
    group = DuplicateGroup(group_key(what, value), what, rows, existing, allow_all, default, shown)
    mark(group, members)
    return group


def apply_choice(
    ctx: KindContext,
    group: DuplicateGroup,
    members: Sequence[RowOutcome],
    clears: Iterable[str] = (),
) -> Choice:
    """Apply the operator's choice to a group's rows (``clears``: reasons a kept row loses)."""
    choice = choice_of(ctx, group)
    dropped = set(clears)
    if choice.decision is Decision.SKIP:
        for o in members:
            skip(o)
    elif choice.decision is Decision.ONE:
        keep = choice.keep if choice.keep in group.rows else group.rows[0]
        for o in members:
            if o.row == keep:
                o.errors = [e for e in o.errors if e.reason not in dropped]
            else:
                o.errors = [e for e in o.errors if e.reason not in dropped]
                skip(o)
    elif choice.decision is Decision.ALL:
        for o in members:
            o.errors = [e for e in o.errors if e.reason not in dropped]
            o.warnings.append(FieldError(group.what, "kept_both"))
    return choice


# --- customers ------------------------------------------------------------------------------
def _by_value(
    outcomes: Sequence[RowOutcome], values: Any
) -> dict[tuple[str, str], list[RowOutcome]]:
    found: dict[tuple[str, str], list[RowOutcome]] = {}
    for o in outcomes:
        if o.clean is None:
            continue
        for what, value in values(o.clean):
            rows = found.setdefault((what, value), [])
            if o not in rows:
                rows.append(o)
    return found


def _id_values(clean: Any) -> list[tuple[str, str]]:
    """A customer's ID number (``clean``: a ``customer_prep.CustomerRow``)."""
    if not clean.id_number:
        return []
    what = "uscc" if clean.id_type == "uscc" else "id_number"
    return [(what, clean.id_number)]


def _contact_values(clean: Any) -> list[tuple[str, str]]:
    """A customer's phones (E.164) and bank accounts."""
    out = [("phone", e164) for _stored, e164, _label in clean.phones]
    out += [("bank_account", account) for account, _bank in clean.bank_accounts]
    return out


def customer_groups(ctx: KindContext, outcomes: Sequence[RowOutcome]) -> list[DuplicateGroup]:
    """Find and settle the customers' duplicate groups (the kind's ID check ran already).

    The ID check refuses the later rows of an ID number (``duplicate_in_file``) and a row whose
    ID is registered (``duplicate_id``); here the first row is flagged too and the operator's
    choice decides which row is imported. Phones and bank accounts shared in the file or with
    registered customers are imported and flagged unless the operator chooses otherwise.
    """
    groups: list[DuplicateGroup] = []
    for (what, value), members in _by_value(outcomes, _id_values).items():
        registered = [e for o in members for e in o.errors if e.reason == "duplicate_id"]
        if len(members) < 2 and not registered:
            continue
        existing = [str(e.params.get("number", "")) for e in registered[:1]]
        default = Decision.SKIP if registered else Decision.ONE
        group = flagged_group(what, value, members, existing, allow_all=False, default=default)
        if group.key in ctx.decisions:  # else the ID check's refusals stand (R3)
            if not registered:
                apply_choice(ctx, group, members, clears={"duplicate_in_file"})
            elif choice_of(ctx, group).decision is Decision.SKIP:
                for o in members:
                    o.errors = [e for e in o.errors if e.reason != "duplicate_id"]
                    skip(o)
        groups.append(group)
    contacts = _by_value([o for o in outcomes if o.ok], _contact_values)
    registered_by: dict[tuple[str, str], list[str]] = {}
    digests = {
        (what, value): ctx.digest(
            "customer.phone" if what == "phone" else "customer.bank_account", value
        )
        for what, value in contacts
    }
    conn = ctx.uow.session.connection()
    for what, model, column in (
        ("phone", CustomerPhone, "phone_bidx"),
        ("bank_account", CustomerBankAccount, "account_bidx"),
    ):
        wanted = {d: k for k, d in digests.items() if k[0] == what}
        for digest, number in numbers_where_in(conn, model.__table__, column, list(wanted)):
            registered_by.setdefault(wanted[digest], []).append(number)
    for (what, value), members in contacts.items():
        existing = sorted(set(registered_by.get((what, value), [])))
        if len(members) < 2 and not existing:
            continue
        group = flagged_group(what, value, members, existing, allow_all=True, default=Decision.ALL)
        if group.key in ctx.decisions:  # else imported and flagged 疑似重复 (R3)
            apply_choice(ctx, group, members)
        groups.append(group)
    ctx.duplicates.extend(groups)
    return groups
