"""Inspection sessions on a real database: scope, expected list, count, findings (R41, R42)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.clock import FixedClock
from app.domain.inspections import DifferenceKind, Status
from app.domain.scan_codes import scan_payload
from app.errors import (
    InspectionPaused,
    InspectionStateRefused,
    UnresolvedDifferences,
    ValidationFailed,
    VolumeNotAvailable,
)
from app.services import inspections as I
from app.services import locations as L
from app.services.auth import SignedIn
from app.services.catalogue import get_volume
from app.storage.location import DatabaseLocation
from app.storage.models import Loan, LocationMove, Volume
from tests.factories import PASSWORD, signed_in
from tests.integration.test_locations import box, place_id, shelf, volume


# --- helpers -------------------------------------------------------------------------------------
def code_of(s: SignedIn, clock: FixedClock, vid: int) -> str:
    return get_volume(session=s, volume_id=vid, clock=clock).reference_code


def shelve(s: SignedIn, clock: FixedClock, place: str, n: int = 2) -> tuple[int, list[int]]:
    """A box with ``n`` new volumes in the place ``place``."""
    bid = box(s, clock)
    L.place_box(session=s, box_id=bid, location_id=place_id(s, clock, place), clock=clock)
    vids = []
    for _ in range(n):
        vid = volume(s, clock)
        L.put_volume(session=s, volume_id=vid, box_id=bid, clock=clock)
        vids.append(vid)
    return bid, vids


def start(
    s: SignedIn,
    clock: FixedClock,
    scope: str = "room",
    ids: tuple[int, ...] = (),
    kind: str = "half_yearly",
) -> int:
    room = place_id(s, clock, "K1")
    draft = I.InspectionDraft(
        kind=kind,
        room_id=room,
        scope_kind=scope,
        scope_ids=ids,
        inspected_on=date(2026, 1, 5),
        inspectors=(I.Inspector(user_id=s.actor.user_id), I.Inspector(name="王五")),
    )
    return I.start_inspection(session=s, draft=draft, clock=clock)


def start_counting(s: SignedIn, clock: FixedClock) -> int:
    """A half-yearly inspection of room K1, its expected list taken (counting begun)."""
    sid = start(s, clock)
    I.begin_counting(session=s, inspection_id=sid, clock=clock)
    return sid


def scan(s: SignedIn, clock: FixedClock, sid: int, code: str) -> I.ScanAck:
    return I.record_scan(session=s, inspection_id=sid, text=scan_payload(code), clock=clock)


def fill_checklist(s: SignedIn, clock: FixedClock, sid: int) -> None:
    for row in I.list_checks(session=s, inspection_id=sid, clock=clock):
        I.set_check(session=s, inspection_id=sid, seq=row.seq, ok=True, clock=clock)


def kinds(rec: I.Reconciliation) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for d in rec.differences:
        out.setdefault(d.kind, set()).add(d.code)
    return out


@pytest.fixture
def room(archivist: SignedIn, clock: FixedClock) -> SignedIn:
    shelf(archivist, clock)
    return archivist


# --- sessions ------------------------------------------------------------------------------------
def test_a_session_needs_two_different_inspectors(room: SignedIn, clock: FixedClock) -> None:
    draft = I.InspectionDraft(
        kind="half_yearly",
        room_id=place_id(room, clock, "K1"),
        inspected_on=date(2026, 1, 5),
        inspectors=(I.Inspector(name="李四"), I.Inspector(name=" 李四 ")),
    )
    with pytest.raises(ValidationFailed) as info:
        I.start_inspection(session=room, draft=draft, clock=clock)
    assert [e.reason for e in info.value.errors] == ["two_inspectors"]


def test_a_session_scope_must_lie_in_its_room(room: SignedIn, clock: FixedClock) -> None:
    with pytest.raises(ValidationFailed) as info:
        start(room, clock, "face", (place_id(room, clock, "K1-01-A-1"),))
    assert info.value.errors[0].reason == "scope_face"


def test_a_paused_session_refuses_scans_until_continued(room: SignedIn, clock: FixedClock) -> None:
    _bid, vids = shelve(room, clock, "K1-01-A-1-1", 1)
    sid = start_counting(room, clock)
    I.pause_inspection(session=room, inspection_id=sid, clock=clock)
    with pytest.raises(InspectionPaused):
        scan(room, clock, sid, code_of(room, clock, vids[0]))
    I.resume_inspection(session=room, inspection_id=sid, clock=clock)
    assert scan(room, clock, sid, code_of(room, clock, vids[0])).verdict == "found"


# --- expected list and count (R42) ---------------------------------------------------------------
def test_expected_is_placed_in_scope_minus_on_loan_minus_in_repair(
    room: SignedIn, clock: FixedClock
) -> None:
    _b1, here = shelve(room, clock, "K1-01-A-1-1", 3)
    _b2, _other_face = shelve(room, clock, "K1-01-B-1-1", 2)
    with room.uow(
        clock
    ) as uow:  # one is in repair, one on loan (states as the loan desk sets them)
        v = uow.session.get(Volume, here[0])
        assert v is not None
        v.state = "in_repair"
        w = uow.session.get(Volume, here[1])
        assert w is not None
        w.state = "on_loan"
        uow.commit()
    sid = start(room, clock, "face", (place_id(room, clock, "K1-01-A"),))
    assert I.begin_counting(session=room, inspection_id=sid, clock=clock) == 1
    whole = start(room, clock)
    assert I.begin_counting(session=room, inspection_id=whole, clock=clock) == 3


def test_items_outside_the_scope_are_never_missing(room: SignedIn, clock: FixedClock) -> None:
    _b1, here = shelve(room, clock, "K1-01-A-1-1", 2)
    _b2, elsewhere = shelve(room, clock, "K1-02-A-1-1", 2)
    sid = start(room, clock, "face", (place_id(room, clock, "K1-01-A"),))
    I.begin_counting(session=room, inspection_id=sid, clock=clock)
    scan(room, clock, sid, code_of(room, clock, here[0]))
    rec = I.get_reconciliation(session=room, inspection_id=sid, clock=clock)
    missing = kinds(rec).get(DifferenceKind.MISSING.value, set())
    assert missing == {code_of(room, clock, here[1])}
    assert not missing & {code_of(room, clock, v) for v in elsewhere}


def test_misplaced_and_unexpected_are_detected(room: SignedIn, clock: FixedClock) -> None:
    _b1, here = shelve(room, clock, "K1-01-A-1-1", 2)
    _b2, elsewhere = shelve(room, clock, "K1-02-A-1-1", 1)
    stray = volume(room, clock)  # registered, never placed
    sid = start(room, clock, "face", (place_id(room, clock, "K1-01-A"),))
    I.begin_counting(session=room, inspection_id=sid, clock=clock)
    assert scan(room, clock, sid, "K1-01-A-1-1").verdict == "place"
    assert scan(room, clock, sid, code_of(room, clock, here[0])).verdict == "found"
    assert scan(room, clock, sid, "K1-01-A-2-1").verdict == "place"
    # seen in the wrong 层 of the scope, from another face, not placed at all, not registered
    assert scan(room, clock, sid, code_of(room, clock, here[1])).verdict == "misplaced"
    ack = scan(room, clock, sid, code_of(room, clock, elsewhere[0]))
    assert (ack.verdict, ack.detail) == ("misplaced", "K1-02-A-1-1")
    assert scan(room, clock, sid, code_of(room, clock, stray)).verdict == "unexpected"
    assert scan(room, clock, sid, "ZZ-NOT-HERE").verdict == "unexpected"
    outside = scan(room, clock, sid, "K1-02-A-1-1")  # a place label outside the face
    assert (outside.verdict, outside.detail) == ("place", "不在本次检查范围内")
    rec = I.get_reconciliation(session=room, inspection_id=sid, clock=clock)
    found = kinds(rec)
    assert found[DifferenceKind.MISPLACED.value] == {
        code_of(room, clock, here[1]),
        code_of(room, clock, elsewhere[0]),
    }
    assert found[DifferenceKind.UNEXPECTED.value] == {code_of(room, clock, stray), "ZZ-NOT-HERE"}
    assert DifferenceKind.MISSING.value not in found
    assert (rec.expected, rec.found_expected) == (2, 2)


def test_scanning_a_box_counts_its_volumes(room: SignedIn, clock: FixedClock) -> None:
    bid, _vids = shelve(room, clock, "K1-01-A-1-1", 3)
    sid = start_counting(room, clock)
    with room.uow(clock) as uow:
        from app.storage.models import ArchiveBox

        b = uow.session.get(ArchiveBox, bid)
        assert b is not None
        box_code = b.code
    ack = scan(room, clock, sid, box_code)
    assert (ack.verdict, ack.found, ack.expected) == ("found", 3, 3)
    assert scan(room, clock, sid, box_code).verdict == "again"


def test_a_wrong_check_character_is_rejected_and_nothing_is_recorded(
    room: SignedIn, clock: FixedClock
) -> None:
    _b, vids = shelve(room, clock, "K1-01-A-1-1", 1)
    sid = start_counting(room, clock)
    payload = scan_payload(code_of(room, clock, vids[0]))
    bad = payload[:-1] + ("0" if payload[-1] != "0" else "1")
    with pytest.raises(L.ScanRejected):
        I.record_scan(session=room, inspection_id=sid, text=bad, clock=clock)
    with pytest.raises(ValidationFailed):
        I.record_scan(session=room, inspection_id=sid, text="typed text", clock=clock)
    assert I.get_inspection(session=room, inspection_id=sid, clock=clock).found == 0


def test_scanning_an_item_on_loan_leaves_the_loan_open_and_moves_nothing(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    from tests.loan_helpers import approve_all, make_desk, staff_application

    desk = make_desk(admin, location, clock)
    try:
        lisi = desk("lisi")
        shelf(lisi, clock)
        _b, vids = shelve(lisi, clock, "K1-01-A-1-1", 2)
        app_id = staff_application(desk, [vids[0]])
        approve_all(desk, app_id, "info")
        from app.services.loans import issue_loan

        issue_loan(session=lisi, application_id=app_id, volume_id=vids[0], clock=clock)
        sid = start(lisi, clock)
        assert I.begin_counting(session=lisi, inspection_id=sid, clock=clock) == 1
        with lisi.uow(clock) as uow:
            moves_before = len(list(uow.session.scalars(select(LocationMove))))
        ack = scan(lisi, clock, sid, code_of(lisi, clock, vids[0]))
        assert ack.verdict == "on_loan_seen"
        with lisi.uow(clock) as uow:
            loan = uow.session.scalar(select(Loan).where(Loan.volume_id == vids[0]))
            assert loan is not None and loan.state == "out"
            v = uow.session.get(Volume, vids[0])
            assert v is not None and v.state == "on_loan"
            assert len(list(uow.session.scalars(select(LocationMove)))) == moves_before
        rec = I.get_reconciliation(session=lisi, inspection_id=sid, clock=clock)
        assert kinds(rec)[DifferenceKind.ON_LOAN_SEEN.value] == {code_of(lisi, clock, vids[0])}
    finally:
        desk.close()


def test_a_partial_count_resumes_after_a_restart(
    room: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    _b, vids = shelve(room, clock, "K1-01-A-1-1", 2)
    sid = start_counting(room, clock)
    scan(room, clock, sid, code_of(room, clock, vids[0]))
    first_code = code_of(room, clock, vids[0])
    second_code = code_of(room, clock, vids[1])
    room.store.close()  # the app is closed mid-count
    with signed_in(location, "lisi", PASSWORD, clock) as again:
        row = I.get_inspection(session=again, inspection_id=sid, clock=clock)
        assert (row.status, row.found, row.expected) == (Status.COUNTING.value, 1, 2)
        assert scan(again, clock, sid, first_code).verdict == "again"
        ack = scan(again, clock, sid, second_code)
        assert (ack.found, ack.expected) == (2, 2)


# --- differences, findings and closing -----------------------------------------------------------
def test_closing_refuses_unresolved_differences_unless_carried_over(
    room: SignedIn, clock: FixedClock
) -> None:
    _b, vids = shelve(room, clock, "K1-01-A-1-1", 3)
    sid = start_counting(room, clock)
    scan(room, clock, sid, code_of(room, clock, vids[0]))
    with pytest.raises(InspectionStateRefused):
        I.close_inspection(session=room, inspection_id=sid, measures="", clock=clock)
    assert I.finish_counting(session=room, inspection_id=sid, clock=clock) == 2
    fill_checklist(room, clock, sid)
    with pytest.raises(UnresolvedDifferences) as info:
        I.close_inspection(session=room, inspection_id=sid, measures="无", clock=clock)
    assert info.value.params["count"] == 2
    diffs = I.get_reconciliation(session=room, inspection_id=sid, clock=clock).differences
    I.resolve_difference(
        session=room, difference_id=diffs[0].id or 0, action="lost", note="未找到", clock=clock
    )
    with pytest.raises(ValidationFailed):
        I.resolve_difference(
            session=room, difference_id=diffs[1].id or 0, action="noted", clock=clock
        )
    I.close_inspection(
        session=room, inspection_id=sid, measures="缺失一卷已报失", carry_over=True, clock=clock
    )
    after = I.get_reconciliation(session=room, inspection_id=sid, clock=clock).differences
    assert sorted(d.resolution for d in after) == ["carried", "lost"]
    assert I.get_inspection(session=room, inspection_id=sid, clock=clock).status == "closed"
    conditions = I.list_volume_conditions(
        session=room, volume_id=diffs[0].volume_id or 0, clock=clock
    )
    assert [c.kind_label for c in conditions] == ["遗失"]


def test_a_misplaced_volume_is_moved_by_an_explicit_action(
    room: SignedIn, clock: FixedClock
) -> None:
    _bid, vids = shelve(room, clock, "K1-01-A-1-1", 1)
    other_box, _ = shelve(room, clock, "K1-01-A-2-1", 1)
    sid = start_counting(room, clock)
    scan(room, clock, sid, "K1-01-A-2-1")
    scan(room, clock, sid, code_of(room, clock, vids[0]))
    scan(room, clock, sid, code_of(room, clock, _[0]))
    I.finish_counting(session=room, inspection_id=sid, clock=clock)
    [diff] = I.get_reconciliation(session=room, inspection_id=sid, clock=clock).differences
    assert diff.kind == DifferenceKind.MISPLACED.value
    I.resolve_difference(
        session=room, difference_id=diff.id or 0, action="moved", box_id=other_box, clock=clock
    )
    where = L.where_is_volume(session=room, volume_id=vids[0], clock=clock)
    assert "K1-01-A-2-1" in where.location_code
    history = L.object_history(session=room, object_type="volume", object_id=vids[0], clock=clock)
    assert history[0].reason == L.MoveReason.INSPECT.value


def test_a_finding_makes_a_condition_record_and_a_repair_task_and_the_volume_shows_in_repair(
    room: SignedIn, clock: FixedClock
) -> None:
    _b, vids = shelve(room, clock, "K1-01-A-1-1", 1)
    sid = start(room, clock)
    saved = I.record_finding(
        session=room,
        volume_id=vids[0],
        kind="mould",
        description="封面有霉斑",
        inspection_id=sid,
        task=I.TaskDraft(
            kind="demould",
            due_on=date(2026, 1, 20),
            responsible_name="王五",
            send_out=True,
        ),
        clock=clock,
    )
    assert saved.task_id is not None
    assert get_volume(session=room, volume_id=vids[0], clock=clock).state == "in_repair"
    [task] = I.list_open_tasks(session=room, clock=clock)
    assert (task.kind_label, task.condition_label, task.responsible, task.state_label) == (
        "除霉",
        "霉变",
        "王五",
        "在修",
    )
    # a volume in repair is not expected at its place (R42)
    assert I.begin_counting(session=room, inspection_id=sid, clock=clock) == 0
    I.complete_task(session=room, task_id=saved.task_id, note="已除霉", clock=clock)
    assert get_volume(session=room, volume_id=vids[0], clock=clock).state == "on_shelf"
    assert I.list_open_tasks(session=room, clock=clock) == []
    history = L.object_history(session=room, object_type="volume", object_id=vids[0], clock=clock)
    assert [h.reason for h in history[:2]] == ["修复", "修复"]


def test_a_volume_on_loan_cannot_be_sent_to_repair(room: SignedIn, clock: FixedClock) -> None:
    _b, vids = shelve(room, clock, "K1-01-A-1-1", 1)
    with room.uow(clock) as uow:
        v = uow.session.get(Volume, vids[0])
        assert v is not None
        v.state = "on_loan"
        uow.commit()
    with pytest.raises(VolumeNotAvailable):
        I.record_finding(
            session=room,
            volume_id=vids[0],
            kind="damage",
            description="书脊开裂",
            task=I.TaskDraft(
                kind="mend", due_on=date(2026, 2, 1), responsible_name="王五", send_out=True
            ),
            clock=clock,
        )
    assert I.list_open_tasks(session=room, clock=clock) == []


def test_an_abnormal_check_needs_a_note(room: SignedIn, clock: FixedClock) -> None:
    sid = start(room, clock)
    with pytest.raises(ValidationFailed) as info:
        I.set_check(session=room, inspection_id=sid, seq=1, ok=False, clock=clock)
    assert info.value.errors[0].reason == "abnormal_note"
    I.set_check(session=room, inspection_id=sid, seq=6, ok=False, note="灭火器已过期", clock=clock)
    row = I.list_checks(session=room, inspection_id=sid, clock=clock)[5]
    assert (row.label, row.ok, row.note) == ("防火：灭火器有效期、电线", False, "灭火器已过期")


# --- electronic fixity (R13) ---------------------------------------------------------------------
def test_the_fixity_check_lists_a_damaged_file_in_scope(room: SignedIn, clock: FixedClock) -> None:
    import io

    from app.services.catalogue import ItemDraft, add_item, attach_file, blob_folder
    from app.storage.models import ItemFile

    _b, vids = shelve(room, clock, "K1-01-A-1-1", 2)
    ids = []
    for vid in vids:
        item = add_item(session=room, volume_id=vid, draft=ItemDraft(title="扫描件"), clock=clock)
        ids.append(
            attach_file(
                session=room,
                item_id=item,
                source=io.BytesIO(b"scan" * 100),
                file_name="a.txt",
                clock=clock,
            )
        )
    with room.uow(clock) as uow:
        f = uow.session.get(ItemFile, ids[1])
        assert f is not None
        f.sha256 = "0" * 64  # the stored content no longer matches
        uow.commit()
    if room.store.location.is_sqlite:
        assert blob_folder(room.store) is not None
    sid = start(room, clock)
    result = I.verify_scope_files(session=room, inspection_id=sid, clock=clock)
    assert (result.checked, [f for f, _ in result.failed]) == (2, [ids[1]])
    rec = I.get_reconciliation(session=room, inspection_id=sid, clock=clock)
    assert kinds(rec)[DifferenceKind.FIXITY.value] == {code_of(room, clock, vids[1])}


# --- environment and schedule --------------------------------------------------------------------
def test_readings_out_of_range_and_a_large_daily_swing_are_listed(
    room: SignedIn, clock: FixedClock
) -> None:
    rid = place_id(room, clock, "K1")
    morning = clock.now()
    clock.advance(hours=6)  # the afternoon reading
    I.record_reading(
        session=room, room_id=rid, temperature=18.0, humidity=50, taken_at=morning, clock=clock
    )
    I.record_reading(
        session=room,
        room_id=rid,
        temperature=21.5,
        humidity=62.5,
        taken_at=morning + timedelta(hours=6),
        clock=clock,
    )
    climate = I.get_room_climate(
        session=room, room_id=rid, since=date(2026, 1, 1), until=date(2026, 1, 31), clock=clock
    )
    assert [r.problems for r in climate.readings] == [(), ("湿度过高",)]
    assert list(climate.swings.values()) == [("日温差超限", "日湿差超限")]
    with pytest.raises(ValidationFailed) as info:
        I.record_reading(session=room, room_id=rid, temperature=99, humidity=-1, clock=clock)
    assert {e.field for e in info.value.errors} == {"temperature", "humidity"}


def test_the_next_half_yearly_inspection_is_due_six_months_after_the_last_closed(
    room: SignedIn, clock: FixedClock
) -> None:
    [row] = I.list_inspection_schedule(session=room, clock=clock)
    assert row.last_closed is None and row.due_on == date(2026, 7, 5)
    sid = start(room, clock)
    fill_checklist(room, clock, sid)
    I.close_inspection(session=room, inspection_id=sid, measures="", clock=clock)
    [row] = I.list_inspection_schedule(session=room, clock=clock)
    assert (row.last_closed, row.due_on, row.state.value) == (
        date(2026, 1, 5),
        date(2026, 7, 5),
        "ok",
    )
    clock.advance(days=165)  # 2026-06-19: due within 30 days
    assert I.list_inspection_schedule(session=room, clock=clock)[0].state.value == "due"
    clock.advance(days=20)  # 2026-07-09
    assert I.list_inspection_schedule(session=room, clock=clock)[0].state.value == "overdue"


def test_limits_follow_the_room_type_and_the_checklist_is_configurable(
    admin: SignedIn, room: SignedIn, clock: FixedClock
) -> None:
    from app.domain.inspections import ClimateLimits, RoomType

    rid = place_id(room, clock, "K1")
    I.record_reading(session=room, room_id=rid, temperature=26.0, humidity=42, clock=clock)
    day = date(2026, 1, 5)

    def problems() -> tuple[str, ...]:
        climate = I.get_room_climate(session=room, room_id=rid, since=day, until=day, clock=clock)
        return climate.readings[0].problems

    assert problems() == ("温度过高", "湿度过低")
    I.set_room_type(session=room, room_id=rid, room_type="media", clock=clock)
    assert problems() == ()
    now = I.get_inspection_settings(session=admin, clock=clock)
    limits = dict(now.limits)
    limits[RoomType.MEDIA] = ClimateLimits(t_min=150, t_max=250, rh_min=400, rh_max=600)
    I.set_inspection_settings(
        session=admin, checklist=["防火", "防盗", "防潮"], limits=limits, clock=clock
    )
    assert problems() == ("温度过高",)  # the room keeps its type
    sid = start(room, clock)
    assert [c.label for c in I.list_checks(session=room, inspection_id=sid, clock=clock)] == [
        "防火",
        "防盗",
        "防潮",
    ]
    bad = dict(limits)
    bad[RoomType.PAPER] = ClimateLimits(t_min=250, t_max=240)
    with pytest.raises(ValidationFailed) as info:
        I.set_inspection_settings(
            session=admin, checklist=["防火", "防火"], limits=bad, clock=clock
        )
    assert {e.reason for e in info.value.errors} == {"checklist_twice", "climate_range"}
