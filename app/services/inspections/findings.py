"""Findings (R41): condition records of volumes and repair tasks (送修, 修复完毕), with lists."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from app.clock import Clock, as_utc
from app.domain import inspections as rules
from app.domain.catalogue import VolumeState
from app.domain.inspection_rows import ConditionRow, FindingSaved, TaskDraft, TaskRow
from app.domain.inspections import ConditionKind, TaskKind, TaskState
from app.errors import FieldError, ValidationFailed, VolumeNotAvailable
from app.services import locations
from app.services.auth import SignedIn
from app.services.common import authorize, local_today, member_of
from app.services.inspections.base import active_user, live_session
from app.storage.models import (
    ConditionRecord,
    InspectionSession,
    Loan,
    RepairTask,
    Volume,
)
from app.storage.store import UnitOfWork


def _volume_for_repair(uow: UnitOfWork, volume_id: int) -> Volume:
    volume = uow.session.get(Volume, volume_id)
    if volume is None:
        raise locations.NotFound(what="案卷")
    return volume


def _send_out(uow: UnitOfWork, volume: Volume, task: RepairTask) -> None:
    """The volume leaves its place for repair: 在修 until the task is done (place kept)."""
    out = uow.session.scalar(
        select(Loan.id).where(Loan.volume_id == volume.id, Loan.state == "out")
    )
    if volume.state != VolumeState.ON_SHELF.value or out is not None:
        label = {"on_loan": "借出", "in_repair": "在修", "destroyed": "已销毁"}.get(
            volume.state, "借出"
        )
        raise VolumeNotAvailable(reference_code=volume.reference_code, state=label)
    locations.record_volume_out(
        uow, volume, locations.MoveReason.REPAIR, f"{rules.TASK_LABELS[TaskKind(task.kind)]}"
    )
    volume.state = VolumeState.IN_REPAIR.value
    task.state = TaskState.OUT.value


def _check_finding(
    kind: str, description: str, task: TaskDraft | None, today: date
) -> tuple[ConditionKind, TaskKind | None]:
    """The condition and the task kind of a finding, or every problem as ValidationFailed."""
    errors: list[FieldError] = []
    condition = member_of(errors, ConditionKind, kind, FieldError("condition_kind", "required"))
    if not description.strip():
        errors.append(FieldError("condition_description", "required"))
    elif len(description) > 2000:
        errors.append(FieldError("condition_description", "too_long", {"max": 2000}))
    task_kind: TaskKind | None = None
    if task is not None:
        task_kind = member_of(errors, TaskKind, task.kind, FieldError("task_kind", "required"))
        if task.due_on is None:
            errors.append(FieldError("task_due_on", "required"))
        elif task.due_on < today:
            errors.append(FieldError("task_due_on", "before_today"))
        if task.responsible_user_id is None and not task.responsible_name.strip():
            errors.append(FieldError("responsible", "required"))
        elif len(task.responsible_name.strip()) > 64:
            errors.append(FieldError("responsible", "too_long", {"max": 64}))
    if errors or condition is None:
        raise ValidationFailed(errors)
    return condition, task_kind


def _open_task(
    uow: UnitOfWork,
    session: SignedIn,
    record: ConditionRecord,
    volume: Volume,
    task: TaskDraft,
    task_kind: TaskKind,
) -> int:
    """Open the repair task of a finding (sending the volume out at once when asked)."""
    assert task.due_on is not None
    name = task.responsible_name.strip()
    if task.responsible_user_id is not None:
        name = active_user(uow, task.responsible_user_id, "responsible").display_name
    row = RepairTask(
        volume_id=volume.id,
        session_id=record.session_id,
        condition_id=record.id,
        kind=task_kind.value,
        responsible_user_id=task.responsible_user_id,
        responsible_name=name,
        due_on=task.due_on,
        state=TaskState.OPEN.value,
        note=task.note.strip(),
        created_at=record.recorded_at,
        created_by=session.actor.user_id,
        version=1,
    )
    uow.session.add(row)
    if task.send_out:
        _send_out(uow, volume, row)
    uow.session.flush()
    return row.id


def record_finding(
    *,
    session: SignedIn,
    volume_id: int,
    kind: str,
    description: str,
    clock: Clock,
    inspection_id: int | None = None,
    task: TaskDraft | None = None,
) -> FindingSaved:
    """A problem found on a volume: a condition record and, where needed, a repair task."""
    condition, task_kind = _check_finding(kind, description, task, local_today(clock))
    with session.uow(clock) as uow:
        uow.claim_writes()
        authorize(uow, session.actor, "inspection.write")
        volume = _volume_for_repair(uow, volume_id)
        if inspection_id is not None:
            live_session(uow, inspection_id, "登记发现的问题")
        record = ConditionRecord(
            volume_id=volume.id,
            session_id=inspection_id,
            kind=condition.value,
            description=description.strip(),
            recorded_at=clock.now(),
            recorded_by=session.actor.user_id,
        )
        uow.session.add(record)
        uow.session.flush()
        task_id: int | None = None
        if task is not None and task_kind is not None:
            task_id = _open_task(uow, session, record, volume, task, task_kind)
        uow.audit.record(
            "inspection.finding",
            object_type="volume",
            object_id=volume.id,
            details={
                "reference_code": volume.reference_code,
                "condition": condition.value,
                "task": task_kind.value if task_kind else None,
            },
        )
        uow.commit()
        return FindingSaved(record.id, task_id)


def _task(uow: UnitOfWork, task_id: int) -> RepairTask:
    task = uow.session.get(RepairTask, task_id)
    if task is None:
        raise locations.NotFound(what="修复任务")
    return task


def _audit_repair(uow: UnitOfWork, action: str, volume: Volume, task: RepairTask) -> None:
    uow.audit.record(
        action,
        object_type="volume",
        object_id=volume.id,
        details={"reference_code": volume.reference_code, "task": task.kind},
    )
    uow.commit()


def send_task_out(*, session: SignedIn, task_id: int, clock: Clock) -> None:
    """The volume of an open task leaves its place for repair (在修, place kept)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.write")
        task = _task(uow, task_id)
        if task.state != TaskState.OPEN.value:
            raise ValidationFailed([FieldError("task", "task_not_open")])
        volume = _volume_for_repair(uow, task.volume_id)
        _send_out(uow, volume, task)
        task.version += 1
        _audit_repair(uow, "repair.out", volume, task)


def complete_task(*, session: SignedIn, task_id: int, note: str = "", clock: Clock) -> None:
    """A repair task is done; a volume that was out goes back to its place (在架)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.write")
        task = _task(uow, task_id)
        if task.state == TaskState.DONE.value:
            raise ValidationFailed([FieldError("task", "task_done")])
        volume = _volume_for_repair(uow, task.volume_id)
        if task.state == TaskState.OUT.value:
            locations.record_volume_back(uow, volume, locations.MoveReason.REPAIR, "修复完毕")
            if volume.state == VolumeState.IN_REPAIR.value:
                volume.state = VolumeState.ON_SHELF.value
        task.state = TaskState.DONE.value
        task.done_at = clock.now()
        task.done_by = session.actor.user_id
        if note.strip():
            task.note = (task.note + "\n" + note.strip()).strip()
        task.version += 1
        _audit_repair(uow, "repair.done", volume, task)


def _task_rows(uow: UnitOfWork, stmt: Any, today: date) -> list[TaskRow]:
    out = []
    for t, code, ckind, number in uow.session.execute(stmt):
        out.append(
            TaskRow(
                t.id,
                t.volume_id,
                code,
                rules.TASK_LABELS[TaskKind(t.kind)],
                rules.CONDITION_LABELS[ConditionKind(ckind)] if ckind else "",
                t.responsible_name,
                t.due_on,
                t.state,
                rules.TASK_STATE_LABELS[TaskState(t.state)],
                t.state != TaskState.DONE.value and t.due_on < today,
                number or "",
            )
        )
    return out


def _task_select() -> Any:
    return (
        select(RepairTask, Volume.reference_code, ConditionRecord.kind, InspectionSession.number)
        .join(Volume, Volume.id == RepairTask.volume_id)
        .outerjoin(ConditionRecord, ConditionRecord.id == RepairTask.condition_id)
        .outerjoin(InspectionSession, InspectionSession.id == RepairTask.session_id)
    )


def list_open_tasks(*, session: SignedIn, clock: Clock, limit: int = 500) -> list[TaskRow]:
    """Repair tasks not done yet, soonest due first (the home screen's 待办任务)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.read")
        stmt = (
            _task_select()
            .where(RepairTask.state != TaskState.DONE.value)
            .order_by(RepairTask.due_on, RepairTask.id)
            .limit(limit)
        )
        return _task_rows(uow, stmt, local_today(clock))


def list_session_tasks(*, session: SignedIn, inspection_id: int, clock: Clock) -> list[TaskRow]:
    """The repair tasks opened by one session."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.read")
        stmt = _task_select().where(RepairTask.session_id == inspection_id).order_by(RepairTask.id)
        return _task_rows(uow, stmt, local_today(clock))


def list_volume_conditions(
    *, session: SignedIn, volume_id: int, clock: Clock
) -> list[ConditionRow]:
    """The condition records of one volume, newest first."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.read")
        rows = uow.session.execute(
            select(ConditionRecord, InspectionSession.number)
            .outerjoin(InspectionSession, InspectionSession.id == ConditionRecord.session_id)
            .where(ConditionRecord.volume_id == volume_id)
            .order_by(ConditionRecord.id.desc())
        ).all()
        return [
            ConditionRow(
                c.id,
                rules.CONDITION_LABELS[ConditionKind(c.kind)],
                c.description,
                as_utc(c.recorded_at),
                n or "",
            )
            for c, n in rows
        ]
