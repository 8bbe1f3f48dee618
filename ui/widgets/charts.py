"""Small charts painted with QPainter: bar, line and pie, from a report's :class:`Chart`.

QtCharts is not part of PySide6-Essentials (the wheel this app ships with), so the statistics
charts and the inspection climate chart (``ui/widgets/climate_chart.py``) are painted here with
the same helpers: the plot frame, the "no data" message and the palette of the printed charts
(``app.domain.statistics.PALETTE``), so a chart on screen and on paper look alike.
"""

from __future__ import annotations

import itertools
import math

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.domain.statistics import PALETTE, Chart

MAX_LABEL = 8  # characters of a category label under a bar


def colour(index: int) -> QColor:
    """The palette's colour ``index`` (cycling)."""
    r, g, b = PALETTE[index % len(PALETTE)]
    return QColor.fromRgbF(r, g, b)


def paint_no_data(painter: QPainter, rect: QRectF, text: str) -> None:
    """The grey message of an empty chart, centred."""
    painter.setPen(Qt.GlobalColor.darkGray)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)


def paint_frame(painter: QPainter, plot: QRectF) -> None:
    """The grey box around a plot area."""
    painter.setPen(QPen(Qt.GlobalColor.gray, 1))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(plot)


def paint_title(painter: QPainter, area: QRectF, text: str) -> None:
    """A chart's title at the top left of ``area``."""
    painter.setPen(Qt.GlobalColor.black)
    painter.drawText(
        QRectF(area.left() + 8, area.top() + 4, area.width() - 16, 18),
        Qt.AlignmentFlag.AlignLeft,
        text,
    )


def nice_top(value: float) -> float:
    """A round upper bound for an axis (1, 2, 5 × 10ⁿ above ``value``)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


class ChartWidget(QWidget):
    """One chart of a report (``bar``, ``line`` or ``pie``); values written on bars and slices."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="statistics_chart")
        self._chart: Chart | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(220)

    def sizeHint(self) -> QSize:  # Qt's name
        """A comfortable size."""
        return QSize(520, 240)

    def set_chart(self, chart: Chart | None) -> None:
        """Show ``chart`` (None: empty)."""
        self._chart = chart
        self.update()

    def chart(self) -> Chart | None:
        """The chart shown (tests compare it with the report's)."""
        return self._chart

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt's name
        """Paint the chart."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), Qt.GlobalColor.white)
        area = QRectF(self.rect())
        c = self._chart
        if c is not None:
            paint_title(painter, area, c.title)
        values = [v for _n, vs in c.series for v in vs] if c else []
        if c is None or not c.labels or not any(values):
            paint_no_data(painter, area, self.tr("本期无数据"))
            painter.end()
            return
        body = area.adjusted(0, 24, 0, 0)
        if c.kind == "pie":
            self._pie(painter, body, c)
        elif c.kind == "line":
            self._line(painter, body, c)
        else:
            self._bar(painter, body, c)
        painter.end()

    def _axes(self, painter: QPainter, body: QRectF, c: Chart) -> tuple[QRectF, float]:
        plot = body.adjusted(44, 18 if len(c.series) > 1 else 6, -12, -34)
        top = nice_top(max(v for _n, vs in c.series for v in vs))
        paint_frame(painter, plot)
        painter.setPen(Qt.GlobalColor.darkGray)
        for fraction in (0.0, 0.5, 1.0):
            y = plot.bottom() - fraction * plot.height()
            painter.drawText(
                QRectF(body.left(), y - 8, 40, 16),
                Qt.AlignmentFlag.AlignRight,
                f"{top * fraction:g}",
            )
        self._legend(painter, body, c)
        return plot, top

    def _legend(self, painter: QPainter, body: QRectF, c: Chart) -> None:
        if len(c.series) < 2:
            return
        x = body.right() - 8
        for i, (name, _v) in reversed(list(enumerate(c.series))):
            width = painter.fontMetrics().horizontalAdvance(name) + 16
            x -= width + 8
            painter.fillRect(QRectF(x, body.top() + 3, 10, 10), colour(i))
            painter.setPen(Qt.GlobalColor.black)
            painter.drawText(
                QRectF(x + 13, body.top(), width, 16), Qt.AlignmentFlag.AlignLeft, name
            )

    def _labels(self, painter: QPainter, plot: QRectF, labels: tuple[str, ...]) -> None:
        painter.setPen(Qt.GlobalColor.darkGray)
        step = plot.width() / max(1, len(labels))
        every = max(1, math.ceil(len(labels) * 60 / max(plot.width(), 1)))
        for i, label in enumerate(labels):
            if i % every:
                continue
            painter.drawText(
                QRectF(plot.left() + i * step - 10, plot.bottom() + 4, step + 20, 16),
                Qt.AlignmentFlag.AlignHCenter,
                _short(label),
            )

    def _bar(self, painter: QPainter, body: QRectF, c: Chart) -> None:
        plot, top = self._axes(painter, body, c)
        n, k = len(c.labels), len(c.series)
        group = plot.width() / n
        width = group * 0.7 / k
        for s, (_name, values) in enumerate(c.series):
            for i, v in enumerate(values):
                h = v / top * plot.height()
                x = plot.left() + i * group + group * 0.15 + s * width
                bar = QRectF(x, plot.bottom() - h, width, h)
                painter.fillRect(bar, colour(s))
                if v:
                    painter.setPen(Qt.GlobalColor.black)
                    painter.drawText(
                        QRectF(x - 10, bar.top() - 15, width + 20, 14),
                        Qt.AlignmentFlag.AlignHCenter,
                        f"{v:g}",
                    )
        self._labels(painter, plot, c.labels)

    def _line(self, painter: QPainter, body: QRectF, c: Chart) -> None:
        plot, top = self._axes(painter, body, c)
        n = len(c.labels)
        step = plot.width() / n
        for s, (_name, values) in enumerate(c.series):
            points = [
                QPointF(plot.left() + (i + 0.5) * step, plot.bottom() - v / top * plot.height())
                for i, v in enumerate(values)
            ]
            painter.setPen(QPen(colour(s), 2))
            for a, b in itertools.pairwise(points):
                painter.drawLine(a, b)
            painter.setBrush(colour(s))
            for p in points:
                painter.drawEllipse(p, 3, 3)
            painter.setBrush(Qt.BrushStyle.NoBrush)
        self._labels(painter, plot, c.labels)

    def _pie(self, painter: QPainter, body: QRectF, c: Chart) -> None:
        pairs = [(label, v) for label, v in zip(c.labels, c.series[0][1], strict=True) if v > 0]
        total = sum(v for _l, v in pairs)
        size = min(body.height() - 12, body.width() / 2 - 20)
        circle = QRectF(body.left() + 16, body.top() + (body.height() - size) / 2, size, size)
        start = 90 * 16
        for i, (_label, v) in enumerate(pairs):
            span = round(-v / total * 360 * 16)
            painter.setPen(QPen(Qt.GlobalColor.white, 1))
            painter.setBrush(colour(i))
            painter.drawPie(circle, start, span)
            start += span
        painter.setBrush(Qt.BrushStyle.NoBrush)
        x = circle.right() + 20
        for i, (label, v) in enumerate(pairs[:10]):
            y = body.top() + 6 + i * 18
            painter.fillRect(QRectF(x, y + 3, 10, 10), colour(i))
            painter.setPen(Qt.GlobalColor.black)
            painter.drawText(
                QRectF(x + 14, y, body.right() - x - 14, 16),
                Qt.AlignmentFlag.AlignLeft,
                f"{label}  {v:g}（{100 * v / total:.1f}%）",
            )
