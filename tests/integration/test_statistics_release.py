"""Releasing statistics reports: routing, frozen numbers, revisions, the distribution register,
and outputs (PDF text and xlsx cells equal the report; no personal value anywhere)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from app.clock import FixedClock
from app.domain.roles import ApproverTitle, Role
from app.domain.statistics import DRAFT_MARK, cell_text
from app.errors import CompilerCannotApprove, PermissionDenied, ReportStepNotYours, ValidationFailed
from app.services.auth import SignedIn
from app.services.exports import ExportFormat
from app.services.statistics import (
    approve_report,
    compile_report,
    compute_report,
    export_report,
    export_stored_report,
    get_stored_report,
    list_stored_reports,
    record_distribution,
    reject_report,
    report_queue,
    revise_report,
    set_statistics_routing,
    submit_report,
)
from app.storage.location import DatabaseLocation
from app.storage.models import Volume
from tests import statistics_fixtures as fx
from tests.loan_helpers import Desk
from tests.pdf_text import pdf_text

JAN = fx.PERIOD
KINDS = ("holdings", "use", "loans", "inspections", "customers", "activity")


@pytest.fixture
def desk(desk: Desk, clock: FixedClock) -> Desk:
    """The loan desk with the statistics fixture's month of work, made by 李四."""
    fx.build(desk("lisi"), clock)
    return desk


def compile_(desk: Desk, kind: str = "use", **kw: object) -> int:
    rid = compile_report(
        session=desk("lisi"),
        kind=kind,
        period_from=JAN[0],
        period_to=JAN[1],
        clock=desk.clock,
        **kw,  # type: ignore[arg-type]
    )
    submit_report(session=desk("lisi"), report_id=rid, clock=desk.clock)
    return rid


def released(desk: Desk, kind: str = "use") -> int:
    """A report of ``kind`` compiled by 李四 and released on 刘芳's (客服部经理) approval."""
    rid = compile_(desk, kind=kind)
    approve_report(session=desk("manager"), report_id=rid, opinion="", clock=desk.clock)
    return rid


def distribute(
    desk: Desk, rid: int, recipient: str, copies: int, given_on: date, **extra: str
) -> None:
    """李四 records ``copies`` copies of report ``rid`` given to ``recipient`` on ``given_on``."""
    record_distribution(
        session=desk("lisi"),
        report_id=rid,
        recipient=recipient,
        copies=copies,
        given_on=given_on,
        clock=desk.clock,
        **extra,
    )


def revise_copies(desk: Desk, rid: int, note: str) -> int:
    """李四 revises the summary's 复制页数 of report ``rid`` to 8 with ``note``; the new id."""
    return revise_report(
        session=desk("lisi"),
        report_id=rid,
        table_key="summary",
        row_label="复制页数",
        column=1,
        new_value="8",
        note=note,
        clock=desk.clock,
    )


def test_an_internal_report_is_released_after_one_review(desk: Desk) -> None:
    rid = compile_(desk)
    assert [r.id for r in report_queue(session=desk("manager"), clock=desk.clock)] == [rid]
    assert report_queue(session=desk("gm"), clock=desk.clock) == []
    state = approve_report(session=desk("sup"), report_id=rid, opinion="", clock=desk.clock)
    assert state == "released"
    stored = get_stored_report(session=desk("lisi"), report_id=rid, clock=desk.clock)
    assert stored.row.number == "TJ2026-0001" and not stored.release.is_draft
    assert "监事/主管 吴监事 同意" in stored.release.approvals[0]


def test_the_compiler_never_approves_their_own_report(
    desk: Desk, admin: SignedIn, location: DatabaseLocation
) -> None:
    from tests.factories import sign_in_as

    dual = sign_in_as(
        admin,
        location,
        desk.clock,
        "dual",
        [Role.ARCHIVIST, Role.APPROVER],
        ApproverTitle.CS_MANAGER,
    )
    rid = compile_report(
        session=dual, kind="holdings", period_from=JAN[0], period_to=JAN[1], clock=desk.clock
    )
    submit_report(session=dual, report_id=rid, clock=desk.clock)
    with pytest.raises(CompilerCannotApprove):
        approve_report(session=dual, report_id=rid, opinion="", clock=desk.clock)
    with pytest.raises(CompilerCannotApprove):
        reject_report(session=dual, report_id=rid, reason="不对", clock=desk.clock)
    assert report_queue(session=dual, clock=desk.clock) == []
    with pytest.raises(PermissionDenied):  # an archivist alone approves nothing
        approve_report(session=desk("lisi"), report_id=rid, opinion="", clock=desk.clock)


def test_a_report_for_another_department_needs_the_manager_and_the_general_manager(
    desk: Desk,
) -> None:
    rid = compile_(desk, route="other_department", requested_by="销售部")
    with pytest.raises(ReportStepNotYours):  # steps in order: the review comes first
        approve_report(session=desk("gm"), report_id=rid, opinion="", clock=desk.clock)
    assert approve_report(session=desk("sup"), report_id=rid, opinion="", clock=desk.clock) == (
        "pending"
    )
    with pytest.raises(ReportStepNotYours):
        approve_report(session=desk("gm"), report_id=rid, opinion="", clock=desk.clock)
    assert approve_report(session=desk("manager"), report_id=rid, opinion="", clock=desk.clock) == (
        "pending"
    )
    with pytest.raises(ReportStepNotYours):
        approve_report(session=desk("info"), report_id=rid, opinion="", clock=desk.clock)
    assert approve_report(session=desk("gm"), report_id=rid, opinion="同意", clock=desk.clock) == (
        "released"
    )


def test_one_approver_signs_one_step_only(desk: Desk) -> None:
    rid = compile_(desk, route="other_department", requested_by="销售部")
    approve_report(session=desk("manager"), report_id=rid, opinion="", clock=desk.clock)
    with pytest.raises(ValidationFailed) as err:
        approve_report(session=desk("manager"), report_id=rid, opinion="", clock=desk.clock)
    assert err.value.errors[0].reason == "report_signed_already"


def test_routing_is_configurable_but_keeps_the_managers_and_general_manager(
    desk: Desk, admin: SignedIn
) -> None:
    with pytest.raises(ValidationFailed):
        set_statistics_routing(
            session=admin,
            routing={
                "internal": [["cs_manager"]],
                "other_department": [["cs_manager"]],
                "revision": [["general_manager"]],
            },
            clock=desk.clock,
        )
    set_statistics_routing(
        session=admin,
        routing={
            "internal": [["info_officer"], ["cs_manager"]],
            "other_department": [["cs_manager"], ["general_manager"]],
            "revision": [["general_manager"]],
        },
        clock=desk.clock,
    )
    rid = compile_(desk)
    with pytest.raises(ReportStepNotYours):
        approve_report(session=desk("manager"), report_id=rid, opinion="", clock=desk.clock)
    approve_report(session=desk("info"), report_id=rid, opinion="", clock=desk.clock)
    assert approve_report(session=desk("manager"), report_id=rid, opinion="", clock=desk.clock) == (
        "released"
    )


def test_a_rejected_report_says_why_and_is_not_released(desk: Desk) -> None:
    rid = compile_(desk)
    with pytest.raises(ValidationFailed):
        reject_report(session=desk("manager"), report_id=rid, reason=" ", clock=desk.clock)
    reject_report(session=desk("manager"), report_id=rid, reason="期间不对", clock=desk.clock)
    row = next(r for r in list_stored_reports(session=desk("lisi"), clock=desk.clock))
    assert (row.state, row.number) == ("rejected", "")
    with pytest.raises(ValidationFailed):
        distribute(desk, rid, "销售部", 1, date(2026, 1, 20))


def test_released_numbers_do_not_change_when_the_data_does(desk: Desk) -> None:
    rid = released(desk, kind="holdings")
    before = get_stored_report(session=desk("lisi"), report_id=rid, clock=desk.clock).report
    with desk("lisi").uow(desk.clock) as uow:
        for v in uow.session.query(Volume).all():
            v.page_count += 100
        uow.commit()
    live = compute_report(
        session=desk("lisi"),
        kind="holdings",
        period_from=JAN[0],
        period_to=JAN[1],
        clock=desk.clock,
    )
    assert live.value("summary", "页") == 45 + 500
    after = get_stored_report(session=desk("lisi"), report_id=rid, clock=desk.clock).report
    assert after == before and after.value("summary", "页") == 45
    pdf = export_stored_report(
        session=desk("lisi"), report_id=rid, fmt=ExportFormat.PDF, clock=desk.clock
    )
    assert "545" not in pdf_text(pdf)


def test_a_changed_item_is_a_new_version_approved_by_the_general_manager(desk: Desk) -> None:
    rid = released(desk, kind="use")
    with pytest.raises(ValidationFailed):  # a note is required
        revise_copies(desk, rid, note="")
    new = revise_copies(desk, rid, note="补登两页复制")
    with pytest.raises(ReportStepNotYours):
        approve_report(session=desk("manager"), report_id=new, opinion="", clock=desk.clock)
    approve_report(session=desk("gm"), report_id=new, opinion="同意", clock=desk.clock)
    v2 = get_stored_report(session=desk("lisi"), report_id=new, clock=desk.clock)
    v1 = get_stored_report(session=desk("lisi"), report_id=rid, clock=desk.clock)
    assert (v2.row.number, v2.row.version, v2.row.state) == ("TJ2026-0001", 2, "released")
    assert v1.row.state == "superseded"
    assert (
        v2.report.value("summary", "复制页数") == 8 and v1.report.value("summary", "复制页数") == 6
    )
    assert "6 → 8" in v2.release.change_note and "补登两页复制" in v2.release.change_note
    assert v2.report.value("summary", "卷次") == 5  # the rest is the released version's


def test_the_distribution_register_records_who_got_how_many_copies(desk: Desk) -> None:
    rid = released(desk, kind="loans")
    distribute(desk, rid, "总经理办公室", 2, date(2026, 1, 20), note="纸质")
    distribute(desk, rid, "客服部", 1, date(2026, 1, 19))
    with pytest.raises(ValidationFailed):
        distribute(desk, rid, "销售部", 0, date(2026, 1, 20))
    stored = get_stored_report(session=desk("lisi"), report_id=rid, clock=desk.clock)
    assert [(d.recipient, d.copies, d.given_on) for d in stored.distributions] == [
        ("客服部", 1, date(2026, 1, 19)),
        ("总经理办公室", 2, date(2026, 1, 20)),
    ]
    assert stored.row.distributed == 3


# --- outputs ---------------------------------------------------------------------------------
def xlsx_cells(data: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("kind", KINDS)
def test_pdf_and_xlsx_hold_the_reports_cells_and_no_personal_value(desk: Desk, kind: str) -> None:
    rid = released(desk, kind=kind)
    stored = get_stored_report(session=desk("lisi"), report_id=rid, clock=desk.clock)
    pdf = export_stored_report(
        session=desk("lisi"), report_id=rid, fmt=ExportFormat.PDF, clock=desk.clock
    )
    book = export_stored_report(
        session=desk("lisi"), report_id=rid, fmt=ExportFormat.XLSX, clock=desk.clock
    )
    text = pdf_text(pdf).replace("\r", "")
    squeezed = "".join(text.split())
    cells = xlsx_cells(book)
    for t in stored.report.tables:
        assert "".join(t.title.split()) in squeezed
        for row in t.rows:
            assert list(row) in cells  # numbers stay numbers, labels as shown
            for c in row:
                assert "".join(cell_text(c).split()) in squeezed
    assert DRAFT_MARK not in text and "TJ2026-0001" in text
    flat = " ".join(str(c) for row in cells for c in row)
    for value in fx.PERSONAL:
        assert value not in text and value not in flat, value


def test_a_draft_carries_the_watermark_in_print_and_in_the_workbook(desk: Desk) -> None:
    report = compute_report(
        session=desk("lisi"), kind="use", period_from=JAN[0], period_to=JAN[1], clock=desk.clock
    )
    pdf = export_report(session=desk("lisi"), report=report, fmt=ExportFormat.PDF, clock=desk.clock)
    assert pdf_text(pdf).count(DRAFT_MARK) >= 3
    book = export_report(
        session=desk("lisi"), report=report, fmt=ExportFormat.XLSX, clock=desk.clock
    )
    assert [DRAFT_MARK] in xlsx_cells(book)


def test_a_stored_report_reads_the_same_for_every_reader(desk: Desk) -> None:
    rid = released(desk, kind="use")  # compiled by an archivist, who may see every title
    mine = get_stored_report(session=desk("lisi"), report_id=rid, clock=desk.clock).report
    theirs = get_stored_report(session=desk("head"), report_id=rid, clock=desk.clock).report
    assert mine == theirs
    pdf = pdf_text(
        export_stored_report(
            session=desk("head"), report_id=rid, fmt=ExportFormat.PDF, clock=desk.clock
        )
    )
    assert "Z001-KH·2025-D10-0003" in pdf
    assert fx.CONFIDENTIAL_TITLE not in pdf and fx.SECRET_TITLE not in pdf
