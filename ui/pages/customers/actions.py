"""What the 客户 page's buttons do: new, edit, change status, import, export, review, reveal."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox, QTableView, QWidget

from app.domain.roles import Role
from app.errors import AppError
from app.messages import describe_field_error
from app.services.auth import SignedIn
from app.services.customers import (
    CustomerChanges,
    CustomerDraft,
    CustomerFilter,
    change_customer_status,
    register_customer,
    update_customer,
)
from app.services.privacy import get_privacy_settings
from app.services.users import StaffRow, list_staff
from ui.context import AppContext
from ui.dialogs.customer_form import CustomerFormDialog, StatusDialog
from ui.dialogs.duplicates import DuplicateReviewDialog
from ui.dialogs.reveal import RevealDialog
from ui.errors import message_for
from ui.models.customers import CustomerTableModel
from ui.pages.customers.detail import CustomerDetailPane

log = logging.getLogger(__name__)


class CustomerActions(QWidget):
    """The page's actions; :class:`ui.pages.customers.page.CustomersPage` builds the widgets."""

    _context: AppContext
    _session: SignedIn
    search: QLineEdit
    count_label: QLabel
    model: CustomerTableModel
    table: QTableView
    pane: CustomerDetailPane

    def refresh(self) -> None:
        """Run the search or the listing again (the page does it)."""
        raise NotImplementedError

    def selected_id(self) -> int | None:
        """The selected customer (the page knows the table)."""
        raise NotImplementedError

    def current_filters(self) -> CustomerFilter:
        """The list's filters as chosen (the page knows the boxes)."""
        raise NotImplementedError

    def new_customer(self) -> None:
        """Open the form; keep it open until saved or cancelled."""
        if not self._session.actor.has(Role.ARCHIVIST):
            return

        def register(draft: CustomerDraft) -> Any:
            return register_customer(session=self._session, draft=draft, clock=self._context.clock)

        lists = get_privacy_settings(session=self._session, clock=self._context.clock)
        dialog = CustomerFormDialog(
            self,
            staff=self._staff(),
            register=register,
            purposes=lists.purposes,
            bases=tuple(lists.legal_bases()),
        )
        if not dialog.exec() or dialog.result_value is None:
            return
        result = dialog.result_value
        notes = [describe_field_error(w) for w in result.warnings]
        notes += [
            self.tr("与客户 {0} 的{1}相同，已标记为疑似重复，待审批人复核。").format(
                d.other_number, self.tr("电话") if d.reason == "phone" else self.tr("银行账号")
            )
            for d in result.duplicates
        ]
        if notes:
            QMessageBox.information(
                self, self.tr("已保存 {0}").format(result.number), "\n".join(notes)
            )
        self.search.setText(result.number)
        self.refresh()
        if self.model.rowCount():
            self.table.selectRow(0)

    def _staff(self) -> list[StaffRow]:
        """Accounts offered as 负责人员 (none when they cannot be read: the form still works)."""
        try:
            return list_staff(session=self._session, clock=self._context.clock)
        except AppError as exc:
            log.warning("could not list staff: %s", exc.code)
            return []

    def edit_customer(self) -> None:
        """Edit the selected customer (protected fields: empty means unchanged)."""
        detail = self.pane.detail
        if detail is None:
            return

        def update(changes: CustomerChanges) -> Any:
            update_customer(
                session=self._session,
                customer_id=detail.id,
                changes=changes,
                expected_version=detail.version,
                clock=self._context.clock,
            )
            return True

        dialog = CustomerFormDialog(self, existing=detail, staff=self._staff(), update=update)
        if dialog.exec():
            self._reload_selected()

    def change_status(self) -> None:
        """潜在/在册/流失 with a note; dated in the history."""
        detail = self.pane.detail
        if detail is None:
            return
        dialog = StatusDialog(detail.status, self)
        while dialog.exec():
            try:
                change_customer_status(
                    session=self._session,
                    customer_id=detail.id,
                    status=dialog.status(),
                    note=dialog.note.text(),
                    expected_version=detail.version,
                    clock=self._context.clock,
                )
            except AppError as exc:
                dialog.general.setText(message_for(exc))
                continue
            break
        self._reload_selected()

    def _reload_selected(self) -> None:
        row = self.table.currentIndex().row()
        self.refresh()
        if 0 <= row < self.model.rowCount():
            self.table.selectRow(row)

    def import_history(self) -> None:
        """导入记录: earlier imports, undoable while their rows are unchanged."""
        from ui.dialogs.import_wizard import ImportHistoryDialog

        ImportHistoryDialog(self, self._context, self._session, "customers").exec()
        self.refresh()

    def import_ledger(self) -> None:
        """导入客户台账 (wizard); the list shows the new customers afterwards."""
        from ui.dialogs.import_wizard import ImportWizard

        ImportWizard(self, self._context, self._session, "customers").exec()
        self.refresh()

    def export_list(self) -> None:
        """The list as on screen to Excel or PDF: masked unless asked and allowed (R5, R40)."""
        from app.domain.roles import may_as
        from app.services.exports import ExportFormat, export_customers
        from ui.dialogs.export_list import ExportListDialog, export_to_file

        ask = ExportListDialog(
            self,
            self.tr("客户目录"),
            may_unmask=may_as(
                self._session.actor.roles,
                self._session.actor.approver_title,
                "customer.reveal_sensitive",
            ),
            customers=True,
            uses=get_privacy_settings(session=self._session, clock=self._context.clock).purposes,
        )

        def produce(fmt: ExportFormat) -> bytes:
            return export_customers(
                session=self._session,
                purpose=ask.purpose.currentText(),
                clock=self._context.clock,
                fmt=fmt,
                unmasked=ask.unmasked.isChecked(),
                query=self.search.text(),
                filters=self.current_filters(),
                use=str(ask.use.currentData() or "客户服务"),
            )

        written = export_to_file(self, ask, "客户目录", produce)
        if written is not None:
            self.count_label.setText(self.tr("已导出到 {0}").format(written.name))

    def review_duplicates(self) -> None:
        """Approvers clear 疑似重复 flags."""
        DuplicateReviewDialog(self._session, self._context.clock, self).exec()
        self.refresh()

    def reveal(self) -> None:
        """Ask for a purpose, then show full values (audited)."""
        cid = self.selected_id()
        if cid is not None:
            dialog = RevealDialog(self._session, self._context.clock, cid, self)
            dialog.exec()
            dialog.deleteLater()  # the full values must not linger in hidden widgets
