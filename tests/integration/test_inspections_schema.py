"""Migration 0009 (inspections) matches the models and goes down and up again."""

from __future__ import annotations

from app.services.auth import SignedIn
from app.storage import migrate
from tests.migration_helpers import assert_down_and_up, assert_tables_match_models

TABLES = {
    "inspection_session",
    "inspection_expected",
    "inspection_scan",
    "inspection_found",
    "inspection_difference",
    "inspection_check",
    "environment_reading",
    "condition_record",
    "repair_task",
}


def test_the_inspection_tables_have_the_columns_and_keys_of_the_models(admin: SignedIn) -> None:
    assert_tables_match_models(admin, TABLES, primary_keys=True)


def test_the_inspection_tables_are_removed_by_downgrade_and_come_back_on_upgrade(
    admin: SignedIn,
) -> None:
    assert_down_and_up(admin, TABLES, "0008")
    assert migrate.HEAD == "0022"
