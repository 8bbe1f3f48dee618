"""Inspections (R25, R41, R42, R13): schedule, sessions, climate log, checklist, scanned count.

A session goes open → counting → findings → closed. One module per group of use cases:

* :mod:`.settings` – the checklist, the climate limits, each room's type;
* :mod:`.schedule` – the half-yearly schedule and the parts of a room a session may cover;
* :mod:`.sessions` – start, list, pause, resume and close a session;
* :mod:`.counting` – the expected list and the scans (place, box, volume);
* :mod:`.reconciliation` – expected vs found, and settling each difference;
* :mod:`.fixity` – the SHA-256 check of the scope's electronic files;
* :mod:`.checklist` and :mod:`.climate` – the checklist lines and the temperature/RH log;
* :mod:`.findings` – condition records and repair tasks;
* :mod:`.record` – what the printed 库房检查记录 shows; :mod:`.printing` renders it (ReportLab:
  import ``app.services.inspections.printing`` only where a record is printed).

The rows they return are plain data in :mod:`app.domain.inspection_rows`. Scanning never
returns a loan and never moves anything (R42): every difference is settled by an explicit
action of the operator.
"""

from app.domain.inspection_rows import (
    CheckRow,
    ConditionRow,
    DifferenceRow,
    FindingSaved,
    FixityResult,
    InspectionDraft,
    InspectionRecord,
    InspectionRow,
    InspectionSettings,
    Inspector,
    ReadingRow,
    Reconciliation,
    RoomClimate,
    ScanAck,
    ScheduleRow,
    ScopeChoice,
    TaskDraft,
    TaskRow,
)
from app.domain.inspections import (
    ClimateLimits,
    ConditionKind,
    DifferenceKind,
    InspectionKind,
    Resolution,
    RoomType,
    ScopeKind,
    Status,
    TaskKind,
    TaskState,
)
from app.services.inspections.base import (
    CHECKLIST_SETTING,
    LIMITS_SETTING,
    NUMBER_PREFIX,
    ROOM_TYPES_SETTING,
    UNAVAILABLE,
)
from app.services.inspections.checklist import list_checks, set_check
from app.services.inspections.climate import get_room_climate, record_reading
from app.services.inspections.counting import VERDICT_LABELS, begin_counting, record_scan
from app.services.inspections.findings import (
    complete_task,
    list_open_tasks,
    list_session_tasks,
    list_volume_conditions,
    record_finding,
    send_task_out,
)
from app.services.inspections.fixity import verify_scope_files
from app.services.inspections.reconciliation import (
    finish_counting,
    get_reconciliation,
    resolve_difference,
)
from app.services.inspections.record import get_inspection_record
from app.services.inspections.schedule import list_inspection_schedule, list_scope_choices
from app.services.inspections.sessions import (
    close_inspection,
    get_inspection,
    list_inspections,
    pause_inspection,
    resume_inspection,
    start_inspection,
)
from app.services.inspections.settings import (
    get_inspection_settings,
    set_inspection_settings,
    set_room_type,
)

__all__ = [
    "CHECKLIST_SETTING",
    "LIMITS_SETTING",
    "NUMBER_PREFIX",
    "ROOM_TYPES_SETTING",
    "UNAVAILABLE",
    "VERDICT_LABELS",
    "CheckRow",
    "ClimateLimits",
    "ConditionKind",
    "ConditionRow",
    "DifferenceKind",
    "DifferenceRow",
    "FindingSaved",
    "FixityResult",
    "InspectionDraft",
    "InspectionKind",
    "InspectionRecord",
    "InspectionRow",
    "InspectionSettings",
    "Inspector",
    "ReadingRow",
    "Reconciliation",
    "Resolution",
    "RoomClimate",
    "RoomType",
    "ScanAck",
    "ScheduleRow",
    "ScopeChoice",
    "ScopeKind",
    "Status",
    "TaskDraft",
    "TaskKind",
    "TaskRow",
    "TaskState",
    "begin_counting",
    "close_inspection",
    "complete_task",
    "finish_counting",
    "get_inspection",
    "get_inspection_record",
    "get_inspection_settings",
    "get_reconciliation",
    "get_room_climate",
    "list_checks",
    "list_inspection_schedule",
    "list_inspections",
    "list_open_tasks",
    "list_scope_choices",
    "list_session_tasks",
    "list_volume_conditions",
    "pause_inspection",
    "record_finding",
    "record_reading",
    "record_scan",
    "resolve_difference",
    "resume_inspection",
    "send_task_out",
    "set_check",
    "set_inspection_settings",
    "set_room_type",
    "start_inspection",
    "verify_scope_files",
]
