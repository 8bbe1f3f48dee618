"""Backup, verification and restore of the embedded database (R43, R8).

The copying itself is in :mod:`app.storage.backup`; here are the use cases: permission,
settings (target folder, warning interval, rotation, vault window), audit entries and the
"last verified backup" the home screen warns about. Long work takes a progress sink with
``report(done, total)`` and ``is_cancelled()`` (``ui.tasks.ProgressSink``).

config: settings and status; run: write, rotate, list, verify; restore: stage a restore and
switch to it; pg_restore: a PostgreSQL backup restored into a new database on the server;
purge: the restored database's own transaction.
"""

from app.services.backup.config import (
    BACKUP_RANGES,
    BackupSettings,
    BackupStatus,
    get_backup_settings,
    get_backup_status,
    update_backup_settings,
)
from app.services.backup.pg_restore import stage_pg_restore
from app.services.backup.purge import RestoreSummary
from app.services.backup.restore import (
    discard_staged,
    prepare_restore,
    stage_restore,
    switch_to_restored,
)
from app.services.backup.run import (
    BackupReport,
    BackupRow,
    VerifyReport,
    expire_vault_copies,
    integrity_of,
    list_backups,
    require_verified,
    run_backup,
    verify_backup,
)

__all__ = [
    "BACKUP_RANGES",
    "BackupReport",
    "BackupRow",
    "BackupSettings",
    "BackupStatus",
    "RestoreSummary",
    "VerifyReport",
    "discard_staged",
    "expire_vault_copies",
    "get_backup_settings",
    "get_backup_status",
    "integrity_of",
    "list_backups",
    "prepare_restore",
    "require_verified",
    "run_backup",
    "stage_pg_restore",
    "stage_restore",
    "switch_to_restored",
    "update_backup_settings",
    "verify_backup",
]
