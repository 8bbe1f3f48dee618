"""Crypto-erasure of a destroyed volume's electronic files (R44, R13, issue 17).

The proof is against an earlier copy of the database: taken before the destruction, put back
afterwards beside the *current* keyring and key vault, it still opens and still holds every
row and every encrypted chunk — yet none of the destroyed files' content can be read, while
the files of volumes that were not destroyed read as before.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from app.clock import FixedClock
from app.errors import CustomerUnreadable, ValidationFailed
from app.services import disposition as D
from app.services.auth import SignedIn, sign_in, sign_out
from app.services.catalogue import attach_file, open_file
from app.storage.location import DatabaseLocation
from app.storage.models import ItemFile
from tests.disposition_helpers import (
    appraise_for_destruction,
    carry_out,
    expired_volume,
    first_item,
    new_customer,
)
from tests.loan_helpers import PASSWORD, Desk

SECRET = "合同金额：人民币伍拾万元整。甲方：张三丰。".encode() * 50
KEPT = "这份文件所在的案卷不销毁。".encode() * 50


def _database_files(db: Path) -> list[Path]:
    """The database and its WAL, and the folder of encrypted file blobs (not keys)."""
    return [p for p in (db, Path(f"{db}-wal"), Path(f"{db}.files")) if p.exists()]


def _copy(paths: list[Path], folder: Path) -> None:
    folder.mkdir()
    for p in paths:
        if p.is_dir():
            shutil.copytree(p, folder / p.name)
        else:
            shutil.copy2(p, folder / p.name)


def _attach_to_first_item(
    session: SignedIn, clock: FixedClock, volume_id: int, content: bytes, name: str
) -> int:
    """``content`` attached as the file ``name`` to the volume's first item; the file's id."""
    return attach_file(
        session=session,
        item_id=first_item(session, clock, volume_id),
        source=io.BytesIO(content),
        file_name=name,
        clock=clock,
    )


def _sign_everyone_out(desk: Desk) -> None:
    desk.close()
    desk.sessions.clear()
    sign_out(session=desk.admin, clock=desk.clock)


def test_an_earlier_copy_of_the_database_yields_none_of_the_destroyed_files(
    desk: Desk, location: DatabaseLocation, tmp_path: Path
) -> None:
    lisi, clock = desk("lisi"), desk.clock
    c = new_customer(lisi, clock)
    doomed, _ = expired_volume(lisi, clock, customer_id=c, year=2010)
    kept, _ = expired_volume(lisi, clock, customer_id=c, year=2012)
    doomed_file = _attach_to_first_item(lisi, clock, doomed, SECRET, "购销合同.txt")
    kept_file = _attach_to_first_item(lisi, clock, kept, KEPT, "说明.txt")
    appraise_for_destruction(lisi, clock, [desk.ids["zhao"], desk.ids["both"]], [doomed])
    ref = D.compile_list(session=lisi, volume_ids=[doomed], clock=clock)
    D.submit_list(session=lisi, list_id=ref.id, clock=clock)
    for who in ("manager", "gm"):
        D.approve_list(session=desk(who), list_id=ref.id, opinion="同意", clock=clock)

    db = location.sqlite_path
    _sign_everyone_out(desk)
    earlier = tmp_path / "earlier"
    _copy(_database_files(db), earlier)

    lisi = desk("lisi")
    assert open_file(session=lisi, file_id=doomed_file, purpose="核对", clock=clock) == SECRET
    result = carry_out(lisi, clock, ref.id)
    assert result.files_erased == 1
    with lisi.uow(clock) as uow:
        row = uow.session.scalar(select(ItemFile).where(ItemFile.id == doomed_file))
        assert row is not None
        # the row stays, marked destroyed, with its fixity value
        assert (row.state, row.blob_name, row.name_enc) == ("destroyed", None, b"")
        assert len(row.sha256) == 64
    with pytest.raises(ValidationFailed):  # no longer a file anyone can open
        open_file(session=lisi, file_id=doomed_file, purpose="核对", clock=clock)

    # put the earlier copy back in place, beside the current keyring and vault
    _sign_everyone_out(desk)
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        p.unlink(missing_ok=True)
    shutil.rmtree(Path(f"{db}.files"), ignore_errors=True)
    for p in earlier.iterdir():
        target = db.parent / p.name
        if p.is_dir():
            shutil.copytree(p, target)
        else:
            shutil.copy2(p, target)
    blobs = list(Path(f"{db}.files").iterdir())
    assert len(blobs) == 2  # the earlier copy holds both encrypted files
    assert all(SECRET[:30] not in b.read_bytes() for b in blobs)

    old = sign_in(location=location, username="lisi", password=PASSWORD, clock=clock)
    desk.sessions["lisi"] = old
    with old.uow(clock) as uow:
        row = uow.session.scalar(select(ItemFile).where(ItemFile.id == doomed_file))
        assert row is not None and row.state == "complete"  # as it was in the copy
    with pytest.raises(CustomerUnreadable):  # its key is gone for good
        open_file(session=old, file_id=doomed_file, purpose="核对", clock=clock)
    assert open_file(session=old, file_id=kept_file, purpose="核对", clock=clock) == KEPT
