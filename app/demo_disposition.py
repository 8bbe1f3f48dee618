"""Disposition in the small demo (issue 17): every screen of 鉴定销毁 has something to show.

Expired volumes, a closed and an open appraisal, a carried-out 销毁清册 and a hold.

Everything goes through the services, as the people of the demo would do it: the archivists
appraise and compile, the 客服部经理 and the 总经理 approve, two 监销人 confirm with their
passwords, the 客服部经理 places a hold.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from app.clock import Clock
from app.services.auth import SignedIn, sign_in, sign_out
from app.storage.location import DatabaseLocation

OLD_VOLUMES = (  # (year, title): 10-year volumes long past their retention
    (2008, "2008年度购销合同"),
    (2009, "2009年度往来函件"),
    (2010, "2010年度对账单"),
    (2011, "2011年度售后服务记录"),
    (2012, "2012年度催款通知"),
)


def dispose_demo(location: DatabaseLocation, clock: Clock, password: str) -> None:
    """Add expired volumes and take them through appraisal, destruction and a hold."""
    from app.services import disposition as D
    from app.services.catalogue import VolumeDraft, create_volume
    from app.storage.models import Customer, UserAccount

    people: dict[str, SignedIn] = {}

    def who(username: str) -> SignedIn:
        if username not in people:
            people[username] = sign_in(
                location=location, username=username, password=password, clock=clock
            )
        return people[username]

    try:
        keeper = who("archivist")
        with keeper.uow(clock) as uow:
            customers = list(
                uow.session.scalars(select(Customer.id).order_by(Customer.id).limit(3))
            )
            ids = {
                name: uid
                for name, uid in uow.session.execute(
                    select(UserAccount.username, UserAccount.id)
                ).all()
            }
        old = [
            create_volume(
                session=keeper,
                draft=VolumeDraft(
                    customer_id=customers[n % len(customers)],
                    year=year,
                    title=title,
                    retention="D10",
                ),
                clock=clock,
            ).volume_id
            for n, (year, title) in enumerate(OLD_VOLUMES)
        ]
        today = clock.now().astimezone().date()
        # a closed appraisal: two destroyed, one kept five more years
        closed = D.start_appraisal(
            session=keeper,
            appraiser_ids=[ids["archivist"], ids["archivist2"]],
            appraised_on=today,
            opinion="保管期满，经逐卷审查",
            clock=clock,
        )
        decide: Callable[..., None] = D.record_decision
        extend = {"new_until": today.year + 5, "reason": "涉及未结清货款，延长保管"}
        for volume_id, decision, more in (
            (old[0], "destroy", {}),
            (old[1], "destroy", {}),
            (old[2], "extend", extend),
        ):
            decide(
                session=keeper,
                appraisal_id=closed.id,
                volume_id=volume_id,
                decision=decision,
                clock=clock,
                **more,
            )
        D.close_appraisal(session=keeper, appraisal_id=closed.id, opinion="同意", clock=clock)
        # the 销毁清册: compiled, approved, carried out with two 监销人
        listed = D.compile_list(session=keeper, volume_ids=old[:2], clock=clock)
        D.submit_list(session=keeper, list_id=listed.id, clock=clock)
        for approver in ("csmanager", "gm"):
            D.approve_list(
                session=who(approver), list_id=listed.id, opinion="同意销毁", clock=clock
            )
        D.carry_out_list(
            session=keeper,
            list_id=listed.id,
            carried_out_on=today,
            place="公司档案室碎纸间",
            method="shred",
            witnesses=(D.Witness("archivist2", password), D.Witness("depthead", password)),
            clock=clock,
        )
        # an appraisal in progress
        open_one = D.start_appraisal(
            session=keeper,
            appraiser_ids=[ids["archivist"], ids["infoofficer"]],
            appraised_on=today,
            clock=clock,
        )
        decide(
            session=keeper,
            appraisal_id=open_one.id,
            volume_id=old[3],
            decision="destroy",
            clock=clock,
        )
        # a hold: the last old volume is needed for a lawsuit
        D.place_hold(
            session=who("csmanager"),
            reason="诉讼保全（合同纠纷）",
            volume_ids=[old[4]],
            clock=clock,
        )
    finally:
        for session in people.values():
            sign_out(session=session, clock=clock, reason="demo disposition")
