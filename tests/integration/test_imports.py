"""Import of messy ledgers: exact counts and reasons, duplicates, undo, limits, fuzzed cells."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.clock import FixedClock
from app.errors import (
    ImportFormatUnsupported,
    ImportHasRejections,
    ImportTooLarge,
    ImportUndoRefused,
    ValidationFailed,
)
from app.imports import cells
from app.imports.source import ImportLimits, detect_encoding, read_sheet
from app.services import imports
from app.services.auth import SignedIn
from app.services.catalogue import get_volume, search_catalogue
from app.services.customers import (
    change_customer_status,
    find_customer_by_id_number,
    get_customer,
    register_customer,
    reveal_customer,
    search_customers,
)
from app.storage.models import (
    AuditEntry,
    ConsentPurpose,
    Customer,
    CustomerConsent,
    DuplicateFlag,
    ImportBatch,
)
from tests.factories import person
from tests.import_helpers import fields_ledger, import_rows, mapped_ledger, two_namesakes
from tests.ledgers import (
    customer_rows,
    full_width,
    mobile,
    resident_id,
    with_bad_check,
    write_customer_xlsx,
)

MODE_VALID = imports.ImportMode.VALID_ROWS
MODE_ALL = imports.ImportMode.ALL_OR_NOTHING


def _import(
    session: SignedIn, clock: FixedClock, path: Path, kind: str, mode: imports.ImportMode
) -> tuple[imports.Ledger, imports.ImportSummary]:
    ledger, mapping = mapped_ledger(session, clock, path, kind)
    summary = import_rows(session, clock, kind, ledger, mapping, mode=mode)
    return ledger, summary


def _reasons(summary: imports.ImportSummary) -> dict[int, set[str]]:
    return {o.row: {e.reason for e in o.errors} for o in summary.outcomes if not o.ok}


def messy_customer_ledger(path: Path) -> Path:
    """10 good rows, then the kinds of rows real ledgers have (see the test for the verdicts)."""
    rows = customer_rows(10)
    rows.append([])  # blank rows in the middle of the data
    rows.append([None, "   ", None, None, None, None, None, None])
    # full-width digits in the ID and the phone, trailing spaces: valid
    rows.append([11, "钱多多  ", "个人", full_width(resident_id(500)), full_width(mobile(500))])
    rows.append([12, "孙错号", "个人", with_bad_check(resident_id(501)), mobile(501)])  # checksum
    rows.append([13, "赵重复", "个人", resident_id(0), mobile(502)])  # same ID as row 4 (first)
    rows.append([14, "周错电话", "个人", resident_id(503), "1234"])  # phone format
    rows.append([15, "吴共用", "个人", resident_id(504), mobile(1)])  # phone of another row
    rows.append([16, "郑已登记", "个人", "11010519491231002X", mobile(505)])  # registered before
    rows.append([17, "杭州示范贸易有限公司", None, None, "0571-88880000", None, "杭州市", "潜在"])
    return write_customer_xlsx(path, rows)


def test_a_messy_customer_ledger_imports_exact_counts_with_reasons(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    register_customer(session=archivist, draft=person(), clock=clock)
    ledger, summary = _import(
        archivist, clock, messy_customer_ledger(tmp_path / "ledger.xlsx"), "customers", MODE_VALID
    )
    # title row 1, two header rows 2–3 (merged), data from row 4; two blank rows skipped
    assert ledger.header.rows == (1, 2) and ledger.header.data_start == 3
    assert ledger.header.names[4] == "联系方式/手机"
    assert (summary.total, summary.imported, summary.rejected) == (17, 13, 4)
    assert _reasons(summary) == {
        17: {"checksum"},
        18: {"duplicate_in_file"},
        19: {"phone_too_short"},
        21: {"duplicate_id"},
    }
    duplicate = next(o for o in summary.outcomes if o.row == 18)
    assert duplicate.errors[0].params == {"row": 4}
    assert imports.describe_outcome(duplicate) == (
        "证件号码：与本文件第 4 行的证件号码相同，同一证件不能重复登记"
    )
    # 疑似重复 (R3): the shared phone flags the pair, both new
    assert summary.flagged == 2
    full = find_customer_by_id_number(session=archivist, id_number=resident_id(500), clock=clock)
    assert full is not None
    detail = reveal_customer(session=archivist, customer_id=full, purpose="核对导入", clock=clock)
    assert detail.name == "钱多多" and detail.id_number == resident_id(500)
    with archivist.store.new_session() as s:  # the province of the ID, for the statistics
        assert s.get(Customer, full).region == resident_id(500)[:2]  # type: ignore[union-attr]
    assert detail.phones == (f"+86{mobile(500)}",)
    org = search_customers(session=archivist, query="杭州示范", clock=clock).rows[0]
    assert org.party == "org" and org.category == "dealer" and org.status == "potential"
    with archivist.store.new_session() as s:
        flags = s.scalars(select(DuplicateFlag)).all()
        assert [f.reason for f in flags] == ["phone"]
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "import.customers")).one()
    assert '"imported":13' in audit.details and "钱多多" not in audit.details


def test_a_gb18030_csv_of_volumes_and_items_with_serial_dates(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    first = register_customer(session=archivist, draft=person(), clock=clock)
    second = register_customer(
        session=archivist,
        draft=person(name="李四", id_number=resident_id(7), phones=(), bank_accounts=()),
        clock=clock,
    )
    header = ["档号", "客户编号", "案卷题名", "年度", "保管期限", "件号", "题名", "日期"]
    header += ["页号", "密级", "存放位置"]
    # two items of one volume (the volume's five columns repeated), both with 保管期限 很久
    volume_2019 = ["Z001-KH·2019-D10-0001", first.number, "张三丰2019年度客户档案", "2019", "很久"]
    rows = [
        [
            "Z001-KH·2020-Y-0001",
            first.number,
            "张三丰2020年度客户档案",
            "２０２０",
            "永久",
            "1",
            "客户信息登记表",
            "43831",
            "1-3",
            "",
            "",  # 存放位置: see test_locations_import
        ],
        [
            "Z001-KH·2020-Y-0001",
            first.number,
            "张三丰2020年度客户档案",
            "2020",
            "永久",
            "2",
            "业务合作合同",
            "2020年3月5日",
            "4-9",
            "机密",
            "",  # 存放位置: see test_locations_import
        ],
        [
            "",
            second.number.lower(),
            "李四2021年度客户档案",
            "2021年",
            "长期",
            "",
            "授权委托书",
            "2021/6/1",
            "1",
            "",
            "",
        ],
        [*volume_2019, "1", "往来函件", "2019-01-01", "1", "", ""],
        [*volume_2019, "2", "对账确认书", "2019-02-01", "2", "", ""],
        ["", "KH99999999", "无主案卷", "2022", "永久", "", "服务协议", "", "", "", ""],
        [],
    ]
    path = tmp_path / "案卷台账.csv"
    text = io.StringIO()
    csv.writer(text).writerows([["华东示范贸易有限公司 案卷目录"], header, *rows])
    path.write_bytes(text.getvalue().encode("gb18030"))
    assert detect_encoding(path.read_bytes()) == "gb18030"
    _ledger, summary = _import(archivist, clock, path, "volumes", MODE_VALID)
    assert (summary.total, summary.imported, summary.rejected) == (6, 3, 3)
    assert summary.details == {"volumes": 2, "items": 3}
    assert _reasons(summary) == {
        6: {"format"},  # 保管期限 很久 (title row 1, header row 2, data from row 3)
        7: {"format"},  # the same volume, the same mistake
        8: {"not_found"},  # no such 客户编号
    }
    found = search_catalogue(session=archivist, query="Z001-KH·2020-Y-0001", clock=clock)
    volume = get_volume(session=archivist, volume_id=found[0].id, clock=clock)
    assert volume.secrecy == "机密★20年" and volume.page_count == 9  # highest item (R15)
    assert [(i.seq, i.doc_date, i.pages) for i in volume.items] == [
        (1, date(2020, 1, 1), "1-3"),  # Excel serial 43831
        (2, date(2020, 3, 5), "4-9"),
    ]
    assert volume.remarks.startswith("机密★20年")
    issued = search_catalogue(session=archivist, query="李四2021", clock=clock)
    assert issued[0].reference_code == "Z001-KH·2021-D30-0001"  # 长期 → D30, code issued


def test_a_dated_consent_without_a_purpose_column_is_a_consent_for_contract_and_service(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    # ledgers often keep only the date the customer signed: README "Data protection" promises
    # that date as a written consent for 合同履行 and 客户服务, not a refusal of every dated row
    path = tmp_path / "consents.csv"
    lines = ["客户名称,身份证号,同意日期"]
    lines += [f"王五,{resident_id(1)},2023-05-06", f"赵六,{resident_id(2)},"]
    path.write_text("\n".join(lines), encoding="utf-8")
    ledger, mapping = mapped_ledger(archivist, clock, path, "customers")
    summary = import_rows(archivist, clock, "customers", ledger, mapping)
    assert summary.imported == 2 and [o.errors for o in summary.outcomes] == [[], []]
    with archivist.store.new_session() as s:
        dated = s.scalars(select(Customer).where(Customer.consent_date.is_not(None))).one()
        assert dated.consent_purpose == "合同履行、客户服务"
        consent = s.scalars(
            select(CustomerConsent).where(CustomerConsent.customer_id == dated.id)
        ).one()
        purposes = s.scalars(
            select(ConsentPurpose.purpose).where(ConsentPurpose.consent_id == consent.id)
        ).all()
        assert sorted(purposes) == sorted(["合同履行", "客户服务"])
        assert s.scalar(select(func.count()).select_from(Customer)) == 2


def test_a_utf8_csv_with_a_bom_is_read_as_utf8(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes("\ufeff客户名称,身份证号\n张三,110105194912310021\n".encode())
    assert detect_encoding(path.read_bytes()) == "utf-8-sig"
    sheet = read_sheet(path)
    assert sheet.rows[0] == ("客户名称", "身份证号")


def test_all_or_nothing_with_one_bad_row_imports_nothing(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    rows = customer_rows(5)
    rows.append([6, "孙错号", "个人", with_bad_check(resident_id(99)), mobile(99)])
    path = write_customer_xlsx(tmp_path / "l.xlsx", rows)
    with pytest.raises(ImportHasRejections) as caught:
        _import(archivist, clock, path, "customers", MODE_ALL)
    assert caught.value.params == {"rejected": 1}
    with archivist.store.new_session() as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == 0
        assert s.scalar(select(func.count()).select_from(ImportBatch)) == 0
    assert archivist.store.vault.count() == 0  # no key made for nothing


def test_undo_removes_the_whole_import_and_destroys_the_keys(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    register_customer(session=archivist, draft=person(), clock=clock)
    rows = customer_rows(6)
    rows.append([7, "冯共用", "个人", resident_id(77), "138 1234 5678"])  # the existing phone
    _ledger, summary = _import(
        archivist, clock, write_customer_xlsx(tmp_path / "l.xlsx", rows), "customers", MODE_ALL
    )
    assert summary.imported == 7 and summary.flagged == 1
    assert archivist.store.vault.count() == 8
    assert summary.batch_id is not None
    imports.undo_import(session=archivist, batch_id=summary.batch_id, clock=clock)
    with archivist.store.new_session() as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == 1
        assert s.scalar(select(func.count()).select_from(DuplicateFlag)) == 0
        remaining = s.scalars(select(Customer)).one()
        assert remaining.suspected_duplicate is False  # its partner left with the import
        actions = list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-2:] == ["import.customers", "import.customers.undo"]
    assert archivist.store.vault.count() == 1
    assert search_customers(session=archivist, query="冯共用", clock=clock).total == 0
    with pytest.raises(ImportUndoRefused) as again:
        imports.undo_import(session=archivist, batch_id=summary.batch_id, clock=clock)
    assert again.value.params == {"reason": "undone"}
    # the same ledger imports again cleanly after the undo
    _ledger, second = _import(
        archivist, clock, write_customer_xlsx(tmp_path / "l.xlsx", rows), "customers", MODE_ALL
    )
    assert second.imported == 7


def test_undo_is_refused_once_an_imported_customer_was_changed(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    path = write_customer_xlsx(tmp_path / "l.xlsx", customer_rows(3))
    _ledger, summary = _import(archivist, clock, path, "customers", MODE_ALL)
    cid = find_customer_by_id_number(session=archivist, id_number=resident_id(1), clock=clock)
    assert cid is not None and summary.batch_id is not None
    detail = get_customer(session=archivist, customer_id=cid, clock=clock)
    change_customer_status(
        session=archivist,
        customer_id=cid,
        status="lost",
        note="客户注销",
        expected_version=detail.version,
        clock=clock,
    )
    with pytest.raises(ImportUndoRefused) as caught:
        imports.undo_import(session=archivist, batch_id=summary.batch_id, clock=clock)
    assert caught.value.params == {"reason": "changed"}
    with archivist.store.new_session() as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == 3


def test_undo_of_volumes_is_refused_after_an_item_was_added(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    from app.services.catalogue import ItemDraft, add_item

    owner = register_customer(session=archivist, draft=person(), clock=clock)
    path = tmp_path / "v.csv"
    path.write_text(
        f"客户编号,案卷题名,年度,保管期限,题名\n{owner.number},卷一,2020,永久,合同\n"
        f"{owner.number},卷二,2021,永久,协议\n",
        encoding="utf-8",
    )
    _ledger, summary = _import(archivist, clock, path, "volumes", MODE_ALL)
    assert summary.details == {"volumes": 2, "items": 2} and summary.batch_id is not None
    listed = search_catalogue(session=archivist, query="", clock=clock)
    volume_id = next(v.id for v in listed if v.title == "卷一")
    add_item(session=archivist, volume_id=volume_id, draft=ItemDraft(title="补充"), clock=clock)
    with pytest.raises(ImportUndoRefused):
        imports.undo_import(session=archivist, batch_id=summary.batch_id, clock=clock)
    assert len(search_catalogue(session=archivist, query="", clock=clock)) == 2


def test_the_mapping_is_remembered_for_the_same_header_set(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    path = write_customer_xlsx(tmp_path / "l.xlsx", customer_rows(2))
    ledger = imports.load_ledger(path, kind="customers")
    guessed, remembered = imports.guess_columns(
        session=archivist, kind="customers", ledger=ledger, clock=clock
    )
    assert not remembered and guessed[3] == "id_number" and guessed[5] == "phone2"
    changed = {k: v for k, v in guessed.items() if v != "address"}  # 地址 not imported
    import_rows(archivist, clock, "customers", ledger, changed, mode=MODE_ALL)
    again, remembered = imports.guess_columns(
        session=archivist, kind="customers", ledger=ledger, clock=clock
    )
    assert remembered and again == changed


def test_a_mapping_without_a_required_column_is_refused(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    ledger = imports.load_ledger(
        write_customer_xlsx(tmp_path / "l.xlsx", customer_rows(1)), kind="customers"
    )
    with pytest.raises(ValidationFailed) as caught:
        imports.check_ledger(
            session=archivist,
            kind="customers",
            ledger=ledger,
            mapping={3: "id_number"},
            clock=clock,
        )
    assert [e.field for e in caught.value.errors] == ["name"]


def test_rejected_rows_export_keeps_the_rows_and_gives_reasons(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    ledger, summary = _import(
        archivist, clock, messy_customer_ledger(tmp_path / "l.xlsx"), "customers", MODE_VALID
    )
    data = imports.rejected_rows_xlsx(
        session=archivist, kind="customers", ledger=ledger, outcomes=summary.outcomes, clock=clock
    )
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert str(rows[0][0]).startswith("内部 · 含个人信息")
    assert rows[1][:3] == ("原行号", "未导入原因", "序号")
    assert [r[0] for r in rows[2:]] == [17, 18, 19]
    assert "校验位不正确" in rows[2][1] and rows[2][3] == "孙错号"
    with archivist.store.new_session() as s:
        assert (
            s.scalar(
                select(func.count()).where(AuditEntry.action == "export.import_rejected.customers")
            )
            == 1
        )


# --- limits, formats --------------------------------------------------------------------------
def _zip_bomb(path: Path, megabytes: int = 40) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook><sheets/></workbook>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            zeros = b"0" * (1 << 20)
            for _ in range(megabytes):
                member.write(zeros)
    return path


def test_a_zip_bomb_is_refused_before_anything_is_decompressed(tmp_path: Path) -> None:
    bomb = _zip_bomb(tmp_path / "bomb.xlsx")
    assert bomb.stat().st_size < 1024 * 1024
    with pytest.raises(ImportTooLarge) as caught:
        imports.load_ledger(bomb, kind="customers")
    assert caught.value.params["what"] == "ratio"
    with pytest.raises(ImportTooLarge) as caught:
        imports.load_ledger(
            bomb,
            kind="customers",
            limits=ImportLimits(max_ratio=10**6, max_uncompressed_bytes=10**7),
        )
    assert caught.value.params["what"] == "uncompressed"


def test_a_huge_sheet_is_refused_by_its_dimension_and_while_streaming(tmp_path: Path) -> None:
    path = write_customer_xlsx(tmp_path / "l.xlsx", customer_rows(300))
    with pytest.raises(ImportTooLarge) as caught:
        imports.load_ledger(path, kind="customers", limits=ImportLimits(max_rows=100))
    assert caught.value.params == {"what": "rows", "limit": 100}
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{i}" for i in range(300)) + "\n", encoding="utf-8")
    with pytest.raises(ImportTooLarge) as caught:
        imports.load_ledger(wide, kind="customers", limits=ImportLimits(max_columns=200))
    assert caught.value.params["what"] == "columns"
    long = tmp_path / "long.csv"
    long.write_text("客户名称\n" + "张三\n" * 400, encoding="utf-8")
    with pytest.raises(ImportTooLarge):
        imports.load_ledger(long, kind="customers", limits=ImportLimits(max_rows=100))


def test_damaged_old_workbooks_and_other_formats_are_refused_with_what_to_do(
    tmp_path: Path,
) -> None:
    from app.errors import ImportFileUnreadable
    from app.messages import describe

    for suffix in (".xls", ".et"):
        path = tmp_path / f"old{suffix}"
        path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
        with pytest.raises(ImportFileUnreadable) as unreadable:
            imports.load_ledger(path, kind="customers")
        assert "另存为 .xlsx" in describe(unreadable.value)
    other = tmp_path / "ledger.numbers"
    other.write_bytes(b"x")
    with pytest.raises(ImportFormatUnsupported) as caught:
        imports.load_ledger(other, kind="customers")
    assert "另存为”.xlsx" in describe(caught.value)


def test_an_old_xls_ledger_with_a_merged_header_is_imported(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("客户台账")
    sheet.write_merge(0, 0, 0, 4, "客户台账（旧系统导出）")
    sheet.write_merge(1, 2, 0, 0, "客户名称")
    sheet.write_merge(1, 2, 1, 1, "身份证号")
    sheet.write_merge(1, 1, 2, 3, "联系方式")
    sheet.write(2, 2, "手机")
    sheet.write(2, 3, "固定电话")
    sheet.write_merge(1, 2, 4, 4, "同意日期")
    sheet.write(3, 0, "王五 ")
    sheet.write(3, 1, resident_id(31))
    sheet.write(3, 2, float(mobile(31)))  # typed as a number in the old system
    sheet.write(3, 4, 45292)  # an Excel serial date
    sheet.write(4, 0, "赵六")
    sheet.write(4, 1, with_bad_check(resident_id(32)))
    path = tmp_path / "旧台账.xls"
    book.save(str(path))
    ledger = imports.load_ledger(path, kind="customers")
    assert ledger.header.names == (
        "客户名称",
        "身份证号",
        "联系方式/手机",
        "联系方式/固定电话",
        "同意日期",
    )
    mapping, _ = imports.guess_columns(
        session=archivist, kind="customers", ledger=ledger, clock=clock
    )
    assert mapping == {0: "name", 1: "id_number", 2: "phone", 3: "phone2", 4: "consent_date"}
    mapping.pop(4)  # a consent date needs its purpose: not imported from this ledger
    summary = import_rows(archivist, clock, "customers", ledger, mapping)
    assert (summary.imported, summary.rejected) == (1, 1)
    assert _reasons(summary) == {5: {"checksum"}}
    wps = tmp_path / "旧台账.et"  # WPS 表格 keeps the same binary layout
    wps.write_bytes(path.read_bytes())
    assert imports.load_ledger(wps, kind="customers").header.names == ledger.header.names


def test_a_damaged_workbook_is_refused_cleanly(tmp_path: Path) -> None:
    from app.errors import ImportFileUnreadable

    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ImportFileUnreadable):
        imports.load_ledger(path, kind="customers")


# --- cells -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (45292, date(2024, 1, 1)),
        (45292.75, date(2024, 1, 1)),
        ("45292", date(2024, 1, 1)),
        ("2024-1-1", date(2024, 1, 1)),
        ("２０２４年１月１日", date(2024, 1, 1)),
        ("2024.01.01", date(2024, 1, 1)),
        ("20240101", date(2024, 1, 1)),
        (datetime(2024, 1, 1, 8, 30), date(2024, 1, 1)),
        (" ", None),
    ],
)
def test_dates_are_read_as_text_or_excel_serials(value: object, expected: date | None) -> None:
    assert cells.as_date(value) == (expected, None)  # type: ignore[arg-type]


def test_unreadable_dates_and_numbers_give_a_reason() -> None:
    assert cells.as_date("2024-13-01") == (None, "date_format")
    assert cells.as_date("上周") == (None, "date_format")
    assert cells.as_int("12a") == (None, "number_format")
    assert cells.as_year("2020年度") == (2020, None)
    assert cells.text(1.10105194912e17) == "110105194912000000"  # an ID typed as a number


CELL = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
    st.sampled_from(["", " ", "１３８１２３４５６７８", "11010519491231002X", "机密★20年", "1-3"]),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=st.lists(st.lists(CELL, min_size=0, max_size=12), min_size=1, max_size=8))
def test_fuzzed_cells_never_crash_the_importer(
    archivist: SignedIn, clock: FixedClock, rows: list[list[object]]
) -> None:
    for kind in ("customers", "volumes"):
        ledger, mapping = fields_ledger(kind, rows, columns=12)  # rows are 12 cells at most
        result = imports.check_ledger(
            session=archivist, kind=kind, ledger=ledger, mapping=mapping, clock=clock
        )
        assert len(result.outcomes) <= len(rows)
        for outcome in result.outcomes:
            imports.describe_outcome(outcome)
            imports.preview_cells(kind, ledger, mapping, outcome.row - 1)


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".xlsx", ".csv"]))
def test_fuzzed_files_are_read_or_refused_with_a_typed_error(data: bytes, suffix: str) -> None:
    import tempfile

    from app.errors import AppError

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        prefix = b"PK\x03\x04" if suffix == ".xlsx" and data[:1] == b"P" else b""
        path.write_bytes(prefix + data)
        try:
            ledger = imports.load_ledger(path, kind="customers")
        except AppError:
            return
        assert ledger.header.data_start >= 1


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=st.lists(st.lists(st.text(max_size=12), max_size=6), max_size=6))
def test_fuzzed_csv_ledgers_are_checked_or_refused_with_a_typed_error(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path, body: list[list[str]]
) -> None:
    from app.errors import AppError

    text = io.StringIO()
    csv.writer(text).writerows([["客户名称", "身份证号", "联系电话", "出生日期"], *body])
    path = tmp_path / "fuzz.csv"
    path.write_bytes(text.getvalue().encode("gb18030", errors="replace"))
    try:
        ledger, mapping = mapped_ledger(archivist, clock, path, "customers")
        result = imports.check_ledger(
            session=archivist, kind="customers", ledger=ledger, mapping=mapping, clock=clock
        )
    except AppError:
        return
    assert all(imports.describe_outcome(o) or o.ok for o in result.outcomes)


def test_volumes_find_their_customer_by_id_number_or_a_unique_name(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    register_customer(session=archivist, draft=person(), clock=clock)
    two_namesakes(archivist, clock, "李四")  # a name alone is ambiguous
    path = tmp_path / "v.csv"
    path.write_text(
        "身份证号,客户名称,案卷题名,年度,保管期限,题名,密级,保密期限\n"
        f"{full_width('11010519491231002X')},,卷甲,2020,永久,合同,绝密,\n"
        ",张三丰,卷乙,2021,10年,协议,机密★10年,\n"
        ",李四,卷丙,2021,永久,函件,,\n"
        ",王无名,卷丁,2021,永久,函件,,\n"
        f"{resident_id(2)},,卷戊,2022,永久,声明,秘密,5\n",
        encoding="utf-8",
    )
    _ledger, summary = _import(archivist, clock, path, "volumes", MODE_VALID)
    assert (summary.imported, summary.rejected) == (5, 0)  # 李四 (two) and 王无名: unlinked
    warned = {o.row: {w.reason for w in o.warnings} for o in summary.outcomes if o.warnings}
    assert warned == {4: {"unlinked_ambiguous"}, 5: {"unlinked_not_found"}}
    listed = {v.title: v for v in search_catalogue(session=archivist, query="", clock=clock)}
    assert listed["卷甲"].secrecy == "绝密★30年"
    assert listed["卷乙"].secrecy == "机密★10年" and listed["卷乙"].retention == "定期10年"
    assert listed["卷戊"].secrecy == "秘密"


class CancelAfterWriting:
    """A progress sink whose operator presses 取消 once every row has been written.

    The check reports every thousand rows (0, 1000, 2000); (2500, 2500) is the writer's. The keys
    are committed to the vault after the last chunk, before the import's own commit; the
    cancellation comes then, and they are destroyed again (``destroyed``: how many).
    """

    def __init__(self, vault: Any) -> None:
        self.reports: list[tuple[int, int]] = []
        self.cancelled = False
        self.destroyed: list[int] = []
        real = vault.destroy

        def destroy(key_ids: Any) -> Any:
            self.destroyed.append(len(key_ids))
            return real(key_ids)

        vault.destroy = destroy

    def report(self, done: int, total: int) -> None:
        self.reports.append((done, total))
        self.cancelled = (2500, 2500) in self.reports

    def is_cancelled(self) -> bool:
        return self.cancelled


def test_a_cancelled_import_leaves_no_row_and_no_key(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    from app.errors import ImportCancelled

    path = tmp_path / "c.csv"
    lines = ["客户名称,身份证号,联系电话"]
    lines += [f"客户{n},{resident_id(n)},{mobile(n)}" for n in range(2500)]
    path.write_text("\n".join(lines), encoding="utf-8")
    ledger, mapping = mapped_ledger(archivist, clock, path, "customers")
    sink = CancelAfterWriting(archivist.store.vault)
    with pytest.raises(ImportCancelled):
        import_rows(archivist, clock, "customers", ledger, mapping, mode=MODE_ALL, progress=sink)
    assert sink.destroyed == [2500]  # the keys were committed to the vault, then destroyed
    assert archivist.store.vault.count() == 0
    with archivist.store.new_session() as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == 0
        assert s.scalar(select(func.count()).select_from(ImportBatch)) == 0
