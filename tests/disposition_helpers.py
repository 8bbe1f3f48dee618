"""Disposition fixtures: expired volumes of several customers on the loan desk's staff."""

from __future__ import annotations

from app.clock import FixedClock
from app.services.auth import SignedIn
from app.services.catalogue import VolumeDraft
from app.services.customers import register_customer
from app.services.disposition import (
    AppraisalRef,
    CarryOutResult,
    Witness,
    carry_out_list,
    record_decision,
    start_appraisal,
)
from tests.factories import PASSWORD, potential
from tests.loan_helpers import volume_with_items


def new_customer(session: SignedIn, clock: FixedClock, name: str = "张三丰") -> int:
    """A potential customer known by name only; returns the id."""
    draft = potential(name=name)
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


def open_appraisal(session: SignedIn, clock: FixedClock, appraiser_ids: list[int]) -> AppraisalRef:
    """``session`` opens an appraisal today by ``appraiser_ids``."""
    return start_appraisal(
        session=session, appraiser_ids=appraiser_ids, appraised_on=clock.now().date(), clock=clock
    )


def decide(
    session: SignedIn,
    clock: FixedClock,
    appraisal_id: int,
    volume_id: int,
    decision: str,
    **details: object,
) -> None:
    """``session`` records ``decision`` for ``volume_id`` in the appraisal; ``details``:
    ``new_until`` and ``reason`` of an extension, ``recipient`` of a transfer."""
    record_decision(
        session=session,
        appraisal_id=appraisal_id,
        volume_id=volume_id,
        decision=decision,
        clock=clock,
        **details,  # type: ignore[arg-type]
    )


def appraise_for_destruction(
    session: SignedIn,
    clock: FixedClock,
    appraisers: list[int],
    volume_ids: list[int],
) -> int:
    """Open an appraisal, decide 销毁 for every volume, close it; returns the appraisal id."""
    from app.services.disposition import close_appraisal

    ref = open_appraisal(session, clock, appraisers)
    for vid in volume_ids:
        decide(session, clock, ref.id, vid, "destroy")
    close_appraisal(session=session, appraisal_id=ref.id, opinion="同意销毁", clock=clock)
    return ref.id


def witnesses() -> tuple[Witness, Witness]:
    """The destruction's two witnesses, 赵敏 (zhao) and 钱部长 (head), with their passwords."""
    return (Witness("zhao", PASSWORD), Witness("head", PASSWORD))


def carry_out(
    session: SignedIn,
    clock: FixedClock,
    list_id: int,
    *,
    method: str = "粉碎",
    place: str = "公司碎纸室",
) -> CarryOutResult:
    """``session`` carries out destruction list ``list_id`` today before :func:`witnesses`."""
    return carry_out_list(
        session=session,
        list_id=list_id,
        carried_out_on=clock.now().date(),
        place=place,
        method=method,
        witnesses=witnesses(),
        clock=clock,
    )
