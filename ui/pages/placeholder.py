"""Areas not fully built yet: a plain placeholder, and the interim 统计 page.

The 统计 page shows the figures that exist today (holdings counts, the use statistics of the
loan desk, what the home screen counts) for the roles that may see them, until the statistics
area with its printed reports is built.
"""

from __future__ import annotations

from datetime import date
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from app.domain.roles import may
from app.errors import AppError
from app.services.auth import SignedIn
from ui.context import AppContext
from ui.errors import message_for


class PlaceholderPage(QWidget):
    """Title and a plain statement of what will come."""

    def __init__(self, title: str, description: str, name: str) -> None:
        super().__init__(objectName=name)
        layout = QVBoxLayout(self)
        heading = QLabel(title)
        heading.setStyleSheet("font-size: 16pt; font-weight: bold;")
        layout.addWidget(heading)
        self.message = QLabel(self.tr("此功能尚未开放。") + "\n\n" + description)
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.message)
        layout.addStretch()


def _table(rows: list[tuple[str, ...]], head: tuple[str, ...]) -> str:
    cells = "".join(f"<th align='left'>{escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return (
        "<table cellspacing='0' cellpadding='4' border='1' style='border-collapse: collapse;'>"
        f"<tr>{cells}</tr>{body}</table>"
    )


class StatisticsPage(QWidget):
    """统计: holdings, use of the archives this year and last, and what is due now."""

    def __init__(self, context: AppContext, session: SignedIn) -> None:
        super().__init__(objectName="page_statistics")
        self._context = context
        self._session = session
        outer = QVBoxLayout(self)
        heading = QLabel(self.tr("统计"))
        heading.setStyleSheet("font-size: 16pt; font-weight: bold;")
        outer.addWidget(heading)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        outer.addWidget(scroll, 1)
        self.message = QLabel(objectName="statistics_text")
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.message.setMargin(8)
        scroll.setWidget(self.message)

    def refresh(self) -> None:
        """Read the figures again (each section only for the roles that may see it)."""
        roles = self._session.actor.roles
        parts: list[str] = []
        try:
            if may(roles, "catalogue.read"):
                parts.append(self._holdings())
            if may(roles, "loan.read"):
                parts.append(self._use())
            if may(roles, "catalogue.read"):
                parts.append(self._due())
            if may(roles, "staff.read"):
                parts.append(self._filing())  # issue 20, R27
        except AppError as exc:
            parts.append(f"<p style='color:#b00020'>{escape(message_for(exc))}</p>")
        if not parts:
            parts.append(
                "<p>"
                + escape(
                    self.tr(
                        "您的角色不查看馆藏和利用统计（三员分立）。"
                        "账户、备份和审计的情况见“工作台”。"
                    )
                )
                + "</p>"
            )
        self.message.setText("".join(parts))

    def _holdings(self) -> str:
        from app.services.home import get_holdings

        h = get_holdings(session=self._session, clock=self._context.clock)
        rows = [
            (self.tr("客户"), str(h.customers)),
            (self.tr("案卷"), str(h.volumes)),
            *((self.tr("　其中{0}").format(label), str(n)) for label, n in h.by_state.items()),
            (self.tr("卷内文件（件）"), str(h.items)),
            (self.tr("页数"), str(h.pages)),
        ]
        return f"<h3>{escape(self.tr('馆藏'))}</h3>" + _table(
            rows, (self.tr("项目"), self.tr("数量"))
        )

    def _use(self) -> str:
        from app.services.loans import use_statistics

        today = self._context.clock.now().astimezone().date()
        years = (today.year, today.year - 1)
        stats = [
            use_statistics(
                session=self._session,
                clock=self._context.clock,
                date_from=date(y, 1, 1),
                date_to=today if y == today.year else date(y, 12, 31),
            )
            for y in years
        ]
        kinds = sorted({k for s in stats for k in s.by_kind})
        rows = [
            (self.tr("人次"), *(str(s.person_times) for s in stats)),
            (self.tr("卷次"), *(str(s.volume_times) for s in stats)),
            *(
                (self.tr("　其中{0}").format(k), *(str(s.by_kind.get(k, 0)) for s in stats))
                for k in kinds
            ),
            (self.tr("复制页数"), *(str(s.pages_copied) for s in stats)),
            (self.tr("外借登记"), *(str(s.loans) for s in stats)),
            (self.tr("逾期未还"), *(str(s.overdue_now) for s in stats)),
            (self.tr("逾期归还"), *(str(s.returned_late) for s in stats)),
        ]
        head = (
            self.tr("利用"),
            self.tr("{0} 年（至 {1}）").format(years[0], today.isoformat()),
            self.tr("{0} 年").format(years[1]),
        )
        return f"<h3>{escape(self.tr('利用（查阅、借阅、复制）'))}</h3>" + _table(rows, head)

    def _due(self) -> str:
        from app.services.catalogue import secrecy_review_queue
        from app.services.home import list_appraisal_due

        session, clock = self._session, self._context.clock
        rows = [
            (
                self.tr("保管期限已满、待鉴定的案卷"),
                str(len(list_appraisal_due(session=session, clock=clock, limit=100_000))),
            ),
            (
                self.tr("90 天内保密期限届满的文件"),
                str(len(secrecy_review_queue(session=session, clock=clock))),
            ),
        ]
        if may(session.actor.roles, "loan.read"):
            from app.services.loans import list_overdue

            overdue = list_overdue(session=session, clock=clock, limit=100_000)
            rows.insert(0, (self.tr("逾期未还的借阅"), str(len(overdue))))
        return f"<h3>{escape(self.tr('待办'))}</h3>" + _table(
            rows, (self.tr("项目"), self.tr("数量"))
        )

    def _filing(self) -> str:
        """归档移交 this year by department and month, and who is late now (R27)."""
        from app.services import staff

        session, clock = self._session, self._context.clock
        year = clock.now().astimezone().date().year
        months = staff.list_filing_statistics(session=session, year=year, clock=clock)
        months += staff.list_filing_statistics(session=session, year=year - 1, clock=clock)
        rows = [
            (
                m.department,
                m.period,
                str(m.volumes),
                str(m.items),
                str(m.pages),
                self.tr("按时") if m.on_time else self.tr("逾期"),
            )
            for m in sorted(months, key=lambda m: (m.period, m.department), reverse=True)[:24]
        ]
        status = staff.get_filing_status(session=session, clock=clock)
        late = "、".join(d.department for d in status.overdue) or self.tr("无")
        note = self.tr("{0} 的归档移交期限 {1}；逾期未移交的部门：{2}").format(
            status.period, status.deadline.isoformat(), late
        )
        head = (
            self.tr("部门"),
            self.tr("归档月份"),
            self.tr("案卷"),
            self.tr("件数"),
            self.tr("页数"),
            self.tr("移交"),
        )
        return f"<h3>{escape(self.tr('部门归档移交'))}</h3><p>{escape(note)}</p>" + _table(
            rows, head
        )
