"""The auditor's verification key, shown once: at set-up or at the first sign-in (issue 23)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.audit import IssuedKey
from app.services.audit.sealing import audit_key_sheet_pdf
from app.storage.store import Store
from ui import files
from ui.geometry import fit_to_screen
from ui.widgets.key_label import add_keeping_controls, key_label, warning_label

log = logging.getLogger(__name__)


class AuditKeyPanel(QWidget):
    """The key in large type, saving the sheet (PDF) and a key file, and the confirmation.

    Shared by the auditor's first sign-in (``AuditKeyDialog``) and the set-up wizard's last
    page. ``store`` only names the organisation and the database on the sheet.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store: Store | None = None
        self._issued: IssuedKey | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.warning = warning_label(
            self.tr(
                "这是本数据库的审计验证密钥，只显示这一次，程序不保存。凭它可以逐期核对审计记录的"
                "封印：即使有人掌握数据库密钥，也无法不被发现地删改过去的审计记录。"
                "请保存并打印密钥单，放入保险柜；不要交给系统管理员，也不要留在本电脑上。"
            )
        )
        layout.addWidget(self.warning)
        self.key_label = key_label(object_name="audit_key", point_size=11)
        layout.addWidget(self.key_label)
        self.sheet_button = QPushButton(self.tr("保存密钥单 (PDF)…"), objectName="save_key_sheet")
        self.file_button = QPushButton(self.tr("保存密钥文件…"), objectName="save_key_file")
        self.confirm = QCheckBox(
            self.tr("我已打印密钥单并妥善保管（删除电子版）"), objectName="confirm_key"
        )
        self.saved = add_keeping_controls(
            layout, (self.sheet_button, self.file_button), "saved_key", self.confirm
        )
        self.sheet_button.clicked.connect(self._save_sheet)
        self.file_button.clicked.connect(self._save_file)

    @property
    def issued(self) -> IssuedKey | None:
        """The key shown, once one is."""
        return self._issued

    def show_key(self, store: Store, issued: IssuedKey) -> None:
        """Show ``issued`` (once) and enable saving it."""
        self._store = store
        self._issued = issued
        self.key_label.setText(issued.text)

    def choose_target(self, title: str, name: str, pattern: str) -> str:
        """Ask where to save (replaced in tests)."""
        return files.save_file_name(self, "audit_key", title, name, pattern)

    def save_sheet_to(self, path: Path) -> None:
        """Write the sheet PDF to ``path``."""
        assert self._store is not None and self._issued is not None
        path.write_bytes(audit_key_sheet_pdf(self._store, self._issued))
        self.saved.setText(self.tr("已保存：") + str(path))

    def _save_sheet(self) -> None:
        target = self.choose_target(self.tr("保存密钥单"), "审计验证密钥单.pdf", "PDF (*.pdf)")
        if target:
            self._write(lambda: self.save_sheet_to(Path(target)))

    def _save_file(self) -> None:
        target = self.choose_target(self.tr("保存密钥文件"), "audit-key.txt", "*.txt")
        if target and self._issued is not None:
            text = self._issued.text

            def write() -> None:
                Path(target).write_text(text + "\n", encoding="utf-8")
                self.saved.setText(self.tr("已保存：") + target)

            self._write(write)

    def _write(self, action: Callable[[], None]) -> None:
        try:
            action()
        except OSError as exc:
            log.warning("audit key not saved (%s)", type(exc).__name__)
            QMessageBox.warning(self, self.tr("未能保存"), self.tr("无法写入该位置，请另选位置。"))


class AuditKeyDialog(QDialog):
    """Shows the key at the auditor's first sign-in; closes only once confirmed."""

    def __init__(self, store: Store, issued: IssuedKey, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("审计验证密钥"))
        layout = QVBoxLayout(self)
        self.panel = AuditKeyPanel(self)
        self.panel.show_key(store, issued)
        layout.addWidget(self.panel)
        self.key_label = self.panel.key_label
        self.confirm = self.panel.confirm
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        layout.addWidget(self.buttons)
        self.confirm.toggled.connect(
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled
        )
        self.buttons.accepted.connect(self.accept)
        fit_to_screen(self, 640, 360)

    def save_sheet_to(self, path: Path) -> None:
        """Write the sheet PDF to ``path``."""
        self.panel.save_sheet_to(path)

    def reject(self) -> None:
        """Never lose the unseen key: closing needs the confirmation too."""
        if not self.confirm.isChecked():
            QMessageBox.warning(
                self,
                self.tr("尚未保存验证密钥"),
                self.tr("请先保存或打印密钥单并勾选确认，之后不会再显示此密钥。"),
            )
            return
        super().reject()
