"""Charts of a statistics report drawn with ``reportlab.graphics`` (bar, line, pie).

Each chart is drawn from a :class:`app.domain.statistics.Chart`, the same numbers as the table
it comes from and as the screen's chart; values are written on the bars and slices so the
printout reads without a ruler. Chinese labels use the embedded CJK font.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.domain.statistics import PALETTE, Chart
from app.printing.base import FONT

if TYPE_CHECKING:
    from reportlab.graphics.shapes import Drawing

MAX_LABEL = 8  # characters of a category label under a bar


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def draw_chart(chart: Chart, width: float, height: float = 170.0) -> Drawing:
    """The chart as a Drawing of ``width`` × ``height`` points."""
    from reportlab.graphics.shapes import Drawing, String

    drawing = Drawing(width, height)
    drawing.add(String(0, height - 12, chart.title, fontName=FONT, fontSize=10))
    if not chart.labels or not any(v for _n, values in chart.series for v in values):
        drawing.add(
            String(
                width / 2, height / 2, "本期无数据", fontName=FONT, fontSize=9, textAnchor="middle"
            )
        )
        return drawing
    if chart.kind == "pie":
        _pie(drawing, chart, width, height - 18)
    elif chart.kind == "line":
        _line(drawing, chart, width, height - 18)
    else:
        _bar(drawing, chart, width, height - 18)
    return drawing


def _colour(index: int):  # type: ignore[no-untyped-def]  # a ReportLab Color
    from reportlab.lib import colors

    return colors.Color(*PALETTE[index % len(PALETTE)])


def _bar(drawing: Drawing, chart: Chart, width: float, height: float) -> None:
    from reportlab.graphics.charts.barcharts import VerticalBarChart

    bars = VerticalBarChart()
    bars.x, bars.y = 40, 30
    bars.width, bars.height = width - 60, height - 44
    bars.data = [list(values) for _n, values in chart.series]
    bars.categoryAxis.categoryNames = [_short(label) for label in chart.labels]
    bars.categoryAxis.labels.fontName = FONT
    bars.categoryAxis.labels.fontSize = 7
    if len(chart.labels) > 8:
        bars.categoryAxis.labels.angle = 30
        bars.categoryAxis.labels.boxAnchor = "ne"
    bars.valueAxis.labels.fontName = FONT
    bars.valueAxis.labels.fontSize = 7
    bars.valueAxis.valueMin = 0
    top = max(max(values) for _n, values in chart.series)
    bars.valueAxis.valueMax = max(1.0, top * 1.15)
    bars.barLabels.fontName = FONT
    bars.barLabels.fontSize = 6
    bars.barLabelFormat = "%.0f"
    bars.barLabels.nudge = 6
    for i in range(len(chart.series)):
        bars.bars[i].fillColor = _colour(i)
        bars.bars[i].strokeColor = None
    drawing.add(bars)
    _legend(drawing, chart, width, height)


def _line(drawing: Drawing, chart: Chart, width: float, height: float) -> None:
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.widgets.markers import makeMarker

    plot = HorizontalLineChart()
    plot.x, plot.y = 40, 30
    plot.width, plot.height = width - 60, height - 44
    plot.data = [list(values) for _n, values in chart.series]
    step = max(1, len(chart.labels) // 12)
    plot.categoryAxis.categoryNames = [
        label if i % step == 0 else "" for i, label in enumerate(chart.labels)
    ]
    plot.categoryAxis.labels.fontName = FONT
    plot.categoryAxis.labels.fontSize = 7
    plot.valueAxis.labels.fontName = FONT
    plot.valueAxis.labels.fontSize = 7
    plot.valueAxis.valueMin = 0
    top = max(max(values) for _n, values in chart.series)
    plot.valueAxis.valueMax = max(1.0, top * 1.15)
    for i in range(len(chart.series)):
        plot.lines[i].strokeColor = _colour(i)
        plot.lines[i].strokeWidth = 1.5
        plot.lines[i].symbol = makeMarker("FilledCircle", size=3)
    drawing.add(plot)
    _legend(drawing, chart, width, height)


def _pie(drawing: Drawing, chart: Chart, width: float, height: float) -> None:
    from reportlab.graphics.charts.piecharts import Pie
    from reportlab.graphics.shapes import Rect, String

    values = list(chart.series[0][1])
    pairs = [(label, v) for label, v in zip(chart.labels, values, strict=True) if v > 0]
    total = sum(v for _l, v in pairs)
    pie = Pie()
    size = min(height - 10, width / 2 - 20)
    pie.x, pie.y = 20, (height - size) / 2
    pie.width = pie.height = size
    pie.data = [v for _l, v in pairs]
    pie.labels = None
    pie.slices.strokeWidth = 0.5
    for i in range(len(pairs)):
        pie.slices[i].fillColor = _colour(i)
    drawing.add(pie)
    x = pie.x + size + 24
    for i, (label, v) in enumerate(pairs[:10]):
        y = height - 14 - i * 13
        drawing.add(Rect(x, y, 8, 8, fillColor=_colour(i), strokeColor=None))
        share = 100 * v / total if total else 0
        drawing.add(String(x + 12, y, f"{label}  {v:g}（{share:.1f}%）", fontName=FONT, fontSize=8))


def _legend(drawing: Drawing, chart: Chart, width: float, height: float) -> None:
    from reportlab.graphics.shapes import Rect, String

    if len(chart.series) < 2:
        return
    x = width - 20
    for i, (name, _v) in reversed(list(enumerate(chart.series))):
        x -= 12 + len(name) * 9
        drawing.add(Rect(x, height + 2, 8, 8, fillColor=_colour(i), strokeColor=None))
        drawing.add(String(x + 11, height + 2, name, fontName=FONT, fontSize=8))
