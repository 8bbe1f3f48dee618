"""The PostgreSQL search index answers like the SQLite one: same ids, same order, same counts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine

from app.storage import search, search_pg, search_sqlite
from app.storage.engine import engine_for
from app.storage.location import DatabaseLocation
from app.storage.search_sqlite import IndexRow

NAMES = [
    "张三丰",
    "张三",
    "张伟",
    "章伟",
    "李四",
    "王小明",
    "欧阳娜娜",
    "诸葛亮",
    "张 三 丰",
    "Zhang Wei",
    "O'Brien Trading",
    "上海浦东发展银行股份有限公司",
    "北京银行",
    "单田芳",
    "曾小贤",
    "重庆火锅",
    "吕布",
    "绿茶100%",
    "a_b 公司",
    "Ünal Müller",
    "长江实业",
    "张",
]
QUERIES = [
    "张",
    "张三",
    "张三丰",
    "zhang",
    "zs",
    "zsf",
    "sf",
    "feng",
    "sanfeng",
    "wei",
    "zw",
    "KH2026",
    "kh20260000",
    "银行",
    "浦东发展",
    "ouyang",
    "nana",
    "o'b",
    "brien",
    "%",
    "_",
    "a_b",
    "100%",
    "müller",
    "MÜLLER",
    "备注",
    "VIP",
    "00001",
    "x",
    "曾",
    "zeng",
    "chong",
    "lv",
    "lü",
    "chang",
    " 张 ",
    "三 丰",
]


def rows() -> list[IndexRow]:
    return [
        IndexRow(
            i,
            name,
            f"KH2026{i:06d}",
            "备注 VIP 客户" if i % 3 == 0 else ("老客户" if i % 5 == 0 else ""),
        )
        for i, name in enumerate(NAMES, start=1)
    ]


def answers(conn: Connection) -> dict[str, tuple[object, ...]]:
    return {
        q: (
            search.match_ids(conn, q, 1000),
            search.prefix_ids(conn, q, 1000),
            search.syllable_ids(conn, q, 1000),
            search.count_matches(conn, q, 5),
            search.match_ids(conn, q, 2),
        )
        for q in QUERIES
    }


@pytest.fixture
def sqlite_answers(tmp_path: Path) -> dict[str, tuple[object, ...]]:
    engine = create_engine(f"sqlite:///{tmp_path / 'search.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE customer (id INTEGER PRIMARY KEY)")
        search_sqlite.ensure_schema(conn)
        search.index_customers(conn, rows())
        search.index_customers(conn, rows()[:5])  # refreshing leaves no duplicates
        search.remove_customers(conn, [4])
        search.index_customers(conn, [rows()[3]])
    with engine.connect() as conn:
        found = answers(conn)
    engine.dispose()
    return found


@pytest.fixture
def pg_conn(location: DatabaseLocation) -> Iterator[Connection]:
    engine = engine_for(location, None)
    with engine.connect() as conn:
        yield conn
    engine.dispose()


@pytest.mark.postgresql_only
def test_postgresql_search_matches_the_embedded_engine(
    pg_conn: Connection, sqlite_answers: dict[str, tuple[object, ...]]
) -> None:
    assert search.module_for(pg_conn) is search_pg
    assert search_pg.ensure_schema(pg_conn) is False  # migration 0010 made the tables
    search.index_customers(pg_conn, rows())
    search.index_customers(pg_conn, rows()[:5])
    search.remove_customers(pg_conn, [4])
    search.index_customers(pg_conn, [rows()[3]])
    found = answers(pg_conn)
    assert any(v[0] for v in found.values())
    for q in QUERIES:
        assert found[q] == sqlite_answers[q], q
