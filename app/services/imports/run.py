"""The import itself: the checked rows written in one transaction, one audit entry.

Each row is checked once: given the preview's complete check of this ledger and mapping, the
import writes what that check produced and, under the write lock, re-checks only what may have
changed since (a kind's ``recheck``: uniqueness against the database); without one, every row
is checked here. "All or nothing" refuses the whole file when any row fails; "valid rows only"
writes the rest (the refused rows go to a workbook, ``rejected``). The batch records the id
spans written (what undo removes) and the mapping is remembered for the next ledger with these
headers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from app.clock import Clock
from app.errors import ImportCancelled, ImportHasRejections
from app.imports.footers import Skipped
from app.services.auth import SignedIn
from app.services.imports.checking import (
    CheckResult,
    check_rows,
    kind_context,
    mapped_rows,
    result_token,
)
from app.services.imports.kinds.base import (
    ImportKind,
    KindContext,
    Progress,
    RowOutcome,
    gc_paused,
)
from app.services.imports.ledger import Ledger
from app.services.imports.mapping import mapping_key
from app.services.imports.registry import kind_of
from app.storage.bulk import BULK_CACHE_KIB
from app.storage.models import ImportBatch
from app.storage.store import UnitOfWork


class ImportMode(StrEnum):
    """What happens to rows that fail the checks."""

    ALL_OR_NOTHING = "all_or_nothing"  # any rejected row: nothing is imported
    VALID_ROWS = "valid_rows"  # import the valid rows; the rejected ones go to a workbook


@dataclass(frozen=True)
class ImportSummary:
    """What an import did."""

    batch_id: int | None  # None: nothing was written
    kind: str
    total: int
    imported: int
    rejected: int
    flagged: int  # 疑似重复 raised (customers)
    details: dict[str, object]
    outcomes: list[RowOutcome]
    skipped: list[Skipped] = field(default_factory=list)
    rechecked_only: bool = False  # True: the preview's check was used (uniqueness re-checked)

    @property
    def read(self) -> int:
        """Rows read below the header: imported + rejected + skipped."""
        return self.total + len(self.skipped)


def run_import(
    *,
    session: SignedIn,
    kind: str,
    ledger: Ledger,
    mapping: dict[int, str],
    mode: ImportMode,
    clock: Clock,
    progress: Progress | None = None,
    decisions: Mapping[str, Any] | None = None,
    checked: CheckResult | None = None,
) -> ImportSummary:
    """Import in one transaction with one audit entry, each row checked once.

    ``checked``: the preview's complete check of this ledger and mapping; its verdicts are
    written, only uniqueness re-checked under the lock. Without it (or for another ledger or
    mapping or other duplicate ``decisions``) every row is checked here.

    Raises:
        ImportHasRejections: all-or-nothing and some row failed (nothing written).
        ImportCancelled: the operator cancelled (nothing written; new vault keys destroyed).
    """
    target = kind_of(kind)
    reuse = (
        checked
        if checked is not None
        and checked.complete
        and checked.token == result_token(ledger, mapping, decisions)
        and getattr(target, "recheck", None) is not None
        else None
    )
    rows = mapped_rows(target, ledger, mapping) if reuse is None else []
    with session.uow(clock) as uow:
        uow.claim_writes()  # consecutive ids and one counter: hold the write lock throughout
        ctx = kind_context(uow, session, target, clock.now(), progress)
        ctx.decisions = dict(decisions or {})  # the operator's choices on duplicate groups
        try:
            with _large_cache(uow), gc_paused():
                if reuse is None:
                    outcomes = check_rows(target, ctx, rows)
                else:
                    recheck: Callable[[KindContext, list[RowOutcome]], list[RowOutcome]]
                    recheck = target.recheck  # type: ignore[attr-defined]
                    if reuse.digested_by is uow.store.blind_index:
                        ctx.digests = reuse.digests  # the blind indexes the check computed
                    outcomes = recheck(ctx, [_copy(o) for o in reuse.outcomes])
                summary = _write(uow, target, ctx, outcomes, ledger, mapping, mode, kind)
                summary = replace(summary, skipped=list(ledger.skipped), rechecked_only=bool(reuse))
            if progress is not None and progress.is_cancelled():
                raise ImportCancelled()
            uow.commit()
        except BaseException:
            if ctx.new_keys:  # keys made for rows that were never committed
                session.store.vault.destroy(ctx.new_keys)
            raise
        return summary


@contextmanager
def _large_cache(uow: UnitOfWork) -> Iterator[None]:
    """A large page cache for this transaction (SQLite): index pages stay in memory.

    A 100,000-row import inserts into several blind-index and search-index B-trees in random
    key order; with the everyday cache every insert reads pages back from the encrypted file.
    """
    if not uow.store.location.is_sqlite:
        yield
        return
    conn = uow.session.connection()
    previous = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(previous or -2000)}")


def _copy(outcome: RowOutcome) -> RowOutcome:
    """A verdict to re-check (the preview's own stays as it was)."""
    return RowOutcome(
        outcome.row, list(outcome.errors), list(outcome.warnings), outcome.clean, outcome.flagged
    )


def _write(
    uow: UnitOfWork,
    target: ImportKind,
    ctx: KindContext,
    outcomes: list[RowOutcome],
    ledger: Ledger,
    mapping: dict[int, str],
    mode: ImportMode,
    kind: str,
) -> ImportSummary:
    """Write the valid rows, record the batch and the audit entry (the caller commits)."""
    total = len(outcomes)
    rejected = sum(1 for o in outcomes if not o.ok)
    if mode == ImportMode.ALL_OR_NOTHING and rejected:
        raise ImportHasRejections(rejected=rejected)
    written = target.write(ctx, outcomes, ctx.progress)
    imported = total - rejected
    batch = ImportBatch(
        kind=kind,
        state="done",
        mode=mode.value,
        created_at=ctx.now,
        created_by=ctx.reader.user_id,
        rows_total=total,
        rows_imported=imported,
        rows_rejected=rejected,
        spans=json.dumps(written.spans, sort_keys=True),
        header_signature=ledger.header.signature(),
    )
    uow.session.add(batch)
    uow.settings.put(mapping_key(kind, ledger.header), {str(c): k for c, k in mapping.items()})
    uow.session.flush()
    uow.audit.record(
        f"import.{kind}",
        object_type="import_batch",
        object_id=batch.id,
        details={
            "rows": total,
            "skipped": len(ledger.skipped),
            "imported": imported,
            "rejected": rejected,
            "suspected_duplicates": written.flagged,
            "mode": mode.value,
            "format": ledger.path.suffix.lower().lstrip("."),
            **written.details,
        },
    )
    return ImportSummary(
        batch.id, kind, total, imported, rejected, written.flagged, written.details, outcomes
    )
