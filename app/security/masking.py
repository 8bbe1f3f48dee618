"""Masking of personal values for screens, lists, labels, exports and the audit trail (R5)."""

from __future__ import annotations

MASK = "*"


def _keep(value: str, head: int, tail: int) -> str:
    value = value.strip()
    if len(value) <= head + tail:
        # Too short to show both ends safely: show at most the last quarter.
        keep = len(value) // 4
        return MASK * (len(value) - keep) + value[len(value) - keep :] if value else ""
    return value[:head] + MASK * (len(value) - head - tail) + value[len(value) - tail :]


def mask_id_number(value: str) -> str:
    """Identity document: first 3 and last 4 characters."""
    return _keep(value, 3, 4)


def mask_phone(value: str) -> str:
    """Phone number: first 3 and last 4 digits (a leading +86 is dropped first)."""
    digits = value.strip()
    if digits.startswith("+86"):
        digits = digits[3:]
    return _keep(digits, 3, 4)


def mask_bank_account(value: str) -> str:
    """Bank account: at most the first 6 and the last 4 digits."""
    value = value.strip()
    head = min(6, max(0, len(value) - 8))
    return _keep(value, head, 4)


def mask_name(value: str) -> str:
    """Person's name: the first character, the rest starred (张** / 欧阳**)."""
    value = value.strip()
    if len(value) <= 1:
        return value
    return value[0] + MASK * (len(value) - 1)


def mask_address(value: str) -> str:
    """Postal address: the first 6 characters (about the district), the rest hidden."""
    value = value.strip()
    return value[:6] + MASK * 4 if len(value) > 6 else MASK * 4


def mask_generic(value: str) -> str:
    """Any other personal value: length only."""
    return MASK * min(len(value), 8)


MASKERS = {
    "id_number": mask_id_number,
    "phone": mask_phone,
    "bank_account": mask_bank_account,
    "address": mask_address,
    "name": mask_name,
    "generic": mask_generic,
}
