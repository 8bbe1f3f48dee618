"""The form-dialog and table-page scaffolds: errors by field, Enter/Ctrl+Enter/Esc, focus."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit

from app.errors import FieldError, ValidationFailed
from ui.dialogs.form import FormDialog
from ui.widgets.table_panel import TablePanel


class _NameDialog(FormDialog):
    def __init__(self, *, enter_submits: bool = False) -> None:
        super().__init__(None, title="测试", object_name="NameDialog", enter_submits=enter_submits)
        self.name = self.add_field("姓名", QLineEdit(objectName="name"), "name")
        self.code = self.add_field("编号", QLineEdit(objectName="code"), "code")
        self.finish()
        self.calls = 0

    def submit(self) -> Any:
        self.calls += 1
        problems = []
        if not self.name.text():
            problems.append(FieldError("name", "required"))
        if self.code.text() == "x":
            problems.append(FieldError("other", "required"))
        if problems:
            raise ValidationFailed(problems)
        return self.name.text()


def test_a_field_error_shows_under_its_field_and_clears_when_the_field_is_edited(qtbot):
    dialog = _NameDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.ok_button.click()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.errors.text("name")
    assert dialog.name.hasFocus() or not dialog.isActiveWindow()
    qtbot.keyClicks(dialog.name, "Zhang")
    assert dialog.errors.text("name") == ""


def test_errors_for_fields_without_a_label_go_to_the_general_line(qtbot):
    dialog = _NameDialog()
    qtbot.addWidget(dialog)
    dialog.name.setText("张三")
    dialog.code.setText("x")
    dialog.save()
    assert dialog.general.text()
    assert dialog.result() != QDialog.DialogCode.Accepted


def test_enter_in_a_field_moves_on_and_never_submits(qtbot):
    dialog = _NameDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.name.setFocus()
    qtbot.keyClicks(dialog.name, "Zhang San")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    assert dialog.calls == 0
    assert dialog.isVisible()


def test_ctrl_enter_submits_and_keeps_the_result(qtbot):
    dialog = _NameDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    dialog.name.setFocus()
    dialog.name.setText("张三")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.calls == 1
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.result_value == "张三"


def test_escape_cancels(qtbot):
    dialog = _NameDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert dialog.calls == 0


def test_the_first_field_has_the_focus_when_the_dialog_opens(qtbot):
    dialog = _NameDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.focusWidget() is dialog.name)


@dataclass(frozen=True)
class _Row:
    number: str
    title: str


def test_table_panel_shows_rows_selects_and_activates(qtbot):
    panel = TablePanel(name="rows", columns=["编号", "题名"], cells=lambda r: [r.number, r.title])
    qtbot.addWidget(panel)
    opened: list[Any] = []
    panel.activated.connect(opened.append)
    panel.add_button("打开", "open", lambda: opened.append(panel.selected()))
    panel.end_bar()
    rows = [_Row("A1", "第一卷"), _Row("A2", "第二卷" * 30)]
    panel.set_rows(rows)
    panel.show()
    assert panel.model.rowCount() == 2
    assert panel.selected() is None
    panel.select_row(1)
    assert panel.selected() == rows[1]
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert opened == [rows[1]]
    index = panel.model.index(1, 1)
    assert panel.model.data(index, Qt.ItemDataRole.ToolTipRole) == rows[1].title
    assert panel.table.horizontalHeader().sectionSize(0) <= 320
