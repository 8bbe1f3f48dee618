"""帮助 (操作指南 on F1, 快捷键) and Qt's own dialogs in Chinese (issue 21, points 5 and 10)."""

from __future__ import annotations

import filecmp
import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.paths import operator_guide_path
from app.services.auth import sign_out
from app.storage.location import DatabaseLocation
from tests.gui.conftest import open_demo_page, when_modal
from ui.app import install_qt_translations
from ui.dialogs.help import GuideDialog, ShortcutsDialog
from ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]


def test_qt_standard_dialogs_speak_chinese(qapp: QApplication) -> None:
    assert install_qt_translations(qapp)
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok
        | QDialogButtonBox.StandardButton.Cancel
        | QDialogButtonBox.StandardButton.Save
    )
    assert sorted(b.text() for b in box.buttons()) == sorted(["确定", "取消", "保存"])
    question = QMessageBox(
        QMessageBox.Icon.Question,
        "",
        "",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
    )
    assert sorted(b.text() for b in question.buttons()) == sorted(["是(&Y)", "否(&N)"])
    dialog = QFileDialog()
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    labels = [label.text() for label in dialog.findChildren(QLabel) if label.text()]
    assert labels == ["查找范围(&L)：", "文件名称(&N)：", "文件类型(&T)："]  # "Look in", …
    buttons = [b.text() for b in dialog.findChildren(QPushButton) if b.text()]
    assert buttons and all(not text.isascii() for text in buttons)


def test_the_shipped_guide_is_the_docs_guide_with_its_screenshots() -> None:
    """resources/guide (package data) is refreshed by scripts/guide_screenshots.py."""
    shipped = operator_guide_path()
    docs = ROOT / "docs" / "operator-guide.md"
    assert shipped.read_text(encoding="utf-8") == docs.read_text(encoding="utf-8")
    images = re.findall(r"\]\((screenshots/[^)]+\.png)\)", docs.read_text(encoding="utf-8"))
    assert len(images) >= 14
    for image in images:
        assert filecmp.cmp(ROOT / "docs" / image, shipped.parent / image, shallow=False), image
    for page in re.findall(r"\]\(([a-z-]+\.md)\)", docs.read_text(encoding="utf-8")):
        assert filecmp.cmp(ROOT / "docs" / page, shipped.parent / page, shallow=False), page
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/operator-guide.md" in readme


def _window(qtbot: QtBot, location: DatabaseLocation) -> MainWindow:
    return open_demo_page(qtbot, location, MainWindow, size=None)[0]


def test_f1_opens_the_guide_with_its_screenshots_and_the_help_menu_lists_shortcuts(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    window = _window(qtbot, demo_copy)
    try:
        assert [a.text() for a in window.menu_help.actions() if a.text()] == [
            "操作指南",
            "快捷键",
            "关于档案室",
        ]
        assert window.action_guide.shortcut() == QKeySequence(Qt.Key.Key_F1)
        seen: dict[str, object] = {}

        def read_guide(dialog: QWidget) -> None:
            assert isinstance(dialog, GuideDialog)
            seen["title"] = dialog.windowTitle()
            seen["text"] = dialog.browser.toPlainText()
            seen["images"] = dialog.image_count()
            dialog.reject()

        errors = when_modal(read_guide)
        with qtbot.waitActive(window):
            window.activateWindow()
        qtbot.keyClick(window, Qt.Key.Key_F1)
        assert errors == []
        assert seen["title"] == "操作指南"
        assert "档案管理员的一天" in str(seen["text"]) and "登记客户" in str(seen["text"])
        assert int(seen["images"]) >= 14  # type: ignore[call-overload]

        def read_keys(dialog: QWidget) -> None:
            assert isinstance(dialog, ShortcutsDialog)
            seen["keys"] = dialog.keys()
            dialog.reject()

        errors = when_modal(read_keys)
        window.action_shortcuts.trigger()
        assert errors == []
        shown = " / ".join(str(k) for k in seen["keys"])  # type: ignore[attr-defined]
        # every shortcut of the menus and of the pages is listed
        for action in window.findChildren(type(window.action_guide)):
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if keys and action.isVisible():
                assert keys in shown, keys
        for shortcut in window.findChildren(QShortcut):
            keys = shortcut.key().toString(QKeySequence.SequenceFormat.NativeText)
            assert keys in shown, keys
        assert "F1" in shown and "Ctrl+1" in shown and "Ctrl+F" in shown
    finally:
        session = window._session
        window.close_for_sign_out()
        sign_out(session=session, clock=FixedClock())
