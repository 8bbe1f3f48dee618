"""Which column holds what: the mapping remembered for a header set, else guessed; its checks.

A mapping is column index → field key. The one used by an import is remembered (a setting
per kind and header signature, written by ``run``) and offered first the next time a ledger
with the same headers comes in.
"""

from __future__ import annotations

from app.clock import Clock
from app.errors import FieldError, ValidationFailed
from app.imports.layout import Guess, Header
from app.imports.layout import guess_columns as guess_by_layout
from app.services.auth import SignedIn
from app.services.common import authorize
from app.services.imports.kinds.base import ImportKind
from app.services.imports.ledger import Ledger
from app.services.imports.registry import kind_of

MAPPING_SETTING = "import_mapping"  # + kind + header signature
SAMPLE_ROWS = 200  # data rows whose values the guesses look at


def mapping_key(kind: str, header: Header) -> str:
    """The setting that remembers the mapping of ``kind`` for this header set."""
    return f"{MAPPING_SETTING}.{kind}.{header.signature()}"


def guess_columns(
    *, session: SignedIn, kind: str, ledger: Ledger, clock: Clock
) -> tuple[dict[int, str], bool]:
    """Column index → field key: the mapping used last time for this header set, else guesses.

    The second value is True when the mapping was remembered.
    """
    target = kind_of(kind)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, target.permission)
        saved = uow.settings.raw().get(mapping_key(kind, ledger.header))
    warm_up = getattr(target, "warm_up", None)  # a kind that checks large ledgers in a worker
    if warm_up is not None:
        warm_up(ledger.data_rows)  # its process starts while the columns are looked at
    known = {f.key for f in target.fields}
    if isinstance(saved, dict):
        mapping = {
            int(col): str(key)
            for col, key in saved.items()
            if str(key) in known and str(col).isdigit() and int(col) < len(ledger.header.names)
        }
        if mapping:
            return dict(sorted(mapping.items())), True
    return {c: g.key for c, g in column_guesses(kind, ledger).items()}, False


def column_guesses(kind: str, ledger: Ledger) -> dict[int, Guess]:
    """Column index → the guess for it: the field, how sure, on what basis (names, values)."""
    samples = [row for _number, row in ledger.split[0][:SAMPLE_ROWS]]
    return guess_by_layout(ledger.header, kind_of(kind).fields, samples)


def require_columns(target: ImportKind, mapping: dict[int, str]) -> None:
    """Refuse (ValidationFailed) a mapping without a column for a required field."""
    keys = set(mapping.values())
    errors = [
        FieldError(f.key, "column_missing", {"label": f.label})
        for f in target.fields
        if f.required and f.key not in keys
    ]
    errors += target.mapping_errors(keys)
    if errors:
        raise ValidationFailed(errors)


def imported_mapping(target: ImportKind, mapping: dict[int, str]) -> dict[int, str]:
    """The mapping without the columns recognised but not imported."""
    imported = {f.key for f in target.fields if f.imported}
    return {c: k for c, k in mapping.items() if k in imported}


def check_mapping(kind: str, mapping: dict[int, str]) -> None:
    """Refuse (ValidationFailed) a mapping that leaves a required field without a column."""
    require_columns(kind_of(kind), mapping)
