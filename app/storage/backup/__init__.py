"""Backups of an embedded database: consistent snapshot copy, manifest, verification, restore.

A PostgreSQL database: ``pg`` (pg_dump, the vault apart) and ``pg_writing``.

A backup is a folder ``archive-backup-<local time>`` holding ``database.db`` (still encrypted
by SQLCipher under the data key), its keyring, the customer-key vault, the electronic files
(``database.db.files/``, already sealed under each customer's key) and any other sidecar
(``.audit-checkpoints``), plus ``manifest.json``: size and SHA-256 of every file, counts, the
audit head, and an HMAC-SHA256 tag under a key derived from the data key. Without a user's
password or the recovery key (which unwrap the data key from the keyring copy) it is useless.

**Consistency while the app writes.** The copy holds a read transaction on the live database
(a WAL snapshot), then runs a passive checkpoint: when that folds every WAL frame, the main
file is exactly the snapshot and cannot change while the snapshot is held (SQLite never
backfills frames newer than a reader's snapshot and never restarts the WAL under it), so the
file is copied byte for byte at disk speed, hashed on the way. Otherwise (another reader
holds an older snapshot, or a write slipped in) the file and its WAL are copied under the same
snapshot and the copy's WAL is folded by opening it, exactly like crash recovery; SQLite's
online backup API (``sqlite3_backup``) would give the same result but decrypts and
re-encrypts every page, at a quarter of the disk's speed (docs/performance.md). The vault is
copied *after* the database, so a customer deleted meanwhile has no key in the copy.

**Crash and media safety.** Everything is written into ``.partial-<name>``, fsynced, read back
(page cache dropped first where the OS allows) and compared with the manifest, and only then
renamed to its final name: a crash, a full disk or a pulled USB stick leaves at most a
``.partial-`` folder (removed by the next backup) and never touches the live database.
"""

from app.storage.backup.copying import _connect as _connect
from app.storage.backup.copying import (
    copy_file,
    copy_vault,
    describe_database,
    destroy_file,
    hash_file,
    held_snapshot,
    restored_names,
    sidecars_of,
    snapshot_copy,
    target_error,
    vault_key_ids,
)
from app.storage.backup.manifest import (
    CHUNK,
    DB_NAME,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    OPTIONAL_SIDECARS,
    PARTIAL,
    PREFIX,
    SEGMENT,
    TAG_PURPOSE,
    VAULT_FILE_PURPOSE,
    FileEntry,
    Manifest,
    NullSink,
    Progress,
    Sink,
    Sums,
    VerifyResult,
    manifest_tag,
    vault_file_key,
)
from app.storage.backup.pg import tools_available
from app.storage.backup.pg_writing import is_pg_backup, verify_pg_folder, write_pg_backup
from app.storage.backup.verify import (
    BackupListing,
    list_folder,
    manifest_authentic,
    read_manifest,
    symlinks_in,
    verify_folder,
)
from app.storage.backup.writing import (
    BackupWritten,
    backup_folder_name,
    discard_folder,
    remove_backup,
    remove_partial,
    write_backup,
)

__all__ = [
    "CHUNK",
    "DB_NAME",
    "FORMAT",
    "FORMAT_VERSION",
    "MANIFEST",
    "OPTIONAL_SIDECARS",
    "PARTIAL",
    "PREFIX",
    "SEGMENT",
    "TAG_PURPOSE",
    "VAULT_FILE_PURPOSE",
    "BackupListing",
    "BackupWritten",
    "FileEntry",
    "Manifest",
    "NullSink",
    "Progress",
    "Sink",
    "Sums",
    "VerifyResult",
    "backup_folder_name",
    "copy_file",
    "copy_vault",
    "describe_database",
    "destroy_file",
    "discard_folder",
    "hash_file",
    "held_snapshot",
    "is_pg_backup",
    "list_folder",
    "manifest_authentic",
    "manifest_tag",
    "read_manifest",
    "remove_backup",
    "remove_partial",
    "restored_names",
    "sidecars_of",
    "snapshot_copy",
    "symlinks_in",
    "target_error",
    "tools_available",
    "vault_file_key",
    "vault_key_ids",
    "verify_folder",
    "verify_pg_folder",
    "write_backup",
    "write_pg_backup",
]
