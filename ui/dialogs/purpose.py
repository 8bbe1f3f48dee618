"""Asks why something is opened or exported (R40); the answer goes into the audit entry.

:class:`PurposeForm` is a :class:`ui.dialogs.form.FormDialog` with one required field,
``purpose`` (an editable list of suggestions); an empty purpose is refused with
"请填写用途" under the field. Export and archive dialogs add their own fields around it.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from ui.dialogs.form import FormDialog


class PurposeForm(FormDialog):
    """A subject line, an editable purpose (suggestions offered), OK/取消; empty is refused."""

    def __init__(self, parent: QWidget | None, *, object_name: str = "PurposeDialog") -> None:
        super().__init__(parent, title="", object_name=object_name)

    def _build(
        self, subject: str, purposes: Sequence[str], purpose_label: str, ok_text: str
    ) -> None:
        """The whole dialog: ``subject`` above the purpose field, ``ok_text`` on the button."""
        self.layout_.insertWidget(0, QLabel(subject))
        self.add_purpose(purpose_label, purposes)
        self.finish(stretch=False)
        self.ok_button.setText(ok_text)

    def add_purpose(self, label: str, purposes: Sequence[str]) -> QComboBox:
        """Add the required ``purpose`` field (its message label is ``self.error``)."""
        self.purpose = QComboBox(objectName="purpose")
        self.purpose.setEditable(True)
        self.purpose.addItems(list(purposes))
        self.purpose.setCurrentText("")
        self.add_field(label, self.purpose, "purpose")
        self.error = self.errors.label_for("purpose")
        return self.purpose

    def save(self) -> None:
        """Refuse an empty purpose; otherwise accept (subclasses may run a service first)."""
        if not self.purpose.currentText().strip():
            self.errors.clear()
            self.error.setText(self.tr("请填写用途"))
            self.error.show()
            self.purpose.setFocus()
            return
        super().save()

    def submit(self) -> str:
        """The purpose as typed."""
        return self.purpose.currentText().strip()

    def _ok(self) -> None:
        self.save()
