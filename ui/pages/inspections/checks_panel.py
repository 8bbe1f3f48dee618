"""检查项目: the checklist of the selected session, each line 正常 or 异常 with a note."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QPushButton, QVBoxLayout, QWidget

from app.domain.inspection_rows import InspectionRow
from app.services import inspections as svc
from app.services.auth import SignedIn
from ui.context import AppContext
from ui.errors import UseCases
from ui.pages.inspections.common import (
    LIVE,
    RED,
    Host,
    fill,
    paint,
    result_table,
    selected_data,
    session_state,
)


class ChecksPanel(UseCases, QWidget):
    """The checklist table with 正常 and 异常… buttons."""

    def __init__(self, context: AppContext, session: SignedIn, host: Host) -> None:
        super().__init__()
        self._context, self._session, self._host = context, session, host
        layout = QVBoxLayout(self)
        self.checks = result_table("inspection_checks", ["序号", "项目", "结果", "说明"])
        layout.addWidget(self.checks)
        buttons = QHBoxLayout()
        self.check_ok = QPushButton(objectName="check_ok")
        self.check_bad = QPushButton(objectName="check_abnormal")
        buttons.addWidget(self.check_ok)
        buttons.addWidget(self.check_bad)
        buttons.addStretch()
        layout.addLayout(buttons)
        self.check_ok.clicked.connect(lambda: self.mark_check(True))
        self.check_bad.clicked.connect(lambda: self.mark_check(False))

    def retranslate_ui(self) -> None:
        """Set every visible string."""
        self.check_ok.setText(self.tr("正常"))
        self.check_bad.setText(self.tr("异常…"))

    def show_session(self, c: InspectionRow | None) -> None:
        """Enable marking while ``c`` is live (and not paused); list its checklist."""
        status, paused = session_state(c)
        self.check_ok.setEnabled(status in LIVE and not paused)
        self.check_bad.setEnabled(status in LIVE and not paused)
        self.refresh_checks()

    def refresh_checks(self) -> None:
        """The checklist of the selected session."""
        current = self._host.current
        if current is None:
            fill(self.checks, [])
            return
        rows = svc.list_checks(
            session=self._session, inspection_id=current.id, clock=self._context.clock
        )
        result = {True: self.tr("正常"), False: self.tr("异常"), None: self.tr("未检查")}
        fill(
            self.checks,
            [[str(c.seq), c.label, result[c.ok], c.note] for c in rows],
            [c.seq for c in rows],
        )
        paint(self.checks, 2, [RED if c.ok is False else None for c in rows])

    def mark_check(self, ok: bool) -> None:
        """正常, or 异常 with a note."""
        seq = selected_data(self.checks)
        current = self._host.current
        if current is None or seq is None:
            return
        note = ""
        if not ok:
            note, accepted = QInputDialog.getText(self, self.tr("异常"), self.tr("情况说明："))
            if not accepted:
                return
        self.attempt(svc.set_check, inspection_id=current.id, seq=seq, ok=ok, note=note)
        self.refresh_checks()
