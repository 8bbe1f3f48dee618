"""Parallel password guessing cannot race past the lockout (issue 23).

Every attempt is counted under the keyring's file lock *before* the password is tried, so of
16 simultaneous guesses against a limit of 5 exactly 5 reach the Argon2 check — whether the
guesses come from threads of one program or from separate processes.
"""

from __future__ import annotations

import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest

from app.clock import FixedClock
from app.errors import AccountLocked, WrongCredentials
from app.messages.describe import describe
from app.services.auth import SignedIn, sign_in
from app.storage.location import DatabaseLocation
from tests.factories import PASSWORD, add_archivist

GUESSES = 16
LIMIT = 5


def _guess(db: str, n: int) -> str:
    """One wrong sign-in; the name of the error it raised."""
    try:
        sign_in(
            location=DatabaseLocation.parse(db),
            username="lisi",
            password=f"Wrong-Guess-{n:02d}",
            clock=FixedClock(),
        )
    except WrongCredentials as exc:
        return type(exc).__name__
    return "signed in"


def _evaluated(location: DatabaseLocation) -> int:
    """How many attempts reached the password check (each leaves one "failed" event)."""
    doc = json.loads(location.keyring_path.read_text())
    return sum(1 for e in doc["events"] if e["kind"] == "failed")


def _after(location: DatabaseLocation, clock: FixedClock, outcomes: list[str]) -> None:
    assert len(outcomes) == GUESSES and "signed in" not in outcomes
    assert _evaluated(location) == LIMIT
    assert outcomes.count("AccountLocked") >= GUESSES - LIMIT
    # the right password is refused too while locked, with the very same message
    with pytest.raises(AccountLocked) as locked:
        sign_in(location=location, username="lisi", password=PASSWORD, clock=clock)
    with pytest.raises(WrongCredentials) as wrong:
        sign_in(location=location, username="nobody", password="Wrong-Guess-99", clock=clock)
    assert describe(locked.value) == describe(wrong.value)
    assert "用户名或密码错误" in describe(locked.value)


def test_sixteen_parallel_threads_get_five_guesses(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    add_archivist(admin, clock)
    with ThreadPoolExecutor(max_workers=GUESSES) as pool:
        outcomes = list(pool.map(lambda n: _guess(str(location.sqlite_path), n), range(GUESSES)))
    _after(location, clock, outcomes)


def test_sixteen_parallel_processes_get_five_guesses(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    add_archivist(admin, clock)
    db = str(location.sqlite_path)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=4, mp_context=context) as pool:
        outcomes = list(pool.map(_guess, [db] * GUESSES, range(GUESSES)))
    _after(location, clock, outcomes)


def test_a_keyring_whose_count_cannot_be_kept_refuses_the_attempt(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock, tmp_path: Path
) -> None:
    """The count is written before the password is tried: no count, no try."""
    from app.errors import StorageError

    add_archivist(admin, clock)
    lock = location.keyring_path.with_name(location.keyring_path.name + ".lock")
    lock.unlink(missing_ok=True)
    lock.mkdir()  # the lock file cannot be opened: nothing can be counted
    try:
        with pytest.raises(StorageError):
            sign_in(location=location, username="lisi", password=PASSWORD, clock=clock)
    finally:
        lock.rmdir()
    sign_in(location=location, username="lisi", password=PASSWORD, clock=clock).store.close()
