from datetime import timedelta

import pytest

from app.clock import FixedClock
from app.domain.lockout import AttemptState, LockoutPolicy, register_failure, register_success
from app.domain.passwords import PasswordPolicy, character_classes, check_password
from app.domain.roles import ApproverTitle, Role, check_role_set, may, role_conflicts


@pytest.mark.parametrize(
    ("password", "reasons"),
    [
        ("", ["required"]),
        ("Short-1", ["too_short"]),
        ("alllowercase", ["classes"]),
        ("alllowercase12", ["classes"]),
        ("Lowerupper12", []),
        ("lower-case-12", []),
        ("UPPER-CASE-12", []),
        ("口令口令口令口令口令Aa", []),
        ("Admin-pass-2026", ["contains_username"]),
    ],
)
def test_password_policy(password: str, reasons: list[str]) -> None:
    errors = check_password(password, PasswordPolicy(), username="admin")
    assert [e.reason for e in errors] == reasons
    assert all(e.field == "password" for e in errors)


def test_password_policy_is_configurable() -> None:
    policy = PasswordPolicy(min_length=16, min_classes=4)
    assert [e.reason for e in check_password("Abcdef-123456", policy)] == ["too_short"]
    assert [e.reason for e in check_password("abcdefghijk123456", policy)] == ["classes"]
    assert check_password("Abcdefghij-123456", policy) == []


def test_character_classes_counts_four_kinds() -> None:
    assert character_classes("aA1-") == 4
    assert character_classes("汉字") == 1  # non-ASCII counts as "other"


def test_five_failures_lock_for_fifteen_minutes() -> None:
    clock = FixedClock()
    policy = LockoutPolicy()
    state = AttemptState()
    for _ in range(4):
        state = register_failure(state, policy, clock.now())
        assert not state.is_locked(clock.now())
    state = register_failure(state, policy, clock.now())
    assert state.is_locked(clock.now())
    clock.advance(minutes=14, seconds=59)
    assert state.is_locked(clock.now())
    clock.advance(seconds=1)
    assert not state.is_locked(clock.now())
    # after the lock a fresh count starts
    state = register_failure(state, policy, clock.now())
    assert state.failures == 1 and state.locked_until is None
    assert register_success() == AttemptState()


def test_lockout_policy_is_configurable() -> None:
    clock = FixedClock()
    state = AttemptState()
    policy = LockoutPolicy(max_failures=3, lock_minutes=60)
    for _ in range(3):
        state = register_failure(state, policy, clock.now())
    assert state.locked_until == clock.now() + timedelta(minutes=60)


@pytest.mark.parametrize("other", [Role.APPROVER, Role.AUDITOR])
def test_administrator_cannot_approve_or_audit(other: Role) -> None:
    title = ApproverTitle.GENERAL_MANAGER if other is Role.APPROVER else None
    errors = check_role_set({Role.ADMIN, other}, title)
    assert any(e.reason == "conflict" for e in errors)
    assert role_conflicts({Role.ADMIN, other}) == [(Role.ADMIN, other)]


def test_auditor_holds_no_role_that_changes_data() -> None:
    assert role_conflicts({Role.AUDITOR, Role.ARCHIVIST})
    assert role_conflicts({Role.AUDITOR, Role.APPROVER})
    assert check_role_set({Role.AUDITOR}, None) == []


def test_a_user_may_hold_several_compatible_roles() -> None:
    assert check_role_set({Role.ARCHIVIST, Role.APPROVER}, ApproverTitle.INFO_OFFICER) == []
    assert check_role_set({Role.ADMIN, Role.ARCHIVIST}, None) == []


def test_approver_needs_a_title_and_only_approvers_have_one() -> None:
    assert [e.reason for e in check_role_set({Role.APPROVER}, None)] == ["title_required"]
    assert [e.reason for e in check_role_set({Role.ARCHIVIST}, ApproverTitle.DEPT_HEAD)] == [
        "title_without_approver"
    ]
    assert [e.reason for e in check_role_set(set(), None)] == ["empty"]


def test_permissions_follow_separation_of_duties() -> None:
    assert may({Role.ADMIN}, "user.manage")
    assert not may({Role.ADMIN}, "audit.read")
    assert not may({Role.ADMIN}, "customer.read")
    assert may({Role.AUDITOR}, "audit.read")
    assert not may({Role.AUDITOR}, "customer.write")
    assert not may({Role.ARCHIVIST}, "user.manage")


def test_id_check_character_matches_the_standard_example() -> None:
    from app.demo_people import id_check_char

    assert id_check_char("11010519491231002") == "X"  # GB 11643-1999 worked example
