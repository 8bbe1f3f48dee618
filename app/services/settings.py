"""Reading and changing settings (administrator only for changes)."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from app.clock import Clock
from app.errors import FieldError, ValidationFailed
from app.security.audit import masked_change
from app.services.auth import SignedIn, commit_with_keyring
from app.services.common import authorize
from app.storage.settings import SECURITY_RANGES, AppSettings, SecuritySettings


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
        if errors:
            raise ValidationFailed(errors)
        updated = replace(current, **clean)
        if updated == current:
            return current
        uow.settings.put_dataclass(updated)
        uow.audit.record(
            "settings.update",
            object_type="settings",
            object_id="security",
            # only the keys in ``clean`` can differ
            details=masked_change(asdict(current), asdict(updated)),
        )
        uow.session.flush()
        data_key = session.store.data_key
        commit_with_keyring(
            uow, session.store, lambda ring: ring.set_lockout(data_key, updated.lockout_policy)
        )
        return updated
