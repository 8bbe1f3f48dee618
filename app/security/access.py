"""Who may see which classified material (R15–R17, R31): the one access check of the catalogue.

Every catalogue query goes through :func:`secrecy_clause` (in SQL) or :func:`may_see` (on a
loaded row): lists, search, printouts and exports alike. A row above the actor's clearance is
shown as "受限" with its 档号 only (:func:`restricted_title`).

Clearance follows the post, as the company's rules assign custody and approval:

* 档案管理员 keep the archive room including the secure cabinets: up to 绝密;
* 总经理 and 客服部经理 approve 机密/绝密 consultation (R31): up to 绝密;
* 信息管理专员 (approves loans, R32), 部门负责人 and 监事/主管: up to 秘密 (机密/绝密 need the
  客服部经理 or higher, R31);
* administrators and auditors see no classified titles (三员分立: they manage the system and
  review the trail, not the archives' content).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_

from app.domain.accounts import Actor
from app.domain.catalogue import SecrecyLevel, rank
from app.domain.roles import ApproverTitle, Role

RESTRICTED = "受限"
_TITLE_CLEARANCE = {
    ApproverTitle.GENERAL_MANAGER: SecrecyLevel.TOP_SECRET,
    ApproverTitle.CS_MANAGER: SecrecyLevel.TOP_SECRET,
    ApproverTitle.INFO_OFFICER: SecrecyLevel.SECRET,
    ApproverTitle.DEPT_HEAD: SecrecyLevel.SECRET,
    ApproverTitle.SUPERVISOR: SecrecyLevel.SECRET,  # 对外提供 also needs the 客服部经理 (R31)
}


def clearance(actor: Actor) -> SecrecyLevel | None:
    """The highest level ``actor`` may see (None: unclassified material only)."""
    levels: list[SecrecyLevel | None] = [None]
    if actor.has(Role.ARCHIVIST):
        levels.append(SecrecyLevel.TOP_SECRET)
    if actor.has(Role.APPROVER) and actor.approver_title is not None:
        levels.append(_TITLE_CLEARANCE.get(actor.approver_title))
    return max(levels, key=rank)


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
