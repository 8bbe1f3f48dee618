"""Staff and departments (issue 20, R26–R28): records, agreements, training, hand-overs, reviews.

Submodules import each other, never this package; callers import from here.
"""

from app.services.staff.agreements import (
    AgreementRow,
    Attachment,
    TrainingRow,
    get_my_compliance,
    list_agreements,
    list_trainings,
    open_agreement_scan,
    record_agreement,
    record_training,
)
from app.services.staff.people import (
    DepartmentRow,
    PersonDraft,
    add_department,
    get_staff_policy,
    list_departments,
    register_person,
    set_filing_clerk,
    set_staff_policy,
    update_person,
)
from app.services.staff.roster import (
    ComplianceNote,
    PersonRow,
    get_person,
    list_compliance_notes,
    list_people,
)

__all__ = [
    "AgreementRow",
    "Attachment",
    "ComplianceNote",
    "DepartmentRow",
    "PersonDraft",
    "PersonRow",
    "TrainingRow",
    "add_department",
    "get_my_compliance",
    "get_person",
    "get_staff_policy",
    "list_agreements",
    "list_compliance_notes",
    "list_departments",
    "list_people",
    "list_trainings",
    "open_agreement_scan",
    "record_agreement",
    "record_training",
    "register_person",
    "set_filing_clerk",
    "set_staff_policy",
    "update_person",
]
