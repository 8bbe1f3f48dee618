"""设置 → 档号规则: presets, a live example, errors next to the field, saved for new volumes."""

from __future__ import annotations

from datetime import date

from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.services.auth import SignedIn
from app.services.catalogue import get_reference_pattern
from app.storage.location import DatabaseLocation
from ui.context import AppContext
from ui.pages.settings import SettingsPage


def test_the_administrator_picks_a_standard_sees_an_example_and_saves(
    qtbot: QtBot, admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    page = SettingsPage(AppContext(location=location, clock=clock), admin)
    qtbot.addWidget(page)
    widget = page.reference
    assert widget is not None
    year = date.today().year
    assert widget.example.text() == f"Z001-KH·{year}-Y-0001"  # the default, DA/T 13-2022 style
    widget.presets.setCurrentIndex(widget.presets.findText("DA/T 22-2015"))
    assert widget.example.text() == f"Z001-KH·{year}-Y-BGS-0001"
    widget.pattern.setText("{fonds}-{year}")  # no number
    assert widget.example.text() == "（规则不完整）"
    widget.save()
    assert "档号规则" in widget.errors.text("reference_pattern")
    assert get_reference_pattern(session=admin, clock=clock) != "{fonds}-{year}"
    widget.pattern.setText("{fonds}/{category}/{year}/{retention}/{number:5}")
    widget.save()
    assert widget.status.text() == "已保存。"
    assert get_reference_pattern(session=admin, clock=clock) == (
        "{fonds}/{category}/{year}/{retention}/{number:5}"
    )
