"""A 借阅登记簿 (xlsx, or CSV in GB18030) imported: open loans out on day one, the rest history.

The register names volumes by 档号 typed with ``.``, ``-``, spaces or ``·``; open loans make
the volume 借出 (the move log says so) and count as overdue once due; returned ones are in
the history and the statistics. Unknown 档号, a return or due date before the loan, dates
that cannot be read and the same line twice are refused with their reason.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import openpyxl
from sqlalchemy import select

from app.clock import FixedClock
from app.imports.source import detect_encoding
from app.services import imports, loans
from app.services import locations as L
from app.services.auth import SignedIn
from app.services.customers import register_customer
from app.storage.models import Loan, UseApplication, Volume
from tests.factories import person
from tests.import_helpers import import_file, mapped_ledger

CODES = [f"Z001-KH·2025-Y-000{n}" for n in range(1, 6)]
HEADER = ["登记号", "档号", "借阅人", "借阅单位", "利用目的", "利用方式", "借出日期"]
HEADER += ["应还日期", "归还日期", "经办人", "备注"]


def make_volumes(session: SignedIn, clock: FixedClock, tmp_path: Path) -> None:
    number = register_customer(session=session, draft=person(), clock=clock).number
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["档号", "客户编号", "案卷题名", "年度", "保管期限"])
    for n, code in enumerate(CODES, start=1):
        writer.writerow([code, number, f"2025年度档案{n}", "2025", "永久"])
    path = tmp_path / "volumes.csv"
    path.write_text(text.getvalue(), encoding="utf-8")
    summary = run(session, clock, path, "volumes")
    assert summary.imported == len(CODES)


def run(session: SignedIn, clock: FixedClock, path: Path, kind: str) -> imports.ImportSummary:
    return import_file(session, clock, path, kind)


# returned: typed with dots
RETURNED_LINE: list[object] = [
    1,
    "Z001-KH.2025-Y-0001",
    "王五",
    "财务部",
    "核对合同",
    "借出",
    "2025-11-01",
    "2025-11-15",
    "2025-11-10",
    "陈经办",
    "",
]

REGISTER: list[list[object]] = [
    RETURNED_LINE,
    # open and overdue: typed with spaces
    [
        2,
        "Z001 KH 2025 Y 0002",
        "赵六",
        "法务部",
        "诉讼",
        "外借",
        "2025/12/01",
        "2025-12-20",
        "",
        "陈经办",
        "催还一次",
    ],
    # open, not yet due: typed with hyphens only
    [
        3,
        "z001-kh-2025-y-0003",
        "钱七",
        "客服部",
        "回访",
        "",
        "2026年1月2日",
        "2026-01-30",
        "",
        "",
        "",
    ],
    [4, "Z009-XX·1999-Y-0001", "孙八", "", "", "", "2025-10-01", "", "", "", ""],
    [5, CODES[3], "周九", "", "", "", "2025-10-10", "", "2025-10-01", "", ""],  # back before out
    [6, CODES[3], "吴十", "", "", "", "2025-10-10", "2025-10-05", "", "", ""],  # due before out
    [7, CODES[4], "郑一", "", "", "", "2025-13-45", "", "", "", ""],  # no such day
    [*RETURNED_LINE],  # the first line typed twice
    [9, CODES[1], "冯二", "", "", "", "2025-12-02", "", "", "", ""],  # 0002 is out in line 2
]


def check_register(
    session: SignedIn, clock: FixedClock, summary: imports.ImportSummary, first: int
) -> None:
    """``first``: the sheet row of the register's first line."""
    reasons = {o.row - first + 1: {(e.field, e.reason) for e in o.errors} for o in summary.outcomes}
    assert (summary.total, summary.imported, summary.rejected) == (9, 3, 6)
    assert {row: found for row, found in reasons.items() if found} == {
        4: {("reference_code", "volume_unknown")},
        5: {("returned_on", "before_loan")},
        6: {("due_on", "before_loan")},
        7: {("loaned_on", "date_format")},
        8: {("reference_code", "line_twice")},
        9: {("reference_code", "open_twice")},
    }
    assert summary.details == {"loans": 3, "open": 2, "returned": 1}
    with session.uow(clock) as uow:
        states = dict(uow.session.execute(select(Volume.reference_code, Volume.state)).all())
        register = uow.session.execute(
            select(
                Volume.reference_code, Loan.state, Loan.due_on, Loan.remarks, UseApplication.state
            )
            .join(Loan, Loan.volume_id == Volume.id)
            .join(UseApplication, UseApplication.id == Loan.application_id)
            .order_by(Loan.id)
        ).all()
    assert states == {
        CODES[0]: "on_shelf",
        CODES[1]: "on_loan",  # 借出
        CODES[2]: "on_loan",
        CODES[3]: "on_shelf",
        CODES[4]: "on_shelf",
    }
    assert [tuple(r) for r in register] == [
        (CODES[0], "returned", date(2025, 11, 15), "陈经办", "closed"),
        (CODES[1], "out", date(2025, 12, 20), "催还一次；陈经办", "approved"),
        (CODES[2], "out", date(2026, 1, 30), "", "approved"),
    ]
    assert loans.overdue_count(session=session, clock=clock) == 1
    overdue = loans.list_overdue(session=session, clock=clock)
    assert [o.reference_code for o in overdue] == [CODES[1]]
    stats = loans.use_statistics(
        session=session, clock=clock, date_from=date(2025, 1, 1), date_to=date(2026, 1, 5)
    )
    assert (stats.volume_times, stats.loans, stats.overdue_now) == (3, 3, 1)


def _volume_id(session: SignedIn, clock: FixedClock, code: str) -> int:
    with session.uow(clock) as uow:
        found = uow.session.scalar(select(Volume.id).where(Volume.reference_code == code))
    assert found is not None
    return found


def test_a_loan_register_workbook_brings_open_and_returned_loans(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    make_volumes(archivist, clock, tmp_path)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["借阅登记簿（2025年）"])
    sheet.append(HEADER)
    for row in REGISTER:
        sheet.append(row)
    path = tmp_path / "借阅登记簿.xlsx"
    book.save(path)
    _ledger, mapping = mapped_ledger(archivist, clock, path, "loans")
    assert set(mapping.values()) >= {"reference_code", "borrower", "loaned_on", "returned_on"}
    summary = run(archivist, clock, path, "loans")
    check_register(archivist, clock, summary, first=3)  # title row, header row
    moves = L.object_history(
        session=archivist,
        object_type="volume",
        object_id=_volume_id(archivist, clock, CODES[1]),
        clock=clock,
    )
    assert (moves[0].reason, moves[0].note) == ("借出", "导入借阅登记簿")  # newest first
    # undo: the loans are gone and the volumes back on the shelf
    assert summary.batch_id is not None
    imports.undo_import(session=archivist, batch_id=summary.batch_id, clock=clock)
    assert loans.overdue_count(session=archivist, clock=clock) == 0
    with archivist.uow(clock) as uow:
        assert set(uow.session.scalars(select(Volume.state))) == {"on_shelf"}
        assert uow.session.scalar(select(Loan.id)) is None


def test_an_old_xls_loan_register_is_imported_and_its_rejected_lines_exported(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    import xlwt

    make_volumes(archivist, clock, tmp_path)
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("借阅登记簿")
    for c, name in enumerate(HEADER):
        sheet.write(0, c, name)
    for r, row in enumerate(REGISTER, start=1):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    path = tmp_path / "借阅登记簿.xls"
    book.save(str(path))
    summary = run(archivist, clock, path, "loans")
    check_register(archivist, clock, summary, first=2)
    ledger = imports.load_ledger(path, kind="loans")
    data = imports.rejected_rows_xlsx(
        session=archivist, kind="loans", ledger=ledger, outcomes=summary.outcomes, clock=clock
    )
    rejected = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert len([r for r in rejected if r and r[0] in range(2, 12)]) == 6


def test_a_gb18030_loan_register_csv_is_read_and_imported(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    make_volumes(archivist, clock, tmp_path)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADER)
    writer.writerows(REGISTER)
    path = tmp_path / "借阅登记簿.csv"
    path.write_bytes(text.getvalue().encode("gb18030"))
    assert detect_encoding(path.read_bytes()) == "gb18030"
    check_register(archivist, clock, run(archivist, clock, path, "loans"), first=2)
