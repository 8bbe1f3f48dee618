"""How a database location is shown: a file's path, or a server without its password."""

from __future__ import annotations

import pytest

from app.storage.location import DatabaseLocation


@pytest.mark.parametrize(
    ("url", "server", "shown"),
    [
        (
            "postgresql+psycopg://app:s3cret@db.example.com:5433/archive?sslmode=verify-full",
            ("db.example.com:5433", "archive", "app"),
            "postgresql+psycopg://app:***@db.example.com:5433/archive?sslmode=verify-full",
        ),
        (  # a local server on a Unix socket (libpq's host parameter)
            "postgresql+psycopg://postgres@/ar_1?host=/tmp/pg.x",
            ("/tmp/pg.x", "ar_1", "postgres"),
            "postgresql+psycopg://postgres:***@/ar_1?host=/tmp/pg.x",
        ),
        (
            "postgresql+psycopg:///archive",
            ("localhost", "archive", ""),
            "postgresql+psycopg:///archive",
        ),
    ],
)
def test_a_server_is_shown_by_host_database_and_login_never_its_password(
    url: str, server: tuple[str, str, str], shown: str
) -> None:
    location = DatabaseLocation.parse(url)
    assert location.server() == server
    assert location.display() == shown
    assert "s3cret" not in repr(location.server()) + location.display()


def test_a_file_has_no_server() -> None:
    location = DatabaseLocation.parse("/srv/archive/archive.db")
    assert location.server() is None
    assert location.display() == "/srv/archive/archive.db"
