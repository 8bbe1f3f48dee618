"""The routing editor and the user dialog's 部门 to docs/screenshots.

Run: ``python scripts/loan_routing_screenshots.py`` (Qt offscreen unless a display is set).
Builds a throw-away database with the invented loan-desk staff of the tests.
"""

from __future__ import annotations

from _shot import fresh_database, grab, start_app

from app.domain.loans import UseKind
from app.domain.roles import ApproverTitle
from app.services.users import list_users
from tests.loan_helpers import make_desk
from ui.context import AppContext
from ui.dialogs.user_edit import UserEditDialog
from ui.pages.settings import UsersWidget
from ui.widgets.loan_routing import LoanRoutingDialog


def main() -> None:
    app = start_app()
    _work, clock, location, admin = fresh_database("routing.db")
    desk = make_desk(admin, location, clock)
    context = AppContext(location=location, clock=clock)

    dialog = LoanRoutingDialog(context, admin)
    editor = dialog.editor
    dialog.show()
    # a saved change (外借/非密 also needs the 总经理), then an edit in progress (复制/非密)
    editor.select_cell(UseKind.LOAN, "none")
    editor.add_step()
    editor.title_boxes[ApproverTitle.GENERAL_MANAGER].setChecked(True)
    editor.save()
    editor.select_cell(UseKind.COPY, "none")
    editor.title_boxes[ApproverTitle.CS_MANAGER].setChecked(True)
    grab(dialog, "loan-routing-editor")
    # an unsafe 机密 route: the 信息管理专员 may sign the manager's step
    editor.select_cell(UseKind.LOAN, "confidential")
    editor.steps.setCurrentRow(1)
    editor.title_boxes[ApproverTitle.INFO_OFFICER].setChecked(True)
    editor.save()
    grab(dialog, "loan-routing-refused")
    editor.reload()
    dialog.close()

    users = UsersWidget(context, admin)
    users.resize(900, 380)
    users.show()
    grab(users, "settings-users-department")
    row = next(r for r in list_users(session=admin, clock=clock) if r.username == "zhao")
    edit = UserEditDialog(existing=row)
    edit.show()
    grab(edit, "user-edit-department")
    edit.close()
    users.close()
    desk.close()
    del app


if __name__ == "__main__":
    main()
