"""Duplicates flagged, not dropped: the rows of one ID number, phone, account or 档号 together.

Within the file and against the database, the rows sharing a value form a group shown for a
decision: import one, import all with a note, or skip. Without a decision phones and accounts
come in flagged (R3), an ID number once (R3), a 档号 for its first volume.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import select

from app.clock import FixedClock
from app.services import imports
from app.services.auth import SignedIn
from app.services.customers import PhoneInput, register_customer
from app.storage.models import Customer, Volume
from tests.factories import person
from tests.import_helpers import import_rows, mapped_ledger
from tests.ledgers import resident_id

ONE, ALL, SKIP = imports.Decision.ONE, imports.Decision.ALL, imports.Decision.SKIP


def _csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    path.write_bytes(text.getvalue().encode(encoding))
    return path


def _load(
    session: SignedIn, clock: FixedClock, path: Path, kind: str
) -> tuple[imports.Ledger, dict[int, str]]:
    return mapped_ledger(session, clock, path, kind)


def _groups(
    result: imports.CheckResult,
) -> dict[tuple[str, tuple[int, ...]], imports.DuplicateGroup]:
    return {(g.what, tuple(g.rows)): g for g in result.duplicates}


def customer_ledger(tmp_path: Path) -> Path:
    return _csv(
        tmp_path / "客户.csv",
        [
            ["客户名称", "身份证号", "手机", "银行账号"],
            ["张一", resident_id(1), "13900000001", ""],  # row 2
            ["张一", resident_id(1), "13900000002", ""],  # row 3: same ID as row 2
            ["李二", resident_id(2), "13900000009", "6222020200000000001"],  # row 4
            ["王三", resident_id(3), "13900000009", ""],  # row 5: phone of row 4
            ["赵四", resident_id(4), "13800000000", ""],  # row 6: phone registered
            ["钱五", resident_id(5), "", "6222020200000000001"],  # row 7: account of row 4
            ["孙六", resident_id(9), "", ""],  # row 8: ID registered
        ],
    )


def test_customer_duplicates_are_grouped_and_flagged_by_default(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    registered = register_customer(
        session=archivist,
        draft=person(
            name="老客户", id_number=resident_id(9), phones=(PhoneInput("13800000000", "手机"),)
        ),
        clock=clock,
    )
    ledger, mapping = _load(archivist, clock, customer_ledger(tmp_path), "customers")
    checked = imports.check_ledger(
        session=archivist, kind="customers", ledger=ledger, mapping=mapping, clock=clock
    )
    groups = _groups(checked)
    assert set(groups) == {
        ("id_number", (2, 3)),
        ("id_number", (8,)),
        ("phone", (4, 5)),
        ("phone", (6,)),
        ("bank_account", (4, 7)),
    }
    assert groups[("id_number", (8,))].existing == [registered.number]
    assert not groups[("id_number", (2, 3))].allow_all  # R3: an ID number once
    assert all(":" in g.key and resident_id(1) not in g.key for g in checked.duplicates)
    by_row = {o.row: o for o in checked.outcomes}
    assert by_row[2].ok and imports.is_flagged(by_row[2])  # the first one is flagged too
    assert {e.reason for e in by_row[3].errors} == {"duplicate_in_file"}
    assert {e.reason for e in by_row[8].errors} == {"duplicate_id"}
    assert all(by_row[r].ok and imports.is_flagged(by_row[r]) for r in (4, 5, 6, 7))

    summary = import_rows(archivist, clock, "customers", ledger, mapping)
    assert (summary.imported, summary.rejected) == (5, 2)
    with archivist.uow(clock) as uow:
        flagged = dict(
            uow.session.execute(select(Customer.name, Customer.suspected_duplicate)).all()
        )
    assert flagged["李二"] and flagged["王三"] and flagged["赵四"] and flagged["钱五"]


def test_customer_duplicate_decisions_pick_one_keep_all_or_skip(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    register_customer(
        session=archivist,
        draft=person(
            name="老客户", id_number=resident_id(9), phones=(PhoneInput("13800000000", "手机"),)
        ),
        clock=clock,
    )
    ledger, mapping = _load(archivist, clock, customer_ledger(tmp_path), "customers")
    groups = _groups(
        imports.check_ledger(
            session=archivist, kind="customers", ledger=ledger, mapping=mapping, clock=clock
        )
    )
    decisions = {
        groups[("id_number", (2, 3))].key: imports.Choice(ONE, keep=3),  # the second row
        groups[("phone", (4, 5))].key: imports.Choice(ONE, keep=4),  # 王三 skipped
        groups[("bank_account", (4, 7))].key: imports.Choice(ALL),
        groups[("phone", (6,))].key: imports.Choice(SKIP),
        groups[("id_number", (8,))].key: imports.Choice(SKIP),
    }
    summary = import_rows(archivist, clock, "customers", ledger, mapping, decisions=decisions)
    by_row = {o.row: o for o in summary.outcomes}
    assert [r for r, o in by_row.items() if o.ok] == [3, 4, 7]
    assert all(imports.is_skipped(by_row[r]) for r in (2, 5, 6, 8))
    assert "kept_both" in {w.reason for w in by_row[7].warnings}
    with archivist.uow(clock) as uow:
        names = sorted(uow.session.scalars(select(Customer.name)))
    assert names == sorted(["老客户", "张一", "李二", "钱五"])


def volume_ledger(tmp_path: Path, number: str) -> Path:
    return _csv(
        tmp_path / "案卷.csv",
        [
            ["档号", "客户编号", "案卷题名", "年度", "保管期限", "题名"],
            ["Z001-KH·2020-Y-0001", number, "甲卷", "2020", "永久", "合同"],  # row 2
            ["Z001-KH·2020-Y-0001", number, "甲卷", "2020", "永久", "协议"],  # row 3: same volume
            ["Z001-KH·2020-Y-0001", number, "乙卷", "2021", "永久", "函件"],  # row 4: another one
            ["Z001-KH·2019-Y-0001", number, "丙卷", "2019", "永久", "旧合同"],  # row 5: registered
        ],
        encoding="gb18030",
    )


def _titles(session: SignedIn, clock: FixedClock) -> dict[str, tuple[str, str]]:
    with session.uow(clock) as uow:
        return {
            v.title: (v.reference_code, v.index_remarks)
            for v in uow.session.scalars(select(Volume))
        }


def _register_old_volume(session: SignedIn, clock: FixedClock, tmp_path: Path, number: str) -> None:
    old = _csv(
        tmp_path / "old.csv",
        [
            ["档号", "客户编号", "案卷题名", "年度", "保管期限"],
            ["Z001-KH·2019-Y-0001", number, "旧卷", "2019", "永久"],
        ],
    )
    ledger, mapping = _load(session, clock, old, "volumes")
    import_rows(session, clock, "volumes", ledger, mapping)


def _checked_beside_an_old_volume(
    session: SignedIn, clock: FixedClock, tmp_path: Path
) -> tuple[imports.Ledger, dict[int, str], imports.CheckResult]:
    """A customer with a volume Z001-KH·2019-Y-0001 already registered, and the volume ledger
    of theirs loaded and checked: the ledger, its mapping and the check."""
    number = register_customer(session=session, draft=person(), clock=clock).number
    _register_old_volume(session, clock, tmp_path, number)
    ledger, mapping = _load(session, clock, volume_ledger(tmp_path, number), "volumes")
    checked = imports.check_ledger(
        session=session, kind="volumes", ledger=ledger, mapping=mapping, clock=clock
    )
    return ledger, mapping, checked


def test_a_reference_code_twice_is_shown_and_both_volumes_kept_with_a_note(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    ledger, mapping, checked = _checked_beside_an_old_volume(archivist, clock, tmp_path)
    groups = _groups(checked)
    assert set(groups) == {("reference_code", (2, 4)), ("reference_code", (5,))}
    in_file, registered = groups[("reference_code", (2, 4))], groups[("reference_code", (5,))]
    assert in_file.shown == "Z001-KH·2020-Y-0001" and registered.existing == ["Z001-KH·2019-Y-0001"]
    assert checked.valid == 0  # by default: the check's refusals stand (whole volumes)
    summary = import_rows(
        archivist,
        clock,
        "volumes",
        ledger,
        mapping,
        decisions={in_file.key: imports.Choice(ALL), registered.key: imports.Choice(ALL)},
    )
    assert (summary.imported, summary.rejected) == (4, 0)
    found = _titles(archivist, clock)
    assert found["甲卷"] == ("Z001-KH·2020-Y-0001", "")
    assert found["乙卷"][0] != "Z001-KH·2020-Y-0001"  # issued from the pattern
    assert found["乙卷"][1] == "台账档号 Z001-KH·2020-Y-0001 在台账中重复，已另编档号"
    assert found["丙卷"][0] != "Z001-KH·2019-Y-0001"
    assert found["丙卷"][1] == "台账档号 Z001-KH·2019-Y-0001 已被占用，已另编档号"


def test_a_reference_code_twice_imports_the_chosen_volume_or_none(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    ledger, mapping, checked = _checked_beside_an_old_volume(archivist, clock, tmp_path)
    groups = _groups(checked)
    decisions = {
        groups[("reference_code", (2, 4))].key: imports.Choice(ONE, keep=4),
        groups[("reference_code", (5,))].key: imports.Choice(SKIP),
    }
    summary = import_rows(archivist, clock, "volumes", ledger, mapping, decisions=decisions)
    assert [o.row for o in summary.outcomes if o.ok] == [4]
    assert all(imports.is_skipped(o) for o in summary.outcomes if not o.ok)
    found = _titles(archivist, clock)
    assert found["乙卷"][0] == "Z001-KH·2020-Y-0001" and "甲卷" not in found
