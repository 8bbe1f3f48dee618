"""Who printed or exported, and when, as every form and export states it (no ReportLab here)."""

from __future__ import annotations

from datetime import datetime

from app.clock import as_utc


def format_printed_at(value: datetime) -> str:
    """``2026-01-05 17:00 +08:00``: local time, 24 h, with the local UTC offset."""
    local = as_utc(value).astimezone()
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return local.strftime("%Y-%m-%d %H:%M") + f" {sign}{hours:02d}:{rest:02d}"


def printed_by_text(display_name: str, username: str) -> str:
    """``王建国（boss）``: who printed, as the footer shows it."""
    return f"{display_name}（{username}）" if username else display_name
