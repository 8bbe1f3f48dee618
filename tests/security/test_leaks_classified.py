"""Insiders and classified material (issue 23): what leaks past the clearance check.

* a volume that became 机密 after its loan was approved is not lent on the old route;
* the auditor never reads a classified volume's title or notes in the trail (search, history);
* the level word (and counts) of material above the reader's clearance stays hidden in loan
  applications, hand-over lists and box lists, as its title does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from app.domain.roles import Role
from app.errors import ValidationFailed
from app.messages import describe
from app.services import audit
from app.services import locations as L
from app.services.audit import AuditFilter
from app.services.auth import SignedIn, sign_out
from app.services.catalogue import (
    ItemDraft,
    VolumeDetails,
    add_item,
    copy_file,
    extend_secrecy,
    get_volume,
    get_volume_details,
    update_volume_details,
)
from app.services.loans import (
    approval_queue,
    get_application,
    issue_loan,
    list_applications,
)
from app.storage.models import AuditEntry, StorageLocation
from tests.factories import sign_in_as
from tests.integration.test_locations import safe
from tests.loan_helpers import Desk, approve_all, make_volume, staff_application

SECRET_TITLE = "张三丰并购谈判底价"
SECRET_NOTES = "底价八千万元，勿外传"


@pytest.fixture
def auditor(desk: Desk) -> Iterator[SignedIn]:
    session = sign_in_as(desk.admin, desk.location, desk.clock, "audit", [Role.AUDITOR])
    yield session
    sign_out(session=session, clock=desk.clock)


def raise_to_confidential(desk: Desk, volume_id: int) -> None:
    """File a 机密 item into the volume: the volume's level follows its strongest item."""
    add_item(
        session=desk("lisi"),
        volume_id=volume_id,
        draft=ItemDraft(title="补充协议", page_from=13, page_to=14, secrecy_level="confidential"),
        clock=desk.clock,
    )


# --- the route at issue time -----------------------------------------------------------------
def test_a_volume_that_became_secret_after_approval_is_not_lent_on_the_old_route(
    desk: Desk,
) -> None:
    vid, code = make_volume(desk("lisi"), desk.clock)
    app_id = staff_application(desk, [vid], kind="loan")
    assert approve_all(desk, app_id, "info") == "approved"  # 非密: the 信息管理专员 alone
    raise_to_confidential(desk, vid)
    with pytest.raises(ValidationFailed) as refused:
        issue_loan(session=desk("lisi"), application_id=app_id, scan=code, clock=desk.clock)
    [error] = refused.value.errors
    assert error.reason == "route_changed"
    assert "机密" in describe(refused.value) and "客服部经理" in describe(refused.value)
    assert get_volume(session=desk("lisi"), volume_id=vid, clock=desk.clock).state == "on_shelf"
    # a new application on the 机密 route goes out
    again = staff_application(desk, [vid], kind="loan")
    approve_all(desk, again, "info", "manager")
    issue_loan(session=desk("lisi"), application_id=again, scan=code, clock=desk.clock)


def test_a_copy_approved_by_the_general_manager_still_holds_when_the_level_rises(
    desk: Desk,
) -> None:
    vid, code = make_volume(desk("lisi"), desk.clock)
    app_id = staff_application(desk, [vid], kind="copy", page_count=2)
    approve_all(desk, app_id, "gm")  # 复制 needs the 总经理 at every level (R31)
    raise_to_confidential(desk, vid)
    issue_loan(session=desk("lisi"), application_id=app_id, scan=code, clock=desk.clock)
    view = get_application(session=desk("gm"), application_id=app_id, clock=desk.clock)
    assert view.row.secrecy == "机密"  # the application now records the level it covers


# --- the auditor reads 档号, never titles or notes of classified volumes ------------------------
def edit_details(desk: Desk, volume_id: int, title: str, notes: str) -> None:
    view = get_volume_details(session=desk("lisi"), volume_id=volume_id, clock=desk.clock)
    d = view.details
    update_volume_details(
        session=desk("lisi"),
        volume_id=volume_id,
        details=VolumeDetails(title, d.compiled_by, d.checked_by, d.compiled_on, notes),
        expected_version=view.version,
        clock=desk.clock,
    )


def test_the_auditor_never_reads_a_classified_volumes_title_or_notes(
    desk: Desk, auditor: SignedIn
) -> None:
    # filed: the 备考表 rules apply once notes are written (issue 21)
    secret, code = make_volume(
        desk("lisi"), desk.clock, level="confidential", title="原题名甲", filed=True
    )
    edit_details(desk, secret, SECRET_TITLE, SECRET_NOTES)
    plain, _ = make_volume(desk("lisi"), desk.clock, title="普通题名乙", filed=True)
    edit_details(desk, plain, "普通题名丙", "普通说明")
    item = get_volume(session=desk("lisi"), volume_id=secret, clock=desk.clock).items[0].id
    extend_secrecy(
        session=desk("gm"),
        item_id=item,
        term_years=30,
        note=f"涉及{SECRET_TITLE}，延长",
        clock=desk.clock,
    )
    rows = audit.search_audit(
        session=auditor, audit_filter=AuditFilter(action="volume.update"), clock=desk.clock
    ).rows
    by_object = {r.object_id: r for r in rows}
    assert code in by_object[str(secret)].details
    for text in (SECRET_TITLE, SECRET_NOTES, "原题名甲"):
        assert text not in by_object[str(secret)].details
    assert "普通题名丙" in by_object[str(plain)].details  # unclassified: before/after as before
    _target, history = audit.get_object_history(
        session=auditor, kind="volume", key=code, clock=desk.clock
    )
    assert history and all(SECRET_TITLE not in r.details for r in history)
    with desk("lisi").store.new_session() as db:
        stored = [
            e.details
            for e in db.scalars(
                select(AuditEntry).where(AuditEntry.action.in_(["volume.update", "secrecy.extend"]))
            )
        ]
    leaked = [d for d in stored if SECRET_TITLE in d or SECRET_NOTES in d or "原题名甲" in d]
    assert leaked == []
    changed = [json.loads(d).get("changed") for d in stored]
    assert ["title", "notes"] in changed  # which fields changed is kept


# --- level words hidden where the title is ---------------------------------------------------
def test_loan_applications_hide_the_level_word_from_readers_without_clearance(
    desk: Desk,
) -> None:
    vid, _code = make_volume(desk("lisi"), desk.clock, level="confidential")
    consult = staff_application(desk, [vid], kind="consult")
    # the department head signs first (R30) but is cleared to 秘密 only
    [row] = approval_queue(session=desk("head"), clock=desk.clock)
    assert row.id == consult and row.secrecy == "受限"
    listed = {r.id: r for r in list_applications(session=desk("info"), clock=desk.clock)}
    assert listed[consult].secrecy == "受限"
    view = get_application(session=desk("head"), application_id=consult, clock=desk.clock)
    assert view.row.secrecy == "受限" and view.volumes[0].secrecy == "受限"
    assert view.volumes[0].item_count == 0 and view.volumes[0].page_count == 0
    cleared = get_application(session=desk("manager"), application_id=consult, clock=desk.clock)
    assert cleared.row.secrecy == "机密" and cleared.volumes[0].item_count == 3


def test_hand_over_and_box_lists_hide_level_and_counts_above_clearance(desk: Desk) -> None:
    lisi = desk("lisi")
    safe(lisi, desk.clock, desk.ids["lisi"])  # 层 1-2, two boxes each
    with lisi.store.new_session() as db:
        places = {c: i for c, i in db.execute(select(StorageLocation.code, StorageLocation.id))}
    vid, _code = make_volume(lisi, desk.clock, level="confidential")
    box = L.create_box(session=lisi, draft=L.BoxDraft(category_code="KH"), clock=desk.clock)
    L.place_box(session=lisi, box_id=box.id, location_id=places["K1-G1-1-2"], clock=desk.clock)
    L.put_volume(session=lisi, volume_id=vid, box_id=box.id, clock=desk.clock)
    sheet = L.hand_over_custody(
        session=lisi,
        location_ids=[places["K1-G1"]],
        to_user_id=desk.ids["zhao"],
        witness="赵六",
        note="岗位调整",
        clock=desk.clock,
    )
    [line] = sheet.lines
    assert (line.secrecy_label, line.items, line.pages) == ("机密", 3, 12)
    [seen] = L.get_handover(
        session=desk("info"), handover_id=sheet.handover_id, clock=desk.clock
    ).lines
    assert seen.reference_code == line.reference_code  # the 档号: what they count by
    assert (seen.secrecy_label, seen.items, seen.pages, seen.restricted) == ("", 0, 0, True)
    boxes = {
        b.id: b
        for b in L.list_boxes_at(
            session=desk("info"), location_id=places["K1-G1"], clock=desk.clock
        )
    }
    assert boxes[box.id].secrecy_label == "受限" and boxes[box.id].secrecy_level is None
    mine = {
        b.id: b
        for b in L.list_boxes_at(session=lisi, location_id=places["K1-G1"], clock=desk.clock)
    }
    assert mine[box.id].secrecy_label == "机密"
    form = L.handover_form(session=desk("info"), handover_id=sheet.handover_id, clock=desk.clock)
    assert [(fl.secrecy_label, fl.restricted) for fl in form.lines] == [("", True)]


def test_a_copy_of_a_file_is_audited_with_the_code_not_the_title(desk: Desk) -> None:
    import io

    from app.services.catalogue import attach_file

    vid, code = make_volume(desk("lisi"), desk.clock, title=SECRET_TITLE)
    item = get_volume(session=desk("lisi"), volume_id=vid, clock=desk.clock).items[0].id
    file_id = attach_file(
        session=desk("lisi"),
        item_id=item,
        source=io.BytesIO(b"plain text\n"),
        file_name="notes.txt",
        clock=desk.clock,
    )
    copy_file(session=desk("lisi"), file_id=file_id, purpose="核对", clock=desk.clock)
    with desk("lisi").store.new_session() as db:
        saved = db.scalars(select(AuditEntry).where(AuditEntry.action == "file.save")).one()
    assert code in saved.details and SECRET_TITLE not in saved.details
    assert "notes.txt" not in saved.details
