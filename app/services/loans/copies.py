"""Copy approval (R31): whether THIS user may take a copy of THIS item now (issue 23).

A copy of 机密/绝密 content (a saved or printed electronic file) needs a 复制/摘抄/对外提供
application that

* names the item: its volume is on the application and the application's 件 序号 (``items``,
  empty for the whole volume) include the item's 序号;
* was approved on the route of the material's level as it is now (an application filed while
  the material was less secret does not count);
* is issued and not yet returned, and not past its due day (copies are issued for the day);
* belongs to the user: a staff applicant copies for themselves; an outsider's copy is made by
  the archivist who issued it (the outsider has no account).

Anyone else's approval counts for nothing, however it was obtained.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.clock import Clock
from app.domain import loans as rules
from app.domain.catalogue import SecrecyLevel, rank
from app.domain.loans import ApplicationState, LoanState
from app.domain.locations import parse_range
from app.services.auth import SignedIn
from app.services.common import authorize, local_today
from app.storage.models import (
    ArchiveItem,
    Loan,
    UseApplication,
    UseApplicationVolume,
    UserAccount,
    Volume,
)
from app.storage.store import UnitOfWork

ITEM_SEQ_MAX = 9_999  # the highest 序号 an application's item list may name


@dataclass(frozen=True)
class CopyGrant:
    """An approved, issued, unexpired copy of an item held by the signed-in user."""

    application_id: int
    application_number: str
    applicant: str  # the applicant's name (staff or outsider)
    loan_number: str
    due_on: date


def level_rank(level: str | None) -> int:
    """How strong a stored level is (0: unclassified; an unknown value: the strongest)."""
    if level is None:
        return 0
    try:
        return rank(SecrecyLevel(level))
    except ValueError:
        return 99


def items_cover(items: str, seq: int) -> bool:
    """True when an application's 件 序号 list (``"1,3-4"``; empty: all) names item ``seq``.

    A list that cannot be read covers nothing (a copy is never allowed by a guess).
    """
    if not items.strip():
        return True
    numbers, errors = parse_range(items, "items", limit=ITEM_SEQ_MAX)
    return not errors and seq in numbers


def copy_grant(
    uow: UnitOfWork, user: UserAccount, item: ArchiveItem, volume: Volume, today: date
) -> CopyGrant | None:
    """The newest copy grant ``user`` holds for ``item`` of ``volume`` today (None: none)."""
    level = max((item.secrecy_level, volume.secrecy_level), key=level_rank)
    rows = uow.session.execute(
        select(Loan, UseApplication, UseApplicationVolume)
        .join(UseApplication, UseApplication.id == Loan.application_id)
        .join(
            UseApplicationVolume,
            (UseApplicationVolume.application_id == UseApplication.id)
            & (UseApplicationVolume.volume_id == Loan.volume_id),
        )
        .where(
            Loan.volume_id == volume.id,
            Loan.state == LoanState.OUT.value,
            Loan.kind.in_([k.value for k in rules.COPY_KINDS]),
            Loan.due_on >= today,
            UseApplication.state.in_(
                [ApplicationState.APPROVED.value, ApplicationState.CLOSED.value]
            ),
        )
        .order_by(Loan.id.desc())
    )
    for loan, app, wanted in rows:
        # an outsider has no account: the archivist who issued the copy makes it for them
        mine = loan.issued_by == user.id if app.outsider else app.applicant_user_id == user.id
        if not mine or not items_cover(wanted.items, item.seq):
            continue
        if level_rank(app.secrecy_level) < level_rank(level):
            continue  # approved for weaker material than the item is now
        return CopyGrant(app.id, app.number, app.applicant_name, loan.number, loan.due_on)
    return None


def copy_approved(*, session: SignedIn, item_id: int, clock: Clock) -> CopyGrant | None:
    """The signed-in user's approved, issued, unexpired copy of item ``item_id`` (or None).

    机密/绝密 file contents may then be printed or saved (watermarked) under it (R31); otherwise
    the viewer stays view-only.
    """
    with session.uow(clock) as uow:
        user = authorize(uow, session.actor, "file.open")
        item = uow.session.get(ArchiveItem, item_id)
        if item is None:
            return None
        volume = uow.session.get(Volume, item.volume_id)
        if volume is None:
            return None
        return copy_grant(uow, user, item, volume, local_today(clock))
