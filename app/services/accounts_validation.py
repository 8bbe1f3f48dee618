"""Validation of account fields shared by setup and user management."""

from __future__ import annotations

import re

from app.errors import FieldError

USERNAME_RE = re.compile(r"^[A-Za-z0-9._-]{2,32}$")


def check_username(username: str) -> list[FieldError]:
    """User names: 2–32 letters, digits, ``.``, ``_`` or ``-`` (they appear in audit lines)."""
    if not username.strip():
        return [FieldError("username", "required")]
    if not USERNAME_RE.match(username.strip()):
        return [FieldError("username", "invalid_chars")]
    return []


def check_display_name(name: str) -> list[FieldError]:
    """Display names: 1–32 characters."""
    if not name.strip():
        return [FieldError("display_name", "required")]
    if len(name.strip()) > 32:
        return [FieldError("display_name", "too_long", {"max": 32})]
    return []
