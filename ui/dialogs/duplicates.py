"""疑似重复复核: an approver confirms two customers are distinct, with a note (R3)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.clock import Clock, format_local
from app.errors import AppError
from app.services.auth import SignedIn
from app.services.customers import clear_duplicate_flag, list_duplicate_flags
from ui.errors import message_for
from ui.geometry import cap_minimum

REASONS = {"phone": "电话相同", "bank_account": "银行账号相同"}


class DuplicateReviewDialog(QDialog):
    """The open flags; select one, write why they are different customers, confirm."""

    def __init__(self, session: SignedIn, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DuplicateReviewDialog")
        cap_minimum(self, 620, 380)
        self._session = session
        self._clock = clock
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(self.tr("以下客户与他人共用电话或银行账号，请核实后说明理由并确认。"))
        )
        self.flags = QListWidget(objectName="flags")
        layout.addWidget(self.flags, 1)
        row = QHBoxLayout()
        self.note = QLineEdit(objectName="note")
        self.note.setPlaceholderText(self.tr("核实说明，如：父女共用家庭电话，已电话核实"))
        self.clear_button = QPushButton(self.tr("确认不是同一客户"), objectName="clear_flag")
        row.addWidget(self.note, 1)
        row.addWidget(self.clear_button)
        layout.addLayout(row)
        self.error = QLabel(objectName="error")
        self.error.setStyleSheet("color: #b00020;")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.clear_button.clicked.connect(self.clear_selected)
        self.setWindowTitle(self.tr("疑似重复复核"))
        self.reload()

    def reload(self) -> None:
        """Show the open flags."""
        self.flags.clear()
        try:
            rows = list_duplicate_flags(session=self._session, clock=self._clock)
        except AppError as exc:
            self.error.setText(message_for(exc))
            return
        for f in rows:
            text = self.tr("{0}  与  {1}：{2}（{3}）").format(
                f.customer,
                f.other,
                self.tr(REASONS.get(f.reason, f.reason)),
                format_local(f.created_at),
            )
            item = QListWidgetItem(text, self.flags)
            item.setData(256, f.id)  # Qt.UserRole
        self.clear_button.setEnabled(bool(rows))

    def clear_selected(self) -> None:
        """Clear the selected flag with the note."""
        item = self.flags.currentItem()
        if item is None:
            self.error.setText(self.tr("请先选择一条记录。"))
            return
        try:
            clear_duplicate_flag(
                session=self._session,
                flag_id=int(item.data(256)),
                note=self.note.text(),
                clock=self._clock,
            )
        except AppError as exc:
            self.error.setText(message_for(exc))
            return
        self.error.clear()
        self.note.clear()
        self.reload()
