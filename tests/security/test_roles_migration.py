"""Existing databases under 三员分立 (issue 23, migration 0012).

Decision (docs/security.md): an account holding a 三员 role together with other roles keeps the
三员 role and loses the others — admin + archivist becomes admin — and the removed roles are
listed in a setting. A database without a 安全保密员 may create one by the bootstrap rule.
"""

from __future__ import annotations

import json

from sqlalchemy import Connection, text

from app.clock import FixedClock
from app.domain.roles import Role
from app.services import account_review
from app.services.auth import SignedIn, sign_out
from app.storage import migrate
from app.storage.location import DatabaseLocation
from tests.conftest import ADMIN_PASSWORD
from tests.factories import PASSWORD, ask_for_user, signed_in
from tests.migration_helpers import downgrade_to


def _as_before_issue_23(admin: SignedIn, clock: FixedClock, *, three: bool) -> None:
    """Take the ``admin`` fixture's database back to revision 0014 with admin + archivist.

    Without ``three`` the set-up's 安全保密员 and 安全审计员 lose their roles, as in a database
    made before they existed.
    """

    def as_before(conn: Connection) -> None:
        conn.execute(
            text("INSERT INTO user_role (user_id, role) VALUES (:u, 'archivist')"),
            {"u": admin.actor.user_id},
        )
        if not three:
            conn.execute(text("DELETE FROM user_role WHERE role IN ('security', 'auditor')"))

    downgrade_to(admin.store.engine, "0014", as_before)
    sign_out(session=admin, clock=clock)


def test_an_admin_who_was_also_archivist_keeps_admin_only(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    _as_before_issue_23(admin, clock, three=True)
    with signed_in(location, "boss", ADMIN_PASSWORD, clock) as again:
        assert again.actor.roles == {Role.ADMIN}
        with again.store.engine.connect() as conn:
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            removed = conn.execute(
                text("SELECT value FROM setting WHERE key = 'migration_0015_removed_roles'")
            ).scalar()
        assert revision == migrate.HEAD
        assert json.loads(str(removed)) == {str(again.actor.user_id): ["archivist"]}


def test_a_database_without_a_security_officer_can_bootstrap_one(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    _as_before_issue_23(admin, clock, three=False)
    with signed_in(location, "boss", ADMIN_PASSWORD, clock) as boss:
        assert account_review.three_roles_missing(session=boss, clock=clock) == [
            "安全审计员",
            "安全保密员",
        ]
        asked = ask_for_user(boss, clock, "newsec", [Role.SECURITY], display_name="保密员")
        assert asked.pending_change is not None
        # the only 三员 member may confirm creating the missing one (audited as a bootstrap) …
        account_review.confirm_change(session=boss, change_id=asked.pending_change, clock=clock)
        # … but nothing else: a data role for a new account now needs the 安全保密员
        other = ask_for_user(boss, clock, "lisi", password=None)
        assert other.pending_change is not None
        [row] = account_review.list_pending_changes(session=boss, clock=clock)
        assert row.username == "lisi" and not row.may_confirm
    with signed_in(location, "newsec", PASSWORD, clock) as officer:
        assert officer.actor.roles == {Role.SECURITY}
        with officer.store.new_session() as s:
            details = s.execute(
                text("SELECT details FROM audit_entry WHERE action = 'user.change_confirmed'")
            ).scalar()
        assert json.loads(str(details))["bootstrap"] is True
