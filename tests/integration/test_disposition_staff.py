"""Who a disposition form offers as 鉴定人 / 监销人: enabled archivists and approvers, by id."""

from __future__ import annotations

import pytest

from app.clock import FixedClock
from app.domain.roles import Role
from app.errors import PermissionDenied
from app.services import disposition as D
from app.services import users
from app.services.auth import SignedIn
from tests.factories import add_archivist, add_user


def test_disposition_staff_are_enabled_archivists_and_approvers_by_id(
    admin: SignedIn, archivist: SignedIn, clock: FixedClock
) -> None:
    add_user(admin, clock, "audit", [Role.AUDITOR], display_name="周敏", password=None)
    add_archivist(admin, clock, username="gone")
    add_archivist(admin, clock, username="wangwu")
    ids = {u.username: u.id for u in users.list_users(session=admin, clock=clock)}
    users.disable_user(session=admin, user_id=ids["gone"], clock=clock)

    staff = D.list_disposition_staff(session=archivist, clock=clock)

    # the 三员 (admin, the auditor) and the disabled account are never offered
    assert [s.username for s in staff] == ["lisi", "manager", "wangwu"]
    assert [s.id for s in staff] == sorted(s.id for s in staff)
    assert {s.username: s.display_name for s in staff}["manager"] == "刘芳"
    assert all(isinstance(s, users.StaffRow) for s in staff)
    with pytest.raises(PermissionDenied):
        D.list_disposition_staff(session=admin, clock=clock)  # 三员 read no disposition
