"""Insiders against time: the workstation clock set backward or forward (issue 23).

The database keeps its own record of time seen (the high-water mark of the trail); a write
whose clock is behind it or more than a year ahead is refused, and irreversible steps
(declassification, archiving the trail, ending a lock) do not rest on the clock alone.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from app.domain.lockout import HARD_LOCKS
from app.errors import (
    AccountLocked,
    AccountLockedUntilReset,
    ClockAhead,
    ClockBehind,
    PermissionDenied,
    SecondPersonRequired,
)
from app.messages import describe
from app.services import audit, users
from app.services.auth import SignedIn, sign_in
from app.services.catalogue import (
    VolumeDraft,
    create_volume,
    declassify_expired,
    get_volume,
    list_due_declassifications,
    run_daily_checks,
)
from app.services.customers import count_customers, register_customer
from tests.conftest import ADMIN_PASSWORD
from tests.factories import PASSWORD, classified_item, potential
from tests.security.conftest import Office


def test_a_clock_set_back_is_refused_for_writes_with_a_clear_message(office: Office) -> None:
    office.work()
    with office.session("lisi") as session:
        before = count_customers(session=session, clock=office.clock)
        office.clock.advance(hours=-3)  # back-dating a registration
        with pytest.raises(ClockBehind) as info:
            register_customer(session=session, draft=potential(), clock=office.clock)
        message = describe(info.value)
        assert "早于数据库已记录的时间" in message and "未保存任何内容" in message
        assert count_customers(session=session, clock=office.clock) == before
        office.clock.advance(hours=3)  # the clock put right: work goes on
        register_customer(session=session, draft=potential(), clock=office.clock)


def reset_mark(
    office: Office,
    session: SignedIn,
    second: str,
    password: str,
    reason: str = "停用一年后重新启用",
) -> None:
    """The auditor accepts the clock with ``second`` confirming at the desk."""
    audit.reset_time_mark(
        session=session,
        second_username=second,
        second_password=password,
        reason=reason,
        clock=office.clock,
    )


def test_a_clock_far_ahead_is_refused_until_the_auditor_and_a_second_person_confirm_it(
    office: Office,
) -> None:
    office.work()
    office.clock.advance(days=400)
    with office.session("lisi") as session:  # signing in still works (and is recorded) …
        with pytest.raises(ClockAhead) as info:  # … writing does not
            register_customer(session=session, draft=potential(), clock=office.clock)
        assert "快了 400 天" in describe(info.value)
        with pytest.raises(PermissionDenied):  # the archivist cannot accept their own clock
            reset_mark(office, session, "boss", ADMIN_PASSWORD, reason="x")
    with office.session("audit") as auditor:
        with pytest.raises(SecondPersonRequired):  # the auditor alone: no
            reset_mark(office, auditor, "audit", PASSWORD)
        with pytest.raises(SecondPersonRequired):  # an archivist is not a second person here
            reset_mark(office, auditor, "lisi", PASSWORD)
        reset_mark(office, auditor, "boss", ADMIN_PASSWORD)
    office.work()  # accepted: writes go on, and the trail still verifies with the seals
    result = audit.verify_sealed_trail(office.admin.store, office.key.text, office.clock)
    assert result.ok, result.problems


@pytest.fixture
def expiring(office: Office) -> int:
    """An item marked 机密 for 1 year, registered 360 days ago: due in 5 days."""
    with office.session("lisi") as session:
        cid = register_customer(session=session, draft=potential(), clock=office.clock).customer_id  # type: ignore[arg-type]
        vid = create_volume(
            session=session,
            draft=VolumeDraft(customer_id=cid, year=2025, title="授信档案", retention="Y"),
            clock=office.clock,
        ).volume_id
        classified_item(session, office.clock, vid, "授信审批表", days_ago=360)
    return vid


def secrecy(office: Office, vid: int) -> str:
    with office.session("lisi") as session:
        return get_volume(session=session, volume_id=vid, clock=office.clock).items[0].secrecy


@pytest.mark.parametrize("username", ["audit", "boss"], ids=["auditor", "admin"])
def test_signing_in_with_the_clock_forward_never_declassifies_for_an_uncleared_user(
    office: Office, expiring: int, username: str
) -> None:
    office.clock.advance(days=30)  # the term has "ended" by this workstation's clock
    password = ADMIN_PASSWORD if username == "boss" else PASSWORD
    with office.session(username, password) as session:
        assert run_daily_checks(session=session, clock=office.clock) == 0
    assert secrecy(office, expiring) == "秘密"


def test_a_cleared_user_with_the_clock_forward_gets_nothing_declassified_early(
    office: Office, expiring: int
) -> None:
    office.clock.advance(days=30)  # 30 days past the last write: the clock disagrees
    with office.session("lisi") as session:
        assert run_daily_checks(session=session, clock=office.clock) == 0  # not automatic
        # the due list is judged at the recorded time + 1 day, not at the forward clock
        assert list_due_declassifications(session=session, clock=office.clock) == []
        assert declassify_expired(session=session, clock=office.clock) == 0
    assert secrecy(office, expiring) == "秘密"


def test_when_the_term_really_ends_a_cleared_user_confirms_the_due_list(
    office: Office, expiring: int
) -> None:
    for _ in range(6):  # the office works every day: the recorded time moves with the days
        office.clock.advance(days=1)
        office.work(customers=1)
    with office.session("lisi") as session:
        due = list_due_declassifications(session=session, clock=office.clock)
        assert [d.marking for d in due] == ["秘密★1年"] or len(due) == 1
        assert run_daily_checks(session=session, clock=office.clock) == 1  # the clock agrees
    assert secrecy(office, expiring) == ""


def test_archiving_the_trail_counts_from_recorded_time_and_needs_a_second_person(
    office: Office, tmp_path: Path
) -> None:
    office.work()
    office.clock.advance(days=300)  # the auditor's clock is 300 days ahead (under a year)
    target = tmp_path / "archive.json"
    with office.session("audit") as auditor:
        archive = partial(
            audit.archive_audit,
            session=auditor,
            retention_days=audit.RETENTION_MIN_DAYS,
            target=target,
            purpose="年度归档",
            clock=office.clock,
        )
        with pytest.raises(SecondPersonRequired):
            archive(second_username="audit", second_password=PASSWORD)
        with pytest.raises(SecondPersonRequired):
            archive(second_username="boss", second_password="wrong-password-1")
        from app.errors import ValidationFailed

        # nothing is older than 184 days of *recorded* time, whatever this clock says
        with pytest.raises(ValidationFailed) as info:
            archive(second_username="boss", second_password=ADMIN_PASSWORD)
        assert [e.reason for e in info.value.errors] == ["nothing_to_archive"]
        assert not target.exists()


def test_a_clock_set_forward_past_the_lock_gains_only_a_few_guesses(office: Office) -> None:
    from app.services.auth import check_password_with_lockout

    store = office.admin.store.keyring_store
    guesses = 0
    for _ in range(HARD_LOCKS * 5 + 10):
        office.clock.advance(hours=2)  # past every 15-minute lock
        try:
            check_password_with_lockout(store, "lisi", "guess-{guesses}", office.clock)
        except AccountLockedUntilReset:
            break
        except AccountLocked:
            continue
        except Exception:
            guesses += 1
    assert guesses < HARD_LOCKS * 5
    office.clock.advance(days=3650)  # ten years later by this clock: still locked
    with pytest.raises(AccountLockedUntilReset) as info:
        check_password_with_lockout(store, "lisi", PASSWORD, office.clock)
    assert "重置密码" in describe(info.value)
    office.clock.advance(days=-3650)  # the clock put right; the administrator resets
    lisi = next(
        u
        for u in users.list_users(session=office.admin, clock=office.clock)
        if u.username == "lisi"
    )
    users.reset_password(session=office.admin, user_id=lisi.id, clock=office.clock)
    with pytest.raises(Exception) as wrong:  # the lock is gone; the old password is replaced
        sign_in(location=office.location, username="lisi", password=PASSWORD, clock=office.clock)
    assert not isinstance(wrong.value, AccountLocked)
