"""三员分立 against an administrator who tries to escalate alone (issue 23).

The administrator creates accounts; only the 安全保密员 grants roles; a change to a 三员 account
waits for a second member of the three; the three roles are exclusive.
"""

from __future__ import annotations

import pytest

from app.clock import FixedClock
from app.domain.roles import Role
from app.errors import PermissionDenied, ValidationFailed
from app.services import account_review, users
from app.services.auth import SignedIn, sign_in, sign_out
from app.services.customers import list_customers
from app.storage.location import DatabaseLocation
from tests.conftest import AUDITOR_PASSWORD, AUDITOR_USER
from tests.factories import PASSWORD, ask_for_user, set_roles, signed_in


def _uid(session: SignedIn, clock: FixedClock, username: str) -> int:
    return next(
        u.id for u in users.list_users(session=session, clock=clock) if u.username == username
    )


def _reasons(info: pytest.ExceptionInfo[ValidationFailed]) -> list[str]:
    return [e.reason for e in info.value.errors]


def test_admin_cannot_grant_themselves_data_roles(
    admin: SignedIn, officer: SignedIn, clock: FixedClock
) -> None:
    with pytest.raises(PermissionDenied):
        set_roles(admin, clock, admin.actor.user_id, [Role.ADMIN, Role.ARCHIVIST])
    # not even the 安全保密员 may pair 系统管理员 with a data role: the three are exclusive
    with pytest.raises(ValidationFailed) as info:
        set_roles(officer, clock, admin.actor.user_id, [Role.ADMIN, Role.ARCHIVIST])
    assert _reasons(info) == ["conflict"]
    with pytest.raises(PermissionDenied):
        list_customers(session=admin, clock=clock)


def test_admin_plus_archivist_cannot_even_be_asked_for(admin: SignedIn, clock: FixedClock) -> None:
    for pair in ([Role.ADMIN, Role.ARCHIVIST], [Role.SECURITY, Role.AUDITOR]):
        with pytest.raises(ValidationFailed) as info:
            ask_for_user(admin, clock, "mix", pair, display_name="混合", password=None)
        assert _reasons(info) == ["conflict"]


def test_a_second_admin_cannot_grant_the_first_data_roles(
    admin: SignedIn, officer: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    asked = ask_for_user(admin, clock, "admin2", [Role.ADMIN], display_name="第二管理员")
    assert asked.pending_change is not None
    # the new account holds nothing until the grant is confirmed, and not by the one who asked
    with signed_in(location, "admin2", PASSWORD, clock) as second:
        assert second.actor.roles == frozenset()
        with pytest.raises(PermissionDenied):
            users.list_users(session=second, clock=clock)
    with pytest.raises(ValidationFailed) as info:
        account_review.confirm_change(session=admin, change_id=asked.pending_change, clock=clock)
    assert _reasons(info) == ["own_request"]
    # even once a second administrator exists (the 安全保密员 confirmed), they grant no role
    account_review.confirm_change(session=officer, change_id=asked.pending_change, clock=clock)
    with signed_in(location, "admin2", PASSWORD, clock) as second:
        assert second.actor.roles == {Role.ADMIN}
        with pytest.raises(PermissionDenied):
            set_roles(second, clock, admin.actor.user_id, [Role.ARCHIVIST])
        # and a change to the first administrator's account waits for another 三员 member
        pending = users.reset_password(session=second, user_id=admin.actor.user_id, clock=clock)
        assert pending.pending_change is not None and pending.password == ""
        with pytest.raises(ValidationFailed) as info:  # the target cannot confirm it either
            account_review.confirm_change(
                session=admin, change_id=pending.pending_change, clock=clock
            )
        assert _reasons(info) == ["self_change"]


def test_the_security_officer_cannot_turn_a_three_account_alone(
    admin: SignedIn, officer: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    auditor_id = _uid(admin, clock, AUDITOR_USER)
    # turning the auditor into an archivist is a change to a 三员 account: it waits
    pending = set_roles(officer, clock, auditor_id, [Role.ARCHIVIST])
    assert pending is not None
    with pytest.raises(ValidationFailed) as info:
        account_review.confirm_change(session=officer, change_id=pending, clock=clock)
    assert _reasons(info) == ["own_request"]
    with signed_in(location, AUDITOR_USER, AUDITOR_PASSWORD, clock) as auditor:
        assert auditor.actor.roles == {Role.AUDITOR}  # nothing changed yet
        with pytest.raises(ValidationFailed) as info:
            account_review.confirm_change(session=auditor, change_id=pending, clock=clock)
        assert _reasons(info) == ["self_change"]
    # the last 系统管理员 cannot be moved away at all
    with pytest.raises(ValidationFailed) as info:
        set_roles(officer, clock, admin.actor.user_id, [Role.ARCHIVIST])
    assert _reasons(info) == ["last_admin"]
    account_review.reject_change(session=admin, change_id=pending, clock=clock)
    assert account_review.list_pending_changes(session=officer, clock=clock) == []


def test_roles_are_granted_only_with_the_security_officer(
    admin: SignedIn, officer: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    asked = ask_for_user(admin, clock, "lisi")
    assert asked.pending_change is not None
    # a second 三员 member, but not the one who grants roles
    with signed_in(location, AUDITOR_USER, AUDITOR_PASSWORD, clock) as auditor:
        with pytest.raises(ValidationFailed) as info:
            account_review.confirm_change(
                session=auditor, change_id=asked.pending_change, clock=clock
            )
        assert _reasons(info) == ["needs_security"]
    [row] = account_review.list_pending_changes(session=officer, clock=clock)
    assert (row.username, row.summary, row.may_confirm) == ("lisi", "档案管理员", True)
    account_review.confirm_change(session=officer, change_id=asked.pending_change, clock=clock)
    with signed_in(location, "lisi", PASSWORD, clock) as lisi:
        assert lisi.actor.roles == {Role.ARCHIVIST}


def test_a_reset_of_a_three_account_gives_the_password_to_the_confirmer(
    admin: SignedIn, officer: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    auditor_id = _uid(admin, clock, AUDITOR_USER)
    asked = users.reset_password(session=admin, user_id=auditor_id, clock=clock)
    assert asked.password == "" and asked.pending_change is not None
    # the administrator alone cannot take over the auditor: the old password still works
    still = sign_in(
        location=location, username=AUDITOR_USER, password=AUDITOR_PASSWORD, clock=clock
    )
    sign_out(session=still, clock=clock)
    issued = account_review.confirm_change(
        session=officer, change_id=asked.pending_change, clock=clock
    )
    assert issued is not None and issued.password
    # disabling a 三员 account waits too, and the last 安全保密员 cannot be disabled
    pending = users.disable_user(session=admin, user_id=auditor_id, clock=clock)
    assert pending is not None
    with pytest.raises(ValidationFailed) as info:
        users.disable_user(session=admin, user_id=officer.actor.user_id, clock=clock)
    assert _reasons(info) == ["last_three"]
