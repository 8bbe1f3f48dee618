"""Locations, boxes, placement, secure custody and moves on a real database (R20–R26)."""

from __future__ import annotations

import pytest

from app.clock import FixedClock
from app.domain.scan_codes import ScanKind, scan_payload
from app.errors import PermissionDenied, ValidationFailed
from app.services import locations as L
from app.services.auth import SignedIn
from app.services.catalogue import ItemDraft, VolumeDraft, add_item, create_volume
from app.services.customers import register_customer
from app.storage.models import AuditEntry, LocationMove
from tests.factories import potential


# --- helpers -------------------------------------------------------------------------------------
def shelf(s: SignedIn, clock: FixedClock, **kw: object) -> int:
    values: dict[str, object] = {
        "room": "K1",
        "columns": "1-2",
        "faces": "A/B",
        "sections": "1-2",
        "layers": "1-3",
        "capacity": 2,
    }
    values.update(kw)
    return L.create_location_batch(session=s, spec=L.BatchSpec(**values), clock=clock)  # type: ignore[arg-type]


def safe(s: SignedIn, clock: FixedClock, custodian: int, **kw: object) -> int:
    values: dict[str, object] = {
        "room": "K1",
        "unit": "cabinet",
        "cabinets": "1",
        "sections": "1",
        "layers": "1-2",
        "capacity": 2,
        "secure": True,
        "custodian_id": custodian,
    }
    values.update(kw)
    return L.create_location_batch(session=s, spec=L.BatchSpec(**values), clock=clock)  # type: ignore[arg-type]


def place_id(s: SignedIn, clock: FixedClock, code: str) -> int:
    with s.uow(clock) as uow:
        from sqlalchemy import select

        from app.storage.models import StorageLocation

        found = uow.session.scalar(select(StorageLocation.id).where(StorageLocation.code == code))
        assert found is not None, code
        return found


def volume(s: SignedIn, clock: FixedClock, level: str | None = None) -> int:
    draft = potential()
    cid = register_customer(session=s, draft=draft, clock=clock).customer_id
    vid = create_volume(
        session=s,
        draft=VolumeDraft(
            customer_id=cid, year=2024, title="张三丰2024年度客户档案", retention="Y"
        ),
        clock=clock,
    ).volume_id
    add_item(
        session=s,
        volume_id=vid,
        draft=ItemDraft(title="合同", page_from=1, page_to=4, secrecy_level=level),
        clock=clock,
    )
    return vid


def me(s: SignedIn) -> int:
    return s.actor.user_id


def box(s: SignedIn, clock: FixedClock, category: str = "KH") -> int:
    return L.create_box(session=s, draft=L.BoxDraft(category_code=category), clock=clock).id


def boxed_on_shelf(s: SignedIn, clock: FixedClock, *volume_ids: int) -> L.BoxRow:
    """Room K1 of one 节 with two 层, and a new box of the volumes placed on K1-01-A-1-2."""
    shelf(s, clock, columns="1", faces="A", sections="1", layers="1-2", capacity=6)
    saved = L.create_box(session=s, draft=L.BoxDraft(), clock=clock)
    for v in volume_ids:
        L.put_volume(session=s, volume_id=v, box_id=saved.id, clock=clock)
    place_at(s, clock, saved.id, "K1-01-A-1-2")
    return saved


def place_at(s: SignedIn, clock: FixedClock, box_id: int, code: str) -> L.MoveDone:
    """Place box ``box_id`` at the place with the code ``code``."""
    return L.place_box(session=s, box_id=box_id, location_id=place_id(s, clock, code), clock=clock)


def place_new_boxes(s: SignedIn, clock: FixedClock, count: int) -> list[str]:
    """Place ``count`` new boxes one by one at the next free place; their place codes."""
    return [L.place_box(session=s, box_id=box(s, clock), clock=clock).to_code for _ in range(count)]


def fill_order(s: SignedIn, clock: FixedClock, order: str) -> None:
    """Set the order places are filled in, keeping the code patterns."""
    settings = L.get_location_settings(session=s, clock=clock)
    L.set_location_settings(
        session=s,
        shelf_pattern=settings.shelf_pattern,
        cabinet_pattern=settings.cabinet_pattern,
        order=order,
        clock=clock,
    )


# --- batch creation and codes --------------------------------------------------------------------
def test_batch_creation_previews_then_creates_the_whole_tree(
    archivist: SignedIn, clock: FixedClock
) -> None:
    spec = L.BatchSpec(
        room="K1", columns="1-12", faces="A/B", sections="1-5", layers="1-6", capacity=6
    )
    plan = L.plan_location_batch(session=archivist, spec=spec, clock=clock)
    assert plan.ok
    assert plan.counts == {"库房": 1, "密集架": 1, "列": 12, "面": 24, "节": 120, "层": 720}
    assert plan.slots == 720 and plan.total_capacity == 720 * 6
    assert "K1-03-A-2-4" in {n.code for n in plan.new}
    assert L.create_location_batch(session=archivist, spec=spec, clock=clock) == 878
    # the same batch again: the room, shelf and columns would be reused, the faces are taken
    again = L.plan_location_batch(session=archivist, spec=spec, clock=clock)
    assert not again.ok and "K1-01-A" in again.conflicts and "K1" in again.reused
    with pytest.raises(ValidationFailed) as taken:
        L.create_location_batch(session=archivist, spec=spec, clock=clock)
    assert taken.value.errors[0].reason == "codes_taken"
    # more columns on the same shelf reuse the room and shelf
    more = L.BatchSpec(room="K1", columns="13", faces="A", sections="1", layers="1-2")
    assert L.create_location_batch(session=archivist, spec=more, clock=clock) == 5


def test_a_batch_with_bad_ranges_names_each_field(archivist: SignedIn, clock: FixedClock) -> None:
    spec = L.BatchSpec(room="库房一", columns="12-1", faces="C", sections="", layers="1-99")
    with pytest.raises(ValidationFailed) as bad:
        L.plan_location_batch(session=archivist, spec=spec, clock=clock)
    assert {e.field for e in bad.value.errors} == {"room", "columns", "faces", "sections", "layers"}


def test_a_secure_batch_needs_an_archivist_custodian(
    admin: SignedIn, archivist: SignedIn, clock: FixedClock
) -> None:
    with pytest.raises(ValidationFailed) as missing:
        safe(archivist, clock, custodian=None)  # type: ignore[arg-type]
    assert missing.value.errors[0].field == "custodian"
    with pytest.raises(ValidationFailed) as admin_keeper:
        safe(archivist, clock, custodian=me(admin))
    assert admin_keeper.value.errors[0].reason == "not_archivist"


def test_code_patterns_are_configurable_and_checked(archivist: SignedIn, clock: FixedClock) -> None:
    with pytest.raises(ValidationFailed) as bad:
        L.set_location_settings(
            session=archivist,
            shelf_pattern="{room}-{face}-{column:2}",
            cabinet_pattern="{room}{cabinet}",
            order="sideways",
            clock=clock,
        )
    assert {e.field for e in bad.value.errors} == {"shelf_pattern", "cabinet_pattern", "order"}
    L.set_location_settings(
        session=archivist,
        shelf_pattern="{room}/{shelf}/{column:3}{face}/{section:2}.{layer}.{position}",
        cabinet_pattern="{room}-BXG{cabinet}-{section}-{layer}-{position}",
        order="layer_first",
        clock=clock,
    )
    plan = L.plan_location_batch(
        session=archivist,
        spec=L.BatchSpec(room="K2", shelf="M3", columns="7", faces="B", sections="2", layers="4"),
        clock=clock,
    )
    assert [n.code for n in plan.new] == [
        "K2",
        "K2/M3",
        "K2/M3/007",
        "K2/M3/007B",
        "K2/M3/007B/02",
        "K2/M3/007B/02.4",
    ]


# --- next free place (R21) -----------------------------------------------------------------------
def test_next_free_place_goes_section_by_section_top_to_bottom_by_default(
    archivist: SignedIn, clock: FixedClock
) -> None:
    shelf(archivist, clock, columns="1", faces="A", capacity=1)
    codes = place_new_boxes(archivist, clock, 6)
    assert codes == [
        "K1-01-A-1-1",
        "K1-01-A-1-2",
        "K1-01-A-1-3",
        "K1-01-A-2-1",
        "K1-01-A-2-2",
        "K1-01-A-2-3",
    ]


def test_next_free_place_left_to_right_then_down_when_configured(
    archivist: SignedIn, clock: FixedClock
) -> None:
    fill_order(archivist, clock, "layer_first")
    shelf(archivist, clock, columns="1", faces="A", capacity=1)
    codes = place_new_boxes(archivist, clock, 6)
    assert codes == [
        "K1-01-A-1-1",
        "K1-01-A-2-1",
        "K1-01-A-1-2",
        "K1-01-A-2-2",
        "K1-01-A-1-3",
        "K1-01-A-2-3",
    ]
    with pytest.raises(ValidationFailed) as full:
        L.place_box(session=archivist, box_id=box(archivist, clock), clock=clock)
    assert full.value.errors[0].reason == "no_free_place"


def test_next_free_place_keeps_categories_in_their_reserved_shelves(
    archivist: SignedIn, clock: FixedClock
) -> None:
    shelf(archivist, clock, columns="1", faces="A", sections="1", layers="1-2", capacity=1)
    shelf(
        archivist,
        clock,
        shelf="M2",
        columns="2",
        faces="A",
        sections="1",
        layers="1-2",
        capacity=1,
        category_code="HT",
    )
    kh = L.place_box(session=archivist, box_id=box(archivist, clock, "KH"), clock=clock)
    ht = L.place_box(session=archivist, box_id=box(archivist, clock, "HT"), clock=clock)
    assert kh.to_code == "K1-01-A-1-1"
    assert ht.to_code == "K1-02-A-1-1"  # HT's own shelf first, though K1-01 has room
    # a freed gap before the last box is not taken while there is room after it
    first = box(archivist, clock, "KH")
    L.place_box(session=archivist, box_id=first, clock=clock)  # K1-01-A-1-2
    proposal = L.propose_place(session=archivist, box_id=box(archivist, clock, "KH"), clock=clock)
    assert proposal.location_id is None  # KH may not spill into HT's reserved shelf


# --- secure custody (R22) ------------------------------------------------------------------------
def test_every_placing_path_refuses_classified_volumes_outside_secure_places(
    archivist: SignedIn, clock: FixedClock
) -> None:
    shelf(archivist, clock, columns="1", faces="A", sections="1", layers="1-2")
    safe(archivist, clock, custodian=me(archivist))
    ordinary = place_id(archivist, clock, "K1-01-A-1-1")
    secure = place_id(archivist, clock, "K1-G1-1-1")
    secret = volume(archivist, clock, "confidential")
    b = box(archivist, clock)
    L.put_volume(session=archivist, volume_id=secret, box_id=b, clock=clock)  # box not placed
    # place a box holding it
    with pytest.raises(L.SecureLocationRequired) as refused:
        L.place_box(session=archivist, box_id=b, location_id=ordinary, clock=clock)
    assert "K1-G1-1-1" in refused.value.params["allowed"]
    # the proposal for such a box is a secure place
    assert L.propose_place(session=archivist, box_id=b, clock=clock).code == "K1-G1-1-1"
    # a volume straight onto an ordinary shelf
    loose = volume(archivist, clock, "top_secret")
    with pytest.raises(L.SecureLocationRequired):
        L.put_volume(session=archivist, volume_id=loose, location_id=ordinary, clock=clock)
    # into a box standing on an ordinary shelf
    plain_box = box(archivist, clock)
    L.place_box(session=archivist, box_id=plain_box, location_id=ordinary, clock=clock)
    with pytest.raises(L.SecureLocationRequired):
        L.put_volume(session=archivist, volume_id=loose, box_id=plain_box, clock=clock)
    # bulk move
    with pytest.raises(L.BulkMoveRefused):
        L.bulk_move(
            session=archivist,
            requests=[L.MoveRequest(L.Target.BOX, b, to_location_id=ordinary)],
            clock=clock,
        )
    # the secure place takes them
    L.place_box(session=archivist, box_id=b, location_id=secure, clock=clock)
    L.put_volume(session=archivist, volume_id=loose, location_id=secure, clock=clock)
    assert L.list_must_move(session=archivist, clock=clock) == []


def test_undo_refuses_to_put_a_raised_volume_back_on_an_ordinary_shelf(
    archivist: SignedIn, clock: FixedClock
) -> None:
    shelf(archivist, clock, columns="1", faces="A", sections="1", layers="1-2")
    safe(archivist, clock, custodian=me(archivist))
    ordinary = place_id(archivist, clock, "K1-01-A-1-1")
    secure = place_id(archivist, clock, "K1-G1-1-1")
    vid = volume(archivist, clock)
    b = box(archivist, clock)
    L.put_volume(session=archivist, volume_id=vid, box_id=b, clock=clock)
    L.place_box(session=archivist, box_id=b, location_id=ordinary, clock=clock)
    L.bulk_move(
        session=archivist,
        requests=[L.MoveRequest(L.Target.BOX, b, to_location_id=secure)],
        clock=clock,
    )
    add_item(
        session=archivist,
        volume_id=vid,
        draft=ItemDraft(title="授信", secrecy_level="confidential"),
        clock=clock,
    )
    with pytest.raises(L.BulkMoveRefused):
        L.undo_last_bulk_move(session=archivist, clock=clock)
    assert L.get_box(session=archivist, box_id=b, clock=clock).location_code == "K1-G1-1-1"


def test_raising_a_level_on_an_ordinary_shelf_lists_the_volume_under_must_move(
    archivist: SignedIn, clock: FixedClock
) -> None:
    shelf(archivist, clock, columns="1", faces="A", sections="1", layers="1")
    vid = volume(archivist, clock)
    b = box(archivist, clock)
    L.put_volume(session=archivist, volume_id=vid, box_id=b, clock=clock)
    L.place_box(session=archivist, box_id=b, clock=clock)
    assert L.list_must_move(session=archivist, clock=clock) == []
    add_item(
        session=archivist,
        volume_id=vid,
        draft=ItemDraft(title="授信", secrecy_level="confidential"),
        clock=clock,
    )
    [row] = L.list_must_move(session=archivist, clock=clock)
    assert (row.volume_id, row.secrecy_label, row.location_code) == (vid, "机密", "K1-01-A-1-1")
    grid = place_id(archivist, clock, "K1-01-A")
    cell = L.get_shelf_map(session=archivist, grid_id=grid, clock=clock).cells[(1, 1)]
    assert cell.problems == ("must_move",) and cell.secrecy_label == "机密"


def test_making_a_safe_ordinary_is_refused_while_it_holds_classified_volumes(
    archivist: SignedIn, clock: FixedClock
) -> None:
    safe(archivist, clock, custodian=me(archivist))
    cabinet = L.get_location(
        session=archivist, location_id=place_id(archivist, clock, "K1-G1"), clock=clock
    )
    L.put_volume(
        session=archivist,
        volume_id=volume(archivist, clock, "confidential"),
        location_id=place_id(archivist, clock, "K1-G1-1-1"),
        clock=clock,
    )
    edit = L.LocationEdit(cabinet.id, cabinet.version, cabinet.name, None, False, None)
    with pytest.raises(ValidationFailed) as refused:
        L.update_location(session=archivist, edit=edit, clock=clock)
    assert refused.value.errors[0].reason == "holds_classified"


# --- bulk moves and undo (R23) -------------------------------------------------------------------
def test_a_bulk_move_with_one_invalid_row_moves_nothing(
    archivist: SignedIn, clock: FixedClock
) -> None:
    shelf(archivist, clock, columns="1-2", faces="A", sections="1", layers="1", capacity=2)
    src = place_id(archivist, clock, "K1-01-A-1-1")
    dst = place_id(archivist, clock, "K1-02-A-1-1")
    boxes = [box(archivist, clock) for _ in range(3)]
    for b in boxes[:2]:
        L.place_box(session=archivist, box_id=b, location_id=src, clock=clock)
    requests = [L.MoveRequest(L.Target.BOX, b, to_location_id=dst) for b in boxes]
    # three boxes into a place for two: the third row fails, so nothing moves
    preview = L.preview_bulk_move(session=archivist, requests=requests, clock=clock)
    assert [r.problem for r in preview.rows] == ["", "", "full"]
    with pytest.raises(L.BulkMoveRefused) as refused:
        L.bulk_move(session=archivist, requests=requests, clock=clock)
    assert refused.value.params["bad"] == 1
    assert {
        L.get_box(session=archivist, box_id=b, clock=clock).location_code for b in boxes[:2]
    } == {"K1-01-A-1-1"}
    with archivist.uow(clock) as uow:
        assert (
            uow.session.query(LocationMove).filter(LocationMove.batch_id.is_not(None)).count() == 0
        )


def test_a_bulk_move_applies_together_and_the_last_one_can_be_undone(
    archivist: SignedIn, clock: FixedClock
) -> None:
    shelf(archivist, clock, columns="1-2", faces="A", sections="1-2", layers="1-2", capacity=1)
    boxes = [box(archivist, clock) for _ in range(4)]
    for b in boxes:
        L.place_box(session=archivist, box_id=b, clock=clock)
    before = [L.get_box(session=archivist, box_id=b, clock=clock).location_code for b in boxes]
    assert before == ["K1-01-A-1-1", "K1-01-A-1-2", "K1-01-A-2-1", "K1-01-A-2-2"]
    target = place_id(archivist, clock, "K1-02-A")
    requests = L.spread_over(session=archivist, box_ids=boxes, target_id=target, clock=clock)
    batch = L.bulk_move(session=archivist, requests=requests, clock=clock)
    after = [L.get_box(session=archivist, box_id=b, clock=clock).location_code for b in boxes]
    assert after == ["K1-02-A-1-1", "K1-02-A-1-2", "K1-02-A-2-1", "K1-02-A-2-2"]  # order kept
    info = L.last_bulk_move(session=archivist, clock=clock)
    assert info is not None and info.batch_id == batch and info.count == 4 and info.undoable
    L.undo_last_bulk_move(session=archivist, clock=clock)
    assert [
        L.get_box(session=archivist, box_id=b, clock=clock).location_code for b in boxes
    ] == before
    assert L.last_bulk_move(session=archivist, clock=clock) is None
    history = L.object_history(
        session=archivist, object_type="box", object_id=boxes[0], clock=clock
    )
    assert [(h.from_code, h.to_code) for h in history] == [
        ("K1-02-A-1-1", "K1-01-A-1-1"),
        ("K1-01-A-1-1", "K1-02-A-1-1"),
        ("", "K1-01-A-1-1"),
    ]
    assert history[-1].reason == "上架" and history[0].note.startswith("撤销批量移动")
    moves_here = L.location_history(session=archivist, location_id=target, clock=clock)
    assert len(moves_here) == 8


def test_undo_is_refused_when_something_moved_since(archivist: SignedIn, clock: FixedClock) -> None:
    shelf(archivist, clock, columns="1", faces="A", sections="1", layers="1-3", capacity=1)
    b = box(archivist, clock)
    L.place_box(session=archivist, box_id=b, clock=clock)
    L.bulk_move(
        session=archivist,
        requests=[
            L.MoveRequest(L.Target.BOX, b, to_location_id=place_id(archivist, clock, "K1-01-A-1-2"))
        ],
        clock=clock,
    )
    place_at(archivist, clock, b, "K1-01-A-1-3")
    with pytest.raises(L.UndoRefused):
        L.undo_last_bulk_move(session=archivist, clock=clock)


def test_every_move_is_audited_and_readers_cannot_move(
    admin: SignedIn, archivist: SignedIn, clock: FixedClock
) -> None:
    shelf(archivist, clock, columns="1", faces="A", sections="1", layers="1")
    b = box(archivist, clock)
    L.place_box(session=archivist, box_id=b, clock=clock)
    with archivist.uow(clock) as uow:
        actions = [a for (a,) in uow.session.query(AuditEntry.action)]
    assert {"location.batch_create", "box.create", "box.move"} <= set(actions)
    with pytest.raises(PermissionDenied):
        L.place_box(session=admin, box_id=b, clock=clock)


# --- scanning (R24) ------------------------------------------------------------------------------
def test_scanned_codes_resolve_to_places_boxes_and_volumes(
    archivist: SignedIn, clock: FixedClock
) -> None:
    shelf(archivist, clock, columns="1", faces="A", sections="1", layers="1")
    b = L.create_box(session=archivist, draft=L.BoxDraft(), clock=clock)
    vid = volume(archivist, clock)
    reference = L.where_is_volume(session=archivist, volume_id=vid, clock=clock).reference_code
    assert "·" in reference
    place = L.resolve_scan(session=archivist, text=scan_payload("K1-01-A-1-1"), clock=clock)
    assert place is not None and place.kind is ScanKind.LOCATION
    found_box = L.resolve_scan(session=archivist, text=scan_payload(b.code).lower(), clock=clock)
    assert found_box is not None and (found_box.kind, found_box.object_id) == (ScanKind.BOX, b.id)
    found = L.resolve_scan(session=archivist, text=scan_payload(reference), clock=clock)
    assert found is not None and (found.kind, found.object_id) == (ScanKind.VOLUME, vid)
    assert L.resolve_scan(session=archivist, text="张三丰", clock=clock) is None
    wrong = scan_payload(b.code)
    wrong = wrong[:-1] + ("0" if wrong[-1] != "0" else "1")
    with pytest.raises(L.ScanRejected):
        L.resolve_scan(session=archivist, text=wrong, clock=clock)
    with pytest.raises(L.ScanNotFound):
        L.resolve_scan(session=archivist, text=scan_payload("K9-99"), clock=clock)


# --- custody hand-over (R22, R26) ----------------------------------------------------------------
def test_a_custody_hand_over_records_every_item_and_changes_the_custodian(
    admin: SignedIn, archivist: SignedIn, clock: FixedClock
) -> None:
    from tests.factories import add_archivist

    other = add_archivist(admin, clock, username="wangwu")
    safe(archivist, clock, custodian=me(archivist))
    cabinet = place_id(archivist, clock, "K1-G1")
    vid = volume(archivist, clock, "confidential")
    b = box(archivist, clock)
    place_at(archivist, clock, b, "K1-G1-1-2")
    L.put_volume(session=archivist, volume_id=vid, box_id=b, clock=clock)
    assert [
        p.code for p in L.custody_places(session=archivist, user_id=me(archivist), clock=clock)
    ] == ["K1-G1"]
    sheet = L.hand_over_custody(
        session=archivist,
        location_ids=[cabinet],
        to_user_id=other,
        witness="赵六",
        note="岗位调整",
        clock=clock,
    )
    assert [
        (line.location_code, line.box_code, line.secrecy_label, line.pages) for line in sheet.lines
    ] == [("K1-G1-1-2", L.get_box(session=archivist, box_id=b, clock=clock).code, "机密", 4)]
    assert L.get_location(session=archivist, location_id=cabinet, clock=clock).custodian_id == other
    again = L.get_handover(session=archivist, handover_id=sheet.handover_id, clock=clock)
    assert again.lines == sheet.lines and again.witness == "赵六"
    with pytest.raises(ValidationFailed) as same:
        L.hand_over_custody(
            session=archivist,
            location_ids=[cabinet],
            to_user_id=other,
            witness="",
            note="",
            clock=clock,
        )
    assert same.value.errors[0].reason == "same_person"


# --- shelf map ----------------------------------------------------------------------------------
def test_the_shelf_map_shows_fill_and_secrecy_per_cell(
    archivist: SignedIn, clock: FixedClock
) -> None:
    shelf(archivist, clock, columns="1", faces="A", sections="1-5", layers="1-6", capacity=3)
    grid = place_id(archivist, clock, "K1-01-A")
    b = box(archivist, clock)
    place_at(archivist, clock, b, "K1-01-A-2-3")
    L.put_volume(
        session=archivist, volume_id=volume(archivist, clock, "secret"), box_id=b, clock=clock
    )
    shelf_map = L.get_shelf_map(session=archivist, grid_id=grid, clock=clock)
    assert shelf_map.sections == [1, 2, 3, 4, 5] and shelf_map.layers == [1, 2, 3, 4, 5, 6]
    cell = shelf_map.cells[(2, 3)]
    assert (cell.used, cell.capacity, cell.secrecy_label, cell.problems) == (1, 3, "秘密", ())
    assert shelf_map.totals == (1, 90)
    boxes = L.list_boxes_at(session=archivist, location_id=cell.location_id, clock=clock)
    assert [x.id for x in boxes] == [b] and boxes[0].volume_count == 1


def test_a_shelf_and_a_cabinet_of_one_room_never_share_a_subtree(
    archivist: SignedIn, clock: FixedClock
) -> None:
    shelf(archivist, clock, columns="1", faces="A", sections="1", layers="1")
    safe(archivist, clock, custodian=me(archivist))
    b = box(archivist, clock)
    place_at(archivist, clock, b, "K1-G1-1-1")
    shelf_id = place_id(archivist, clock, "K1-M1")
    assert L.list_boxes_at(session=archivist, location_id=shelf_id, clock=clock) == []
    rooms = L.list_child_locations(
        session=archivist, parent_id=place_id(archivist, clock, "K1"), clock=clock
    )
    assert [r.code for r in rooms] == ["K1-M1", "K1-G1"]


def test_spreading_boxes_over_a_safe_takes_ordinary_boxes_too_and_names_the_real_problem(
    archivist: SignedIn, clock: FixedClock
) -> None:
    shelf(archivist, clock, columns="1", faces="A", sections="1", layers="1", capacity=3)
    safe(archivist, clock, custodian=me(archivist))  # 2 层 × 2
    plain = [box(archivist, clock) for _ in range(3)]
    for b in plain:
        place_at(archivist, clock, b, "K1-01-A-1-1")
    requests = L.spread_over(
        session=archivist, box_ids=plain, target_id=place_id(archivist, clock, "K1-G1"), clock=clock
    )
    preview = L.preview_bulk_move(session=archivist, requests=requests, clock=clock)
    assert [(r.to_code, r.problem) for r in preview.rows] == [
        ("K1-G1-1-1", ""),
        ("K1-G1-1-1", ""),
        ("K1-G1-1-2", ""),
    ]
    # a classified box spread over an ordinary face: the preview says why
    secret = box(archivist, clock)
    L.put_volume(
        session=archivist,
        volume_id=volume(archivist, clock, "confidential"),
        box_id=secret,
        clock=clock,
    )
    requests = L.spread_over(
        session=archivist,
        box_ids=[secret],
        target_id=place_id(archivist, clock, "K1-01-A"),
        clock=clock,
    )
    [row] = L.preview_bulk_move(session=archivist, requests=requests, clock=clock).rows
    assert row.problem == "secure_required"
