"""Consultation and loan rules (R30–R35, R40): kinds of use, approval routing, due dates.

Pure functions and enums; ``app.services.loans`` applies them inside its transactions.

Approval routing is a table kind × secrecy level → steps; each step is the set of approver
titles that may sign it (one approver per step, never the applicant). The defaults follow the
company rules; the administrator may change the table (``loan_routing`` setting), but never so
that 机密/绝密 material goes out without the 客服部经理 or higher (R31).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from app.domain.catalogue import SecrecyLevel
from app.domain.enums import LabelledEnum
from app.domain.roles import ApproverTitle
from app.errors import FieldError


class UseKind(StrEnum):
    """利用方式: what the applicant wants to do with the material."""

    CONSULT = "consult"  # 查阅 (on site)
    LOAN = "loan"  # 外借 (taken away)
    COPY = "copy"  # 复制
    EXCERPT = "excerpt"  # 摘抄
    EXTERNAL = "external"  # 对外提供 (outside the company)


KIND_LABELS: dict[UseKind, str] = {
    UseKind.CONSULT: "查阅",
    UseKind.LOAN: "外借",
    UseKind.COPY: "复制",
    UseKind.EXCERPT: "摘抄",
    UseKind.EXTERNAL: "对外提供",
}
# The 借阅登记簿's 利用方式 column calls a loan 借出.
REGISTER_KIND_LABELS: dict[UseKind, str] = {**KIND_LABELS, UseKind.LOAN: "借出"}
# Kinds whose pages are counted as copies in the statistics (R50: copies by page).
COPY_KINDS = frozenset({UseKind.COPY, UseKind.EXCERPT, UseKind.EXTERNAL})


class ApplicationState(StrEnum):
    """Where an application is."""

    PENDING = "pending"  # 待审批
    APPROVED = "approved"  # 已批准
    REJECTED = "rejected"  # 已驳回
    CLOSED = "closed"  # 已办结 (every volume issued and returned)


APPLICATION_STATE_LABELS = {
    ApplicationState.PENDING: "待审批",
    ApplicationState.APPROVED: "已批准",
    ApplicationState.REJECTED: "已驳回",
    ApplicationState.CLOSED: "已办结",
}


class LoanState(StrEnum):
    """A register entry: out, or returned (注销)."""

    OUT = "out"
    RETURNED = "returned"


class Credential(StrEnum):
    """What an outsider shows (R30)."""

    LETTER = "letter"  # 介绍信
    WORK_ID = "work_id"  # 工作证


CREDENTIAL_LABELS = {Credential.LETTER: "介绍信", Credential.WORK_ID: "工作证"}


class Condition(StrEnum):
    """State of a returned volume as counted face to face (R33)."""

    INTACT = "intact"  # 完好
    DAMAGED = "damaged"  # 有损坏


CONDITION_LABELS = {Condition.INTACT: "完好", Condition.DAMAGED: "有损坏"}


class ReportKind(LabelledEnum):
    """A damage/loss report's cause."""

    SHORTFALL = "shortfall", "短缺"  # 页数或件数短缺
    DAMAGE = "damage", "损坏"
    LOSS = "loss", "遗失"


REPORT_KIND_LABELS = ReportKind.labels()

# --- routing ---------------------------------------------------------------------------------
LEVEL_KEYS = ("none", *(level.value for level in SecrecyLevel))  # none, secret, confidential, …
LEVEL_LABELS = {"none": "非密", "secret": "秘密", "confidential": "机密", "top_secret": "绝密"}
# Titles that may approve 机密/绝密 use (R31: the 客服部经理 or higher).
CLEARED_TITLES = frozenset({ApproverTitle.CS_MANAGER, ApproverTitle.GENERAL_MANAGER})
_HEAD = frozenset({ApproverTitle.DEPT_HEAD})
_SERVICE = frozenset(
    {ApproverTitle.INFO_OFFICER, ApproverTitle.CS_MANAGER, ApproverTitle.GENERAL_MANAGER}
)
_MANAGER = CLEARED_TITLES
_INFO = frozenset({ApproverTitle.INFO_OFFICER})
_GM = frozenset({ApproverTitle.GENERAL_MANAGER})
_SUPERVISOR = frozenset({ApproverTitle.SUPERVISOR})

Step = frozenset[ApproverTitle]
Routing = dict[UseKind, dict[str, tuple[Step, ...]]]


def _same(steps: tuple[Step, ...], classified: tuple[Step, ...]) -> dict[str, tuple[Step, ...]]:
    return {"none": steps, "secret": steps, "confidential": classified, "top_secret": classified}


# R30: 查阅 — the applicant's department head, then the 客服部 (信息管理专员 or its manager);
# R31: 机密/绝密 — the 客服部经理 or higher; 复制/摘抄 — the 总经理; 对外提供 — the supervisor
# and the 客服部经理; R32: 外借 — the 信息管理专员.
DEFAULT_ROUTING: Routing = {
    UseKind.CONSULT: _same((_HEAD, _SERVICE), (_HEAD, _MANAGER)),
    UseKind.LOAN: _same((_INFO,), (_INFO, _MANAGER)),
    UseKind.COPY: _same((_GM,), (_GM,)),
    UseKind.EXCERPT: _same((_GM,), (_GM,)),
    UseKind.EXTERNAL: _same((_SUPERVISOR, _MANAGER), (_SUPERVISOR, _MANAGER)),
}


def level_key(level: str | None) -> str:
    """The routing table's key for a stored secrecy level (None: ``"none"``)."""
    return level if level in LEVEL_KEYS else ("none" if level is None else "top_secret")


def route(routing: Routing, kind: UseKind, level: str | None) -> tuple[Step, ...]:
    """The approval steps for ``kind`` of material classified ``level``."""
    return routing[kind][level_key(level)]


def routing_to_json(routing: Routing) -> dict[str, Any]:
    """The table as stored in the ``loan_routing`` setting."""
    return {
        kind.value: {
            level: [sorted(t.value for t in step) for step in steps]
            for level, steps in rows.items()
        }
        for kind, rows in routing.items()
    }


def parse_routing(value: Any) -> tuple[Routing, list[FieldError]]:
    """Read a stored or edited table; missing cells keep the defaults.

    Refused (errors on ``loan_routing``): unknown kinds, levels or titles, a cell without
    steps, a step without titles, and a 机密/绝密 cell without a step that only the 客服部经理
    or higher may sign (R31 cannot be configured away).
    """
    errors: list[FieldError] = []
    routing: Routing = {kind: dict(rows) for kind, rows in DEFAULT_ROUTING.items()}
    if value in (None, ""):
        return routing, errors
    if not isinstance(value, Mapping):
        return routing, [FieldError("loan_routing", "format", {"expected": "审批路线表"})]
    for kind_text, rows in value.items():
        try:
            kind = UseKind(kind_text)
        except ValueError:
            errors.append(FieldError("loan_routing", "unknown_kind", {"kind": kind_text}))
            continue
        if not isinstance(rows, Mapping):
            errors.append(FieldError("loan_routing", "format", {"expected": "审批路线表"}))
            continue
        for level, steps in rows.items():
            cell = f"{KIND_LABELS[kind]}/{LEVEL_LABELS.get(level, level)}"
            if level not in LEVEL_KEYS or not isinstance(steps, Sequence) or not steps:
                errors.append(FieldError("loan_routing", "bad_cell", {"cell": cell}))
                continue
            parsed: list[Step] = []
            for step in steps:
                try:
                    titles = frozenset(ApproverTitle(t) for t in step)
                except (ValueError, TypeError):
                    titles = frozenset()
                if not titles:
                    errors.append(FieldError("loan_routing", "bad_cell", {"cell": cell}))
                    break
                parsed.append(titles)
            else:
                if level in ("confidential", "top_secret") and not any(
                    s <= CLEARED_TITLES for s in parsed
                ):
                    errors.append(FieldError("loan_routing", "needs_manager", {"cell": cell}))
                    continue
                routing[kind][level] = tuple(parsed)
    return routing, errors


def open_step(steps: Sequence[Step], signed: Iterable[int], title: ApproverTitle) -> int | None:
    """The step an approver with ``title`` may sign now, or None.

    Steps are signed in order (R30: the department's stamp and head's signature come before
    the 客服部's approval), so only the first unsigned step is open.
    """
    done = set(signed)
    for index, step in enumerate(steps):
        if index not in done:
            return index if title in step else None
    return None


# --- due dates -------------------------------------------------------------------------------
DEFAULT_LOAN_DAYS = 3  # R32: at most 3 days
DEFAULT_MAX_DAYS = 3
MAX_POLICY_DAYS = 30  # what the administrator may set as the policy maximum
DEFAULT_ESCALATION_DAYS = 3  # days overdue before the borrower's department head is told


def add_days(start: date, days: int, *, working_days: bool, holidays: Iterable[date]) -> date:
    """``start`` plus ``days`` calendar days, or working days (no weekends, no holidays)."""
    if not working_days:
        return start + timedelta(days=days)
    off = set(holidays)
    day = start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in off:
            left -= 1
    return day


def due_date(
    issued_on: date,
    kind: UseKind,
    *,
    loan_days: int,
    max_days: int,
    working_days: bool = False,
    holidays: Iterable[date] = (),
    requested: date | None = None,
) -> date:
    """When a loan must be back (R32).

    On-site uses (查阅, 复制, 摘抄, 对外提供) come back the same day. A loan (外借) is due
    ``loan_days`` later (never more than the policy maximum ``max_days``), counted in working
    days when configured; an earlier date the applicant asked for wins.
    """
    if kind != UseKind.LOAN:
        return issued_on
    days = min(loan_days, max_days)
    due = add_days(issued_on, days, working_days=working_days, holidays=holidays)
    if requested is not None and issued_on <= requested < due:
        return requested
    return due


def overdue_days(due_on: date, today: date) -> int:
    """Days past the due date (0 when not overdue)."""
    return max(0, (today - due_on).days)
