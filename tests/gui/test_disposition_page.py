"""The 鉴定销毁 page (issue 17): the whole flow through the widgets, as each role sees it.

An archivist appraises an expired volume with a colleague, compiles and submits the 销毁清册;
the 客服部经理 and the 总经理 approve it on their own windows; the archivist records the
destruction with two 监销人 at the desk; the auditor verifies it. A hold placed on the page
keeps another volume out of the queue, naming the hold.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.services import disposition as D
from app.services.auth import SignedIn, sign_in
from app.storage.location import DatabaseLocation
from tests.conftest import AUDITOR_PASSWORD, AUDITOR_USER
from tests.disposition_helpers import expired_volume, new_customer
from tests.gui.conftest import cjk_font, when_modal
from tests.loan_helpers import PASSWORD, Desk
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.pages.disposition import DispositionPage
from ui.pages.disposition.dialogs import (
    CarryOutDialog,
    CompileDialog,
    DecisionDialog,
    HoldDialog,
    StartAppraisalDialog,
)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def window_of(qtbot: QtBot, desk: Desk, session: SignedIn) -> MainWindow:
    window = MainWindow(AppContext(location=desk.location, clock=desk.clock), session)
    qtbot.addWidget(window)
    window.setFont(cjk_font())
    window.resize(1366, 768)
    window.show()
    window.show_area("disposition")
    return window


def page_of(window: MainWindow) -> DispositionPage:
    page = window.page_by_key["disposition"]
    assert isinstance(page, DispositionPage)
    return page


def select(panel: object, match: object) -> None:
    rows = panel.rows  # type: ignore[attr-defined]
    for n, row in enumerate(rows):
        if match(row):  # type: ignore[operator]
            panel.select_row(n)  # type: ignore[attr-defined]
            return
    raise AssertionError("row not shown")


def test_the_whole_flow_through_the_pages(
    qtbot: QtBot, desk: Desk, location: DatabaseLocation, monkeypatch: pytest.MonkeyPatch
) -> None:
    lisi, clock = desk("lisi"), desk.clock
    c = new_customer(lisi, clock)
    doomed, doomed_code = expired_volume(lisi, clock, customer_id=c, year=2010)
    held, held_code = expired_volume(lisi, clock, customer_id=new_customer(lisi, clock, "李小龙"))
    # more of the queue, left for another day (the screenshots show a queue with rows)
    waiting = {
        expired_volume(lisi, clock, customer_id=c, year=year, retention=retention)[0]
        for year, retention in ((2011, "D10"), (2012, "D10"), (1994, "D30"))
    }
    messages: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "information", lambda _p, _t, text, *a, **k: messages.append(text)
    )
    window = window_of(qtbot, desk, lisi)
    page = page_of(window)
    assert {r.volume_id for r in page.queue.rows} == {doomed, held} | waiting

    # a hold on the page: the volume leaves the queue, and says why
    def hold(dialog: QWidget) -> None:
        assert isinstance(dialog, HoldDialog)
        dialog.reason.setText("诉讼保全")
        dialog.codes.setPlainText(held_code)
        dialog.save()

    page.tabs.setCurrentIndex(2)
    errors = when_modal(hold)
    page.holds.bar.itemAt(0).widget().click()
    assert errors == []
    assert [h.number for h in page.holds.rows] == ["DJ2026-0001"]
    assert [r.blocked for r in page.blocked.rows] == ["冻结 DJ2026-0001（诉讼保全）"]
    page.grab().save(str(SCREENSHOTS / "disposition-holds.png"))

    # appraisal: two appraisers, then the decision on the queue's volume
    page.tabs.setCurrentIndex(0)

    def start(dialog: QWidget) -> None:
        assert isinstance(dialog, StartAppraisalDialog)
        for i in range(dialog.people.count()):
            item = dialog.people.item(i)
            if item.text().startswith(("赵敏", "郑双")):
                item.setSelected(True)
        dialog.save()

    errors = when_modal(start)
    page.findChild(QWidget, "start_appraisal_button").click()  # type: ignore[union-attr]
    assert errors == []
    assert page.appraisal_box.currentText() == "JD2026-0001（进行中）"
    select(page.queue, lambda r: r.volume_id == doomed)

    def decide(dialog: QWidget) -> None:
        assert isinstance(dialog, DecisionDialog)
        assert dialog.decision.currentData() == "destroy"
        dialog.save()

    errors = when_modal(decide)
    page.findChild(QWidget, "decide_button").click()  # type: ignore[union-attr]
    assert errors == []
    assert [d.decision_label for d in page.decisions.rows] == ["销毁"]
    assert {r.volume_id for r in page.queue.rows} == waiting
    page.grab().save(str(SCREENSHOTS / "disposition-appraisal.png"))
    page.findChild(QWidget, "close_appraisal_button").click()  # type: ignore[union-attr]
    assert page.appraisal_box.currentText() == "JD2026-0001（已完成）"

    # the 清册: compiled from the decision, submitted
    page.tabs.setCurrentIndex(1)

    def compile_(dialog: QWidget) -> None:
        assert isinstance(dialog, CompileDialog)
        assert dialog.volumes.count() == 1 and dialog.volumes.item(0).isSelected()
        dialog.save()

    errors = when_modal(compile_)
    page.findChild(QWidget, "compile_button").click()  # type: ignore[union-attr]
    assert errors == []
    assert [(s.number, s.state_label) for s in page.lists.rows] == [("XH2026-0001", "编制中")]
    select(page.lists, lambda s: True)
    assert [r.reference_code for r in page.list_rows.rows] == [doomed_code]
    page.findChild(QWidget, "submit_button").click()  # type: ignore[union-attr]
    assert page.lists.rows[0].state_label == "待审批"
    assert not page.findChild(QWidget, "approve_button").isVisible()  # type: ignore[union-attr]

    # the approvers, each on their own window
    for who in ("manager", "gm"):
        other = window_of(qtbot, desk, desk(who))
        theirs = page_of(other)
        theirs.tabs.setCurrentIndex(1)
        select(theirs.lists, lambda s: True)
        assert theirs.findChild(QWidget, "approve_button").isVisible()  # type: ignore[union-attr]
        theirs.findChild(QWidget, "approve_button").click()  # type: ignore[union-attr]
        other.close_for_sign_out()
    page.refresh()
    assert page.lists.rows[0].state_label == "已批准"

    # carrying out: two 监销人 at the desk; the compiler as a witness is refused first
    select(page.lists, lambda s: True)
    refusals: list[str] = []

    def carry(dialog: QWidget) -> None:
        assert isinstance(dialog, CarryOutDialog)
        dialog.place.setText("公司碎纸室")
        dialog.user1.setText("lisi")
        dialog.pass1.setText(PASSWORD)
        dialog.user2.setText("head")
        dialog.pass2.setText(PASSWORD)
        monkeypatch.setattr(
            "ui.dialogs.form.show_error", lambda _p, exc, *a: refusals.append(str(exc.params))
        )
        dialog.save()  # refused: the compiler cannot witness
        assert dialog.isVisible() and dialog.pass1.text() == ""
        dialog.user1.setText("zhao")
        dialog.pass1.setText(PASSWORD)
        dialog.pass2.setText(PASSWORD)
        dialog.save()

    errors = when_modal(carry)
    page.findChild(QWidget, "carry_out_button").click()  # type: ignore[union-attr]
    assert errors == []
    assert refusals and "witness_conflict" in refusals[0]
    assert page.lists.rows[0].state_label == "已销毁"
    assert "监销人：赵敏、钱部长" in page.list_info.toPlainText()
    page.grab().save(str(SCREENSHOTS / "disposition-lists.png"))
    window.close_for_sign_out()

    # the auditor lists and verifies
    auditor = sign_in(
        location=location, username=AUDITOR_USER, password=AUDITOR_PASSWORD, clock=clock
    )
    desk.sessions[AUDITOR_USER] = auditor
    audit_window = window_of(qtbot, desk, auditor)
    theirs = page_of(audit_window)
    theirs.tabs.setCurrentIndex(1)
    assert [s.number for s in theirs.lists.rows] == ["XH2026-0001"]
    assert not theirs.findChild(QWidget, "compile_button").isVisible()  # type: ignore[union-attr]
    theirs.findChild(QWidget, "verify_button").click()  # type: ignore[union-attr]
    assert messages and "全部有已批准的销毁清册和两名监销人" in messages[-1]
    audit_window.close_for_sign_out()
    assert D.verify_destructions(session=auditor, clock=clock).ok


def test_the_administrator_is_told_why_there_is_no_page(qtbot: QtBot, desk: Desk) -> None:
    window = window_of(qtbot, desk, desk.admin)
    assert not isinstance(window.page_by_key["disposition"], DispositionPage)
    assert "三员分立" in window.page_by_key["disposition"].text()  # type: ignore[attr-defined]
    window.close_for_sign_out()
