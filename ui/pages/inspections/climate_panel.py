"""温湿度: a room's readings as a chart, those out of range listed, a new reading entered."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.clock import format_local
from app.domain import inspections as rules
from app.domain.inspection_rows import ScheduleRow
from app.errors import AppError
from app.services import inspections as svc
from app.services.auth import SignedIn
from ui.context import AppContext
from ui.errors import message_for
from ui.pages.inspections.common import LIVE, ORANGE, RED, Host
from ui.widgets.climate_chart import ClimateChartWidget


def _spin(name: str, lo: float, hi: float, value: float, suffix: str) -> QDoubleSpinBox:
    spin = QDoubleSpinBox(objectName=name)
    spin.setRange(lo, hi)
    spin.setDecimals(1)
    spin.setValue(value)
    spin.setSuffix(suffix)
    return spin


class ClimatePanel(QWidget):
    """The climate log of one room (the selected session's room when it has one)."""

    def __init__(self, context: AppContext, session: SignedIn, host: Host) -> None:
        super().__init__()
        self._context, self._session, self._host = context, session, host
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.climate_room = QComboBox(objectName="climate_room")
        self.temperature = _spin("reading_temperature", -30, 60, 20.0, " °C")
        self.humidity = _spin("reading_humidity", 0, 100, 50.0, " %")
        self.add_reading = QPushButton(objectName="add_reading")
        self.climate_days = QComboBox(objectName="climate_days")
        for days in (7, 30, 90, 183, 366):
            self.climate_days.addItem(self.tr("近 {0} 天").format(days), days)
        self.climate_days.setCurrentIndex(1)
        self.room_label = QLabel()
        self.room_type = QComboBox(objectName="climate_room_type")
        for kind, label in rules.ROOM_TYPE_LABELS.items():
            self.room_type.addItem(self.tr(label), kind.value)
        for w in (
            self.room_label,
            self.climate_room,
            self.room_type,
            self.climate_days,
            self.temperature,
            self.humidity,
            self.add_reading,
        ):
            bar.addWidget(w)
        bar.addStretch()
        layout.addLayout(bar)
        self.reading_error = QLabel(objectName="reading_error")
        self.reading_error.setStyleSheet(f"color: {RED};")
        layout.addWidget(self.reading_error)
        self.chart = ClimateChartWidget()
        layout.addWidget(self.chart, 2)
        self.out_of_range_label = QLabel()
        layout.addWidget(self.out_of_range_label)
        self.out_of_range = QListWidget(objectName="out_of_range")
        layout.addWidget(self.out_of_range, 1)
        self.add_reading.clicked.connect(self.record_reading)
        self.climate_room.currentIndexChanged.connect(self.refresh_climate)
        self.climate_days.currentIndexChanged.connect(self.refresh_climate)
        self.room_type.activated.connect(self.change_room_type)

    def retranslate_ui(self) -> None:
        """Set every visible string."""
        self.room_label.setText(self.tr("库房"))
        self.add_reading.setText(self.tr("登记读数"))
        self.out_of_range_label.setText(self.tr("超限读数与日波动超限"))

    def set_rooms(self, schedule: Sequence[ScheduleRow]) -> None:
        """Offer the store rooms of the schedule (kept as they are when none was added)."""
        if self.climate_room.count() == len(schedule):
            return
        self.climate_room.blockSignals(True)
        self.climate_room.clear()
        for s in schedule:
            self.climate_room.addItem(s.room_code, s.room_id)
        self.climate_room.blockSignals(False)

    def follow_room(self, room_id: int) -> None:
        """Show the room of the selected session (without reloading yet)."""
        index = self.climate_room.findData(room_id)
        if index >= 0:
            self.climate_room.blockSignals(True)
            self.climate_room.setCurrentIndex(index)
            self.climate_room.blockSignals(False)

    def refresh_climate(self) -> None:
        """Chart and out-of-range list of the chosen room."""
        room = self.climate_room.currentData()
        self.out_of_range.clear()
        if room is None:
            self.chart.set_climate(None)
            return
        clock = self._context.clock
        today = clock.now().astimezone().date()
        days = int(self.climate_days.currentData() or 30)
        try:
            climate = svc.get_room_climate(
                session=self._session,
                room_id=room,
                since=today - timedelta(days=days),
                until=today,
                clock=clock,
            )
        except AppError as exc:
            self.reading_error.setText(message_for(exc))
            return
        self.chart.set_climate(climate)
        settings = svc.get_inspection_settings(session=self._session, clock=clock)
        kind = settings.room_types.get(room, rules.RoomType.PAPER)
        self.room_type.setCurrentIndex(self.room_type.findData(kind.value))
        for r in climate.out_of_range():
            item = QListWidgetItem(
                self.tr("{0}　温度 {1} °C　湿度 {2} %　{3}").format(
                    format_local(r.taken_at),
                    rules.tenths(r.temperature),
                    rules.tenths(r.humidity),
                    "、".join(r.problems),
                ),
                self.out_of_range,
            )
            item.setForeground(QColor(RED))
        for day, problems in sorted(climate.swings.items()):
            QListWidgetItem(
                f"{day.isoformat()}　{'、'.join(problems)}", self.out_of_range
            ).setForeground(QColor(ORANGE))

    def change_room_type(self) -> None:
        """The chosen room follows the limits of another room type."""
        room = self.climate_room.currentData()
        if room is None:
            return
        try:
            svc.set_room_type(
                session=self._session,
                room_id=room,
                room_type=str(self.room_type.currentData()),
                clock=self._context.clock,
            )
        except AppError as exc:
            self.reading_error.setText(message_for(exc))
        self.refresh_climate()

    def record_reading(self) -> None:
        """A reading of the chosen room (in the session when it is of that room)."""
        room = self.climate_room.currentData()
        if room is None:
            return
        c = self._host.current
        in_session = c is not None and c.room_id == room and c.status in LIVE and not c.paused
        try:
            svc.record_reading(
                session=self._session,
                room_id=room,
                temperature=self.temperature.value(),
                humidity=self.humidity.value(),
                inspection_id=c.id if in_session and c else None,
                clock=self._context.clock,
            )
        except AppError as exc:
            self.reading_error.setText(message_for(exc))
            return
        self.reading_error.setText("")
        self.refresh_climate()
