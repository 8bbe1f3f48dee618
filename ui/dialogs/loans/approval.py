"""The approver's queue: read an application, then 同意 or 驳回 with an opinion (R31, R34)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget

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
from ui.dialogs.table_dialog import TableDialog
from ui.errors import message_for

QUEUE_COLUMNS = ("申请编号", "利用方式", "利用者", "利用目的", "案卷", "密级")


def _queue_cells(r: ApplicationRow) -> list[str]:
    return [r.number, r.kind_label, r.applicant, r.purpose, r.volumes, r.secrecy]


class ApprovalDialog(TableDialog):
    """The approver's queue: read an application, then 同意 or 驳回 with an opinion."""

    def __init__(self, parent: QWidget | None, context: AppContext, session: SignedIn) -> None:
        super().__init__(
            parent,
            title=self.tr("审批 — {0}").format(session.actor.display_name),
            object_name="ApprovalDialog",
            table="approval_queue",
            columns=QUEUE_COLUMNS,
            cells=_queue_cells,
        )
        self._context = context
        self._session = session
        self.decided = 0
        self.queue = self.table
        self.panel.selection_changed.connect(lambda _row: self._show_selected())
        self.detail = self.add_line("application_detail")
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.opinion = QLineEdit(objectName="opinion")
        self.opinion.setPlaceholderText(self.tr("同意时可留空；驳回时必须写明理由"))
        self.add_field(self.tr("审批意见"), self.opinion, "opinion")
        self.error = self.add_line("error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.approve_button = self.add_action(
            self.tr("同意"), "approve", lambda: self.decide(approve=True)
        )
        self.reject_button = self.add_action(
            self.tr("驳回"), "reject", lambda: self.decide(approve=False)
        )
        self.finish(width=820, height=520, close_text=self.tr("完成"))
        self.refresh()

    def refresh(self) -> None:
        """Reload the queue."""
        rows = self.show_rows(
            lambda: approval_queue(session=self._session, clock=self._context.clock),
            refused=lambda exc: self.error.setText(message_for(exc)),
        )
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
