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


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def location(tmp_path: Path) -> DatabaseLocation:
    return DatabaseLocation.parse(tmp_path / "archive.db")


def make_setup_request(**overrides: str) -> SetupRequest:
    values = {
        "organisation_name": "华东示范贸易有限公司",
        "fonds_name": "华东示范贸易有限公司客户档案",
        "fonds_code": "Z001",
        "admin_username": "boss",
        "admin_display_name": "王建国",
        "admin_password": ADMIN_PASSWORD,
        "admin_password_confirm": ADMIN_PASSWORD,
    }
    values.update(overrides)
    return SetupRequest(**values)


@pytest.fixture
def admin(location: DatabaseLocation, clock: FixedClock) -> Iterator[SignedIn]:
    """A new database with its administrator signed in."""
    result = initialize_database(location=location, request=make_setup_request(), clock=clock)
    yield result.session
    sign_out(session=result.session, clock=clock)  # no-op when the test signed out already


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo database built once per test run (copy it before changing it).

    Built at the tests' fixed time (``FixedClock()``): the database's recorded time is the
    high-water mark a later write may not fall behind (issue 23, trusted time).
    """
    from app.demo import build_demo

    folder = tmp_path_factory.mktemp("demo")
    build_demo(location=DatabaseLocation.parse(folder / "demo.db"), clock=FixedClock())
    return folder / "demo.db"


@pytest.fixture(scope="session")
def demo_template_now(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo built at the real time, for the command line (which uses the real clock)."""
    from app.clock import SystemClock
    from app.demo import build_demo

    folder = tmp_path_factory.mktemp("demo-now")
    build_demo(location=DatabaseLocation.parse(folder / "demo.db"), clock=SystemClock())
    return folder / "demo.db"


@pytest.fixture
def demo_copy_now(demo_template_now: Path, tmp_path: Path) -> DatabaseLocation:
    """A private copy of :func:`demo_template_now` (with its side files)."""
    return _copy_demo(demo_template_now, tmp_path)


def _copy_demo(template: Path, tmp_path: Path) -> DatabaseLocation:
    target = tmp_path / "demo.db"
    shutil.copy2(template, target)
    for sidecar in template.parent.glob("demo.db.*"):
        shutil.copy2(sidecar, tmp_path / sidecar.name)
    return DatabaseLocation.parse(target)


@pytest.fixture
def demo_copy(demo_template: Path, tmp_path: Path) -> DatabaseLocation:
    """A private copy of the demo database, its keyring, key vault and audit checkpoints."""
    target = tmp_path / "demo.db"
    shutil.copy2(demo_template, target)
    for suffix in (".keyring", ".vault", ".audit-checkpoints", ".audit-key"):
        shutil.copy2(demo_template.with_name("demo.db" + suffix), tmp_path / ("demo.db" + suffix))
    return DatabaseLocation.parse(target)
