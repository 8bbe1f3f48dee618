"""Restoring a PostgreSQL backup into a NEW database on the server (R43, R8).

The live database is never written by a restore: ``pg_restore`` fills a database created for
it, the newest customer-key vault is put into that database (the live vault table when the
live database is reachable, else the newest vault copy of the backup folder still within its
window), and customers whose key is in neither (deleted after the backup) are purged or
anonymised in the restored database's own audited transaction. The workstations are then
pointed at the new database (``docs/deployment.md``); the old one stays as it was.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from app.clock import Clock
from app.domain.backups import vault_copy_expired
from app.errors import AppError, BackupDamaged, BackupForeign, VaultMissing
from app.security.keyring import Keyring
from app.server_errors import RestoreTargetExists
from app.services.auth import SignedIn
from app.services.backup.config import _record_backup_event
from app.services.backup.purge import RestoreSummary, record_restore_in
from app.services.backup.run import require_verified
from app.services.common import authorize
from app.storage import backup as storage
from app.storage.backup import Sink
from app.storage.backup import pg as pgb


def _check_name(url: str, into: str) -> None:
    cleaned = into.strip()
    if (
        not cleaned
        or len(cleaned) > 63
        or cleaned == pgb.database_name(url)
        or pgb.database_exists(url, cleaned)
    ):
        raise RestoreTargetExists(name=cleaned or "（空）")


def _newest_vault_copy(target: Path, database_id: str, key: bytes, now: datetime) -> Path | None:
    """The newest authentic vault copy of ``database_id`` in ``target`` within its window."""
    for b in storage.list_folder(target):
        m = b.manifest
        if m is None or not b.vault_present or not storage.manifest_authentic(m, key):
            continue
        if m.database_id != database_id or storage.symlinks_in(b.path):
            continue
        if vault_copy_expired(m.created_at, now, int(m.body.get("vault_days", 30))):
            continue
        return b.path / pgb.VAULT_NAME
    return None


def stage_pg_restore(
    *,
    url: str,
    into: str,
    data_key: bytes,
    ring: Keyring,
    backup: Path,
    now: datetime,
    actor_name: str,
    live: bool,
    sink: Sink | None = None,
) -> RestoreSummary:
    """Restore ``backup`` into the new database ``into`` on the server of ``url``; verified.

    ``live``: the database at ``url`` is the live one and reachable (its keyring and vault are
    the newest); otherwise ``url`` only names the server, and the backup's keyring and the
    newest vault copy in the backup's folder are used.
    """
    from sqlalchemy.engine import make_url

    from app.storage.engine import engine_for
    from app.storage.keyring_store import TableKeyringStore
    from app.storage.location import DatabaseLocation

    backup = Path(backup)
    # a backup made before a key rotation carries the tag of an earlier key the keyring holds;
    # its dump needs no other key (fields are sealed under the first key, which never changes)
    candidates = [data_key, *reversed(ring.history_keys(data_key))]
    manifest_read = storage.read_manifest(backup)
    backup_key = next(
        (k for k in candidates if storage.manifest_authentic(manifest_read, k)), data_key
    )
    result = storage.verify_pg_folder(backup, data_key=backup_key, now=now, sink=sink)
    require_verified(result, backup)
    manifest = result.manifest
    if not storage.is_pg_backup(manifest):
        raise BackupDamaged(
            path=str(backup), detail="这是本机数据库文件的备份，不是 PostgreSQL 备份"
        )
    if ring.database_id != manifest.database_id:
        raise BackupForeign()
    _check_name(url, into)
    if live:
        with pgb.connect(url, autocommit=True) as conn:
            rows = pgb.vault_rows(conn)
        vault_source = "current"
    else:  # the newest vault copy under today's key (the keyring this restore installs)
        copy = _newest_vault_copy(backup.parent, manifest.database_id, data_key, now)
        rows = [] if copy is None else pgb.read_vault_file(copy, data_key)
        vault_source = "none" if copy is None else "backup"
    if vault_source == "none" and manifest.counts.get("customers", 0):
        raise VaultMissing(path=str(backup / pgb.VAULT_NAME))
    pgb.restore_dump(url, into, backup / pgb.DUMP_NAME, backup_key, sink)
    new_url = make_url(url).set(database=into).render_as_string(hide_password=False)
    location = DatabaseLocation.parse(new_url)
    engine = engine_for(location, None)
    try:
        pgb.put_vault_rows(engine, rows)
        # today's passwords and accounts (the live keyring) when there is one
        TableKeyringStore(engine, location.display()).save(ring.doc)
        keys = {k for k, _w, _c in rows}
        erased, _head = record_restore_in(
            engine,
            location,
            ring.root_key(data_key),
            now,
            actor_name,
            backup.name,
            manifest.audit_head,
            keys,
        )
        with pgb.connect(new_url) as conn:
            counts, _seen, database_id, revision = storage.describe_database(conn)
        if database_id != manifest.database_id:
            raise BackupForeign()
    except BaseException:
        engine.dispose()
        pgb.drop_database(url, into)
        raise
    engine.dispose()
    return RestoreSummary(
        staged_path=location.display(),
        backup_path=str(backup),
        backup_created_at=manifest.created_at,
        counts=counts,
        audit_head=manifest.audit_head,
        schema=revision,
        vault_source=vault_source,
        erased_customers=erased,
        skipped_files=0,
    )


def _prepare_pg_restore(
    *, session: SignedIn, clock: Clock, backup: str | Path, into: str, sink: Sink | None = None
) -> RestoreSummary:
    """``prepare_restore`` on PostgreSQL: into the new database ``into`` (audited).

    The administrator's session stays on the live database, which is not changed.
    """
    location = session.store.location
    if location.is_sqlite or location.url is None:
        raise BackupForeign()
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "backup.restore")
    try:
        summary = stage_pg_restore(
            url=location.url,
            into=into,
            data_key=session.store.data_key,
            ring=session.store.keyring(),
            backup=Path(backup),
            now=clock.now(),
            actor_name=session.actor.username,
            live=True,
            sink=sink,
        )
    except AppError as exc:
        _record_backup_event(
            session,
            clock,
            "backup.failed",
            {"target": into.strip(), "error": exc.code},
            object_id=Path(backup).name,
        )
        raise
    _record_backup_event(
        session,
        clock,
        "backup.restore_prepared",
        {"staged": into.strip(), "counts": summary.counts},
        object_id=Path(backup).name,
    )
    return summary
