"""保密期限复核: items whose term ends within 90 days; an approver may extend one (R16)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.roles import Role
from app.errors import AppError, ValidationFailed
from app.services.auth import SignedIn
from app.services.catalogue import ReviewRow, extend_secrecy, secrecy_review_queue
from ui.context import AppContext
from ui.errors import FieldErrors, show_error
from ui.geometry import fit_to_screen


class SecrecyReviewDialog(QDialog):
    """The review queue; approvers extend a term before it ends, with a reason."""

    COLUMNS = ("档号", "序号", "题名", "密级", "期满日")

    def __init__(self, parent: QWidget | None, context: AppContext, session: SignedIn) -> None:
        super().__init__(parent)
        self.setObjectName("SecrecyReviewDialog")
        self.setWindowTitle(self.tr("保密期限复核（90 天内期满）"))
        self._context = context
        self._session = session
        self.errors = FieldErrors()
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, len(self.COLUMNS), objectName="review_table")
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in self.COLUMNS])
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.empty = QLabel(objectName="review_empty")
        layout.addWidget(self.empty)
        approver = session.actor.has(Role.APPROVER)
        form = QFormLayout()
        self.term = QSpinBox(objectName="secrecy_term_years")
        self.term.setRange(1, 50)
        self.note = QLineEdit(objectName="note")
        self.note.setPlaceholderText(self.tr("延长理由，如：仍涉及在谈项目的商业秘密"))
        for label, widget, field in (
            (self.tr("新的保密期限（年）"), self.term, "secrecy_term_years"),
            (self.tr("理由"), self.note, "note"),
        ):
            box = QVBoxLayout()
            box.addWidget(widget)
            box.addWidget(self.errors.label_for(field))
            holder = QWidget()
            holder.setLayout(box)
            form.addRow(label, holder)
        extend_box = QWidget()
        extend_box.setLayout(form)
        extend_box.setVisible(approver)
        layout.addWidget(extend_box)
        row = QHBoxLayout()
        self.extend_button = QPushButton(self.tr("延长所选文件的保密期限"), objectName="extend")
        self.extend_button.setVisible(approver)
        self.extend_button.clicked.connect(self.extend)
        close = QPushButton(self.tr("关闭"))
        close.clicked.connect(self.accept)
        row.addWidget(self.extend_button)
        row.addStretch()
        row.addWidget(close)
        layout.addLayout(row)
        self.rows: list[ReviewRow] = []
        fit_to_screen(self, 760, 460)
        self.reload()

    def reload(self) -> None:
        """Read the queue (only what the user's clearance shows)."""
        try:
            self.rows = secrecy_review_queue(session=self._session, clock=self._context.clock)
        except AppError as exc:
            show_error(self, exc)
            self.rows = []
        self.table.setRowCount(len(self.rows))
        for n, r in enumerate(self.rows):
            for c, text in enumerate(
                (r.reference_code, str(r.seq), r.title, r.marking, r.ends.isoformat())
            ):
                self.table.setItem(n, c, QTableWidgetItem(text))
        self.empty.setText(self.tr("没有 90 天内期满的文件。") if not self.rows else "")
        self.extend_button.setEnabled(bool(self.rows))

    def extend(self) -> None:
        """Extend the selected item's term (a named approver, before it ends)."""
        selected = self.table.selectionModel().selectedRows()
        if not selected:
            return
        row = self.rows[selected[0].row()]
        self.errors.clear()
        try:
            extend_secrecy(
                session=self._session,
                item_id=row.item_id,
                term_years=self.term.value(),
                note=self.note.text(),
                clock=self._context.clock,
            )
        except ValidationFailed as exc:
            self.errors.show(exc)
            return
        except AppError as exc:
            show_error(self, exc)
            return
        self.note.clear()
        self.reload()
