"""Password policy: length and character classes (configurable in settings)."""

from __future__ import annotations

import string
from dataclasses import dataclass

from app.errors import FieldError


@dataclass(frozen=True)
class PasswordPolicy:
    """At least ``min_length`` characters from at least ``min_classes`` of 4 classes."""

    min_length: int = 10
    min_classes: int = 3
    max_length: int = 128


def character_classes(password: str) -> int:
    """Count the classes present: upper case, lower case, digits, anything else."""
    classes = [
        any(c.isupper() for c in password),
        any(c.islower() for c in password),
        any(c in string.digits for c in password),
        any(not (c.isalnum() and c.isascii()) for c in password),
    ]
    return sum(classes)


def check_password(
    password: str,
    policy: PasswordPolicy,
    *,
    field: str = "password",
    username: str | None = None,
) -> list[FieldError]:
    """Return the ways ``password`` breaks ``policy`` (empty when it is acceptable)."""
    if not password:
        return [FieldError(field, "required")]
    errors: list[FieldError] = []
    if len(password) < policy.min_length:
        errors.append(FieldError(field, "too_short", {"min": policy.min_length}))
    if len(password) > policy.max_length:
        errors.append(FieldError(field, "too_long", {"max": policy.max_length}))
    if character_classes(password) < policy.min_classes:
        errors.append(FieldError(field, "classes", {"min": policy.min_classes}))
    if username and len(username) >= 3 and username.casefold() in password.casefold():
        errors.append(FieldError(field, "contains_username"))
    return errors
