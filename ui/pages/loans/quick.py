"""快速借出 on the loan desk (issue 21): a one-step staff loan with the approver at the desk.

A volume scanned at the 借出 box that no approved application waits for opens this form
under it: more scans add volumes, the borrower is picked by name or user name (or their staff
card scanned), the purpose is remembered from the last quick loan at this desk. Ctrl+Enter
(or 借出) checks the route: with one step the named approver signs in at the desk (the 审批人登录
path; with one person holding the title only the password is typed), and the application is
filed, approved and issued (``app.services.loans.quick_loan``, every rule kept), the slip
printed. Esc clears the form. A route of more steps is sent to 登记申请.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError, FieldError, ValidationFailed
from app.services.auth import sign_out
from app.services.catalogue import get_volume
from app.services.loans import (
    ApplicationDraft,
    BorrowerRow,
    QuickLoanDone,
    RequestedVolume,
    list_borrowers,
    plan_quick_loan,
    quick_loan,
)
from app.services.loans import printing as loan_print
from ui.dialogs.loans import PURPOSES, ApproverSignInDialog
from ui.dialogs.print_preview import PrintPreviewDialog
from ui.errors import message_for, show_unexpected
from ui.pages.loans.common import ERROR_STYLE, Desk
from ui.tasks import run_in_background

PrinterFactory = Callable[[], QPrinter | None]


def desk_printer() -> QPrinter | None:
    """The workstation's default printer (None: there is none; the preview opens instead)."""
    info = QPrinterInfo.defaultPrinter()
    if info.isNull():
        return None
    return QPrinter(info, QPrinter.PrinterMode.HighResolution)


def _is_enter(event: QEvent) -> tuple[bool, bool]:
    """(Enter pressed, with Ctrl) for a key press."""
    if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
        return False, False
    enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
    return enter, enter and bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)


class QuickLoanPanel(QWidget):
    """The quick-loan form under the 借出 scanner."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="quick_loan")
        self._desk = desk
        self.volume_ids: list[int] = []
        self._borrowers: list[BorrowerRow] = []
        self._borrower_id: int | None = None
        self.slip_printer: PrinterFactory = desk_printer
        self.last_done: QuickLoanDone | None = None
        self.last_printed: bytes | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel(objectName="quick_title")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        form = QFormLayout()
        self.borrower = QLineEdit(objectName="quick_borrower")
        self.borrower.setPlaceholderText(self.tr("姓名、用户名或扫描工作证，回车确认"))
        self.borrower_label = QLabel(objectName="quick_borrower_label")
        self.borrower_label.setMinimumWidth(90)
        row = QHBoxLayout()
        row.addWidget(self.borrower, 1)
        row.addWidget(self.borrower_label)
        form.addRow(self.tr("利用者"), row)
        self.purpose = QComboBox(objectName="quick_purpose")
        self.purpose.setEditable(True)
        self.purpose.addItems([self.tr(p) for p in PURPOSES])
        self.purpose.setCurrentText("")
        form.addRow(self.tr("利用目的"), self.purpose)
        layout.addLayout(form)
        self.error = QLabel(objectName="quick_error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.lend_button = QPushButton(self.tr("借出 (Ctrl+Enter)"), objectName="quick_lend")
        self.lend_button.clicked.connect(self.confirm)
        self.clear_button = QPushButton(self.tr("清空 (Esc)"), objectName="quick_clear")
        self.clear_button.clicked.connect(self.clear)
        buttons.addWidget(self.lend_button)
        buttons.addWidget(self.clear_button)
        layout.addLayout(buttons)
        for widget in (self.borrower, self.purpose, self.purpose.lineEdit()):
            widget.installEventFilter(self)
        self.borrower.textEdited.connect(self._borrower_edited)
        self._remembered_purpose = ""
        self.setVisible(False)

    # -- the form -------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        """A quick loan is being made (volumes scanned, not yet lent or cleared)."""
        return bool(self.volume_ids)

    def add_volume(self, volume_id: int) -> None:
        """A scanned volume no approved application waits for: start (or extend) the form."""
        if not self.is_open:
            self._load_borrowers()
            self.purpose.setCurrentText(self._remembered_purpose)
        if volume_id not in self.volume_ids:
            self.volume_ids.append(volume_id)
        self._show_title()
        self.error.clear()
        self.setVisible(True)
        if self._borrower_id is None:
            self.borrower.setFocus()
        elif not self.purpose.currentText().strip():
            self.purpose.setFocus()

    def _show_title(self) -> None:
        session, clock = self._desk.session, self._desk.context.clock
        codes = []
        for vid in self.volume_ids:
            try:
                codes.append(get_volume(session=session, volume_id=vid, clock=clock).reference_code)
            except AppError:
                codes.append("—")
        self.title.setText(
            self.tr("快速借出（外借，单环节审批、审批人在场）：{0}").format("、".join(codes))
        )

    def _load_borrowers(self) -> None:
        try:
            self._borrowers = list_borrowers(
                session=self._desk.session, clock=self._desk.context.clock
            )
        except AppError as exc:
            self.error.setText(message_for(exc))
            self._borrowers = []
        names = [f"{b.display_name}（{b.username}）" for b in self._borrowers]
        completer = QCompleter(names, self.borrower)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.borrower.setCompleter(completer)

    def _borrower_edited(self, _text: str) -> None:
        self._borrower_id = None
        self.borrower_label.clear()

    @staticmethod
    def _keys(b: BorrowerRow) -> tuple[str, ...]:
        shown = f"{b.display_name}（{b.username}）"
        return (b.username.casefold(), b.display_name.casefold(), shown.casefold())

    def pick_borrower(self) -> bool:
        """Read the borrower field: a user name, a unique name, or a completer entry."""
        text = self.borrower.text().strip()
        key = text.casefold()
        found = [
            b
            for b in self._borrowers
            if key
            in (
                b.username.casefold(),
                b.display_name.casefold(),
                f"{b.display_name}（{b.username}）".casefold(),
            )
        ]
        if len(found) != 1:
            self.error.setText(
                self.tr("没有找到该利用者")
                if not found
                else self.tr("同名的人不止一位：请输入用户名")
            )
            return False
        b = found[0]
        self._borrower_id = b.id
        self.borrower.setText(f"{b.display_name}（{b.username}）")
        self.borrower_label.setText(b.department)
        self.error.clear()
        return True

    def clear(self) -> None:
        """Esc: forget the form."""
        self.volume_ids = []
        self._borrower_id = None
        self.borrower.clear()
        self.borrower_label.clear()
        self.error.clear()
        self.setVisible(False)
        self._desk.issue_message("")
        self._focus_scanner()

    def _focus_scanner(self) -> None:
        scanner = getattr(self._desk, "issue_scan", None)
        if isinstance(scanner, QWidget):
            scanner.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter picks the borrower and moves on; Ctrl+Enter lends; Esc clears."""
        enter, ctrl = _is_enter(event)
        if ctrl:
            self.confirm()
            return True
        if enter:
            if watched is self.borrower:
                if self.pick_borrower():
                    if self.purpose.currentText().strip():
                        self.lend_button.setFocus()
                    else:
                        self.purpose.setFocus()
            else:
                self.lend_button.setFocus()
            return True
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
        ):
            self.clear()
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Ctrl+Enter anywhere in the form lends; Esc clears it."""
        _enter, ctrl = _is_enter(event)
        if ctrl:
            self.confirm()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.clear()
            return
        super().keyPressEvent(event)

    def draft(self) -> ApplicationDraft:
        """The loan as typed."""
        return ApplicationDraft(
            kind="loan",
            purpose=self.purpose.currentText(),
            volumes=tuple(RequestedVolume(v) for v in self.volume_ids),
            applicant_user_id=self._borrower_id,
        )

    # -- lending --------------------------------------------------------------------------
    def confirm(self) -> QuickLoanDone | None:
        """Check the route, let the approver sign in at the desk, lend, print the slip."""
        if self._borrower_id is None and self.borrower.text().strip() and not self.pick_borrower():
            return None
        session, context = self._desk.session, self._desk.context
        draft = self.draft()
        try:
            if self._borrower_id is None:
                raise ValidationFailed([FieldError("applicant_user_id", "staff_or_outsider")])
            if not draft.purpose.strip():
                raise ValidationFailed([FieldError("use_purpose", "required")])
            plan = plan_quick_loan(session=session, draft=draft, clock=context.clock)
            if not plan.single_step:
                raise ValidationFailed(
                    [FieldError("route", "quick_loan_route", {"route": " → ".join(plan.steps)})]
                )
        except AppError as exc:
            self.error.setText(message_for(exc))
            return None
        ask = ApproverSignInDialog(
            self,
            context,
            choices=[(a.username, f"{a.display_name}·{a.title}") for a in plan.approvers],
            what=self.tr("快速借出：{0}，由 {1} 签批后立即借出。").format(
                self.title.text().split("：", 1)[-1], plan.steps[0]
            ),
        )
        if ask.exec() != QDialog.DialogCode.Accepted or ask.session is None:
            return None
        approver = ask.session
        try:
            done = quick_loan(session=session, approver=approver, draft=draft, clock=context.clock)
        except AppError as exc:
            self.error.setText(message_for(exc))
            return None
        finally:
            sign_out(session=approver, clock=context.clock, reason="approval_done")
        self._remembered_purpose = draft.purpose.strip()
        self.last_done = done
        self.volume_ids = []
        self._borrower_id = None
        self.borrower.clear()
        self.borrower_label.clear()
        self.setVisible(False)
        for issued in done.loans:
            self._desk.issued(issued)
            self.print_slip(issued.loan_id, issued.number)
        self._focus_scanner()
        return done

    def print_slip(self, loan_id: int, number: str) -> None:
        """Print the slip on the desk's printer (audited first); no printer: the preview.

        The slip is read and drawn off the GUI thread (issue 21, point 8); it goes to the
        printer when it is ready.
        """
        session, context = self._desk.session, self._desk.context

        def render() -> bytes:
            return loan_print.slip_pdf(session=session, loan_id=loan_id, clock=context.clock)

        printer = self.slip_printer()
        if printer is None:
            self._desk.preview_later("slip", number, render)
            return

        def failed(exc: BaseException) -> None:
            if isinstance(exc, AppError):
                self.error.setText(message_for(exc))
            else:
                show_unexpected(self, exc)

        title = loan_print.OUTPUTS["slip"]
        self.print_task = run_in_background(
            self,
            self.tr("正在生成{0}……").format(title),
            lambda _sink: render(),
            lambda pdf: self._print_on(printer, number, pdf),
            failed,
        )

    def _print_on(self, printer: QPrinter, number: str, pdf: bytes) -> None:
        """Send the rendered slip to the desk's printer (the output is audited first)."""
        session, context = self._desk.session, self._desk.context
        title = loan_print.OUTPUTS["slip"]
        try:
            loan_print.record_loan_output(
                session=session, form="slip", kind="print", object_id=number, clock=context.clock
            )
        except AppError as exc:
            self.error.setText(message_for(exc))
            return
        view = PrintPreviewDialog(f"{title} — {number}", pdf, context, self)
        try:
            view.print_to(printer)
        finally:
            view.deleteLater()
        self.last_printed = pdf
        self._desk.issue_message(self.tr("已借出 {0}，借条已打印，请借阅人签字。").format(number))
