"""Shared fixtures: clock, database locations, an initialised store, the demo database."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.clock import FixedClock
from app.services.auth import SignedIn, sign_out
from app.services.setup import SetupRequest, initialize_database
from app.storage.location import DatabaseLocation

ADMIN_PASSWORD = "Correct-Horse-42"
SECURITY_USER, SECURITY_PASSWORD = "baomi", "Vault-Keeper-77"  # 安全保密员 (issue 23)
AUDITOR_USER, AUDITOR_PASSWORD = "shenji", "Trail-Reader-58"  # 安全审计员


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def location(tmp_path: Path) -> DatabaseLocation:
    return DatabaseLocation.parse(tmp_path / "archive.db")


def make_setup_request(**overrides: str | None) -> SetupRequest:
    values = {
        "organisation_name": "华东示范贸易有限公司",
        "fonds_name": "华东示范贸易有限公司客户档案",
        "fonds_code": "Z001",
        "admin_username": "boss",
        "admin_display_name": "王建国",
        "admin_password": ADMIN_PASSWORD,
        "admin_password_confirm": ADMIN_PASSWORD,
        "security_username": SECURITY_USER,
        "security_password": SECURITY_PASSWORD,
        "auditor_username": AUDITOR_USER,
        "auditor_password": AUDITOR_PASSWORD,
    }
    values.update(overrides)
    return SetupRequest(**values)  # type: ignore[arg-type]


@pytest.fixture
def admin(location: DatabaseLocation, clock: FixedClock) -> Iterator[SignedIn]:
    """A new database with its administrator signed in."""
    result = initialize_database(location=location, request=make_setup_request(), clock=clock)
    yield result.session
    sign_out(session=result.session, clock=clock)  # no-op when the test signed out already


@pytest.fixture
def officer(admin: SignedIn, location: DatabaseLocation, clock: FixedClock) -> Iterator[SignedIn]:
    """The 安全保密员 of the ``admin`` fixture's database, signed in (issue 23)."""
    from app.services.auth import sign_in

    session = sign_in(
        location=location, username=SECURITY_USER, password=SECURITY_PASSWORD, clock=clock
    )
    yield session
    sign_out(session=session, clock=clock)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo database built once per test run (copy it before changing it)."""
    from app.clock import SystemClock
    from app.demo import build_demo

    folder = tmp_path_factory.mktemp("demo")
    build_demo(location=DatabaseLocation.parse(folder / "demo.db"), clock=SystemClock())
    return folder / "demo.db"


@pytest.fixture
def demo_copy(demo_template: Path, tmp_path: Path) -> DatabaseLocation:
    """A private copy of the demo database, its keyring, key vault and audit checkpoints."""
    target = tmp_path / "demo.db"
    shutil.copy2(demo_template, target)
    for suffix in (".keyring", ".vault", ".audit-checkpoints"):
        shutil.copy2(demo_template.with_name("demo.db" + suffix), tmp_path / ("demo.db" + suffix))
    return DatabaseLocation.parse(target)
