"""Counts the lists show: a department's head count (离职 not counted) and what a hold covers."""

from __future__ import annotations

from app.clock import FixedClock
from app.domain.staff import StaffState
from app.services import staff
from app.services.auth import SignedIn
from app.services.disposition import list_holds, place_hold
from app.storage.models import StaffPerson
from tests.disposition_helpers import expired_volume, new_customer
from tests.loan_helpers import Desk


def test_a_department_counts_its_people_who_have_not_left(
    admin: SignedIn, clock: FixedClock
) -> None:
    sales = staff.add_department(session=admin, name="销售部", clock=clock)
    audit = staff.add_department(session=admin, name="审计部", clock=clock)
    staff.add_department(session=admin, name="空部门", clock=clock)
    for name, dep in (("王一", sales), ("王二", sales), ("王三", sales), ("李四", audit)):
        staff.register_person(
            session=admin, draft=staff.PersonDraft(name=name, department_id=dep), clock=clock
        )
    staff.register_person(session=admin, draft=staff.PersonDraft(name="无部门"), clock=clock)
    with admin.store.new_session() as s, s.begin():  # 王三 has left (the hand-over sets it)
        gone = s.query(StaffPerson).filter_by(name="王三").one()
        gone.state = StaffState.LEFT.value
    rows = staff.list_departments(session=admin, clock=clock)
    assert {d.name: d.people for d in rows} == {"销售部": 2, "审计部": 1, "空部门": 0}


def test_a_hold_lists_how_many_customers_and_volumes_it_names(desk: Desk) -> None:
    lisi, clock = desk("lisi"), desk.clock
    zhang = new_customer(lisi, clock)
    li = new_customer(lisi, clock, name="李四光")
    v1, _ = expired_volume(lisi, clock, customer_id=zhang)
    v2, _ = expired_volume(lisi, clock, customer_id=zhang, year=2011)
    place_hold(session=lisi, reason="诉讼保全", customer_ids=[zhang, li], clock=clock)
    place_hold(session=lisi, reason="审计调阅", volume_ids=[v1, v2], clock=clock)
    place_hold(session=lisi, reason="税务稽查", customer_ids=[li], volume_ids=[v1], clock=clock)
    rows = list_holds(session=lisi, clock=clock)  # newest first
    assert [(r.reason, r.customers, r.volumes) for r in rows] == [
        ("税务稽查", 1, 1),
        ("审计调阅", 0, 2),
        ("诉讼保全", 2, 0),
    ]
