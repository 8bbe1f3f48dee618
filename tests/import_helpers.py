"""Import shortcuts for tests: a ledger read and mapped as the wizard guesses it, then imported."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from app.clock import Clock
from app.imports.layout import header_at
from app.imports.source import Sheet
from app.services import imports
from app.services.auth import SignedIn
from app.services.customers import register_customer
from tests.factories import person
from tests.ledgers import resident_id

VALID_ROWS = imports.ImportMode.VALID_ROWS


def mapped_ledger(
    session: SignedIn, clock: Clock, path: Path, kind: str
) -> tuple[imports.Ledger, dict[int, str]]:
    """The ledger at ``path`` with the column mapping the wizard would guess (or remember)."""
    ledger = imports.load_ledger(path, kind=kind)
    mapping, _remembered = imports.guess_columns(
        session=session, kind=kind, ledger=ledger, clock=clock
    )
    return ledger, mapping


def import_rows(
    session: SignedIn,
    clock: Clock,
    kind: str,
    ledger: imports.Ledger,
    mapping: dict[int, str],
    *,
    mode: imports.ImportMode = VALID_ROWS,
    **extra: Any,
) -> imports.ImportSummary:
    """``imports.run_import`` (``extra``: ``checked``, ``decisions``, ``progress`` …)."""
    return imports.run_import(
        session=session, kind=kind, ledger=ledger, mapping=mapping, mode=mode, clock=clock, **extra
    )


def import_file(
    session: SignedIn,
    clock: Clock,
    path: Path,
    kind: str,
    *,
    mode: imports.ImportMode = VALID_ROWS,
    **extra: Any,
) -> imports.ImportSummary:
    """Read ``path``, map its columns as guessed and import it."""
    ledger, mapping = mapped_ledger(session, clock, path, kind)
    return import_rows(session, clock, kind, ledger, mapping, mode=mode, **extra)


def sheet_ledger(header: Sequence[object], rows: Iterable[Sequence[object]]) -> imports.Ledger:
    """A ledger typed straight into memory (as if ``fuzz.xlsx``): ``header``, then ``rows``."""
    sheet = Sheet("fuzz", [tuple(header), *(tuple(r) for r in rows)], [])  # type: ignore[list-item]
    return imports.Ledger(Path("fuzz.xlsx"), sheet, header_at(sheet, 0))


def fields_ledger(
    kind: str, rows: Iterable[Sequence[object]], columns: int | None = None
) -> tuple[imports.Ledger, dict[int, str]]:
    """``rows``, cut to the header's width, under a header of ``kind``'s first ``columns``
    fields (all by default) by their first alias; and each column mapped to its field."""
    fields = imports.ledger_fields(kind)[:columns]
    header = [f.aliases[0] for f in fields]
    ledger = sheet_ledger(header, (r[: len(fields)] for r in rows))
    return ledger, {i: f.key for i, f in enumerate(fields)}


def two_namesakes(session: SignedIn, clock: Clock, name: str) -> None:
    """Register two customers of the same ``name`` (ID numbers ``resident_id(1)`` and ``(2)``)."""
    for n in (1, 2):
        register_customer(
            session=session,
            draft=person(name=name, id_number=resident_id(n), phones=(), bank_accounts=()),
            clock=clock,
        )
