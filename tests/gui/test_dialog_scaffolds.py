"""The shared pieces dialogs and lists are built from: notes, the list dialog, date fields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QStringListModel
from PySide6.QtWidgets import QDialog, QLineEdit

from app.errors import FieldError, PermissionDenied, ValidationFailed
from ui.dialogs.form import FormDialog
from ui.dialogs.table_dialog import TableDialog
from ui.widgets.dates import date_edit, day_of, pydate, qdate
from ui.widgets.table_panel import list_view


class _NotedDialog(FormDialog):
    def __init__(self) -> None:
        super().__init__(None, title="测试", object_name="NotedDialog")
        self.first = self.add_intro("第一段说明", "first_intro")
        self.second = self.add_intro("第二段说明")
        self.name = self.add_field("姓名", QLineEdit(objectName="name"), "name")
        self.below = self.add_note("填写后保存", "below_note")
        self.finish()

    def submit(self) -> Any:
        return self.name.text()


def _position(dialog: FormDialog, widget: Any) -> int:
    return dialog.layout_.indexOf(widget)


def test_intros_stand_above_the_fields_in_order_and_notes_below(qtbot):
    dialog = _NotedDialog()
    qtbot.addWidget(dialog)
    assert dialog.first.objectName() == "first_intro" and dialog.first.wordWrap()
    assert dialog.second.wordWrap() and dialog.below.wordWrap()
    form_at = dialog.layout_.indexOf(dialog.form)
    assert _position(dialog, dialog.first) == 0
    assert _position(dialog, dialog.second) == 1
    assert form_at == 2
    assert form_at < _position(dialog, dialog.below) < _position(dialog, dialog.buttons)


@dataclass(frozen=True)
class _Row:
    number: str
    title: str


class _Queue(TableDialog):
    def __init__(self, read: Any, refused: Any = None) -> None:
        super().__init__(
            None,
            title="队列",
            object_name="QueueDialog",
            table="queue",
            columns=["编号", "题名"],
            cells=lambda r: [r.number, r.title],
        )
        self.count = self.add_line("count", above=True)
        self.detail = self.add_line("detail")
        self.note = self.add_field("说明", QLineEdit(objectName="note"), "note")
        self.after = self.add_line("after")
        self.handled: list[Any] = []
        self.go = self.add_action("办理", "go", lambda: self.handled.append(self.selected()))
        self.finish(width=500, height=300)
        self.shown = self.show_rows(read, refused=refused)


def test_the_list_dialog_lays_out_lines_fields_and_buttons_in_call_order(qtbot):
    rows = [_Row("A1", "第一卷"), _Row("A2", "第二卷")]
    dialog = _Queue(lambda: rows)
    qtbot.addWidget(dialog)
    at = dialog.layout_.indexOf
    assert at(dialog.count) == 0 and at(dialog.panel) == 1
    assert at(dialog.panel) < at(dialog.detail) < at(dialog.fields) < at(dialog.after)
    assert dialog.shown == rows and dialog.rows == rows
    assert dialog.table.objectName() == "queue" and dialog.panel.model.rowCount() == 2
    dialog.panel.select_row(1)
    dialog.go.click()
    assert dialog.handled == [rows[1]]
    dialog.errors.show(ValidationFailed([FieldError("note", "required")]))
    assert dialog.errors.text("note")
    dialog.close_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_a_refused_read_leaves_the_list_empty_and_is_reported(qtbot):
    def read() -> list[_Row]:
        raise PermissionDenied()

    seen: list[Any] = []
    dialog = _Queue(read, refused=seen.append)
    qtbot.addWidget(dialog)
    assert dialog.shown == [] and dialog.rows == []
    assert len(seen) == 1 and isinstance(seen[0], PermissionDenied)


def test_a_date_field_shows_and_returns_its_day(qtbot):
    edit = date_edit("signed_on", date(2026, 2, 28))
    qtbot.addWidget(edit)
    assert edit.objectName() == "signed_on"
    assert edit.calendarPopup() and edit.displayFormat() == "yyyy-MM-dd"
    assert edit.text() == "2026-02-28"
    assert day_of(edit) == date(2026, 2, 28)
    edit.setDate(qdate(date(2027, 1, 1)))
    assert day_of(edit) == pydate(edit.date()) == date(2027, 1, 1)


def test_a_list_view_over_any_model_has_the_lists_behaviour(qtbot):
    model = QStringListModel(["甲", "乙"])
    view = list_view("names", model)
    qtbot.addWidget(view)
    assert view.objectName() == "names" and view.model() is model
    assert view.verticalHeader().isHidden()
    assert view.selectionBehavior() == view.SelectionBehavior.SelectRows
    assert view.editTriggers() == view.EditTrigger.NoEditTriggers


def test_a_list_dialog_without_fields_shows_no_field_area(qtbot):
    dialog = TableDialog(
        None,
        title="记录",
        object_name="PlainList",
        table="plain",
        columns=["编号"],
        cells=lambda r: [r],
    )
    qtbot.addWidget(dialog)
    dialog.finish(width=300, height=200)
    dialog.show()
    assert not dialog.fields.isVisible()
    assert dialog.layout_.indexOf(dialog.fields) == -1
    with_field = _Queue(lambda: [])
    qtbot.addWidget(with_field)
    with_field.show()
    assert with_field.fields.isVisible()
