"""Other desks' commits reach this desk through PostgreSQL LISTEN/NOTIFY (issue 22)."""

from __future__ import annotations

import queue

import pytest
from sqlalchemy import update

from app.clock import FixedClock
from app.domain.changes import Changes
from app.services.auth import SignedIn, sign_in, sign_out
from app.services.customers import register_customer
from app.storage.change_feed import ChangeFeed, payload, read_payload
from app.storage.location import DatabaseLocation
from app.storage.models import Setting
from tests.factories import PASSWORD, add_archivist, potential


def test_a_payload_names_kinds_only() -> None:
    text = payload("abc", Changes.of("customers", "audit"))
    assert text == "abc|audit,customers"
    assert read_payload(text) == ("abc", Changes.of("customers", "audit"))
    assert read_payload("x|spaceships") == ("x", Changes.of("other"))


@pytest.mark.postgresql_only
def test_a_commit_at_another_desk_is_heard_and_ones_own_is_not(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    add_archivist(admin, clock)
    other = sign_in(location=location, username="lisi", password=PASSWORD, clock=clock)
    heard: queue.Queue[Changes] = queue.Queue()
    feed = ChangeFeed(admin.store.engine, admin.store.change_token, heard.put).start()
    try:
        with admin.store.unit_of_work(admin.actor, clock) as uow:  # this desk's own write
            uow.session.execute(
                update(Setting).where(Setting.key == "no-such-key").values(value="x")
            )
            uow.commit()
        with other.store.unit_of_work(other.actor, clock) as uow:  # rolled back: no news
            uow.session.execute(
                update(Setting).where(Setting.key == "no-such-key").values(value="y")
            )
        draft = potential(name="别的窗口")
        register_customer(session=other, draft=draft, clock=clock)  # the other desk's
        first = heard.get(timeout=60)  # notifications arrive in commit order
        # the other desk's registration (customers, its audit record, the number counter);
        # this desk's own settings write, committed before it, never came back
        assert first.customers and first.audit
        assert heard.empty()
    finally:
        feed.stop()
        sign_out(session=other, clock=clock)
