"""Characters that say a cell was garbled on its way into the ledger, found before import.

Wrong encodings and text pasted from other systems leave these marks:

* U+FFFD (or ``锟斤拷``, what U+FFFD becomes after one more round trip): bytes that did not
  decode;
* a ``?`` inside Chinese text (``陶?远阳``): a character the saving program could not encode;
* a private-use character (U+E000–U+F8FF, planes 15–16): GBK user-defined code points, or
  UTF-8 bytes read as GBK.

Each is a warning on the row (the row can still be imported once someone has looked).
"""

from __future__ import annotations

import re

from app.errors import FieldError
from app.imports.sheet import Cell

_REPLACED = re.compile("\ufffd|锟斤拷|烫烫烫|屯屯屯")
_QUESTION = re.compile(r"[\u3400-\u9fff\uf900-\ufaff][?？]+(?=[\u3400-\u9fff\uf900-\ufaff])")
_QUESTION_END = re.compile(r"^[\u3400-\u9fff]{1,4}[?？]+$|^[?？]+[\u3400-\u9fff]{1,4}$")
_PRIVATE = re.compile("[\ue000-\uf8ff\U000f0000-\U000fffff\U00100000-\U0010ffff]")
SUSPECT_REASONS = ("char_replacement", "char_question", "char_private_use")


_ANY = re.compile("[\ufffd锟烫屯?？\ue000-\uf8ff\U000f0000-\U0010ffff]")


def suspect_reason(text: str) -> str | None:
    """Why ``text`` looks garbled (one of SUSPECT_REASONS), or None."""
    if text.isascii() or _ANY.search(text) is None:  # one scan for the common clean cell
        return None
    if _REPLACED.search(text):
        return "char_replacement"
    if _PRIVATE.search(text):
        return "char_private_use"
    if _QUESTION.search(text) or _QUESTION_END.match(text.strip()):
        return "char_question"
    return None


def cell_warnings(values: dict[str, Cell]) -> list[FieldError]:
    """A warning per text cell of a row that looks garbled, naming the field and position."""
    out = []
    for key, value in values.items():
        if isinstance(value, str) and value and not value.isascii():
            reason = suspect_reason(value)
            if reason is not None:
                out.append(FieldError(key, reason, {"position": _position(value, reason)}))
    return out


def _position(text: str, reason: str) -> int:
    """1-based position of the first suspicious character."""
    pattern = {"char_replacement": _REPLACED, "char_private_use": _PRIVATE}.get(reason)
    found = pattern.search(text) if pattern else re.search(r"[?？]", text)
    return found.start() + 1 if found else 1
