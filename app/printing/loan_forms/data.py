"""The plain rows the loan forms print: titles, register columns and widths, sheet dataclasses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

REGISTER_TITLE = "借阅登记簿"
COPY_REGISTER_TITLE = "复制摘抄登记簿"
APPLICATION_TITLE = "档案查阅/借阅申请单"
SLIP_TITLE = "档案借条"
NOTICE_TITLE = "催还通知"

REGISTER_COLUMNS = (
    "登记号",
    "利用方式",
    "利用者",
    "单位/部门",
    "证件号/电话",
    "利用目的",
    "档号",
    "题名",
    "密级",
    "数量（卷/件/页）",
    "存放位置",
    "审批人/意见/日期",
    "借出日期",
    "应还日期",
    "续借",
    "实还日期",
    "归还核对（页数/完好）",
    "经办人（借出）",
    "经办人（归还）",
    "借阅人签字",
    "利用效果",
    "备注",
)
# millimetres; 261 mm is A4 landscape inside the 18 mm margins
REGISTER_MM = (14, 9, 11, 13, 15, 13, 18, 20, 8, 11, 10, 18, 11, 11, 6, 11, 12, 9, 9, 13, 9, 10)
COPY_COLUMNS = (
    "登记号",
    "日期",
    "利用方式",
    "利用者",
    "单位/部门",
    "利用目的",
    "档号",
    "题名",
    "密级",
    "件号",
    "页码范围",
    "页数",
    "份数",
    "审批人/意见/日期",
    "经办人",
    "领取人签字",
    "备注",
)
COPY_MM = (15, 12, 10, 13, 16, 18, 20, 30, 9, 10, 16, 9, 9, 22, 12, 20, 20)
# Codes that must stay whole on one line (a broken 档号 or 登记号 is misread): a cell of these
# puts one code per line and prints a code too wide for its column in a smaller size.
IDENTIFIER_COLUMNS = frozenset({"登记号", "档号", "存放位置"})
SIGNATURE_COLUMNS = frozenset({"借阅人签字", "领取人签字"})
CELL_SIZE = 6.5
CELL_LEADING = 8.0
CELL_PAD = 1.6
ROW_MIN_MM = 9.0  # room for a signature


def format_day(value: date | None) -> str:
    """``2026-01-05`` (registers break it after the year), empty when unknown."""
    return value.isoformat() if value is not None else ""


@dataclass(frozen=True, kw_only=True)
class Printout:
    """What every loan form carries for its page header and footer (``page.PrintedForm``).

    Attributes:
        secrecy_mark: the strongest 机密/绝密 marking among the rows (header, R17).
    """

    organisation: str
    printed_by: str
    printed_by_username: str
    printed_at: datetime
    secrecy_mark: str = ""


@dataclass(frozen=True)
class RegisterSheet(Printout):
    """A register to print: its rows (already cell texts) and who prints it when.

    Attributes:
        title: 借阅登记簿 or 复制摘抄登记簿.
        scope: what the register covers (``2026-01-01 至 2026-01-31`` or ``当前未还``).
        rows: one tuple of cell texts per entry, in the columns of the title's form.
    """

    title: str
    scope: str
    rows: Sequence[Sequence[str]] = ()


@dataclass(frozen=True)
class ApprovalBlock:
    """One step of the route on the application form: who may sign, and who did."""

    step: str  # ``部门负责人``, ``信息管理专员或客服部经理`` …
    approver: str = ""  # ``刘芳（客服部经理）`` once signed
    decision: str = ""  # 同意 / 驳回 / ""
    opinion: str = ""
    decided_on: date | None = None


@dataclass(frozen=True)
class ApplicationSheet(Printout):
    """The 查阅/借阅申请单 with its approval blocks."""

    number: str
    kind_label: str
    state_label: str
    applicant: str
    unit_department: str
    credential: str  # ``介绍信 沪律函***********12号`` (masked) or ""
    phone: str  # masked
    purpose: str
    reason: str
    period: str
    filed_on: date
    entered_by: str
    volumes: Sequence[tuple[str, str, str, str, str]]  # 档号, 题名, 密级, 数量, 复制页码/份数
    approvals: Sequence[ApprovalBlock]
    rejection_reason: str


@dataclass(frozen=True)
class LoanSlip(Printout):
    """The 借条 the borrower signs and carries; its QR holds the loan number's scan form."""

    number: str
    qr_payload: str
    kind_label: str
    reference_code: str
    title: str
    secrecy: str
    quantity: str
    borrower: str
    unit_department: str
    purpose: str
    issued_on: date
    due_on: date
    issued_by: str


@dataclass(frozen=True)
class NoticeLine:
    """One overdue loan on a 催还通知."""

    number: str
    reference_code: str
    title: str
    issued_on: date
    due_on: date
    overdue_days: int


@dataclass(frozen=True)
class OverdueNotice:
    """A 催还通知 to one borrower, from the loans' current state."""

    borrower: str
    unit_department: str
    lines: Sequence[NoticeLine]
    escalate_to: str = ""  # department head(s) copied after N days overdue
    notice_on: date | None = None


@dataclass(frozen=True)
class NoticeBatch(Printout):
    """Notices printed together (one page or more per borrower)."""

    notices: Sequence[OverdueNotice]
    extra: dict[str, Any] = field(default_factory=dict)
