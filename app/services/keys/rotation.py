"""Rotating the data key (issue 23): disabling an account or a suspected leak replaces it.

Every active account's slot and the recovery slot get the new key (their key pairs need no
password, app.security.keyring); the vault's customer keys are re-wrapped and the vault and
database files re-encrypted (``PRAGMA rekey``, app.security.rekey). A disabled account's old
slot, in any older copy of the keyring, then opens only the old key, which opens neither the
live database nor the live vault — only backups made before the rotation (docs/security.md).

Re-encrypting a file under another session's feet would break that session, so the rotation
runs only while no other session holds the database; otherwise it is recorded as due in the
keyring and runs at the next sign-in that finds the database free (or when asked again).
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select

from app.clock import Clock
from app.domain.accounts import Actor
from app.errors import AppError, DatabaseInUse
from app.security import crypto
from app.security.keyring import RECOVERY_LABEL, Keyring, new_recovery_key
from app.security.rekey import Progress, finish_rotation
from app.services.common import authorize
from app.storage.models import UserAccount
from app.storage.sessions import require_alone
from app.storage.store import Store, UnitOfWork

log = logging.getLogger("app.services.keys")


class SignedIn(Protocol):
    """What rotation needs of a session (``app.services.auth.SignedIn``; sign-in calls here)."""

    store: Store
    actor: Actor

    def uow(self, clock: Clock) -> UnitOfWork:
        """A unit of work acting as the signed-in user."""
        ...


REASONS = {
    "user.disable": "停用账户",
    "incident.leak": "登记疑似泄密事件",
    "manual": "手动轮换",
    "due": "此前因其他会话占用而推迟",
}


@dataclass(frozen=True)
class RotationReport:
    """A finished rotation."""

    key_version: int
    slots: int  # active slots now holding the new key (recovery included)
    dropped_accounts: list[str]  # old-style slots that could not be re-sealed: need a new password
    new_recovery_key: str | None  # set when the old recovery slot could not be re-sealed
    seconds: float


def _active_labels(store: Store, ring: Keyring) -> tuple[set[str], dict[str, str]]:
    with store.new_session() as session:
        names = session.scalars(select(UserAccount.username).where(~UserAccount.disabled)).all()
    by_label = {ring.label_for(n): n for n in names}
    return set(by_label), by_label


def _rotate(store: Store, progress: Progress | None) -> RotationReport:
    started = time.monotonic()
    location = store.location
    if location.is_sqlite:
        require_alone(location.sqlite_path, mine=store.lease)
    old_key = store.data_key
    new_key = crypto.random_key()
    recovery: str | None = None
    with store.keyring_for_update() as ring:
        keep, names = _active_labels(store, ring)
        dropped = ring.rotate(old_key, new_key, keep)
        if RECOVERY_LABEL in dropped:  # a recovery slot made before key pairs: a new key
            recovery = new_recovery_key()
            ring.set_recovery_slot(new_key, recovery)
        ring.body.pop("rotation_due", None)
        ring.seal(new_key)
        ring.save()  # step 1: from now on only the new key is handed out
    # steps 2-4 need every connection closed; this session reconnects with the new key after
    store.replace_key(new_key)
    if location.is_sqlite:
        finish_rotation(
            database=location.sqlite_path,
            engine=None,
            keyring=ring,
            new_key=new_key,
            progress=progress,
        )
    else:
        finish_rotation(
            database=None, engine=store.engine, keyring=ring, new_key=new_key, progress=progress
        )
    return RotationReport(
        key_version=ring.key_version,
        slots=len(ring.body["slots"]),
        dropped_accounts=sorted(names[x] for x in dropped if x in names),
        new_recovery_key=recovery,
        seconds=time.monotonic() - started,
    )


def _record(session: SignedIn, clock: Clock, report: RotationReport, reason: str) -> None:
    with session.uow(clock) as uow:
        uow.audit.record(
            "keys.rotate",
            object_type="database",
            details={
                "reason": reason,
                "key_version": report.key_version,
                "slots": report.slots,
                "accounts_needing_new_password": report.dropped_accounts,
                "new_recovery_key_issued": report.new_recovery_key is not None,
                "seconds": round(report.seconds, 1),
            },
        )
        uow.commit()


def rotate_data_key(
    *, session: SignedIn, clock: Clock, reason: str = "manual", progress: Progress | None = None
) -> RotationReport:
    """Replace the data key now (administrator); raise DatabaseInUse naming other sessions."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "keys.rotate")
    report = _rotate(session.store, progress)
    _record(session, clock, report, reason)
    return report


def _mark_due(store: Store, reason: str) -> None:
    with store.keyring_for_update() as ring:
        ring.body["rotation_due"] = reason
        ring.seal(store.data_key)
        ring.save()


def request_rotation(
    *, session: SignedIn, clock: Clock, reason: str, progress: Progress | None = None
) -> RotationReport | None:
    """Rotate as the consequence of ``reason``; None when deferred as due.

    No permission of its own: the caller's action (disabling an account, recording a leak) was
    authorised. When other sessions hold the database, the rotation is recorded as due.
    """
    try:
        report = _rotate(session.store, progress)
    except AppError as exc:
        if not isinstance(exc, DatabaseInUse):  # a failure (disk full …): due, and said
            with contextlib.suppress(AppError):
                _mark_due(session.store, reason)
            raise
        _mark_due(session.store, reason)
        with session.uow(clock) as uow:
            uow.audit.record(
                "keys.rotation_deferred",
                object_type="database",
                details={"reason": reason, "holders": exc.params.get("holders", "")},
            )
            uow.commit()
        return None
    _record(session, clock, report, reason)
    return report


def run_due_rotation(
    *, session: SignedIn, clock: Clock, progress: Progress | None = None
) -> RotationReport | None:
    """Run a rotation recorded as due, when the database is free now (at sign-in)."""
    ring = session.store.keyring()
    reason = ring.body.get("rotation_due")
    if not reason:
        return None
    try:
        report = _rotate(session.store, progress)
    except DatabaseInUse:
        return None
    _record(session, clock, report, f"{reason} (due)")
    log.info("a due key rotation ran (key version %s)", report.key_version)
    return report


def upgrade_legacy_slot(store: Store, username: str, password: str) -> bool:
    """Re-make a slot from before key pairs at sign-in (the password is at hand only then).

    Such a slot could not follow a key rotation; re-made, it can. Returns True when changed.
    """
    if not store.keyring().has_legacy_slot(username):
        return False
    with store.keyring_for_update() as ring:
        if not ring.has_legacy_slot(username):
            return False
        ring.set_user_slot(store.data_key, username, password, ring.slot_params(username))
        ring.save()
    return True
