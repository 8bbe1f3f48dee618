"""Integration fixtures: an archivist (and an approver) on a fresh encrypted database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.clock import FixedClock
from app.domain.roles import ApproverTitle, Role
from app.services.auth import SignedIn, sign_in, sign_out
from app.storage.location import DatabaseLocation
from tests.factories import PASSWORD, add_archivist, add_user


@pytest.fixture
def archivist(admin: SignedIn, location: DatabaseLocation, clock: FixedClock) -> Iterator[SignedIn]:
    """User ``lisi`` (档案管理员) signed in; user ``manager`` (客服部经理) exists too."""
    add_archivist(admin, clock)
    add_user(
        admin, clock, "manager", [Role.APPROVER], ApproverTitle.CS_MANAGER, display_name="刘芳"
    )
    session = sign_in(location=location, username="lisi", password=PASSWORD, clock=clock)
    yield session
    sign_out(session=session, clock=clock)
