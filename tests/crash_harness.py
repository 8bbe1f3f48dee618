"""Kill -9 harness: a child process writes (saves, attachments, backups) and is killed at a random
moment; the parent then opens the database as the next start would and checks that it is
intact and that every write the child confirmed is there (issue 10, point 5).

The child is forked from a parent that holds no open database connection (SQLite's rule for
fork), gets the data key in memory (no Argon2 per run) and reports each confirmed write as one
JSON line on a pipe *after* the service call returned, i.e. after the commit. Used by
``tests/integration/test_crash_safety.py`` (200 runs, CI) and ``bench/bench_crash.py`` (more).
"""

from __future__ import annotations

import hashlib
import io
import json
import multiprocessing
import os
import random
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from app.clock import SystemClock
from app.security.keyring import Keyring
from app.services import catalogue as item_files
from app.services.auth import SignedIn, sign_in, sign_out
from app.services.backup import run_backup
from app.services.common import actor_from_row, find_user
from app.services.customers import register_customer
from app.services.setup import initialize_database
from app.storage import backup as storage
from app.storage.keyring_store import keyring_store_for
from app.storage.location import DatabaseLocation
from app.storage.models import Customer
from app.storage.store import Store, integrity_problems, open_store

ADMIN_PASSWORD = "Correct-Horse-42"


@dataclass
class World:
    """The database the runs share, and what has been confirmed so far."""

    location: DatabaseLocation
    backups: Path
    data_key: bytes
    item_id: int
    customers: dict[int, str] = field(default_factory=dict)  # id → name
    files: dict[int, str] = field(default_factory=dict)  # id → sha256
    backups_confirmed: int = 0
    runs: int = 0
    killed_before_any_write: int = 0


def prepare(folder: Path) -> World:
    """A fresh database with an administrator, an archivist and one item for attachments."""
    from tests.conftest import make_setup_request
    from tests.factories import PASSWORD, add_archivist, add_item, person, potential

    clock = SystemClock()
    location = DatabaseLocation.parse(folder / "crash.db")
    admin = initialize_database(
        location=location, request=make_setup_request(), clock=clock
    ).session
    add_archivist(admin, clock)
    data_key = admin.store.data_key
    sign_out(session=admin, clock=clock)
    archivist = sign_in(location=location, username="lisi", password=PASSWORD, clock=clock)
    owner = register_customer(session=archivist, draft=person(), clock=clock).customer_id
    item_id = add_item(archivist, clock, owner)
    # loads the pinyin tables here, once: forked children inherit them instead of paying 0.3 s
    register_customer(session=archivist, draft=potential(name="崩溃测试预热"), clock=clock)
    sign_out(session=archivist, clock=clock)
    return World(location, folder / "backups", data_key, item_id)


def _open(world: World) -> Store:
    keyring = Keyring.load(keyring_store_for(world.location))
    return open_store(world.location, world.data_key, keyring, SystemClock())


def _sessions(store: Store) -> tuple[SignedIn, SignedIn]:
    with store.unit_of_work(None, SystemClock()) as uow:
        admin, archivist = find_user(uow, "boss"), find_user(uow, "lisi")
        assert admin is not None and archivist is not None
        return SignedIn(store, actor_from_row(admin)), SignedIn(store, actor_from_row(archivist))


def _child(world: World, fd: int, seed: int) -> None:
    """Write until killed; one JSON line per confirmed write."""
    from tests.factories import potential

    rng = random.Random(seed)
    clock = SystemClock()
    store = _open(world)
    admin, archivist = _sessions(store)
    os.write(fd, b'{"kind": "ready"}\n')
    n = 0
    while True:
        n += 1
        roll = rng.random()
        if roll < 0.6:
            name = f"崩溃测试{seed}-{n}"
            draft = potential(name=name)
            cid = register_customer(session=archivist, draft=draft, clock=clock).customer_id
            line = {"kind": "customer", "id": cid, "name": name}
        elif roll < 0.9:
            body = f"崩溃测试附件 {seed}-{n} ".encode() * rng.randint(1, 4000)
            fid = item_files.attach_file(
                session=archivist,
                item_id=world.item_id,
                source=io.BytesIO(body),
                file_name=f"附件{n}.txt",
                clock=clock,
            )
            line = {"kind": "file", "id": fid, "sha256": hashlib.sha256(body).hexdigest()}
        else:
            report = run_backup(session=admin, clock=clock, target=world.backups)
            line = {"kind": "backup", "path": report.path}
        os.write(fd, (json.dumps(line, ensure_ascii=False) + "\n").encode())


def _child_entry(world: World, fd: int, seed: int) -> None:
    try:
        _child(world, fd, seed)
    except BaseException as exc:  # only on a bug: the parent reports that no kill was needed
        os.write(2, f"crash-harness child failed: {exc!r}\n".encode())
    finally:
        os._exit(3)


def run_once(world: World, rng: random.Random, *, max_delay: float = 0.25) -> list[str]:
    """One fork → write → kill -9 → check cycle; return the problems found."""
    read_fd, write_fd = os.pipe()
    ctx = multiprocessing.get_context("fork")
    seed = rng.randrange(1 << 30)
    child = ctx.Process(target=_child_entry, args=(world, write_fd, seed))
    child.start()
    os.close(write_fd)
    raw = b""
    if rng.random() < 0.9:  # most kills during the writes, some during the start (WAL recovery)
        while b"ready" not in raw and (chunk := os.read(read_fd, 65536)):
            raw += chunk
    time.sleep(rng.uniform(0.0, max_delay))
    assert child.pid is not None
    with_kill = True
    try:
        os.kill(child.pid, signal.SIGKILL)
    except ProcessLookupError:
        with_kill = False
    child.join()
    while chunk := os.read(read_fd, 65536):
        raw += chunk
    os.close(read_fd)
    world.runs += 1
    problems: list[str] = []
    if not with_kill or child.exitcode != -signal.SIGKILL:
        problems.append(f"child ended by itself (exit {child.exitcode}) before the kill")
    lines = [json.loads(x) for x in raw.decode().splitlines() if x.strip().endswith("}")]
    lines = [x for x in lines if x["kind"] != "ready"]
    if not lines:
        world.killed_before_any_write += 1
    new_files: list[int] = []
    for line in lines:
        if line["kind"] == "customer":
            world.customers[line["id"]] = line["name"]
        elif line["kind"] == "file":
            world.files[line["id"]] = line["sha256"]
            new_files.append(line["id"])
    problems += check(world, rng, new_files, [x["path"] for x in lines if x["kind"] == "backup"])
    world.backups_confirmed += sum(1 for x in lines if x["kind"] == "backup")
    return problems


def check(
    world: World, rng: random.Random, new_files: list[int], new_backups: list[str]
) -> list[str]:
    """What the next start sees: integrity, every confirmed write, confirmed backups verify."""
    problems: list[str] = []
    store = _open(world)  # the next start: WAL recovery, schema check
    try:
        problems += [f"integrity: {p}" for p in integrity_problems(store.engine)]
        _admin, archivist = _sessions(store)
        with store.new_session() as db:
            names = {cid: name for cid, name in db.execute(select(Customer.id, Customer.name))}
        for cid, name in world.customers.items():
            if names.get(cid) != name:
                problems.append(f"confirmed customer {cid} lost")
        sample = new_files + rng.sample(sorted(world.files), min(3, len(world.files)))
        for fid in dict.fromkeys(sample):
            body = item_files.open_file(
                session=archivist, file_id=fid, purpose="崩溃测试核对", clock=SystemClock()
            )
            if hashlib.sha256(body).hexdigest() != world.files[fid]:
                problems.append(f"confirmed file {fid} changed")
        for path in new_backups:
            folder = Path(path)
            if folder.exists():  # a later backup of the same run may have rotated it away
                result = storage.verify_folder(
                    folder, data_key=world.data_key, now=SystemClock().now()
                )
                problems += [f"backup {folder.name}: {p}" for p in result.problems]
        for listing in storage.list_folder(world.backups):
            if listing.manifest is None:
                problems.append(f"half-written backup {listing.path.name} looks like a backup")
    finally:
        store.close()
    return problems
