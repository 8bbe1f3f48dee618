"""The one input rule (issue 21): every scan field takes the typed code too.

A 档号 typed with ``·``, ``.`` or ``-``, a box number, a place code and a loan number are found
with or without their check character; a wrong check character is refused, never guessed.
The quick loan (快速借出) keeps every rule of the ordinary path.
"""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.scan_codes import ScanKind, check_character, scan_payload
from app.errors import ScanRejected, SelfApprovalRefused, ValidationFailed, VolumeAlreadyOut
from app.services import inspections as I
from app.services import locations as L
from app.services.loans import (
    ApplicationDraft,
    RequestedVolume,
    find_open_loan,
    issue_loan,
    plan_quick_loan,
    quick_loan,
    volume_id_for_scan,
)
from tests.integration.test_locations import shelf
from tests.loan_helpers import Desk, approve_all, make_volume, staff_application


def typings(reference: str) -> list[str]:
    """The ways an operator may type a 档号 that holds a ``·``."""
    dotted = reference.replace("·", ".")
    dashed = reference.replace("·", "-")
    return [
        reference,
        dotted,
        dashed.lower(),
        f"{dotted}*{check_character(reference)}",
        f"{dashed}*{check_character(reference)}",
        f"  {reference}*{check_character(reference)}  ",
    ]


def wrong_check(code: str) -> str:
    good = check_character(code)
    return f"{code}*{'0' if good != '0' else '1'}"


def test_places_boxes_and_volumes_are_found_typed_or_scanned(desk: Desk) -> None:
    s, clock = desk("lisi"), desk.clock
    shelf(s, clock, columns="1", faces="A", sections="1", layers="1")
    box = L.create_box(session=s, draft=L.BoxDraft(), clock=clock)
    vid, reference = make_volume(s, clock)
    assert "·" in reference
    for text in ("K1-01-A-1-1", "k1-01-a-1-1", scan_payload("K1-01-A-1-1")):
        found = L.resolve_scan(session=s, text=text, clock=clock)
        assert found is not None and found.kind is ScanKind.LOCATION, text
    for text in (box.code, box.code.lower(), scan_payload(box.code)):
        found = L.resolve_scan(session=s, text=text, clock=clock)
        assert found is not None and (found.kind, found.object_id) == (ScanKind.BOX, box.id)
    for text in typings(reference):
        found = L.resolve_scan(session=s, text=text, clock=clock)
        assert found is not None and (found.kind, found.object_id) == (ScanKind.VOLUME, vid), text
        assert found.code == reference
        assert volume_id_for_scan(session=s, scan=text, clock=clock) == vid, text
    for code in (box.code, "K1-01-A-1-1", reference, reference.replace("·", "-")):
        with pytest.raises(L.ScanRejected):
            L.resolve_scan(session=s, text=wrong_check(code), clock=clock)
    with pytest.raises(ScanRejected):
        volume_id_for_scan(session=s, scan=wrong_check(reference), clock=clock)
    with pytest.raises(L.ScanNotFound):
        L.resolve_scan(session=s, text="K9-99", clock=clock)  # typed, names nothing
    assert L.resolve_scan(session=s, text="张三丰", clock=clock) is None


def test_the_return_desk_finds_a_loan_by_typed_number_or_typed_reference(desk: Desk) -> None:
    s, clock = desk("lisi"), desk.clock
    vid, reference = make_volume(s, clock)
    app_id = staff_application(desk, [vid])
    approve_all(desk, app_id, "info")
    loan = issue_loan(
        session=s, application_id=app_id, scan=reference.replace("·", "."), clock=clock
    )
    texts = [
        loan.number,
        loan.number.lower(),
        loan.scan_payload,
        *typings(reference),
    ]
    for text in texts:
        assert find_open_loan(session=s, scan=text, clock=clock).loan_id == loan.loan_id, text
    with pytest.raises(ScanRejected):
        find_open_loan(session=s, scan=wrong_check(loan.number), clock=clock)
    with pytest.raises(ValidationFailed):
        find_open_loan(session=s, scan="JY1999-000001", clock=clock)


def test_an_inspection_counts_a_typed_code(desk: Desk) -> None:
    s, clock = desk("lisi"), desk.clock
    shelf(s, clock, columns="1", faces="A", sections="1", layers="1")
    room = L.resolve_scan(session=s, text="K1", clock=clock)
    assert room is not None
    draft = I.InspectionDraft(
        kind="half_yearly",
        room_id=room.object_id,
        inspected_on=date(2026, 1, 5),
        inspectors=(I.Inspector(user_id=s.actor.user_id), I.Inspector(name="王五")),
    )
    sid = I.start_inspection(session=s, draft=draft, clock=clock)
    I.begin_counting(session=s, inspection_id=sid, clock=clock)
    ack = I.record_scan(session=s, inspection_id=sid, text="k1-01-a-1-1", clock=clock)
    assert ack.verdict == "place"


def quick_draft(desk: Desk, vid: int, borrower: str = "zhao") -> ApplicationDraft:
    return ApplicationDraft(
        kind="loan",
        purpose="核对合同条款",
        volumes=(RequestedVolume(vid),),
        applicant_user_id=desk.ids[borrower],
    )


def test_a_quick_loan_is_filed_approved_by_the_present_approver_and_issued(desk: Desk) -> None:
    s, clock = desk("lisi"), desk.clock
    vid, _reference = make_volume(s, clock)
    plan = plan_quick_loan(session=s, draft=quick_draft(desk, vid), clock=clock)
    assert plan.single_step and plan.steps == ("信息管理专员（孙专员、郑双）",)  # named
    assert {a.username for a in plan.approvers} == {"info", "both"}
    done = quick_loan(session=s, approver=desk("info"), draft=quick_draft(desk, vid), clock=clock)
    assert len(done.loans) == 1
    with pytest.raises(VolumeAlreadyOut):  # R34: never lent twice
        plan_quick_loan(session=s, draft=quick_draft(desk, vid), clock=clock)


def test_a_quick_loan_keeps_the_rules_of_the_ordinary_path(desk: Desk) -> None:
    s, clock = desk("lisi"), desk.clock
    vid, _ = make_volume(s, clock)
    # R34: the approver may not approve a loan they borrow themselves
    with pytest.raises(SelfApprovalRefused):
        quick_loan(
            session=s, approver=desk("both"), draft=quick_draft(desk, vid, "both"), clock=clock
        )
    plan = plan_quick_loan(session=s, draft=quick_draft(desk, vid, "both"), clock=clock)
    assert [a.username for a in plan.approvers] == ["info"]  # the borrower is never offered
    # a title outside the route may not sign it
    from app.errors import ApproverNotInRoute

    with pytest.raises(ApproverNotInRoute):
        quick_loan(session=s, approver=desk("gm"), draft=quick_draft(desk, vid), clock=clock)
    # R31: 机密 material takes two steps — not a quick loan
    secret, _ = make_volume(s, clock, level="confidential")
    plan = plan_quick_loan(session=s, draft=quick_draft(desk, secret), clock=clock)
    assert not plan.single_step and plan.approvers == ()
    with pytest.raises(ValidationFailed):
        quick_loan(session=s, approver=desk("info"), draft=quick_draft(desk, secret), clock=clock)
    # nothing was filed by the refused attempts
    from app.services.loans import list_applications

    assert list_applications(session=s, clock=clock) == []


def test_a_new_volume_is_proposed_the_newest_box_of_its_category_with_room(desk: Desk) -> None:
    s, clock = desk("lisi"), desk.clock
    shelf(s, clock, columns="1", faces="A", sections="1", layers="1")
    full = L.create_box(session=s, draft=L.BoxDraft(capacity=1), clock=clock)
    older = L.create_box(session=s, draft=L.BoxDraft(), clock=clock)
    vid, _ = make_volume(s, clock)
    first = L.propose_box_for_volume(session=s, volume_id=vid, clock=clock)
    assert first.box_id == older.id  # the newest with room
    L.put_volume(session=s, volume_id=vid, box_id=full.id, clock=clock)
    newest = L.create_box(session=s, draft=L.BoxDraft(), clock=clock)
    other, _ = make_volume(s, clock)
    assert L.propose_box_for_volume(session=s, volume_id=other, clock=clock).box_id == newest.id
    # R22: a 机密 volume is never proposed a box standing on an ordinary shelf
    L.place_box(session=s, box_id=newest.id, clock=clock)
    L.place_box(session=s, box_id=older.id, clock=clock)
    secret, _ = make_volume(s, clock, level="confidential")
    proposal = L.propose_box_for_volume(session=s, volume_id=secret, clock=clock)
    assert proposal.box_id is None
