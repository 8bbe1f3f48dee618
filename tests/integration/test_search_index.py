"""The search index's ranking and its upkeep across versions (real encrypted database)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.clock import FixedClock
from app.services.auth import SignedIn, sign_out
from app.services.customers import register_customer, search_customers
from app.storage.location import DatabaseLocation
from tests.factories import PASSWORD, potential, signed_in


def add(session: SignedIn, clock: FixedClock, name: str) -> int:
    draft = potential(name=name)
    return register_customer(session=session, draft=draft, clock=clock).customer_id


def ranked(session: SignedIn, clock: FixedClock, query: str) -> list[int]:
    return [r.id for r in search_customers(session=session, query=query, clock=clock).rows]


def test_names_starting_with_the_query_come_before_older_inner_matches(
    archivist: SignedIn, clock: FixedClock
) -> None:
    inner = add(archivist, clock, "李张三")  # registered first: the smaller number
    longer = add(archivist, clock, "张三丰")
    exact = add(archivist, clock, "张三")
    assert ranked(archivist, clock, "张三") == [exact, longer, inner]  # name order, then the rest
    assert ranked(archivist, clock, "张") == [exact, longer, inner]  # 1 character: same rule
    assert ranked(archivist, clock, "zhangsan") == [exact, longer, inner]  # lizhangsan: inner
    assert ranked(archivist, clock, "zs") == [exact, longer, inner]  # initials; lzs holds "zs"


@pytest.mark.sqlite_only(reason="SQLite's search tables live outside Alembic, a server's in it")
def test_an_index_table_missing_from_an_older_database_is_filled_at_sign_in(
    archivist: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    target = add(archivist, clock, "欧阳娜娜")
    with archivist.store.engine.begin() as conn:  # as a database from an older index version
        conn.exec_driver_sql("DROP TABLE customer_key")
        conn.exec_driver_sql("DROP TABLE search_index_meta")
        conn.exec_driver_sql("CREATE TABLE customer_prefix (key TEXT)")
    sign_out(session=archivist, clock=clock)
    with signed_in(location, "lisi", PASSWORD, clock) as again:
        with again.store.engine.connect() as conn:
            keys = {r[0] for r in conn.exec_driver_sql("SELECT key FROM customer_key")}
            old = conn.exec_driver_sql(
                "SELECT count(*) FROM sqlite_master WHERE name = 'customer_prefix'"
            ).scalar()
        assert {"欧阳娜娜", "ouyangnana", "oynn", "yangnana", "nana", "ynn"} <= keys
        assert old == 0
        assert ranked(again, clock, "ouyang") == [target]


def test_pinyin_from_any_syllable_and_latin_names_from_any_letter(
    archivist: SignedIn, clock: FixedClock
) -> None:
    zsf = add(archivist, clock, "张三丰")
    smith = add(archivist, clock, "John Smith")
    assert ranked(archivist, clock, "sanfeng") == [zsf]  # from the second syllable on
    assert ranked(archivist, clock, "feng") == [zsf]
    assert ranked(archivist, clock, "sf") == [zsf]  # initials from the second syllable on
    assert ranked(archivist, clock, "angsan") == []  # not a syllable boundary
    assert ranked(archivist, clock, "mith") == [smith]
    assert ranked(archivist, clock, "h") == [smith]  # one letter: parts and name pieces


def test_a_renamed_customer_is_found_by_the_new_name_only(
    archivist: SignedIn, clock: FixedClock
) -> None:
    from app.services.customers import CustomerChanges, update_customer

    cid = add(archivist, clock, "张三丰")
    other = add(archivist, clock, "张三")
    update_customer(
        session=archivist,
        customer_id=cid,
        changes=CustomerChanges(
            name="李四光", kind="general", category="individual", importance="normal"
        ),
        expected_version=1,
        clock=clock,
    )
    assert ranked(archivist, clock, "zhangsanfeng") == []
    assert ranked(archivist, clock, "sanfeng") == []
    assert ranked(archivist, clock, "三丰") == []
    assert ranked(archivist, clock, "张") == [other]  # the other customer's entries untouched
    assert ranked(archivist, clock, "lisiguang") == [cid]
    assert ranked(archivist, clock, "siguang") == [cid]
    with archivist.store.engine.connect() as conn:
        stale = conn.execute(
            text("SELECT count(*) FROM customer_key WHERE customer_id = :cid AND key LIKE 'zh%'"),
            {"cid": cid},
        ).scalar()
    assert stale == 0
