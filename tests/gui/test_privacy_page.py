"""个人信息 and the customer's 同意 tab (issue 18): request → approval → erasure, the report."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.demo import DEMO_PASSWORD
from app.services import privacy
from app.services.auth import SignedIn, sign_in, sign_out
from app.services.customers import register_customer
from app.storage.location import DatabaseLocation
from tests.factories import prospect
from tests.gui.conftest import previewed, when_modal
from ui.context import AppContext
from ui.dialogs.privacy import ConsentDialog, DecisionDialog, ErasureRequestDialog, WithdrawDialog
from ui.pages.customers.consents import ConsentTab
from ui.pages.privacy import PrivacyPage


def _session(location: DatabaseLocation, user: str, clock: FixedClock) -> SignedIn:
    return sign_in(location=location, username=user, password=DEMO_PASSWORD, clock=clock)


def _page(
    qtbot: QtBot, location: DatabaseLocation, session: SignedIn, clock: FixedClock
) -> PrivacyPage:
    page = PrivacyPage(AppContext(location=location, clock=clock), session)
    qtbot.addWidget(page)
    page.resize(1200, 600)
    page.show()
    return page


def _consent_tab(
    qtbot: QtBot, location: DatabaseLocation, name: str, phone: str
) -> tuple[FixedClock, SignedIn, int, ConsentTab]:
    """The demo archivist registers a prospect; their 同意 tab is shown for that customer."""
    clock = FixedClock()
    lisi = _session(location, "archivist", clock)
    cid = register_customer(session=lisi, draft=prospect(name, phone), clock=clock).customer_id
    tab = ConsentTab(AppContext(location=location, clock=clock), lisi)
    qtbot.addWidget(tab)
    tab.show()
    tab.show_customer(cid)
    return clock, lisi, cid, tab


def test_request_then_approval_by_another_then_erasure(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    clock, lisi, cid, tab = _consent_tab(qtbot, demo_copy, "钱七", "13900007777")
    assert [r.label for r in tab.panel.rows] == ["合同必需"]
    assert "未届满" in tab.end_label.text()

    # 1. the archivist files the request from the customer's 同意 tab
    def request(dialog: QWidget) -> None:
        assert isinstance(dialog, ErasureRequestDialog)
        dialog.note.setText("客户来函要求删除")
        when_modal(lambda box: box.accept() if isinstance(box, QMessageBox) else None)
        dialog.ok_button.click()

    errors = when_modal(request)
    tab.erasure_button.click()
    assert errors == []
    open_requests = privacy.list_erasure_requests(session=lisi, clock=clock, open_only=True)
    row = next(r for r in open_requests if r.customer_id == cid)
    assert row.customer_id == cid and row.state == "pending" and row.outcome == "delete"

    # the archivist's page offers no approval; the approver's page does
    own = _page(qtbot, demo_copy, lisi, clock)
    assert own.approve_button.isHidden() and not own.execute_button.isHidden()
    manager = _session(demo_copy, "csmanager", clock)
    try:
        page = _page(qtbot, demo_copy, manager, clock)
        page.tabs.setCurrentWidget(page.requests)
        assert not page.approve_button.isHidden() and page.execute_button.isHidden()
        page.requests.select_row(
            next(i for i, r in enumerate(page.requests.rows) if r.id == row.id)
        )

        def approve(dialog: QWidget) -> None:
            assert isinstance(dialog, DecisionDialog)
            dialog.note.setText("同意删除")
            dialog.ok_button.click()

        errors = when_modal(approve)
        page.approve_button.click()
        assert errors == []
    finally:
        sign_out(session=manager, clock=clock)

    # 2. the archivist carries it out after confirming
    own.refresh()
    own.tabs.setCurrentWidget(own.requests)
    position = next(i for i, r in enumerate(own.requests.rows) if r.id == row.id)
    assert own.requests.rows[position].state == "approved"
    own.requests.select_row(position)
    errors = when_modal(lambda box: box.button(QMessageBox.StandardButton.Yes).click())
    own.execute_button.click()
    assert errors == []
    done = next(r for r in own.requests.rows if r.id == row.id)
    assert done.state == "done" and done.customer_id is None and done.customer_name == ""
    sign_out(session=lisi, clock=clock)


def test_consents_are_added_and_withdrawn_on_the_tab_and_the_report_prints(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    clock, lisi, _cid, tab = _consent_tab(qtbot, demo_copy, "孙八", "13900008888")

    def add(dialog: QWidget) -> None:
        assert isinstance(dialog, ConsentDialog)
        dialog.editor.choose("consent", ("客户服务", "营销"))
        dialog.editor.given_on.setText("2026-01-02")
        dialog.ok_button.click()

    errors = when_modal(add)
    tab.add_button.click()
    assert errors == []
    assert [r.label for r in tab.panel.rows] == ["合同必需", "书面同意"]
    tab.panel.select_row(1)

    def withdraw(dialog: QWidget) -> None:
        assert isinstance(dialog, WithdrawDialog)
        dialog.checks["营销"].setChecked(True)
        dialog.ok_button.click()

    errors = when_modal(withdraw)
    tab.withdraw_button.click()
    assert errors == []
    consent = tab.panel.rows[1]
    assert {(p.purpose, p.withdrawn_on) for p in consent.purposes} == {
        ("客户服务", None),
        ("营销", date(2026, 1, 5)),
    }

    title, _pdf = previewed(qtbot, tab.report_button)
    assert "客户个人信息查询答复" in title
    sign_out(session=lisi, clock=clock)
