"""The climate log (R41): temperature/RH readings of a room, highlighted against its limits."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.clock import Clock, as_utc
from app.domain import inspections as rules
from app.domain.inspection_rows import ReadingRow, RoomClimate
from app.errors import FieldError, ValidationFailed
from app.services.auth import SignedIn
from app.services.common import authorize
from app.services.inspections.base import find_room, live_session, load_settings
from app.storage.models import EnvironmentReading, InspectionSession


def record_reading(
    *,
    session: SignedIn,
    room_id: int,
    temperature: float,
    humidity: float,
    clock: Clock,
    taken_at: datetime | None = None,
    inspection_id: int | None = None,
    note: str = "",
) -> int:
    """Write a temperature/RH reading (twice-daily log or during a session); returns its id."""
    errors: list[FieldError] = []
    if not -30 <= temperature <= 60:
        errors.append(FieldError("temperature", "range", {"min": -30, "max": 60}))
    if not 0 <= humidity <= 100:
        errors.append(FieldError("humidity", "range", {"min": 0, "max": 100}))
    when = taken_at or clock.now()
    if when.tzinfo is None:
        errors.append(FieldError("taken_at", "required"))
    elif as_utc(when) > as_utc(clock.now()) + timedelta(minutes=5):
        errors.append(FieldError("taken_at", "not_future"))
    if len(note) > 500:
        errors.append(FieldError("note", "too_long", {"max": 500}))
    if errors:
        raise ValidationFailed(errors)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.write")
        find_room(uow, room_id)
        if inspection_id is not None:
            row = live_session(uow, inspection_id, "登记温湿度")
            if row.room_id != room_id:
                raise ValidationFailed([FieldError("room", "other_room")])
        reading = EnvironmentReading(
            room_id=room_id,
            session_id=inspection_id,
            taken_at=when,
            temperature_dc=round(temperature * 10),
            humidity_pm=round(humidity * 10),
            note=note.strip(),
            recorded_by=session.actor.user_id,
        )
        uow.session.add(reading)
        uow.session.flush()
        limits = load_settings(uow).limits_for(room_id)
        problems = rules.reading_problems(reading.temperature_dc, reading.humidity_pm, limits)
        uow.audit.record(
            "inspection.reading",
            object_type="storage_location",
            object_id=room_id,
            details={
                "t": rules.tenths(reading.temperature_dc),
                "rh": rules.tenths(reading.humidity_pm),
                "out_of_range": [p.value for p in problems],
            },
        )
        uow.commit()
        return reading.id


def get_room_climate(
    *, session: SignedIn, room_id: int, since: date, until: date, clock: Clock
) -> RoomClimate:
    """Readings of a room from ``since`` to ``until`` (local days, inclusive) with highlights."""
    if since > until:
        raise ValidationFailed([FieldError("date_range", "range_order")])
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.read")
        room = find_room(uow, room_id)
        limits = load_settings(uow).limits_for(room_id)
        tz = clock.now().astimezone().tzinfo
        start = datetime.combine(since, datetime.min.time(), tz)
        end = datetime.combine(until + timedelta(days=1), datetime.min.time(), tz)
        rows = uow.session.execute(
            select(EnvironmentReading, InspectionSession.number)
            .outerjoin(InspectionSession, InspectionSession.id == EnvironmentReading.session_id)
            .where(
                EnvironmentReading.room_id == room_id,
                EnvironmentReading.taken_at >= as_utc(start),
                EnvironmentReading.taken_at < as_utc(end),
            )
            .order_by(EnvironmentReading.taken_at, EnvironmentReading.id)
        ).all()
        readings: list[ReadingRow] = []
        for r, number in rows:
            taken = as_utc(r.taken_at)
            problems = rules.reading_problems(r.temperature_dc, r.humidity_pm, limits)
            readings.append(
                ReadingRow(
                    r.id,
                    taken,
                    r.temperature_dc,
                    r.humidity_pm,
                    tuple(rules.PROBLEM_LABELS[p] for p in problems),
                    number or "",
                    r.note,
                )
            )
        swings = rules.swing_problems(
            ((rules.local_day(r.taken_at), r.temperature, r.humidity) for r in readings), limits
        )
        return RoomClimate(
            room.id,
            room.code,
            limits,
            readings,
            {d: tuple(rules.PROBLEM_LABELS[p] for p in ps) for d, ps in swings.items()},
        )
