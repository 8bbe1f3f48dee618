"""Roles, approver titles and the separation-of-duties rule (三员分立)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from app.errors import FieldError


class Role(StrEnum):
    """A role a user account can hold."""

    ADMIN = "admin"  # 系统管理员: accounts, settings, backups
    ARCHIVIST = "archivist"  # 档案管理员
    APPROVER = "approver"  # 审批人
    AUDITOR = "auditor"  # 安全审计员: reads the trail of everyone, the other two included
    SECURITY = "security"  # 安全保密员: grants roles and clearances, sets the security policy


class ApproverTitle(StrEnum):
    """The post an approver holds; approval routing (R30–R32) keys on it."""

    DEPT_HEAD = "dept_head"  # 部门负责人
    CS_MANAGER = "cs_manager"  # 客服部经理
    INFO_OFFICER = "info_officer"  # 信息管理专员
    GENERAL_MANAGER = "general_manager"  # 总经理
    # loans (issue 7): 对外提供 needs the supervisor's approval (R31)
    SUPERVISOR = "supervisor"  # 监事/主管


ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: "系统管理员",
    Role.ARCHIVIST: "档案管理员",
    Role.APPROVER: "审批人",
    Role.AUDITOR: "安全审计员",
    Role.SECURITY: "安全保密员",
}

TITLE_LABELS: dict[ApproverTitle, str] = {
    ApproverTitle.DEPT_HEAD: "部门负责人",
    ApproverTitle.CS_MANAGER: "客服部经理",
    ApproverTitle.INFO_OFFICER: "信息管理专员",
    ApproverTitle.GENERAL_MANAGER: "总经理",
    ApproverTitle.SUPERVISOR: "监事/主管",
}

# 三员: the three system roles of Chinese secrecy rules (三员分立). Each is exclusive: whoever
# holds one holds no other role at all (no data, no approver, no second 三员 role), so nobody
# both grants and uses, or both acts and audits.
THREE_ROLES: frozenset[Role] = frozenset({Role.ADMIN, Role.SECURITY, Role.AUDITOR})

# Pairs that one person may never hold together: every pair with a 三员 role in it.
FORBIDDEN_PAIRS: frozenset[frozenset[Role]] = frozenset(
    frozenset({a, b}) for a in THREE_ROLES for b in Role if a != b
)


def is_three_role_set(roles: Iterable[Role]) -> bool:
    """True when ``roles`` contains a 三员 role (the account is one of the three)."""
    return any(r in THREE_ROLES for r in roles)


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
    # 三员分立 (issue 23): the administrator keeps accounts (create, disable, enable, reset a
    # password); only the 安全保密员 grants roles, approver posts (which set the clearance) and
    # sets the security policy; a change to a 三员 account waits for a second 三员 member.
    "user.manage": frozenset({Role.ADMIN}),
    "role.grant": frozenset({Role.SECURITY}),
    "security.policy": frozenset({Role.SECURITY}),
    "account_change.confirm": frozenset({Role.ADMIN, Role.SECURITY, Role.AUDITOR}),
    "keys.rotate": frozenset({Role.ADMIN}),  # disabling an account or a leak rotates anyway
    "settings.manage": frozenset({Role.ADMIN}),
    "audit.read": frozenset({Role.AUDITOR}),
    "customer.read": frozenset({Role.ARCHIVIST, Role.APPROVER}),
    "customer.write": frozenset({Role.ARCHIVIST}),
    "customer.reveal": frozenset({Role.ARCHIVIST, Role.APPROVER}),
    # the 敏感 class in full (R7, seed 004): approvers only in the posts of TITLE_LIMITS
    "customer.reveal_sensitive": frozenset({Role.ARCHIVIST, Role.APPROVER}),
    "duplicate.review": frozenset({Role.APPROVER}),
    # the catalogue (issue 5); what each may *see* also depends on secrecy clearance
    "catalogue.read": frozenset({Role.ARCHIVIST, Role.APPROVER, Role.AUDITOR}),
    "catalogue.write": frozenset({Role.ARCHIVIST}),
    "secrecy.extend": frozenset({Role.APPROVER}),  # a named approver, before the term ends
    "file.attach": frozenset({Role.ARCHIVIST}),
    "file.open": frozenset({Role.ARCHIVIST, Role.APPROVER}),  # with a purpose, audited
    "print.forms": frozenset({Role.ARCHIVIST, Role.APPROVER}),
    # storage locations, boxes and moves (issue 6); volumes above clearance stay 受限
    "location.read": frozenset({Role.ARCHIVIST, Role.APPROVER, Role.AUDITOR}),
    "location.write": frozenset({Role.ARCHIVIST}),
    # the audit trail and the incident register (issue 9): the auditor reads and exports the
    # trail and archives old entries to a signed file; nobody can clear it (there is no action)
    "audit.export": frozenset({Role.AUDITOR}),
    "audit.archive": frozenset({Role.AUDITOR}),
    # the sealed trail and trusted time (issue 23): the auditor receives the verification key;
    # resetting the recorded time needs the auditor and a second person's password
    "audit.seal": frozenset({Role.AUDITOR}),
    "time.reset": frozenset({Role.AUDITOR}),
    "incident.record": frozenset({Role.ARCHIVIST, Role.APPROVER}),
    "incident.read": frozenset({Role.ARCHIVIST, Role.APPROVER, Role.AUDITOR}),
    # consultation and loans (issue 7)
    "loan.read": frozenset({Role.ARCHIVIST, Role.APPROVER}),
    "loan.write": frozenset({Role.ARCHIVIST}),  # applications, issue, return, notices
    "loan.approve": frozenset({Role.APPROVER}),  # a titled approver, never their own (R34)
    "loan.settings": frozenset({Role.ADMIN}),
    # backup and restore (issue 10): the administrator runs them (三员分立: the copies stay
    # encrypted, nothing is read); the auditor may verify that backups exist and are intact
    "backup.run": frozenset({Role.ADMIN}),
    "backup.verify": frozenset({Role.ADMIN, Role.AUDITOR}),
    "backup.restore": frozenset({Role.ADMIN}),
    # inspections (issue 8): archivists inspect and repair; approvers and the auditor read the
    # records; the climate limits and the checklist are system settings
    "inspection.read": frozenset({Role.ARCHIVIST, Role.APPROVER, Role.AUDITOR}),
    "inspection.write": frozenset({Role.ARCHIVIST}),
    "inspection.settings": frozenset({Role.ADMIN}),
    # staff and departments (issue 20, R26–R28): the administrator keeps the staff records,
    # agreements and training (HR-like personal data, no customer data); the archivist reads
    # them for the desk's hand-overs; the auditor reads them for reviews. Access reviews: the
    # administrator reviews every account, the auditor (or another administrator) verifies and
    # closes the review — a second pair of eyes, like a confirmed account change
    "staff.read": frozenset({Role.ADMIN, Role.AUDITOR, Role.ARCHIVIST}),
    "staff.manage": frozenset({Role.ADMIN}),
    "filing.handover": frozenset({Role.ARCHIVIST}),  # 归档移交 at the desk, clerk confirms
    "staff.handover": frozenset({Role.ARCHIVIST}),  # 离职/调岗交接 at the desk, successor confirms
    "access_review.run": frozenset({Role.ADMIN}),  # 定期审查访问权限: start, decide each line
    "access_review.verify": frozenset({Role.ADMIN, Role.AUDITOR}),  # read, print, close
    # personal data lifecycle (issue 18): archivists keep consents, requests and recipients;
    # an approver other than the requester approves an erasure (R8); settings are the admin's
    "privacy.read": frozenset({Role.ARCHIVIST, Role.APPROVER}),
    "consent.write": frozenset({Role.ARCHIVIST}),
    "erasure.request": frozenset({Role.ARCHIVIST}),
    "erasure.approve": frozenset({Role.APPROVER}),
    "erasure.execute": frozenset({Role.ARCHIVIST}),
    "subject.request": frozenset({Role.ARCHIVIST}),
    "recipient.manage": frozenset({Role.ARCHIVIST}),
    "provision.record": frozenset({Role.ARCHIVIST}),
    "privacy.settings": frozenset({Role.ADMIN}),
    # disposition (issue 17: R44, R46): archivists and approvers appraise (≥ 2 named); the
    # archivist compiles the 销毁清册 and records the destruction; approvers approve it (never
    # one they appraised or compiled); both may witness (监销人) what they neither compiled nor
    # approved; holds are placed by either and released by an approver; the auditor reads
    # every list and verifies each destroyed volume's 清册 and witnesses (三员 hold nothing else)
    "disposition.read": frozenset({Role.ARCHIVIST, Role.APPROVER, Role.AUDITOR}),
    "disposition.hold": frozenset({Role.ARCHIVIST, Role.APPROVER}),
    "disposition.hold_release": frozenset({Role.APPROVER}),
    "disposition.appraise": frozenset({Role.ARCHIVIST, Role.APPROVER}),
    "disposition.compile": frozenset({Role.ARCHIVIST}),
    "disposition.approve": frozenset({Role.APPROVER}),
    "disposition.witness": frozenset({Role.ARCHIVIST, Role.APPROVER}),
    "disposition.carry_out": frozenset({Role.ARCHIVIST}),
    "disposition.verify": frozenset({Role.AUDITOR}),
    # statistics reports (issue 19, seed 000 第3章): the archive room compiles and hands out;
    # approvers review and approve (never their own); the route is a system setting
    "statistics.read": frozenset({Role.ARCHIVIST, Role.APPROVER}),
    "statistics.compile": frozenset({Role.ARCHIVIST}),
    "statistics.approve": frozenset({Role.APPROVER}),
    "statistics.distribute": frozenset({Role.ARCHIVIST}),
    "statistics.settings": frozenset({Role.ADMIN}),
}


def may(roles: Iterable[Role], action: str) -> bool:
    """Return True when any of ``roles`` grants ``action``."""
    allowed = PERMISSIONS.get(action, frozenset())
    return any(r in allowed for r in roles)


# Actions an approver may do only in some posts (the others hold them through another role):
# the 敏感 class of customer information (R7) for the posts that decide on it.
TITLE_LIMITS: dict[str, frozenset[ApproverTitle]] = {
    "customer.reveal_sensitive": frozenset(
        {ApproverTitle.CS_MANAGER, ApproverTitle.INFO_OFFICER, ApproverTitle.GENERAL_MANAGER}
    ),
}


def may_as(roles: Iterable[Role], title: ApproverTitle | None, action: str) -> bool:
    """:func:`may`, with an approver's post checked against :data:`TITLE_LIMITS`."""
    held = list(roles)
    limit = TITLE_LIMITS.get(action)
    if limit is None:
        return may(held, action)
    if may([r for r in held if r != Role.APPROVER], action):
        return True
    return Role.APPROVER in held and may([Role.APPROVER], action) and title in limit


# --- the permission matrix (issue 9) ---------------------------------------------------------
# What each action means, for the matrix in docs/security.md (scripts/permission_matrix.py).
ACTION_TITLES: dict[str, str] = {
    "user.manage": "管理账户（新建、停用、启用、重置密码）",
    "role.grant": "授予角色与审批职务（涉密级别）",
    "security.policy": "修改安全策略（密码、锁定、空闲锁屏）",
    "account_change.confirm": "确认对三员账户的变更（须另一名三员）",
    "keys.rotate": "轮换数据密钥",
    "settings.manage": "修改系统设置、档号规则",
    "audit.read": "查看审计记录",
    "audit.export": "导出审计记录（PDF/Excel）",
    "audit.archive": "归档过期审计记录（签名导出）",
    "audit.seal": "接收审计验证密钥（首次登录时，仅一次）",
    "time.reset": "重置时间基准（须第二人确认）",
    "customer.read": "查看客户（脱敏）",
    "customer.write": "登记、修改客户",
    "customer.reveal": "显示完整个人信息（基础、业务信息，需用途）",
    "customer.reveal_sensitive": "显示敏感信息完整值（证件号、电话、银行账户等，需用途）",
    "duplicate.review": "复核疑似重复",
    "catalogue.read": "查看案卷与件",
    "catalogue.write": "立卷、加件、修改案卷",
    "secrecy.extend": "延长保密期限",
    "file.attach": "附加电子文件",
    "file.open": "打开电子文件（需用途）",
    "print.forms": "打印卷内目录、备考表",
    "incident.record": "登记泄密/丢失事件",
    "incident.read": "查看事件登记",
    # inspections (issue 8)
    "inspection.read": "查看库房检查记录、温湿度、修复任务",
    "inspection.write": "库房检查、清点扫码、登记温湿度、修复任务",
    "inspection.settings": "修改温湿度标准、检查项目",
    # staff (issue 20)
    "staff.read": "查看人员、部门、保密协议与培训记录（联系方式脱敏）",
    "staff.manage": "登记人员、部门、归档专人、保密协议、培训，修改人员制度",
    "filing.handover": "办理部门月度归档移交（归档专人输入密码确认）",
    "staff.handover": "办理离职/调岗交接（接办人输入密码确认）",
    "access_review.run": "定期审查访问权限（发起，逐个账户确认或变更）",
    "access_review.verify": "查看、打印、复核并结束访问权限审查（不能由独自审查者结束）",
    # personal data lifecycle (issue 18)
    "privacy.read": "查看到期处理、删除申请、客户请求、接收方",
    "consent.write": "登记、撤回客户同意",
    "erasure.request": "申请删除或匿名化客户信息",
    "erasure.approve": "审批删除或匿名化申请（不能审批本人申请）",
    "erasure.execute": "执行已批准的删除或匿名化",
    "subject.request": "登记、答复客户查询/更正/删除请求",
    "recipient.manage": "登记对外提供接收方及保密协议",
    "provision.record": "登记对外提供",
    "privacy.settings": "修改同意用途、处理依据、存储期限设置",
    # disposition (issue 17)
    "disposition.read": "查看鉴定、销毁清册与冻结",
    "disposition.hold": "设置冻结（客户、案卷、查询范围）",
    "disposition.hold_release": "解除冻结（非设置人）",
    "disposition.appraise": "鉴定到期案卷（鉴定人）",
    "disposition.compile": "编制销毁清册",
    "disposition.approve": "审批销毁清册（非鉴定人、非编制人）",
    "disposition.witness": "担任监销人（非编制人、非审批人）",
    "disposition.carry_out": "登记执行销毁",
    "disposition.verify": "核查销毁记录（清册、审批、监销人）",
    # statistics (issue 19)
    "statistics.read": "查看统计报表（只含数量）",
    "statistics.compile": "编制统计报表、提交审批、个别项修改",
    "statistics.approve": "审查、批准统计报表（不批本人编制的）",
    "statistics.distribute": "登记报表发放",
    "statistics.settings": "修改统计报表审批流程",
}

# Actions whose object carries a 密级: allowed only up to the actor's clearance
# (``app.security.access.clearance_for``); the others do not touch classified content.
LEVELLED_ACTIONS: frozenset[str] = frozenset(
    {
        "catalogue.read",
        "catalogue.write",
        "secrecy.extend",
        "file.attach",
        "file.open",
        "print.forms",
    }
)


def is_own_request(approver_id: int, requested_by: int | None) -> bool:
    """True when the approver is the one who asked (R34: nobody approves their own request)."""
    return requested_by is not None and approver_id == requested_by
