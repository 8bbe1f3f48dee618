"""Typed errors of a PostgreSQL server deployment: TLS, the pg_dump/pg_restore tools, restores.

Kept beside ``app/errors.py`` (which holds every other typed error) so that module stays
readable in one sitting; the Chinese texts are in ``app/messages/errors.py`` like all others.
"""

from __future__ import annotations

from app.errors import AppError, StorageError


class TlsRequired(StorageError):
    """A server not on this computer with a URL that allows a plain-text connection."""

    code = "tls_required"


class TlsFailed(StorageError):
    """The encrypted connection to the server could not be made (``reason`` in Chinese)."""

    code = "tls_failed"


class PgToolMissing(AppError):
    """``pg_dump``/``pg_restore`` (PostgreSQL client tools) are not installed here."""

    code = "pg_tool_missing"


class PgToolFailed(AppError):
    """``pg_dump``/``pg_restore`` stopped with an error (its first line in ``detail``)."""

    code = "pg_tool_failed"


class RestoreTargetExists(AppError):
    """A restore must go into a new database; one of that name exists (or is the live one)."""

    code = "restore_target_exists"
