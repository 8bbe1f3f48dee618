"""Volumes checked once: the import writes the preview's verdicts and looks again only at what
the database may have changed since (a 档号 registered in between refuses its whole volume).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import select

from app.clock import FixedClock
from app.services import imports
from app.services.auth import SignedIn
from app.services.customers import register_customer
from app.storage.models import Volume
from tests.factories import person
from tests.import_helpers import import_rows


def _csv(path: Path, rows: list[list[str]]) -> Path:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    path.write_bytes(text.getvalue().encode("utf-8"))
    return path


def _load(session: SignedIn, clock: FixedClock, path: Path) -> tuple[imports.Ledger, dict]:
    ledger = imports.load_ledger(path, kind="volumes")
    mapping, _ = imports.guess_columns(session=session, kind="volumes", ledger=ledger, clock=clock)
    return ledger, mapping


HEADER = ["档号", "客户编号", "案卷题名", "年度", "保管期限", "题名"]


def _previewed(
    session: SignedIn, clock: FixedClock, folder: Path, items: list[tuple[str, str, str]]
) -> tuple[str, imports.Ledger, dict, imports.CheckResult]:
    """A customer registered and a ledger of their 2020 permanent volumes, ``folder/案卷.csv``,
    checked (the preview).

    ``items``, one row each: (the 档号's last four digits, the volume's title, the item's title).
    Returns the customer's number, the ledger, its guessed columns and the check.
    """
    number = register_customer(session=session, draft=person(), clock=clock).number
    rows = [HEADER]
    rows += [[f"Z001-KH·2020-Y-{n}", number, vol, "2020", "永久", item] for n, vol, item in items]
    ledger, mapping = _load(session, clock, _csv(folder / "案卷.csv", rows))
    checked = imports.check_ledger(
        session=session, kind="volumes", ledger=ledger, mapping=mapping, clock=clock
    )
    return number, ledger, mapping, checked


def test_volumes_are_imported_from_the_preview_check_without_checking_rows_again(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    items = [("0001", "甲卷", "合同"), ("0001", "甲卷", "协议"), ("0002", "乙卷", "函件")]
    _number, ledger, mapping, checked = _previewed(archivist, clock, tmp_path, items)
    assert (checked.valid, checked.rejected) == (3, 0)
    summary = import_rows(archivist, clock, "volumes", ledger, mapping, checked=checked)
    assert summary.rechecked_only  # the rows' verdicts came from the preview
    assert (summary.imported, summary.rejected) == (3, 0)
    assert summary.details["volumes"] == 2 and summary.details["items"] == 3
    with archivist.uow(clock) as uow:
        codes = sorted(uow.session.scalars(select(Volume.reference_code)))
    assert codes == ["Z001-KH·2020-Y-0001", "Z001-KH·2020-Y-0002"]


def test_a_reference_code_registered_after_the_check_refuses_its_whole_volume(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    items = [
        ("0001", "甲卷", "合同"),  # row 2
        ("0002", "乙卷", "函件"),  # row 3
        ("0002", "乙卷", "协议"),  # row 4
    ]
    number, ledger, mapping, checked = _previewed(archivist, clock, tmp_path, items)
    assert checked.rejected == 0
    # meanwhile another ledger registers 乙卷's 档号
    other = _csv(
        tmp_path / "other.csv",
        [HEADER[:5], ["Z001-KH·2020-Y-0002", number, "别的卷", "2020", "永久"]],
    )
    first = import_rows(archivist, clock, "volumes", *_load(archivist, clock, other))
    assert first.imported == 1
    summary = import_rows(archivist, clock, "volumes", ledger, mapping, checked=checked)
    assert summary.rechecked_only
    assert [o.row for o in summary.outcomes if o.ok] == [2]
    refused = {o.row: [e.reason for e in o.errors] for o in summary.outcomes if not o.ok}
    assert refused == {3: ["code_taken"], 4: ["volume_rejected"]}
    assert checked.rejected == 0  # the preview's own verdicts are left as they were
    with archivist.uow(clock) as uow:
        titles = sorted(uow.session.scalars(select(Volume.title)))
    assert titles == ["别的卷", "甲卷"]
