"""The audit page's dialogs: an export's purpose, archiving old entries, verifying the seals."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QSpinBox, QWidget

from app.services import audit
from ui.dialogs.form import FormDialog
from ui.dialogs.purpose import PurposeForm

EXPORT_PURPOSES = ("季度审计检查", "专项检查", "上级检查调阅", "事件调查")


class ExportPurposeDialog(PurposeForm):
    """Asks why the trail is exported (the export is itself recorded, R40)."""

    def __init__(self, parent: QWidget | None, what: str) -> None:
        super().__init__(parent, object_name="AuditExportDialog")
        self.setWindowTitle(self.tr("导出审计记录"))
        self._build(
            self.tr("导出：{0}").format(what),
            [self.tr(p) for p in EXPORT_PURPOSES],
            self.tr("用途（将记入审计记录）"),
            self.tr("导出"),
        )


class ArchiveDialog(PurposeForm):
    """How old the entries to archive are, and why (there is no "clear log": R35, issue 9)."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent, object_name="AuditArchiveDialog")
        self.setWindowTitle(self.tr("归档旧的审计记录"))
        self.add_intro(
            self.tr(
                "早于保存期的审计记录将写入一个签名的归档文件，然后从数据库中移出；"
                "归档本身记入审计记录。审计记录不能被清除。请把归档文件与备份一同妥善保管。"
                "保存期从数据库已记录的时间往前算（不以本机时钟为准），并须由第二人确认。"
            )
        )
        self.days = QSpinBox(objectName="retention_days")
        self.days.setRange(audit.RETENTION_MIN_DAYS, 100 * 365)
        self.days.setValue(audit.RETENTION_DEFAULT_DAYS)
        self.days.setSuffix(self.tr(" 天"))
        self.add_field(
            self.tr("保存期（最少 {0} 天）").format(audit.RETENTION_MIN_DAYS),
            self.days,
            "retention_days",
        )
        self.add_purpose(
            self.tr("用途（将记入审计记录）"), [self.tr("年度归档"), self.tr("数据库容量整理")]
        )
        # issue 23: a two-person step; the second person types their own password here
        self.second_username = QLineEdit(objectName="second_username")
        self.second_password = QLineEdit(objectName="second_password")
        self.second_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.add_field(
            self.tr("确认人（系统管理员）用户名"), self.second_username, "second_username"
        )
        self.add_field(self.tr("确认人密码"), self.second_password, "second_password")
        self.finish(stretch=False)
        self.ok_button.setText(self.tr("归档…"))


class SealVerifyDialog(FormDialog):
    """The auditor's verification key (typed, pasted or read from a file) for a full check."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent, title="", object_name="AuditSealVerifyDialog")
        self.setWindowTitle(self.tr("校验审计记录（含封印）"))
        self.add_intro(
            self.tr(
                "输入审计验证密钥（审计员首次登录时领取的密钥单上的，或其 QR 码扫出的文字），"
                "将逐条校验审计链、逐期核对封印，并与本机记下的锚点比对。"
                "不输入密钥则只检查封印是否连续。校验通过后，请记下或打印显示的审计链头作为锚点。"
            )
        )
        self.key = QLineEdit(objectName="verification_key")
        self.key.setPlaceholderText("ARAK1-…")
        self.add_field(self.tr("验证密钥"), self.key, "verification_key")
        self.anchor = QLineEdit(objectName="anchor")
        self.anchor.setPlaceholderText(self.tr("可选：以前记下的锚点，序号:校验值"))
        self.add_field(self.tr("锚点"), self.anchor, "anchor")
        self.finish(stretch=False)
        self.ok_button.setText(self.tr("校验"))

    def submit(self) -> str:
        """The key as typed (checked by the verification itself)."""
        return self.key.text().strip()

    def _ok(self) -> None:
        self.save()
