"""Application settings stored as JSON values in the ``setting`` table."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.lockout import LockoutPolicy
from app.domain.passwords import PasswordPolicy
from app.storage.models import Setting


@dataclass(frozen=True)
class Organisation:
    """The organisation and its fonds (全宗)."""

    organisation_name: str = ""
    fonds_name: str = ""
    fonds_code: str = ""


@dataclass(frozen=True)
class SecuritySettings:
    """Configurable security policy (defaults from the foundation issue)."""

    password_min_length: int = 10
    password_min_classes: int = 3
    lockout_max_failures: int = 5
    lockout_minutes: int = 15
    idle_lock_minutes: int = 10

    @property
    def password_policy(self) -> PasswordPolicy:
        """The password policy part."""
        return PasswordPolicy(
            min_length=self.password_min_length, min_classes=self.password_min_classes
        )

    @property
    def lockout_policy(self) -> LockoutPolicy:
        """The lockout part."""
        return LockoutPolicy(
            max_failures=self.lockout_max_failures, lock_minutes=self.lockout_minutes
        )


# Allowed ranges for each numeric setting (validated by the settings service).
SECURITY_RANGES: dict[str, tuple[int, int]] = {
    "password_min_length": (8, 64),
    "password_min_classes": (1, 4),
    "lockout_max_failures": (3, 20),
    "lockout_minutes": (1, 1440),
    "idle_lock_minutes": (1, 120),
}


@dataclass(frozen=True)
class AppSettings:
    """Everything configurable, read in one go."""

    database_id: str = ""
    organisation: Organisation = field(default_factory=Organisation)
    security: SecuritySettings = field(default_factory=SecuritySettings)


class SettingsRepository:
    """Reads and writes settings inside the caller's session (transaction)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def raw(self) -> dict[str, Any]:
        """Return every stored key with its decoded value."""
        rows = self._session.scalars(select(Setting)).all()
        out: dict[str, Any] = {}
        for row in rows:
            try:
                out[row.key] = json.loads(row.value)
            except json.JSONDecodeError:
                continue
        return out

    def load(self) -> AppSettings:
        """Return all settings, defaults filled in for anything missing."""
        raw = self.raw()

        def pick(cls: Any) -> Any:
            values = {}
            for f in fields(cls):
                if f.name in raw and isinstance(raw[f.name], type(getattr(cls(), f.name))):
                    values[f.name] = raw[f.name]
            return cls(**values)

        return AppSettings(
            database_id=str(raw.get("database_id", "")),
            organisation=pick(Organisation),
            security=pick(SecuritySettings),
        )

    def put(self, key: str, value: Any) -> None:
        """Insert or replace one setting."""
        text = json.dumps(value, ensure_ascii=False)
        row = self._session.get(Setting, key)
        if row is None:
            self._session.add(Setting(key=key, value=text))
        else:
            row.value = text

    def put_many(self, values: dict[str, Any]) -> None:
        """Insert or replace several settings."""
        for key, value in values.items():
            self.put(key, value)

    def put_dataclass(self, obj: Any) -> None:
        """Store every field of a settings dataclass."""
        self.put_many(asdict(obj))
