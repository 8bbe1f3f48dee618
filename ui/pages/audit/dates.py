"""QDate ⇄ date for the audit page's date boxes."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate


def qdate(day: date) -> QDate:
    """``day`` as a QDate."""
    return QDate(day.year, day.month, day.day)


def pydate(value: QDate) -> date:
    """``value`` as a date."""
    return date(value.year(), value.month(), value.day())
