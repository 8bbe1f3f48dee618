"""A room's temperature and humidity over time with the allowed bands, drawn with QPainter.

QtCharts is not part of PySide6-Essentials (the wheel this app ships with), so the two line
plots are painted here with the helpers the statistics charts share (``ui/widgets/charts.py``):
the same data and bands as the printed 库房检查记录's chart.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.domain import inspections as rules
from app.domain.inspection_rows import RoomClimate
from ui.widgets.charts import paint_frame, paint_no_data, paint_title

BAND = QColor(215, 240, 215)
BAND_EDGE = QColor(60, 150, 60)
LINE = QColor(30, 80, 180)
OUT = QColor(200, 0, 0)


class ClimateChartWidget(QWidget):
    """Two plots side by side: 温度 over its band, 相对湿度 over its band; red dots out of range."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="climate_chart")
        self._climate: RoomClimate | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(220)

    def sizeHint(self) -> QSize:  # Qt's name
        """A comfortable size."""
        return QSize(720, 260)

    def set_climate(self, climate: RoomClimate | None) -> None:
        """Show ``climate`` (None: empty)."""
        self._climate = climate
        self.update()

    def point_count(self) -> int:
        """How many readings are plotted (tests)."""
        return len(self._climate.readings) if self._climate else 0

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt's name
        """Paint both plots."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), Qt.GlobalColor.white)
        c = self._climate
        half = self.width() / 2
        if c is None or not c.readings:
            paint_no_data(painter, QRectF(self.rect()), self.tr("该期间没有温湿度读数"))
            painter.end()
            return
        times = [r.taken_at.timestamp() for r in c.readings]
        lim = c.limits
        self._plot(
            painter,
            QRectF(0, 0, half, self.height()),
            times,
            [r.temperature for r in c.readings],
            lim.t_min,
            lim.t_max,
            self.tr("温度（°C）"),
        )
        self._plot(
            painter,
            QRectF(half, 0, half, self.height()),
            times,
            [r.humidity for r in c.readings],
            lim.rh_min,
            lim.rh_max,
            self.tr("相对湿度（%）"),
        )
        painter.end()

    def _plot(
        self,
        painter: QPainter,
        area: QRectF,
        times: Sequence[float],
        values: Sequence[int],
        lo: int,
        hi: int,
        title: str,
    ) -> None:
        plot = area.adjusted(44, 26, -12, -28)
        ys = [v / 10 for v in values]
        y0 = min([lo / 10, *ys]) - 2
        y1 = max([hi / 10, *ys]) + 2
        x0, x1 = min(times), max(times)
        if x1 <= x0:
            x1 = x0 + 86400

        def to_point(t: float, y: float) -> QPointF:
            return QPointF(
                plot.left() + (t - x0) / (x1 - x0) * plot.width(),
                plot.bottom() - (y - y0) / (y1 - y0) * plot.height(),
            )

        paint_title(
            painter,
            area,
            title + self.tr("，允许范围 {0}–{1}").format(rules.tenths(lo), rules.tenths(hi)),
        )
        top, bottom = to_point(x0, hi / 10).y(), to_point(x0, lo / 10).y()
        painter.fillRect(QRectF(plot.left(), top, plot.width(), bottom - top), BAND)
        painter.setPen(QPen(BAND_EDGE, 1, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(plot.left(), top), QPointF(plot.right(), top))
        painter.drawLine(QPointF(plot.left(), bottom), QPointF(plot.right(), bottom))
        paint_frame(painter, plot)
        # axis labels: the band edges and the first and last day
        painter.setPen(Qt.GlobalColor.darkGray)
        for value in (lo / 10, hi / 10):
            y = to_point(x0, value).y()
            painter.drawText(
                QRectF(area.left(), y - 8, 40, 16), Qt.AlignmentFlag.AlignRight, f"{value:g}"
            )
        for t, align in ((x0, Qt.AlignmentFlag.AlignLeft), (x1, Qt.AlignmentFlag.AlignRight)):
            label = datetime.fromtimestamp(t).strftime("%m-%d")
            x = to_point(t, y0).x()
            box = QRectF(
                x - 40 if align == Qt.AlignmentFlag.AlignRight else x, plot.bottom() + 4, 40, 16
            )
            painter.drawText(box, align, label)
        points = [to_point(t, y) for t, y in zip(times, ys, strict=True)]
        painter.setPen(QPen(LINE, 2))
        for a, b in itertools.pairwise(points):
            painter.drawLine(a, b)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(OUT)
        for point, y in zip(points, ys, strict=True):
            if not lo / 10 <= y <= hi / 10:
                painter.drawEllipse(point, 3.5, 3.5)
