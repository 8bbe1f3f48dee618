"""The interface of an import target (a *kind*) and the row types every kind shares.

A kind lists its :class:`~app.imports.layout.FieldSpec` s (the columns it takes, with the
headers ledgers use for them), turns parsed rows into :class:`RowOutcome` s with the same rules
as its form, writes the valid ones in the import's transaction and can undo them. A new kind
is one module in this package with one class implementing :class:`ImportKind`, registered in
``services.imports.registry``.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from app.domain.accounts import Actor
from app.errors import FieldError, ImportCancelled
from app.imports.layout import FieldSpec
from app.imports.source import Cell
from app.storage.store import UnitOfWork

CHUNK = 2_000  # rows per bulk insert


class Progress(Protocol):
    """A progress sink (``ui.tasks.ProgressSink`` is one)."""

    def report(self, done: int, total: int) -> None:
        """How far the work is."""

    def is_cancelled(self) -> bool:
        """True once the operator asked to stop."""


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while rows are checked or written.

    A 100,000-row ledger makes millions of small objects that live until the import ends;
    the collector would walk them again and again (a quarter of the checking time) to find
    no cycles. Reference counting still frees everything else. At the end the objects still
    alive are frozen (``gc.freeze``: out of the collector's sight, still freed by reference
    counting as usual): else the first collection after would walk all of them (half a
    second, on whatever thread allocates next, the GUI's included) and again as they age.
    Whoever ends the bulk work (the import wizard when it closes, a sign-out) calls
    :func:`thaw`, so the collector sees them, and any cycle among them, again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def thaw() -> None:
    """Give the objects :func:`gc_paused` froze back to the collector, and collect once.

    Nothing to do (and no collection) when nothing is frozen.
    """
    if gc.get_freeze_count():
        gc.unfreeze()
        gc.collect()


def check_cancel(progress: Progress | None) -> None:
    """Raise ImportCancelled once the operator asked to stop."""
    if progress is not None and progress.is_cancelled():
        raise ImportCancelled()


@dataclass(frozen=True)
class ParsedRow:
    """One data row of the ledger: its sheet row number and the mapped cells."""

    number: int
    values: dict[str, Cell]


@dataclass
class RowOutcome:
    """The verdict on one row: errors (rejected), warnings, and the checked values."""

    row: int
    errors: list[FieldError] = field(default_factory=list)
    warnings: list[FieldError] = field(default_factory=list)
    clean: Any = None
    flagged: bool = False  # shares a phone or bank account with another customer (疑似重复)

    @property
    def ok(self) -> bool:
        """True when the row will be imported."""
        return not self.errors


def settle(outcomes: list[RowOutcome]) -> list[RowOutcome]:
    """The verdicts as a kind's ``check`` returns them: checked values kept for valid rows only."""
    for o in outcomes:
        if o.errors:
            o.clean = None
    return outcomes


@dataclass
class KindContext:
    """What a kind needs inside the import's unit of work."""

    uow: UnitOfWork
    reader: Actor
    today: date
    now: datetime
    new_keys: list[str] = field(default_factory=list)  # vault keys made (destroyed on failure)
    progress: Progress | None = None
    decisions: dict[str, Any] = field(default_factory=dict)  # duplicate group key → Choice
    duplicates: list[Any] = field(default_factory=list)  # the DuplicateGroups the check found
    # blind indexes computed so far, per column and value (the import reuses the check's)
    digests: dict[str, dict[str, bytes]] = field(default_factory=dict)

    def digest(self, column: str, value: str) -> bytes:
        """The blind index of ``value`` in ``column`` (each value hashed once per import)."""
        known = self.digests.get(column)
        if known is None:
            known = self.digests[column] = {}
        found = known.get(value)
        if found is None:
            found = known[value] = self.uow.store.blind_index.digest(column, value)
        return found

    def tick(self, done: int, total: int) -> None:
        """Report checking progress every thousand rows; stop when cancelled."""
        if self.progress is not None and done % 1000 == 0:
            check_cancel(self.progress)
            self.progress.report(done, total)


@dataclass
class Written:
    """What a kind wrote: id spans per table, and counts for the summary and the audit."""

    spans: dict[str, list[int]]
    flagged: int = 0
    details: dict[str, Any] = field(default_factory=dict)


class ImportKind(Protocol):
    """The interface of an import target."""

    key: str
    label: str
    permission: str
    fields: tuple[FieldSpec, ...]
    masked_fields: frozenset[str]

    def mapping_errors(self, keys: set[str]) -> list[FieldError]:
        """What a column mapping lacks beyond the required fields (e.g. one of several)."""

    def check(self, ctx: KindContext, rows: Sequence[ParsedRow]) -> list[RowOutcome]:
        """Validate every row (same rules as the form), duplicates included."""

    def write(
        self, ctx: KindContext, outcomes: Sequence[RowOutcome], progress: Progress | None
    ) -> Written:
        """Insert the valid rows (consecutive ids); raise ImportCancelled when asked to stop."""

    def undo(self, uow: UnitOfWork, spans: dict[str, list[int]]) -> bool:
        """Remove what ``spans`` holds; False (nothing done) when anything changed since."""
