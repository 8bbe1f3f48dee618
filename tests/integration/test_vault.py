"""The customer key vault on a real SQLCipher file."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from app.security import crypto
from app.security.vault import CustomerKeyVault, KeyWrapper
from app.storage.engine import KeyHolder, sqlcipher_engine


def test_a_vault_in_the_old_rowid_layout_is_moved_and_keeps_every_key(tmp_path: Path) -> None:
    data_key = os.urandom(32)
    path = tmp_path / "archive.db.vault"
    file_key = crypto.derive_subkey(data_key, "customer-key-vault-file/v1")
    engine = sqlcipher_engine(path, KeyHolder(file_key))
    wrapper = KeyWrapper(crypto.derive_subkey(data_key, "customer-key-wrap/v1"))
    keys = {f"{n:032x}": os.urandom(32) for n in range(50)}
    with engine.begin() as conn:  # the layout of 0.1.0: a rowid table with a unique index
        conn.exec_driver_sql(
            "CREATE TABLE vault_key (key_id VARCHAR(32) NOT NULL, wrapped BLOB NOT NULL, "
            "created_at DATETIME NOT NULL, PRIMARY KEY (key_id))"
        )
        conn.exec_driver_sql(
            "INSERT INTO vault_key VALUES (?, ?, ?)",
            [(k, wrapper.wrap(k, v), "2026-11-01 00:00:00.000000") for k, v in keys.items()],
        )
    engine.dispose()

    vault = CustomerKeyVault.beside(tmp_path / "archive.db", data_key)
    try:
        assert vault.count() == 50
        assert all(vault.key(k) == v for k, v in keys.items())
        with vault._engine.connect() as conn:  # the file layout is the point
            sql = conn.exec_driver_sql(
                "SELECT group_concat(sql, ';') FROM sqlite_master WHERE name LIKE 'vault_key%'"
            ).scalar()
        assert "WITHOUT ROWID" in str(sql).upper() and "vault_key_old" not in str(sql)
        made = vault.create_key(datetime.now(UTC))
        assert vault.key(made[0]) == made[1]
    finally:
        vault.close()
