"""A volume's and a customer's complete history (审计 → 完整历史) includes its loans, moves,
inspections, files and incidents, all in Chinese (issue 21, point 5)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.clock import FixedClock
from app.domain.roles import Role
from app.domain.scan_codes import scan_payload
from app.services import audit
from app.services import inspections as I
from app.services import locations as L
from app.services.auth import SignedIn
from app.services.catalogue import get_volume
from app.services.incidents import IncidentDraft, record_incident
from app.services.loans import ReturnCount, issue_loan, return_loan
from app.storage.models import Customer
from tests.factories import add_user
from tests.integration.test_locations import place_id
from tests.loan_helpers import (
    FAST_KDF,
    Desk,
    approve_all,
    make_volume,
    staff_application,
)


@pytest.fixture
def desk(desk: Desk, admin: SignedIn, clock: FixedClock) -> Desk:
    """The loan desk and an auditor, 沈审计 (``shen``)."""
    add_user(admin, clock, "shen", [Role.AUDITOR], display_name="沈审计", kdf=FAST_KDF)
    return desk


def test_a_volumes_history_has_its_loans_moves_inspections_and_incidents(desk: Desk) -> None:
    keeper, clock = desk("lisi"), desk.clock
    L.create_location_batch(
        session=keeper,
        spec=L.BatchSpec(room="K1", columns="1", faces="A", sections="1", layers="1-2"),
        clock=clock,
    )
    vid, code = make_volume(keeper, clock)
    other, other_code = make_volume(keeper, clock, title="另一卷")
    box = L.create_box(session=keeper, draft=L.BoxDraft(), clock=clock)
    for v in (vid, other):
        L.put_volume(session=keeper, volume_id=v, box_id=box.id, clock=clock)
    L.place_box(
        session=keeper,
        box_id=box.id,
        location_id=place_id(keeper, clock, "K1-01-A-1-2"),
        clock=clock,
    )
    app_id = staff_application(desk, [vid])
    approve_all(desk, app_id, "info")
    loan = issue_loan(session=keeper, application_id=app_id, scan=code, clock=clock)
    return_loan(
        session=keeper,
        loan_id=loan.loan_id,
        count=ReturnCount(12, 3, "intact", face_to_face=True),
        clock=clock,
    )
    sid = I.start_inspection(
        session=keeper,
        draft=I.InspectionDraft(
            kind="half_yearly",
            room_id=place_id(keeper, clock, "K1"),
            scope_kind="room",
            scope_ids=(),
            inspected_on=date(2026, 1, 5),
            inspectors=(I.Inspector(user_id=keeper.actor.user_id), I.Inspector(name="王五")),
        ),
        clock=clock,
    )
    I.begin_counting(session=keeper, inspection_id=sid, clock=clock)
    I.record_scan(session=keeper, inspection_id=sid, text=scan_payload(code), clock=clock)
    I.record_scan(session=keeper, inspection_id=sid, text=scan_payload(other_code), clock=clock)
    record_incident(
        session=keeper,
        draft=IncidentDraft(
            kind="loss",
            title="借出案卷归还时缺页",
            found_at=clock.now() - timedelta(hours=2),
            found_by="李四",
            description="归还清点时发现第 3–5 页缺失。",
            measures="封存该卷，通知借阅人查找。",
            reported_to="客服部经理 刘芳",
            affected=(code,),
        ),
        clock=clock,
    )

    target, rows = audit.get_object_history(
        session=desk("shen"), kind="volume", key=code, clock=clock
    )
    actions = [r.action for r in rows]
    for expected in (
        "volume.create",
        "item.create",
        "box.create",
        "volume.move",
        "box.move",
        "loan.apply",
        "loan.approve",
        "loan.issue",
        "loan.return",
        "inspection.start",
        "inspection.scan",
        "incident.record",
    ):
        assert expected in actions, expected
    # the inspection's scan of the other volume is not this volume's history
    scans = [r for r in rows if r.action == "inspection.scan"]
    assert len(scans) == 1 and code.replace("·", ".") in scans[0].details
    # labels, never codes
    for row in rows:
        assert row.action_label and "." not in row.action_label
        assert not row.object_type.isascii()
    labels = {r.action_label for r in rows}
    assert {"借出", "归还", "清点扫码", "案卷移位"} <= labels
    assert target.codes == (code,)

    # the customer's history holds its volume's loans too
    customer_id = get_volume(session=keeper, volume_id=vid, clock=clock).customer_id
    with keeper.uow(clock) as uow:
        customer = uow.session.get(Customer, customer_id).number  # type: ignore[union-attr]
    _target, customer_rows = audit.get_object_history(
        session=desk("shen"), kind="customer", key=customer, clock=clock
    )
    assert {"customer.create", "loan.issue", "loan.return", "inspection.scan"} <= {
        r.action for r in customer_rows
    }
