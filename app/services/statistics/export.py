"""Printing and exporting reports (PDF with charts, xlsx): the same rows as the screen, audited.

A stored report is read back by id (its frozen numbers, filtered for the reader); a report just
computed on the page is exported as it is shown, as a draft. Every output is an audited use
(R40) and carries its state: a draft says 草稿 — 未经批准不得报发 on every page and at the top of
the workbook.
"""

from __future__ import annotations

import io

from app.clock import Clock
from app.domain.statistics import DRAFT_MARK, RELEASE_LABELS, ReleaseInfo, ReleaseState, Report
from app.domain.statistics import cell_text as cell_text
from app.printing.stamp import format_printed_at, printed_by_text
from app.security.cells import safe_row, safe_text
from app.services.auth import SignedIn
from app.services.common import authorize, form_stamp
from app.services.exports import ExportFormat
from app.services.statistics.stored import get_stored_report


def export_stored_report(
    *, session: SignedIn, report_id: int, fmt: ExportFormat, clock: Clock
) -> bytes:
    """A stored report (draft, pending or released) as PDF or xlsx."""
    stored = get_stored_report(session=session, report_id=report_id, clock=clock)
    return _write(session, clock, stored.report, stored.release, fmt, report_id)


def export_report(*, session: SignedIn, report: Report, fmt: ExportFormat, clock: Clock) -> bytes:
    """A report computed on the page (not stored) as PDF or xlsx: a draft, watermarked."""
    return _write(
        session, clock, report, ReleaseInfo(compiled_by=session.actor.display_name), fmt, None
    )


def _write(
    session: SignedIn,
    clock: Clock,
    report: Report,
    release: ReleaseInfo,
    fmt: ExportFormat,
    report_id: int | None,
) -> bytes:
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "statistics.read")
        organisation = uow.settings.load().organisation.organisation_name
        uow.audit.record(
            "statistics.export",
            object_type="statistics_report" if report_id else None,
            object_id=report_id,
            details={
                "kind": report.kind,
                "format": fmt.value,
                "number": release.number,
                "version": release.version,
                "draft": release.is_draft,
            },
        )
        uow.commit()
    if fmt == ExportFormat.PDF:
        from app.printing.statistics.report import StatisticsDocument, render_statistics_report

        return render_statistics_report(
            StatisticsDocument(
                **form_stamp(session.actor, organisation, clock.now()),
                report=report,
                release=release,
            )
        )
    return report_xlsx(report, release, session, clock)


def report_xlsx(report: Report, release: ReleaseInfo, session: SignedIn, clock: Clock) -> bytes:
    """The report as a workbook: header lines, then each table (numbers stay numbers)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from app.printing.statistics.report import MARKING, release_lines

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = safe_text(report.title)[:31] or "统计"
    sheet.append(safe_row([report.title]))
    sheet["A1"].font = Font(bold=True, size=14)
    if release.is_draft:
        sheet.append(safe_row([DRAFT_MARK]))
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, color="B00000")
    who = printed_by_text(session.actor.display_name, session.actor.username)
    sheet.append(safe_row([f"密级/标识：{MARKING}"]))
    sheet.append(safe_row([f"导出人：{who}　导出时间：{format_printed_at(clock.now())}"]))
    for key, value in release_lines(report, release):
        sheet.append(safe_row([key, value]))
    widest = 2
    for t in report.tables:
        sheet.append(safe_row([]))
        sheet.append(safe_row([t.title]))
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        sheet.append(safe_row(t.headers))
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for r in t.rows:
            sheet.append(safe_row(r))
        widest = max(widest, len(t.headers))
    for note in report.notes:
        sheet.append(safe_row([]))
        sheet.append(safe_row(["说明：" + note]))
    sheet.column_dimensions["A"].width = 28
    for n in range(2, widest + 1):
        sheet.column_dimensions[get_column_letter(n)].width = 16
    state = RELEASE_LABELS.get(ReleaseState(release.state), "")
    sheet.oddHeader.right.text = safe_text(DRAFT_MARK if release.is_draft else f"{MARKING} {state}")
    sheet.oddFooter.right.text = "第 &P 页 / 共 &N 页"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
