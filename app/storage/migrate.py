"""Schema migrations at start: upgrade older databases (after a copy), refuse newer ones."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect

from app.errors import DatabaseTooNew, ForeignDatabase
from app.storage.files import os_error_to_app

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The newest revision in MIGRATIONS_DIR (a test keeps the two equal). A database already at
# HEAD is opened without importing Alembic at all: 17 MiB and a good part of sign-in time.
HEAD = "0022"


def _config(scripts: Path = MIGRATIONS_DIR) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(scripts))
    return cfg


def head_revision(scripts: Path = MIGRATIONS_DIR) -> str:
    """Return the newest schema revision this version knows."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config(scripts)).get_current_head()
    assert head is not None
    return head


def known_revisions(scripts: Path = MIGRATIONS_DIR) -> set[str]:
    """Return every revision this version knows."""
    from alembic.script import ScriptDirectory

    return {rev.revision for rev in ScriptDirectory.from_config(_config(scripts)).walk_revisions()}


def current_revision(conn: Connection) -> str | None:
    """Return the revision stamped in the database (None for an empty database)."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    stamped = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    return str(stamped[0]) if len(stamped) == 1 else None


def schema_state(engine: Engine, scripts: Path = MIGRATIONS_DIR) -> tuple[str | None, str]:
    """Return ``(current, head)``; raise DatabaseTooNew for a revision we do not know."""
    with engine.connect() as conn:
        current = current_revision(conn)
        if current is None and inspect(conn).get_table_names():
            raise ForeignDatabase(path=str(engine.url))
    if current == HEAD and scripts == MIGRATIONS_DIR:
        return current, HEAD  # the usual case: nothing to do, Alembic not needed
    head = head_revision(scripts)
    if current is not None and current not in known_revisions(scripts):
        raise DatabaseTooNew(revision=current)
    return current, head


def upgrade(
    engine: Engine,
    *,
    backup: Callable[[str], None] | None = None,
    scripts: Path = MIGRATIONS_DIR,
) -> bool:
    """Bring the schema to head; return True when anything ran.

    An older database is copied first by ``backup(current_revision)``; a database stamped
    with a revision we do not know (a newer app) is refused before anything is written.
    """
    current, head = schema_state(engine, scripts)
    if current == head:
        return False
    if current is not None and backup is not None:
        backup(current)
    from alembic import command

    cfg = _config(scripts)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    log.info("schema upgraded from %s to %s", current, head)
    return True


def copy_before_upgrade(path: Path, revision: str, now: datetime) -> Path:
    """Copy a (checkpointed) database file, its keyring and audit checkpoints aside first."""
    stamp = now.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.before-upgrade-{revision}-{stamp}")
    try:
        shutil.copy2(path, target)
        for suffix in (".keyring", ".audit-checkpoints"):  # the checkpoints: issue 9
            sidecar = path.with_name(path.name + suffix)
            if sidecar.exists():
                shutil.copy2(sidecar, target.with_name(target.name + suffix))
    except OSError as exc:
        raise os_error_to_app(exc, target) from exc
    return target
