"""The incident register dialog: errors next to the fields, a saved incident, its link (R45)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.demo import DEMO_PASSWORD
from app.services.auth import sign_in, sign_out
from app.services.catalogue import list_volumes
from app.storage.location import DatabaseLocation
from tests.gui.conftest import when_modal
from ui.context import AppContext
from ui.dialogs.incidents import IncidentFormDialog, IncidentRegisterDialog
from ui.pages.archives import ArchivesPage
from ui.pages.customers import CustomersPage


def test_record_an_incident_and_see_it_on_the_volume(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    clock = FixedClock()
    session = sign_in(location=demo_copy, username="archivist", password=DEMO_PASSWORD, clock=clock)
    context = AppContext(location=demo_copy, clock=clock)
    code = list_volumes(session=session, clock=clock)[0].reference_code
    register = IncidentRegisterDialog(None, context, session)
    qtbot.addWidget(register)
    seen: dict[str, str] = {}

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, IncidentFormDialog)
        dialog.affected.setText("KH99999999")
        dialog.save()
        seen["title"] = dialog.errors.label_for("incident_title").text()
        seen["affected"] = dialog.errors.label_for("affected").text()
        dialog.title_edit.setText("借出案卷归还时缺页")
        dialog.found_by.setText("李秀英")
        dialog.affected.setText(f"KH00000001，{code}")
        dialog.description.setPlainText("归还清点时发现缺页。")
        dialog.measures.setPlainText("封存该卷，通知借阅人。")
        dialog.reported_to.setText("客服部经理")
        dialog.save()

    errors = when_modal(fill)
    register.new_button.click()
    assert errors == []
    assert seen["title"] == "事件名称：不能为空"
    assert "找不到客户编号或档号“KH99999999”" in seen["affected"]
    assert [r.title for r in register.model.rows] == ["借出案卷归还时缺页"]
    number = register.model.rows[0].number
    page = ArchivesPage(context, session)
    qtbot.addWidget(page)
    page.search.setText(code)
    page.refresh()
    page.volume_table.selectRow(0)
    assert f"涉及事件：{number}" in page.volume_label.text()
    customers = CustomersPage(context, session)
    qtbot.addWidget(customers)
    customers._show_detail(1)  # KH00000001
    assert f"涉及事件：{number} 借出案卷归还时缺页（处理中）" in customers.detail_label.text()
    sign_out(session=session, clock=clock)
