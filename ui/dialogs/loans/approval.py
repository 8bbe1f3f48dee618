"""The approver's queue: read an application, then 同意 or 驳回 with an opinion (R31, R34)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError
from app.services.auth import SignedIn
from app.services.loans import (
    ApplicationRow,
    approval_queue,
    approve_application,
    get_application,
    reject_application,
)
from ui.context import AppContext
from ui.dialogs.form import ERROR_STYLE
from ui.errors import message_for
from ui.geometry import fit_to_screen
from ui.widgets.table_panel import TablePanel

QUEUE_COLUMNS = ("申请编号", "利用方式", "利用者", "利用目的", "案卷", "密级")


def _queue_cells(r: ApplicationRow) -> list[str]:
    return [r.number, r.kind_label, r.applicant, r.purpose, r.volumes, r.secrecy]


class ApprovalDialog(QDialog):
    """The approver's queue: read an application, then 同意 or 驳回 with an opinion."""

    def __init__(self, parent: QWidget | None, context: AppContext, session: SignedIn) -> None:
        super().__init__(parent)
        self.setObjectName("ApprovalDialog")
        actor = session.actor
        self.setWindowTitle(self.tr("审批 — {0}").format(actor.display_name))
        self._context = context
        self._session = session
        self.decided = 0
        layout = QVBoxLayout(self)
        self.panel = TablePanel(name="approval_queue", columns=QUEUE_COLUMNS, cells=_queue_cells)
        self.queue = self.panel.table
        self.panel.selection_changed.connect(lambda _row: self._show_selected())
        layout.addWidget(self.panel, 1)
        self.detail = QLabel(objectName="application_detail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.detail)
        form = QFormLayout()
        self.opinion = QLineEdit(objectName="opinion")
        self.opinion.setPlaceholderText(self.tr("同意时可留空；驳回时必须写明理由"))
        form.addRow(self.tr("审批意见"), self.opinion)
        layout.addLayout(form)
        self.error = QLabel(objectName="error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        row = QHBoxLayout()
        self.approve_button = QPushButton(self.tr("同意"), objectName="approve")
        self.reject_button = QPushButton(self.tr("驳回"), objectName="reject")
        self.close_button = QPushButton(self.tr("完成"), objectName="close")
        self.approve_button.clicked.connect(lambda: self.decide(approve=True))
        self.reject_button.clicked.connect(lambda: self.decide(approve=False))
        self.close_button.clicked.connect(self.accept)
        row.addWidget(self.approve_button)
        row.addWidget(self.reject_button)
        row.addStretch(1)
        row.addWidget(self.close_button)
        layout.addLayout(row)
        self.refresh()
        fit_to_screen(self, 820, 520)

    @property
    def rows(self) -> list[ApplicationRow]:
        """The applications waiting for this approver."""
        return self.panel.rows

    def refresh(self) -> None:
        """Reload the queue."""
        try:
            rows = approval_queue(session=self._session, clock=self._context.clock)
        except AppError as exc:
            self.error.setText(message_for(exc))
            rows = []
        self.panel.set_rows(rows)
        if not rows:
            self.detail.setText(self.tr("没有等待您审批的申请。"))
        else:
            self.panel.select_row(0)
        self.approve_button.setEnabled(bool(rows))
        self.reject_button.setEnabled(bool(rows))

    def selected(self) -> ApplicationRow | None:
        """The application selected in the queue."""
        row: ApplicationRow | None = self.panel.selected()
        return row

    def _show_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        try:
            view = get_application(
                session=self._session, application_id=row.id, clock=self._context.clock
            )
        except AppError as exc:
            self.detail.setText(message_for(exc))
            return
        volumes = "；".join(
            f"{v.reference_code} {v.title}" + (f"（{v.secrecy}）" if v.secrecy else "")
            for v in view.volumes
        )
        signed = "；".join(f"{a.title} {a.approver}：{a.opinion}" for a in view.approvals)
        self.detail.setText(
            self.tr(
                "{0}　{1}　利用者：{2}（{3}）\n利用目的：{4}　理由：{5}\n案卷：{6}\n"
                "审批环节：{7}\n已签：{8}"
            ).format(
                view.row.number,
                view.row.kind_label,
                view.row.applicant,
                view.row.unit or view.row.department,
                view.row.purpose,
                view.reason or "—",
                volumes,
                " → ".join(view.named_steps or view.steps),
                signed or "—",
            )
        )

    def decide(self, *, approve: bool) -> None:
        """Sign the selected application's step, or reject it with the opinion as reason."""
        row = self.selected()
        if row is None:
            return
        self.error.clear()
        clock = self._context.clock
        try:
            if approve:
                approve_application(
                    session=self._session,
                    application_id=row.id,
                    opinion=self.opinion.text(),
                    clock=clock,
                )
            else:
                reject_application(
                    session=self._session,
                    application_id=row.id,
                    reason=self.opinion.text(),
                    clock=clock,
                )
        except AppError as exc:
            self.error.setText(message_for(exc))
            return
        self.decided += 1
        self.opinion.clear()
        self.refresh()
