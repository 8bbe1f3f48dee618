"""The printed 库房检查记录: rendered, read back with pypdfium2, sections and chart present."""

from __future__ import annotations

from datetime import date, timedelta

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from app.clock import FixedClock
from app.services import inspections as I
from app.services.auth import SignedIn
from app.services.inspections import printing as inspection_print
from tests.integration.test_inspections import code_of, fill_checklist, scan, shelve, start
from tests.integration.test_locations import place_id, shelf
from tests.pdf_text import compact_pages


def path_objects(data: bytes) -> int:
    doc = pdfium.PdfDocument(data)
    return sum(
        1 for obj in doc[0].get_objects(max_depth=4) if obj.type == pdfium_c.FPDF_PAGEOBJ_PATH
    )


def a_closed_session(s: SignedIn, clock: FixedClock) -> tuple[int, list[str]]:
    shelf(s, clock)
    rid = place_id(s, clock, "K1")
    start_day = clock.now() - timedelta(days=10)
    for day in range(10):  # the twice-daily log before the inspection
        for hour, t, rh in ((0, 18.0 + day % 3, 50.0), (6, 19.0 + day % 4, 52.0 + day % 5 * 2)):
            I.record_reading(
                session=s,
                room_id=rid,
                temperature=t,
                humidity=rh,
                taken_at=start_day + timedelta(days=day, hours=hour),
                clock=clock,
            )
    _b, vids = shelve(s, clock, "K1-01-A-1-1", 3)
    sid = start(s, clock)
    I.record_reading(
        session=s, room_id=rid, temperature=25.0, humidity=58, inspection_id=sid, clock=clock
    )
    I.begin_counting(session=s, inspection_id=sid, clock=clock)
    scan(s, clock, sid, code_of(s, clock, vids[0]))
    scan(s, clock, sid, "ZZ-UNKNOWN")
    I.finish_counting(session=s, inspection_id=sid, clock=clock)
    fill_checklist(s, clock, sid)
    I.set_check(session=s, inspection_id=sid, seq=4, ok=False, note="东墙角有霉点", clock=clock)
    I.record_finding(
        session=s,
        volume_id=vids[0],
        kind="mould",
        description="封面霉斑",
        inspection_id=sid,
        task=I.TaskDraft(kind="demould", due_on=date(2026, 1, 30), responsible_name="王五"),
        clock=clock,
    )
    I.close_inspection(
        session=s,
        inspection_id=sid,
        measures="开启除湿机；霉斑案卷除霉",
        carry_over=True,
        clock=clock,
    )
    return sid, [code_of(s, clock, v) for v in vids]


def test_the_printed_record_holds_every_section_the_chart_and_the_signature_lines(
    archivist: SignedIn, clock: FixedClock
) -> None:
    sid, codes = a_closed_session(archivist, clock)
    data = inspection_print.inspection_record_pdf(session=archivist, inspection_id=sid, clock=clock)
    text = "".join(compact_pages(data))
    for section in (
        "库房检查记录",
        "编号JC2026-0001",
        "类型半年定期",
        "一、温湿度",
        "温湿度曲线",
        "二、检查项目",
        "霉变",
        "东墙角有霉点",
        "三、清点（帐实核对）",
        "差异清单",
        "四、处理措施、责任人、期限",
        "开启除湿机",
        "除霉",
        "王五",
        "2026-01-30",
        "六、签字",
        "检查人：李四",
        "检查人：王五",
        "第1页",
    ):
        assert section in text, section
    # the chart: axis titles with the bands, and its drawn lines
    assert "温度（°C），允许范围14.0–24.0" in text
    assert "相对湿度（%），允许范围45.0–60.0" in text
    assert path_objects(data) > 30
    # the count: both missing volumes and the unknown code are listed with how they ended
    assert codes[1] in text and codes[2] in text and "ZZ-UNKNOWN" in text
    assert "转下次检查" in text
    assert "温度过高" in text  # the session reading of 25 °C is listed as out of range


def test_printing_the_record_is_audited(archivist: SignedIn, clock: FixedClock) -> None:
    from sqlalchemy import select

    from app.storage.models import AuditEntry

    shelf(archivist, clock)
    sid = start(archivist, clock)
    inspection_print.record_inspection_output(
        session=archivist, inspection_id=sid, kind="print", clock=clock
    )
    with archivist.uow(clock) as uow:
        actions = list(uow.session.scalars(select(AuditEntry.action)))
    assert "print.inspection_record" in actions
