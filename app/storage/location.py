"""Where a database is: an embedded SQLCipher file or a PostgreSQL URL."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.errors import FieldError, ValidationFailed

KEYRING_SUFFIX = ".keyring"


@dataclass(frozen=True)
class DatabaseLocation:
    """A parsed ``--db`` value."""

    kind: str  # "sqlite" | "postgresql"
    path: Path | None = None
    url: str | None = None

    @classmethod
    def parse(cls, value: str | Path) -> DatabaseLocation:
        """Accept a file path or a ``postgresql+psycopg://`` URL."""
        text = str(value).strip()
        if not text:
            raise ValidationFailed([FieldError("db", "required")])
        if text.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
            url = "postgresql+psycopg://" + text.split("://", 1)[1]
            return cls(kind="postgresql", url=url)
        if "://" in text:
            raise ValidationFailed(
                [FieldError("db", "format", {"expected": "文件路径或 postgresql+psycopg:// 地址"})]
            )
        return cls(kind="sqlite", path=Path(text).expanduser().resolve())

    @property
    def is_sqlite(self) -> bool:
        """True for the embedded file database."""
        return self.kind == "sqlite"

    @property
    def sqlite_path(self) -> Path:
        """The database file (SQLite only)."""
        if self.path is None:
            raise ValueError("not an embedded database")
        return self.path

    @property
    def keyring_path(self) -> Path:
        """The keyring sidecar file (SQLite only)."""
        return self.sqlite_path.with_name(self.sqlite_path.name + KEYRING_SUFFIX)

    def has_database_file(self) -> bool:
        """True when the embedded database file (or its keyring) is there (SQLite only)."""
        path = self.sqlite_path
        return (path.exists() and path.stat().st_size > 0) or self.keyring_path.exists()

    def display(self) -> str:
        """A form safe to show and log (no password from a URL)."""
        if self.is_sqlite:
            return str(self.path)
        assert self.url is not None
        head, _, tail = self.url.partition("://")
        if "@" in tail:
            creds, _, host = tail.rpartition("@")
            user = creds.split(":", 1)[0]
            return f"{head}://{user}:***@{host}"
        return self.url

    def server(self) -> tuple[str, str, str] | None:
        """``(host, database, user)`` of a server database, for people to read; None for a file.

        ``host`` is the host name with its port when one is given, or the socket folder of a
        local server (libpq's ``host=`` parameter); never the password.
        """
        if self.is_sqlite:
            return None
        from sqlalchemy.engine import make_url

        assert self.url is not None
        url = make_url(self.url)
        host = url.host or str(url.query.get("host", "") or "") or "localhost"
        if url.port:
            host = f"{host}:{url.port}"
        return host, url.database or "", url.username or ""
