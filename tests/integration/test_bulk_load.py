"""The bulk loader of the large demo, through its worker process, on a real encrypted file."""

from __future__ import annotations

import pytest

from app import demo_bulk
from app.clock import FixedClock
from app.domain.identity import check_document
from app.services.auth import SignedIn
from app.services.customers import get_customer, reveal_customer, search_customers
from app.storage import bulk


def index_sql(session: SignedIn) -> set[str]:
    with session.store.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            rows = conn.exec_driver_sql(
                "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename <> 'vault_key'"  # the vault's table appears with the first key
            )
        else:
            rows = conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            )
        return {r[0] for r in rows}


def settings_restored(session: SignedIn) -> bool:
    """SQLite: ``synchronous`` FULL again after a load (a server needs no tuning)."""
    if not session.store.location.is_sqlite:
        return True
    return scalar(session, "PRAGMA synchronous") == 2


def scalar(session: SignedIn, sql: str) -> object:
    with session.store.engine.connect() as conn:
        return conn.exec_driver_sql(sql).scalar()


def test_customers_loaded_by_the_worker_process_are_complete_and_readable(
    archivist: SignedIn, clock: FixedClock
) -> None:
    before = index_sql(archivist)
    last = demo_bulk.load_customers(
        archivist.store, clock.now(), 2_500, parallel=True, chunk_size=1_000
    )
    assert last == 2_500
    assert index_sql(archivist) == before  # dropped for the load, built again
    for table in ("customer", "customer_phone", "customer_status_change", "volume"):
        assert scalar(archivist, f"SELECT count(*) FROM {table}") == 2_500
    assert archivist.store.vault.count() == 2_500
    assert settings_restored(archivist)
    # the appraisal queue's counts (kept by triggers, dropped for the load) are made again
    assert scalar(archivist, "SELECT sum(n) FROM volume_tally") == 2_500
    # the statistics' running totals too (their triggers are dropped for the load as well)
    assert scalar(archivist, "SELECT n FROM stat_counter WHERE key = 'customer'") == 2_500
    assert scalar(archivist, "SELECT n FROM stat_counter WHERE key = 'volume'") == 2_500
    if archivist.store.location.is_sqlite:
        triggers = (
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
            "AND name LIKE 'volume_tally%'"
        )
        assert scalar(archivist, triggers) == 3
    else:
        triggers = (
            "SELECT string_agg(DISTINCT tgname, ',' ORDER BY tgname) FROM pg_trigger "
            "WHERE tgrelid IN ('volume'::regclass, 'customer'::regclass) AND NOT tgisinternal"
        )
        assert scalar(archivist, triggers) == (
            "trg_stat_customer,trg_stat_volume,trg_stat_volume_group,volume_tally_change"
        )
    if archivist.store.location.is_sqlite:
        assert scalar(archivist, "PRAGMA integrity_check") == "ok"

    detail = reveal_customer(
        session=archivist, customer_id=2_500, purpose="核对批量导入", clock=clock
    )
    assert detail.id_type == "uscc"  # every fifth is an organisation
    assert check_document("uscc", detail.id_number, today=clock.now().date()).ok
    masked = get_customer(session=archivist, customer_id=2_500, clock=clock)
    assert masked.id_number != detail.id_number
    found = search_customers(session=archivist, query=detail.name, clock=clock)
    assert 2_500 in found.exact_ids | {r.id for r in found.rows}
    by_number = search_customers(session=archivist, query="KH00002500", clock=clock)
    assert by_number.exact_ids == {2_500}


def load_that_fails(session: SignedIn, *, commit_first: bool) -> None:
    """A bulk load of one ``customer_gram`` row that stops with ``RuntimeError("stop")``.

    ``commit_first``: the row is committed and a second one written before the load stops.
    """
    with (
        pytest.raises(RuntimeError, match="stop"),
        bulk.bulk_load(session.store.engine, demo_bulk.TABLES) as writer,
    ):
        writer.cursor.execute("INSERT INTO customer_gram (gram, customer_id) VALUES ('x', 1)")
        if commit_first:
            writer.commit()  # the dropped indexes and triggers are gone for good now
            writer.cursor.execute("INSERT INTO customer_gram (gram, customer_id) VALUES ('y', 1)")
        raise RuntimeError("stop")


def test_a_failed_load_leaves_indexes_and_settings_as_they_were(
    archivist: SignedIn,
) -> None:
    before = index_sql(archivist)
    load_that_fails(archivist, commit_first=False)
    assert index_sql(archivist) == before
    assert scalar(archivist, "SELECT count(*) FROM customer_gram") == 0  # rolled back
    assert settings_restored(archivist)


def test_a_load_failing_after_a_commit_builds_indexes_and_counts_again(
    archivist: SignedIn,
) -> None:
    before = index_sql(archivist)
    load_that_fails(archivist, commit_first=True)
    assert index_sql(archivist) == before
    assert scalar(archivist, "SELECT count(*) FROM customer_gram") == 1  # the committed row
    assert settings_restored(archivist)
    customers = scalar(archivist, "SELECT count(*) FROM customer")
    assert scalar(archivist, "SELECT n FROM stat_counter WHERE key = 'customer'") == customers


def test_demo_volumes_follow_the_reference_pattern_and_later_ones_continue_it(
    archivist: SignedIn, clock: FixedClock
) -> None:
    from app.services.catalogue import VolumeDraft, create_volume

    demo_bulk.load_customers(archivist.store, clock.now(), 300, parallel=False)
    with archivist.store.engine.connect() as conn:
        code, year, retention, last = conn.exec_driver_sql(
            "SELECT reference_code, year, retention, "
            "(SELECT max(number) FROM volume v2 WHERE v2.year = v.year "
            "AND v2.retention = v.retention) FROM volume v WHERE id = 1"
        ).one()
    assert code.startswith(f"Z001-KH·{year}-{retention}-") and len(code.rsplit("-", 1)[1]) == 4
    saved = create_volume(
        session=archivist,
        draft=VolumeDraft(customer_id=1, year=year, title="补充材料", retention=retention),
        clock=clock,
    )
    assert saved.reference_code == f"Z001-KH·{year}-{retention}-{last + 1:04d}"


def test_loaded_volumes_and_items_are_in_the_catalogue_index(
    archivist: SignedIn, clock: FixedClock
) -> None:
    from app.services.catalogue import search_catalogue

    demo_bulk.load_customers(archivist.store, clock.now(), 120, parallel=False)
    with archivist.store.engine.connect() as conn:
        title, item_title = conn.exec_driver_sql(
            "SELECT v.title, i.title FROM volume v JOIN archive_item i ON i.volume_id = v.id "
            "WHERE v.id = 7"
        ).one()
    assert 7 in {v.id for v in search_catalogue(session=archivist, query=title, clock=clock)}
    by_item = search_catalogue(session=archivist, query=item_title, clock=clock)
    assert 7 in {v.id for v in by_item} or len(by_item) == 200
