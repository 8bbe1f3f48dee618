"""设置 → 借阅设置: the administrator changes the loan period and a staff member's department."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.services.auth import SignedIn
from app.services.loans import get_loan_settings, list_borrowers
from app.storage.location import DatabaseLocation
from tests.loan_helpers import make_desk
from ui.context import AppContext
from ui.widgets.loan_settings import LoanSettingsWidget


def test_administrator_sets_the_loan_period_holidays_and_a_department(
    qtbot: QtBot, admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    desk = make_desk(admin, location, clock)
    widget = LoanSettingsWidget(AppContext(location=location, clock=clock), admin)
    qtbot.addWidget(widget)
    widget.show()
    assert "外借\n　非密：信息管理专员" in widget.routes.text()
    assert "机密：信息管理专员 → 客服部经理或总经理" in widget.routes.text()
    widget.loan_days.setValue(5)
    widget.save()
    assert widget.errors.text("loan_days") == "借期（天）：不能超过制度规定的最长借期 3 天"
    widget.max_days.setValue(7)
    widget.working_days.setChecked(True)
    widget.holidays.setText("2026-01-01, 2026-02-17")
    widget.save()
    assert widget.status.text() == "已保存。"
    saved = get_loan_settings(session=admin, clock=clock)
    assert (saved.loan_days, saved.max_days, saved.working_days) == (5, 7, True)
    assert [d.isoformat() for d in saved.holidays] == ["2026-01-01", "2026-02-17"]
    widget.staff.setCurrentIndex(widget.staff.findData(desk.ids["zhao"]))
    assert widget.department.text() == "销售部"
    widget.department.setText("市场部")
    widget.save_department()
    rows = {r.username: r.department for r in list_borrowers(session=admin, clock=clock)}
    assert rows["zhao"] == "市场部"
    desk.close()
