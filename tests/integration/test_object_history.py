"""A volume's and a customer's complete history (审计 → 完整历史) includes its loans, moves,
inspections, files and incidents, all in Chinese (issue 21, point 5)."""

from __future__ import annotations

import pytest

from app.clock import FixedClock
from app.domain.roles import Role
from app.domain.scan_codes import scan_payload
from app.services import audit
from app.services import inspections as I
from app.services.auth import SignedIn
from app.services.catalogue import get_volume
from app.services.incidents import record_incident
from app.storage.models import Customer
from tests.factories import add_user, loss_incident
from tests.integration.test_inspections import start_counting
from tests.integration.test_locations import boxed_on_shelf
from tests.loan_helpers import (
    FAST_KDF,
    Desk,
    lend,
    make_volume,
    return_at_desk,
)


@pytest.fixture
def desk(desk: Desk, admin: SignedIn, clock: FixedClock) -> Desk:
    """The loan desk and an auditor, 沈审计 (``shen``)."""
    add_user(admin, clock, "shen", [Role.AUDITOR], display_name="沈审计", kdf=FAST_KDF)
    return desk


def test_a_volumes_history_has_its_loans_moves_inspections_and_incidents(desk: Desk) -> None:
    keeper, clock = desk("lisi"), desk.clock
    vid, code = make_volume(keeper, clock)
    other, other_code = make_volume(keeper, clock, title="另一卷")
    boxed_on_shelf(keeper, clock, vid, other)
    loan = lend(desk, vid, code)
    return_at_desk(desk, loan.loan_id)
    sid = start_counting(keeper, clock)
    I.record_scan(session=keeper, inspection_id=sid, text=scan_payload(code), clock=clock)
    I.record_scan(session=keeper, inspection_id=sid, text=scan_payload(other_code), clock=clock)
    record_incident(
        session=keeper,
        draft=loss_incident(clock, code),
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
