"""帮助: the operator's guide (操作指南, F1) and the list of shortcuts (快捷键).

The guide is ``docs/operator-guide.md``; the installed application reads its copy under
``resources/guide`` (found through :func:`app.paths.operator_guide_path`), screenshots included.
"""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QKeySequence, QTextImageFormat
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.paths import operator_guide_path
from ui.geometry import fit_to_screen

IMAGE_WIDTH = 720  # screenshots wider than this are shown scaled down (the file is unchanged)

# Keys of the pages and dialogs (menu shortcuts are read from the menus themselves).
# (where, what, keys) in Qt's portable notation.
DESK_KEYS: list[tuple[str, str, str]] = [
    ("客户", "光标到查找框", "Ctrl+F"),
    ("客户", "登记新客户", "Ctrl+N"),
    ("档案", "光标到查找框", "Ctrl+F"),
    ("档案", "新建案卷", "Ctrl+N"),
    ("档案", "为所选案卷添加卷内文件", "Ctrl+I"),
    ("档案", "打印所选案卷的标签", "Ctrl+Shift+P"),
    ("库位", "光标到扫码框（扫描或输入档号、盒号、位置编码）", "Ctrl+F"),
    ("库位", "新建档案盒", "Ctrl+N"),
    ("打印预览", "上一页 / 下一页", "PgUp / PgDown"),
    ("打印预览", "打印", "Ctrl+P"),
    ("打印预览", "放大 / 缩小", "Ctrl++ / Ctrl+-"),
    ("各对话框", "在各栏之间移动", "Tab / Shift+Tab"),
    ("各对话框", "保存 / 提交（回车只移到下一栏，不会提交）", "Ctrl+Enter"),
    ("各对话框", "取消", "Esc"),
    ("扫码", "扫描枪在任一查找框扫码：转到该案卷、盒或库位", "（扫描枪自动回车）"),
]


class GuideDialog(QDialog):
    """操作指南: the Markdown guide rendered with its screenshots."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("GuideDialog")
        self.setWindowTitle(self.tr("操作指南"))
        layout = QVBoxLayout(self)
        self.browser = QTextBrowser(objectName="guide_browser")
        self.browser.setOpenExternalLinks(True)
        layout.addWidget(self.browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        width, height = 900, 760
        if screen is not None:
            width, height = min(width, screen.width() - 40), min(height, screen.height() - 60)
        fit_to_screen(self, width, height)
        path = operator_guide_path()
        if path.exists():
            self.browser.setSource(QUrl.fromLocalFile(str(path)))
            self._fit_images(min(IMAGE_WIDTH, width - 80))
        else:
            self.browser.setPlainText(self.tr("找不到操作指南文件：{0}").format(path))

    def image_count(self) -> int:
        """How many images the rendered guide shows (those that loaded)."""
        return len(self._images())

    def _images(self) -> list[tuple[QTextImageFormat, int, int]]:
        doc = self.browser.document()
        found = []
        block = doc.begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                fmt = fragment.charFormat()
                if fmt.isImageFormat():
                    found.append((fmt.toImageFormat(), fragment.position(), fragment.length()))
                it += 1
            block = block.next()
        return found

    def _fit_images(self, target: int) -> None:
        """Scale wide screenshots to the reading width (keeping their proportions)."""
        from PySide6.QtGui import QImage, QPixmap, QTextCursor, QTextDocument

        doc = self.browser.document()
        for fmt, position, length in self._images():
            image = doc.resource(QTextDocument.ResourceType.ImageResource, QUrl(fmt.name()))
            if not isinstance(image, QImage | QPixmap) or image.isNull() or image.width() <= target:
                continue
            fmt.setWidth(target)
            fmt.setHeight(image.height() * target / image.width())
            cursor = QTextCursor(doc)
            cursor.setPosition(position)
            cursor.setPosition(position + length, QTextCursor.MoveMode.KeepAnchor)
            cursor.setCharFormat(fmt)


class ShortcutsDialog(QDialog):
    """快捷键: the menus' shortcuts and the keys of the pages and dialogs."""

    def __init__(self, parent: QWidget | None, menu_rows: list[tuple[str, str, str]]) -> None:
        super().__init__(parent)
        self.setObjectName("ShortcutsDialog")
        self.setWindowTitle(self.tr("快捷键"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("菜单命令和各页面、对话框中可用的按键：")))
        rows = [*menu_rows, *DESK_KEYS]
        self.table = QTableWidget(len(rows), 3, objectName="shortcuts_table")
        self.table.setHorizontalHeaderLabels([self.tr("位置"), self.tr("操作"), self.tr("按键")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for r, (where, what, keys) in enumerate(rows):
            native = " / ".join(
                QKeySequence(k.strip()).toString(QKeySequence.SequenceFormat.NativeText) or k
                for k in keys.split(" / ")
            )
            for c, text in enumerate((where, what, native)):
                self.table.setItem(r, c, QTableWidgetItem(text))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        fit_to_screen(self, 640, 520)

    def keys(self) -> list[str]:
        """The third column, as shown."""
        return [self.table.item(r, 2).text() for r in range(self.table.rowCount())]
