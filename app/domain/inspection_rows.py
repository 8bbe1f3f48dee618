"""Inspections: the plain rows the services return and the printed record takes.

Data only (no database, no Qt): :mod:`app.services.inspections` fills them, the 检查 page and
:mod:`app.printing.inspection_record` show them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from app.domain import inspections as rules
from app.domain.inspections import ClimateLimits, DifferenceKind, RoomType, ScopeKind


# --- settings --------------------------------------------------------------------------------
@dataclass(frozen=True)
class InspectionSettings:
    """The checklist, the climate limits per room type and each room's type."""

    checklist: tuple[str, ...]
    limits: dict[RoomType, ClimateLimits]
    room_types: dict[int, RoomType]

    def limits_for(self, room_id: int) -> ClimateLimits:
        """The limits of a room (its type's; 纸质档案库房 unless set)."""
        return self.limits[self.room_types.get(room_id, RoomType.PAPER)]


# --- schedule and sessions -------------------------------------------------------------------
@dataclass(frozen=True)
class ScheduleRow:
    """One store room in the half-yearly schedule."""

    room_id: int
    room_code: str
    room_name: str
    last_closed: date | None
    due_on: date
    state: rules.DueState
    open_session: str  # the number of a half-yearly session in progress, or ""

    @property
    def state_label(self) -> str:
        """未到期 / 即将到期 / 已逾期."""
        return rules.DUE_LABELS[self.state]


@dataclass(frozen=True)
class ScopeChoice:
    """A 密集架, 柜 or 面 a session may cover."""

    id: int
    code: str
    kind: str


@dataclass(frozen=True)
class Inspector:
    """An inspector: a user of the app (``user_id``) or a named person."""

    name: str = ""
    user_id: int | None = None


@dataclass(frozen=True)
class InspectionDraft:
    """What starting a session needs."""

    kind: str
    room_id: int | None
    scope_kind: str = ScopeKind.ROOM.value
    scope_ids: tuple[int, ...] = ()
    inspected_on: date | None = None
    inspectors: tuple[Inspector, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class InspectionRow:
    """A session as listed and shown in its header."""

    id: int
    number: str
    kind: str
    kind_label: str
    room_id: int
    room_code: str
    scope_label: str
    inspected_on: date
    inspectors: tuple[str, ...]
    status: str
    status_label: str
    paused: bool
    expected: int
    found: int
    open_differences: int
    current_place: str
    measures: str
    review: str
    note: str
    closed_at: datetime | None


# --- scanned count and reconciliation (R42) --------------------------------------------------
@dataclass(frozen=True)
class ScanAck:
    """What one scan did, shown at once (a scanner sends a code every ~0.5 s)."""

    verdict: str  # place | found | misplaced | on_loan_seen | unexpected | again
    code: str
    detail: str  # e.g. the volume's registered place, the number of volumes in a box
    found: int
    expected: int


@dataclass(frozen=True)
class DifferenceRow:
    """One difference: what, its code, where the register has it, where it was seen."""

    kind: str
    kind_label: str
    code: str
    home: str
    seen: str
    volume_id: int | None = None
    id: int | None = None  # once recorded (findings)
    resolution: str = ""
    resolution_label: str = ""
    note: str = ""
    file_id: int | None = None


@dataclass(frozen=True)
class Reconciliation:
    """Expected vs found: counts and every difference."""

    expected: int
    found: int
    found_expected: int
    differences: list[DifferenceRow] = field(default_factory=list)

    def count(self, kind: DifferenceKind) -> int:
        """How many differences of ``kind``."""
        return sum(1 for d in self.differences if d.kind == kind.value)


@dataclass(frozen=True)
class FixityResult:
    """What the check of the scope's electronic files found."""

    checked: int
    failed: tuple[tuple[int, str], ...]  # (file id, 档号)

    @property
    def ok(self) -> bool:
        """True when every file matched its SHA-256."""
        return not self.failed


# --- checklist and climate (R25, R41) --------------------------------------------------------
@dataclass(frozen=True)
class CheckRow:
    """One checklist line."""

    seq: int
    label: str
    ok: bool | None
    note: str


@dataclass(frozen=True)
class ReadingRow:
    """One reading with what is out of range (labels)."""

    id: int
    taken_at: datetime
    temperature: int  # tenths
    humidity: int  # tenths
    problems: tuple[str, ...]
    session_number: str
    note: str

    @property
    def out_of_range(self) -> bool:
        """True when highlighted."""
        return bool(self.problems)


@dataclass(frozen=True)
class RoomClimate:
    """A room's readings over a period with its limits and the out-of-range list."""

    room_id: int
    room_code: str
    limits: ClimateLimits
    readings: list[ReadingRow]
    swings: dict[date, tuple[str, ...]]  # days whose swing is too large

    def out_of_range(self) -> list[ReadingRow]:
        """The highlighted readings."""
        return [r for r in self.readings if r.problems]


# --- findings and repair tasks (R41) ---------------------------------------------------------
@dataclass(frozen=True)
class TaskDraft:
    """A repair task to open with a finding."""

    kind: str
    due_on: date | None
    responsible_user_id: int | None = None
    responsible_name: str = ""
    send_out: bool = False  # the volume leaves its place now (在修)
    note: str = ""


@dataclass(frozen=True)
class FindingSaved:
    """The condition record and the task (if any) a finding made."""

    condition_id: int
    task_id: int | None


@dataclass(frozen=True)
class TaskRow:
    """A repair task as listed (home screen, record)."""

    id: int
    volume_id: int
    reference_code: str
    kind_label: str
    condition_label: str
    responsible: str
    due_on: date
    state: str
    state_label: str
    overdue: bool
    session_number: str


@dataclass(frozen=True)
class ConditionRow:
    """A condition record of a volume."""

    id: int
    kind_label: str
    description: str
    recorded_at: datetime
    session_number: str


# --- the printed record (库房检查记录) ----------------------------------------------------------
@dataclass(frozen=True)
class InspectionRecord:
    """Everything the printed 库房检查记录 shows."""

    header: InspectionRow
    kind_label: str
    climate: RoomClimate
    checks: list[CheckRow]
    reconciliation: Reconciliation
    tasks: list[TaskRow]
    fixity: dict[str, Any]
