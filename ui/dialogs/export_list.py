"""导出列表: purpose, format (Excel / PDF) and, for customers, masked or full values (R5, R40)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QLabel,
    QRadioButton,
    QWidget,
)

from app.errors import AppError
from app.services.exports import ExportFormat
from app.storage.files import atomic_write_bytes
from ui import files
from ui.dialogs.purpose import PurposeForm
from ui.errors import show_error
from ui.tasks import run_blocking

PURPOSES = ["年度盘点", "工作核对", "上级检查", "移交清点", "统计报表"]


class ExportListDialog(PurposeForm):
    """Collects what an export needs; the caller runs the export service."""

    def __init__(
        self,
        parent: QWidget | None,
        what: str,
        *,
        may_unmask: bool = False,
        customers: bool,
        uses: Sequence[str] = (),
    ) -> None:
        super().__init__(parent, object_name="ExportListDialog")
        self.setWindowTitle(self.tr("导出{0}").format(what))
        self.layout_.insertWidget(
            0, QLabel(self.tr("导出内容：{0}（当前列表的查询和筛选结果）").format(what))
        )
        self.add_purpose(self.tr("用途（将记入审计日志）"), PURPOSES)
        # customers (R4, issue 18): the use from the configured list; customers without a
        # consent or legal basis for it are left out of the export
        self.use = QComboBox(objectName="export_use")
        for name in uses:
            self.use.addItem(name, name)
        self.use.setCurrentIndex(max(self.use.findData("客户服务"), 0))
        if customers and uses:
            self.form.addRow(self.tr("使用用途"), self.use)
        else:
            self.use.hide()
        self.xlsx = QRadioButton(self.tr("Excel 工作簿（.xlsx）"), objectName="format_xlsx")
        self.pdf = QRadioButton(self.tr("PDF（A4，可打印）"), objectName="format_pdf")
        self.xlsx.setChecked(True)
        self.form.addRow(self.tr("格式"), self.xlsx)
        self.form.addRow("", self.pdf)
        self.unmasked = QCheckBox(
            self.tr("导出完整的证件号码和电话（默认脱敏；需要相应权限，用途记入审计日志）"),
            objectName="unmasked",
        )
        self.unmasked.setVisible(customers)
        self.unmasked.setEnabled(may_unmask)
        self.add_widget(self.unmasked)
        self.add_note(
            self.tr("导出的文件带有导出人、导出时间和密级标识，请按规定保管，用后及时删除。")
        )
        self.finish(stretch=False)
        self.ok_button.setText(self.tr("导出"))

    def fmt(self) -> ExportFormat:
        """The chosen format."""
        return ExportFormat.PDF if self.pdf.isChecked() else ExportFormat.XLSX


def export_to_file(
    parent: QWidget,
    ask: ExportListDialog,
    stem: str,
    produce: Callable[[ExportFormat], bytes],
) -> Path | None:
    """Ask for the purpose, then the target file; write what ``produce`` returns there.

    Returns the file written, or None when cancelled or when the export failed (the error
    has been shown).
    """
    if ask.exec() != QDialog.DialogCode.Accepted:
        return None
    fmt = ask.fmt()
    pattern = (
        ask.tr("PDF 文件 (*.pdf)") if fmt == ExportFormat.PDF else ask.tr("Excel 工作簿 (*.xlsx)")
    )
    target = files.save_file_name(
        parent, "export", ask.tr("导出到"), f"{stem}.{fmt.value}", pattern
    )
    if not target:
        return None
    try:
        # produced off the GUI thread, a progress bar after 300 ms (issue 21, point 8)
        data = run_blocking(
            parent, ask.tr("正在导出……"), lambda _s: produce(fmt), cancellable=False
        )
        atomic_write_bytes(Path(target), data)
    except AppError as exc:
        show_error(parent, exc)
        return None
    return Path(target)
