"""Migration 0003 (catalogue) on a real database that already holds volumes."""

from __future__ import annotations

from sqlalchemy import inspect

from app.clock import FixedClock
from app.services.auth import SignedIn
from app.storage import migrate
from tests.migration_helpers import downgrade_to


def test_volumes_from_before_the_catalogue_keep_their_data_and_secrecy(
    admin: SignedIn, clock: FixedClock
) -> None:
    engine = admin.store.engine
    downgrade_to(engine, "0002")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO customer (id, number, row_key, key_id, party, kind, category, status, "
            "importance, name, consent_purpose, consent_method, remarks, index_remarks, "
            "suspected_duplicate, created_at, updated_at, version) VALUES (1, 'KH00000001', "
            "'r1', 'k1', 'person', 'general', 'individual', 'registered', 'normal', '张三', "
            "'', '', '', '', false, '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)"
        )
        conn.exec_driver_sql(
            "INSERT INTO volume (reference_code, customer_id, year, title, retention, "
            "secrecy_level, created_at) VALUES ('Z001-KH-2024-Y-0000001', 1, 2024, '张三2024年度', "
            "'Y', '机密', '2026-01-01 00:00:00')"
        )
    assert migrate.upgrade(engine) is True
    with engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT reference_code, secrecy_level, state, item_count, version FROM volume"
        ).one()
        tables = set(inspect(conn).get_table_names())
    assert tuple(row) == ("Z001-KH-2024-Y-0000001", "confidential", "on_shelf", 0, 1)
    assert {"archive_item", "item_file", "file_chunk", "reference_counter"} <= tables
