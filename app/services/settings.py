"""Reading and changing settings (administrator only for changes)."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any, TypeVar

from app.clock import Clock
from app.errors import FieldError, ValidationFailed
from app.security.audit import masked_change
from app.services.auth import SignedIn, commit_with_keyring
from app.services.common import authorize
from app.storage.settings import SECURITY_RANGES, AppSettings, SecuritySettings
from app.storage.store import UnitOfWork

Section = TypeVar("Section", bound=Any)


def apply_settings_change(
    uow: UnitOfWork,
    section: str,
    current: Section,
    clean: dict[str, Any],
    errors: list[FieldError],
    *,
    store_all: bool = False,
) -> Section | None:
    """Store and audit the checked ``clean`` values of a settings ``section`` (a dataclass).

    Refuses when checking found ``errors``; returns None when nothing would change (then
    nothing is stored or audited). ``store_all`` stores every field of the section, not only
    the keys changed. The caller commits.
    """
    if errors:
        raise ValidationFailed(errors)
    updated = replace(current, **clean)
    if updated == current:
        return None
    if store_all:
        uow.settings.put_dataclass(updated)
    else:
        uow.settings.put_many(clean)
    uow.audit.record(
        "settings.update",
        object_type="settings",
        object_id=section,
        # only the keys in ``clean`` can differ
        details=masked_change(asdict(current), asdict(updated)),
    )
    return updated


def get_settings(*, session: SignedIn, clock: Clock) -> AppSettings:
    """Return the current settings (any signed-in user: the idle time applies to everyone)."""
    with session.own_uow(clock) as uow:  # also before a forced password change (the policy)
        return uow.settings.load()


def update_security_settings(
    *, session: SignedIn, changes: dict[str, Any], clock: Clock
) -> SecuritySettings:
    """Change password, lockout and idle-lock policy within allowed ranges; audited."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "security.policy")  # the 安全保密员 (issue 23)
        current = uow.settings.load().security
        errors: list[FieldError] = []
        clean: dict[str, int] = {}
        for key, value in changes.items():
            if key not in SECURITY_RANGES:
                errors.append(FieldError(key, "unknown"))
                continue
            low, high = SECURITY_RANGES[key]
            try:
                number = int(value)
            except (TypeError, ValueError):
                errors.append(FieldError(key, "range", {"min": low, "max": high}))
                continue
            if isinstance(value, float) and not value.is_integer():
                errors.append(FieldError(key, "range", {"min": low, "max": high}))
                continue
            if not low <= number <= high:
                errors.append(FieldError(key, "range", {"min": low, "max": high}))
                continue
            clean[key] = number
        updated = apply_settings_change(uow, "security", current, clean, errors, store_all=True)
        if updated is None:
            return current
        uow.session.flush()
        data_key = session.store.data_key
        commit_with_keyring(
            uow, session.store, lambda ring: ring.set_lockout(data_key, updated.lockout_policy)
        )
        return updated
