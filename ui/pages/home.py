"""工作台: the day's work at a glance; later areas add their cards here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.clock import format_local
from app.domain.accounts import Actor
from app.domain.roles import ROLE_LABELS, Role
from app.services.backup import BackupStatus


class Card(QFrame):
    """A titled box on the home screen."""

    def __init__(self, title: str, body: str, name: str) -> None:
        super().__init__(objectName=name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            f"QFrame#{name} {{ background: #fafafa; border: 1px solid #ccc; border-radius: 6px; }}"
        )
        layout = QVBoxLayout(self)
        self.title = QLabel(title)
        self.title.setStyleSheet("font-weight: bold; font-size: 12pt; border: none;")
        self.body = QLabel(body)
        self.body.setWordWrap(True)
        self.body.setStyleSheet("color: #555; border: none;")
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        layout.addStretch()


class HomePage(QWidget):
    """Greeting plus one card per kind of daily work."""

    backup_requested = Signal()

    def __init__(
        self,
        actor: Actor,
        organisation: str,
        now: datetime,
        backup: BackupStatus | None = None,
    ) -> None:
        super().__init__(objectName="HomePage")
        layout = QVBoxLayout(self)
        local = now.astimezone()
        roles = "、".join(ROLE_LABELS[r] for r in sorted(actor.roles, key=list(Role).index))
        self.greeting = QLabel(
            self.tr("{0}，您好（{1}）。今天是 {2}。").format(
                actor.display_name, roles, local.strftime("%Y-%m-%d")
            )
        )
        self.greeting.setStyleSheet("font-size: 14pt;")
        layout.addWidget(self.greeting)
        org = QLabel(organisation)
        org.setStyleSheet("color: #555;")
        layout.addWidget(org)
        grid = QGridLayout()
        layout.addLayout(grid)
        not_yet = self.tr("尚未启用：该功能将在后续版本提供，目前没有数据。")
        self.cards = [
            Card(self.tr("逾期借阅"), not_yet, "card_overdue"),
            Card(self.tr("到期检查"), not_yet, "card_inspections"),
            Card(self.tr("待办任务"), not_yet, "card_tasks"),
            Card(self.tr("备份状态"), not_yet, "card_backup"),
        ]
        for i, card in enumerate(self.cards):
            grid.addWidget(card, i // 2, i % 2)
        self.backup_button: QPushButton | None = None
        if backup is not None:
            self._show_backup(self.cards[3], backup, actor)
        layout.addStretch()

    def show_overdue(self, rows: Sequence[Any]) -> None:
        """Fill the 逾期借阅 card with loans overdue now (``LoanRow`` of the loan services)."""
        card = self.cards[0]
        if not rows:
            card.body.setText(self.tr("当前没有逾期未还的借阅。"))
            return
        lines = [self.tr("逾期未还 {0} 件（在“借阅”中查看和打印催还通知）：").format(len(rows))]
        for row in rows[:5]:
            told = self.tr("，已告知 {0}").format(row.escalate_to) if row.escalate_to else ""
            lines.append(
                self.tr("{0}　{1}　{2}　逾期 {3} 天{4}").format(
                    row.number, row.reference_code, row.borrower, row.overdue_days, told
                )
            )
        if len(rows) > 5:
            lines.append(self.tr("……"))
        card.body.setText("\n".join(lines))

    def _show_backup(self, card: Card, status: BackupStatus, actor: Actor) -> None:
        """R43: the last verified backup, in red when older than the configured interval."""
        if not status.supported:
            card.body.setText(self.tr("PostgreSQL 数据库由服务器端工具备份。"))
            return
        if status.last_verified_at is None:
            text = self.tr("还没有校验通过的备份。")
        else:
            text = self.tr("最近一次校验通过的备份：{0}").format(
                format_local(status.last_verified_at)
            )
        if status.overdue:
            if status.last_verified_at is None:
                text = "⚠ " + self.tr("还没有校验通过的备份，请尽快备份。")
            else:
                warning = self.tr("已超过 {0} 小时没有校验通过的备份，请尽快备份。")
                text = "⚠ " + text + "\n" + warning.format(status.interval_hours)
            card.body.setStyleSheet("color: #b00020; border: none; font-weight: bold;")
            card.setObjectName("card_backup")
            card.setProperty("overdue", True)
        else:
            card.body.setStyleSheet("color: #1b5e20; border: none;")
            card.setProperty("overdue", False)
        card.body.setText(text)
        if actor.has(Role.ADMIN) or actor.has(Role.AUDITOR):
            self.backup_button = QPushButton(self.tr("备份与恢复…"), objectName="open_backup")
            self.backup_button.clicked.connect(self.backup_requested)
            card.layout().addWidget(self.backup_button)

    # inspections (issue 8)
    def show_inspections_due(self, rows: Sequence[Any]) -> None:
        """Fill the 到期检查 card with rooms due or overdue (``ScheduleRow``)."""
        card = self.cards[1]
        due = [r for r in rows if r.state.value != "ok"]
        if not due:
            card.body.setText(self.tr("没有到期的半年定期检查。"))
            return
        lines = [self.tr("到期或逾期的半年定期检查（在“检查”中办理）：")]
        for row in due[:5]:
            running = self.tr("，进行中 {0}").format(row.open_session) if row.open_session else ""
            lines.append(
                self.tr("{0} {1}　{2}　应于 {3}{4}").format(
                    row.room_code,
                    row.room_name,
                    self.tr(row.state_label),
                    row.due_on.isoformat(),
                    running,
                )
            )
        card.body.setText("\n".join(lines))

    def show_tasks(self, rows: Sequence[Any], must_move: int = 0) -> None:
        """Fill the 待办任务 card with repair tasks not done yet (``TaskRow``).

        ``must_move``: 机密/绝密 volumes standing in ordinary places (R22), listed first.
        """
        card = self.cards[2]
        first = (
            [self.tr("须移入保密柜的机密/绝密档案 {0} 卷（在“库位”中查看）。").format(must_move)]
            if must_move
            else []
        )
        if not rows:
            card.body.setText("\n".join([*first, self.tr("没有待办的修复任务。")]))
            return
        lines = [
            *first,
            self.tr("待办修复任务 {0} 项（在“检查 → 修复任务”中办理）：").format(len(rows)),
        ]
        for row in rows[:5]:
            late = self.tr("（已逾期）") if row.overdue else ""
            lines.append(
                self.tr("{0}　{1}　{2}　期限 {3}{4}").format(
                    row.reference_code,
                    self.tr(row.kind_label),
                    row.responsible,
                    row.due_on.isoformat(),
                    late,
                )
            )
        if len(rows) > 5:
            lines.append(self.tr("……"))
        card.body.setText("\n".join(lines))
