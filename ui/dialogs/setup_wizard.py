"""First-start wizard: organisation, the 三员, the recovery key, the auditor's key.

The recovery key is shown once; the audit verification key goes to the auditor in person.

三员分立 (issue 23): the 安全保密员 and the 安全审计员 are created together with the 系统管理员;
each gets a one-time password, shown once on the recovery page, to be handed over in person and
changed at the first sign-in. On the last page (``ui.dialogs.setup_audit_key``) the auditor
signs in with theirs, sets their own password and receives the audit verification key, shown
and printed once like the recovery key (or at their first sign-in, if not present).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.errors import AppError, ValidationFailed
from app.services.auth import SignedIn
from app.services.setup import SetupRequest, SetupResult, initialize_database, validate_setup
from ui import files
from ui.context import AppContext
from ui.dialogs.form import add_form_row
from ui.dialogs.setup_audit_key import AuditKeyPage
from ui.errors import FieldErrors, message_for, show_error, show_unexpected
from ui.geometry import cap_minimum
from ui.widgets.key_label import add_keeping_controls, key_label, warning_label

log = logging.getLogger(__name__)

ORG_FIELDS = ("organisation_name", "fonds_name", "fonds_code")


def _add_rows(
    form: QFormLayout, errors: FieldErrors, fields: tuple[str, ...], widgets: tuple[QWidget, ...]
) -> list[QLabel]:
    """A labelled row per field with its inline error under it; the labels (text set later)."""
    labels = [QLabel() for _ in fields]
    for field, widget, label in zip(fields, widgets, labels, strict=True):
        label.setBuddy(widget)
        add_form_row(form, errors, label, widget, field)
    return labels


def _set_texts(labels: list[QLabel], texts: tuple[str, ...]) -> None:
    for label, text in zip(labels, texts, strict=True):
        label.setText(text)


def _hinted_form(page: QWizardPage) -> tuple[QVBoxLayout, QLabel, QFormLayout]:
    """The page's layout: a wrapped hint above a form."""
    layout = QVBoxLayout(page)
    hint = QLabel()
    hint.setWordWrap(True)
    layout.addWidget(hint)
    form = QFormLayout()
    layout.addLayout(form)
    return layout, hint, form


class IntroPage(QWizardPage):
    """Explains what setup does."""

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self._context = context
        layout = QVBoxLayout(self)
        self._text = QLabel()
        self._text.setWordWrap(True)
        layout.addWidget(self._text)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        """Set every visible string."""
        self.setTitle(self.tr("欢迎使用档案室"))
        self._text.setText(
            self.tr(
                "这是第一次在此位置使用档案室，需要完成初始设置：\n\n"
                "1. 填写单位名称、全宗名称和全宗号；\n"
                "2. 创建安全保密员、安全审计员和系统管理员账户（三员分立）；\n"
                "3. 打印或保存恢复密钥单（只显示一次）；\n"
                "4. 安全审计员本人领取并打印审计验证密钥单（只显示一次）。\n\n"
                "数据库将整体加密保存在：\n{0}"
            ).format(self._context.location.display())
        )


class OrganisationPage(QWizardPage):
    """全宗名称, 全宗号, organisation."""

    def __init__(self) -> None:
        super().__init__()
        self.errors = FieldErrors()
        form = QFormLayout(self)
        self.organisation_name = QLineEdit(objectName="organisation_name")
        self.fonds_name = QLineEdit(objectName="fonds_name")
        self.fonds_code = QLineEdit(objectName="fonds_code")
        self.fonds_code.setMaxLength(8)
        self._labels = _add_rows(
            form,
            self.errors,
            ORG_FIELDS,
            (self.organisation_name, self.fonds_name, self.fonds_code),
        )
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        """Set every visible string."""
        self.setTitle(self.tr("单位与全宗"))
        self.setSubTitle(self.tr("全宗号将用于档号，设置后不宜更改。"))
        _set_texts(
            self._labels,
            (self.tr("单位名称(&O)："), self.tr("全宗名称(&N)："), self.tr("全宗号(&C)：")),
        )
        self.fonds_code.setPlaceholderText(self.tr("如 Z001"))

    def validatePage(self) -> bool:
        """Check the organisation fields before going on."""
        wizard = self.wizard()
        assert isinstance(wizard, SetupWizard)
        errors = [e for e in validate_setup(wizard.request()) if e.field in ORG_FIELDS]
        if errors:
            self.errors.show(ValidationFailed(errors))
            return False
        self.errors.clear()
        return True


class ThreePage(QWizardPage):
    """The 安全保密员 and the 安全审计员: user names and names (one-time passwords follow)."""

    FIELDS = (
        "security_username",
        "security_display_name",
        "auditor_username",
        "auditor_display_name",
    )

    def __init__(self) -> None:
        super().__init__()
        self.errors = FieldErrors()
        _layout, self._hint, form = _hinted_form(self)
        self.security_username = QLineEdit("baomi", objectName="security_username")
        self.security_display_name = QLineEdit(objectName="security_display_name")
        self.auditor_username = QLineEdit("shenji", objectName="auditor_username")
        self.auditor_display_name = QLineEdit(objectName="auditor_display_name")
        self._labels = _add_rows(
            form,
            self.errors,
            self.FIELDS,
            (
                self.security_username,
                self.security_display_name,
                self.auditor_username,
                self.auditor_display_name,
            ),
        )
        self.retranslate_ui()
        self.security_display_name.setText(self.tr("安全保密员"))
        self.auditor_display_name.setText(self.tr("安全审计员"))

    def retranslate_ui(self) -> None:
        """Set every visible string."""
        self.setTitle(self.tr("安全保密员与安全审计员（三员分立）"))
        self._hint.setText(
            self.tr(
                "三员分立：系统管理员管理账户、设置和备份；安全保密员授予角色和审批职务、制定安全策略；"
                "安全审计员审查所有人的操作记录。三个账户须由三个不同的人担任，不能兼任其他角色；"
                "对三员账户的任何变更须由另一名三员确认。"
                "这两个账户将获得一次性密码（在最后一页显示），请当面交给本人，首次登录时必须修改。"
            )
        )
        texts = (
            self.tr("安全保密员用户名："),
            self.tr("安全保密员姓名："),
            self.tr("安全审计员用户名："),
            self.tr("安全审计员姓名："),
        )
        _set_texts(self._labels, texts)


class AdminPage(QWizardPage):
    """The administrator's account; going on creates the database (commit page)."""

    FIELDS = ("username", "display_name", "password", "password_confirm")

    def __init__(self) -> None:
        super().__init__()
        self.errors = FieldErrors()
        self.setCommitPage(True)
        layout, self._hint, form = _hinted_form(self)
        self.username = QLineEdit(objectName="admin_username")
        self.display_name = QLineEdit(objectName="admin_display_name")
        self.password = QLineEdit(objectName="admin_password")
        self.password_confirm = QLineEdit(objectName="admin_password_confirm")
        for w in (self.password, self.password_confirm):
            w.setEchoMode(QLineEdit.EchoMode.Password)
        self._labels = _add_rows(
            form,
            self.errors,
            self.FIELDS,
            (self.username, self.display_name, self.password, self.password_confirm),
        )
        self.general_error = QLabel(objectName="general_error")
        self.general_error.setWordWrap(True)
        self.general_error.setStyleSheet("color: #b00020;")
        layout.addWidget(self.general_error)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        """Set every visible string."""
        self.setTitle(self.tr("系统管理员"))
        self._hint.setText(
            self.tr(
                "系统管理员负责账户、设置和备份，不能授予角色、审批或查看审计记录（三员分立）。"
                "密码至少 10 个字符，包含大写字母、小写字母、数字、符号中的至少 3 类。"
            )
        )
        texts = (
            self.tr("用户名(&U)："),
            self.tr("姓名(&D)："),
            self.tr("密码(&P)："),
            self.tr("确认密码(&R)："),
        )
        _set_texts(self._labels, texts)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("创建数据库"))

    def validatePage(self) -> bool:
        """Create the database; stay on the page with messages when anything is wrong."""
        wizard = self.wizard()
        assert isinstance(wizard, SetupWizard)
        self.general_error.clear()
        return wizard.run_setup(self)


class RecoveryPage(QWizardPage):
    """Shows the recovery key once, saves/prints the sheet, asks for confirmation."""

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self._warning = warning_label()
        layout.addWidget(self._warning)
        self.one_time = QLabel(objectName="one_time_passwords")
        self.one_time.setWordWrap(True)
        self.one_time.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_label = key_label(object_name="recovery_key", point_size=15)
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.key_label)
        layout.addWidget(self.one_time)
        self.save_button = QPushButton(objectName="save_sheet")
        self.open_button = QPushButton(objectName="open_sheet")
        self.open_button.setEnabled(False)
        self.confirm = QCheckBox(objectName="confirm_saved")
        self.saved_label = add_keeping_controls(
            layout, (self.save_button, self.open_button), "saved_path", self.confirm
        )
        layout.addStretch()
        self.saved_path: Path | None = None
        self.confirm.toggled.connect(self.completeChanged)
        self.save_button.clicked.connect(self._choose_and_save)
        self.open_button.clicked.connect(self._open_saved)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        """Set every visible string."""
        self.setTitle(self.tr("恢复密钥"))
        self._warning.setText(
            self.tr(
                "请立即保存并打印恢复密钥单。所有人忘记密码时，只有它能解开数据库。"
                "关闭本向导后程序不会再显示此密钥。打印后请删除电子版，将纸质单放入保险柜。"
            )
        )
        self.save_button.setText(self.tr("保存恢复密钥单 (PDF)…"))
        self.open_button.setText(self.tr("打开以打印"))
        self.confirm.setText(self.tr("我已打印恢复密钥单并妥善保管"))

    def initializePage(self) -> None:
        """Show the key produced by setup."""
        wizard = self.wizard()
        assert isinstance(wizard, SetupWizard) and wizard.result_ is not None
        self.key_label.setText(wizard.result_.recovery_key.replace("-", " "))
        lines = [
            self.tr("{0} 的一次性密码：{1}").format(name, secret)
            for name, secret in wizard.result_.one_time_passwords.items()
        ]
        if lines:
            lines.insert(0, self.tr("请当面交给本人（不要写入恢复密钥单，首次登录时必须修改）："))
        self.one_time.setText("\n".join(lines))

    def isComplete(self) -> bool:
        """Finishing needs the confirmation."""
        return self.confirm.isChecked()

    def _choose_and_save(self) -> None:
        name = files.save_file_name(
            self,
            "recovery_sheet",
            self.tr("保存恢复密钥单"),
            "恢复密钥单.pdf",
            self.tr("PDF 文件 (*.pdf)"),
        )
        if name:
            self.save_sheet(Path(name))

    def save_sheet(self, path: Path) -> bool:
        """Write the sheet to ``path``; report problems in a message box."""
        wizard = self.wizard()
        assert isinstance(wizard, SetupWizard)
        from app.printing.base import write_pdf  # ReportLab loads only when printing

        try:
            write_pdf(path, wizard.recovery_sheet_pdf())
        except AppError as exc:
            show_error(self, exc)
            return False
        self.saved_path = path
        self.saved_label.setText(self.tr("已保存：{0}").format(str(path)))
        self.open_button.setEnabled(True)
        return True

    def _open_saved(self) -> None:
        if self.saved_path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.saved_path)))


class SetupWizard(QWizard):
    """Creates a new database; ``session`` holds the signed-in administrator when accepted."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.result_: SetupResult | None = None
        self.setObjectName("SetupWizard")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        cap_minimum(self, 640, 520)
        self.intro = IntroPage(context)
        self.organisation = OrganisationPage()
        self.three = ThreePage()
        self.admin = AdminPage()
        self.recovery = RecoveryPage()
        self.audit_key = AuditKeyPage(context, self)
        for page in (
            self.intro,
            self.organisation,
            self.three,
            self.admin,
            self.recovery,
            self.audit_key,
        ):
            self.addPage(page)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        """Set every visible string."""
        self.setWindowTitle(self.tr("初始设置 - 档案室"))
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("下一步 >"))
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("< 上一步"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("完成"))
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("取消"))

    @property
    def session(self) -> SignedIn | None:
        """The administrator's session once the database exists."""
        return self.result_.session if self.result_ else None

    def auditor_username(self) -> str:
        """The 安全审计员's user name as typed on the 三员 page."""
        return self.three.auditor_username.text().strip()

    def request(self) -> SetupRequest:
        """Collect the wizard's fields."""
        o, a, t = self.organisation, self.admin, self.three
        return SetupRequest(
            organisation_name=o.organisation_name.text(),
            fonds_name=o.fonds_name.text(),
            fonds_code=o.fonds_code.text(),
            admin_username=a.username.text(),
            admin_display_name=a.display_name.text(),
            admin_password=a.password.text(),
            admin_password_confirm=a.password_confirm.text(),
            security_username=t.security_username.text(),
            security_display_name=t.security_display_name.text(),
            auditor_username=t.auditor_username.text(),
            auditor_display_name=t.auditor_display_name.text(),
        )

    def run_setup(self, page: AdminPage) -> bool:
        """Create the database; return True to move on to the recovery page."""
        if self.result_ is not None:
            return True
        try:
            self.result_ = initialize_database(
                location=self._context.location, request=self.request(), clock=self._context.clock
            )
        except ValidationFailed as exc:
            self.three.errors.show(exc)  # the 三员 fields' messages on their page, and here too
            leftovers = page.errors.show(exc)
            page.general_error.setText("\n".join(leftovers))
            return False
        except AppError as exc:
            page.general_error.setText(message_for(exc))
            return False
        except Exception as exc:
            log.exception("setup failed unexpectedly")
            show_unexpected(self, exc)
            return False
        page.errors.clear()
        page.password.clear()
        page.password_confirm.clear()
        return True

    def recovery_sheet_pdf(self) -> bytes:
        """Render the recovery sheet of the database just created."""
        assert self.result_ is not None
        req = self.request()
        session = self.result_.session
        actor = session.actor
        from app.printing.recovery_sheet import RecoverySheet, render_recovery_sheet
        from app.services.settings import get_settings

        settings = get_settings(session=session, clock=self._context.clock)
        return render_recovery_sheet(
            RecoverySheet(
                recovery_key=self.result_.recovery_key,
                organisation_name=req.organisation_name.strip(),
                fonds_name=req.fonds_name.strip(),
                fonds_code=req.fonds_code.strip().upper(),
                database_id=settings.database_id,
                database_display=self._context.location.display(),
                created_at=self._context.clock.now(),
                created_by=f"{actor.display_name}（{actor.username}）",
            )
        )

    def reject(self) -> None:
        """Before the database exists, cancel; afterwards, never lose an unseen key.

        Closing after the recovery key was kept and before the auditor received theirs leaves
        the audit key to the auditor's first sign-in.
        """
        if self.result_ is not None and not self.recovery.confirm.isChecked():
            QMessageBox.warning(
                self,
                self.tr("尚未保存恢复密钥"),
                self.tr("数据库已创建。请先保存或打印恢复密钥单并勾选确认，之后不会再显示此密钥。"),
            )
            return
        if self.audit_key.issued is not None and not self.audit_key.panel.confirm.isChecked():
            QMessageBox.warning(
                self,
                self.tr("尚未保存审计验证密钥"),
                self.tr("请安全审计员先保存或打印密钥单并勾选确认，之后不会再显示此密钥。"),
            )
            return
        if self.result_ is not None:
            self.accept()
            return
        super().reject()
