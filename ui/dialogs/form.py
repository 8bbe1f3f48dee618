"""The one way to build a form dialog: fields with inline errors, a save button, Enter and Esc.

A dialog subclasses :class:`FormDialog`, adds its fields with :meth:`FormDialog.add_field`
(each gets a red message label under it, named ``error_<field>``), explains itself with
:meth:`FormDialog.add_intro` (above the fields) or :meth:`FormDialog.add_note` (below), calls
:meth:`FormDialog.finish` once, and implements :meth:`FormDialog.submit`, which calls the
service and returns its result. Saving then works the same everywhere:

* a ``ValidationFailed`` puts each message under its field (messages for fields the dialog has
  no label for go to the general line above the buttons) and the dialog stays open;
* any other ``AppError`` is shown in a message box and the dialog stays open;
* on success the value is kept in ``result_value`` and the dialog is accepted.

Keys: Esc cancels. Ctrl+Enter submits. A plain Enter in a one-line field moves to the next
field instead of submitting (a scanner sends Enter after every code, issue 21), unless the
dialog was built with ``enter_submits=True``. The first field has the focus when the dialog
opens, and a field's message disappears as soon as the field is edited.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError, ValidationFailed
from ui.errors import FieldErrors, show_error

ERROR_STYLE = "color: #b00020;"


def field_cell(errors: FieldErrors, widget: QWidget, field: str) -> QWidget:
    """Return ``widget`` stacked over the error label of ``field`` (for grids and forms)."""
    box = QVBoxLayout()
    box.setContentsMargins(0, 0, 0, 0)
    box.setSpacing(2)
    box.addWidget(widget)
    box.addWidget(errors.label_for(field))
    holder = QWidget()
    holder.setLayout(box)
    return holder


def add_form_row(
    form: QFormLayout, errors: FieldErrors, label: str | QWidget, widget: QWidget, field: str
) -> None:
    """Add ``label: widget`` to ``form`` with ``field``'s error label under the widget.

    ``label`` is the text, or a label widget whose text is set later (translated texts).
    """
    form.addRow(label, field_cell(errors, widget, field))


def _edited_signal(widget: QWidget) -> Any:
    """The signal a widget emits when the user changes its value (None when unknown)."""
    if isinstance(widget, QLineEdit):
        return widget.textChanged  # typed, pasted or filled in by a reader/scanner
    if isinstance(widget, QPlainTextEdit | QTextEdit):
        return widget.textChanged
    if isinstance(widget, QComboBox):
        return widget.currentIndexChanged
    if isinstance(widget, QDateEdit):
        return widget.dateChanged
    if isinstance(widget, QAbstractSpinBox) and hasattr(widget, "valueChanged"):
        return widget.valueChanged
    if isinstance(widget, QCheckBox | QAbstractButton):
        return widget.toggled
    return None


def _note(text: str, name: str) -> QLabel:
    """A word-wrapped label (named ``name`` when given) for a dialog's explanations."""
    note = QLabel(text)
    if name:
        note.setObjectName(name)
    note.setWordWrap(True)
    return note


def _is_ctrl_enter(event: QKeyEvent) -> bool:
    return event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and bool(
        event.modifiers() & Qt.KeyboardModifier.ControlModifier
    )


class FormDialog(QDialog):
    """A dialog of labelled fields with inline errors and one save button."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        title: str,
        object_name: str,
        ok_text: str | None = None,
        enter_submits: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setWindowTitle(title)
        self.errors = FieldErrors()
        self.result_value: Any = None
        self._enter_submits = enter_submits
        self._fields: list[tuple[QWidget, str]] = []
        self._intros = 0  # notes added above the fields so far
        self._ok_text = ok_text
        self.layout_ = QVBoxLayout(self)
        self.form = QFormLayout()
        self.layout_.addLayout(self.form)
        self.general = QLabel(objectName="general_error")
        self.general.setStyleSheet(ERROR_STYLE)
        self.general.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.ok_button.setText(ok_text or self.tr("保存"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

    # -- building ---------------------------------------------------------------------------

    def add_field(self, label: str, widget: QWidget, field: str) -> QWidget:
        """Add a labelled field whose messages appear under it; returns ``widget``."""
        add_form_row(self.form, self.errors, label, widget, field)
        self.watch(widget, field)
        return widget

    def watch(self, widget: QWidget, field: str) -> None:
        """Clear ``field``'s message when ``widget`` is edited; make it a focus/Enter stop."""
        self._fields.append((widget, field))
        signal = _edited_signal(widget)
        if signal is not None:
            signal.connect(lambda *_: self._clear_field(field))
        widget.installEventFilter(self)

    def clears_with(self, widget: QWidget, *fields: str) -> None:
        """Editing ``widget`` also clears the messages of ``fields`` (checked against it)."""
        signal = _edited_signal(widget)
        if signal is not None:
            signal.connect(lambda *_: [self._clear_field(f) for f in fields])

    def add_widget(self, widget: QWidget) -> None:
        """Add a widget below the form (a note, a table, a group box)."""
        self.layout_.addWidget(widget)

    def add_intro(self, text: str, name: str = "") -> QLabel:
        """Add a wrapped note above the fields (below any added before); returns the label."""
        note = _note(text, name)
        self.layout_.insertWidget(self._intros, note)
        self._intros += 1
        return note

    def add_note(self, text: str, name: str = "") -> QLabel:
        """Add a wrapped note below the fields (before :meth:`finish`); returns the label."""
        note = _note(text, name)
        self.layout_.addWidget(note)
        return note

    def finish(self, *, stretch: bool = True) -> None:
        """Add the general message line and the buttons; call once, after the fields."""
        if stretch:
            self.layout_.addStretch(1)  # spare height below the fields, not inside them
        self.layout_.addWidget(self.general)
        self.layout_.addWidget(self.buttons)
        if not self._enter_submits:
            for button in self.buttons.buttons():
                if isinstance(button, QPushButton):
                    button.setAutoDefault(False)
                    button.setDefault(False)

    # -- behaviour --------------------------------------------------------------------------

    def submit(self) -> Any:
        """Call the service with the fields' values and return its result."""
        raise NotImplementedError  # each dialog calls its service here

    def save(self) -> None:
        """Submit; show errors next to their fields, or accept with the result."""
        self.errors.clear()
        self.general.clear()
        try:
            self.result_value = self.submit()
        except ValidationFailed as exc:
            self.show_validation(exc)
            return
        except AppError as exc:
            show_error(self, exc)
            return
        self.accept()

    def show_validation(self, exc: ValidationFailed) -> None:
        """Put each message under its field; the rest on the general line; focus the first."""
        leftovers = self.errors.show(exc)
        self.general.setText("\n".join(leftovers))
        for widget, field in self._fields:
            if self.errors.text(field):
                widget.setFocus()
                break

    def _clear_field(self, field: str) -> None:
        label = self.errors.label_for(field)
        label.clear()
        label.hide()

    def showEvent(self, event: Any) -> None:
        """Focus the first field when the dialog opens."""
        super().showEvent(event)
        for widget, _field in self._fields:
            if widget.isEnabled() and widget.focusPolicy() != Qt.FocusPolicy.NoFocus:
                widget.setFocus()
                break

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Ctrl+Enter submits from anywhere in the dialog; a plain Enter never does.

        A plain Enter that no field took (a spin box, a date, a list) moves on, unless the
        dialog was built with ``enter_submits``; on a focused push button it presses it.
        (QDialogButtonBox makes 保存 the default button when shown, so without this an Enter
        in a number field would save the form.)
        """
        if _is_ctrl_enter(event):
            self.save()
            return
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not self._enter_submits:
            focused = self.focusWidget()
            if isinstance(focused, QPushButton):
                focused.click()
            elif focused is not None:
                self.enter_pressed(focused)
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Ctrl+Enter in a field submits; a plain Enter in a one-line field moves on."""
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if _is_ctrl_enter(event):
                self.save()
                return True
            plain = event.modifiers() in (
                Qt.KeyboardModifier.NoModifier,
                Qt.KeyboardModifier.KeypadModifier,
            )
            enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            if plain and enter and isinstance(watched, QLineEdit) and not self._enter_submits:
                self.enter_pressed(watched)
                return True
        return super().eventFilter(watched, event)

    def enter_pressed(self, widget: QObject) -> None:
        """Enter in a one-line field: move to the next field (override to add a scanned code)."""
        if isinstance(widget, QWidget):
            self.focusNextChild()
