"""Columns shared by the tables that record one approver's signature on one step of a route."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column


class ApprovalStep:
    """Mixin: who signed (or rejected) which step, when, with what opinion.

    The table's own columns (``id`` and the key of what is approved) come first, then these,
    in this order.
    """

    step: Mapped[int] = mapped_column(Integer)
    approver_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    approver_name: Mapped[str] = mapped_column(String(64))
    approver_title: Mapped[str] = mapped_column(String(32))
    decision: Mapped[str] = mapped_column(String(16))  # approve | reject
    opinion: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
