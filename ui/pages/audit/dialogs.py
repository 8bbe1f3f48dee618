"""The audit page's dialogs: the purpose of an export, and archiving old entries."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QSpinBox, QWidget

from app.services import audit
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
        note = QLabel(
            self.tr(
                "早于保存期的审计记录将写入一个签名的归档文件，然后从数据库中移出；"
                "归档本身记入审计记录。审计记录不能被清除。请把归档文件与备份一同妥善保管。"
            )
        )
        note.setWordWrap(True)
        self.layout_.insertWidget(0, note)
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
        self.finish(stretch=False)
        self.ok_button.setText(self.tr("归档…"))
