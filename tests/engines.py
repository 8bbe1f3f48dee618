"""Which database engine the suite runs on, and throwaway PostgreSQL databases for tests.

``pytest --engine=postgresql`` runs the integration and GUI tests against the server named by
``ARCHIVE_ROOM_TEST_PG`` (a libpq URL, e.g. ``postgresql://postgres@/postgres?host=/tmp/pg``;
``.ci/with-postgres`` starts a throwaway one). Each test gets a new database cloned from a
template that is already migrated to the newest schema (set up, but with no keyring yet).
"""

from __future__ import annotations

import itertools
import os
from typing import Any

import pytest
from sqlalchemy.engine import make_url

ENGINES = ("sqlite", "postgresql")
ENV = "ARCHIVE_ROOM_TEST_PG"


def engine_of(config: pytest.Config) -> str:
    """The ``--engine`` the run was started with."""
    return str(config.getoption("engine"))


class PgServer:
    """A PostgreSQL server the tests may create and drop databases on (a superuser login)."""

    def __init__(self, url: str) -> None:
        self._url = make_url(url).set(drivername="postgresql")
        self._names = itertools.count(1)
        self.prefix = f"ar_test_{os.getpid()}_"

    def url_for(self, database: str, *, driver: str = "postgresql+psycopg") -> str:
        """The URL of ``database`` on this server."""
        url = self._url.set(drivername=driver, database=database)
        return url.render_as_string(hide_password=False)

    def _admin(self) -> Any:
        import psycopg

        return psycopg.connect(self.url_for("postgres", driver="postgresql"), autocommit=True)

    def execute(self, sql: str, database: str = "postgres") -> None:
        """Run one statement on ``database`` (autocommit)."""
        import psycopg

        with psycopg.connect(self.url_for(database, driver="postgresql"), autocommit=True) as c:
            c.execute(sql)  # type: ignore[arg-type]

    def create(self, name: str | None = None, *, template: str | None = None) -> str:
        """Create a database (a copy of ``template`` when given); return its name."""
        name = name or f"{self.prefix}{next(self._names)}"
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if template is None:
                conn.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
            else:
                # a template must have no other sessions while it is copied
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    (template,),
                )
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name

    def drop(self, name: str) -> None:
        """Drop ``name`` even while something is still connected."""
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_ctl(action: str) -> None:
    """Stop, start, restart or reload the throwaway server of ``.ci/with-postgres``.

    ``stop`` is ``-m fast``: open sessions are cut as by a server restart or a network cut.
    """
    import subprocess

    ctl, data = (
        os.environ.get("ARCHIVE_ROOM_TEST_PG_CTL"),
        os.environ.get("ARCHIVE_ROOM_TEST_PGDATA"),
    )
    if not ctl or not data:
        raise pytest.UsageError("stopping the server needs .ci/with-postgres (its pg_ctl, PGDATA)")
    owner = os.environ.get("ARCHIVE_ROOM_TEST_PG_OWNER", "")
    prefix = ["runuser", "-u", owner, "--"] if owner else []
    argv = [*prefix, ctl, "-D", data, "-w", "-s"]
    if action == "stop":
        argv += ["-m", "fast", "stop"]
    elif action == "reload":  # pg_hba.conf changed
        argv += ["reload"]
    else:
        log = os.path.join(os.path.dirname(data), "server.log")
        argv += ["-l", log, "-o", os.environ.get("ARCHIVE_ROOM_TEST_PG_OPTS", ""), action]
    subprocess.run(argv, check=True, capture_output=True, timeout=120)


def pg_server_from_env() -> PgServer:
    """The server named by ``ARCHIVE_ROOM_TEST_PG`` (a usage error when unset)."""
    url = os.environ.get(ENV, "").strip()
    if not url:
        raise pytest.UsageError(
            f"--engine=postgresql needs {ENV} (a libpq URL such as "
            "postgresql://postgres@/postgres?host=/tmp/pg); .ci/with-postgres starts a server"
        )
    return PgServer(url)
