"""Disposition fixtures: expired volumes of several customers on the loan desk's staff."""

from __future__ import annotations

from datetime import date

from app.clock import FixedClock
from app.services.auth import SignedIn
from app.services.catalogue import ItemDraft, VolumeDraft, add_item, create_volume, get_volume
from app.services.customers import register_customer
from tests.factories import person


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
    saved = create_volume(
        session=session,
        draft=VolumeDraft(
            customer_id=customer_id,
            year=year,
            title=title or f"{year}年度客户档案",
            retention=retention,
        ),
        clock=clock,
    )
    for n in range(items):
        add_item(
            session=session,
            volume_id=saved.volume_id,
            draft=ItemDraft(
                title=f"合同第{n + 1}号",
                doc_date=date(year, 3, 1 + n),
                page_from=n * 5 + 1,
                page_to=(n + 1) * 5,
                secrecy_level=level,
            ),
            clock=clock,
        )
    code = get_volume(session=session, volume_id=saved.volume_id, clock=clock).reference_code
    return saved.volume_id, code


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
