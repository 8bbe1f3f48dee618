"""Asks why something is opened or exported (R40); the answer goes into the audit entry."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
)


class PurposeForm(QDialog):
    """A subject line, an editable purpose (suggestions offered), OK/取消; empty is refused."""

    def _build(
        self, subject: str, purposes: Sequence[str], purpose_label: str, ok_text: str
    ) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(subject))
        form = QFormLayout()
        self.purpose = QComboBox(objectName="purpose")
        self.purpose.setEditable(True)
        self.purpose.addItems(list(purposes))
        self.purpose.setCurrentText("")
        form.addRow(purpose_label, self.purpose)
        layout.addLayout(form)
        self.error = QLabel(objectName="purpose_error")
        self.error.setStyleSheet("color: #b00020;")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _ok(self) -> None:
        if not self.purpose.currentText().strip():
            self.error.setText(self.tr("请填写用途"))
            return
        self.accept()
