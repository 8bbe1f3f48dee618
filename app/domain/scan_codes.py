"""Scannable codes (R24): a 档号, box or location code with a check character.

A label's QR code (and anything a USB scanner types) is ``<code>*<check>``: the code in its
*scan form* (upper case, the full-width and middle-dot separators a 档号 may contain replaced
by ASCII ones, because a keyboard-wedge scanner can only type ASCII reliably), a ``*`` (never
part of a code) and one check character.

The check character is a weighted sum modulo 43 (a prime) with weights ``3**k``; 3 is a
primitive root of 43, so every single wrong character and every swap of two characters up to
42 places apart changes it: a mis-scan is rejected, not misread.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

SEPARATOR = "*"
# Characters a code may hold in scan form, each with its value 0–42.
CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-./_ ()"
# Check symbols (ASCII a scanner types on any layout; never the separator).
CHECK_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-.$/+%#"
_MODULUS = 43
_RADIX = 3
_VALUE = {c: i for i, c in enumerate(CODE_ALPHABET)}
# Separators a 档号 pattern may contain (app.domain.reference_code) and their scan form.
_TO_ASCII = str.maketrans({"·": ".", "（": "(", "）": ")", "　": " "})

assert len(CODE_ALPHABET) == _MODULUS and len(CHECK_ALPHABET) == _MODULUS


class ScanKind(StrEnum):
    """What a scanned code turned out to be."""

    VOLUME = "volume"
    BOX = "box"
    LOCATION = "location"
    LOAN = "loan"


def scan_form(code: str) -> str:
    """The code as a scanner types it: ASCII separators, upper case, no outer spaces.

    Raises ValueError when the code holds a character no scanner can type.
    """
    text = code.translate(_TO_ASCII).strip().upper()
    bad = sorted({c for c in text if c not in _VALUE})
    if not text or bad:
        raise ValueError("code has characters outside the scan alphabet")
    return text


def check_character(code: str) -> str:
    """The check character of ``code`` (in any form :func:`scan_form` accepts)."""
    total = 0
    for char in scan_form(code):
        total = (total + _VALUE[char]) * _RADIX % _MODULUS
    return CHECK_ALPHABET[total]


def scan_payload(code: str) -> str:
    """What a label's QR code holds for ``code``: ``<scan form>*<check>``."""
    form = scan_form(code)
    return f"{form}{SEPARATOR}{check_character(form)}"


@dataclass(frozen=True)
class ScannedCode:
    """A scan that passed its check: the code in scan form."""

    code: str


class ScanResult(StrEnum):
    """How :func:`parse_scan` read a text."""

    OK = "ok"
    NOT_A_CODE = "not_a_code"  # no separator: ordinary typing, search as usual
    BAD_CHECK = "bad_check"  # looks like a code but its check fails: reject, never guess


def parse_scan(text: str) -> tuple[ScanResult, ScannedCode | None]:
    """Read what a scanner typed (case and surrounding spaces ignored)."""
    raw = text.strip()
    if SEPARATOR not in raw:
        return ScanResult.NOT_A_CODE, None
    body, _, check = raw.rpartition(SEPARATOR)
    try:
        form = scan_form(body)
    except ValueError:
        return ScanResult.BAD_CHECK, None
    if len(check) != 1 or check.upper() != check_character(form):
        return ScanResult.BAD_CHECK, None
    return ScanResult.OK, ScannedCode(form)
