"""负责人员: which accounts may hold customers, and naming, keeping and clearing one."""

from __future__ import annotations

import json

import pytest

from app.clock import FixedClock
from app.domain.roles import Role
from app.errors import PermissionDenied, ValidationFailed
from app.services import users
from app.services.auth import SignedIn
from app.services.customers import (
    NO_RESPONSIBLE,
    CustomerChanges,
    get_customer,
    register_customer,
    update_customer,
)
from app.storage.models import AuditEntry, Customer
from tests.factories import add_archivist, add_user, person


def ids_by_name(admin: SignedIn, clock: FixedClock) -> dict[str, int]:
    return {u.username: u.id for u in users.list_users(session=admin, clock=clock)}


def test_staff_are_enabled_archivists_and_approvers_only(
    admin: SignedIn, archivist: SignedIn, clock: FixedClock
) -> None:
    add_user(admin, clock, "audit", [Role.AUDITOR], display_name="周敏", password=None)
    add_archivist(admin, clock, username="gone")
    users.disable_user(session=admin, user_id=ids_by_name(admin, clock)["gone"], clock=clock)
    staff = users.list_staff(session=archivist, clock=clock)
    # 李四 (lisi, archivist) and 刘芳 (manager, approver), in pinyin order of the names
    assert [(s.username, s.display_name) for s in staff] == [("lisi", "李四"), ("manager", "刘芳")]
    with pytest.raises(PermissionDenied):
        users.list_staff(session=admin, clock=clock)  # the administrator reads no customers


def test_responsible_person_is_named_kept_changed_and_cleared(
    admin: SignedIn, archivist: SignedIn, clock: FixedClock
) -> None:
    ids = ids_by_name(admin, clock)
    with pytest.raises(ValidationFailed) as info:
        register_customer(
            session=archivist, draft=person(responsible_user_id=ids["boss"]), clock=clock
        )
    assert [(e.field, e.reason) for e in info.value.errors] == [
        ("responsible_user_id", "not_staff")
    ]
    cid = register_customer(
        session=archivist, draft=person(responsible_user_id=ids["lisi"]), clock=clock
    ).customer_id
    detail = get_customer(session=archivist, customer_id=cid, clock=clock)
    assert (detail.responsible_user_id, detail.responsible_name) == (ids["lisi"], "李四")

    def edit(version: int, responsible: int | None) -> None:
        update_customer(
            session=archivist,
            customer_id=cid,
            changes=CustomerChanges(
                name=None,
                kind="general",
                category="individual",
                importance="normal",
                responsible_user_id=responsible,
            ),
            expected_version=version,
            clock=clock,
        )

    edit(1, None)  # None keeps
    assert get_customer(session=archivist, customer_id=cid, clock=clock).responsible_name == "李四"
    edit(2, ids["manager"])
    assert get_customer(session=archivist, customer_id=cid, clock=clock).responsible_name == "刘芳"
    with pytest.raises(ValidationFailed) as info:
        edit(3, 9999)
    assert [(e.field, e.reason) for e in info.value.errors] == [
        ("responsible_user_id", "not_found")
    ]
    edit(3, NO_RESPONSIBLE)
    with archivist.store.new_session() as s:
        assert s.get(Customer, cid).responsible_user_id is None  # type: ignore[union-attr]
        entries = (
            s.query(AuditEntry).filter_by(action="customer.update").order_by(AuditEntry.id).all()
        )
    changes = [json.loads(e.details).get("responsible_user_id") for e in entries]
    assert changes == [
        None,
        {"before": ids["lisi"], "after": ids["manager"]},
        {"before": ids["manager"], "after": None},
    ]
