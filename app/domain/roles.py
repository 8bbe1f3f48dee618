"""Roles, approver titles and the separation-of-duties rule (三员分立)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from app.errors import FieldError


class Role(StrEnum):
    """A role a user account can hold."""

    ADMIN = "admin"  # 系统管理员
    ARCHIVIST = "archivist"  # 档案管理员
    APPROVER = "approver"  # 审批人
    AUDITOR = "auditor"  # 审计员


class ApproverTitle(StrEnum):
    """The post an approver holds; approval routing (R30–R32) keys on it."""

    DEPT_HEAD = "dept_head"  # 部门负责人
    CS_MANAGER = "cs_manager"  # 客服部经理
    INFO_OFFICER = "info_officer"  # 信息管理专员
    GENERAL_MANAGER = "general_manager"  # 总经理


ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: "系统管理员",
    Role.ARCHIVIST: "档案管理员",
    Role.APPROVER: "审批人",
    Role.AUDITOR: "审计员",
}

TITLE_LABELS: dict[ApproverTitle, str] = {
    ApproverTitle.DEPT_HEAD: "部门负责人",
    ApproverTitle.CS_MANAGER: "客服部经理",
    ApproverTitle.INFO_OFFICER: "信息管理专员",
    ApproverTitle.GENERAL_MANAGER: "总经理",
}

# Pairs that one person may never hold together. The administrator may not approve or audit
# (三员分立); the auditor reads the trail of everyone else's work and so holds no role that
# changes data.
FORBIDDEN_PAIRS: frozenset[frozenset[Role]] = frozenset(
    {
        frozenset({Role.ADMIN, Role.APPROVER}),
        frozenset({Role.ADMIN, Role.AUDITOR}),
        frozenset({Role.AUDITOR, Role.ARCHIVIST}),
        frozenset({Role.AUDITOR, Role.APPROVER}),
    }
)


def role_conflicts(roles: Iterable[Role]) -> list[tuple[Role, Role]]:
    """Return every forbidden pair contained in ``roles`` (empty when the set is allowed)."""
    held = set(roles)
    found = []
    for pair in FORBIDDEN_PAIRS:
        if pair <= held:
            a, b = sorted(pair, key=list(Role).index)
            found.append((a, b))
    return sorted(found, key=lambda p: (list(Role).index(p[0]), list(Role).index(p[1])))


def check_role_set(roles: Iterable[Role], title: ApproverTitle | None) -> list[FieldError]:
    """Validate a role assignment; return field errors (empty when it is allowed)."""
    held = set(roles)
    errors: list[FieldError] = []
    if not held:
        errors.append(FieldError("roles", "empty"))
    for a, b in role_conflicts(held):
        errors.append(
            FieldError(
                "roles",
                "conflict",
                {"a": ROLE_LABELS[a], "b": ROLE_LABELS[b]},
            )
        )
    if Role.APPROVER in held and title is None:
        errors.append(FieldError("approver_title", "title_required"))
    if Role.APPROVER not in held and title is not None:
        errors.append(FieldError("approver_title", "title_without_approver"))
    return errors


# What each role may do in the foundation; later issues extend this one table (issue 9 prints
# it from code). Keys are action names used by services.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "user.manage": frozenset({Role.ADMIN}),
    "settings.manage": frozenset({Role.ADMIN}),
    "audit.read": frozenset({Role.AUDITOR}),
    "customer.read": frozenset({Role.ARCHIVIST, Role.APPROVER}),
    "customer.write": frozenset({Role.ARCHIVIST}),
    "customer.reveal": frozenset({Role.ARCHIVIST, Role.APPROVER}),
    "customer.delete": frozenset({Role.ARCHIVIST}),
    "duplicate.review": frozenset({Role.APPROVER}),
    # the catalogue (issue 5); what each may *see* also depends on secrecy clearance
    "catalogue.read": frozenset({Role.ARCHIVIST, Role.APPROVER, Role.AUDITOR}),
    "catalogue.write": frozenset({Role.ARCHIVIST}),
    "secrecy.extend": frozenset({Role.APPROVER}),  # a named approver, before the term ends
    "file.attach": frozenset({Role.ARCHIVIST}),
    "file.open": frozenset({Role.ARCHIVIST, Role.APPROVER}),  # with a purpose, audited
    "print.forms": frozenset({Role.ARCHIVIST, Role.APPROVER}),
    # backup and restore (issue 10): the administrator runs them (三员分立: the copies stay
    # encrypted, nothing is read); the auditor may verify that backups exist and are intact
    "backup.run": frozenset({Role.ADMIN}),
    "backup.verify": frozenset({Role.ADMIN, Role.AUDITOR}),
    "backup.restore": frozenset({Role.ADMIN}),
}


def may(roles: Iterable[Role], action: str) -> bool:
    """Return True when any of ``roles`` grants ``action``."""
    allowed = PERMISSIONS.get(action, frozenset())
    return any(r in allowed for r in roles)
