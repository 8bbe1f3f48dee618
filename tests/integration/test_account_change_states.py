"""How a pending account change ends (三员分立, issue 23): superseded, withdrawn, rejected or
confirmed, each with who decided it, when, and its audit entry."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from app.clock import FixedClock
from app.services import account_review, users
from app.services.auth import SignedIn
from app.storage.models import AccountChange, AuditEntry
from tests.conftest import AUDITOR_USER
from tests.factories import ask_for_user


def _uid(session: SignedIn, clock: FixedClock, username: str) -> int:
    return next(
        u.id for u in users.list_users(session=session, clock=clock) if u.username == username
    )


def _change(session: SignedIn, change_id: int) -> tuple[str, int | None, bool]:
    """(state, decided_by, whether decided_at is set) of a change as stored."""
    with session.store.new_session() as s:
        row = s.get(AccountChange, change_id)
        assert row is not None
        return row.state, row.decided_by, row.decided_at is not None


def _entries(session: SignedIn, action: str) -> list[tuple[str | None, dict[str, Any]]]:
    with session.store.new_session() as s:
        rows = s.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        ).all()
        return [(e.object_id, json.loads(e.details)) for e in rows]


def test_a_second_request_supersedes_the_first_and_the_asker_may_withdraw_it(
    admin: SignedIn, officer: SignedIn, clock: FixedClock
) -> None:
    auditor = _uid(admin, clock, AUDITOR_USER)
    first = users.reset_password(session=admin, user_id=auditor, clock=clock).pending_change
    second = users.reset_password(session=admin, user_id=auditor, clock=clock).pending_change
    assert first is not None and second is not None and first != second
    assert _change(admin, first) == ("superseded", admin.actor.user_id, True)
    assert _change(admin, second) == ("pending", None, False)
    assert _entries(admin, "user.change_requested") == [
        (str(auditor), {"change": first, "kind": "reset_password"}),
        (str(auditor), {"change": second, "kind": "reset_password"}),
    ]

    account_review.reject_change(session=admin, change_id=second, clock=clock)  # the asker
    assert _change(admin, second) == ("withdrawn", admin.actor.user_id, True)

    disable = users.disable_user(session=admin, user_id=auditor, clock=clock)
    assert disable is not None
    account_review.reject_change(session=officer, change_id=disable, clock=clock)
    assert _change(admin, disable) == ("rejected", officer.actor.user_id, True)
    assert _entries(admin, "user.change_rejected") == [
        (str(auditor), {"change": second, "kind": "reset_password", "withdrawn": True}),
        (str(auditor), {"change": disable, "kind": "disable", "withdrawn": False}),
    ]
    assert account_review.list_pending_changes(session=officer, clock=clock) == []


def test_a_confirmed_change_names_who_asked_and_whether_it_was_a_bootstrap(
    admin: SignedIn, officer: SignedIn, clock: FixedClock
) -> None:
    asked = ask_for_user(admin, clock, "lisi")
    assert asked.pending_change is not None
    account_review.confirm_change(session=officer, change_id=asked.pending_change, clock=clock)
    assert _change(admin, asked.pending_change) == ("confirmed", officer.actor.user_id, True)
    [(target, details)] = _entries(admin, "user.change_confirmed")
    assert target == str(_uid(admin, clock, "lisi"))
    assert details == {
        "change": asked.pending_change,
        "kind": "roles",
        "requested_by": admin.actor.user_id,
        "bootstrap": False,
    }
