"""The leaving/transfer hand-over wizard (离职/调岗交接, R26): list, assign, confirm, print.

Page 1 lists everything the person holds (safes, loans, applications, customers, repair and
inspection tasks, filing-clerk duties); page 2 names the successor, the supervisor (监交人)
and which kinds go now; page 3 is the successor's password at the desk. The service moves
everything in one transaction; the dialog then offers the printed 交接清单 for the three
signatures.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.staff import HOLDING_LABELS, HoldingKind, StaffState
from app.errors import AppError, FieldError, ValidationFailed
from app.services import staff
from app.services.auth import SignedIn
from ui.context import AppContext
from ui.dialogs.form import add_form_row
from ui.errors import FieldErrors, message_for
from ui.geometry import fit_to_screen
from ui.pages.staff.printouts import preview_staff_form
from ui.widgets.table_panel import TablePanel


class HandoverWizard(QDialog):
    """Three steps, then the result; ``result_sheet`` holds the recorded hand-over."""

    def __init__(
        self,
        context: AppContext,
        session: SignedIn,
        person: staff.PersonRow,
        successors: Sequence[tuple[int, str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("HandoverWizard")
        self.setWindowTitle(self.tr("离职/调岗交接 - {0}").format(person.name))
        self._context, self._session, self._person = context, session, person
        self.result_sheet: staff.StaffHandoverSheet | None = None
        self.errors = FieldErrors()
        layout = QVBoxLayout(self)
        self.step_label = QLabel(objectName="wizard_step")
        self.step_label.setStyleSheet("font-weight: bold; font-size: 12pt;")
        layout.addWidget(self.step_label)
        self.pages = QStackedWidget(objectName="wizard_pages")
        layout.addWidget(self.pages, 1)
        # 1: what the person holds
        self.holdings = TablePanel(
            name="wizard_holdings",
            columns=[self.tr("类别"), self.tr("事项"), self.tr("说明")],
            cells=lambda h: [h.kind_label, h.what, h.detail],
        )
        self.pages.addWidget(self.holdings)
        # 2: successor, supervisor, kinds
        assign = QWidget()
        form = QFormLayout(assign)
        self.leaving = QComboBox(objectName="wizard_leaving")
        self.leaving.addItem(self.tr("离职"), StaffState.LEFT)
        self.leaving.addItem(self.tr("调岗"), StaffState.TRANSFERRED)
        form.addRow(self.tr("交接类型"), self.leaving)
        self.successor = QComboBox(objectName="wizard_successor")
        for uid, label in successors:
            if uid != person.user_id:
                self.successor.addItem(label, uid)
        add_form_row(form, self.errors, self.tr("接办人"), self.successor, "successor")
        self.supervisor = QLineEdit(objectName="wizard_supervisor")
        add_form_row(form, self.errors, self.tr("监交人"), self.supervisor, "supervisor")
        self.kind_boxes: dict[HoldingKind, QCheckBox] = {}
        for kind in HoldingKind:
            box = QCheckBox(HOLDING_LABELS[kind], objectName=f"wizard_kind_{kind.value}")
            box.setChecked(True)
            self.kind_boxes[kind] = box
            form.addRow("", box)
        self.note = QLineEdit(objectName="wizard_note")
        form.addRow(self.tr("说明"), self.note)
        self.pages.addWidget(assign)
        # 3: the successor confirms at the desk
        confirm = QWidget()
        cform = QFormLayout(confirm)
        cform.addRow(QLabel(self.tr("请接办人本人在此输入用户名和密码，确认已逐项接收。")))
        self.successor_user = QLineEdit(objectName="wizard_successor_user")
        cform.addRow(self.tr("接办人用户名"), self.successor_user)
        self.successor_password = QLineEdit(objectName="wizard_successor_password")
        self.successor_password.setEchoMode(QLineEdit.EchoMode.Password)
        cform.addRow(self.tr("接办人密码"), self.successor_password)
        self.general = QLabel(objectName="wizard_error")
        self.general.setStyleSheet("color: #b00020;")
        self.general.setWordWrap(True)
        cform.addRow(self.general)
        self.pages.addWidget(confirm)
        # 4: done
        self.done_label = QLabel(objectName="wizard_done")
        self.done_label.setWordWrap(True)
        self.done_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.pages.addWidget(self.done_label)
        buttons = QHBoxLayout()
        self.back = QPushButton(self.tr("上一步"), objectName="wizard_back")
        self.next = QPushButton(self.tr("下一步"), objectName="wizard_next")
        self.print_button = QPushButton(self.tr("打印交接清单…"), objectName="wizard_print")
        self.close_button = QPushButton(self.tr("取消"), objectName="wizard_close")
        buttons.addWidget(self.back)
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.next)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.back.clicked.connect(lambda: self.go(self.pages.currentIndex() - 1))
        self.next.clicked.connect(self.advance)
        self.close_button.clicked.connect(self.reject)
        self.print_button.clicked.connect(self.print_list)
        self.load()
        self.go(0)
        fit_to_screen(self, 720, 520)

    def load(self) -> None:
        """Read what the person holds now."""
        rows = staff.list_holdings(
            session=self._session, person_id=self._person.id, clock=self._context.clock
        )
        self.holdings.set_rows(rows)
        present = {h.kind for h in rows}
        for kind, box in self.kind_boxes.items():
            box.setVisible(kind in present)

    def go(self, index: int) -> None:
        """Show step ``index`` (0–3)."""
        index = max(0, min(index, 3))
        self.pages.setCurrentIndex(index)
        titles = [
            self.tr("第 1 步：{0} 经办或保管的事项（{1} 项）").format(
                self._person.name, len(self.holdings.rows)
            ),
            self.tr("第 2 步：接办人与监交人"),
            self.tr("第 3 步：接办人确认"),
            self.tr("交接完成"),
        ]
        self.step_label.setText(titles[index])
        self.back.setVisible(0 < index < 3)
        self.next.setVisible(index < 3)
        self.next.setText(self.tr("确认交接") if index == 2 else self.tr("下一步"))
        self.print_button.setVisible(index == 3)
        self.close_button.setText(self.tr("关闭") if index == 3 else self.tr("取消"))

    def advance(self) -> None:
        """Next step; on the last one, run the hand-over."""
        index = self.pages.currentIndex()
        if index == 1 and not self.supervisor.text().strip():
            self.errors.show(ValidationFailed([FieldError("supervisor", "required")]))
            return
        if index < 2:
            self.go(index + 1)
            return
        self.run()

    def run(self) -> None:
        """The hand-over itself (the service checks the successor's password)."""
        self.errors.clear()
        self.general.clear()
        kinds = [k for k, box in self.kind_boxes.items() if box.isChecked()]
        try:
            self.result_sheet = staff.hand_over_holdings(
                session=self._session,
                person_id=self._person.id,
                leaving=StaffState(self.leaving.currentData()),
                successor_user_id=self.successor.currentData(),
                successor_username=self.successor_user.text(),
                successor_password=self.successor_password.text(),
                supervisor=self.supervisor.text(),
                kinds=kinds,
                note=self.note.text(),
                clock=self._context.clock,
            )
        except ValidationFailed as exc:
            leftovers = self.errors.show(exc)
            self.general.setText("\n".join(leftovers) or self.tr("请返回上一步修改。"))
            return
        except AppError as exc:
            self.general.setText(message_for(exc))
            return
        finally:
            self.successor_password.clear()
        sheet = self.result_sheet
        text = self.tr("已交接 {0} 项，交接编号 {1}。").format(len(sheet.lines), sheet.number)
        if sheet.remaining:
            text += self.tr("\n仍有 {0} 项未交接，人员状态不变；可再次交接给其他接办人。").format(
                sheet.remaining
            )
        else:
            text += self.tr("\n人员状态已改为“{0}”。离职人员的账户现在可以停用。").format(
                sheet.kind_label
            )
        text += self.tr("\n请打印交接清单，由交接人、接办人、监交人签字。")
        self.done_label.setText(text)
        self.go(3)

    def print_list(self) -> None:
        """The 交接清单 for the three signatures."""
        from app.services.staff import printing as staff_printing

        sheet = self.result_sheet
        if sheet is None:
            return
        preview_staff_form(
            self,
            self._context,
            self._session,
            title=self.tr("交接清单 {0}").format(sheet.number),
            form="handover",
            object_id=sheet.id,
            render=lambda: staff_printing.staff_handover_pdf(
                session=self._session, handover_id=sheet.id, clock=self._context.clock
            ),
            file_name=f"交接清单-{sheet.number}.pdf",
        )
