"""Turning typed errors into complete Chinese messages (through a translator in the GUI)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from app.clock import format_local
from app.errors import AppError, FieldError, ValidationFailed
from app.messages.errors import DISPOSITION_REASONS, LIMIT_TEXTS, MESSAGES, UNDO_REASONS
from app.messages.fields import FIELD_LABELS
from app.messages.reasons import REASONS

Translator = Callable[[str], str]


def _identity(text: str) -> str:
    return text


def _fmt_params(params: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        out[key] = format_local(value) if isinstance(value, datetime) else value
    return out


def describe_field_error(error: FieldError, tr: Translator = _identity) -> str:
    """Return ``"<field label>：<reason>"`` in Chinese."""
    base, _, index = error.field.partition(".")
    label = tr(FIELD_LABELS.get(error.field, FIELD_LABELS.get(base, base)))
    if index.isdigit():
        label += tr("（第 {n} 项）").format(n=int(index) + 1)
    reason = tr(REASONS.get(error.reason, error.reason))
    with contextlib.suppress(KeyError, IndexError):
        reason = reason.format(**_fmt_params(error.params))
    return f"{label}：{reason}"


def describe(error: AppError, tr: Translator = _identity) -> str:
    """Return a complete Chinese message for ``error``."""
    template = tr(MESSAGES.get(error.code, MESSAGES["app_error"]))
    params = _fmt_params(error.params)
    if isinstance(error, ValidationFailed):
        params["details"] = "\n".join(describe_field_error(e, tr) for e in error.errors)
    if error.code == "import_too_large":
        params["what_text"] = tr(LIMIT_TEXTS.get(str(params.get("what")), "")).format(**params)
    if error.code == "import_undo_refused":
        params["reason_text"] = tr(UNDO_REASONS.get(str(params.get("reason")), ""))
    if error.code == "disposition_refused":
        text = tr(DISPOSITION_REASONS.get(str(params.get("reason")), ""))
        with contextlib.suppress(KeyError, IndexError):
            text = text.format(**params)
        params["reason_text"] = text
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template
