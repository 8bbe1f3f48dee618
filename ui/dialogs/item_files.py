"""电子文件 of one item: list (masked names), attach, open with a purpose, view inside the app.

Every copy that leaves the viewer (打印, 另存为) goes through ``copy_file``: it refuses 机密/绝密
files unless the signed-in user holds an approved 复制 of this item, watermarks PDFs and images,
and audits the copy (issue 23). Nothing is written from the bytes that were only shown.
"""

from __future__ import annotations

from collections.abc import Callable
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

from app.errors import AppError
from app.services.auth import SignedIn
from app.services.catalogue import (
    FileCopy,
    ItemFileInfo,
    attach_file,
    copy_file,
    list_item_files,
    open_file,
)
from app.storage.files import atomic_write_bytes
from ui import files
from ui.context import AppContext
from ui.dialogs.print_preview import show_print_preview
from ui.dialogs.purpose import PurposeForm
from ui.errors import REFUSED, UseCases, show_error
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
    """Shows an image file inside the app; 另存为 writes a checked, watermarked copy."""

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        data: bytes,
        save: Callable[[], object] | None = None,
    ) -> None:
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
        row = QHBoxLayout()
        row.addStretch()
        self.save_button = QPushButton(self.tr("另存为…"), objectName="save_copy")
        self.save_button.setVisible(save is not None)
        if save is not None:
            self.save_button.clicked.connect(save)
        row.addWidget(self.save_button)
        close = QPushButton(self.tr("关闭"))
        close.clicked.connect(self.accept)
        row.addWidget(close)
        layout.addLayout(row)
        fit_to_screen(self, 900, 700)
        self.loaded = not image.isNull()


class ItemFilesDialog(UseCases, QDialog):
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
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ItemFilesDialog")
        self.setWindowTitle(self.tr("电子文件 — {0}").format(heading))
        self._context = context
        self._session = session
        self._item_id = item_id
        self.saved_path: Path | None = None  # the last copy written (tests look at it)
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
        rows = self.attempt(list_item_files, item_id=self._item_id)
        self._rows = [] if rows is REFUSED else rows
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
        purpose = ask.purpose.currentText().strip()
        if not self.viewable(info):  # nothing to show: the only way out is a copy
            self.save_copy(info, purpose)
            return
        data = self.attempt(open_file, file_id=info.id, purpose=purpose)
        if data is REFUSED:
            return
        self.show_content(info, data, purpose)

    @staticmethod
    def viewable(info: ItemFileInfo) -> bool:
        """PDFs and images are shown inside the app; other formats only leave as copies."""
        return info.media_type == "application/pdf" or info.media_type in IMAGE_TYPES

    def take_copy(self, info: ItemFileInfo, purpose: str, kind: str) -> FileCopy:
        """A copy to print or save, checked, watermarked and audited (AppError: refused).

        机密/绝密 files are refused without this user's approved 复制 of this item.
        """
        return copy_file(
            session=self._session,
            file_id=info.id,
            purpose=purpose,
            output=kind,
            clock=self._context.clock,
        )

    def save_copy(
        self, info: ItemFileInfo, purpose: str, target: Path | None = None
    ) -> Path | None:
        """Ask where (unless ``target``), take the copy, write it; the path written or None."""
        if target is None:
            name = files.save_file_name(
                self,
                "attachment_copy",
                self.tr("保存副本（将记入审计日志）"),
                self.tr("电子文件副本"),
            )
            if not name:
                return None
            target = Path(name)
        try:
            copy = self.take_copy(info, purpose, "save")
            if copy.suffix and target.suffix.lower() != copy.suffix:
                target = target.with_name(target.name + copy.suffix)
            atomic_write_bytes(target, copy.data)
        except AppError as exc:
            show_error(self, exc)
            return None
        self.saved_path = target
        note = self.tr("副本已保存（已加水印）。") if copy.watermarked else self.tr("副本已保存。")
        QMessageBox.information(self, self.tr("已保存"), note)
        return target

    def show_content(self, info: ItemFileInfo, data: bytes, purpose: str) -> Any:
        """PDF in the preview, images in a viewer; their 打印/另存为 take audited copies."""
        if info.media_type == "application/pdf":
            return show_print_preview(
                self,
                info.masked_name,
                data,
                self._context,
                on_output=lambda kind: self.take_copy(info, purpose, kind).data,
                file_name="电子文件副本.pdf",
            )
        viewer = ImageViewer(
            self, info.masked_name, data, save=lambda: self.save_copy(info, purpose)
        )
        viewer.exec()
        return viewer
