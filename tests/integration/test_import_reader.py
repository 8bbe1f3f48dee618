"""Issue 16, reading: every row really in the sheet read (whatever it declares), footers
skipped and listed, counts that add up, each row checked once."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from app.clock import FixedClock
from app.errors import ImportSheetEmpty, ImportTooLarge
from app.imports.sheet import ImportLimits
from app.imports.xlsx import _merges, _read_openpyxl
from app.messages import describe
from app.services import imports
from app.services.auth import SignedIn
from app.services.customers import find_customer_by_id_number, register_customer, reveal_customer
from tests.factories import person
from tests.import_helpers import import_rows
from tests.ledgers import customer_rows, mobile, write_customer_xlsx

MODE_VALID = imports.ImportMode.VALID_ROWS


def _declare(path: Path, ref: str) -> Path:
    """Rewrite the sheet's ``<dimension>`` (as scripts and other tools leave it wrong)."""
    out = path.with_name("declared-" + path.name)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                new = f'<dimension ref="{ref}"/>'.encode()
                data, n = re.subn(rb'<dimension ref="[^"]*"\s*/>', new, data)
                assert n == 1
            dst.writestr(info.filename, data)
    return out


def _mapped(session: SignedIn, clock: FixedClock, ledger: imports.Ledger) -> dict[int, str]:
    mapping, _ = imports.guess_columns(
        session=session, kind="customers", ledger=ledger, clock=clock
    )
    return mapping


def test_a_sheet_declaring_fewer_rows_and_columns_is_read_whole_and_says_so(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    written = write_customer_xlsx(tmp_path / "l.xlsx", customer_rows(40))
    # 3 title/header rows + 40 data rows, 8 columns (A–H); the file claims A1:C5
    path = _declare(written, "A1:C5")
    ledger = imports.load_ledger(path, kind="customers")
    assert ledger.data_rows == 40 and ledger.read_rows == 40
    assert max(len(r) for r in ledger.sheet.rows) == 8
    notes = [(n.reason, n.params) for n in imports.read_notes(ledger)]
    assert notes == [("size_declared", {"declared": "A1:C5", "real": "A1:H43"})]
    assert "A1:C5" in imports.describe_note(imports.read_notes(ledger)[0])
    summary = import_rows(archivist, clock, "customers", ledger, _mapped(archivist, clock, ledger))
    assert (summary.read, summary.imported, summary.rejected) == (40, 40, 0)
    # the columns beyond the declared C (phone, address) were imported too
    last = customer_rows(40)[-1]
    cid = find_customer_by_id_number(session=archivist, id_number=str(last[3]), clock=clock)
    assert cid is not None
    detail = reveal_customer(session=archivist, customer_id=cid, purpose="核对导入", clock=clock)
    assert detail.phones and detail.phones[0] == f"+86{last[4]}"
    assert detail.addresses == (str(last[6]),)


def test_the_row_limit_counts_real_rows_not_the_declared_ones(tmp_path: Path) -> None:
    path = _declare(write_customer_xlsx(tmp_path / "l.xlsx", customer_rows(300)), "A1:H5")
    with pytest.raises(ImportTooLarge) as caught:
        imports.load_ledger(path, kind="customers", limits=ImportLimits(max_rows=100))
    assert caught.value.params == {"what": "rows", "limit": 100}
    wide = _declare(write_customer_xlsx(tmp_path / "w.xlsx", [["x"] * 250]), "A1:B2")
    with pytest.raises(ImportTooLarge) as caught:
        imports.load_ledger(wide, kind="customers", limits=ImportLimits(max_columns=200))
    assert caught.value.params["what"] == "columns"


def test_the_openpyxl_fallback_ignores_the_declared_size_too(tmp_path: Path) -> None:
    path = _declare(write_customer_xlsx(tmp_path / "l.xlsx", customer_rows(25)), "A1:B3")
    with zipfile.ZipFile(path) as archive:
        merges = _merges(archive, "xl/worksheets/sheet1.xml")
    sheet = _read_openpyxl(path, "客户台账", merges, ImportLimits(), None)
    assert len(sheet.rows) == 28 and max(len(r) for r in sheet.rows) == 8
    assert sheet.rows[1][4] == sheet.rows[1][5] == "联系方式"  # merged header filled


def test_an_empty_sheet_says_it_is_empty(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.save(tmp_path / "empty.xlsx")
    with pytest.raises(ImportSheetEmpty) as caught:
        imports.load_ledger(tmp_path / "empty.xlsx", kind="customers")
    assert "是空的" in describe(caught.value)


def _footer_ledger(path: Path) -> Path:
    rows = customer_rows(6)
    rows.insert(3, [None, "小计", None, None, None, None, None, None])
    rows.insert(4, ["序号", "客户名称", "客户性质", "身份证号", "联系方式", None, "地址", "状态"])
    rows.insert(5, [None, None, None, None, "手机", "固定电话", None, None])
    rows.append([])
    rows.append(["合计", None, None, None, None, None, None, "6 户"])
    rows.append(["共 6 户"])
    rows.append(["制表人：王五", None, None, None, "制表日期：2024-03-01"])
    rows.append(["注：本表含个人信息，严禁外传"])
    return write_customer_xlsx(path, rows)


def test_footers_subtotals_and_repeated_headers_are_skipped_and_listed(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    ledger = imports.load_ledger(_footer_ledger(tmp_path / "f.xlsx"), kind="customers")
    # title row 1, header rows 2–3, data from row 4; rows 7–9 are inserted, 13 is blank
    skipped = [(s.row, s.reason) for s in ledger.skipped]
    assert skipped == [
        (7, "total"),
        (8, "header_again"),
        (9, "header_again"),
        (14, "total"),
        (15, "total"),
        (16, "sign_off"),
        (17, "sign_off"),
    ]
    assert ledger.data_rows == 6 and ledger.read_rows == 13
    mapping = _mapped(archivist, clock, ledger)
    checked = imports.check_ledger(
        session=archivist, kind="customers", ledger=ledger, mapping=mapping, clock=clock
    )
    assert (checked.read, checked.valid, checked.rejected, len(checked.skipped)) == (13, 6, 0, 7)
    assert imports.describe_skipped(checked.skipped[-1]).startswith("制表人")
    summary = import_rows(
        archivist,
        clock,
        "customers",
        ledger,
        mapping,
        mode=imports.ImportMode.ALL_OR_NOTHING,
        checked=checked,
    )
    assert summary.rechecked_only
    assert summary.read == summary.imported + summary.rejected + len(summary.skipped) == 13
    assert summary.imported == 6


def test_a_customer_named_like_a_total_is_still_data(tmp_path: Path) -> None:
    rows = [[1, "合计达商贸有限公司", "单位", None, mobile(3), None, "杭州", "在册"]]
    rows.append([2, "小计", None, None, None, None, None, None])
    ledger = imports.load_ledger(write_customer_xlsx(tmp_path / "n.xlsx", rows), kind="customers")
    assert ledger.data_rows == 1 and [s.row for s in ledger.skipped] == [5]


def test_the_import_writes_the_preview_check_and_rechecks_only_uniqueness(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    rows = customer_rows(5)
    ledger = imports.load_ledger(write_customer_xlsx(tmp_path / "l.xlsx", rows), kind="customers")
    mapping = _mapped(archivist, clock, ledger)
    checked = imports.check_ledger(
        session=archivist, kind="customers", ledger=ledger, mapping=mapping, clock=clock
    )
    assert checked.valid == 5
    # between the preview and the import someone registers the customer of row 6 by hand
    register_customer(
        session=archivist,
        draft=person(name="手工登记", id_number=str(rows[2][3]), phones=(), bank_accounts=()),
        clock=clock,
    )
    summary = import_rows(archivist, clock, "customers", ledger, mapping, checked=checked)
    assert summary.rechecked_only and (summary.imported, summary.rejected) == (4, 1)
    assert [e.reason for o in summary.outcomes for e in o.errors] == ["duplicate_id"]
    assert checked.valid == 5  # the preview's own verdicts are left as they were
    # a quick preview (first rows only) or another mapping is never reused
    quick = imports.check_ledger(
        session=archivist, kind="customers", ledger=ledger, mapping=mapping, clock=clock, limit=2
    )
    assert not quick.complete
    again = import_rows(archivist, clock, "customers", ledger, mapping, checked=quick)
    assert not again.rechecked_only and again.imported == 0 and again.rejected == 5


def test_each_fault_has_its_own_reason_through_the_import(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    from tests.ledgers import resident_id

    good = resident_id(40)
    typo = good[:10] + "I" + good[11:]  # a person's number with a letter typed for a digit
    path = tmp_path / "faults.csv"
    lines = [
        "客户名称,身份证号,联系电话",
        f"字母错,{typo},{mobile(40)}",
        f"少一位,{good[:17]},{mobile(41)}",
        f"科学计数,{resident_id(42)},1.38001E+10",
        f"打星号,{resident_id(43)},138****1234",
        f"少位数,{resident_id(44)},1380013800",
        f"号段错,{resident_id(45)},12345678901",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ledger = imports.load_ledger(path, kind="customers")
    checked = imports.check_ledger(
        session=archivist,
        kind="customers",
        ledger=ledger,
        mapping=_mapped(archivist, clock, ledger),
        clock=clock,
    )
    reasons = {o.row: [(e.field, e.reason) for e in o.errors] for o in checked.outcomes}
    assert reasons == {
        2: [("id_number", "id_char")],
        3: [("id_number", "id_length")],
        4: [("phones.0", "phone_scientific")],
        5: [("phones.0", "phone_masked")],
        6: [("phones.0", "phone_too_short")],
        7: [("phones.0", "phone_prefix")],
    }
    first = imports.describe_outcome(checked.outcomes[0])
    assert "第 11 位“I”" in first and "统一社会信用代码" not in first
    assert "17 位" in imports.describe_outcome(checked.outcomes[1])
    assert "科学计数法" in imports.describe_outcome(checked.outcomes[2])
