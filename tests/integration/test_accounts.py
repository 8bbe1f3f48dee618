"""Sign-in, lockout, user management and password changes on a real encrypted database file."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from app.clock import FixedClock
from app.domain.roles import ApproverTitle, Role
from app.errors import (
    AccountLocked,
    PermissionDenied,
    RecoveryKeyInvalid,
    ValidationFailed,
    WrongCredentials,
)
from app.services import users
from app.services.auth import (
    SignedIn,
    change_password,
    recover_access,
    sign_in,
    sign_out,
    unlock,
)
from app.services.setup import initialize_database
from app.storage.location import DatabaseLocation
from app.storage.models import AuditEntry, UserAccount
from tests.conftest import ADMIN_PASSWORD, make_setup_request
from tests.factories import (
    add_archivist,
    add_user,
    ask_for_user,
    audit_actions,
    change_to_new_password,
    set_roles,
    signed_in,
)


def test_setup_then_sign_in_as_administrator(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    assert admin.actor.roles == {Role.ADMIN}
    sign_out(session=admin, clock=clock)
    with signed_in(location, "BOSS", ADMIN_PASSWORD, clock) as again:
        assert again.actor.username == "boss"
        assert audit_actions(again)[:5] == [
            "system.setup",
            "user.create",  # 系统管理员
            "user.create",  # 安全保密员 (issue 23: set-up creates the three)
            "user.create",  # 安全审计员
            "auth.sign_in",
        ]
        assert audit_actions(again)[-2:] == ["auth.sign_out", "auth.sign_in"]


def refused_sign_ins(location: DatabaseLocation, clock: FixedClock, times: int) -> None:
    """``boss`` signs in with a wrong password ``times`` times, refused each time."""
    for _ in range(times):
        with pytest.raises(WrongCredentials):
            sign_in(location=location, username="boss", password="Wrong-Pass-99", clock=clock)


def test_wrong_password_is_refused_and_audited(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    with pytest.raises(WrongCredentials) as info:
        sign_in(location=location, username="boss", password="Wrong-Pass-99", clock=clock)
    assert info.value.params == {"max_failures": 5, "minutes": 15}
    with pytest.raises(WrongCredentials):
        sign_in(location=location, username="nobody", password="Wrong-Pass-99", clock=clock)
    sign_out(session=admin, clock=clock)
    with signed_in(location, "boss", ADMIN_PASSWORD, clock) as session:
        with session.store.new_session() as s:
            failed = s.query(AuditEntry).filter(AuditEntry.action == "auth.sign_in_failed").all()
        assert sorted(e.actor_name for e in failed) == ["boss", "（未知用户名）"]


def test_five_failures_lock_the_account_for_fifteen_minutes(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    sign_out(session=admin, clock=clock)
    refused_sign_ins(location, clock, 4)
    with pytest.raises(AccountLocked) as info:
        sign_in(location=location, username="boss", password="Wrong-Pass-99", clock=clock)
    assert info.value.params["until"] == clock.now() + timedelta(minutes=15)
    # even the right password is refused while locked
    clock.advance(minutes=14)
    with pytest.raises(AccountLocked):
        sign_in(location=location, username="boss", password=ADMIN_PASSWORD, clock=clock)
    clock.advance(minutes=1)
    with signed_in(location, "boss", ADMIN_PASSWORD, clock) as session:
        assert audit_actions(session).count("auth.account_locked") == 1
        assert audit_actions(session).count("auth.sign_in_failed") == 5


def test_failure_count_resets_after_a_good_sign_in(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    sign_out(session=admin, clock=clock)
    refused_sign_ins(location, clock, 4)
    sign_out(
        session=sign_in(location=location, username="boss", password=ADMIN_PASSWORD, clock=clock),
        clock=clock,
    )
    refused_sign_ins(location, clock, 4)


def test_created_user_must_change_one_time_password(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    otp = add_user(admin, clock, "lisi", password=None)
    session = sign_in(location=location, username="lisi", password=otp.password, clock=clock)
    assert session.actor.must_change_password

    def change_to(new: str) -> None:
        """The one-time password changed to ``new``, typed twice."""
        change_password(
            session=session,
            old_password=otp.password,
            new_password=new,
            confirm=new,
            clock=clock,
        )

    with pytest.raises(ValidationFailed) as info:
        change_to("short")
    assert {e.field for e in info.value.errors} == {"new_password"}
    change_to("Harbor-Own-Pass-1")
    assert not session.actor.must_change_password
    sign_out(session=session, clock=clock)
    with pytest.raises(WrongCredentials):
        sign_in(location=location, username="lisi", password=otp.password, clock=clock)
    session = sign_in(location=location, username="lisi", password="Harbor-Own-Pass-1", clock=clock)
    assert not session.actor.must_change_password
    sign_out(session=session, clock=clock)


@pytest.mark.sqlite_only
def test_password_change_rewraps_one_slot_and_reencrypts_nothing(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    add_archivist(admin, clock)
    before = json.loads(location.keyring_path.read_text())["body"]["slots"]
    change_to_new_password(admin, clock, ADMIN_PASSWORD)
    after = json.loads(location.keyring_path.read_text())["body"]["slots"]
    changed = [label for label in before if before[label] != after[label]]
    assert len(changed) == 1 and set(before) == set(after)
    sign_out(session=admin, clock=clock)
    session = sign_in(location=location, username="lisi", password="Harbor-Own-Pass-1", clock=clock)
    sign_out(session=session, clock=clock)


def test_wrong_old_password_is_rejected(admin: SignedIn, clock: FixedClock) -> None:
    with pytest.raises(ValidationFailed) as info:
        change_to_new_password(admin, clock, "nope")
    assert [e.field for e in info.value.errors] == ["old_password"]


def test_role_rules_are_enforced_by_the_service(
    admin: SignedIn, officer: SignedIn, clock: FixedClock
) -> None:
    with pytest.raises(ValidationFailed) as info:
        ask_for_user(
            admin,
            clock,
            "mix",
            [Role.ADMIN, Role.APPROVER],
            ApproverTitle.GENERAL_MANAGER,
            display_name="混合",
            password=None,
        )
    assert [e.reason for e in info.value.errors] == ["conflict"]
    with pytest.raises(ValidationFailed):
        ask_for_user(
            admin, clock, "mix", [Role.ADMIN, Role.AUDITOR], display_name="混合", password=None
        )
    # nobody changes their own roles (the 安全保密员 grants them: issue 23)
    with pytest.raises(ValidationFailed) as info:
        set_roles(officer, clock, officer.actor.user_id, [Role.SECURITY])
    assert "self_change" in [e.reason for e in info.value.errors]
    names = [u.username for u in users.list_users(session=admin, clock=clock)]
    assert names == ["baomi", "boss", "shenji"]


def test_only_administrators_manage_users(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    add_user(
        admin, clock, "audit", [Role.AUDITOR], display_name="审计", password="Reader-Pass-2026"
    )
    auditor = sign_in(location=location, username="audit", password="Reader-Pass-2026", clock=clock)
    try:
        with pytest.raises(PermissionDenied):
            ask_for_user(auditor, clock, "x1", [Role.AUDITOR], display_name="某", password=None)
        with pytest.raises(PermissionDenied):
            users.list_users(session=auditor, clock=clock)
    finally:
        sign_out(session=auditor, clock=clock)


def test_disabled_user_cannot_sign_in_and_reset_gives_new_one_time_password(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    add_archivist(admin, clock)
    lisi_id = next(
        u.id for u in users.list_users(session=admin, clock=clock) if u.username == "lisi"
    )
    users.disable_user(session=admin, user_id=lisi_id, clock=clock)
    with pytest.raises(WrongCredentials):  # the slot is gone: the password no longer opens anything
        sign_in(location=location, username="lisi", password="Harbor-Own-Pass-1", clock=clock)
    otp = users.enable_user(session=admin, user_id=lisi_id, clock=clock)
    session = sign_in(location=location, username="lisi", password=otp.password, clock=clock)
    assert session.actor.must_change_password
    sign_out(session=session, clock=clock)
    otp2 = users.reset_password(session=admin, user_id=lisi_id, clock=clock)
    with pytest.raises(WrongCredentials):
        sign_in(location=location, username="lisi", password=otp.password, clock=clock)
    sign_out(
        session=sign_in(location=location, username="lisi", password=otp2.password, clock=clock),
        clock=clock,
    )
    assert {"user.disable", "user.enable", "user.reset_password"} <= set(audit_actions(admin))


def test_last_administrator_and_self_cannot_be_disabled(admin: SignedIn, clock: FixedClock) -> None:
    with pytest.raises(ValidationFailed) as info:
        users.disable_user(session=admin, user_id=admin.actor.user_id, clock=clock)
    assert [e.reason for e in info.value.errors] == ["self_disable"]


def test_reset_clears_an_account_lock(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    add_archivist(admin, clock)
    for _ in range(5):
        with pytest.raises((WrongCredentials, AccountLocked)):
            sign_in(location=location, username="lisi", password="bad-Guess-123", clock=clock)
    lisi_id = next(
        u.id for u in users.list_users(session=admin, clock=clock) if u.username == "lisi"
    )
    otp = users.reset_password(session=admin, user_id=lisi_id, clock=clock)
    sign_out(
        session=sign_in(location=location, username="lisi", password=otp.password, clock=clock),
        clock=clock,
    )


def test_idle_unlock_checks_the_password_and_counts_failures(
    admin: SignedIn, clock: FixedClock
) -> None:
    with pytest.raises(WrongCredentials):
        unlock(session=admin, password="nope", clock=clock)
    unlock(session=admin, password=ADMIN_PASSWORD, clock=clock)
    for _ in range(4):
        with pytest.raises(WrongCredentials):
            unlock(session=admin, password="nope", clock=clock)
    with pytest.raises(AccountLocked):
        unlock(session=admin, password="nope", clock=clock)
    assert "auth.unlock" in audit_actions(admin)
    assert "auth.account_locked" in audit_actions(admin)


def test_recovery_key_sets_a_new_password(location: DatabaseLocation, clock: FixedClock) -> None:
    result = initialize_database(location=location, request=make_setup_request(), clock=clock)
    sign_out(session=result.session, clock=clock)
    with pytest.raises(RecoveryKeyInvalid):
        recover_access(
            location=location,
            recovery_key="AAAA-" * 12 + "AAAA",
            username="boss",
            new_password="Recovered-Pass-1",
            confirm="Recovered-Pass-1",
            clock=clock,
        )
    recover_access(
        location=location,
        recovery_key=result.recovery_key.lower(),
        username="boss",
        new_password="Recovered-Pass-1",
        confirm="Recovered-Pass-1",
        clock=clock,
    )
    with pytest.raises(WrongCredentials):
        sign_in(location=location, username="boss", password=ADMIN_PASSWORD, clock=clock)
    session = sign_in(location=location, username="boss", password="Recovered-Pass-1", clock=clock)
    assert "user.recover_access" in audit_actions(session)
    sign_out(session=session, clock=clock)


@pytest.mark.sqlite_only
def test_setup_validation_saves_nothing(location: DatabaseLocation, clock: FixedClock) -> None:
    with pytest.raises(ValidationFailed) as info:
        initialize_database(
            location=location,
            request=make_setup_request(
                fonds_code="", admin_password="weak", admin_password_confirm="other"
            ),
            clock=clock,
        )
    assert {e.field for e in info.value.errors} == {"fonds_code", "password", "password_confirm"}
    assert not location.sqlite_path.exists() and not location.keyring_path.exists()


def test_user_rows_are_listed_without_passwords(admin: SignedIn, clock: FixedClock) -> None:
    columns = {c.name for c in UserAccount.__table__.columns}
    assert not any(
        "pass" in c and c != "password_changed_at" and c != "must_change_password" for c in columns
    )
