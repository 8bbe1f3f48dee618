"""人员: the staff list with agreement and training state, departments and filing, hand-overs.

Tabs: 人员 (people, their papers; the administrator records them), 部门与归档 (departments,
their filing clerks, the month's 归档移交 and who is late), 交接记录 (leaving and transfer
hand-overs), 权限审查 (access reviews, for the administrator and the auditor). Buttons follow
the permissions; every list is re-read after a change (``refresh``).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QMessageBox, QTabWidget, QVBoxLayout, QWidget

from app.domain.roles import may
from app.errors import AppError
from app.services import staff, users
from app.services.auth import SignedIn
from ui.context import AppContext
from ui.errors import REFUSED, UseCases, show_error
from ui.pages.staff.dialogs import (
    AgreementDialog,
    FilingDialog,
    PersonDialog,
    StaffPolicyDialog,
    TrainingDialog,
)
from ui.pages.staff.handover_wizard import HandoverWizard
from ui.pages.staff.printouts import preview_staff_form
from ui.pages.staff.reviews import ReviewsTab
from ui.widgets.table_panel import TablePanel

BLOCKED = "#fde2e1"
WARNED = "#fff4d6"


def _person_background(row: staff.PersonRow) -> Any:
    from PySide6.QtGui import QColor

    if row.blocked:
        return QColor(BLOCKED)
    if row.gaps:
        return QColor(WARNED)
    return None


class StaffPage(UseCases, QWidget):
    """The 人员 area."""

    def __init__(self, context: AppContext, session: SignedIn) -> None:
        super().__init__(objectName="StaffPage")
        self._context, self._session = context, session
        roles = session.actor.roles
        self.can_manage = may(roles, "staff.manage")
        self.can_file = may(roles, "filing.handover")
        self.can_hand_over = may(roles, "staff.handover")
        self.can_review = may(roles, "access_review.verify")
        self.departments: list[staff.DepartmentRow] = []
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(objectName="staff_tabs")
        layout.addWidget(self.tabs)
        self._build_people()
        self._build_departments()
        self._build_handovers()
        self.reviews: ReviewsTab | None = None
        if self.can_review:
            self.reviews = ReviewsTab(context, session, self)
            self.tabs.addTab(self.reviews, self.tr("权限审查"))
        self.refresh()

    # -- building ---------------------------------------------------------------------------
    def _build_people(self) -> None:
        self.people = TablePanel(
            name="staff_people",
            columns=[
                self.tr("姓名"),
                self.tr("部门"),
                self.tr("岗位"),
                self.tr("联系电话"),
                self.tr("账户"),
                self.tr("状态"),
                self.tr("保密协议与培训"),
            ],
            cells=lambda p: [
                p.name,
                p.department,
                p.post,
                p.contact,
                p.username,
                p.state_label,
                "—" if p.state == "left" else p.status_text,
            ],
            background=_person_background,
        )
        manage = self.can_manage
        self.people.add_button(self.tr("新增人员…"), "staff_add", self.add_person, visible=manage)
        self.people.add_button(self.tr("修改…"), "staff_edit", self.edit_person, visible=manage)
        self.people.add_button(
            self.tr("登记保密协议…"), "staff_agreement", self.add_agreement, visible=manage
        )
        self.people.add_button(
            self.tr("登记培训…"), "staff_training", self.add_training, visible=manage
        )
        self.people.add_button(
            self.tr("离职/调岗交接…"),
            "staff_handover",
            self.open_handover,
            visible=self.can_hand_over,
        )
        self.people.end_bar()
        self.people.add_button(
            self.tr("人员制度…"), "staff_policy", self.edit_policy, visible=manage
        )
        self.tabs.addTab(self.people, self.tr("人员"))

    def _build_departments(self) -> None:
        holder = QWidget()
        box = QVBoxLayout(holder)
        self.filing_status = QLabel(objectName="filing_status")
        self.filing_status.setWordWrap(True)
        box.addWidget(self.filing_status)
        self.department_list = TablePanel(
            name="staff_departments",
            columns=[self.tr("部门"), self.tr("归档专人"), self.tr("在职人数")],
            cells=lambda d: [d.name, d.filing_clerk_name or self.tr("（未指定）"), str(d.people)],
        )
        self.department_list.add_button(
            self.tr("新增部门…"), "department_add", self.add_department, visible=self.can_manage
        )
        self.department_list.add_button(
            self.tr("指定归档专人…"), "department_clerk", self.choose_clerk, visible=self.can_manage
        )
        self.department_list.end_bar()
        box.addWidget(self.department_list, 1)
        self.filings = TablePanel(
            name="staff_filings",
            columns=[
                self.tr("移交编号"),
                self.tr("部门"),
                self.tr("归档月份"),
                self.tr("归档专人"),
                self.tr("接收人"),
                self.tr("日期"),
                self.tr("案卷"),
                self.tr("件数"),
                self.tr("页数"),
            ],
            cells=lambda f: [
                f.number,
                f.department,
                f.period,
                f.clerk_name,
                f.archivist_name,
                f.occurred_at.astimezone().strftime("%Y-%m-%d"),
                str(f.volumes),
                str(f.items),
                str(f.pages),
            ],
        )
        self.filings.add_button(
            self.tr("归档移交…"), "filing_new", self.new_filing, visible=self.can_file
        )
        self.filings.add_button(self.tr("打印移交清单…"), "filing_print", self.print_filing)
        self.filings.end_bar()
        box.addWidget(self.filings, 1)
        self.tabs.addTab(holder, self.tr("部门与归档"))

    def _build_handovers(self) -> None:
        self.handovers = TablePanel(
            name="staff_handovers",
            columns=[
                self.tr("交接编号"),
                self.tr("交接人"),
                self.tr("类型"),
                self.tr("监交人"),
                self.tr("日期"),
                self.tr("事项"),
                self.tr("未交接"),
            ],
            cells=lambda h: [
                h.number,
                h.person_name,
                h.kind_label,
                h.supervisor,
                h.occurred_at.astimezone().strftime("%Y-%m-%d"),
                str(len(h.lines)),
                str(h.remaining),
            ],
        )
        self.handovers.add_button(self.tr("打印交接清单…"), "handover_print", self.print_handover)
        self.handovers.end_bar()
        self.tabs.addTab(self.handovers, self.tr("交接记录"))

    # -- reading ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read every list again."""
        session, clock = self._session, self._context.clock
        try:
            self.people.set_rows(staff.list_people(session=session, clock=clock))
            self.departments = staff.list_departments(session=session, clock=clock)
            self.department_list.set_rows(self.departments)
            self.filings.set_rows(staff.list_filing_handovers(session=session, clock=clock))
            self.handovers.set_rows(staff.list_staff_handovers(session=session, clock=clock))
            status = staff.get_filing_status(session=session, clock=clock)
            if status.overdue:
                late = "、".join(d.department for d in status.overdue)
                self.filing_status.setText(
                    self.tr("⚠ {0} 的归档应于 {1} 前移交，尚未移交：{2}").format(
                        status.period, status.deadline.isoformat(), late
                    )
                )
                self.filing_status.setStyleSheet("color: #b00020; font-weight: bold;")
            else:
                self.filing_status.setText(
                    self.tr("{0} 的归档移交期限 {1}；已移交 {2} 个部门，没有逾期。").format(
                        status.period, status.deadline.isoformat(), status.handed_over
                    )
                )
                self.filing_status.setStyleSheet("color: #1b5e20;")
            if self.reviews is not None:
                self.reviews.refresh()
        except AppError as exc:
            show_error(self, exc)

    def refresh_after_change(self, _changes: object) -> None:
        """A write elsewhere changed staff, accounts or holdings: read again."""
        self.refresh()

    def _selected_person(self) -> staff.PersonRow | None:
        row = self.people.selected()
        if row is None:
            QMessageBox.information(self, self.tr("人员"), self.tr("请先选择一名人员。"))
        return row  # type: ignore[no-any-return]

    def _accounts(self) -> list[tuple[int, str]]:
        return [
            (u.id, f"{u.display_name}（{u.username}）")
            for u in users.list_users(session=self._session, clock=self._context.clock)
            if not u.disabled
        ]

    # -- actions ----------------------------------------------------------------------------
    def add_person(self) -> None:
        """新增人员."""
        dialog = PersonDialog(
            self._context, self._session, self.departments, self._accounts(), parent=self
        )
        if dialog.exec():
            self.refresh()

    def edit_person(self) -> None:
        """修改 the selected person."""
        person = self._selected_person()
        if person is None:
            return
        dialog = PersonDialog(
            self._context, self._session, self.departments, self._accounts(), person, parent=self
        )
        if dialog.exec():
            self.refresh()

    def add_agreement(self) -> None:
        """登记保密协议 for the selected person."""
        person = self._selected_person()
        if (
            person is not None
            and AgreementDialog(self._context, self._session, person, self).exec()
        ):
            self.refresh()

    def add_training(self) -> None:
        """登记培训 (attendees ticked in the dialog)."""
        if TrainingDialog(self._context, self._session, self.people.rows, self).exec():
            self.refresh()

    def edit_policy(self) -> None:
        """人员制度: intervals and days (the administrator)."""
        if StaffPolicyDialog(self._context, self._session, self).exec():
            self.refresh()

    def add_department(self) -> None:
        """新增部门."""
        from PySide6.QtWidgets import QInputDialog

        name, ok = QInputDialog.getText(self, self.tr("新增部门"), self.tr("部门名称"))
        if not ok:
            return
        self.attempt(staff.add_department, name=name)
        self.refresh()

    def choose_clerk(self) -> None:
        """指定归档专人 of the selected department."""
        from PySide6.QtWidgets import QInputDialog

        dep = self.department_list.selected()
        if dep is None:
            return
        people = [p for p in self.people.rows if p.state != "left"]
        labels = [f"{p.name}（{p.department or '—'}）" for p in people]
        chosen, ok = QInputDialog.getItem(self, self.tr("指定归档专人"), dep.name, labels, 0, False)
        if not ok or chosen not in labels:
            return
        clerk = people[labels.index(chosen)].id
        self.attempt(staff.set_filing_clerk, department_id=dep.id, person_id=clerk)
        self.refresh()

    def new_filing(self) -> None:
        """归档移交 of a department (its clerk confirms at the desk)."""
        dialog = FilingDialog(self._context, self._session, self.departments, self)
        if dialog.exec():
            self.refresh()
            self.print_filing(dialog.result_value.row.id)

    def open_handover(self) -> None:
        """离职/调岗交接 of the selected person."""
        person = self._selected_person()
        if person is None:
            return
        wizard = HandoverWizard(self._context, self._session, person, self._accounts(), self)
        wizard.exec()
        self.refresh()

    # -- printing ---------------------------------------------------------------------------
    def print_filing(self, handover_id: int | None = None) -> None:
        """The 归档移交清单 of the selected (or given) hand-over."""
        from app.services.staff import printing as staff_printing

        if handover_id is None:
            row = self.filings.selected()
            if row is None:
                return
            handover_id = row.id
        sheet = self.attempt(staff.get_filing_sheet, handover_id=handover_id)
        if sheet is REFUSED:
            return
        number = sheet.row.number
        filed = handover_id  # an int from here on, for the render below
        preview_staff_form(
            self,
            self._context,
            self._session,
            title=self.tr("归档移交清单 {0}").format(number),
            form="filing",
            object_id=filed,
            render=lambda: staff_printing.filing_pdf(
                session=self._session, handover_id=filed, clock=self._context.clock
            ),
            file_name=f"归档移交清单-{number}.pdf",
        )

    def print_handover(self) -> None:
        """The 交接清单 of the selected hand-over."""
        from app.services.staff import printing as staff_printing

        row = self.handovers.selected()
        if row is None:
            return
        preview_staff_form(
            self,
            self._context,
            self._session,
            title=self.tr("交接清单 {0}").format(row.number),
            form="handover",
            object_id=row.id,
            render=lambda: staff_printing.staff_handover_pdf(
                session=self._session, handover_id=row.id, clock=self._context.clock
            ),
            file_name=f"交接清单-{row.number}.pdf",
        )
