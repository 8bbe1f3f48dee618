"""库房检查统计 (R25, R41, R42, R50): inspections, differences, climate and repairs.

Inspections done against those due, differences found and settled, days with the climate out
of range, repair tasks opened and closed.

"Due" is the half-yearly rule of the schedule (``domain.inspections.next_due``): a room is due in
the period when six months after its last closed 半年定期 inspection before the period (or after
it was set up) falls on or before the period's last day; it is done when a 半年定期 session of
the room closed with its inspection day in the period.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from sqlalchemy import func, select

from app.clock import as_utc
from app.domain import inspections as rules
from app.domain.inspections import (
    DIFFERENCE_LABELS,
    KIND_LABELS,
    TASK_LABELS,
    InspectionKind,
    Resolution,
    Status,
    TaskState,
)
from app.domain.locations import LocationKind
from app.domain.statistics import Report, ReportKind, Table
from app.services.inspections.base import load_settings
from app.services.statistics.common import Query, bar, labelled_table, table
from app.storage.models import (
    EnvironmentReading,
    InspectionDifference,
    InspectionSession,
    RepairTask,
    StorageLocation,
)

SETTLED = (Resolution.MOVED.value, Resolution.LOST.value, Resolution.NOTED.value)


def build(q: Query) -> Report:
    """The inspections report for ``q``."""
    t_rooms, due, done = _schedule(q)
    t_sessions = _sessions(q)
    t_diff = _differences(q)
    t_climate = _climate(q)
    t_tasks = _tasks(q)
    diff_total = t_diff.rows[-1]
    task_total = t_tasks.rows[-1]
    t_summary = table(
        "summary",
        "检查概况",
        ("项目", "数量"),
        (
            ("应做半年定期检查（库房）", due),
            ("已完成半年定期检查（库房）", done),
            ("本期结束的检查（次）", t_sessions.rows[-1][1]),
            ("发现差异（条）", diff_total[1]),
            ("其中已处理", diff_total[2]),
            ("温湿度超标天数（库房·天）", t_climate.rows[-1][3] if t_climate.rows else 0),
            ("新开修复任务", task_total[1]),
            ("完成修复任务", task_total[2]),
            ("当前未完成修复任务", task_total[3]),
        ),
    )
    return q.report(
        ReportKind.INSPECTIONS,
        tables=(t_summary, t_rooms, t_sessions, t_diff, t_climate, t_tasks),
        charts=(
            bar("差异（按类别）", t_diff),
            bar("温湿度超标天数（按库房）", t_climate, 3),
        ),
        notes=(
            "应检查：按半年定期规则在本期到期的库房；差异按检查日期在本期的检查统计；"
            "“已处理”不含转下次检查。",
        ),
        filtered=False,
    )


def _rooms(q: Query) -> list[tuple[int, str, date]]:
    return [
        (rid, code, as_utc(created).astimezone().date())
        for rid, code, created in q.uow.session.execute(
            select(StorageLocation.id, StorageLocation.code, StorageLocation.created_at)
            .where(StorageLocation.kind == LocationKind.STOREROOM.value)
            .order_by(StorageLocation.path_key)
        )
    ]


def _schedule(q: Query) -> tuple[Table, int, int]:
    half = InspectionKind.HALF_YEARLY.value
    closed = InspectionSession.status == Status.CLOSED.value
    before = dict(
        q.uow.session.execute(
            select(InspectionSession.room_id, func.max(InspectionSession.inspected_on))
            .where(
                InspectionSession.kind == half,
                closed,
                InspectionSession.inspected_on < q.period_from,
            )
            .group_by(InspectionSession.room_id)
        ).all()
    )
    within = Counter(
        rid
        for (rid,) in q.uow.session.execute(
            select(InspectionSession.room_id).where(
                InspectionSession.kind == half,
                closed,
                InspectionSession.inspected_on >= q.period_from,
                InspectionSession.inspected_on <= q.period_to,
            )
        )
    )
    rows: list[tuple[str | int | float, ...]] = []
    due_count = done_count = 0
    for rid, code, created in _rooms(q):
        due_day = rules.next_due(before.get(rid), created)
        is_due = due_day <= q.period_to
        done = within.get(rid, 0)
        due_count += int(is_due)
        done_count += int(is_due and done > 0)
        state = "已完成" if done else ("未完成" if is_due else "未到期")
        rows.append((code, due_day.isoformat(), done, state))
    return (
        table("rooms", "半年定期检查（按库房）", ("库房", "应检查日期", "本期完成", "情况"), rows),
        due_count,
        done_count,
    )


def _sessions(q: Query) -> Table:
    counts = {
        str(k): int(n)
        for k, n in q.uow.session.execute(
            select(InspectionSession.kind, func.count())
            .where(q.in_period(InspectionSession.closed_at))
            .group_by(InspectionSession.kind)
        )
    }
    return labelled_table(
        "sessions", "本期结束的检查（按类型）", ("类型", "次数"), counts, KIND_LABELS
    )


def _differences(q: Query) -> Table:
    rows = q.uow.session.execute(
        select(InspectionDifference.kind, InspectionDifference.resolution, func.count())
        .join(InspectionSession, InspectionSession.id == InspectionDifference.session_id)
        .where(
            InspectionSession.inspected_on >= q.period_from,
            InspectionSession.inspected_on <= q.period_to,
        )
        .group_by(InspectionDifference.kind, InspectionDifference.resolution)
    ).all()
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for kind, resolution, n in rows:
        acc = counts[str(kind)]
        acc[0] += int(n)
        if resolution in SETTLED:
            acc[1] += int(n)
        elif resolution == Resolution.CARRIED.value:
            acc[2] += int(n)
    return labelled_table(
        "differences",
        "发现的差异（按类别）",
        ("类别", "发现", "已处理", "转下次检查"),
        dict(counts),
        DIFFERENCE_LABELS,
    )


def _climate(q: Query) -> Table:
    settings = load_settings(q.uow)
    readings = q.uow.session.execute(
        select(
            EnvironmentReading.room_id,
            EnvironmentReading.taken_at,
            EnvironmentReading.temperature_dc,
            EnvironmentReading.humidity_pm,
        ).where(q.in_period(EnvironmentReading.taken_at))
    ).all()
    by_room: dict[int, list[tuple[date, int, int]]] = defaultdict(list)
    for rid, taken, t, rh in readings:
        by_room[int(rid)].append((rules.local_day(as_utc(taken)), int(t), int(rh)))
    rows: list[tuple[str | int | float, ...]] = []
    for rid, code, _created in _rooms(q):
        values = by_room.get(rid, [])
        limits = settings.limits_for(rid)
        bad = {d for d, t, rh in values if rules.reading_problems(t, rh, limits)}
        bad |= set(rules.swing_problems(values, limits))
        rows.append((code, len(values), len({d for d, _t, _r in values}), len(bad)))
    if rows:
        rows.append(("合计", *(sum(int(r[i]) for r in rows) for i in (1, 2, 3))))
    return table("climate", "温湿度（按库房）", ("库房", "读数", "有读数天数", "超标天数"), rows)


def _tasks(q: Query) -> Table:
    opened = dict(
        q.uow.session.execute(
            select(RepairTask.kind, func.count())
            .where(q.in_period(RepairTask.created_at))
            .group_by(RepairTask.kind)
        ).all()
    )
    done = dict(
        q.uow.session.execute(
            select(RepairTask.kind, func.count())
            .where(RepairTask.state == TaskState.DONE.value, q.in_period(RepairTask.done_at))
            .group_by(RepairTask.kind)
        ).all()
    )
    open_now = dict(
        q.uow.session.execute(
            select(RepairTask.kind, func.count())
            .where(RepairTask.state != TaskState.DONE.value)
            .group_by(RepairTask.kind)
        ).all()
    )
    keys = set(opened) | set(done) | set(open_now)
    counts = {
        str(k): [int(opened.get(k, 0)), int(done.get(k, 0)), int(open_now.get(k, 0))] for k in keys
    }
    return labelled_table(
        "tasks",
        "修复任务（按类别）",
        ("类别", "本期新开", "本期完成", "当前未完成"),
        counts,
        TASK_LABELS,
    )
