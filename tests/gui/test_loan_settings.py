"""设置 → 借阅设置: the administrator changes the loan period and the holiday calendar."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.services.auth import SignedIn
from app.services.loans import get_loan_settings
from app.storage.location import DatabaseLocation
from ui.context import AppContext
from ui.widgets.loan_settings import LoanSettingsWidget


def test_administrator_sets_the_loan_period_and_holidays(
    qtbot: QtBot, admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    widget = LoanSettingsWidget(AppContext(location=location, clock=clock), admin)
    qtbot.addWidget(widget)
    widget.show()
    assert widget.routes.text() == "审批路线：使用默认路线。"
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
