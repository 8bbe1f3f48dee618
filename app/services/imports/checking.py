"""The preview's checks: every row through its kind's rules, nothing written.

:func:`check_ledger` gives every row's verdict (the first rows quickly for a first look, then
all of them behind a progress dialog); :func:`describe_outcome` says in Chinese why a row was
refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.clock import Clock
from app.messages import describe_field_error
from app.services.auth import SignedIn
from app.services.common import actor_from_row, authorize
from app.services.imports.kinds.base import ImportKind, KindContext, ParsedRow, Progress, RowOutcome
from app.services.imports.ledger import Ledger, parsed_rows
from app.services.imports.mapping import imported_mapping, require_columns
from app.services.imports.registry import kind_of
from app.storage.store import UnitOfWork

PREVIEW_ROWS = 1_000


@dataclass(frozen=True)
class CheckResult:
    """Every row's verdict (in sheet order)."""

    outcomes: list[RowOutcome]
    duplicates: list[Any] = field(default_factory=list)  # DuplicateGroups, for the decisions

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
    with session.uow(clock) as uow:
        ctx = kind_context(uow, session, target, clock.now(), progress)
        ctx.decisions = dict(decisions or {})
        return CheckResult(target.check(ctx, rows), ctx.duplicates)


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


def describe_outcome(outcome: RowOutcome) -> str:
    """The reasons a row was rejected (or its warnings), in Chinese, one per line."""
    return "\n".join(describe_field_error(e) for e in outcome.errors or outcome.warnings)
