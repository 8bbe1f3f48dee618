"""Chinese message templates for typed errors and field names (one catalogue for GUI and CLI).

The GUI passes each template through ``QCoreApplication.translate("messages", …)`` so that a
translation file can replace it; the command line prints it as is.

fields: field names; reasons: why a field was refused; errors: the error templates (and the
audit chain's breaks); describe: complete messages.
"""

from app.messages.describe import Translator, describe, describe_field_error
from app.messages.errors import (
    AUDIT_BREAKS,
    LIMIT_TEXTS,
    MESSAGES,
    SEAL_PROBLEMS,
    UNDO_REASONS,
)
from app.messages.fields import FIELD_LABELS
from app.messages.import_kinds import IMPORT_FIELDS, IMPORT_REASONS
from app.messages.reasons import ENCODING_NAMES, REASONS

for _key, _text in IMPORT_REASONS.items():
    REASONS.setdefault(_key, _text)
for _key, _text in IMPORT_FIELDS.items():
    FIELD_LABELS.setdefault(_key, _text)

__all__ = [
    "AUDIT_BREAKS",
    "ENCODING_NAMES",
    "FIELD_LABELS",
    "LIMIT_TEXTS",
    "MESSAGES",
    "REASONS",
    "SEAL_PROBLEMS",
    "UNDO_REASONS",
    "Translator",
    "describe",
    "describe_field_error",
]
