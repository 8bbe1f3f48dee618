"""Shared fixtures: clock, database locations, an initialised store, the demo database."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The user's data, config and state folders (anchors, remembered folders, label positions,
# logs) are a fresh temporary folder per run: tests never read what earlier runs left there.
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="archive-room-tests-data-")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="archive-room-tests-config-")
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="archive-room-tests-state-")
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="archive-room-tests-cache-")

from app.clock import FixedClock
from app.services.auth import SignedIn, sign_out
from app.services.setup import SetupRequest, initialize_database
from app.storage.location import DatabaseLocation
from tests.engines import ENGINES, PgServer, engine_of, pg_server_from_env
from tests.factories import TEST_KDF

if TYPE_CHECKING:
    from tests.loan_helpers import Desk

ADMIN_PASSWORD = "Correct-Horse-42"
SECURITY_USER, SECURITY_PASSWORD = "baomi", "Vault-Keeper-77"  # 安全保密员 (issue 23)
AUDITOR_USER, AUDITOR_PASSWORD = "shenji", "Trail-Reader-58"  # 安全审计员
_EXIT_STATUS = pytest.StashKey[int]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--engine",
        choices=ENGINES,
        default="sqlite",
        help="database engine for the `location` fixtures: the embedded SQLCipher file "
        "(default) or the PostgreSQL server named by ARCHIVE_ROOM_TEST_PG",
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    session.config.stash[_EXIT_STATUS] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Leave without tearing Qt down again after the report is out.

    Interpreter teardown after the GUI tests has aborted once in a while ("shared QObject was
    deleted directly", heap corruption) after every test had passed; the run's own result is
    what counts, so it is returned as it is and the teardown is skipped.
    """
    status = config.stash.get(_EXIT_STATUS, None)
    if status is not None and "PYTEST_XDIST_WORKER" not in os.environ:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests about one engine only are deselected on the other (reported, never skipped)."""
    engine = engine_of(config)
    other = "postgresql_only" if engine == "sqlite" else "sqlite_only"
    kept = [item for item in items if item.get_closest_marker(other) is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


@pytest.fixture(autouse=True)
def workstation_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This workstation's data folder (anchors, remembered places) inside the test's folder.

    Tests copy the shared demo database, and a copy keeps the database id: an auditor's review
    of one copy must not leave an anchor that makes another copy look rolled back.
    """
    folder = tmp_path / "workstation"
    monkeypatch.setenv("XDG_DATA_HOME", str(folder))
    return folder


@pytest.fixture(scope="session")
def db_engine(pytestconfig: pytest.Config) -> str:
    """``sqlite`` or ``postgresql`` (the ``--engine`` option)."""
    return engine_of(pytestconfig)


@pytest.fixture(scope="session")
def pg_server(db_engine: str) -> PgServer:
    """The PostgreSQL server of an ``--engine=postgresql`` run."""
    if db_engine != "postgresql":
        pytest.skip("needs --engine=postgresql")
    return pg_server_from_env()


@pytest.fixture(scope="session")
def pg_template(pg_server: PgServer) -> Iterator[str]:
    """A database migrated to the newest schema and not set up: cloned for each test."""
    from app.storage import migrate
    from app.storage.engine import engine_for

    name = pg_server.create(f"{pg_server.prefix}template")
    engine = engine_for(DatabaseLocation.parse(pg_server.url_for(name)), None)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    yield name
    pg_server.drop(name)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DatabaseLocation]:
    """Where a test's database goes: a file in ``tmp_path``, or a new PostgreSQL database."""
    if engine_of(request.config) == "sqlite":
        yield DatabaseLocation.parse(tmp_path / "archive.db")
        return
    server: PgServer = request.getfixturevalue("pg_server")
    name = server.create(template=request.getfixturevalue("pg_template"))
    yield DatabaseLocation.parse(server.url_for(name))
    server.drop(name)


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
    result = initialize_database(
        location=location, request=make_setup_request(), clock=clock, kdf=TEST_KDF
    )
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


@pytest.fixture
def desk(admin: SignedIn, location: DatabaseLocation, clock: FixedClock) -> Iterator[Desk]:
    """The loan desk's staff (``tests.loan_helpers.STAFF``), signed in on first use."""
    from tests.loan_helpers import make_desk

    d = make_desk(admin, location, clock)
    yield d
    d.close()


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


@pytest.fixture(scope="session")
def pg_demo_template(pg_server: PgServer) -> Iterator[str]:
    """The small demo built once in a PostgreSQL database (cloned by ``demo_copy``).

    Built at the tests' fixed time like :func:`demo_template`: a demo built at the real time
    would put the trusted-time mark ahead of every ``FixedClock`` write (ClockBehind).
    """
    from app.demo import build_demo

    name = pg_server.create(f"{pg_server.prefix}demo")
    build_demo(location=DatabaseLocation.parse(pg_server.url_for(name)), clock=FixedClock())
    yield name
    pg_server.drop(name)


@pytest.fixture
def demo_copy_now(demo_template_now: Path, tmp_path: Path) -> DatabaseLocation:
    """A private copy of :func:`demo_template_now` (with its side files)."""
    return _copy_demo(demo_template_now, tmp_path)


def _copy_demo(template: Path, tmp_path: Path) -> DatabaseLocation:
    target = tmp_path / "demo.db"
    shutil.copy2(template, target)
    for sidecar in template.parent.glob("demo.db.*"):
        if sidecar.is_dir():
            shutil.copytree(sidecar, tmp_path / sidecar.name)
        else:
            shutil.copy2(sidecar, tmp_path / sidecar.name)
    return DatabaseLocation.parse(target)


@pytest.fixture
def demo_copy(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DatabaseLocation]:
    """A private copy of the demo database, its keyring, key vault and audit checkpoints."""
    if engine_of(request.config) == "postgresql":
        server: PgServer = request.getfixturevalue("pg_server")
        name = server.create(template=request.getfixturevalue("pg_demo_template"))
        yield DatabaseLocation.parse(server.url_for(name))
        server.drop(name)
        return
    yield _copy_demo(request.getfixturevalue("demo_template"), tmp_path)
