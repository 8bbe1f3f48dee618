"""Date fields: one way to make a calendar date box (YYYY-MM-DD) and read it back."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit


def qdate(day: date) -> QDate:
    """``day`` as a QDate."""
    return QDate(day.year, day.month, day.day)


def pydate(value: QDate) -> date:
    """``value`` as a date."""
    return date(value.year(), value.month(), value.day())


def date_edit(name: str, day: date) -> QDateEdit:
    """A date field named ``name`` showing ``day`` as YYYY-MM-DD, with a calendar popup."""
    edit = QDateEdit(objectName=name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setDate(qdate(day))
    return edit


def day_of(edit: QDateEdit) -> date:
    """The date shown in a date field."""
    return pydate(edit.date())
