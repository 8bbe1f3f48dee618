"""What a unit of work changed, by kind of object (issue 21, in the manner of Anki's ``OpChanges``).

A committed unit of work reports the tables it wrote as a :class:`Changes`: a handful of flags,
one per kind of object the pages show. The GUI refreshes every list, card and detail that shows
one of the changed kinds, so nothing stays stale after a write made elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields

# Every table that a write may touch, and the kind of object it belongs to. A table that is not
# listed counts as ``other`` (tests/unit/test_changes.py checks that every model table is listed).
TABLE_KINDS: dict[str, str] = {
    "customer": "customers",
    "customer_phone": "customers",
    "customer_address": "customers",
    "customer_bank_account": "customers",
    "customer_status_change": "customers",
    "duplicate_flag": "customers",
    "customer_consent": "customers",
    "consent_purpose": "customers",
    "erasure_request": "privacy",
    "subject_request": "privacy",
    "data_recipient": "privacy",
    "data_provision": "privacy",
    "volume": "volumes",
    "volume_tally": "volumes",
    "archive_item": "volumes",
    "item_file": "volumes",
    "file_chunk": "volumes",
    "reference_counter": "volumes",
    "import_batch": "volumes",
    "storage_location": "places",
    "archive_box": "places",
    "volume_place": "places",
    "move_batch": "places",
    "location_move": "places",
    "custody_handover": "places",
    "staff_department": "loans",
    "use_application": "loans",
    "use_application_volume": "loans",
    "use_approval": "loans",
    "loan": "loans",
    "damage_report": "loans",
    "use_log": "loans",
    "inspection_session": "inspections",
    "inspection_expected": "inspections",
    "inspection_scan": "inspections",
    "inspection_found": "inspections",
    "inspection_difference": "inspections",
    "inspection_check": "inspections",
    "environment_reading": "inspections",
    "condition_record": "inspections",
    "repair_task": "inspections",
    "statistics_report": "statistics",
    "stat_counter": "statistics",
    "stat_hourly": "statistics",
    "stat_volume_group": "statistics",
    "statistics_approval": "statistics",
    "statistics_distribution": "statistics",
    "incident": "incidents",
    "incident_link": "incidents",
    "audit_entry": "audit",
    "audit_checkpoint": "audit",
    "audit_seal": "audit",
    "audit_seal_state": "audit",
    "legal_hold": "disposition",
    "legal_hold_target": "disposition",
    "appraisal": "disposition",
    "appraisal_member": "disposition",
    "appraisal_decision": "disposition",
    "destruction_list": "disposition",
    "destruction_list_volume": "disposition",
    "destruction_approval": "disposition",
    "destruction_note": "disposition",
    "setting": "settings",
    "keyring": "accounts",
    "user_account": "accounts",
    "user_role": "accounts",
    "account_change": "accounts",
    # staff and departments (issue 20)
    "department": "staff",
    "staff_person": "staff",
    "staff_agreement": "staff",
    "staff_training": "staff",
    "staff_training_attendee": "staff",
    "filing_handover": "staff",
    "filing_handover_line": "staff",
    "staff_handover": "staff",
    "access_review": "staff",
    "access_review_line": "staff",
}


@dataclass(frozen=True)
class Changes:
    """Which kinds of objects a write changed (all False: nothing)."""

    customers: bool = False
    volumes: bool = False
    places: bool = False
    loans: bool = False
    inspections: bool = False
    incidents: bool = False
    disposition: bool = False
    statistics: bool = False
    audit: bool = False
    settings: bool = False
    accounts: bool = False
    staff: bool = False
    privacy: bool = False  # erasure and subject requests, recipients, provisions (issue 18)
    other: bool = False

    @classmethod
    def of(cls, *kinds: str) -> Changes:
        """``Changes.of("volumes", "places")``."""
        return cls(**dict.fromkeys(kinds, True))

    @classmethod
    def from_tables(cls, tables: Iterable[str]) -> Changes:
        """The kinds the written ``tables`` belong to."""
        return cls.of(*{TABLE_KINDS.get(name, "other") for name in tables})

    def kinds(self) -> frozenset[str]:
        """The names of the changed kinds."""
        return frozenset(f.name for f in fields(self) if getattr(self, f.name))

    def __or__(self, other: Changes) -> Changes:
        return Changes.of(*(self.kinds() | other.kinds()))

    def __bool__(self) -> bool:
        return bool(self.kinds())

    def touches(self, watched: Changes) -> bool:
        """True when a kind in ``watched`` changed."""
        return bool(self.kinds() & watched.kinds())
