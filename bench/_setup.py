"""A fresh database for a benchmark: the tests' organisation, ``boss`` and the staff asked for."""

from __future__ import annotations

from pathlib import Path

from app.clock import Clock
from app.domain.roles import Role
from app.services.auth import SignedIn
from app.services.setup import initialize_database
from app.storage.location import DatabaseLocation
from tests.conftest import make_setup_request
from tests.factories import add_user


def fresh_database(
    folder: Path, clock: Clock, password: str, *staff: tuple[str, Role], name: str = "archive.db"
) -> tuple[DatabaseLocation, SignedIn]:
    """The database in ``folder`` and its administrator signed in; all accounts use ``password``."""
    location = DatabaseLocation.parse(folder / name)
    request = make_setup_request(admin_password=password, admin_password_confirm=password)
    admin = initialize_database(location=location, request=request, clock=clock).session
    for username, role in staff:
        add_user(admin, clock, username, [role], password=password)
    return location, admin
