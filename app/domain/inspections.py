"""Inspections (R25, R41, R42): kinds, the half-yearly schedule, climate limits, checklist.

Pure rules; :mod:`app.services.inspections` applies them inside its transactions (the rows
it returns are in :mod:`app.domain.inspection_rows`).
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from app.domain.enums import LabelledEnum


class InspectionKind(LabelledEnum):
    """Why a session is held."""

    HALF_YEARLY = "half_yearly", "半年定期"  # 半年定期 (R41)
    SPECIAL = "special", "专项"
    INCIDENT = "incident", "突发"  # 突发 (after a leak, a break-in …, R45)


KIND_LABELS = InspectionKind.labels()


class Status(LabelledEnum):
    """A session's progress: open → counting → findings → closed."""

    OPEN = "open", "已开始"
    COUNTING = "counting", "清点中"
    FINDINGS = "findings", "处理差异"
    CLOSED = "closed", "已结束"


STATUS_LABELS = Status.labels()


class ScopeKind(LabelledEnum):
    """What part of a room a session covers (R42)."""

    ROOM = "room", "整个库房"  # the whole 库房
    SHELVES = "shelves", "部分密集架"  # some 密集架 (or 柜)
    FACE = "face", "一个面"  # one 面


SCOPE_LABELS = ScopeKind.labels()


class DifferenceKind(LabelledEnum):
    """What the count (or the fixity check) found."""

    MISSING = "missing", "缺失"  # expected here, not seen
    MISPLACED = "misplaced", "错位"  # seen here, belongs elsewhere
    UNEXPECTED = "unexpected", "账外"  # not in the register (or never placed)
    ON_LOAN_SEEN = (
        "on_loan_seen",
        "借出/在修却在架",
    )  # the register says 借出/在修, but it is on the shelf
    FIXITY = "fixity", "电子文件校验不符"  # an electronic file whose SHA-256 no longer matches


DIFFERENCE_LABELS = DifferenceKind.labels()


class Resolution(LabelledEnum):
    """How the operator settled a difference (never automatic, R42)."""

    MOVED = "moved", "已归位"  # put where it belongs, through the locations service
    LOST = "lost", "报失"  # reported lost
    NOTED = "noted", "已说明"  # explained by a note
    CARRIED = "carried", "转下次检查"  # carried over to the next inspection when closing


RESOLUTION_LABELS = Resolution.labels()


class ConditionKind(LabelledEnum):
    """A condition found on a volume (R41)."""

    FADING = "fading", "字迹褪色"
    DAMAGE = "damage", "载体破损"
    DAMP = "damp", "受潮"
    MOULD = "mould", "霉变"
    PESTS = "pests", "虫蛀/鼠咬"
    LOST = "lost", "遗失"
    OTHER = "other", "其他"


CONDITION_LABELS = ConditionKind.labels()


class TaskKind(LabelledEnum):
    """A repair task (R41: fading and damage repaired or copied promptly)."""

    MEND = "mend", "修补"
    COPY = "copy", "复制"
    REBOX = "rebox", "更换盒"
    DEMOULD = "demould", "除霉"


TASK_LABELS = TaskKind.labels()


class TaskState(LabelledEnum):
    """open (not started) → out (the volume is away, 在修) → done."""

    OPEN = "open", "待处理"
    OUT = "out", "在修"
    DONE = "done", "已完成"


TASK_STATE_LABELS = TaskState.labels()

# The checklist of R25/R41, configurable in the settings (``inspection_checklist``).
DEFAULT_CHECKLIST: tuple[str, ...] = (
    "字迹褪色",
    "载体破损",
    "受潮",
    "霉变",
    "虫害（虫蛀、鼠咬）",
    "防火：灭火器有效期、电线",
    "防盗：门、窗、锁",
    "光照（避光、防紫外线）",
    "清洁卫生",
)
MAX_CHECKLIST = 40


# --- schedule (R41) ------------------------------------------------------------------------
HALF_YEAR_MONTHS = 6
DUE_SOON_DAYS = 30


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class DueState(LabelledEnum):
    """Where a room stands in the half-yearly schedule."""

    OK = "ok", "未到期"
    DUE = "due", "即将到期"  # due within DUE_SOON_DAYS
    OVERDUE = "overdue", "已逾期"


DUE_LABELS = DueState.labels()


def next_due(last_closed: date | None, room_created: date) -> date:
    """The next half-yearly inspection: 6 months after the last closed one (R41).

    A room never inspected is due 6 months after it was set up.
    """
    return add_months(last_closed or room_created, HALF_YEAR_MONTHS)


def due_state(due: date, today: date) -> DueState:
    """Overdue after the due day; due within :data:`DUE_SOON_DAYS` before it."""
    if today > due:
        return DueState.OVERDUE
    if (due - today).days <= DUE_SOON_DAYS:
        return DueState.DUE
    return DueState.OK


# --- climate (R41: 14–24 °C, 45–60 % RH) -----------------------------------------------------
@dataclass(frozen=True)
class ClimateLimits:
    """Allowed ranges and daily swing of one room type (tenths of a °C / of a % RH)."""

    t_min: int = 140
    t_max: int = 240
    rh_min: int = 450
    rh_max: int = 600
    t_swing: int = 20  # ≤ 2 °C a day
    rh_swing: int = 50  # ≤ 5 % a day


class RoomType(LabelledEnum):
    """Room types with their own limits (configurable)."""

    PAPER = "paper", "纸质档案库房"
    MEDIA = "media", "音像/磁性载体库房"  # 音像、磁性载体库房
    OTHER = "other", "其他库房"


ROOM_TYPE_LABELS = RoomType.labels()

DEFAULT_LIMITS: dict[RoomType, ClimateLimits] = {
    RoomType.PAPER: ClimateLimits(),
    RoomType.MEDIA: ClimateLimits(t_min=150, t_max=270, rh_min=400, rh_max=600),
    RoomType.OTHER: ClimateLimits(),
}


class ClimateProblem(LabelledEnum):
    """Why a reading (or a day) is highlighted."""

    TOO_COLD = "too_cold", "温度过低"
    TOO_WARM = "too_warm", "温度过高"
    TOO_DRY = "too_dry", "湿度过低"
    TOO_DAMP = "too_damp", "湿度过高"
    T_SWING = "t_swing", "日温差超限"
    RH_SWING = "rh_swing", "日湿差超限"


PROBLEM_LABELS = ClimateProblem.labels()


def reading_problems(
    temperature: int, humidity: int, limits: ClimateLimits
) -> list[ClimateProblem]:
    """What is out of range in one reading (tenths)."""
    found: list[ClimateProblem] = []
    if temperature < limits.t_min:
        found.append(ClimateProblem.TOO_COLD)
    if temperature > limits.t_max:
        found.append(ClimateProblem.TOO_WARM)
    if humidity < limits.rh_min:
        found.append(ClimateProblem.TOO_DRY)
    if humidity > limits.rh_max:
        found.append(ClimateProblem.TOO_DAMP)
    return found


def swing_problems(
    readings: Iterable[tuple[date, int, int]], limits: ClimateLimits
) -> dict[date, list[ClimateProblem]]:
    """Days whose readings ``(local day, t, rh)`` swing more than allowed."""
    by_day: dict[date, list[tuple[int, int]]] = defaultdict(list)
    for day, t, rh in readings:
        by_day[day].append((t, rh))
    out: dict[date, list[ClimateProblem]] = {}
    for day, values in sorted(by_day.items()):
        ts = [t for t, _ in values]
        rhs = [rh for _, rh in values]
        found: list[ClimateProblem] = []
        if max(ts) - min(ts) > limits.t_swing:
            found.append(ClimateProblem.T_SWING)
        if max(rhs) - min(rhs) > limits.rh_swing:
            found.append(ClimateProblem.RH_SWING)
        if found:
            out[day] = found
    return out


def tenths(value: int) -> str:
    """``235`` → ``23.5``."""
    sign = "-" if value < 0 else ""
    return f"{sign}{abs(value) // 10}.{abs(value) % 10}"


def parse_tenths(text: str) -> int | None:
    """``"23.5"`` / ``"23"`` / ``"23,5"`` → 235 (None when not a number with ≤ 1 decimal)."""
    cleaned = text.strip().replace("，", ".").replace(",", ".").replace("。", ".")
    if not cleaned:
        return None
    negative = cleaned.startswith("-")
    body = cleaned.lstrip("-")
    whole, _, frac = body.partition(".")
    if not whole.isdigit() or (frac and (not frac.isdigit() or len(frac) > 1)):
        return None
    value = int(whole) * 10 + (int(frac) if frac else 0)
    return -value if negative else value


def inspector_names_ok(names: Sequence[str]) -> bool:
    """At least two different inspectors (R41 records are signed by two)."""
    return len({n.strip() for n in names if n.strip()}) >= 2


def local_day(value: datetime) -> date:
    """The local calendar day of an aware time."""
    return value.astimezone().date()
