"""设置 → 用户与角色: a staff member's 部门 (escalation of overdue loans goes to its head)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.domain.roles import Role
from app.services.auth import SignedIn
from app.services.loans import list_borrowers
from app.services.users import list_users
from app.storage.location import DatabaseLocation
from tests.factories import audit_actions, confirm_as_security
from tests.gui.conftest import when_modal
from tests.loan_helpers import make_desk
from ui.context import AppContext
from ui.dialogs.user_edit import OneTimePasswordDialog, UserEditDialog
from ui.pages.settings import UsersWidget

DEPARTMENT_COLUMN = 2


def users_widget(
    qtbot: QtBot, admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> UsersWidget:
    widget = UsersWidget(AppContext(location=location, clock=clock), admin)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def shown_department(widget: UsersWidget, username: str) -> str:
    model = widget.model
    for row in range(model.rowCount()):
        if model.row_at(row).username == username:
            return str(model.data(model.index(row, DEPARTMENT_COLUMN)))
    raise AssertionError(username)


def select(widget: UsersWidget, username: str) -> None:
    model = widget.model
    rows = [r for r in range(model.rowCount()) if model.row_at(r).username == username]
    widget.table.selectRow(rows[0])


def test_the_users_table_shows_each_department_and_the_dialog_changes_it(
    qtbot: QtBot, admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    desk = make_desk(admin, location, clock)
    widget = users_widget(qtbot, admin, location, clock)
    assert widget.model.headerData(DEPARTMENT_COLUMN, Qt.Orientation.Horizontal) == "部门"
    assert shown_department(widget, "zhao") == "销售部"
    assert shown_department(widget, admin.actor.username) == "—"
    before = audit_actions(admin)
    seen: dict[str, str] = {}

    def edit(dialog: QWidget) -> None:
        assert isinstance(dialog, UserEditDialog)
        seen["title"] = dialog.windowTitle()
        seen["department"] = dialog.department.text()
        dialog.department.setText("  市场部 ")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    select(widget, "zhao")
    assert widget.roles_button.text() == "修改部门…"  # the administrator (issue 23)
    errors = when_modal(edit)
    widget.roles_button.click()
    assert errors == []
    assert seen == {"title": "修改部门", "department": "销售部"}
    assert shown_department(widget, "zhao") == "市场部"
    borrowers = {r.username: r.department for r in list_borrowers(session=admin, clock=clock)}
    assert borrowers["zhao"] == "市场部"
    # only the department changed: one audit entry, no role change recorded
    assert audit_actions(admin)[len(before) :] == ["user.set_department"]
    desk.close()


def test_clearing_the_department_removes_it_and_roles_are_the_security_officers(
    qtbot: QtBot, admin: SignedIn, officer: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    desk = make_desk(admin, location, clock)
    widget = users_widget(qtbot, admin, location, clock)

    def edit(dialog: QWidget) -> None:
        assert isinstance(dialog, UserEditDialog)
        assert dialog.department.maxLength() == 64  # the stored column's width
        assert not dialog.role_boxes[Role.APPROVER].isEnabled()  # 三员分立 (issue 23)
        dialog.department.clear()
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    select(widget, "lisi")
    errors = when_modal(edit)
    widget.roles_button.click()
    assert errors == []
    assert shown_department(widget, "lisi") == "—"
    # the 安全保密员 grants the role and the post in the same table, not the department
    granting = users_widget(qtbot, officer, location, clock)
    assert not granting.new_button.isVisible() and granting.roles_button.text() == "授予角色…"

    def grant(dialog: QWidget) -> None:
        assert isinstance(dialog, UserEditDialog)
        assert dialog.department.isReadOnly()
        dialog.role_boxes[Role.APPROVER].setChecked(True)
        dialog.title.setCurrentIndex(1)  # 部门负责人
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    select(granting, "lisi")
    errors = when_modal(grant)
    granting.roles_button.click()
    assert errors == []
    row = next(r for r in list_users(session=admin, clock=clock) if r.username == "lisi")
    assert row.department == "" and Role.APPROVER in row.roles
    desk.close()


def test_a_new_user_gets_the_department_entered_with_the_account(
    qtbot: QtBot, admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    widget = users_widget(qtbot, admin, location, clock)
    shown: dict[str, str] = {}

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, UserEditDialog)
        dialog.username.setText("wangwu")
        dialog.display_name.setText("王五")
        dialog.department.setText("财务部")
        dialog.role_boxes[Role.ARCHIVIST].setChecked(True)
        when_modal(read_password)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    def read_password(dialog: QWidget) -> None:
        assert isinstance(dialog, OneTimePasswordDialog)
        shown["password"] = dialog.password_label.text()
        when_modal(note)
        dialog.accept()

    def note(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        shown["note"] = box.text()
        box.accept()

    errors = when_modal(fill)
    widget.new_button.click()
    assert errors == []
    assert len(shown["password"]) == 12
    assert "安全保密员" in shown["note"]  # the role waits for the 安全保密员 (issue 23)
    assert shown_department(widget, "wangwu") == "财务部"
    confirm_as_security(admin, clock)
    borrowers = {r.username: r.department for r in list_borrowers(session=admin, clock=clock)}
    assert borrowers["wangwu"] == "财务部"
