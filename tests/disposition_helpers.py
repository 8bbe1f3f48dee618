"""Disposition fixtures: expired volumes of several customers on the loan desk's staff."""

from __future__ import annotations

from app.clock import FixedClock
from app.services.auth import SignedIn
from app.services.catalogue import VolumeDraft
from app.services.customers import register_customer
from tests.factories import person
from tests.loan_helpers import volume_with_items


def new_customer(session: SignedIn, clock: FixedClock, name: str = "张三丰") -> int:
    """A potential customer known by name only; returns the id."""
    draft = person(
        name=name, id_number="", id_type=None, status="potential", phones=(), bank_accounts=()
    )
    return register_customer(session=session, draft=draft, clock=clock).customer_id


def expired_volume(
    session: SignedIn,
    clock: FixedClock,
    *,
    customer_id: int,
    year: int = 2010,
    retention: str = "D10",
    title: str | None = None,
    level: str | None = None,
    items: int = 2,
) -> tuple[int, str]:
    """A volume filed in ``year`` (10-year retention: expired by 2021) with ``items`` items."""
    draft = VolumeDraft(
        customer_id=customer_id,
        year=year,
        title=title or f"{year}年度客户档案",
        retention=retention,
    )
    return volume_with_items(
        session, clock, draft, items, pages_each=5, item_title="合同", level=level
    )


def first_item(session: SignedIn, clock: FixedClock, volume_id: int) -> int:
    """The id of the first item (件) of a volume."""
    from sqlalchemy import select

    from app.storage.models import ArchiveItem

    with session.uow(clock) as uow:
        found = uow.session.scalar(
            select(ArchiveItem.id)
            .where(ArchiveItem.volume_id == volume_id)
            .order_by(ArchiveItem.seq)
        )
    assert found is not None
    return int(found)


def appraise_for_destruction(
    session: SignedIn,
    clock: FixedClock,
    appraisers: list[int],
    volume_ids: list[int],
) -> int:
    """Open an appraisal, decide 销毁 for every volume, close it; returns the appraisal id."""
    from app.services.disposition import close_appraisal, record_decision, start_appraisal

    ref = start_appraisal(
        session=session,
        appraiser_ids=appraisers,
        appraised_on=clock.now().date(),
        clock=clock,
    )
    for vid in volume_ids:
        record_decision(
            session=session, appraisal_id=ref.id, volume_id=vid, decision="destroy", clock=clock
        )
    close_appraisal(session=session, appraisal_id=ref.id, opinion="同意销毁", clock=clock)
    return ref.id
