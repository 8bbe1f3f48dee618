"""电子文件 of one item: list (masked names), attach, open with a purpose, view inside the app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError, CopyNeedsApproval
from app.services.auth import SignedIn
from app.services.catalogue import ItemFileInfo, attach_file, list_item_files, open_file
from app.storage.files import atomic_write_bytes
from ui import files
from ui.context import AppContext
from ui.dialogs.print_preview import show_print_preview
from ui.dialogs.purpose import PurposeForm
from ui.errors import show_error
from ui.geometry import fit_to_screen

PURPOSES = ["核对客户资料", "办理借阅", "内部审核", "客户查询答复"]
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/bmp", "image/tiff", "image/webp"}


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{max(1, n // 1024)} KB"


class PurposeDialog(PurposeForm):
    """Asks why a file is opened (R40); the answer goes into the audit entry."""

    def __init__(self, parent: QWidget | None, masked_name: str) -> None:
        super().__init__(parent)
        self.setObjectName("FilePurposeDialog")
        self.setWindowTitle(self.tr("打开电子文件"))
        self._build(
            self.tr("文件：{0}").format(masked_name),
            PURPOSES,
            self.tr("用途（将记入审计日志）"),
            self.tr("打开"),
        )


class ImageViewer(QDialog):
    """Shows an image file inside the app (no copy on disk)."""

    def __init__(self, parent: QWidget | None, title: str, data: bytes) -> None:
        super().__init__(parent)
        self.setObjectName("ImageViewer")
        self.setWindowTitle(title)
        image = QImage.fromData(data)
        label = QLabel(objectName="image")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setPixmap(QPixmap.fromImage(image))
        scroll = QScrollArea()
        scroll.setWidget(label)
        scroll.setWidgetResizable(True)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        close = QPushButton(self.tr("关闭"))
        close.clicked.connect(self.accept)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
        fit_to_screen(self, 900, 700)
        self.loaded = not image.isNull()


class ItemFilesDialog(QDialog):
    """The files of one item; attach (archivists) and open (with a purpose)."""

    def __init__(
        self,
        parent: QWidget | None,
        context: AppContext,
        session: SignedIn,
        item_id: int,
        heading: str,
        *,
        can_attach: bool,
        copy_restricted: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ItemFilesDialog")
        self.setWindowTitle(self.tr("电子文件 — {0}").format(heading))
        self._context = context
        self._session = session
        self._item_id = item_id
        self._copy_restricted = copy_restricted  # 机密/绝密: view only (R31)
        layout = QVBoxLayout(self)
        self.files = QListWidget(objectName="files")
        self.files.itemDoubleClicked.connect(lambda _i: self.open_selected())
        layout.addWidget(self.files, 1)
        row = QHBoxLayout()
        self.attach_button = QPushButton(self.tr("附加文件…"), objectName="attach")
        self.attach_button.setVisible(can_attach)
        self.attach_button.clicked.connect(self.choose_and_attach)
        self.open_button = QPushButton(self.tr("打开…"), objectName="open")
        self.open_button.clicked.connect(self.open_selected)
        close = QPushButton(self.tr("关闭"))
        close.clicked.connect(self.accept)
        for button in (self.attach_button, self.open_button):
            row.addWidget(button)
        row.addStretch()
        row.addWidget(close)
        layout.addLayout(row)
        fit_to_screen(self, 560, 360)
        self._rows: list[ItemFileInfo] = []
        self.reload()

    def reload(self) -> None:
        """List the item's files (masked names)."""
        try:
            self._rows = list_item_files(
                session=self._session, item_id=self._item_id, clock=self._context.clock
            )
        except AppError as exc:
            show_error(self, exc)
            self._rows = []
        self.files.clear()
        for info in self._rows:
            text = f"{info.masked_name}　{info.type_label}　{_size(info.size)}"
            item = QListWidgetItem(text, self.files)
            item.setData(Qt.ItemDataRole.UserRole, info.id)
        self.open_button.setEnabled(bool(self._rows))

    def choose_and_attach(self) -> None:
        """Pick a file (or a scan) and store it encrypted."""
        name = files.open_file_name(self, "attachment", self.tr("选择要附加的文件"))
        if name:
            self.attach(Path(name))

    def attach(self, path: Path) -> int | None:
        """Store ``path``; return the new file id (None when refused)."""
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            file_id = attach_file(
                session=self._session,
                item_id=self._item_id,
                source=path,
                file_name=path.name,
                clock=self._context.clock,
            )
        except AppError as exc:
            QGuiApplication.restoreOverrideCursor()
            show_error(self, exc)
            return None
        QGuiApplication.restoreOverrideCursor()
        self.reload()
        return file_id

    def open_selected(self) -> None:
        """Ask the purpose, decrypt (fixity checked) and show the file inside the app."""
        current = self.files.currentItem() or self.files.item(0)
        if current is None:
            return
        info = next(r for r in self._rows if r.id == current.data(Qt.ItemDataRole.UserRole))
        ask = PurposeDialog(self, info.masked_name)
        if ask.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            data = open_file(
                session=self._session,
                file_id=info.id,
                purpose=ask.purpose.currentText().strip(),
                clock=self._context.clock,
            )
        except AppError as exc:
            show_error(self, exc)
            return
        self.show_content(info, data)

    def _output_allowed(self, _kind: str) -> None:
        """Printing or saving a copy from the viewer: refused for 机密/绝密 (R31)."""
        if self._copy_restricted:
            raise CopyNeedsApproval()

    def show_content(self, info: ItemFileInfo, data: bytes) -> Any:
        """PDF in the preview, images in a viewer, anything else saved where the user says."""
        if info.media_type == "application/pdf":
            return show_print_preview(
                self, info.masked_name, data, self._context, on_output=self._output_allowed
            )
        if info.media_type in IMAGE_TYPES:
            viewer = ImageViewer(self, info.masked_name, data)
            viewer.exec()
            return viewer
        target = files.save_file_name(
            self, "attachment_copy", self.tr("保存副本（此文件无法在程序内预览）"), ""
        )
        if target:
            try:
                atomic_write_bytes(Path(target), data)
            except AppError as exc:
                show_error(self, exc)
                return None
            QMessageBox.information(self, self.tr("已保存"), self.tr("副本已保存。"))
        return None
