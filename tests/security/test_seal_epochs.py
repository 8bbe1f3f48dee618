"""Forward-secure seals: when an epoch ends, and that only the current epoch key is kept.

Issue 23: sealing keys evolve one way per epoch (every 15 minutes or N entries, and at
sign-out); the previous key is erased from the store as soon as the next exists, so an insider
who reads the store today cannot reseal yesterday's entries.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.security import seal_store, sealing
from app.services.auth import SignedIn, sign_out
from tests.security.conftest import Office, every_row


def seals(session: SignedIn) -> list[sealing.SealRow]:
    return seal_store.read_seals(session.store.engine)


def state(session: SignedIn) -> seal_store.SealState:
    with Session(session.store.engine) as s:
        found = seal_store.load_state(s, session.store.root_key)
    assert found is not None
    return found


def write(office: Office, session: SignedIn, count: int, *, seconds: int = 2) -> None:
    """``count`` audit entries, three to a transaction, ``seconds`` apart."""
    done = 0
    while done < count:
        with session.uow(office.clock) as uow:
            for _ in range(min(3, count - done)):
                office.clock.advance(seconds=seconds)
                uow.audit.record("customer.reveal", object_type="customer", object_id=done)
                done += 1
            uow.commit()


def test_an_epoch_ends_after_a_hundred_entries_without_a_sign_out(office: Office) -> None:
    session = office.sign_in("lisi")
    try:
        before = state(session)
        write(office, session, sealing.EPOCH_ENTRIES - 5)
        assert state(session).epoch == before.epoch  # still open
        write(office, session, 10)
        after = state(session)
        assert after.epoch == before.epoch + 1
        [closed] = [s for s in seals(session) if s.epoch == before.epoch]
        assert closed.last_seq - closed.first_seq + 1 >= sealing.EPOCH_ENTRIES
        assert closed.last_seq - closed.first_seq + 1 < sealing.EPOCH_ENTRIES + 3
    finally:
        sign_out(session=session, clock=office.clock)


def test_an_epoch_ends_after_fifteen_minutes_of_recorded_time(office: Office) -> None:
    session = office.sign_in("lisi")
    try:
        before = state(session)
        write(office, session, 3)
        office.clock.advance(seconds=sealing.EPOCH_SECONDS - 60)
        write(office, session, 1)
        assert state(session).epoch == before.epoch
        office.clock.advance(minutes=2)
        write(office, session, 1)
        assert state(session).epoch == before.epoch + 1
    finally:
        sign_out(session=session, clock=office.clock)


def test_sign_out_ends_the_open_epoch(office: Office) -> None:
    session = office.sign_in("lisi")
    write(office, session, 4)
    open_epoch = state(session).epoch
    sign_out(session=session, clock=office.clock)
    auditor = office.sign_in("audit")
    try:
        sealed = {s.epoch: s for s in seals(auditor)}
        assert open_epoch in sealed
        with auditor.store.engine.connect() as conn:
            head = conn.exec_driver_sql("SELECT max(seq) FROM audit_entry").scalar_one()
        # everything up to the sign-out is sealed (the auditor's own sign-in opened the next)
        assert sealed[open_epoch].last_seq >= head - 2
    finally:
        sign_out(session=auditor, clock=office.clock)


def test_only_the_current_epoch_key_is_kept_and_it_evolves_one_way(office: Office) -> None:
    parsed = sealing.parse_verification_key(office.key.text)
    assert parsed is not None
    seed = parsed[0]
    session = office.sign_in("lisi")
    try:
        first = state(session)
        assert first.epoch >= 1 and first.key == sealing.epoch_key(seed, first.epoch)
        with session.store.engine.connect() as conn:
            (stored_before,) = conn.exec_driver_sql("SELECT sealed_key FROM audit_seal_state").one()
        wal = office.location.sqlite_path.with_name(office.location.sqlite_path.name + "-wal")
        for _ in range(sealing.EPOCH_ENTRIES + 3):  # one entry a commit until the epoch ends
            write(office, session, 1)
            if state(session).epoch > first.epoch:
                break
        # the old key's ciphertext is not left in frames of the write-ahead log: the commit
        # that ended the epoch folded the log into the file and truncated it
        assert not wal.exists() or wal.stat().st_size == 0
        now = state(session)
        assert now.epoch > first.epoch and now.key == sealing.epoch_key(seed, now.epoch)
        assert now.key == sealing.evolve(sealing.epoch_key(seed, now.epoch - 1))
        with session.store.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT epoch, sealed_key FROM audit_seal_state").all()
        assert len(rows) == 1 and rows[0][0] == now.epoch  # one key: the current one
        assert bytes(rows[0][1]) != bytes(stored_before)
        # the older keys are nowhere in the decrypted database
        with session.store.engine.connect() as conn:
            dump = every_row(conn)
        for epoch in range(now.epoch):
            old = sealing.epoch_key(seed, epoch)
            assert old.hex().encode() not in dump.lower() and repr(old).encode()[2:-1] not in dump
    finally:
        sign_out(session=session, clock=office.clock)
