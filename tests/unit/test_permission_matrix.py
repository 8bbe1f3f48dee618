"""The permission matrix (三员分立, issue 9): every role × action × 密级 cell, and the docs."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from app.domain.catalogue import SecrecyLevel
from app.domain.customers import CLASS_RULES, FIELD_CLASSES, InfoClass
from app.domain.roles import (
    LEVELLED_ACTIONS,
    PERMISSIONS,
    ApproverTitle,
    Role,
    check_role_set,
    is_own_request,
)
from app.security.access import LEVELS, PRINCIPALS, Principal, permitted

ROOT = Path(__file__).resolve().parents[2]
A, R, AUD = Role.ADMIN, Role.ARCHIVIST, Role.AUDITOR
DEPT, CSM, INFO, GM, SUP = (
    Principal(Role.APPROVER, ApproverTitle.DEPT_HEAD),
    Principal(Role.APPROVER, ApproverTitle.CS_MANAGER),
    Principal(Role.APPROVER, ApproverTitle.INFO_OFFICER),
    Principal(Role.APPROVER, ApproverTitle.GENERAL_MANAGER),
    Principal(Role.APPROVER, ApproverTitle.SUPERVISOR),  # 监事/主管 (对外提供, R31): 秘密
)
ADMIN, ARCH, AUDITOR = Principal(A), Principal(R), Principal(AUD)
SEC = Principal(Role.SECURITY)  # 安全保密员 (issue 23)
S, C, T = SecrecyLevel.SECRET, SecrecyLevel.CONFIDENTIAL, SecrecyLevel.TOP_SECRET
ALL = set(LEVELS)
UP_TO_SECRET = {None, S}
NONE_CLASSIFIED = {None}
APPROVERS_ALL = {DEPT: ALL, CSM: ALL, INFO: ALL, GM: ALL, SUP: ALL}

# The specification, written out by hand: action → {principal: levels allowed}; absent = never.
EXPECTED: dict[str, dict[Principal, set[SecrecyLevel | None]]] = {
    # 三员分立 (issue 23): accounts by the administrator, roles and policy by the 安全保密员,
    # a change to a 三员 account confirmed by a second one of the three
    "user.manage": {ADMIN: ALL},
    "role.grant": {SEC: ALL},
    "security.policy": {SEC: ALL},
    "account_change.confirm": {ADMIN: ALL, SEC: ALL, AUDITOR: ALL},
    "keys.rotate": {ADMIN: ALL},
    "settings.manage": {ADMIN: ALL},
    "audit.read": {AUDITOR: ALL},
    "audit.export": {AUDITOR: ALL},
    "audit.archive": {AUDITOR: ALL},
    "audit.seal": {AUDITOR: ALL},
    "time.reset": {AUDITOR: ALL},
    "customer.read": {ARCH: ALL, **APPROVERS_ALL},
    "customer.write": {ARCH: ALL},
    "customer.reveal": {ARCH: ALL, **APPROVERS_ALL},
    # the 敏感 class in full (R7): the archivist and the posts that decide on it
    "customer.reveal_sensitive": {ARCH: ALL, CSM: ALL, INFO: ALL, GM: ALL},
    "duplicate.review": APPROVERS_ALL,
    "catalogue.read": {
        ARCH: ALL,
        DEPT: UP_TO_SECRET,
        INFO: UP_TO_SECRET,
        SUP: UP_TO_SECRET,
        CSM: ALL,
        GM: ALL,
        AUDITOR: NONE_CLASSIFIED,
    },
    "catalogue.write": {ARCH: ALL},
    "secrecy.extend": {
        DEPT: UP_TO_SECRET,
        INFO: UP_TO_SECRET,
        SUP: UP_TO_SECRET,
        CSM: ALL,
        GM: ALL,
    },
    "file.attach": {ARCH: ALL},
    "file.open": {
        ARCH: ALL,
        DEPT: UP_TO_SECRET,
        INFO: UP_TO_SECRET,
        SUP: UP_TO_SECRET,
        CSM: ALL,
        GM: ALL,
    },
    "print.forms": {
        ARCH: ALL,
        DEPT: UP_TO_SECRET,
        INFO: UP_TO_SECRET,
        SUP: UP_TO_SECRET,
        CSM: ALL,
        GM: ALL,
    },
    "incident.record": {ARCH: ALL, **APPROVERS_ALL},
    "incident.read": {ARCH: ALL, AUDITOR: ALL, **APPROVERS_ALL},
    # places and boxes show 档号 and markings only, never titles: not levelled
    "location.read": {ARCH: ALL, AUDITOR: ALL, **APPROVERS_ALL},
    "location.write": {ARCH: ALL},
    # loans (issue 7): the queue shows 受限 above clearance, so the action itself is not levelled
    "loan.read": {ARCH: ALL, **APPROVERS_ALL},
    "loan.write": {ARCH: ALL},
    "loan.approve": APPROVERS_ALL,
    "loan.settings": {ADMIN: ALL},
    # personal data lifecycle (issue 18): an erasure is approved by an approver, never by the
    # archivist who asked; the 三员 hold none of it except the administrator's settings
    "privacy.read": {ARCH: ALL, **APPROVERS_ALL},
    "consent.write": {ARCH: ALL},
    "erasure.request": {ARCH: ALL},
    "erasure.approve": APPROVERS_ALL,
    "erasure.execute": {ARCH: ALL},
    "subject.request": {ARCH: ALL},
    "recipient.manage": {ARCH: ALL},
    "provision.record": {ARCH: ALL},
    "privacy.settings": {ADMIN: ALL},
    # backup and restore (issue 10): the copy is encrypted, so running it reads no content
    "backup.run": {ADMIN: ALL},
    "backup.restore": {ADMIN: ALL},
    "backup.verify": {ADMIN: ALL, AUDITOR: ALL},
    # inspections (issue 8): the scope lists 档号 and places only, so not levelled
    "inspection.read": {ARCH: ALL, AUDITOR: ALL, **APPROVERS_ALL},
    "inspection.write": {ARCH: ALL},
    "inspection.settings": {ADMIN: ALL},
    # staff (issue 20): HR-like records kept by the administrator; the desk's hand-overs by the
    # archivist; reviews by the administrator, verified and closed by the auditor (or another)
    "staff.read": {ADMIN: ALL, AUDITOR: ALL, ARCH: ALL},
    "staff.manage": {ADMIN: ALL},
    "filing.handover": {ARCH: ALL},
    "staff.handover": {ARCH: ALL},
    "access_review.run": {ADMIN: ALL},
    "access_review.verify": {ADMIN: ALL, AUDITOR: ALL},
    # disposition (issue 17): appraisers and witnesses are archivists or approvers; the
    # archivist compiles and records; approvers approve and release holds; the auditor reads
    # and verifies; the administrator and the 安全保密员 take no part (三员分立)
    "disposition.read": {ARCH: ALL, AUDITOR: ALL, **APPROVERS_ALL},
    "disposition.hold": {ARCH: ALL, **APPROVERS_ALL},
    "disposition.hold_release": APPROVERS_ALL,
    "disposition.appraise": {ARCH: ALL, **APPROVERS_ALL},
    "disposition.compile": {ARCH: ALL},
    "disposition.approve": APPROVERS_ALL,
    "disposition.witness": {ARCH: ALL, **APPROVERS_ALL},
    "disposition.carry_out": {ARCH: ALL},
    "disposition.verify": {AUDITOR: ALL},
    # statistics (issue 19): counts only; approvers review, never their own report
    "statistics.read": {ARCH: ALL, **APPROVERS_ALL},
    "statistics.compile": {ARCH: ALL},
    "statistics.approve": APPROVERS_ALL,
    "statistics.distribute": {ARCH: ALL},
    "statistics.settings": {ADMIN: ALL},
}

CELLS = [
    (action, principal, level)
    for action in PERMISSIONS
    for principal in PRINCIPALS
    for level in LEVELS
]


def test_the_specification_covers_every_action_in_the_code() -> None:
    assert set(EXPECTED) == set(PERMISSIONS)
    assert set(PERMISSIONS) >= LEVELLED_ACTIONS


@pytest.mark.parametrize(
    ("action", "principal", "level"),
    CELLS,
    ids=[f"{a}-{p.label}-{lvl or 'none'}" for a, p, lvl in CELLS],
)
def test_each_cell_of_the_matrix(
    action: str, principal: Principal, level: SecrecyLevel | None
) -> None:
    expected = level in EXPECTED[action].get(principal, set())
    assert permitted([principal.role], principal.title, action, level) is expected


def test_the_administrator_cannot_read_sensitive_fields_or_classified_content() -> None:
    for action in ("customer.read", "customer.reveal", "file.open", "catalogue.read"):
        for level in LEVELS:
            assert not permitted([A], None, action, level)


def test_the_auditor_changes_nothing() -> None:
    # reading, exporting, archiving and sealing the trail, verifying a backup and accepting the
    # clock with a second person (issue 23) change no data; nor does confirming a change to a
    # 三员 account (the second pair of eyes)
    reads = (".read", ".export", ".archive", ".verify", ".seal")
    others = {"time.reset", "account_change.confirm"}
    writes = {a for a in PERMISSIONS if not a.endswith(reads) and a not in others}
    assert all(not permitted([AUD], None, a, None) for a in writes)


def test_the_administrator_cannot_approve_or_audit_even_with_a_second_role() -> None:
    assert [
        e.reason for e in check_role_set([A, Role.APPROVER], ApproverTitle.GENERAL_MANAGER)
    ] == ["conflict"]
    assert [e.reason for e in check_role_set([A, AUD], None)] == ["conflict"]
    assert [e.reason for e in check_role_set([AUD, R], None)] == ["conflict"]
    # 三员 roles are exclusive (issue 23): no data role, no second 三员 role
    assert [e.reason for e in check_role_set([A, R], None)] == ["conflict"]
    assert [e.reason for e in check_role_set([Role.SECURITY, R], None)] == ["conflict"]
    assert [e.reason for e in check_role_set([Role.SECURITY, A], None)] == ["conflict"]


def test_the_security_officer_reads_no_content() -> None:
    for action in PERMISSIONS:
        if action not in {"role.grant", "security.policy", "account_change.confirm"}:
            assert not permitted([Role.SECURITY], None, action, None), action


def test_nobody_approves_their_own_request() -> None:
    assert is_own_request(7, 7)
    assert not is_own_request(7, 8)
    assert not is_own_request(7, None)


def test_docs_security_md_holds_the_matrix_printed_from_the_code() -> None:
    spec = importlib.util.spec_from_file_location(
        "permission_matrix", ROOT / "scripts" / "permission_matrix.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    assert module.render(text) == text, "run python scripts/permission_matrix.py"
    assert "| 查看案卷与件 (`catalogue.read`) |" in text


# R7 (seed 004): who sees each class of customer information in full, written out by hand.
EVERY_DATA_PRINCIPAL = {ARCH, DEPT, CSM, INFO, GM, SUP}
CLASS_EXPECTED = {
    InfoClass.BASIC: EVERY_DATA_PRINCIPAL,
    InfoClass.BUSINESS: EVERY_DATA_PRINCIPAL,
    InfoClass.SENSITIVE: {ARCH, CSM, INFO, GM},
}
CLASS_CELLS = [(c, p) for c in InfoClass for p in PRINCIPALS]


@pytest.mark.parametrize(
    ("info_class", "principal"),
    CLASS_CELLS,
    ids=[f"{c.value}-{p.label}" for c, p in CLASS_CELLS],
)
def test_each_cell_of_the_class_matrix(info_class: InfoClass, principal: Principal) -> None:
    reveal = CLASS_RULES[info_class].reveal
    expected = principal in CLASS_EXPECTED[info_class]
    assert permitted([principal.role], principal.title, reveal, None) is expected


def test_every_field_has_one_class_and_the_class_decides_the_export() -> None:
    from app.services.exports import CUSTOMER_FIELDS, CUSTOMER_HEADERS

    assert set(CLASS_RULES) == set(InfoClass)
    assert set(FIELD_CLASSES.values()) == set(InfoClass)
    # the customer list export carries only fields of classes whose rule lets it (R7, R5)
    assert len(CUSTOMER_FIELDS) == len(CUSTOMER_HEADERS) - 1  # and 疑似重复
    assert all(CLASS_RULES[FIELD_CLASSES[f]].in_export for f in CUSTOMER_FIELDS)
    assert not CLASS_RULES[InfoClass.BUSINESS].in_export
    assert {FIELD_CLASSES[f] for f in CUSTOMER_FIELDS} == {InfoClass.BASIC, InfoClass.SENSITIVE}
