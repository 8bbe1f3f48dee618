"""库房检查设置 (administrator): the checklist and the climate limits per room type."""

from __future__ import annotations

from PySide6.QtWidgets import QDoubleSpinBox, QGridLayout, QLabel, QPlainTextEdit, QWidget

from app.domain.inspections import ROOM_TYPE_LABELS, ClimateLimits, RoomType
from app.services import inspections as svc
from app.services.auth import SignedIn
from ui.context import AppContext
from ui.dialogs.form import FormDialog

# (field of ClimateLimits, column title, lowest, highest)
COLUMNS = (
    ("t_min", "最低温度 °C", -30.0, 60.0),
    ("t_max", "最高温度 °C", -30.0, 60.0),
    ("rh_min", "最低湿度 %", 0.0, 100.0),
    ("rh_max", "最高湿度 %", 0.0, 100.0),
    ("t_swing", "日温差 ≤ °C", 0.1, 20.0),
    ("rh_swing", "日湿差 ≤ %", 0.1, 50.0),
)
# the messages of a room type's limits: its temperature range, RH range, daily swings
LIMIT_FIELDS = {
    "t_min": "climate_t",
    "t_max": "climate_t",
    "rh_min": "climate_rh",
    "rh_max": "climate_rh",
    "t_swing": "climate_swing",
    "rh_swing": "climate_swing",
}


class InspectionSettingsDialog(FormDialog):
    """Edit the checklist (one item a line) and the limits of each room type."""

    def __init__(self, parent: QWidget | None, context: AppContext, session: SignedIn) -> None:
        super().__init__(
            parent, title=self.tr("库房检查设置"), object_name="inspection_settings_dialog"
        )
        self._context, self._session = context, session
        current = svc.get_inspection_settings(session=session, clock=context.clock)
        self.checklist = QPlainTextEdit(objectName="inspection_checklist")
        self.checklist.setPlainText("\n".join(current.checklist))
        self.add_widget(QLabel(self.tr("检查项目（每行一项，新开始的检查使用）")))
        self.add_widget(self.checklist)
        self.watch(self.checklist, "checklist")
        self.add_widget(self.errors.label_for("checklist"))
        self.add_widget(QLabel(self.tr("温湿度标准（按库房类型）")))
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
                self.watch(spin, f"{LIMIT_FIELDS[name]}.{kind.value}")
                self.spins[kind][name] = spin
        holder = QWidget()
        holder.setLayout(grid)
        self.add_widget(holder)
        for kind in RoomType:
            for key in ("climate_t", "climate_rh", "climate_swing"):
                self.add_widget(self.errors.label_for(f"{key}.{kind.value}"))
        self.finish(stretch=False)

    def limits(self) -> dict[RoomType, ClimateLimits]:
        """The limits as entered (tenths)."""
        return {
            kind: ClimateLimits(**{n: round(s.value() * 10) for n, s in spins.items()})
            for kind, spins in self.spins.items()
        }

    def submit(self) -> None:
        """Save the checklist and the limits."""
        svc.set_inspection_settings(
            session=self._session,
            checklist=self.checklist.toPlainText().splitlines(),
            limits=self.limits(),
            clock=self._context.clock,
        )
