"""存放位置 written as free text: read into the location tree, missing places made in one batch.

``3号库6列B面8节3层``, ``三号库房 第6列 B面 8节 3层`` and ``K3-6-B-8-3`` name the same 层;
a place the tree lacks is offered in one previewed batch, or the volume comes in unplaced
with the text kept in its 备注栏.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from app.clock import FixedClock
from app.domain import locations as loc
from app.services import imports
from app.services import locations as L
from app.services.auth import SignedIn
from app.services.imports.kinds.positions import parse_position, position_code
from app.storage.models import Volume
from tests.import_helpers import import_rows, mapped_ledger
from tests.integration.test_locations import shelf


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("3号库6列B面8节3层", "K3-06-B-8-3"),
        ("三号库房 第6列 B面 8节 3层", "K3-06-B-8-3"),
        ("K3-06-B-8-3", "K3-06-B-8-3"),
        ("k3-6-b-8-3", "K3-06-B-8-3"),
        ("库房3 6排 B面 8节 3层", "K3-06-B-8-3"),
        ("３号库６列Ｂ面８节３层", "K3-06-B-8-3"),
        ("第十二号库第十一列A面第二节第四层第1位", "K12-11-A-2-4-1"),
        ("2号库3号柜1节2层", "K2-G3-1-2"),
        ("楼下储藏间", None),
        ("3号库6列", None),  # no 节/层: not a place a volume stands in
    ],
)
def test_written_positions_are_read_into_codes(text: str, code: str | None) -> None:
    parsed = parse_position(text)
    found = (
        position_code(parsed, loc.DEFAULT_SHELF_PATTERN, loc.DEFAULT_CABINET_PATTERN)
        if parsed
        else None
    )
    assert found == code


def _ledger(tmp_path: Path, places: list[str]) -> Path:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["题名", "年度", "保管期限", "存放位置"])
    for n, place in enumerate(places, start=1):
        writer.writerow([f"案卷{n}", "2020", "永久", place])
    path = tmp_path / "案卷目录.csv"
    path.write_bytes(text.getvalue().encode("gb18030"))
    return path


def _load(
    session: SignedIn, clock: FixedClock, path: Path
) -> tuple[imports.Ledger, dict[int, str]]:
    return mapped_ledger(session, clock, path, "volumes")


def _placed(session: SignedIn, clock: FixedClock) -> dict[str, tuple[str, str]]:
    with session.uow(clock) as uow:
        volumes = [(v.id, v.title, v.index_remarks) for v in uow.session.query(Volume).all()]
    return {
        title: (
            L.where_is_volume(session=session, volume_id=vid, clock=clock).location_code,
            remarks,
        )
        for vid, title, remarks in volumes
    }


PLACES = [
    "1号库1列A面1节1层",  # exists
    "三号库房 第6列 B面 8节 3层",  # missing
    "3号库6列B面8节3层",  # the same missing place, written otherwise
    "K3-06-B-8-2",  # missing, in code form
    "楼下储藏间",  # names no place
]


def test_missing_places_are_previewed_and_created_in_one_batch_then_the_volumes_placed(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    shelf(archivist, clock, columns="1", faces="A", sections="1", layers="1", capacity=2)
    ledger, mapping = _load(archivist, clock, _ledger(tmp_path, PLACES))
    checked = imports.check_ledger(
        session=archivist, kind="volumes", ledger=ledger, mapping=mapping, clock=clock
    )
    warned = {
        o.row: [(w.reason, w.params) for w in o.warnings if w.field == "location"]
        for o in checked.outcomes
    }
    assert warned == {
        2: [],
        3: [("place_missing", {"code": "K3-06-B-8-3"})],
        4: [("place_missing", {"code": "K3-06-B-8-3"})],
        5: [("place_missing", {"code": "K3-06-B-8-2"})],
        6: [("place_unparsed", {})],
    }

    plan = imports.plan_missing_places(
        session=archivist, ledger=ledger, mapping=mapping, clock=clock
    )
    assert sorted(plan.missing) == ["K3-06-B-8-2", "K3-06-B-8-3"]
    assert plan.unreadable == ["楼下储藏间"] and plan.volumes == 3
    assert [n.code for n in plan.new] == [
        "K3",
        "K3-M1",
        "K3-06",
        "K3-06-B",
        "K3-06-B-8",
        "K3-06-B-8-3",
        "K3-06-B-8-2",
    ]
    assert plan.counts == {"库房": 1, "密集架": 1, "列": 1, "面": 1, "节": 1, "层": 2}
    assert imports.create_missing_places(
        session=archivist, ledger=ledger, mapping=mapping, clock=clock
    ) == len(plan.new)
    again = imports.plan_missing_places(
        session=archivist, ledger=ledger, mapping=mapping, clock=clock
    )
    assert again.new == [] and again.missing == {}

    summary = import_rows(archivist, clock, "volumes", ledger, mapping)
    assert (summary.imported, summary.rejected) == (5, 0)
    assert _placed(archivist, clock) == {
        "案卷1": ("K1-01-A-1-1", ""),
        "案卷2": ("K3-06-B-8-3", ""),
        "案卷3": ("K3-06-B-8-3", ""),
        "案卷4": ("K3-06-B-8-2", ""),
        "案卷5": ("", "存放位置：楼下储藏间"),
    }


def test_without_the_batch_the_volumes_come_in_unplaced_with_the_text_in_remarks(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    ledger, mapping = _load(archivist, clock, _ledger(tmp_path, PLACES[1:3]))
    summary = import_rows(
        archivist, clock, "volumes", ledger, mapping, mode=imports.ImportMode.ALL_OR_NOTHING
    )  # warnings do not stop an all-or-nothing import
    assert summary.imported == 2
    assert _placed(archivist, clock) == {
        "案卷1": ("", "存放位置：三号库房 第6列 B面 8节 3层"),
        "案卷2": ("", "存放位置：3号库6列B面8节3层"),
    }
