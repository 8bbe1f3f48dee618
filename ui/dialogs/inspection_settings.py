"""库房检查设置 (administrator): the checklist and the climate limits per room type."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.inspections import ROOM_TYPE_LABELS, ClimateLimits, RoomType
from app.errors import AppError, ValidationFailed
from app.services import inspections as svc
from app.services.auth import SignedIn
from ui.context import AppContext
from ui.errors import FieldErrors, show_error

# (field of ClimateLimits, column title, lowest, highest)
COLUMNS = (
    ("t_min", "最低温度 °C", -30.0, 60.0),
    ("t_max", "最高温度 °C", -30.0, 60.0),
    ("rh_min", "最低湿度 %", 0.0, 100.0),
    ("rh_max", "最高湿度 %", 0.0, 100.0),
    ("t_swing", "日温差 ≤ °C", 0.1, 20.0),
    ("rh_swing", "日湿差 ≤ %", 0.1, 50.0),
)


class InspectionSettingsDialog(QDialog):
    """Edit the checklist (one item a line) and the limits of each room type."""

    def __init__(self, parent: QWidget | None, context: AppContext, session: SignedIn) -> None:
        super().__init__(parent, objectName="inspection_settings_dialog")
        self._context, self._session = context, session
        self.errors = FieldErrors()
        self.setWindowTitle(self.tr("库房检查设置"))
        current = svc.get_inspection_settings(session=session, clock=context.clock)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("检查项目（每行一项，新开始的检查使用）")))
        self.checklist = QPlainTextEdit(objectName="inspection_checklist")
        self.checklist.setPlainText("\n".join(current.checklist))
        layout.addWidget(self.checklist)
        layout.addWidget(self.errors.label_for("checklist"))
        layout.addWidget(QLabel(self.tr("温湿度标准（按库房类型）")))
        grid = QGridLayout()
        for c, (_f, title, _lo, _hi) in enumerate(COLUMNS, 1):
            grid.addWidget(QLabel(self.tr(title)), 0, c)
        self.spins: dict[RoomType, dict[str, QDoubleSpinBox]] = {}
        for r, kind in enumerate(RoomType, 1):
            grid.addWidget(QLabel(self.tr(ROOM_TYPE_LABELS[kind])), r, 0)
            limits = current.limits[kind]
            self.spins[kind] = {}
            for c, (name, _title, lo, hi) in enumerate(COLUMNS, 1):
                spin = QDoubleSpinBox(objectName=f"limit_{kind.value}_{name}")
                spin.setDecimals(1)
                spin.setRange(lo, hi)
                spin.setValue(getattr(limits, name) / 10)
                grid.addWidget(spin, r, c)
                self.spins[kind][name] = spin
        layout.addLayout(grid)
        for kind in RoomType:
            for key in ("climate_t", "climate_rh", "climate_swing"):
                layout.addWidget(self.errors.label_for(f"{key}.{kind.value}"))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def limits(self) -> dict[RoomType, ClimateLimits]:
        """The limits as entered (tenths)."""
        return {
            kind: ClimateLimits(**{n: round(s.value() * 10) for n, s in spins.items()})
            for kind, spins in self.spins.items()
        }

    def accept(self) -> None:
        """Save; errors stay next to their fields."""
        try:
            svc.set_inspection_settings(
                session=self._session,
                checklist=self.checklist.toPlainText().splitlines(),
                limits=self.limits(),
                clock=self._context.clock,
            )
        except ValidationFailed as exc:
            self.errors.show(exc)
            return
        except AppError as exc:
            show_error(self, exc)
            return
        super().accept()
