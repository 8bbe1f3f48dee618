"""Issue 16, guesses: columns guessed by their values as well as their names, with confidence."""

from __future__ import annotations

from pathlib import Path

from app.clock import FixedClock
from app.services import imports
from app.services.auth import SignedIn
from app.services.customers import get_customer, register_customer, search_customers
from tests.factories import person
from tests.import_helpers import import_rows
from tests.ledgers import mobile, resident_id


def _write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_a_type_column_holding_person_or_company_is_the_party_and_stars_are_importance(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    header = ["客户名称", "客户类型", "重要程度", "身份证号", "手机"]
    rows: list[list[object]] = [
        ["赵一", "个人", "★", resident_id(11), mobile(11)],
        ["钱二", "个人", "A", resident_id(12), mobile(12)],
        ["孙三", "个人", "B", resident_id(13), mobile(13)],
        ["李四商贸有限公司", "企业", "C", None, mobile(14)],
        ["周五", "个人", None, resident_id(15), mobile(15)],
    ]
    ledger = imports.load_ledger(_write(tmp_path / "c.xlsx", header, rows), kind="customers")
    guesses = imports.column_guesses("customers", ledger)
    assert guesses[1].key == "party" and guesses[1].basis == "values"
    assert guesses[1].confidence == "high" and guesses[1].instead == "kind"
    assert guesses[2].key == "importance" and guesses[2].basis == "name_values"
    assert guesses[2].confidence == "high" and guesses[2].share == 1.0
    assert guesses[0].key == "name" and guesses[0].basis == "name"
    mapping, remembered = imports.guess_columns(
        session=archivist, kind="customers", ledger=ledger, clock=clock
    )
    assert not remembered and mapping == {
        0: "name",
        1: "party",
        2: "importance",
        3: "id_number",
        4: "phone",
    }
    summary = import_rows(
        archivist, clock, "customers", ledger, mapping, mode=imports.ImportMode.ALL_OR_NOTHING
    )
    assert (summary.imported, summary.rejected) == (5, 0)
    org = search_customers(session=archivist, query="李四商贸", clock=clock).rows[0]
    assert org.party == "org"
    star = search_customers(session=archivist, query="赵一", clock=clock).rows[0]
    plain = search_customers(session=archivist, query="孙三", clock=clock).rows[0]
    assert get_customer(session=archivist, customer_id=star.id, clock=clock).importance == (
        "important"
    )
    assert get_customer(session=archivist, customer_id=plain.id, clock=clock).importance == (
        "normal"
    )


def test_a_type_column_holding_general_or_special_stays_the_customer_kind(tmp_path: Path) -> None:
    header = ["姓名", "类型", "重要性"]
    rows: list[list[object]] = [
        ["甲", "一般", "重要"],
        ["乙", "特殊", "一般"],
        ["丙", "一般", "一般"],
    ]
    ledger = imports.load_ledger(_write(tmp_path / "k.xlsx", header, rows), kind="customers")
    guesses = imports.column_guesses("customers", ledger)
    assert (guesses[1].key, guesses[1].basis) == ("kind", "name_values")
    assert (guesses[2].key, guesses[2].basis) == ("importance", "name_values")


def test_a_name_whose_values_do_not_fit_is_not_guessed(tmp_path: Path) -> None:
    header = ["客户名称", "性别", "电话"]
    rows: list[list[object]] = [["甲", 1, "浙江杭州"], ["乙", 2, "浙江宁波"], ["丙", 1, "上海"]]
    ledger = imports.load_ledger(_write(tmp_path / "g.xlsx", header, rows), kind="customers")
    guesses = imports.column_guesses("customers", ledger)
    assert set(guesses) == {0}  # 性别 holding 1/2 and 电话 holding places: left to the operator


def test_a_title_column_is_the_volume_title_when_each_reference_code_is_one_row(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    owner = register_customer(session=archivist, draft=person(), clock=clock)
    header = ["档号", "客户编号", "题名", "年度", "保管期限"]
    rows: list[list[object]] = [
        [f"Z001-KH·2020-Y-000{n}", owner.number, f"客户档案第{n}卷", 2020, "永久"]
        for n in range(1, 5)
    ]
    ledger = imports.load_ledger(_write(tmp_path / "v.xlsx", header, rows), kind="volumes")
    guesses = imports.column_guesses("volumes", ledger)
    assert (guesses[2].key, guesses[2].basis) == ("volume_title", "rows")
    # the same header over an item list (several rows per 档号, a 件号 column): the item's
    header = ["档号", "客户编号", "案卷题名", "年度", "保管期限", "件号", "题名"]
    rows = [
        ["Z001-KH·2020-Y-0001", owner.number, "客户档案", 2020, "永久", n, f"文件{n}"]
        for n in range(1, 4)
    ]
    items = imports.load_ledger(_write(tmp_path / "i.xlsx", header, rows), kind="volumes")
    guesses = imports.column_guesses("volumes", items)
    assert guesses[2].key == "volume_title" and guesses[6].key == "title"
