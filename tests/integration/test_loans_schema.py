"""Migration 0008 (loans) goes down and up again on a real database."""

from __future__ import annotations

from app.services.auth import SignedIn
from tests.migration_helpers import assert_down_and_up

LOAN_TABLES = {
    "staff_department",
    "use_application",
    "use_application_volume",
    "use_approval",
    "loan",
    "damage_report",
    "use_log",
}


def test_the_loan_tables_are_removed_by_downgrade_and_come_back_on_upgrade(
    admin: SignedIn,
) -> None:
    assert_down_and_up(admin, LOAN_TABLES, "0007")
