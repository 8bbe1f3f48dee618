"""Who may see which classified material (R15–R17, R31): the one access check of the catalogue.

Every catalogue query goes through :func:`secrecy_clause` (in SQL) or :func:`may_see` (on a
loaded row): lists, search, printouts and exports alike. A row above the actor's clearance is
shown as "受限" with its 档号 only (:func:`restricted_title`).

Clearance follows the post, as the company's rules assign custody and approval:

* 档案管理员 keep the archive room including the secure cabinets: up to 绝密;
* 总经理 and 客服部经理 approve 机密/绝密 consultation (R31): up to 绝密;
* 信息管理专员 (approves loans, R32), 部门负责人 and 监事/主管: up to 秘密 (机密/绝密 need the
  客服部经理 or higher, R31);
* administrators, 安全保密员 and auditors see no classified titles (三员分立: they manage
  the system and review the trail, not the archives' content).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_

from app.domain.accounts import Actor
from app.domain.catalogue import SECRECY_LABELS, SecrecyLevel, rank
from app.domain.roles import (
    ACTION_TITLES,
    LEVELLED_ACTIONS,
    PERMISSIONS,
    ROLE_LABELS,
    TITLE_LABELS,
    ApproverTitle,
    Role,
    may_as,
)

RESTRICTED = "受限"
_TITLE_CLEARANCE = {
    ApproverTitle.GENERAL_MANAGER: SecrecyLevel.TOP_SECRET,
    ApproverTitle.CS_MANAGER: SecrecyLevel.TOP_SECRET,
    ApproverTitle.INFO_OFFICER: SecrecyLevel.SECRET,
    ApproverTitle.DEPT_HEAD: SecrecyLevel.SECRET,
    ApproverTitle.SUPERVISOR: SecrecyLevel.SECRET,  # 对外提供 also needs the 客服部经理 (R31)
}


def clearance_for(roles: Iterable[Role], title: ApproverTitle | None) -> SecrecyLevel | None:
    """The highest level a holder of ``roles`` (and approver ``title``) may see."""
    held = set(roles)
    levels: list[SecrecyLevel | None] = [None]
    if Role.ARCHIVIST in held:
        levels.append(SecrecyLevel.TOP_SECRET)
    if Role.APPROVER in held and title is not None:
        levels.append(_TITLE_CLEARANCE.get(title))
    return max(levels, key=rank)


def clearance(actor: Actor) -> SecrecyLevel | None:
    """The highest level ``actor`` may see (None: unclassified material only)."""
    return clearance_for(actor.roles, actor.approver_title)


def may_see(actor: Actor, level: str | None) -> bool:
    """True when ``actor`` may see material classified ``level`` (a stored value or None)."""
    if level is None:
        return True
    try:
        wanted = SecrecyLevel(level)
    except ValueError:
        return False  # an unknown level is treated as the highest
    return rank(wanted) <= rank(clearance(actor))


def visible_levels(actor: Actor) -> list[str]:
    """Stored level values ``actor`` may see (besides unclassified)."""
    top = rank(clearance(actor))
    return [level.value for level in SecrecyLevel if rank(level) <= top]


def secrecy_clause(actor: Actor, column: Any) -> Any:
    """SQL condition: the row's level (``column``) is within ``actor``'s clearance."""
    allowed = visible_levels(actor)
    if not allowed:
        return column.is_(None)
    return or_(column.is_(None), column.in_(allowed))


def restricted_title(actor: Actor, level: str | None, title: str) -> str:
    """The title as ``actor`` may see it: the title itself, or "受限"."""
    return title if may_see(actor, level) else RESTRICTED


# --- the permission matrix: role × action × secrecy level (issue 9) --------------------------
LEVELS: tuple[SecrecyLevel | None, ...] = (
    None,
    SecrecyLevel.SECRET,
    SecrecyLevel.CONFIDENTIAL,
    SecrecyLevel.TOP_SECRET,
)


@dataclass(frozen=True)
class Principal:
    """A column of the matrix: a role, and for approvers the post (clearance follows it)."""

    role: Role
    title: ApproverTitle | None = None

    @property
    def label(self) -> str:
        """``审批人（客服部经理）`` or the role's name."""
        base = ROLE_LABELS[self.role]
        return f"{base}（{TITLE_LABELS[self.title]}）" if self.title else base


PRINCIPALS: tuple[Principal, ...] = (
    Principal(Role.ADMIN),
    Principal(Role.ARCHIVIST),
    *(Principal(Role.APPROVER, t) for t in ApproverTitle),
    Principal(Role.SECURITY),
    Principal(Role.AUDITOR),
)


def permitted(
    roles: Iterable[Role], title: ApproverTitle | None, action: str, level: SecrecyLevel | None
) -> bool:
    """The one decision: may a holder of ``roles`` (post ``title``) do ``action`` on ``level``?

    Services check the role part with ``services.common.authorize`` and the level part with
    :func:`may_see` / :func:`secrecy_clause`; this function is both at once, for the matrix.
    """
    held = list(roles)
    if not may_as(held, title, action):
        return False
    if action in LEVELLED_ACTIONS:
        return rank(level) <= rank(clearance_for(held, title))
    return True


def matrix_cell(principal: Principal, action: str) -> str:
    """What the docs show: ✓ (any level), the highest level, or — (never)."""
    allowed = [lvl for lvl in LEVELS if permitted([principal.role], principal.title, action, lvl)]
    if not allowed:
        return "—"
    if action not in LEVELLED_ACTIONS:
        return "✓"
    top = allowed[-1]
    return "非密" if top is None else f"至{SECRECY_LABELS[top]}"


def _class_rows() -> tuple[tuple[str, str, str], ...]:
    """(class, its fields, the action that shows them) from the one class table (R7)."""
    from app.domain.customers import CLASS_RULES, class_fields

    names = {
        "number": "客户编号",
        "name": "姓名/名称",
        "party": "性质",
        "kind": "类型",
        "category": "类别",
        "status": "状态",
        "importance": "重要程度",
        "responsible": "负责人",
        "index_remarks": "索引备注",
        "consent": "同意书",
        "remarks": "备注",
        "addresses": "地址",
        "email": "电子邮箱",
        "gender": "性别",
        "birth_date": "出生日期",
        "id_number": "证件号",
        "phones": "电话",
        "bank_accounts": "银行账户",
    }
    masked = "个人信息均脱敏显示，如 张*丰、110***********002X"
    rows = [("全部（脱敏显示）", masked, "customer.read")]
    for info_class, rule in CLASS_RULES.items():
        fields = "、".join(names.get(f, f) for f in class_fields(info_class))
        rows.append((f"{rule.label}（完整值）", fields + "；须填用途，记入审计", rule.reveal))
    return tuple(rows)


def information_matrix_markdown() -> str:
    """Role × customer information class (R7), from ``domain.customers.CLASS_RULES``."""
    lines = [
        "| 信息分级 | 字段 | " + " | ".join(p.label for p in PRINCIPALS) + " |",
        "|---|---|" + "---|" * len(PRINCIPALS),
    ]
    for name, fields, action in _class_rows():
        cells = " | ".join(
            "✓" if permitted([p.role], p.title, action, None) else "—" for p in PRINCIPALS
        )
        lines.append(f"| {name} | {fields} | {cells} |")
    return "\n".join(lines) + "\n"


def permission_matrix_markdown() -> str:
    """The matrix as a Markdown table (written into docs/security.md from here)."""
    head = "| 操作 | " + " | ".join(p.label for p in PRINCIPALS) + " |"
    rule = "|---|" + "---|" * len(PRINCIPALS)
    lines = [head, rule]
    for action in PERMISSIONS:
        title = ACTION_TITLES.get(action, action)
        cells = " | ".join(matrix_cell(p, action) for p in PRINCIPALS)
        lines.append(f"| {title} (`{action}`) | {cells} |")
    return "\n".join(lines) + "\n"
