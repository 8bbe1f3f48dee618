"""Disposition (issue 17: R44, R46): legal holds, the appraisal queue, appraisals, 销毁清册.

Submodules import each other, never this package; callers import the use cases from here.
``printing`` (ReportLab) is not re-exported: ``from app.services.disposition import printing``.
"""

from app.domain.disposition import HoldRef, VolumeQuery
from app.services.disposition.appraisal import (
    AppraisalDetail,
    AppraisalRef,
    DecisionRow,
    close_appraisal,
    get_appraisal,
    list_appraisals,
    record_decision,
    remove_decision,
    start_appraisal,
)
from app.services.disposition.approvals import (
    approve_list,
    list_approval_queue,
    reject_list,
)
from app.services.disposition.carry_out import CarryOutResult, Witness, carry_out_list
from app.services.disposition.holds import (
    HoldRow,
    held_volume_clause,
    holds_covering_customer,
    holds_covering_volume,
    holds_covering_volumes,
    list_holds,
    place_hold,
    refuse_if_held,
    release_hold,
)
from app.services.disposition.lists import (
    Candidate,
    ListRef,
    add_list_note,
    add_list_volumes,
    compile_list,
    list_destroy_candidates,
    remove_list_volume,
    set_list_row,
    submit_list,
)
from app.services.disposition.queue import (
    AppraisalQueue,
    QueueGroup,
    QueueRow,
    list_appraisal_queue,
)
from app.services.disposition.reading import (
    ListDetail,
    ListRow,
    ListSummary,
    get_destruction_list,
    list_destruction_lists,
)
from app.services.disposition.shared import (
    DispositionSettings,
    get_disposition_settings,
    list_disposition_staff,
    update_disposition_settings,
)
from app.services.disposition.verify import (
    DestructionCheck,
    DestructionFinding,
    verify_destructions,
)
from app.services.users import StaffRow  # the accounts a disposition form may name

__all__ = [
    "AppraisalDetail",
    "AppraisalQueue",
    "AppraisalRef",
    "Candidate",
    "CarryOutResult",
    "DecisionRow",
    "DestructionCheck",
    "DestructionFinding",
    "DispositionSettings",
    "HoldRef",
    "HoldRow",
    "ListDetail",
    "ListRef",
    "ListRow",
    "ListSummary",
    "QueueGroup",
    "QueueRow",
    "StaffRow",
    "VolumeQuery",
    "Witness",
    "add_list_note",
    "add_list_volumes",
    "approve_list",
    "carry_out_list",
    "close_appraisal",
    "compile_list",
    "get_appraisal",
    "get_destruction_list",
    "get_disposition_settings",
    "held_volume_clause",
    "holds_covering_customer",
    "holds_covering_volume",
    "holds_covering_volumes",
    "list_appraisal_queue",
    "list_appraisals",
    "list_approval_queue",
    "list_destroy_candidates",
    "list_destruction_lists",
    "list_disposition_staff",
    "list_holds",
    "place_hold",
    "record_decision",
    "refuse_if_held",
    "reject_list",
    "release_hold",
    "remove_decision",
    "remove_list_volume",
    "set_list_row",
    "start_appraisal",
    "submit_list",
    "update_disposition_settings",
    "verify_destructions",
]
