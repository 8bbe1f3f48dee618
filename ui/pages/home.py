"""工作台: the day's work at a glance, one card per thing the signed-in role should know.

Which cards appear depends on the roles (三员分立): the administrator sees accounts, security
notes and backups; the auditor the audit chain, recent alarms and backups; an approver the
applications waiting for them and overdue loans; the archivist overdue loans, inspections due,
open tasks, the secrecy review queue and volumes due for appraisal. A card a role may not see is
not built at all; every card shows real data (``MainWindow.refresh_home`` fills them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.clock import format_local
from app.domain.accounts import Actor
from app.domain.roles import ROLE_LABELS, Role, may
from app.services.backup import BackupStatus

SHOWN = 5  # rows listed on a card before "……"
ALERT = "color: #b00020; border: none; font-weight: bold;"
GOOD = "color: #1b5e20; border: none;"
PLAIN = "color: #333; border: none;"

# card key → (title, the area its button opens, the button's text); order is the page's order
CARDS: dict[str, tuple[str, str, str]] = {
    "queue": ("待我审批", "loans", "去审批"),
    "overdue": ("逾期借阅", "loans", "去借阅"),
    "inspections": ("到期检查", "inspections", "去检查"),
    "tasks": ("待办任务", "inspections", "去检查"),
    "review": ("密级到期复核", "archives", "去档案"),
    "appraisal": ("保管期满待鉴定", "disposition", "去鉴定"),
    "privacy": ("个人信息", "privacy", "去处理"),
    "statistics": ("本月统计", "statistics", "去统计"),
    "accounts": ("账户", "settings", "用户管理"),
    "security": ("安全提醒", "settings", "去设置"),
    "chain": ("审计链", "audit", "去审计"),
    "alarms": ("近期告警", "audit", "去审计"),
    # staff (issue 20, R26–R28)
    "papers": ("保密协议与培训", "", ""),
    "filing": ("部门归档移交", "staff", "去人员"),
    "staff": ("人员保密协议与培训", "staff", "去人员"),
    "access_review": ("访问权限审查", "staff", "去人员"),
    "backup": ("备份状态", "", ""),
}


def cards_for(actor: Actor) -> list[str]:
    """The card keys this actor sees, in page order."""
    wanted: set[str] = set()
    if actor.has(Role.ADMIN):
        wanted |= {"accounts", "security", "staff", "access_review"}
    if actor.has(Role.AUDITOR):
        wanted |= {"chain", "alarms", "access_review"}
    if actor.has(Role.APPROVER):
        wanted |= {"queue", "overdue", "papers", "privacy"}
    if actor.has(Role.ARCHIVIST):
        wanted |= {"overdue", "inspections", "tasks", "review", "appraisal", "papers", "filing"}
        wanted |= {"privacy"}
    if may(actor.roles, "statistics.read"):
        wanted.add("statistics")  # the same figures as the 统计 page's overview (issue 19)
    if may(actor.roles, "backup.verify"):
        wanted.add("backup")
    return [key for key in CARDS if key in wanted]


class Card(QFrame):
    """A titled box on the home screen, with an optional button to the area it is about."""

    def __init__(self, title: str, name: str, button: str = "") -> None:
        super().__init__(objectName=name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            f"QFrame#{name} {{ background: #fafafa; border: 1px solid #ccc; border-radius: 6px; }}"
        )
        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        self.title = QLabel(title)
        self.title.setStyleSheet("font-weight: bold; font-size: 12pt; border: none;")
        head.addWidget(self.title, 1)
        self.button: QPushButton | None = None
        if button:
            self.button = QPushButton(button, objectName=f"{name}_open")
            head.addWidget(self.button)
        layout.addLayout(head)
        self.body = QLabel(objectName=f"{name}_body")
        self.body.setWordWrap(True)
        self.body.setStyleSheet(PLAIN)
        layout.addWidget(self.body)
        layout.addStretch()

    def set_lines(self, lines: Sequence[str], style: str = PLAIN) -> None:
        """Show ``lines`` (the first one a heading)."""
        self.body.setStyleSheet(style)
        self.body.setText("\n".join(lines))


class HomePage(QWidget):
    """Greeting plus one card per kind of work the roles do."""

    backup_requested = Signal()
    area_requested = Signal(str)  # an area key (the card's button)

    def __init__(
        self,
        actor: Actor,
        organisation: str,
        now: datetime,
        backup: BackupStatus | None = None,
    ) -> None:
        super().__init__(objectName="HomePage")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(objectName="home_scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        inner = QWidget()
        scroll.setWidget(inner)
        layout = QVBoxLayout(inner)
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
        self.cards: dict[str, Card] = {}
        for i, key in enumerate(cards_for(actor)):
            title, area, button = CARDS[key]
            card = Card(self.tr(title), f"card_{key}", self.tr(button) if button else "")
            card.set_lines([self.tr("正在读取……")])
            if card.button is not None:
                card.button.clicked.connect(lambda _=False, a=area: self.area_requested.emit(a))
            self.cards[key] = card
            grid.addWidget(card, i // 2, i % 2)
        self.backup_button: QPushButton | None = None
        if "backup" in self.cards:
            self.backup_button = QPushButton(self.tr("备份与恢复…"), objectName="open_backup")
            self.backup_button.clicked.connect(self.backup_requested)
            self.cards["backup"].layout().addWidget(self.backup_button)
            if backup is not None:
                self.show_backup(backup)
        layout.addStretch()

    def card(self, key: str) -> Card | None:
        """The card ``key`` when this role has it."""
        return self.cards.get(key)

    def show_list(
        self,
        key: str,
        rows: Sequence[Any],
        *,
        empty: str,
        heading: str,
        line: Callable[[Any], str],
    ) -> None:
        """Fill card ``key`` with a list of ``rows`` (or ``empty``, in green, when there are none).

        ``heading``, then the first :data:`SHOWN` rows as ``line`` words them (…… for more), in red.
        """
        card = self.cards.get(key)
        if card is None:
            return
        if not rows:
            card.set_lines([empty], GOOD)
            return
        lines = [heading, *(line(row) for row in rows[:SHOWN])]
        if len(rows) > SHOWN:
            lines.append(self.tr("……"))
        card.set_lines(lines, ALERT)

    def show_unavailable(self, key: str) -> None:
        """A card whose data could not be read now (it is read again next time)."""
        card = self.cards.get(key)
        if card is not None:
            card.set_lines([self.tr("暂时无法读取，请稍后再回到工作台。")], ALERT)

    # -- statistics -----------------------------------------------------------------------------
    def show_statistics(self, overview: Any) -> None:
        """Fill the 本月统计 card from the 统计 page's overview (``services.statistics``)."""
        card = self.cards.get("statistics")
        if card is None:
            return
        f = overview.figure
        card.set_lines(
            [
                self.tr("{0} 年 {1} 月").format(
                    overview.month_from.year, overview.month_from.month
                ),
                self.tr("馆藏 {0} 卷、{1} 件、{2} 页").format(
                    f("holdings", "案卷"), f("holdings", "件"), f("holdings", "页")
                ),
                self.tr("本月利用 {0} 人次、{1} 卷次，复制 {2} 页").format(
                    f("use", "人次"), f("use", "卷次"), f("use", "复制页数")
                ),
                self.tr("本月借出 {0}、归还 {1}，当前逾期未还 {2}").format(
                    f("loans", "借出"), f("loans", "归还"), f("loans", "当前逾期未还")
                ),
                self.tr("本月新增客户 {0}").format(f("customers", "本月新增")),
            ]
        )

    # -- loans ----------------------------------------------------------------------------------
    def show_overdue(self, rows: Sequence[Any]) -> None:
        """Fill the 逾期借阅 card with loans overdue now (``LoanRow`` of the loan services)."""

        def line(row: Any) -> str:
            told = self.tr("，已告知 {0}").format(row.escalate_to) if row.escalate_to else ""
            return self.tr("{0}　{1}　{2}　逾期 {3} 天{4}").format(
                row.number, row.reference_code, row.borrower, row.overdue_days, told
            )

        self.show_list(
            "overdue",
            rows,
            empty=self.tr("当前没有逾期未还的借阅。"),
            heading=self.tr("逾期未还 {0} 件（在“借阅”中查看和打印催还通知）：").format(len(rows)),
            line=line,
        )

    def show_queue(self, rows: Sequence[Any]) -> None:
        """Fill the 待我审批 card (``ApplicationRow`` the approver may sign now)."""
        self.show_list(
            "queue",
            rows,
            empty=self.tr("没有等待您审批的申请。"),
            heading=self.tr("等待您审批的申请 {0} 件（在“借阅 → 审批”中办理）：").format(len(rows)),
            line=lambda row: self.tr("{0}　{1}　{2}　{3}　{4}").format(
                row.number,
                row.kind_label,
                row.applicant,
                row.volumes,
                format_local(row.created_at),
            ),
        )

    # -- backup (issue 10) ----------------------------------------------------------------------
    def show_backup(self, status: BackupStatus) -> None:
        """R43: the last verified backup, in red when older than the configured interval."""
        card = self.cards.get("backup")
        if card is None:
            return
        if not status.supported:
            card.set_lines([self.tr("本机没有 PostgreSQL 客户端工具（pg_dump），无法备份。")])
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
            card.set_lines([text], ALERT)
            card.setProperty("overdue", True)
        else:
            card.set_lines([text], GOOD)
            card.setProperty("overdue", False)

    # -- inspections (issue 8) ------------------------------------------------------------------
    def show_inspections_due(self, rows: Sequence[Any]) -> None:
        """Fill the 到期检查 card with rooms due or overdue (``ScheduleRow``)."""
        card = self.cards.get("inspections")
        if card is None:
            return
        due = [r for r in rows if r.state.value != "ok"]
        if not due:
            card.set_lines([self.tr("没有到期的半年定期检查。")], GOOD)
            return
        lines = [self.tr("到期或逾期的半年定期检查（在“检查”中办理）：")]
        for row in due[:SHOWN]:
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
        card.set_lines(lines, ALERT)

    def show_tasks(self, rows: Sequence[Any], must_move: int = 0) -> None:
        """Fill the 待办任务 card with repair tasks not done yet (``TaskRow``).

        ``must_move``: 机密/绝密 volumes standing in ordinary places (R22), listed first.
        """
        card = self.cards.get("tasks")
        if card is None:
            return
        first = (
            [self.tr("须移入保密柜的机密/绝密档案 {0} 卷（在“库位”中查看）。").format(must_move)]
            if must_move
            else []
        )
        if not rows:
            card.set_lines([*first, self.tr("没有待办的修复任务。")], ALERT if first else GOOD)
            return
        lines = [
            *first,
            self.tr("待办修复任务 {0} 项（在“检查 → 修复任务”中办理）：").format(len(rows)),
        ]
        for row in rows[:SHOWN]:
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
        if len(rows) > SHOWN:
            lines.append(self.tr("……"))
        card.set_lines(lines, ALERT if first or any(r.overdue for r in rows) else PLAIN)

    # -- catalogue ------------------------------------------------------------------------------
    def show_review(self, rows: Sequence[Any]) -> None:
        """Fill the 密级到期复核 card (``ReviewRow``: items whose secrecy term ends soon, R16)."""
        self.show_list(
            "review",
            rows,
            empty=self.tr("90 天内没有保密期限届满的文件。"),
            heading=self.tr("保密期限 90 天内届满、需复核是否延长的文件 {0} 件：").format(
                len(rows)
            ),
            line=lambda row: self.tr("{0} 第 {1} 件　{2}　{3} 届满").format(
                row.reference_code, row.seq, row.marking, row.ends.isoformat()
            ),
        )

    def show_appraisal(self, rows: Sequence[Any]) -> None:
        """Fill the 保管期满待鉴定 card (``AppraisalRow``: retention expired)."""
        self.show_list(
            "appraisal",
            rows,
            empty=self.tr("没有保管期限已满的案卷。"),
            heading=self.tr("保管期限已满、待鉴定的案卷 {0} 卷：").format(len(rows)),
            line=lambda row: self.tr("{0}　{1}　{2}，{3} 期满").format(
                row.reference_code, row.title, row.retention, row.expired_on.isoformat()
            ),
        )

    def show_privacy(self, overdue: Sequence[Any], due: int, pending: int) -> None:
        """Fill the 个人信息 card (issue 18).

        Customers' requests past their deadline (``SubjectRow``), customers whose storage
        period ended, erasure requests still open.
        """
        card = self.cards.get("privacy")
        if card is None:
            return
        if not overdue and not due and not pending:
            card.set_lines([self.tr("没有逾期的客户请求，没有到期待处理的客户信息。")], GOOD)
            return
        lines = []
        if overdue:
            lines.append(self.tr("逾期未答复的客户请求 {0} 件：").format(len(overdue)))
            for row in overdue[:SHOWN]:
                lines.append(
                    self.tr("{0}　客户 {1}　应于 {2} 前答复").format(
                        row.number, row.customer_number, row.due_on.isoformat()
                    )
                )
        if due:
            lines.append(self.tr("存储期限已届满的客户 {0} 位（到期处理）。").format(due))
        if pending:
            lines.append(self.tr("未办结的删除/匿名化申请 {0} 件。").format(pending))
        card.set_lines(lines, ALERT if overdue else PLAIN)

    # -- administrator --------------------------------------------------------------------------
    def show_accounts(self, overview: Any) -> None:
        """Fill the 账户 card (``AccountOverview``)."""
        card = self.cards.get("accounts")
        if card is None:
            return
        lines = [
            self.tr("启用的账户 {0} 个，停用 {1} 个；系统管理员 {2} 个。").format(
                overview.active, overview.disabled, overview.admins
            )
        ]
        if overview.locked:
            lines.append(self.tr("被锁定：{0}").format("、".join(overview.locked)))
        if overview.must_change:
            lines.append(self.tr("待修改一次性密码：{0}").format("、".join(overview.must_change)))
        card.set_lines(lines, ALERT if overview.locked else PLAIN)

    def show_security(self, notes: Sequence[str]) -> None:
        """Fill the 安全提醒 card (plain sentences; none: all is well)."""
        card = self.cards.get("security")
        if card is None:
            return
        if not notes:
            card.set_lines([self.tr("没有需要处理的安全提醒。")], GOOD)
            return
        card.set_lines([f"⚠ {n}" for n in notes], ALERT)

    # -- staff (issue 20) -----------------------------------------------------------------------
    def show_papers(self, gaps: Sequence[Any]) -> None:
        """Fill 保密协议与培训: what the signed-in person lacks now or soon (R28)."""
        card = self.cards.get("papers")
        if card is None:
            return
        if not gaps:
            card.set_lines([self.tr("保密协议有效，保密培训在有效期内。")], GOOD)
            return
        blocking = [g for g in gaps if g.blocking]
        lines = []
        if blocking:
            lines.append(self.tr("暂停使用客户信息（显示完整信息、导出、打印、借出），原因："))
        lines += [f"{'⚠' if g.blocking else '·'} {g.text}" for g in gaps]
        if blocking:
            lines.append(self.tr("请联系系统管理员补签保密协议或安排保密培训。"))
        card.set_lines(lines, ALERT if blocking else PLAIN)

    def show_filing(self, status: Any) -> None:
        """Fill 部门归档移交: departments late with last month's hand-over (R27)."""
        card = self.cards.get("filing")
        if card is None:
            return
        if not status.overdue:
            card.set_lines(
                [
                    self.tr("{0} 的归档移交期限为 {1}，没有逾期的部门。").format(
                        status.period, status.deadline.isoformat()
                    )
                ],
                GOOD,
            )
            return
        lines = [
            self.tr("{0} 的归档应于 {1} 前移交，以下部门尚未移交：").format(
                status.period, status.deadline.isoformat()
            )
        ]
        lines += [
            self.tr("{0}（归档专人：{1}）").format(d.department, d.clerk_name or "—")
            for d in status.overdue[:SHOWN]
        ]
        if len(status.overdue) > SHOWN:
            lines.append("……")
        card.set_lines(lines, ALERT)

    def show_staff(self, notes: Sequence[Any]) -> None:
        """Fill 人员保密协议与培训: data accounts lacking papers (the administrator's card)."""
        card = self.cards.get("staff")
        if card is None:
            return
        if not notes:
            card.set_lines([self.tr("所有业务账户的保密协议和培训均有效。")], GOOD)
            return
        lines = [
            f"{'⚠' if n.blocking else '·'} {n.name}（{n.username}）：{n.text}"
            for n in notes[:SHOWN]
        ]
        if len(notes) > SHOWN:
            lines.append(self.tr("……共 {0} 条").format(len(notes)))
        card.set_lines(lines, ALERT if any(n.blocking for n in notes) else PLAIN)

    def show_access_review(self, due: Any) -> None:
        """Fill 访问权限审查: when the next review is due, or the one under way."""
        card = self.cards.get("access_review")
        if card is None:
            return
        if due.open_review_id is not None:
            card.set_lines(
                [self.tr("有一次访问权限审查正在进行，请逐个账户确认并复核结束。")], ALERT
            )
            return
        text = self.tr("下次访问权限审查应于 {0} 前完成。").format(due.due_on.isoformat())
        card.set_lines([text], ALERT if due.overdue else PLAIN)

    # -- auditor --------------------------------------------------------------------------------
    def show_chain(self, status: Any) -> None:
        """Fill the 审计链 card (``ChainStatus``)."""
        card = self.cards.get("chain")
        if card is None:
            return
        last = format_local(status.last_entry_at) if status.last_entry_at else self.tr("无")
        archived = (
            format_local(status.last_archive_at) if status.last_archive_at else self.tr("尚未归档")
        )
        facts = self.tr("库中审计记录 {0} 条，最新一条 {1}；最近归档：{2}。").format(
            status.entries, last, archived
        )
        if status.ok:
            head = self.tr("审计链完整：最新 {0} 条已校验通过。").format(status.checked)
            card.set_lines([head, facts], GOOD)
        else:
            head = "⚠ " + self.tr("审计链校验失败：{0}").format(status.problem)
            card.set_lines([head, facts, self.tr("请用 archive-room check 做完整校验。")], ALERT)

    def show_alarms(self, rows: Sequence[Any], days: int = 7) -> None:
        """Fill the 近期告警 card (``AlarmRow``, newest first)."""

        def line(row: Any) -> str:
            late = self.tr("（非工作时间）") if row.after_hours else ""
            return self.tr("{0}　{1}　{2}{3}").format(
                format_local(row.occurred_at), row.actor_name, row.action_label, late
            )

        self.show_list(
            "alarms",
            rows,
            empty=self.tr("近 {0} 天没有告警。").format(days),
            heading=self.tr("近 {0} 天的告警 {1} 条（在“审计”中查看）：").format(days, len(rows)),
            line=line,
        )
