"""Every write service writes an audit entry (issue 9): a new service without one fails here.

Services are found, not listed: every public function of ``app/services/**.py`` that takes a
``clock``, except queries named ``list_``/``get_``/``search_``. Each must have a recipe in
``tests/integration/audit_recipes.py`` (or be declared read-only there, with the reason).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator

import pytest

import app.services
from app.clock import FixedClock
from app.domain.roles import ApproverTitle, Role
from app.services.audit import verify_audit_chain
from app.services.auth import sign_in, sign_out
from app.services.setup import initialize_database
from app.storage.location import DatabaseLocation
from tests.conftest import make_setup_request
from tests.factories import PASSWORD, add_user
from tests.integration.audit_recipes import READ_ONLY, RECIPES, World

QUERY_PREFIXES = ("list_", "get_", "search_")


def service_functions() -> list[str]:
    """Dotted names of every function under app.services that looks like a service."""
    found: set[str] = set()
    # an area split into a package (issue 15) is walked module by module; a service is named
    # the way callers import it: by its area package when the package re-exports it
    for module_info in pkgutil.walk_packages(app.services.__path__, "app.services."):
        module = importlib.import_module(module_info.name)
        area = importlib.import_module(".".join(module.__name__.split(".")[:3]))
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ != module.__name__ or name.startswith("_"):
                continue
            if name.startswith(QUERY_PREFIXES):
                continue
            if "clock" in inspect.signature(fn).parameters:
                owner = area if getattr(area, name, None) is fn else module
                found.add(f"{owner.__name__}.{name}")
    return sorted(found)


def missing_recipes() -> str | None:
    """The failure message naming services without a recipe (None: all covered)."""
    missing = [n for n in service_functions() if n not in RECIPES and n not in READ_ONLY]
    if not missing:
        return None
    return (
        "These services have no audit recipe: "
        + ", ".join(missing)
        + ". Add a @recipe(..., action=...) to tests/integration/audit_recipes.py that calls the "
        "service once, or list it in READ_ONLY there with the reason it writes nothing."
    )


def test_every_write_service_has_an_audit_recipe() -> None:
    message = missing_recipes()
    assert message is None, message


def test_a_new_write_service_without_a_recipe_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.services import users

    def lend_volume(*, session: object, volume_id: int, clock: object) -> None:
        """A write service someone added without an audit recipe."""

    def list_loans(*, session: object, clock: object) -> None:
        """A query: needs no recipe."""

    for fn in (lend_volume, list_loans):
        fn.__module__ = users.__name__
        monkeypatch.setattr(users, fn.__name__, fn, raising=False)
    message = missing_recipes()
    assert message is not None
    assert "app.services.users.lend_volume" in message
    assert "list_loans" not in message


def test_recipes_and_read_only_entries_name_services_that_exist() -> None:
    services = set(service_functions())
    stale = sorted((set(RECIPES) | set(READ_ONLY)) - services)
    assert not stale, f"no such service (renamed or removed?): {', '.join(stale)}"
    assert not set(RECIPES) & set(READ_ONLY)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("audit-coverage")
    location = DatabaseLocation.parse(folder / "archive.db")
    clock = FixedClock()
    result = initialize_database(location=location, request=make_setup_request(), clock=clock)
    admin = result.session

    for name, roles, title in [
        ("lisi", [Role.ARCHIVIST], None),
        ("manager", [Role.APPROVER], ApproverTitle.CS_MANAGER),
        ("audit", [Role.AUDITOR], None),
    ]:
        add_user(admin, clock, name, roles, title, display_name="测试")
    sessions = [
        sign_in(location=location, username=n, password=PASSWORD, clock=clock)
        for n in ("lisi", "manager", "audit")
    ]
    archivist, manager, auditor = sessions
    w = World(folder, location, clock, admin, archivist, manager, auditor, result.recovery_key)
    yield w
    for s in [*sessions, admin]:
        sign_out(session=s, clock=clock)


@pytest.mark.parametrize("service", sorted(RECIPES))
def test_service_writes_its_audit_entry(world: World, service: str) -> None:
    run, action = RECIPES[service]
    with world.admin.store.engine.connect() as conn:
        before = conn.exec_driver_sql("SELECT coalesce(max(seq), 0) FROM audit_entry").scalar_one()
    world.clock.advance(minutes=1)
    elsewhere = run(world)
    if elsewhere is not None:
        assert action in elsewhere, f"{service} wrote {elsewhere or 'nothing'}, expected {action!r}"
        return
    with world.admin.store.engine.connect() as conn:
        actions = (
            conn.exec_driver_sql("SELECT action FROM audit_entry WHERE seq > ?", (before,))
            .scalars()
            .all()
        )
    assert action in actions, f"{service} wrote {actions or 'nothing'}, expected {action!r}"
    report = verify_audit_chain(world.admin.store)
    assert report.ok, [b.describe() for b in report.breaks]
