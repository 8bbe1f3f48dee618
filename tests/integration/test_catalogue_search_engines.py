"""Catalogue search (R14) on PostgreSQL answers like the embedded engine on the same demo data.

The small demo is built the same way on both engines (a seeded generator, the tests' fixed
time); the same readers ask the same questions through ``search_catalogue`` and must get the
same volumes in the same order: 档号 prefixes, title words, pinyin, 文号, 备注栏 markings, and
what a lower clearance may not see.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.clock import FixedClock
from app.demo import DEMO_PASSWORD
from app.services.auth import sign_in, sign_out
from app.services.catalogue import search_catalogue
from app.storage.location import DatabaseLocation
from tests.conftest import _copy_demo

QUERIES = [
    "Z001-KH·2020",
    "Z001-KH·2019-Y-0001",
    "年度客户档案",
    "2021年度",
    "授权委托书",
    "往来函件",
    "书面同",
    "身份证明材料",
    "客户信息登记表",
    "nian du",
    "kehu",
    "weituo",
    "字〔2020〕",
    "〔2018〕00",
    "机密",
    "秘密★",
    "张",
    "档案",
    "no such words",
    "%%%",
    "a_b",
]
READERS = ("archivist", "depthead")


def answers(location: DatabaseLocation) -> dict[tuple[str, str], list[str]]:
    clock = FixedClock()
    found: dict[tuple[str, str], list[str]] = {}
    for reader in READERS:
        session = sign_in(location=location, username=reader, password=DEMO_PASSWORD, clock=clock)
        for q in QUERIES:
            rows = search_catalogue(session=session, query=q, clock=clock, limit=60)
            found[reader, q] = [f"{r.reference_code}|{r.title}" for r in rows]
        sign_out(session=session, clock=clock)
    return found


@pytest.mark.postgresql_only
def test_catalogue_search_on_postgresql_matches_the_embedded_engine(
    demo_copy: DatabaseLocation, demo_template: Path, tmp_path: Path
) -> None:
    assert not demo_copy.is_sqlite
    embedded = answers(_copy_demo(demo_template, tmp_path))
    server = answers(demo_copy)
    matched = [key for key, rows in embedded.items() if rows]
    assert len(matched) >= len(READERS) * 12  # the queries do find things
    for key in embedded:
        assert server[key] == embedded[key], key
