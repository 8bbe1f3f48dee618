"""Importing volumes with their 存放位置: the same secure-custody rule as placing by hand (R22)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from app.clock import FixedClock
from app.services import imports
from app.services import locations as L
from app.services.auth import SignedIn
from app.services.customers import register_customer
from tests.factories import person
from tests.import_helpers import import_rows, mapped_ledger
from tests.integration.test_locations import place_id, safe, shelf


def _ledger(tmp_path: Path, rows: list[list[str]]) -> Path:
    header = ["档号", "客户编号", "案卷题名", "年度", "保管期限", "题名", "密级", "存放位置"]
    text = io.StringIO()
    csv.writer(text).writerows([header, *rows])
    path = tmp_path / "案卷台账.csv"
    path.write_text(text.getvalue(), encoding="utf-8")
    return path


def _run(session: SignedIn, clock: FixedClock, path: Path) -> imports.ImportSummary:
    ledger, mapping = mapped_ledger(session, clock, path, "volumes")
    assert "location" in mapping.values()
    return import_rows(session, clock, "volumes", ledger, mapping)


def test_imported_volumes_go_to_their_places_and_classified_ones_only_into_safes(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    shelf(archivist, clock, columns="1", faces="A", sections="1", layers="1-2", capacity=1)
    safe(archivist, clock, custodian=archivist.actor.user_id)
    number = register_customer(session=archivist, draft=person(), clock=clock).number
    rows = [
        [
            "Z001-KH·2020-Y-0001",
            number,
            "2020年度档案",
            "2020",
            "永久",
            "登记表",
            "",
            "k1-01-a-1-1",
        ],
        [
            "Z001-KH·2020-Y-0002",
            number,
            "2020年度授信",
            "2020",
            "永久",
            "授信合同",
            "机密",
            "K1-01-A-1-2",
        ],
        [
            "Z001-KH·2020-Y-0003",
            number,
            "2020年度授信二",
            "2020",
            "永久",
            "授信合同",
            "机密",
            "K1-G1-1-1",
        ],
        ["Z001-KH·2020-Y-0004", number, "2020年度补充", "2020", "永久", "补充协议", "", "K9-99"],
        [
            "Z001-KH·2020-Y-0005",
            number,
            "2020年度补充二",
            "2020",
            "永久",
            "补充协议",
            "",
            "K1-01-A-1-1",
        ],
        [
            "Z001-KH·2020-Y-0006",
            number,
            "2020年度补充三",
            "2020",
            "永久",
            "补充协议",
            "",
            "K1-01-A",
        ],
    ]
    summary = _run(archivist, clock, _ledger(tmp_path, rows))
    reasons = {o.row: [(e.field, e.reason) for e in o.errors] for o in summary.outcomes if not o.ok}
    assert reasons == {
        3: [("location", "secure_required")],  # 机密 onto an ordinary shelf: refused (R22)
        6: [("location", "full")],  # the first row took the only place there
        7: [("location", "not_slot")],  # a face, not a 层
    }
    warned = {o.row: [(w.field, w.reason) for w in o.warnings] for o in summary.outcomes}
    assert warned[5] == [("location", "place_unparsed")]  # K9-99: imported unplaced
    assert summary.imported == 3
    placed = {
        w.reference_code: w.location_code
        for w in (
            L.where_is_volume(session=archivist, volume_id=vid, clock=clock)
            for vid in range(1, 20)
            if _exists(archivist, clock, vid)
        )
    }
    assert placed == {
        "Z001-KH·2020-Y-0001": "K1-01-A-1-1",
        "Z001-KH·2020-Y-0003": "K1-G1-1-1",
        "Z001-KH·2020-Y-0004": "",  # unplaced, 存放位置 kept in its 备注栏
    }
    history = L.location_history(
        session=archivist, location_id=place_id(archivist, clock, "K1-G1-1-1"), clock=clock
    )
    assert [(h.label, h.reason) for h in history] == [("Z001-KH·2020-Y-0003", "上架")]
    assert L.list_must_move(session=archivist, clock=clock) == []
    # undo takes the volumes out of their places again
    assert summary.batch_id is not None
    imports.undo_import(session=archivist, batch_id=summary.batch_id, clock=clock)
    assert (
        L.location_history(
            session=archivist, location_id=place_id(archivist, clock, "K1-G1-1-1"), clock=clock
        )
        == []
    )


def _exists(session: SignedIn, clock: FixedClock, volume_id: int) -> bool:
    from app.storage.models import Volume

    with session.uow(clock) as uow:
        return uow.session.get(Volume, volume_id) is not None


def test_an_import_whose_volume_was_moved_since_cannot_be_undone(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    import pytest

    from app.services.imports import ImportUndoRefused

    shelf(archivist, clock, columns="1", faces="A", sections="1", layers="1-2", capacity=2)
    number = register_customer(session=archivist, draft=person(), clock=clock).number
    rows = [
        ["Z001-KH·2020-Y-0001", number, "2020年度档案", "2020", "永久", "登记表", "", "K1-01-A-1-1"]
    ]
    summary = _run(archivist, clock, _ledger(tmp_path, rows))
    assert summary.imported == 1 and summary.batch_id is not None
    [vid] = [v for v in range(1, 10) if _exists(archivist, clock, v)]
    L.put_volume(
        session=archivist,
        volume_id=vid,
        location_id=place_id(archivist, clock, "K1-01-A-1-2"),
        clock=clock,
    )
    with pytest.raises(ImportUndoRefused):
        imports.undo_import(session=archivist, batch_id=summary.batch_id, clock=clock)
    assert (
        L.where_is_volume(session=archivist, volume_id=vid, clock=clock).location_code
        == "K1-01-A-1-2"
    )
