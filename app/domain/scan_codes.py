"""Scannable codes (R24): a 档号, box, location or loan code, scanned or typed (issue 21).

A label's QR code (and anything a USB scanner types) is ``<code>*<check>``: the code in its
*scan form* (upper case, the full-width and middle-dot separators a 档号 may contain replaced
by ASCII ones, because a keyboard-wedge scanner can only type ASCII reliably), a ``*`` (never
part of a code) and one check character.

The check character is a weighted sum modulo 43 (a prime) with weights ``3**k``; 3 is a
primitive root of 43, so every single wrong character and every swap of two characters up to
42 places apart changes it: a mis-scan is rejected, not misread.

**One input rule** (:func:`read_code`): wherever a scan is accepted the typed code is too,
with or without its check character. A wrong check character is refused; a missing one is
fine. A 档号's ``·`` may be typed as ``.`` or ``-`` (:func:`loose_key` compares codes that way,
:func:`spellings` lists the stored spellings a typed code may stand for).
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
_TO_ASCII = str.maketrans(
    {"·": ".", "・": ".", "．": ".", "（": "(", "）": ")", "　": " ", "－": "-"}
)

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
    """A code read from a scan or typing: ``code`` in scan form.

    ``check`` is the check character given ("" when typed without one). ``verified`` is False
    only when the check did not fit the code as typed but may fit the stored code (a ``·``
    typed as ``-``): the look-up confirms it with :meth:`confirms` or refuses it.
    """

    code: str
    check: str = ""
    verified: bool = True

    def confirms(self, stored: str) -> bool:
        """True when the check character (if any) fits ``stored``, the code found."""
        if self.verified or not self.check:
            return True
        try:
            return check_character(stored) == self.check
        except ValueError:
            return False


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
    return ScanResult.OK, ScannedCode(form, check.upper())


def read_code(text: str) -> tuple[ScanResult, ScannedCode | None]:
    """The one input rule: read a scanned or typed code (a 档号, box, place or loan number).

    * ``<code>*<check>`` (a scan, or a typed label text): the check must fit, else BAD_CHECK;
      a check that fits only once a ``-`` is read as ``·`` is left for the look-up to confirm;
    * a code typed without a check character: OK, nothing to check — every code the archive
      makes (档号, 盒号, 位置编码, 登记号) holds a digit, so typed text without one is no code;
    * text no scanner can type (Chinese, a name) or without a digit: NOT_A_CODE — search as
      usual.
    """
    raw = text.strip()
    if not raw:
        return ScanResult.NOT_A_CODE, None
    if SEPARATOR not in raw:
        try:
            form = scan_form(raw)
        except ValueError:
            return ScanResult.NOT_A_CODE, None
        if not any(c.isdigit() for c in form):
            return ScanResult.NOT_A_CODE, None
        return ScanResult.OK, ScannedCode(form)
    body, _, check = raw.rpartition(SEPARATOR)
    check = check.strip().upper()
    try:
        form = scan_form(body)
    except ValueError:
        return ScanResult.BAD_CHECK, None
    if len(check) != 1 or check not in CHECK_ALPHABET:
        return ScanResult.BAD_CHECK, None
    if check == check_character(form):
        return ScanResult.OK, ScannedCode(form, check)
    if "-" in form:  # perhaps a 档号's · typed as -: the stored code decides
        return ScanResult.OK, ScannedCode(form, check, verified=False)
    return ScanResult.BAD_CHECK, None


def loose_key(code: str) -> str:
    """``code`` compared the way an operator types it: ``·``, ``.`` and ``-`` are one separator."""
    return scan_form(code).replace(".", "-")


# the spellings a separator in scan form may stand for in a stored code
_SPELLINGS = {
    "-": ("-", "·", "."),
    ".": (".", "·", "-"),
    "(": ("(", "（"),
    ")": (")", "）"),
    " ": (" ", "　"),
}
MAX_SPELLINGS = 729  # 3**6: every separator of the DA/T presets


def spellings(form: str) -> list[str] | None:
    """The stored spellings a code in scan form may stand for (exact look-ups, no table scan).

    The code itself comes first. None when there would be more than :data:`MAX_SPELLINGS`
    (the caller then compares :func:`loose_key` instead).
    """
    found = [""]
    for char in form:
        options = _SPELLINGS.get(char, (char,))
        found = [f + o for f in found for o in options]
        if len(found) > MAX_SPELLINGS:
            return None
    return found


def best_match(form: str, stored: list[str]) -> str | None:
    """Which of ``stored`` (codes whose loose key is ``form``'s) the operator meant.

    The code spelled as typed wins, then the one whose scan form is ``form``; several equally
    close spellings are ambiguous (None): the operator types the separators exactly.
    """
    if not stored:
        return None
    for rank in (lambda s: s.upper() == form, lambda s: scan_form(s) == form):
        exact = [s for s in stored if rank(s)]
        if len(exact) == 1:
            return exact[0]
    return stored[0] if len(stored) == 1 else None
