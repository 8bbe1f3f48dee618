"""The preview's checks: every row through its kind's rules, nothing written.

:func:`check_ledger` gives every row's verdict (the first rows quickly for a first look, then
all of them behind a progress dialog) and the rows skipped (totals, sign-offs); a garbled text
cell (replacement character, ``?`` inside Chinese, private-use character) is a warning on its
row whatever the kind. :func:`describe_outcome` says in Chinese why a row was refused. The
import (``run``) writes what a complete check produced, re-checking only what may have
changed since (uniqueness against the database).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.clock import Clock
from app.errors import FieldError
from app.imports.footers import Skipped
from app.imports.suspect import cell_warnings
from app.messages import ENCODING_NAMES, REASONS, describe_field_error
from app.services.auth import SignedIn
from app.services.common import actor_from_row, authorize
from app.services.imports.kinds.base import (
    ImportKind,
    KindContext,
    ParsedRow,
    Progress,
    RowOutcome,
    gc_paused,
)
from app.services.imports.ledger import Ledger, parsed_rows
from app.services.imports.mapping import imported_mapping, require_columns
from app.services.imports.registry import kind_of
from app.storage.store import UnitOfWork

PREVIEW_ROWS = 1_000


@dataclass(frozen=True)
class CheckResult:
    """Every row's verdict (in sheet order) and the rows skipped as not data.

    ``complete`` is True when every data row was checked (not a quick preview of the first
    rows); ``token`` ties the result to the ledger and mapping it was made for, so the import
    can use it instead of checking every row again.
    """

    outcomes: list[RowOutcome]
    skipped: list[Skipped] = field(default_factory=list)
    complete: bool = True
    token: tuple[int, int, str] = (0, 0, "")
    duplicates: list[Any] = field(default_factory=list)  # DuplicateGroups, for the decisions
    # blind indexes the check computed (``KindContext.digests``) and the index that made
    # them: an import through the same one reuses them
    digests: dict[str, dict[str, bytes]] = field(default_factory=dict, repr=False)
    digested_by: Any = field(default=None, repr=False)

    @property
    def read(self) -> int:
        """Rows read below the header: checked + skipped (blank rows not counted)."""
        return len(self.outcomes) + len(self.skipped)

    @property
    def valid(self) -> int:
        """Rows that pass."""
        return sum(1 for o in self.outcomes if o.ok)

    @property
    def rejected(self) -> int:
        """Rows that fail."""
        return len(self.outcomes) - self.valid


def check_ledger(
    *,
    session: SignedIn,
    kind: str,
    ledger: Ledger,
    mapping: dict[int, str],
    clock: Clock,
    limit: int | None = None,
    progress: Progress | None = None,
    decisions: Mapping[str, Any] | None = None,
) -> CheckResult:
    """Check the rows (the first ``limit`` for a quick preview) without writing anything.

    Raises ImportCancelled when ``progress`` says the operator cancelled.
    """
    target = kind_of(kind)
    rows = mapped_rows(target, ledger, mapping, limit)
    warm_up = getattr(target, "warm_up", None)  # a kind that checks large ledgers in a worker
    if limit is not None and warm_up is not None and ledger.data_rows > limit:
        warm_up(ledger.data_rows)  # started while the preview is looked at
    with session.uow(clock) as uow, gc_paused():
        ctx = kind_context(uow, session, target, clock.now(), progress)
        ctx.decisions = dict(decisions or {})
        outcomes = check_rows(target, ctx, rows)
    complete = limit is None or len(rows) < limit
    token = result_token(ledger, mapping, decisions)
    return CheckResult(
        outcomes,
        list(ledger.skipped),
        complete,
        token,
        ctx.duplicates,
        ctx.digests,
        session.store.blind_index,
    )


def check_rows(target: ImportKind, ctx: KindContext, rows: list[ParsedRow]) -> list[RowOutcome]:
    """The kind's verdicts, with a warning for every garbled text cell."""
    outcomes = target.check(ctx, rows)
    by_row = {o.row: o for o in outcomes}
    for row in rows:
        found = by_row.get(row.number)
        if found is not None:
            found.warnings.extend(cell_warnings(row.values))
    return outcomes


def result_token(
    ledger: Ledger, mapping: dict[int, str], decisions: Mapping[str, Any] | None = None
) -> tuple[int, int, str]:
    """What a check result is for: this ledger, its header row, mapping and decisions.

    The duplicate decisions count: the check applies them to the verdicts.
    """
    chosen = sorted((decisions or {}).items())
    return ledger.serial, ledger.header.data_start, repr((sorted(mapping.items()), chosen))


def mapped_rows(
    target: ImportKind, ledger: Ledger, mapping: dict[int, str], limit: int | None = None
) -> list[ParsedRow]:
    """The rows to check, by a mapping that has every required column (else ValidationFailed)."""
    require_columns(target, mapping)
    return parsed_rows(ledger, imported_mapping(target, mapping), limit)


def kind_context(
    uow: UnitOfWork,
    session: SignedIn,
    target: ImportKind,
    now: datetime,
    progress: Progress | None,
) -> KindContext:
    """The kind's context in ``uow`` for an operator allowed to import it (else refused)."""
    reader = actor_from_row(authorize(uow, session.actor, target.permission))
    return KindContext(uow, reader, now.astimezone().date(), now, progress=progress)


def describe_note(note: FieldError) -> str:
    """A note about the reading (``ledger.read_notes``), in Chinese."""
    if "encoding" in note.params:
        code = str(note.params["encoding"])
        note = FieldError(note.field, note.reason, {"encoding": ENCODING_NAMES.get(code, code)})
    return describe_field_error(note).split("：", 1)[-1]


def describe_skipped(skipped: Skipped) -> str:
    """Why a row was skipped, in Chinese."""
    return REASONS.get(f"skip_{skipped.reason}", skipped.reason)


def describe_outcome(outcome: RowOutcome) -> str:
    """The reasons a row was rejected (or its warnings), in Chinese, one per line."""
    return "\n".join(describe_field_error(e) for e in outcome.errors or outcome.warnings)
