"""Past imports: the list of imports of a kind, and undoing one while its rows are unchanged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.clock import Clock
from app.errors import ImportUndoRefused
from app.services.auth import SignedIn
from app.services.common import actor_from_row, authorize
from app.services.imports.kinds.bulk import spans_of
from app.services.imports.registry import kind_of
from app.storage.models import ImportBatch


@dataclass(frozen=True)
class ImportRow:
    """One past import, as the list of imports shows it."""

    id: int
    kind: str
    created_at: datetime
    created_by: str
    imported: int
    rejected: int
    state: str


def list_imports(*, session: SignedIn, kind: str, clock: Clock, limit: int = 50) -> list[ImportRow]:
    """The latest imports of ``kind``, newest first."""
    from app.storage.models import UserAccount

    target = kind_of(kind)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, target.permission)
        rows = uow.session.execute(
            select(ImportBatch, UserAccount.display_name)
            .outerjoin(UserAccount, UserAccount.id == ImportBatch.created_by)
            .where(ImportBatch.kind == kind)
            .order_by(ImportBatch.id.desc())
            .limit(limit)
        ).all()
        return [
            ImportRow(
                b.id, b.kind, b.created_at, name or "", b.rows_imported, b.rows_rejected, b.state
            )
            for b, name in rows
        ]


def undo_import(*, session: SignedIn, batch_id: int, clock: Clock) -> None:
    """Remove everything one import wrote, as one audited operation.

    Refused (ImportUndoRefused) once any of its rows was changed, deleted or used since
    (edited, a volume filed for an imported customer, an item added, a flag reviewed).
    """
    with session.uow(clock) as uow:
        uow.claim_writes()
        batch = uow.session.get(ImportBatch, batch_id)
        if batch is None:
            raise ImportUndoRefused(reason="not_found")
        target = kind_of(batch.kind)
        reader = actor_from_row(authorize(uow, session.actor, target.permission))
        if batch.state != "done":
            raise ImportUndoRefused(reason="undone")
        spans = spans_of(batch.spans)
        if not target.undo(uow, spans):
            raise ImportUndoRefused(reason="changed")
        batch.state = "undone"
        batch.undone_at = clock.now()
        batch.undone_by = reader.user_id
        uow.audit.record(
            f"import.{batch.kind}.undo",
            object_type="import_batch",
            object_id=batch.id,
            details={"imported": batch.rows_imported, "spans": spans},
        )
        uow.commit()
