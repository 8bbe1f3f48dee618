"""Workers for tests with several processes on one database (multiprocessing, spawn)."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.storage.location import DatabaseLocation


def database_address(location: DatabaseLocation) -> str:
    """What a worker process opens: the PostgreSQL URL or the SQLite file."""
    return location.url if location.url is not None else str(location.sqlite_path)


def run_desks(
    target: Callable[..., None], desks: list[tuple[Any, ...]], *, timeout: float, join: float
) -> list[Any]:
    """One spawned process a desk, ``target(*desk, start, out)``, let go at once; their results.

    Each process waits for ``start`` and puts its result on ``out``; every one must exit cleanly.
    """
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    processes = [ctx.Process(target=target, args=(*desk, start, out)) for desk in desks]
    for p in processes:
        p.start()
    start.set()
    results = [out.get(timeout=timeout) for _ in processes]
    for p in processes:
        p.join(join)
        assert p.exitcode == 0
    return results


@dataclass
class DeskResult:
    """What one worker process did."""

    desk: int
    registered: int = 0
    revealed: int = 0
    busy: int = 0
    errors: tuple[str, ...] = ()


def register_and_reveal(
    desk: int, db: str, username: str, password: str, seconds: float, start: Any, out: Any
) -> None:
    """Sign in, wait for ``start``, then register and reveal customers for ``seconds``."""
    from app.clock import SystemClock
    from app.errors import DatabaseBusy
    from app.services.auth import sign_in, sign_out
    from app.services.customers import register_customer, reveal_customer
    from app.storage.location import DatabaseLocation
    from tests.factories import person

    clock = SystemClock()
    result = DeskResult(desk)
    errors: list[str] = []
    session = sign_in(
        location=DatabaseLocation.parse(db), username=username, password=password, clock=clock
    )
    try:
        start.wait(60)
        deadline = time.monotonic() + seconds
        n = 0
        while time.monotonic() < deadline:
            n += 1
            try:
                saved = register_customer(
                    session=session,
                    draft=person(
                        name=f"客户{desk}号{n}",
                        status="potential",
                        id_type=None,
                        id_number="",
                        bank_accounts=(),
                    ),
                    clock=clock,
                )
                result.registered += 1
                reveal_customer(
                    session=session,
                    customer_id=saved.customer_id,
                    purpose=f"核对{desk}-{n}",
                    clock=clock,
                )
                result.revealed += 1
            except DatabaseBusy:
                result.busy += 1
            except Exception as exc:  # reported to the test, which fails on any
                errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        sign_out(session=session, clock=clock)
    result.errors = tuple(errors[:5])
    out.put(result)


@dataclass
class FrontDeskResult:
    """What one desk of :func:`front_desk` did."""

    desk: int
    lent: tuple[int, ...] = ()
    already_out: int = 0
    volumes: int = 0
    customers: int = 0
    errors: tuple[str, ...] = ()


def front_desk(
    desk: int,
    db: str,
    username: str,
    password: str,
    application_id: int,
    volume_ids: list[int],
    rounds: int,
    start: Any,
    out: Any,
) -> None:
    """One desk: lend the application's volumes (others race for the same ones), register
    customers and file volumes for them (numbers drawn from the shared counters)."""
    from app.clock import FixedClock
    from app.errors import VolumeAlreadyOut
    from app.services.auth import sign_in, sign_out
    from app.services.catalogue import VolumeDraft, create_volume
    from app.services.customers import register_customer
    from app.services.loans import issue_loan
    from app.storage.location import DatabaseLocation
    from tests.factories import potential

    clock = FixedClock()
    result = FrontDeskResult(desk)
    lent: list[int] = []
    errors: list[str] = []
    session = sign_in(
        location=DatabaseLocation.parse(db), username=username, password=password, clock=clock
    )
    order = volume_ids[desk % len(volume_ids) :] + volume_ids[: desk % len(volume_ids)]
    try:
        start.wait(60)
        for n in range(rounds):
            try:
                if n < len(order):
                    try:
                        issue_loan(
                            session=session,
                            application_id=application_id,
                            volume_id=order[n],
                            clock=clock,
                        )
                        lent.append(order[n])
                    except VolumeAlreadyOut:
                        result.already_out += 1
                draft = potential(name=f"窗口{desk}客户{n}")
                cid = register_customer(session=session, draft=draft, clock=clock).customer_id
                result.customers += 1
                create_volume(
                    session=session,
                    draft=VolumeDraft(
                        customer_id=cid, year=2024, title=f"窗口{desk}第{n}卷", retention="Y"
                    ),
                    clock=clock,
                )
                result.volumes += 1
            except Exception as exc:  # reported to the test, which fails on any
                errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        sign_out(session=session, clock=clock)
    result.lent = tuple(lent)
    result.errors = tuple(errors[:5])
    out.put(result)
