"""Import shortcuts for tests: a ledger read and mapped as the wizard guesses it, then imported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.clock import Clock
from app.services import imports
from app.services.auth import SignedIn

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
