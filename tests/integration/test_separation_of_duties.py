"""三员分立 enforced by the services themselves, not only by the matrix (issue 9)."""

from __future__ import annotations

import pytest

from app.clock import FixedClock
from app.domain.roles import ApproverTitle, Role
from app.errors import PermissionDenied, ValidationFailed
from app.services import users
from app.services.auth import SignedIn, sign_out
from app.services.customers import register_customer, reveal_customer
from app.storage.location import DatabaseLocation
from tests.factories import add_user, ask_for_user, person, set_roles, sign_in_as


def test_the_administrator_cannot_reveal_or_read_customers(
    admin: SignedIn, archivist: SignedIn, clock: FixedClock
) -> None:
    cid = register_customer(session=archivist, draft=person(), clock=clock).customer_id
    with pytest.raises(PermissionDenied):
        reveal_customer(session=admin, customer_id=cid, purpose="想看看", clock=clock)


def test_the_auditor_cannot_change_data(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    auditor = sign_in_as(admin, location, clock, "audit", [Role.AUDITOR])
    try:
        with pytest.raises(PermissionDenied):
            register_customer(session=auditor, draft=person(), clock=clock)
        with pytest.raises(PermissionDenied):
            ask_for_user(auditor, clock, "x1", [Role.AUDITOR], display_name="某人", password=None)
    finally:
        sign_out(session=auditor, clock=clock)


def test_nobody_grants_themselves_a_role(
    admin: SignedIn, officer: SignedIn, clock: FixedClock
) -> None:
    with pytest.raises(PermissionDenied):  # the administrator grants no role at all (issue 23)
        set_roles(admin, clock, admin.actor.user_id, [Role.ADMIN, Role.ARCHIVIST])
    with pytest.raises(ValidationFailed) as info:
        set_roles(officer, clock, officer.actor.user_id, [Role.ARCHIVIST])
    assert "self_change" in [e.reason for e in info.value.errors]


def test_the_administrator_cannot_be_made_approver_or_auditor(
    admin: SignedIn, officer: SignedIn, clock: FixedClock
) -> None:
    add_user(admin, clock, "second", [Role.ADMIN], display_name="第二管理员", password=None)
    uid = next(u.id for u in users.list_users(session=admin, clock=clock) if u.username == "second")
    for roles, title in (
        ([Role.ADMIN, Role.APPROVER], ApproverTitle.GENERAL_MANAGER),
        ([Role.ADMIN, Role.AUDITOR], None),
    ):
        with pytest.raises(ValidationFailed) as info:
            set_roles(officer, clock, uid, roles, title)
        assert [e.reason for e in info.value.errors] == ["conflict"]
