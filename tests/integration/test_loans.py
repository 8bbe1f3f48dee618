"""Applications, approvals, lending, returns and overdue on a real database (R30–R35, R40)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.domain.scan_codes import scan_payload
from app.errors import (
    ApplicationNotApproved,
    ApproverNotInRoute,
    PermissionDenied,
    ScanRejected,
    SelfApprovalRefused,
    ValidationFailed,
    VolumeAlreadyOut,
)
from app.messages import describe
from app.services.catalogue import get_volume
from app.services.loans import (
    ApplicationDraft,
    RequestedVolume,
    ReturnCount,
    approval_queue,
    file_application,
    find_open_loan,
    get_application,
    issue_loan,
    list_damage_reports,
    list_open_loans,
    list_overdue,
    overdue_count,
    reject_application,
    request_renewal,
    resolve_damage_report,
    update_loan_settings,
    use_statistics,
)
from app.storage.models import AuditEntry, UseApplication, UseLog
from tests.loan_helpers import (
    Desk,
    approve_all,
    lend,
    make_volume,
    outsider_draft,
    return_at_desk,
    staff_application,
)

# who signs each default route, step by step (tests/unit/test_loan_rules.py has the table)
SIGNERS = {
    ("consult", None): ["head", "info"],
    ("consult", "secret"): ["head", "manager"],
    ("consult", "confidential"): ["head", "manager"],
    ("consult", "top_secret"): ["head", "gm"],
    ("loan", None): ["info"],
    ("loan", "secret"): ["info"],
    ("loan", "confidential"): ["info", "manager"],
    ("loan", "top_secret"): ["info", "gm"],
    ("copy", None): ["gm"],
    ("copy", "secret"): ["gm"],
    ("copy", "confidential"): ["gm"],
    ("copy", "top_secret"): ["gm"],
    ("excerpt", None): ["gm"],
    ("excerpt", "secret"): ["gm"],
    ("excerpt", "confidential"): ["gm"],
    ("excerpt", "top_secret"): ["gm"],
    ("external", None): ["sup", "manager"],
    ("external", "secret"): ["sup", "gm"],
    ("external", "confidential"): ["sup", "manager"],
    ("external", "top_secret"): ["sup", "manager"],
}
# a title that is not on the route of each kind (refused at every level)
OUTSIDE = {
    "consult": "sup",
    "loan": "head",
    "copy": "manager",
    "excerpt": "info",
    "external": "info",
}


def test_every_kind_and_secrecy_level_is_approved_by_its_route_and_refused_outside_it(
    desk: Desk,
) -> None:
    volumes = {
        level: make_volume(desk("lisi"), desk.clock, level=level)[0]
        for level in (None, "secret", "confidential", "top_secret")
    }
    for (kind, level), signers in SIGNERS.items():
        app_id = staff_application(desk, [volumes[level]], kind=kind)
        with pytest.raises(ApproverNotInRoute):
            approve_all(desk, app_id, OUTSIDE[kind])
        for n, signer in enumerate(signers):
            state = approve_all(desk, app_id, signer)
            expected = "approved" if n == len(signers) - 1 else "pending"
            assert state == expected, (kind, level, signer)


def test_classified_consultation_cannot_be_finished_by_the_information_officer(
    desk: Desk,
) -> None:
    vid, _code = make_volume(desk("lisi"), desk.clock, level="confidential")
    app_id = staff_application(desk, [vid], kind="consult")
    approve_all(desk, app_id, "head")
    with pytest.raises(ApproverNotInRoute) as info:
        approve_all(desk, app_id, "info")  # R31: 客服部经理 or higher
    assert "客服部经理或总经理" in describe(info.value)


def test_an_approver_never_decides_their_own_application_on_any_path(desk: Desk) -> None:
    vid, _code = make_volume(desk("lisi"), desk.clock)
    own = staff_application(desk, [vid], kind="consult", applicant="head")
    for decide in (
        lambda: approve_all(desk, own, "head"),
        lambda: reject_application(
            session=desk("head"), application_id=own, reason="x", clock=desk.clock
        ),
    ):
        with pytest.raises(SelfApprovalRefused):
            decide()
    assert own not in [r.id for r in approval_queue(session=desk("head"), clock=desk.clock)]
    # entered by an archivist who is also an approver: not theirs to approve either
    entered = staff_application(desk, [vid], kind="loan", by="both")
    assert entered not in [r.id for r in approval_queue(session=desk("both"), clock=desk.clock)]
    with pytest.raises(SelfApprovalRefused):
        approve_all(desk, entered, "both")
    # a renewal of one's own loan
    lent = staff_application(desk, [vid], kind="loan", applicant="both")
    approve_all(desk, lent, "info")
    loan = issue_loan(session=desk("lisi"), application_id=lent, volume_id=vid, clock=desk.clock)
    renewal = request_renewal(
        session=desk("lisi"), loan_id=loan.loan_id, reason="尚未核对完", clock=desk.clock
    )
    with pytest.raises(SelfApprovalRefused):
        approve_all(desk, renewal.application_id, "both")
    assert "不能审批本人的申请" in describe(SelfApprovalRefused())


def test_approval_by_a_user_without_the_title_or_role_is_refused(desk: Desk) -> None:
    vid, _code = make_volume(desk("lisi"), desk.clock)
    app_id = staff_application(desk, [vid], kind="copy")
    with pytest.raises(ApproverNotInRoute) as info:
        approve_all(desk, app_id, "manager")
    assert "总经理" in describe(info.value)
    with pytest.raises(PermissionDenied):
        approve_all(desk, app_id, "lisi")  # an archivist is no approver
    assert approval_queue(session=desk("manager"), clock=desk.clock) == []
    assert [r.id for r in approval_queue(session=desk("gm"), clock=desk.clock)] == [app_id]


def test_a_rejected_application_keeps_its_reason_and_cannot_be_issued(desk: Desk) -> None:
    vid, _code = make_volume(desk("lisi"), desk.clock)
    app_id = staff_application(desk, [vid], kind="loan")
    with pytest.raises(ValidationFailed) as empty:
        reject_application(
            session=desk("info"), application_id=app_id, reason=" ", clock=desk.clock
        )
    assert empty.value.errors[0].field == "reason"
    reject_application(
        session=desk("info"), application_id=app_id, reason="用途与所借档案无关", clock=desk.clock
    )
    view = get_application(session=desk("lisi"), application_id=app_id, clock=desk.clock)
    assert view.row.state_label == "已驳回"
    assert view.row.rejection_reason == "用途与所借档案无关"
    assert view.approvals[0].decision == "reject"
    with pytest.raises(ApplicationNotApproved):
        issue_loan(session=desk("lisi"), application_id=app_id, volume_id=vid, clock=desk.clock)
    with pytest.raises(ValidationFailed):
        approve_all(desk, app_id, "info")  # decided


def test_an_outsider_without_a_letter_or_work_id_is_refused(desk: Desk) -> None:
    vid, _code = make_volume(desk("lisi"), desk.clock)
    draft = ApplicationDraft(
        kind="consult",
        purpose="审计核对",
        volumes=(RequestedVolume(vid),),
        outsider=True,
        applicant_name="陈律师",
    )
    with pytest.raises(ValidationFailed) as refused:
        file_application(session=desk("lisi"), draft=draft, clock=desk.clock)
    fields = {e.field for e in refused.value.errors}
    assert fields == {"unit", "credential", "credential_number"}
    assert "介绍信或工作证" in describe(refused.value)
    ok = outsider_draft("consult", "审计核对", RequestedVolume(vid), phone="13912345678")
    saved = file_application(session=desk("lisi"), draft=ok, clock=desk.clock)
    view = get_application(
        session=desk("lisi"), application_id=saved.application_id, clock=desk.clock
    )
    assert view.credential == "介绍信"
    assert view.credential_number.startswith("沪律函") and "*" in view.credential_number
    assert view.phone == "139****5678"
    with desk("lisi").uow(desk.clock) as uow:  # personal values are stored encrypted
        row = uow.session.get(UseApplication, saved.application_id)
        assert row is not None and b"5678" not in (row.phone_enc or b"")


def test_a_staff_application_without_a_department_is_refused(desk: Desk) -> None:
    from app.services.loans import set_staff_department

    set_staff_department(
        session=desk.admin, user_id=desk.ids["zhao"], department="", clock=desk.clock
    )
    vid, _code = make_volume(desk("lisi"), desk.clock)
    with pytest.raises(ValidationFailed) as refused:
        staff_application(desk, [vid])
    assert [e.field for e in refused.value.errors] == ["department"]


def test_issue_by_scan_is_due_in_three_days_and_the_volume_shows_on_loan(desk: Desk) -> None:
    vid, code = make_volume(desk("lisi"), desk.clock)
    app_id = staff_application(desk, [vid])
    with pytest.raises(ApplicationNotApproved):
        issue_loan(
            session=desk("lisi"), application_id=app_id, scan=scan_payload(code), clock=desk.clock
        )
    approve_all(desk, app_id, "info")
    with pytest.raises(ScanRejected):
        issue_loan(session=desk("lisi"), application_id=app_id, scan=code + "*0", clock=desk.clock)
    loan = issue_loan(
        session=desk("lisi"), application_id=app_id, scan=scan_payload(code), clock=desk.clock
    )
    assert loan.due_on == date(2026, 1, 8)  # FixedClock: Monday 5 January 2026
    assert loan.scan_payload == scan_payload(loan.number)
    assert get_volume(session=desk("lisi"), volume_id=vid, clock=desk.clock).state == "on_loan"
    with desk("lisi").uow(desk.clock) as uow:
        log = uow.session.scalars(select(UseLog)).one()
        assert (log.kind, log.purpose, log.applicant_name) == ("loan", "核对合同条款", "赵敏")
        actions = list(uow.session.scalars(select(AuditEntry.action)))
        assert "loan.issue" in actions


def test_a_scan_finds_the_oldest_approved_application_asking_for_that_volume(
    desk: Desk,
) -> None:
    from app.services.loans import find_application_for_scan

    (v1, c1), (v2, c2), (v3, c3), (v4, c4) = (
        make_volume(desk("lisi"), desk.clock, items=1) for _ in range(4)
    )
    first = staff_application(desk, [v1, v2])
    second = staff_application(desk, [v2, v3])
    waiting = staff_application(desk, [v4])  # filed, not approved
    approve_all(desk, first, "info")
    approve_all(desk, second, "info")

    def found(code: str) -> int:
        return find_application_for_scan(session=desk("lisi"), scan=code, clock=desk.clock)

    assert found(scan_payload(c2)) == first  # both ask for it: the oldest
    assert found(c3.replace("·", ".")) == second  # typed with "." instead of "·"
    issue_loan(session=desk("lisi"), application_id=first, scan=c2, clock=desk.clock)
    assert found(c2) == second  # out under the first: the next one asking for it
    assert waiting and found(c1) == first
    for code in (c4, "Z999-KH·2024-Y-0001"):  # asked for by no approved application; unknown
        with pytest.raises(ValidationFailed) as refused:
            found(code)
        assert [e.reason for e in refused.value.errors] == ["no_approved_application"]
    with pytest.raises(ScanRejected):
        found(c1 + "*0")  # a wrong check character


def test_a_volume_already_out_cannot_be_lent_again(desk: Desk) -> None:
    vid, code = make_volume(desk("lisi"), desk.clock)
    first = staff_application(desk, [vid])
    second = staff_application(desk, [vid])
    approve_all(desk, first, "info")
    approve_all(desk, second, "info")
    loan = issue_loan(session=desk("lisi"), application_id=first, scan=code, clock=desk.clock)
    with pytest.raises(VolumeAlreadyOut) as refused:
        issue_loan(session=desk("lisi"), application_id=second, scan=code, clock=desk.clock)
    assert loan.number in describe(refused.value)
    with pytest.raises(ValidationFailed):
        other, _c = make_volume(desk("lisi"), desk.clock)
        issue_loan(session=desk("lisi"), application_id=second, volume_id=other, clock=desk.clock)


def test_due_dates_follow_the_configured_period_working_days_and_the_maximum(
    desk: Desk,
) -> None:
    with pytest.raises(ValidationFailed) as too_long:
        update_loan_settings(session=desk.admin, changes={"loan_days": 5}, clock=desk.clock)
    assert too_long.value.errors[0].reason == "loan_days_max"
    update_loan_settings(
        session=desk.admin,
        changes={
            "loan_max_days": 5,
            "loan_days": 4,
            "loan_working_days": True,
            "loan_holidays": ["2026-01-07"],
        },
        clock=desk.clock,
    )
    vid, code = make_volume(desk("lisi"), desk.clock)
    app_id = staff_application(desk, [vid])
    approve_all(desk, app_id, "info")
    with pytest.raises(ValidationFailed) as beyond:
        issue_loan(
            session=desk("lisi"),
            application_id=app_id,
            scan=code,
            due_on=date(2026, 1, 31),
            clock=desk.clock,
        )
    assert beyond.value.errors[0].reason == "beyond_policy"
    loan = issue_loan(session=desk("lisi"), application_id=app_id, scan=code, clock=desk.clock)
    # Mon 5 Jan + 4 working days (Tue 6, Thu 8, Fri 9, Mon 12; Wed 7 is a holiday)
    assert loan.due_on == date(2026, 1, 12)


def test_return_by_slip_with_a_shortfall_opens_a_report_until_resolved(desk: Desk) -> None:
    vid, code = make_volume(desk("lisi"), desk.clock, items=3, pages_each=4)
    app_id = staff_application(desk, [vid])
    approve_all(desk, app_id, "info")
    loan = issue_loan(session=desk("lisi"), application_id=app_id, scan=code, clock=desk.clock)
    check = find_open_loan(session=desk("lisi"), scan=loan.scan_payload, clock=desk.clock)
    assert (check.expected_items, check.expected_pages) == (3, 12)
    assert check.reference_code == code
    assert find_open_loan(session=desk("lisi"), scan=scan_payload(code), clock=desk.clock) == check
    with pytest.raises(ValidationFailed) as unconfirmed:
        return_at_desk(desk, loan.loan_id, ReturnCount(12, 3, "intact", face_to_face=False))
    assert unconfirmed.value.errors[0].field == "counted_face_to_face"
    done = return_at_desk(
        desk, loan.loan_id, ReturnCount(10, 3, "intact", face_to_face=True, note="第2件缺第7、8页")
    )
    assert done.report_id is not None and done.volume_state == "on_shelf"
    reports = list_damage_reports(session=desk("lisi"), clock=desk.clock)
    assert [(r.kind_label, r.counted, r.state) for r in reports] == [
        ("短缺", "3 件 / 10 页", "open")
    ]
    view = get_application(session=desk("lisi"), application_id=app_id, clock=desk.clock)
    assert view.row.state_label == "已办结"
    with pytest.raises(ValidationFailed):
        find_open_loan(session=desk("lisi"), scan=loan.scan_payload, clock=desk.clock)
    resolve_damage_report(
        session=desk("lisi"), report_id=done.report_id, resolution="已找回并归卷", clock=desk.clock
    )
    assert list_damage_reports(session=desk("lisi"), clock=desk.clock) == []
    assert len(list_damage_reports(session=desk("lisi"), clock=desk.clock, open_only=False)) == 1


def test_a_damaged_return_goes_to_repair_and_needs_a_description(desk: Desk) -> None:
    vid, code = make_volume(desk("lisi"), desk.clock)
    loan = lend(desk, vid, code)
    with pytest.raises(ValidationFailed) as no_note:
        return_at_desk(desk, loan.loan_id, ReturnCount(12, 3, "damaged", face_to_face=True))
    assert no_note.value.errors[0].field == "note"
    done = return_at_desk(
        desk,
        loan.loan_id,
        ReturnCount(12, 3, "damaged", face_to_face=True, note="封皮撕裂", to_repair=True),
    )
    assert done.volume_state == "in_repair" and done.report_id is not None
    second = staff_application(desk, [vid])
    approve_all(desk, second, "info")
    with pytest.raises(VolumeAlreadyOut):  # in repair: not lent
        issue_loan(session=desk("lisi"), application_id=second, scan=code, clock=desk.clock)


def test_overdue_list_escalates_to_the_department_head_and_never_lists_returned_loans(
    desk: Desk,
) -> None:
    a, code_a = make_volume(desk("lisi"), desk.clock)
    b, code_b = make_volume(desk("lisi"), desk.clock)
    app_id = staff_application(desk, [a, b])
    approve_all(desk, app_id, "info")
    first = issue_loan(session=desk("lisi"), application_id=app_id, scan=code_a, clock=desk.clock)
    issue_loan(session=desk("lisi"), application_id=app_id, scan=code_b, clock=desk.clock)
    desk.clock.advance(days=4)  # due 8 January; now 9 January: one day overdue
    rows = list_overdue(session=desk("lisi"), clock=desk.clock)
    assert [(r.reference_code, r.overdue_days, r.escalate_to) for r in rows] == [
        (code_a, 1, ""),
        (code_b, 1, ""),
    ]
    assert overdue_count(session=desk("lisi"), clock=desk.clock) == 2
    return_at_desk(desk, first.loan_id)
    desk.clock.advance(days=2)  # three days overdue: the department head is told
    rows = list_overdue(session=desk("lisi"), clock=desk.clock)
    assert [(r.reference_code, r.overdue_days, r.escalate_to) for r in rows] == [
        (code_b, 3, "钱部长")
    ]
    assert [r.reference_code for r in list_open_loans(session=desk("lisi"), clock=desk.clock)] == [
        code_b
    ]
    stats = use_statistics(
        session=desk("lisi"),
        clock=desk.clock,
        date_from=date(2026, 1, 1),
        date_to=date(2026, 1, 31),
    )
    assert (stats.person_times, stats.volume_times, stats.loans) == (1, 2, 2)
    assert (stats.overdue_now, stats.returned_late) == (1, 1)


def test_renewal_needs_approval_before_the_due_date_moves(desk: Desk) -> None:
    vid, code = make_volume(desk("lisi"), desk.clock)
    loan = lend(desk, vid, code)
    renewal = request_renewal(
        session=desk("lisi"), loan_id=loan.loan_id, reason="合同核对尚未完成", clock=desk.clock
    )
    assert renewal.steps == ("信息管理专员（孙专员、郑双）",)
    with pytest.raises(ValidationFailed):  # one renewal at a time
        request_renewal(session=desk("lisi"), loan_id=loan.loan_id, reason="再续", clock=desk.clock)
    [row] = list_open_loans(session=desk("lisi"), clock=desk.clock)
    assert (row.due_on, row.renewals) == (date(2026, 1, 8), 0)
    approve_all(desk, renewal.application_id, "info")
    [row] = list_open_loans(session=desk("lisi"), clock=desk.clock)
    assert (row.due_on, row.renewals) == (date(2026, 1, 11), 1)


def test_copies_count_pages_in_the_use_statistics(desk: Desk) -> None:
    vid, code = make_volume(desk("lisi"), desk.clock)
    app_id = staff_application(desk, [vid], kind="copy", page_count=6)
    approve_all(desk, app_id, "gm")
    loan = issue_loan(session=desk("lisi"), application_id=app_id, scan=code, clock=desk.clock)
    assert loan.due_on == date(2026, 1, 5)  # on site: back the same day
    stats = use_statistics(
        session=desk("lisi"), clock=desk.clock, date_from=date(2026, 1, 5), date_to=date(2026, 1, 5)
    )
    assert (stats.person_times, stats.volume_times, stats.pages_copied) == (1, 1, 6)
    assert stats.by_kind == {"复制": 1}
    assert stats.loans == 0


def test_an_approver_below_the_level_sees_only_the_reference_code(desk: Desk) -> None:
    vid, code = make_volume(desk("lisi"), desk.clock, level="top_secret", title="绝密客户合同")
    app_id = staff_application(desk, [vid], kind="consult")
    [row] = approval_queue(session=desk("head"), clock=desk.clock)
    assert row.volumes == code
    view = get_application(session=desk("head"), application_id=app_id, clock=desk.clock)
    assert view.volumes[0].title == "受限" and view.volumes[0].restricted
    manager_view = get_application(session=desk("gm"), application_id=app_id, clock=desk.clock)
    assert manager_view.volumes[0].title == "绝密客户合同"


def test_a_requested_loan_period_beyond_the_policy_is_refused(desk: Desk) -> None:
    vid, _code = make_volume(desk("lisi"), desk.clock)
    draft = ApplicationDraft(
        kind="loan",
        purpose="核对",
        volumes=(RequestedVolume(vid),),
        applicant_user_id=desk.ids["zhao"],
        requested_until=desk.clock.now().date() + timedelta(days=10),
    )
    with pytest.raises(ValidationFailed) as refused:
        file_application(session=desk("lisi"), draft=draft, clock=desk.clock)
    assert refused.value.errors[0].reason == "beyond_policy"


def test_steps_are_signed_in_order_so_the_department_head_signs_first(desk: Desk) -> None:
    vid, _code = make_volume(desk("lisi"), desk.clock)
    app_id = staff_application(desk, [vid], kind="consult")
    assert approval_queue(session=desk("info"), clock=desk.clock) == []
    with pytest.raises(ApproverNotInRoute) as early:
        approve_all(desk, app_id, "info")
    assert "部门负责人" in describe(early.value)
    assert approve_all(desk, app_id, "head", "info") == "approved"


def test_classified_content_may_be_copied_only_while_an_approved_copy_is_issued(
    desk: Desk,
) -> None:
    from app.services.loans import copy_approved

    vid, code = make_volume(desk("lisi"), desk.clock, level="confidential")
    item = get_volume(session=desk("lisi"), volume_id=vid, clock=desk.clock).items[0].id
    assert copy_approved(session=desk("zhao"), item_id=item, clock=desk.clock) is None
    lent = staff_application(desk, [vid], kind="loan")
    approve_all(desk, lent, "info", "manager")
    loan = issue_loan(session=desk("lisi"), application_id=lent, scan=code, clock=desk.clock)
    assert copy_approved(session=desk("zhao"), item_id=item, clock=desk.clock) is None  # a loan
    return_at_desk(desk, loan.loan_id)
    copy = staff_application(desk, [vid], kind="copy", page_count=4)
    approve_all(desk, copy, "gm")
    copied = issue_loan(session=desk("lisi"), application_id=copy, scan=code, clock=desk.clock)
    grant = copy_approved(session=desk("zhao"), item_id=item, clock=desk.clock)
    assert grant is not None and grant.applicant == "赵敏"
    # the applicant's, nobody else's: the archivist who issued it holds no copy of their own
    assert copy_approved(session=desk("lisi"), item_id=item, clock=desk.clock) is None
    return_at_desk(desk, copied.loan_id)
    assert copy_approved(session=desk("zhao"), item_id=item, clock=desk.clock) is None
