"""The audit trail's use cases: verify the chain, and (auditor only) read, summarise, export.

chain: verification (check, sign-in); labels: how entries read; view: filter, pages, one
record's history; summary: a period's overview; export: PDF/Excel; archive: old entries into a
signed file; sealing/seal_check: the forward-secure seals, the verification key, anchors.
"""

from app.domain.audit import AuditRow
from app.services.audit.archive import (
    ARCHIVE_FORMAT,
    RETENTION_DEFAULT_DAYS,
    RETENTION_MIN_DAYS,
    ArchiveResult,
    archive_audit,
    verify_audit_archive,
)
from app.services.audit.chain import ARCHIVE_ACTION, sign_in_chain_warning, verify_audit_chain
from app.services.audit.export import AUDIT_HEADERS, export_audit
from app.services.audit.labels import (
    ACTION_LABELS,
    DETAIL_LABELS,
    OBJECT_LABELS,
    action_label,
    changed_fields_text,
    detail_label,
    details_text,
    object_label,
)
from app.services.audit.sealing import (
    IssuedKey,
    SealedVerification,
    sealing_started,
    start_audit_sealing,
    verify_sealed_trail,
)
from app.services.audit.summary import AuditSummary, get_audit_summary, is_after_hours
from app.services.audit.two_person import (
    SECOND_PERSON_ROLES,
    confirm_second_person,
    recorded_time,
    reset_time_mark,
)
from app.services.audit.view import (
    EXPORT_LIMIT,
    FAILED_SIGN_IN_ACTIONS,
    PAGE_SIZE,
    REVEAL_ACTIONS,
    WORK_HOURS,
    AuditFilter,
    AuditPage,
    HistoryTarget,
    get_object_history,
    list_audit_users,
    search_audit,
)

__all__ = [
    "ACTION_LABELS",
    "ARCHIVE_ACTION",
    "ARCHIVE_FORMAT",
    "AUDIT_HEADERS",
    "DETAIL_LABELS",
    "EXPORT_LIMIT",
    "FAILED_SIGN_IN_ACTIONS",
    "OBJECT_LABELS",
    "PAGE_SIZE",
    "RETENTION_DEFAULT_DAYS",
    "RETENTION_MIN_DAYS",
    "REVEAL_ACTIONS",
    "SECOND_PERSON_ROLES",
    "WORK_HOURS",
    "ArchiveResult",
    "AuditFilter",
    "AuditPage",
    "AuditRow",
    "AuditSummary",
    "HistoryTarget",
    "IssuedKey",
    "SealedVerification",
    "action_label",
    "archive_audit",
    "changed_fields_text",
    "confirm_second_person",
    "detail_label",
    "details_text",
    "export_audit",
    "get_audit_summary",
    "get_object_history",
    "is_after_hours",
    "list_audit_users",
    "object_label",
    "recorded_time",
    "reset_time_mark",
    "sealing_started",
    "search_audit",
    "sign_in_chain_warning",
    "start_audit_sealing",
    "verify_audit_archive",
    "verify_audit_chain",
    "verify_sealed_trail",
]
