"""保密期限复核: items whose term ends within 90 days; an approver may extend one (R16)."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QSpinBox, QWidget

from app.domain.roles import Role
from app.errors import AppError, ValidationFailed
from app.services.auth import SignedIn
from app.services.catalogue import ReviewRow, extend_secrecy, secrecy_review_queue
from ui.context import AppContext
from ui.dialogs.table_dialog import TableDialog
from ui.errors import show_error


def _review_cells(r: ReviewRow) -> list[str]:
    return [r.reference_code, str(r.seq), r.title, r.marking, r.ends.isoformat()]


class SecrecyReviewDialog(TableDialog):
    """The review queue; approvers extend a term before it ends, with a reason."""

    COLUMNS = ("档号", "序号", "题名", "密级", "期满日")

    def __init__(self, parent: QWidget | None, context: AppContext, session: SignedIn) -> None:
        super().__init__(
            parent,
            title=self.tr("保密期限复核（90 天内期满）"),
            object_name="SecrecyReviewDialog",
            table="review_table",
            columns=[self.tr(c) for c in self.COLUMNS],
            cells=_review_cells,
        )
        self._context = context
        self._session = session
        self.empty = self.add_line("review_empty")
        approver = session.actor.has(Role.APPROVER)
        self.term = QSpinBox(objectName="secrecy_term_years")
        self.term.setRange(1, 50)
        self.add_field(self.tr("新的保密期限（年）"), self.term, "secrecy_term_years")
        self.note = QLineEdit(objectName="note")
        self.note.setPlaceholderText(self.tr("延长理由，如：仍涉及在谈项目的商业秘密"))
        self.add_field(self.tr("理由"), self.note, "note")
        self.fields.setVisible(approver)
        self.extend_button = self.add_action(
            self.tr("延长所选文件的保密期限"), "extend", self.extend
        )
        self.extend_button.setVisible(approver)
        self.finish(width=760, height=460)
        self.reload()

    def reload(self) -> None:
        """Read the queue (only what the user's clearance shows)."""
        rows = self.show_rows(
            lambda: secrecy_review_queue(session=self._session, clock=self._context.clock)
        )
        self.empty.setText(self.tr("没有 90 天内期满的文件。") if not rows else "")
        self.extend_button.setEnabled(bool(rows))

    def extend(self) -> None:
        """Extend the selected item's term (a named approver, before it ends)."""
        row: ReviewRow | None = self.selected()
        if row is None:
            return
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
