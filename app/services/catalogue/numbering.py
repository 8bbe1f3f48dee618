"""档号 numbering (R11): the pattern in force, each scope's counter, previews for the settings page.

Issued codes never change; a new pattern applies to volumes created from then on.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.clock import Clock
from app.domain import reference_code as refs
from app.errors import (
    FieldError,
    ValidationFailed,
)
from app.services.auth import SignedIn
from app.services.common import authorize
from app.storage.models import (
    ReferenceCounter,
    Volume,
)
from app.storage.store import UnitOfWork

PATTERN_SETTING = "reference_pattern"
CATEGORY_SETTING = "reference_category"
DEFAULT_CATEGORY = "KH"  # 客户档案


def reference_pattern(uow: UnitOfWork) -> str:
    """The configured 档号 pattern (the DA/T 13-2022 style by default)."""
    value = uow.settings.raw().get(PATTERN_SETTING)
    return str(value) if value else refs.DEFAULT_PATTERN


def set_reference_pattern(*, session: SignedIn, pattern: str, clock: Clock) -> None:
    """Change the pattern for volumes created from now on (existing 档号 never change)."""
    errors = refs.check_pattern(pattern.strip())
    if errors:
        raise ValidationFailed(errors)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "settings.manage")
        old = reference_pattern(uow)
        uow.settings.put(PATTERN_SETTING, pattern.strip())
        uow.audit.record(
            "settings.reference_pattern",
            object_type="setting",
            object_id=PATTERN_SETTING,
            details={"before": old, "after": pattern.strip()},
        )
        uow.commit()


def reference_values(uow: UnitOfWork, year: int, retention: str, org: str) -> refs.ReferenceValues:
    """The 档号 parts of a new volume from the settings (全宗号, 门类) and its own values."""
    settings = uow.settings.load()
    return refs.ReferenceValues(
        fonds=settings.organisation.fonds_code,
        category=str(uow.settings.raw().get(CATEGORY_SETTING) or DEFAULT_CATEGORY),
        year=year,
        retention=retention,
        org=org,
    )


def allocate_reference(
    uow: UnitOfWork, pattern: str, values: refs.ReferenceValues
) -> tuple[str, int]:
    """The next free 档号 in the scope of ``values`` (also for imported volumes without one).

    Numbers only go up; a taken code is skipped.
    """
    key = refs.scope(pattern, values)
    counter = uow.session.get(ReferenceCounter, key)
    number = counter.last if counter is not None else 0
    while True:
        number += 1
        if number > refs.max_number(pattern):
            raise ValidationFailed([FieldError("reference_code", "exhausted", {"scope": key})])
        code = refs.render(pattern, values, number)
        taken = uow.session.scalar(select(Volume.id).where(Volume.reference_code == code))
        if taken is None:
            break
    if counter is None:
        uow.session.add(ReferenceCounter(scope=key, last=number))
    else:
        counter.last = number
    return code, number


def get_reference_pattern(*, session: SignedIn, clock: Clock) -> str:
    """The 档号 pattern in force (for the settings page)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "settings.manage")
        return reference_pattern(uow)


def preview_reference(pattern: str, fonds: str = "Z001") -> str:
    """An example code for ``pattern`` (the settings page shows it while typing); ``""`` if bad."""
    if refs.check_pattern(pattern):
        return ""
    values = refs.ReferenceValues(fonds, DEFAULT_CATEGORY, date.today().year, "Y", "BGS")
    return refs.render(pattern, values, 1)
