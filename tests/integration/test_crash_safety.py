"""Kill -9 at random moments during saves, attachments and backups (issue 10, point 5).

Full disk and a removed medium during a backup: a clear message, a usable database.
"""

from __future__ import annotations

import os
import random
import resource
import signal
from pathlib import Path

import pytest

from tests import crash_harness
from tests.factories import potential

RUNS = int(os.environ.get("CRASH_RUNS", "200"))
# kill -9 during writes, WAL recovery, files of a full or removed medium: the embedded database
pytestmark = pytest.mark.sqlite_only


@pytest.mark.slow
def test_kill_9_at_random_points_loses_no_confirmed_write_and_leaves_no_half_state(
    tmp_path: Path,
) -> None:
    world = crash_harness.prepare(tmp_path)
    rng = random.Random(1010)
    problems: list[str] = []
    for _ in range(RUNS):
        problems += crash_harness.run_once(world, rng)
        assert not problems, problems
    assert world.runs == RUNS
    # the runs did real work of every kind (kills also fall before the first confirmation)
    assert len(world.customers) > RUNS // 4 and len(world.files) > RUNS // 10
    assert world.backups_confirmed > 0 and world.killed_before_any_write > 0


def _backup_with_file_size_limit(world: crash_harness.World, limit: int, fd: int) -> None:
    """Child: the OS refuses files above ``limit`` bytes (a full medium), then a save."""
    from app.clock import SystemClock
    from app.errors import AppError
    from app.messages import describe
    from app.services.backup import run_backup
    from app.services.customers import register_customer

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    store = crash_harness._open(world)
    admin, archivist = crash_harness._sessions(store)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    try:
        run_backup(session=admin, clock=SystemClock(), target=world.backups)
        os.write(fd, b"no error\n")
    except AppError as exc:
        os.write(fd, (exc.code + "\n" + describe(exc) + "\n").encode())
    draft = potential(name="满盘之后")
    cid = register_customer(session=archivist, draft=draft, clock=SystemClock()).customer_id
    os.write(fd, f"saved {cid}\n".encode())
    os._exit(0)


def test_a_full_backup_medium_gives_a_clear_message_and_the_database_stays_usable(
    tmp_path: Path,
) -> None:
    import io
    import multiprocessing

    from app.clock import SystemClock
    from app.services import catalogue as item_files
    from app.storage import backup as storage

    world = crash_harness.prepare(tmp_path)
    store = crash_harness._open(world)
    _admin, archivist = crash_harness._sessions(store)
    text = ("大文件 " * 600_000).encode()  # a file larger than the medium allows
    item_files.attach_file(
        session=archivist,
        item_id=world.item_id,
        source=io.BytesIO(text),
        file_name="大.txt",
        clock=SystemClock(),
    )
    db_size = world.location.sqlite_path.stat().st_size
    store.close()
    limit = max(db_size * 2, 512 * 1024)
    assert limit < len(text)
    read_fd, write_fd = os.pipe()
    child = multiprocessing.get_context("fork").Process(
        target=_backup_with_file_size_limit, args=(world, limit, write_fd)
    )
    child.start()
    os.close(write_fd)
    child.join()
    out = b""
    while chunk := os.read(read_fd, 65536):
        out += chunk
    os.close(read_fd)
    lines = out.decode().splitlines()
    assert lines[0] == "backup_target_full", lines
    assert "空间不足" in lines[1] and "数据库没有受到影响" in lines[1]
    assert lines[-1].startswith("saved ")
    assert list(world.backups.iterdir()) == []  # the partial backup was removed
    assert storage.list_folder(world.backups) == []
    world.customers[int(lines[-1].split()[1])] = "满盘之后"
    assert crash_harness.check(world, random.Random(1), [], []) == []
