"""Demo personal-data records (issue 18) so that each tab of 个人信息 has something to show.

Recipients, a provision, customers' requests and an erasure request waiting for approval.

Called by ``app.demo`` after the customers are loaded (one direction: demo → demo_privacy).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.clock import Clock
from app.domain.identity import uscc_check_character
from app.services import privacy
from app.services.auth import sign_in, sign_out
from app.storage.location import DatabaseLocation
from app.storage.models import ConsentPurpose, CustomerConsent

RECIPIENTS = (
    ("北京明理律师事务所", "91110105MA01LAW01", "王律师", "13911112222", 0, 730),
    ("上海恒信会计师事务所", "91310101MA1FPA002", "陈会计师", "", 400, 30),
)


def privacy_samples(location: DatabaseLocation, clock: Clock, password: str) -> None:
    """Recipients with agreements, one 对外提供, two customers' requests, one erasure request."""
    today = clock.now().astimezone().date()
    keeper = sign_in(location=location, username="archivist", password=password, clock=clock)
    try:
        recipient_ids = []
        for name, body, contact, phone, ago, runs in RECIPIENTS:
            signed = today - timedelta(days=ago)
            recipient_ids.append(
                privacy.add_recipient(
                    session=keeper,
                    recipient=privacy.RecipientInput(
                        name=name,
                        uscc=body + uscc_check_character(body),
                        contact=contact,
                        contact_phone=phone,
                        agreement_signed_on=signed,
                        agreement_until=signed + timedelta(days=runs),
                    ),
                    clock=clock,
                )
            )
        with keeper.uow(clock) as uow:
            provide_to = uow.session.scalar(
                select(CustomerConsent.customer_id)
                .join(ConsentPurpose, ConsentPurpose.consent_id == CustomerConsent.id)
                .where(ConsentPurpose.purpose == "对外提供")
                .order_by(CustomerConsent.customer_id)
                .limit(1)
            )
        if provide_to is not None:
            privacy.provide_data(
                session=keeper,
                customer_id=int(provide_to),
                recipient_id=recipient_ids[0],
                purpose="合同纠纷诉讼材料",
                fields=("姓名/名称", "合同资料"),
                clock=clock,
            )
            # a request received 20 days ago, not answered: overdue on the home screen
            privacy.record_subject_request(
                session=keeper,
                customer_id=int(provide_to),
                kind="access",
                received_on=today - timedelta(days=20),
                clock=clock,
            )
            privacy.record_subject_request(
                session=keeper, customer_id=int(provide_to), kind="correction", clock=clock
            )
        due = privacy.list_storage_due(session=keeper, clock=clock)
        if due:
            privacy.request_erasure(
                session=keeper,
                customer_id=due[0].customer_id,
                reason="period_ended",
                note="同意已到期，未续签",
                clock=clock,
            )
    finally:
        sign_out(session=keeper, clock=clock)
