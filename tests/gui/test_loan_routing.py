"""设置 → 借阅设置 → 审批路线: the administrator edits the routing table (R30, R31)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.domain.loans import DEFAULT_ROUTING, UseKind
from app.domain.roles import ApproverTitle
from app.services.auth import SignedIn
from app.services.loans import get_application, get_loan_settings
from app.storage.location import DatabaseLocation
from app.storage.models import AuditEntry
from tests.gui.conftest import when_modal
from tests.loan_helpers import approve_all, make_desk, make_volume, staff_application
from ui.context import AppContext
from ui.widgets.loan_routing import LoanRoutingDialog, LoanRoutingWidget
from ui.widgets.loan_settings import LoanSettingsWidget

SERVICE = "信息管理专员或客服部经理或总经理"


def editor(qtbot: QtBot, admin: SignedIn, location: DatabaseLocation, clock: FixedClock):  # type: ignore[no-untyped-def]
    widget = LoanRoutingWidget(AppContext(location=location, clock=clock), admin)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_a_changed_route_is_saved_and_new_applications_follow_it(
    qtbot: QtBot, admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    desk = make_desk(admin, location, clock)
    widget = editor(qtbot, admin, location, clock)
    assert widget.cell_text(UseKind.LOAN, "none") == "1. 信息管理专员"
    # each title names who holds it now (issue 21: routes name people, not only posts)
    assert widget.title_boxes[ApproverTitle.INFO_OFFICER].text() == "信息管理专员（孙专员、郑双）"
    assert widget.title_boxes[ApproverTitle.GENERAL_MANAGER].text() == "总经理（周总）"
    # 外借/非密: add a second step the 总经理 signs
    widget.select_cell(UseKind.LOAN, "none")
    widget.add_step()
    assert widget.steps.count() == 2 and widget.steps.currentRow() == 1
    widget.title_boxes[ApproverTitle.GENERAL_MANAGER].setChecked(True)
    assert widget.cell_text(UseKind.LOAN, "none") == "1. 信息管理专员\n2. 总经理"
    assert widget.is_dirty() and "未保存" in widget.status.text()
    # 查阅/非密: the 客服部 signs before the department head
    widget.select_cell(UseKind.CONSULT, "none")
    widget.steps.setCurrentRow(1)
    widget.up_button.click()
    assert widget.steps.currentRow() == 0
    assert widget.cell_text(UseKind.CONSULT, "none") == f"1. {SERVICE}\n2. 部门负责人"
    assert widget.save()
    assert widget.status.text() == "已保存。新提交的申请按新的审批路线审批。"
    assert not widget.is_dirty()
    routing = get_loan_settings(session=admin, clock=clock).routing
    gm, info = ApproverTitle.GENERAL_MANAGER, ApproverTitle.INFO_OFFICER
    assert routing[UseKind.LOAN]["none"] == (frozenset({info}), frozenset({gm}))
    assert routing[UseKind.LOAN]["confidential"] == DEFAULT_ROUTING[UseKind.LOAN]["confidential"]
    with admin.store.new_session() as s:
        entry = s.query(AuditEntry).filter(AuditEntry.action == "settings.loans").one()
    assert "loan_routing" in entry.details and "general_manager" in entry.details
    volume_id, _code = make_volume(desk("lisi"), clock)
    loan = staff_application(desk, [volume_id], kind="loan")
    view = get_application(session=desk("lisi"), application_id=loan, clock=clock)
    assert view.steps == ("信息管理专员", "总经理")
    assert approve_all(desk, loan, "info") == "pending"  # the 总经理 has not signed yet
    assert approve_all(desk, loan, "gm") == "approved"
    consult = staff_application(desk, [volume_id], kind="consult")
    view = get_application(session=desk("lisi"), application_id=consult, clock=clock)
    assert view.steps == (SERVICE, "部门负责人")
    desk.close()


def test_an_unsafe_confidential_route_is_refused_next_to_its_cell_and_nothing_is_saved(
    qtbot: QtBot, admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    before = get_loan_settings(session=admin, clock=clock).routing
    widget = editor(qtbot, admin, location, clock)
    widget.select_cell(UseKind.COPY, "none")  # a valid change elsewhere: not saved either
    widget.title_boxes[ApproverTitle.CS_MANAGER].setChecked(True)
    # 外借/机密: the 信息管理专员 may now sign the manager's step, so no step is manager-only
    widget.select_cell(UseKind.LOAN, "confidential")
    assert widget.rule_hint.text() == "本格为机密材料：须有一步只能由客服部经理或总经理签批。"
    widget.steps.setCurrentRow(1)
    widget.title_boxes[ApproverTitle.INFO_OFFICER].setChecked(True)
    widget.select_cell(UseKind.EXTERNAL, "none")
    assert not widget.save()
    message = "审批路线：外借/机密 须有客服部经理或更高职务审批的环节（R31）"
    assert widget.cell_errors(UseKind.LOAN, "confidential") == [message]
    assert widget.current_cell() == (UseKind.LOAN, "confidential")  # the refused cell is shown
    assert widget.cell_error.text() == message
    assert "未保存：1 格的审批路线不符合要求" in widget.status.text()
    assert message in widget.table.item(1, 2).toolTip()
    assert get_loan_settings(session=admin, clock=clock).routing == before
    # removing the manager's step is refused the same way
    widget.steps.setCurrentRow(1)
    widget.remove_step()
    assert widget.cell_error.text() == ""  # an edit clears the cell's message
    assert not widget.save()
    assert widget.cell_errors(UseKind.LOAN, "confidential") == [message]
    # 本格恢复默认 puts the cell right; the table then saves
    widget.reset_cell()
    restored = widget.cell_text(UseKind.LOAN, "confidential")
    assert restored == "1. 信息管理专员\n2. 客服部经理或总经理"
    assert widget.save()
    saved = get_loan_settings(session=admin, clock=clock).routing
    assert saved[UseKind.COPY]["none"] == (
        frozenset({ApproverTitle.CS_MANAGER, ApproverTitle.GENERAL_MANAGER}),
    )
    assert saved[UseKind.LOAN]["confidential"] == before[UseKind.LOAN]["confidential"]


def test_a_step_without_titles_is_named_and_restore_all_brings_back_the_defaults(
    qtbot: QtBot, admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    widget = editor(qtbot, admin, location, clock)
    widget.select_cell(UseKind.EXCERPT, "secret")
    widget.add_step()
    assert widget.cell_text(UseKind.EXCERPT, "secret") == "1. 总经理\n2. （未选职务）"
    assert not widget.save()
    assert widget.cell_errors(UseKind.EXCERPT, "secret") == [
        "摘抄/秘密：第 2 步没有选择可签批的职务"
    ]
    widget.remove_step()
    widget.steps.setCurrentRow(0)
    widget.remove_step()
    assert widget.cell_text(UseKind.EXCERPT, "secret") == "（没有审批环节）"
    assert not widget.save()
    assert widget.cell_errors(UseKind.EXCERPT, "secret") == ["摘抄/秘密：至少要有一步审批"]
    assert get_loan_settings(session=admin, clock=clock).routing == DEFAULT_ROUTING
    widget.select_cell(UseKind.CONSULT, "top_secret")
    widget.title_boxes[ApproverTitle.SUPERVISOR].setChecked(True)
    widget.reset_all()
    assert widget.cell_text(UseKind.EXCERPT, "secret") == "1. 总经理"
    assert widget.cell_errors(UseKind.EXCERPT, "secret") == []
    assert not widget.is_dirty()


def test_loan_settings_open_the_editor_and_summarise_the_changed_cells(
    qtbot: QtBot, admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    settings = LoanSettingsWidget(AppContext(location=location, clock=clock), admin)
    qtbot.addWidget(settings)
    settings.show()
    assert settings.routes.text() == "审批路线：使用默认路线。"

    def edit(dialog: QWidget) -> None:
        assert isinstance(dialog, LoanRoutingDialog)
        dialog.editor.select_cell(UseKind.EXTERNAL, "secret")
        dialog.editor.title_boxes[ApproverTitle.GENERAL_MANAGER].setChecked(True)
        assert dialog.editor.save()
        dialog.close_button.click()  # nothing unsaved: closes without asking

    errors = when_modal(edit)
    settings.routes_button.click()
    assert errors == []
    assert settings.routes.text() == "审批路线：1 格与默认不同（对外提供/秘密）。"


def test_closing_the_editor_with_unsaved_changes_asks_first_and_then_drops_them(
    qtbot: QtBot, admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    dialog = LoanRoutingDialog(AppContext(location=location, clock=clock), admin)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.editor.select_cell(UseKind.CONSULT, "none")
    dialog.editor.remove_step()
    asked: list[str] = []

    def answer(button: QMessageBox.StandardButton) -> Callable[[QWidget], None]:
        def press(box: QWidget) -> None:
            assert isinstance(box, QMessageBox)
            asked.append(box.text())
            box.button(button).click()

        return press

    errors = when_modal(answer(QMessageBox.StandardButton.No))
    dialog.close_button.click()
    assert errors == [] and dialog.isVisible()
    assert asked == ["审批路线有未保存的修改，关闭后这些修改将丢失。确定关闭？"]
    errors = when_modal(answer(QMessageBox.StandardButton.Yes))
    dialog.close_button.click()
    assert errors == [] and not dialog.isVisible()
    assert get_loan_settings(session=admin, clock=clock).routing == DEFAULT_ROUTING
