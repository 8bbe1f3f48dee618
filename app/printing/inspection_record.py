"""The 库房检查记录 (R41): header, readings and chart, checklist, count, measures, signatures.

The climate chart is drawn with ``reportlab.graphics`` (two line plots, temperature and relative
humidity, each over its allowed band); the same data the screen shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from app.clock import format_local
from app.domain import inspections as rules
from app.printing.base import FONT, report_styles
from app.printing.page import FRAME_W, PageSetup, render_document

if TYPE_CHECKING:
    from reportlab.graphics.shapes import Drawing

    from app.domain.inspection_rows import InspectionRecord, ReadingRow

TITLE = "库房检查记录"
CHART_TITLE = "温湿度曲线"
MAX_READING_ROWS = 62  # a month of twice-daily readings; the chart shows them all


def _band_plot(
    readings: Sequence[ReadingRow],
    values: Sequence[int],
    lo: int,
    hi: int,
    *,
    title: str,
    unit: str,
    width: float,
    height: float,
) -> Drawing:
    """One line plot of ``values`` (tenths) over time with the allowed band ``lo``–``hi``."""
    from reportlab.graphics.charts.lineplots import LinePlot
    from reportlab.graphics.shapes import Drawing, Line, Rect, String
    from reportlab.lib import colors

    drawing = Drawing(width, height)
    plot = LinePlot()
    plot.x, plot.y = 34, 22
    plot.width, plot.height = width - 48, height - 40
    xs = [r.taken_at.timestamp() for r in readings]
    ys = [v / 10 for v in values]
    span_lo = min([lo / 10, *ys]) - 2
    span_hi = max([hi / 10, *ys]) + 2
    x0, x1 = (min(xs), max(xs)) if xs else (0.0, 1.0)
    if x1 <= x0:
        x1 = x0 + 86400.0
    plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = x0, x1
    plot.yValueAxis.valueMin, plot.yValueAxis.valueMax = span_lo, span_hi
    plot.yValueAxis.labels.fontName = FONT
    plot.yValueAxis.labels.fontSize = 7
    plot.xValueAxis.labels.fontName = FONT
    plot.xValueAxis.labels.fontSize = 6
    plot.xValueAxis.valueSteps = _day_steps(x0, x1)
    plot.xValueAxis.labelTextFormat = _day_label
    plot.data = [list(zip(xs, ys, strict=True))] if xs else [[(x0, span_lo)]]
    plot.lines[0].strokeColor = colors.Color(0.1, 0.3, 0.7)
    plot.lines[0].strokeWidth = 1.2
    # the allowed band, under the line
    scale = plot.height / (span_hi - span_lo)
    band_y = plot.y + (lo / 10 - span_lo) * scale
    band_h = (hi - lo) / 10 * scale
    drawing.add(
        Rect(
            plot.x,
            band_y,
            plot.width,
            band_h,
            fillColor=colors.Color(0.85, 0.95, 0.85),
            strokeColor=None,
        )
    )
    for edge in (band_y, band_y + band_h):
        drawing.add(
            Line(
                plot.x,
                edge,
                plot.x + plot.width,
                edge,
                strokeColor=colors.Color(0.2, 0.6, 0.2),
                strokeDashArray=[3, 2],
                strokeWidth=0.6,
            )
        )
    drawing.add(plot)
    if not xs:
        drawing.add(
            String(
                plot.x + plot.width / 2,
                plot.y + plot.height / 2,
                "（无读数）",
                fontName=FONT,
                fontSize=9,
                textAnchor="middle",
            )
        )
    label = f"{title}（{unit}），允许范围 {rules.tenths(lo)}–{rules.tenths(hi)}"
    drawing.add(String(plot.x, height - 12, label, fontName=FONT, fontSize=8))
    # out-of-range points in red
    for x, y in zip(xs, ys, strict=True):
        if not lo / 10 <= y <= hi / 10:
            px = plot.x + (x - x0) / (x1 - x0) * plot.width
            py = plot.y + (y - span_lo) * scale
            drawing.add(Rect(px - 1.8, py - 1.8, 3.6, 3.6, fillColor=colors.red, strokeColor=None))
    return drawing


def _day_steps(x0: float, x1: float) -> list[float]:
    days = max(1, int((x1 - x0) // 86400))
    step = max(1, days // 8)
    return [x0 + i * step * 86400 for i in range(days // step + 1)]


def _day_label(value: float) -> str:
    return datetime.fromtimestamp(value).strftime("%m-%d")


def climate_chart(record: InspectionRecord, width: float = FRAME_W) -> Drawing:
    """The record's chart: temperature over 14–24 °C, humidity over 45–60 % (the room's limits)."""
    from reportlab.graphics.shapes import Drawing

    lim = record.climate.limits
    readings = record.climate.readings
    plots = (
        ([r.temperature for r in readings], lim.t_min, lim.t_max, "温度", "°C"),
        ([r.humidity for r in readings], lim.rh_min, lim.rh_max, "相对湿度", "%"),
    )
    both = Drawing(width, 150)
    for n, (values, low, high, title, unit) in enumerate(plots):
        plot = _band_plot(
            readings, values, low, high, title=title, unit=unit, width=width / 2 - 4, height=150
        )
        plot.shift(n * (width / 2 + 4), 0)
        both.add(plot)
    return both


def render_inspection_record(
    record: InspectionRecord,
    *,
    organisation: str,
    printed_by: str,
    username: str,
    printed_at: datetime,
) -> bytes:
    """Lay the record out on A4 pages (header, climate, checklist, count, measures, signatures)."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

    body, small, heading, grey = report_styles("", space_before=6)

    def p(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    def grid(rows: list[list[Any]], widths: list[float], header: bool = True) -> Table:
        table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
        style: list[Any] = [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), grey))
        table.setStyle(TableStyle(style))
        return table

    h = record.header
    rec = record.reconciliation
    story: list[Any] = []
    # header block
    inspectors = "、".join(h.inspectors)
    head_rows = [
        [p("编号"), p(h.number), p("类型"), p(record.kind_label)],
        [p("时间"), p(h.inspected_on.isoformat()), p("库房"), p(h.room_code)],
        [p("范围"), p(h.scope_label), p("状态"), p(h.status_label)],
        [
            p("检查人"),
            p(inspectors),
            p("结束时间"),
            p(format_local(h.closed_at) if h.closed_at else "（未结束）"),
        ],
    ]
    story.append(
        grid(
            head_rows,
            [20 * mm, FRAME_W / 2 - 20 * mm, 20 * mm, FRAME_W / 2 - 20 * mm],
            header=False,
        )
    )
    # climate
    climate = record.climate
    story.append(p("一、温湿度", heading))
    session_readings = [r for r in climate.readings if r.session_number == h.number]
    if session_readings:
        last = session_readings[-1]
        story.append(
            p(
                f"检查时读数：温度 {rules.tenths(last.temperature)} °C，"
                f"相对湿度 {rules.tenths(last.humidity)} %"
            )
        )
    lim = climate.limits
    story.append(
        p(
            f"标准：温度 {rules.tenths(lim.t_min)}–{rules.tenths(lim.t_max)} °C，相对湿度 "
            f"{rules.tenths(lim.rh_min)}–{rules.tenths(lim.rh_max)} %，日波动温度 ≤ "
            f"{rules.tenths(lim.t_swing)} °C、湿度 ≤ {rules.tenths(lim.rh_swing)} %。"
            f"期间读数 {len(climate.readings)} 次，超限 {len(climate.out_of_range())} 次，"
            f"日波动超限 {len(climate.swings)} 天。"
        )
    )
    story.append(p(CHART_TITLE, small))
    story.append(climate_chart(record))
    flagged = climate.out_of_range()[:MAX_READING_ROWS]
    if flagged or climate.swings:
        rows: list[list[Any]] = [[p("时间"), p("温度 °C"), p("湿度 %"), p("超限情况")]]
        for r in flagged:
            rows.append(
                [
                    p(format_local(r.taken_at)),
                    p(rules.tenths(r.temperature)),
                    p(rules.tenths(r.humidity)),
                    p("、".join(r.problems)),
                ]
            )
        for day, problems in sorted(climate.swings.items()):
            rows.append([p(day.isoformat()), p(""), p(""), p("、".join(problems))])
        story.append(Spacer(1, 2 * mm))
        story.append(grid(rows, [45 * mm, 22 * mm, 22 * mm, FRAME_W - 89 * mm]))
    # checklist
    story.append(p("二、检查项目", heading))
    rows = [[p("序号"), p("项目"), p("结果"), p("说明")]]
    for c in record.checks:
        result = "正常" if c.ok else ("异常" if c.ok is False else "未检查")
        rows.append([p(str(c.seq)), p(c.label), p(result), p(c.note)])
    story.append(grid(rows, [12 * mm, 60 * mm, 16 * mm, FRAME_W - 88 * mm]))
    # count
    story.append(p("三、清点（帐实核对）", heading))
    counts = {k: rec.count(k) for k in rules.DifferenceKind}
    summary = [
        [
            p("应有"),
            p("已清点（应有中）"),
            p("扫描到"),
            *[p(rules.DIFFERENCE_LABELS[k]) for k in rules.DifferenceKind],
        ],
        [
            p(str(rec.expected)),
            p(str(rec.found_expected)),
            p(str(rec.found)),
            *[p(str(counts[k])) for k in rules.DifferenceKind],
        ],
    ]
    width = FRAME_W / (3 + len(rules.DifferenceKind))
    story.append(grid(summary, [width] * (3 + len(rules.DifferenceKind))))
    fixity = record.fixity
    if fixity:
        story.append(
            p(
                f"电子文件校验：检查 {fixity.get('checked', 0)} 个，"
                f"不符 {len(fixity.get('failed', []))} 个。"
            )
        )
    story.append(Spacer(1, 2 * mm))
    story.append(p("差异清单", heading))
    rows = [
        [
            p("序号", small),
            p("差异", small),
            p("档号/编码", small),
            p("登记位置", small),
            p("发现位置", small),
            p("处理", small),
        ]
    ]
    for n, d in enumerate(rec.differences, 1):
        handled = (
            d.resolution_label + (f"：{d.note}" if d.note else "") if d.resolution else "未处理"
        )
        rows.append(
            [
                p(str(n), small),
                p(d.kind_label, small),
                p(d.code, small),
                p(d.home, small),
                p(d.seen, small),
                p(handled, small),
            ]
        )
    if len(rows) == 1:
        rows.append(
            [
                p("—", small),
                p("无差异", small),
                p("", small),
                p("", small),
                p("", small),
                p("", small),
            ]
        )
    story.append(grid(rows, [10 * mm, 24 * mm, 44 * mm, 30 * mm, 30 * mm, FRAME_W - 138 * mm]))
    # measures, tasks
    story.append(p("四、处理措施、责任人、期限", heading))
    story.append(p(h.measures or "（无）"))
    if record.tasks:
        rows = [[p("档号"), p("问题"), p("修复方式"), p("责任人"), p("期限"), p("状态")]]
        for t in record.tasks:
            rows.append(
                [
                    p(t.reference_code),
                    p(t.condition_label),
                    p(t.kind_label),
                    p(t.responsible),
                    p(t.due_on.isoformat()),
                    p(t.state_label),
                ]
            )
        story.append(Spacer(1, 2 * mm))
        story.append(grid(rows, [44 * mm, 24 * mm, 22 * mm, 26 * mm, 24 * mm, FRAME_W - 140 * mm]))
    story.append(p("五、复查", heading))
    story.append(p(h.review or "（待复查）"))
    # signatures: every inspector
    sign_rows = [[p(f"检查人：{name}"), p("签字："), p("日期：")] for name in h.inspectors] + [
        [p("库房负责人："), p("签字："), p("日期：")]
    ]
    signatures = Table(
        sign_rows,
        colWidths=[FRAME_W * 0.34, FRAME_W * 0.36, FRAME_W * 0.30],
        rowHeights=[12 * mm] * len(sign_rows),
    )
    signatures.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LINEBELOW", (1, 0), (-1, -1), 0.5, colors.black),
            ]
        )
    )
    story.append(Spacer(1, 6 * mm))
    story.append(KeepTogether([p("六、签字", heading), signatures]))
    setup = PageSetup(organisation, TITLE, printed_by, username, printed_at)
    return render_document(setup, story)
