"""Storage periods (R4, R8): when each customer's data must go, and the 到期处理 queue.

The end date is the latest of: the consents' ends, the 流失 date plus the configured years,
and the retention end of the customer's volumes (``domain.privacy.storage_end``). The queue
lists customers whose end has passed, leaving out anonymised customers and customers on hold.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import load_only

from app.clock import Clock, as_utc
from app.domain import catalogue as catalogue_rules
from app.domain import privacy as rules
from app.domain.customers import Party, Status
from app.security.masking import mask_name
from app.services.auth import SignedIn
from app.services.common import authorize, local_today
from app.services.customers.stored import load_customer
from app.services.privacy.holds import any_hold, holds_on_customer
from app.services.privacy.settings import privacy_settings
from app.storage.models import (
    ConsentPurpose,
    Customer,
    CustomerConsent,
    CustomerStatusChange,
    ErasureRequest,
    Volume,
)
from app.storage.store import UnitOfWork

OPEN_STATES = (rules.RequestState.PENDING.value, rules.RequestState.APPROVED.value)


@dataclass(frozen=True)
class DueRow:
    """A customer in the 到期处理 queue."""

    customer_id: int
    number: str
    name: str  # masked (R5)
    status: str
    ends: date
    rule: str  # consent | lost | volumes
    volumes: int
    request_number: str  # an open erasure request, "" when none
    request_state: str


def _volume_end(year: int, retention: str) -> date | None:
    try:
        return catalogue_rules.retention_expiry(year, catalogue_rules.Retention(retention))
    except ValueError:
        return None  # an unknown code is kept like a permanent one


def storage_ends(
    uow: UnitOfWork, customers: Sequence[Customer], lost_years: int
) -> dict[int, rules.StorageEnd]:
    """The storage end of each of ``customers`` (a few queries for all of them)."""
    ids = [c.id for c in customers]
    entries: dict[int, list[rules.Entry]] = defaultdict(list)
    lost: dict[int, date] = {}
    volumes: dict[int, list[date | None]] = defaultdict(list)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = list(
            uow.session.scalars(
                select(CustomerConsent).where(CustomerConsent.customer_id.in_(chunk))
            )
        )
        purposes: dict[int, dict[str, date | None]] = {r.id: {} for r in rows}
        if rows:
            for p in uow.session.scalars(
                select(ConsentPurpose).where(ConsentPurpose.consent_id.in_(list(purposes)))
            ):
                purposes[p.consent_id][p.purpose] = p.withdrawn_on
        for r in rows:
            entries[r.customer_id].append(
                rules.Entry(r.kind, r.basis, r.given_on, r.valid_until, purposes[r.id])
            )
        for cid, changed in uow.session.execute(
            select(CustomerStatusChange.customer_id, func.max(CustomerStatusChange.changed_at))
            .where(
                CustomerStatusChange.customer_id.in_(chunk),
                CustomerStatusChange.new_status == Status.LOST.value,
            )
            .group_by(CustomerStatusChange.customer_id)
        ):
            lost[int(cid)] = as_utc(changed).astimezone().date()
        for owner, year, retention in uow.session.execute(
            select(Volume.customer_id, Volume.year, Volume.retention).where(
                Volume.customer_id.in_(chunk)
            )
        ):
            if owner is not None:
                volumes[int(owner)].append(_volume_end(int(year), str(retention)))
    out = {}
    for c in customers:
        lost_on = lost.get(c.id) if c.status == Status.LOST.value else None
        out[c.id] = rules.storage_end(
            entries[c.id], lost_on=lost_on, lost_years=lost_years, volume_ends=volumes[c.id]
        )
    return out


def get_storage_end(*, session: SignedIn, customer_id: int, clock: Clock) -> rules.StorageEnd:
    """One customer's storage end and the rule that decides it."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "customer.read")
        c = load_customer(uow, customer_id)
        return storage_ends(uow, [c], privacy_settings(uow).lost_years)[c.id]


def list_storage_due(*, session: SignedIn, clock: Clock) -> list[DueRow]:
    """The 到期处理 queue: customers whose storage end has passed, not on hold (R8, R46).

    Oldest end first; each row says whether an erasure request is already open.
    """
    today = local_today(clock)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "privacy.read")
        lost_years = privacy_settings(uow).lost_years
        # the columns the queue shows, not the encrypted ones (a scan of every customer)
        columns = load_only(
            Customer.id, Customer.number, Customer.name, Customer.party, Customer.status
        )
        customers = list(
            uow.session.scalars(
                select(Customer).options(columns).where(*_candidates(today)).order_by(Customer.id)
            )
        )
        held_possible = any_hold(uow)  # one query; then per due customer only if needed
        due: list[tuple[Customer, rules.StorageEnd]] = []
        for start in range(0, len(customers), 2000):
            part = customers[start : start + 2000]
            ends = storage_ends(uow, part, lost_years)
            for c in part:
                end = ends[c.id]
                if end.ends is None or end.ends >= today:
                    continue
                if held_possible and holds_on_customer(uow, c.id):
                    continue
                due.append((c, end))
        counts, requests = _volumes_and_requests(uow, [c.id for c, _e in due])
        rows = [_due_row(c, end, counts, requests) for c, end in due]
        rows.sort(key=lambda r: (r.ends, r.number))
        return rows


def _candidates(today: date) -> list[Any]:
    """SQL conditions no customer whose storage period has ended can fail (a set-based cut).

    Left out: anonymised customers; customers with a volume still within its retention (or
    permanent), since its end is later than today; active customers with an open-ended entry
    (a basis, or a consent with a purpose not withdrawn, without a valid-until date).
    """
    open_consent = exists().where(
        ConsentPurpose.consent_id == CustomerConsent.id, ConsentPurpose.withdrawn_on.is_(None)
    )
    open_entry = exists().where(
        CustomerConsent.customer_id == Customer.id,
        CustomerConsent.valid_until.is_(None),
        or_(CustomerConsent.kind == rules.EntryKind.BASIS.value, open_consent),
    )
    kept_volume = exists().where(
        Volume.customer_id == Customer.id,
        or_(
            Volume.retention.not_in(("D30", "D10")),
            and_(Volume.retention == "D30", Volume.year + 30 >= today.year),
            and_(Volume.retention == "D10", Volume.year + 10 >= today.year),
        ),
    )
    return [
        Customer.anonymised_at.is_(None),
        ~kept_volume,
        or_(Customer.status == Status.LOST.value, ~open_entry),
    ]


def _volumes_and_requests(
    uow: UnitOfWork, ids: list[int]
) -> tuple[dict[int, int], dict[int, ErasureRequest]]:
    """Volume counts and the newest open erasure request of each customer, 500 at a time."""
    counts: dict[int, int] = {}
    requests: dict[int, ErasureRequest] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for owner, n in uow.session.execute(
            select(Volume.customer_id, func.count())
            .where(Volume.customer_id.in_(chunk))
            .group_by(Volume.customer_id)
        ):
            if owner is not None:
                counts[int(owner)] = int(n)
        for r in uow.session.scalars(
            select(ErasureRequest)
            .where(ErasureRequest.customer_id.in_(chunk), ErasureRequest.state.in_(OPEN_STATES))
            .order_by(ErasureRequest.id)
        ):
            requests[int(r.customer_id or 0)] = r  # the newest wins
    return counts, requests


def _due_row(
    c: Customer,
    end: rules.StorageEnd,
    counts: dict[int, int],
    requests: dict[int, ErasureRequest],
) -> DueRow:
    volumes = counts.get(c.id, 0)
    request = requests.get(c.id)
    assert end.ends is not None
    return DueRow(
        customer_id=c.id,
        number=c.number,
        name=mask_name(c.name) if c.party == Party.PERSON else c.name,
        status=c.status,
        ends=end.ends,
        rule=end.rule,
        volumes=volumes,
        request_number=request.number if request else "",
        request_state=request.state if request else "",
    )
