"""A restore's own transaction: customers deleted since the backup purged, the restore audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class RestoreSummary:
    """A restored database waiting beside the current one; shown before switching."""

    staged_path: str
    backup_path: str
    backup_created_at: datetime
    counts: dict[str, int]
    audit_head: dict[str, Any]
    schema: str | None
    vault_source: str  # current | backup | none
    erased_customers: int  # deleted after the backup: their values and files stay gone (R8)
    skipped_files: int


def _record_restore(
    staged: Path,
    data_key: bytes,
    now: datetime,
    actor_name: str,
    backup_name: str,
    head: dict[str, Any],
    keys: set[str],
    root: bytes | None = None,
) -> tuple[int, tuple[int, bytes]]:
    """Purge customers deleted since the backup, and record the restore in its own trail.

    A customer whose key is in no vault was deleted after the backup was taken (R8): their
    protected values could not be read anyway, and their row (name, number, remarks), contact
    rows and index entries are removed from the restored database too, in the transaction that
    records the restore. A customer who still has volumes is kept (archives leave only through
    the destruction procedure, R44) and anonymised as the live database did (issue 18): the
    pseudonym of their 客户编号, no remarks, no contact rows. Returns how many customers were
    deleted or anonymised after the backup, and the restore entry's ``(seq, hash)``.
    """
    from app.storage.engine import sqlcipher_engine
    from app.storage.location import DatabaseLocation

    engine = sqlcipher_engine(staged, data_key)
    try:
        return record_restore_in(
            engine,
            DatabaseLocation.parse(staged),
            root if root is not None else data_key,
            now,
            actor_name,
            backup_name,
            head,
            keys,
        )
    finally:
        engine.dispose()


def record_restore_in(
    engine: Any,
    location: Any,
    root: bytes,
    now: datetime,
    actor_name: str,
    backup_name: str,
    head: dict[str, Any],
    keys: set[str],
) -> tuple[int, tuple[int, bytes]]:
    """:func:`_record_restore` on an open engine of either kind (a restored server database)."""
    from sqlalchemy import or_, select
    from sqlalchemy.orm import Session

    from app.clock import FixedClock
    from app.security.audit import AuditChain, AuditRecorder
    from app.storage import search
    from app.storage.keyring_store import checkpoint_log_for
    from app.storage.models import Customer, DuplicateFlag, Volume

    # linked into the restored database's own chain and checkpoints (issue 9), so
    # `check` of the restored database verifies like any other
    chain = AuditChain(root, checkpoint_log_for(location, engine), engine.dialect.name)
    with Session(engine) as db_session:
        gone = [
            int(cid)
            for cid, key_id in db_session.execute(select(Customer.id, Customer.key_id))
            if str(key_id) not in keys
        ]
        with_volumes = (
            set(
                db_session.scalars(
                    select(Volume.customer_id).where(Volume.customer_id.in_(gone)).distinct()
                )
            )
            if gone
            else set()
        )
        purge = [cid for cid in gone if cid not in with_volumes]
        partners: set[int] = set()
        for start in range(0, len(purge), 500):
            chunk = purge[start : start + 500]
            for a, b in db_session.execute(
                select(DuplicateFlag.customer_id, DuplicateFlag.other_customer_id).where(
                    or_(
                        DuplicateFlag.customer_id.in_(chunk),
                        DuplicateFlag.other_customer_id.in_(chunk),
                    )
                )
            ):
                partners.update((int(a), int(b)))
            for customer in db_session.scalars(select(Customer).where(Customer.id.in_(chunk))):
                db_session.delete(customer)  # contact rows and flags go by ON DELETE CASCADE
            db_session.flush()
        if purge:
            search.remove_customers(db_session.connection(), purge)
        _pseudonymise(db_session, sorted(set(gone) & with_volumes), now)
        for other in partners - set(purge):
            still_open = db_session.scalar(
                select(DuplicateFlag.id).where(
                    DuplicateFlag.cleared_at.is_(None),
                    or_(
                        DuplicateFlag.customer_id == other,
                        DuplicateFlag.other_customer_id == other,
                    ),
                )
            )
            row = db_session.get(Customer, other)
            if row is not None:
                row.suspected_duplicate = still_open is not None
        AuditRecorder(db_session, None, FixedClock(now), chain).record(
            "backup.restore",
            object_type="backup",
            object_id=backup_name,
            actor_name=actor_name,
            details={
                "audit_head": head.get("last_id"),
                "erased_customers": len(gone),
                "purged_customers": len(purge),
            },
        )
        db_session.commit()
        restored_head = AuditChain.head(db_session)
    return len(gone), restored_head


def _pseudonymise(db_session: Any, ids: list[int], now: datetime) -> None:
    """Anonymise customers whose key is gone but whose volumes stay (as the live erasure did)."""
    from sqlalchemy import delete

    from app.domain.privacy import pseudonym
    from app.storage import search as customer_search
    from app.storage.models import (
        Customer,
        CustomerAddress,
        CustomerBankAccount,
        CustomerConsent,
        CustomerPhone,
    )

    for cid in ids:
        c = db_session.get(Customer, cid)
        if c is None:
            continue
        for child in (CustomerPhone, CustomerAddress, CustomerBankAccount):
            db_session.execute(delete(child).where(child.customer_id == cid))
        for consent in db_session.query(CustomerConsent).filter_by(customer_id=cid):
            consent.form_enc = consent.form_name_enc = None
        c.name = pseudonym(c.number)
        c.gender = c.birth_date_enc = c.id_type = c.region = None
        c.id_number_enc = c.id_number_bidx = c.email_enc = None
        c.consent_purpose = c.remarks = c.index_remarks = ""
        c.anonymised_at = c.anonymised_at or now
        db_session.flush()
        conn = db_session.connection()
        customer_search.index_customers(conn, [customer_search.IndexRow(cid, c.name, c.number, "")])
