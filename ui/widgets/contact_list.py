"""A growable list of line edits (phones, addresses, bank accounts) with per-row errors.

Each row is either new (typed by the user) or stands for a stored entry the form only knows
masked: such a row shows the masked value as its placeholder and stays as stored unless the
user types a replacement. Rows are numbered in order; the row at position ``i`` shows the
messages of field ``<group>.<i>`` (the service names list fields that way, e.g. ``phones.1``).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QRect, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.errors import FieldErrors


def _tr(text: str) -> str:
    return QCoreApplication.translate("ContactListEditor", text)


class RowMessage(QLabel):
    """A row's error message: wrapped, with a minimum height that follows its width.

    Nested in the form's layouts, a wrapped label's height for its width is not passed up, so
    a two-line message would be squeezed into one line's height.
    """

    def setText(self, text: str) -> None:
        """Set the message and the height it needs."""
        super().setText(text)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Keep the height right for the new width."""
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        height = 0
        if self.text():
            bounds = self.fontMetrics().boundingRect(
                QRect(0, 0, max(self.width(), 50), 0), int(Qt.TextFlag.TextWordWrap), self.text()
            )
            height = bounds.height() + 2
        if height != self.minimumHeight():
            self.setMinimumHeight(height)


@dataclass(eq=False)
class ContactRow:
    """One row: the value, an optional second field (开户行), its remove button and message."""

    widget: QWidget
    edit: QLineEdit
    extra: QLineEdit | None
    remove: QToolButton
    error: QLabel
    kept: int | None  # index of the stored entry this row stands for; None: a new row

    def text(self) -> str:
        """The value typed (stripped)."""
        return self.edit.text().strip()

    def extra_text(self) -> str:
        """The second field typed (stripped), "" when there is none."""
        return self.extra.text().strip() if self.extra is not None else ""

    @property
    def touched(self) -> bool:
        """True when anything was typed into the row."""
        return bool(self.text() or self.extra_text())


class ContactListEditor(QWidget):
    """Rows of ``QLineEdit`` with 删除 buttons and an 添加… button below.

    ``name`` prefixes object names (``phone_0``, ``remove_phone_0``, ``add_phone``); ``group`` is
    the field name of the list (``phones``) whose ``group.N`` errors the rows show.
    """

    rows_changed = Signal()

    def __init__(
        self,
        *,
        group: str,
        name: str,
        errors: FieldErrors,
        add_text: str,
        placeholder: str,
        extra_placeholder: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name}_list")
        self.group = group
        self._name = name
        self._errors = errors
        self._placeholder = placeholder
        self._extra_placeholder = extra_placeholder
        self.rows: list[ContactRow] = []
        self.stored_count = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self._rows_layout = QVBoxLayout()
        self._rows_layout.setSpacing(2)
        layout.addLayout(self._rows_layout)
        bottom = QHBoxLayout()
        self.add_button = QPushButton(add_text, objectName=f"add_{name}")
        self.add_button.setAutoDefault(False)  # Enter keeps meaning 保存
        self.add_button.clicked.connect(lambda: self.add_row().edit.setFocus())
        bottom.addWidget(self.add_button)
        bottom.addStretch()
        layout.addLayout(bottom)

    # -- rows ---------------------------------------------------------------------------
    def set_stored(self, masked: list[str], keep_text: str, extra_keep: str = "") -> None:
        """Show the stored entries (masked) as kept rows; one empty new row when there are none."""
        for row in list(self.rows):
            self._drop(row)
        self.stored_count = len(masked)
        for i, value in enumerate(masked):
            row = self.add_row(kept=i)
            row.edit.setPlaceholderText(keep_text.format(value or "—"))
            if row.extra is not None and extra_keep:
                row.extra.setPlaceholderText(extra_keep)
        if not masked:
            self.add_row()

    def add_row(self, kept: int | None = None) -> ContactRow:
        """Append a row (new, or standing for stored entry ``kept``)."""
        widget = QWidget(self)
        grid = QGridLayout(widget)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(4)
        edit = QLineEdit(widget)
        edit.setPlaceholderText(self._placeholder)
        grid.addWidget(edit, 0, 0)
        extra = None
        if self._extra_placeholder is not None:
            extra = QLineEdit(widget)
            extra.setPlaceholderText(self._extra_placeholder)
            extra.setMaximumWidth(120)
            grid.addWidget(extra, 0, 1)
        remove = QToolButton(widget)
        remove.setText(_tr("删除"))
        grid.addWidget(remove, 0, 2)
        # the message goes below the row in the list's own layout: a wrapped message then gets
        # its full height (nested in the row's grid it would be squeezed to one line)
        error = RowMessage(self)
        error.hide()
        row = ContactRow(widget, edit, extra, remove, error, kept)
        remove.clicked.connect(lambda: self.remove_row(row))
        self._rows_layout.addWidget(widget)
        self._rows_layout.addWidget(error)
        self.rows.append(row)
        self._number()
        self.rows_changed.emit()
        return row

    def remove_row(self, row: ContactRow) -> None:
        """Take a row out (a stored entry it stands for is removed on save)."""
        if row not in self.rows:  # a second click before the row went
            return
        focus_next = row.edit.hasFocus() or row.remove.hasFocus()
        index = self.rows.index(row)
        self._drop(row)
        self._number()
        for other in self.rows:  # messages named the old positions
            other.error.clear()
            other.error.hide()
        if focus_next:
            target = self.rows[min(index, len(self.rows) - 1)].edit if self.rows else None
            (target or self.add_button).setFocus()
        self.rows_changed.emit()

    def _drop(self, row: ContactRow) -> None:
        self.rows.remove(row)
        for widget in (row.widget, row.error):
            widget.hide()
            self._rows_layout.removeWidget(widget)
            widget.setParent(None)  # out of findChild at once
            widget.deleteLater()

    def _number(self) -> None:
        self._errors.forget(self.group)
        for i, row in enumerate(self.rows):
            row.edit.setObjectName(f"{self._name}_{i}")
            if row.extra is not None:
                row.extra.setObjectName(f"{self._name}_extra_{i}")
            row.remove.setObjectName(f"remove_{self._name}_{i}")
            row.remove.setToolTip(_tr("删除第 {0} 项").format(i + 1))
            self._errors.bind(f"{self.group}.{i}", row.error)

    # -- reading ------------------------------------------------------------------------
    def edits(self) -> list[QLineEdit]:
        """The value fields, in order."""
        return [row.edit for row in self.rows]

    def widget_for(self, field: str) -> QWidget | None:
        """The value field of ``group.N``, or None."""
        group, _, index = field.partition(".")
        if group != self.group or not index.isdigit() or int(index) >= len(self.rows):
            return None
        return self.rows[int(index)].edit

    def unchanged(self) -> bool:
        """True when every stored entry is still listed, in order, and nothing was typed."""
        kept = [row.kept for row in self.rows if row.kept is not None]
        return kept == list(range(self.stored_count)) and not any(r.touched for r in self.rows)
