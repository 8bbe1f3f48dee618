"""The 权限审查 tab: access reviews, each account confirmed or marked 需变更, then verified.

The administrator starts a review and decides each line (确认, or 需变更 with what must
change); the auditor — or another administrator, never the one who decided every line — 复核并
结束 it; either prints the 访问权限审查记录.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QLabel, QSplitter, QVBoxLayout, QWidget

from app.domain.roles import may
from app.services import staff
from app.services.auth import SignedIn
from ui.context import AppContext
from ui.errors import REFUSED, UseCases
from ui.pages.staff.printouts import preview_staff_form
from ui.widgets.table_panel import TablePanel


class ReviewsTab(UseCases, QWidget):
    """Reviews above, the selected review's accounts below."""

    def __init__(
        self,
        context: AppContext,
        session: SignedIn,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, objectName="staff_reviews_tab")
        self._context, self._session = context, session
        self.can_run = may(session.actor.roles, "access_review.run")
        box = QVBoxLayout(self)
        self.due = QLabel(objectName="review_due")
        box.addWidget(self.due)
        split = QSplitter(Qt.Orientation.Vertical)
        box.addWidget(split, 1)
        self.reviews = TablePanel(
            name="staff_reviews",
            columns=[
                self.tr("审查编号"),
                self.tr("开始"),
                self.tr("发起人"),
                self.tr("结束"),
                self.tr("待审查"),
            ],
            cells=lambda r: [
                r.number,
                r.started_at.astimezone().strftime("%Y-%m-%d"),
                r.started_by,
                r.closed_at.astimezone().strftime("%Y-%m-%d") if r.closed_at else self.tr("进行中"),
                str(r.open_lines),
            ],
        )
        self.reviews.add_button(
            self.tr("发起审查"), "review_start", self.start, visible=self.can_run
        )
        self.reviews.add_button(self.tr("复核并结束"), "review_close", self.close_review)
        self.reviews.add_button(self.tr("打印审查记录…"), "review_print", self.print_review)
        self.reviews.end_bar()
        self.reviews.selection_changed.connect(lambda _r: self.show_lines())
        split.addWidget(self.reviews)
        self.lines = TablePanel(
            name="staff_review_lines",
            columns=[
                self.tr("账户"),
                self.tr("角色"),
                self.tr("最后登录"),
                self.tr("保密协议/培训"),
                self.tr("结论"),
                self.tr("说明"),
            ],
            cells=lambda line: [
                f"{line.display_name}（{line.username}）"
                + (self.tr("（已停用）") if line.disabled else ""),
                line.roles,
                line.last_sign_in_at.astimezone().strftime("%Y-%m-%d %H:%M")
                if line.last_sign_in_at
                else self.tr("从未登录"),
                line.compliance,
                line.decision_label,
                line.note,
            ],
        )
        self.lines.add_button(
            self.tr("确认"), "line_confirm", self.confirm_line, visible=self.can_run
        )
        self.lines.add_button(
            self.tr("需变更…"), "line_change", self.change_line, visible=self.can_run
        )
        self.lines.add_button(
            self.tr("其余全部确认"), "line_confirm_rest", self.confirm_rest, visible=self.can_run
        )
        self.lines.end_bar()
        split.addWidget(self.lines)

    def refresh(self) -> None:
        """Read the reviews and the due date again (keeps the selected review)."""
        session, clock = self._session, self._context.clock
        chosen = self.reviews.selected()
        rows = staff.list_access_reviews(session=session, clock=clock)
        self.reviews.set_rows(rows)
        ids = [r.id for r in rows]
        if chosen is not None and chosen.id in ids:
            self.reviews.select_row(ids.index(chosen.id))
        elif rows:
            self.reviews.select_row(0)
        due = staff.get_review_due(session=session, clock=clock)
        self.due.setText(
            self.tr("下次审查应于 {0} 前完成{1}。").format(
                due.due_on.isoformat(), self.tr("（已逾期）") if due.overdue else ""
            )
        )
        self.show_lines()

    def show_lines(self) -> None:
        """The selected review's accounts."""
        review = self.reviews.selected()
        self.lines.set_rows(list(review.lines) if review is not None else [])

    def _act(self, use_case: Callable[..., object], /, **arguments: Any) -> None:
        """:meth:`attempt` the use case, then read the reviews again (refused or not)."""
        self.attempt(use_case, **arguments)
        self.refresh()

    def start(self) -> None:
        """发起 a review of every account as it is now."""
        self._act(staff.start_access_review)

    def confirm_line(self) -> None:
        """确认 the selected account's access."""
        line = self.lines.selected()
        if line is not None:
            self._act(staff.decide_review_line, line_id=line.id, decision="confirmed")

    def change_line(self) -> None:
        """需变更: say what must change (the 安全保密员 changes the roles)."""
        line = self.lines.selected()
        if line is None:
            return
        note, ok = QInputDialog.getText(
            self, self.tr("需变更"), self.tr("需要怎样变更（如：取消审批人角色、停用账户）")
        )
        if ok:
            self._act(staff.decide_review_line, line_id=line.id, decision="changed", note=note)

    def confirm_rest(self) -> None:
        """确认 every line not decided yet."""
        review = self.reviews.selected()
        if review is None:
            return
        for line in review.lines:
            if line.decision != "pending":
                continue
            decided = self.attempt(staff.decide_review_line, line_id=line.id, decision="confirmed")
            if decided is REFUSED:
                break  # the rest stay pending, as the refusal says
        self.refresh()

    def close_review(self) -> None:
        """复核并结束 (a second person)."""
        review = self.reviews.selected()
        if review is not None:
            self._act(staff.close_access_review, review_id=review.id)

    def print_review(self) -> None:
        """The 访问权限审查记录 of the selected review."""
        from app.services.staff import printing as staff_printing

        review = self.reviews.selected()
        if review is None:
            return
        preview_staff_form(
            self,
            self._context,
            self._session,
            title=self.tr("访问权限审查记录 {0}").format(review.number),
            form="review",
            object_id=review.id,
            render=lambda: staff_printing.access_review_pdf(
                session=self._session, review_id=review.id, clock=self._context.clock
            ),
            file_name=f"访问权限审查记录-{review.number}.pdf",
        )
