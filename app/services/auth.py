"""Sign-in, sign-out, idle unlock, password change and recovery.

Keyring changes follow one pattern: take the keyring lock, load the current document, change
it, save it. Slow Argon2 work happens outside the lock; only the short update is inside, so
another workstation's change is never overwritten by a stale copy.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from app.clock import Clock
from app.domain.accounts import Actor
from app.domain.lockout import AttemptState, register_failure
from app.domain.passwords import check_password
from app.errors import (
    AccountDisabled,
    AccountLocked,
    AccountLockedUntilReset,
    DatabaseMissing,
    FieldError,
    PasswordChangeRequired,
    RecoveryKeyInvalid,
    UserNotFound,
    ValidationFailed,
    WrongCredentials,
)
from app.security.keyring import Keyring, KeyringStore
from app.services.common import actor_from_row, find_user
from app.storage.keyring_store import keyring_store_for
from app.storage.location import DatabaseLocation
from app.storage.models import UserAccount
from app.storage.store import Store, UnitOfWork, open_store

log = logging.getLogger(__name__)

KEYRING_SOURCE = "keyring"  # marks audit rows rebuilt from the keyring's unauthenticated queue


@dataclass
class SignedIn:
    """A signed-in user on an unlocked store."""

    store: Store
    actor: Actor
    audit_warning: str | None = None  # the audit chain failed its sign-in check (admin/auditor)

    def uow(self, clock: Clock) -> UnitOfWork:
        """Return a unit of work acting as the signed-in user.

        A session signed in with a one-time password gets none (issue 23): it can only change
        the password (and sign out); ``services.common.authorize`` refuses it as well.
        """
        if self.actor.must_change_password:
            raise PasswordChangeRequired()
        return self.store.unit_of_work(self.actor, clock)

    def read_uow(self, clock: Clock) -> UnitOfWork:
        """A unit of work that only reads and never commits: it begins without the write lock.

        A look-up at one desk then does not queue behind another desk's write (PostgreSQL:
        no advisory lock; SQLite: a deferred read). A write in it is a mistake (on SQLite it
        may fail at once with "busy"); use :meth:`uow` for anything that commits.
        """
        if self.actor.must_change_password:
            raise PasswordChangeRequired()
        return self.store.unit_of_work(self.actor, clock, write=False)

    def own_uow(self, clock: Clock) -> UnitOfWork:
        """A unit of work even before the forced password change: auth and policy reads only."""
        return self.store.unit_of_work(self.actor, clock)


def database_exists(location: DatabaseLocation) -> bool:
    """Return True when ``location`` holds a database that has been set up."""
    if location.is_sqlite:
        return location.has_database_file()
    return keyring_store_for(location).exists()


def open_keyring(location: DatabaseLocation) -> Keyring:
    """Read the keyring of ``location`` (checks that the database file is there first)."""
    if location.is_sqlite and not location.sqlite_path.exists():
        raise DatabaseMissing(path=str(location.sqlite_path))
    return Keyring.load(keyring_store_for(location))


def _wrong(
    keyring: Keyring, until: datetime | None = None, *, hard: bool = False
) -> WrongCredentials:
    """The one answer to a wrong password *and* a locked account (issue 23: same message).

    A hard lock (locked again and again, see ``app.domain.lockout.HARD_LOCKS``) says that only
    a password reset ends it: no password is tried any more, so it tells a guesser nothing.
    """
    policy = keyring.lockout
    if hard:
        return AccountLockedUntilReset()
    if until is not None:
        return AccountLocked(
            until=until, max_failures=policy.max_failures, minutes=policy.lock_minutes
        )
    return WrongCredentials(max_failures=policy.max_failures, minutes=policy.lock_minutes)


def _reserve_attempt(counter: KeyringStore, username: str, clock: Clock) -> Keyring:
    """Count this attempt as a failure *before* the password is tried (atomic lockout).

    Under the keyring's file lock (PostgreSQL: an advisory lock on the keyring row) the count
    is read, refused when locked, raised by one and written back; only then is the password
    tried. Parallel attempts therefore queue at the lock and at most ``max_failures`` of them
    ever reach the Argon2 check; a keyring that cannot be written refuses the attempt (the
    save raises) instead of skipping the count. A right password clears the count afterwards.
    """
    now = clock.now()
    with counter.locked():
        ring = Keyring.load(counter)
        state = ring.attempt_state(username)
        if state.is_locked(now):
            raise _wrong(ring, state.locked_until, hard=state.hard_locked)
        state = register_failure(state, ring.lockout, now)
        ring.set_attempt_state(username, state)
        ring.save()
    return ring


def _settle_attempt(counter: KeyringStore, username: str, clock: Clock, *, ok: bool) -> None:
    """After the check: clear the count on success; on failure queue the audit events."""
    now = clock.now()
    with counter.locked():
        ring = Keyring.load(counter)
        if ok:
            ring.set_attempt_state(username, AttemptState())
        else:
            ring.add_event(username, "failed", now)
            if ring.attempt_state(username).is_locked(now):
                ring.add_event(username, "locked", now)
        ring.save()


def unwrap_with_lockout(
    keyring: Keyring, username: str, password: str, clock: Clock, counter: KeyringStore
) -> bytes:
    """Unwrap ``keyring``'s data key with a password, counting in ``counter``'s lockout.

    ``counter`` is normally the keyring's own store; the command line's ``verify`` and
    ``restore`` unwrap a backup's keyring but count in the live database's (issue 23).

    Raises:
        WrongCredentials: unknown user, wrong password or locked account (one message); a
            lock is raised as the subclass AccountLocked for callers that must end a session.
    """
    ring = _reserve_attempt(counter, username, clock)
    data_key = keyring.unwrap_with_password(username, password)
    _settle_attempt(counter, username, clock, ok=data_key is not None)
    if data_key is None:
        state = Keyring.load(counter).attempt_state(username)
        locked = state.is_locked(clock.now())
        raise _wrong(ring, state.locked_until if locked else None, hard=state.hard_locked)
    return data_key


def check_password_with_lockout(
    store: KeyringStore, username: str, password: str, clock: Clock
) -> bytes:
    """Return the data key for a correct password; count failures and honour the lock.

    Every place that accepts a password (sign-in, unlock, password change, ``check``,
    ``verify``, ``restore``) goes through here, so none of them can be used to guess without
    limit.

    Raises:
        WrongCredentials: unknown user, wrong password or a locked account (AccountLocked).
    """
    return unwrap_with_lockout(Keyring.load(store), username, password, clock, store)


def _flush_events(uow: UnitOfWork, keyring: Keyring) -> None:
    """Write failed sign-ins and locks queued in the keyring into the audit trail.

    The queue is not authenticated, so these rows carry no actor id and say where they came from.
    """
    users = {keyring.label_for(u.username): u for u in uow.session.query(UserAccount).all()}

    def resolve(label: str) -> str | None:
        user = users.get(label)
        return user.username if user else None

    for username, kind, at in keyring.take_events(resolve, uow.clock.now()):
        user = users.get(keyring.label_for(username)) if username else None
        uow.audit.record(
            "auth.sign_in_failed" if kind == "failed" else "auth.account_locked",
            object_type="user",
            object_id=user.id if user else None,
            actor_name=username or "（未知用户名）",
            at=at,
            details={"source": KEYRING_SOURCE},
        )


def _finish_sign_in(store: Store, username: str, clock: Clock, *, reset_attempts: bool) -> Actor:
    """Under the keyring lock: record queued events, check the account, audit the sign-in."""
    with store.keyring_for_update() as keyring, store.unit_of_work(None, clock) as uow:
        _flush_events(uow, keyring)
        user = find_user(uow, username)
        if user is None or user.disabled:
            uow.audit.record("auth.sign_in_refused", object_type="user", actor_name=username[:64])
            uow.commit()
            keyring.save()  # the queued events are in the audit trail now
            raise AccountDisabled()
        actor = actor_from_row(user)
        user.last_sign_in_at = clock.now()
        uow.audit.record("auth.sign_in", object_type="user", object_id=user.id, actor=actor)
        uow.commit()
        if reset_attempts:
            keyring.set_attempt_state(username, AttemptState())
        keyring.save()
    return actor


def sign_in(*, location: DatabaseLocation, username: str, password: str, clock: Clock) -> SignedIn:
    """Unlock the store with ``username``'s password and start a session.

    Raises:
        WrongCredentials: unknown user or wrong password (counted towards the lock).
        AccountLocked: too many failures; ``until`` says when to retry.
        AccountDisabled: the account was disabled.
        StorageError: the database or keyring is missing, damaged, foreign or too new.
    """
    keyring = open_keyring(location)
    data_key = check_password_with_lockout(keyring.store, username, password, clock)
    keyring.verify(data_key)
    store = open_store(location, data_key, keyring, clock)
    try:
        actor = _finish_sign_in(store, username, clock, reset_attempts=True)
        from app.services.audit.chain import sign_in_chain_warning

        warning = sign_in_chain_warning(store, actor.roles, clock)
        store.take_lease(actor.username, clock.now())
        signed_in = SignedIn(store=store, actor=actor, audit_warning=warning)
        from app.services.keys import run_due_rotation, upgrade_legacy_slot

        upgrade_legacy_slot(store, actor.username, password)  # so it follows key rotations
        if not actor.must_change_password:  # a one-time-password session may do nothing else
            run_due_rotation(session=signed_in, clock=clock)  # deferred by a disable or a leak
    except BaseException:
        store.close()
        raise
    log.info("signed in (user id %s)", actor.user_id)
    return signed_in


def sign_out(*, session: SignedIn, clock: Clock, reason: str = "user") -> None:
    """End the session: audit it and forget the key (the key is forgotten even if audit fails)."""
    if session.store.closed:
        return
    try:
        with session.own_uow(clock) as uow:
            uow.audit.record(
                "auth.sign_out",
                object_type="user",
                object_id=session.actor.user_id,
                details={"reason": reason},
            )
            uow.commit()
    finally:
        session.store.close()


def record_lock(*, session: SignedIn, clock: Clock, reason: str = "idle") -> None:
    """Audit that the window was locked (``reason``: "idle" or "manual")."""
    with session.own_uow(clock) as uow:
        uow.audit.record(
            "auth.idle_lock" if reason == "idle" else "auth.manual_lock",
            object_type="user",
            object_id=session.actor.user_id,
        )
        uow.commit()


def unlock(*, session: SignedIn, password: str, clock: Clock) -> None:
    """Re-check the signed-in user's password after a lock.

    Failures count towards the account lock; the caller signs out on AccountLocked.
    """
    store = session.store
    username = session.actor.username
    try:
        check_password_with_lockout(store.keyring_store, username, password, clock)
    except (WrongCredentials, AccountLocked):
        with store.keyring_for_update() as keyring, store.unit_of_work(None, clock) as uow:
            _flush_events(uow, keyring)
            uow.commit()
            keyring.save()
        raise
    with store.keyring_for_update() as keyring, session.own_uow(clock) as uow:
        _flush_events(uow, keyring)
        uow.audit.record("auth.unlock", object_type="user", object_id=session.actor.user_id)
        uow.commit()
        keyring.set_attempt_state(username, AttemptState())
        keyring.save()


def commit_with_keyring(uow: UnitOfWork, store: Store, change: Callable[[Keyring], None]) -> None:
    """Apply a keyring change and commit the transaction so that neither lands alone.

    Under the keyring lock: load the current keyring, change and save it, then commit; if the
    commit fails, the keyring is put back. A crash between the two leaves at worst a slot for a
    change that did not commit, never a committed account without its slot.
    """
    with store.keyring_for_update() as keyring:
        backup = copy.deepcopy(keyring.doc)
        change(keyring)
        keyring.save()
        try:
            uow.commit()
        except BaseException:
            keyring.doc = backup
            keyring.save()
            raise


def change_password(
    *,
    session: SignedIn,
    old_password: str,
    new_password: str,
    confirm: str,
    clock: Clock,
) -> None:
    """Change the signed-in user's password: re-wraps one keyring slot, re-encrypts nothing."""
    store = session.store
    username = session.actor.username
    try:
        check_password_with_lockout(store.keyring_store, username, old_password, clock)
    except AccountLocked:
        raise  # the caller ends the session
    except WrongCredentials as exc:
        raise ValidationFailed([FieldError("old_password", "wrong")]) from exc
    with session.own_uow(clock) as uow:
        policy = uow.settings.load().security.password_policy
        errors = check_password(new_password, policy, field="new_password", username=username)
        if new_password != confirm:
            errors.append(FieldError("password_confirm", "mismatch"))
        if new_password and new_password == old_password:
            errors.append(FieldError("new_password", "same_as_old"))
        if errors:
            raise ValidationFailed(errors)
        user = uow.session.get(UserAccount, session.actor.user_id)
        if user is None or user.disabled:
            raise AccountDisabled()
        user.must_change_password = False
        user.password_changed_at = clock.now()
        uow.audit.record("user.change_password", object_type="user", object_id=user.id)
        uow.session.flush()
        key = store.data_key
        commit_with_keyring(
            uow, store, lambda ring: ring.set_user_slot(key, username, new_password)
        )
    session.actor = replace(session.actor, must_change_password=False)


def recover_access(
    *,
    location: DatabaseLocation,
    recovery_key: str,
    username: str,
    new_password: str,
    confirm: str,
    clock: Clock,
) -> None:
    """Set a new password for ``username`` with the printed recovery key (forgotten password).

    Also re-enables the account, so a locked-out administrator can always get back in; the
    audit trail records that the recovery key was used.
    """
    keyring = open_keyring(location)
    data_key = keyring.unwrap_with_recovery_key(recovery_key)
    if data_key is None:
        raise RecoveryKeyInvalid()
    keyring.verify(data_key)
    store = open_store(location, data_key, keyring, clock)
    try:
        with store.unit_of_work(None, clock) as uow:
            user = find_user(uow, username)
            if user is None:
                raise UserNotFound()
            policy = uow.settings.load().security.password_policy
            errors = check_password(new_password, policy, field="new_password", username=username)
            if new_password != confirm:
                errors.append(FieldError("password_confirm", "mismatch"))
            if errors:
                raise ValidationFailed(errors)
            user.disabled = False
            user.must_change_password = False
            user.password_changed_at = clock.now()
            uow.audit.record(
                "user.recover_access",
                object_type="user",
                object_id=user.id,
                actor_name="恢复密钥",
            )
            uow.session.flush()
            name = user.username

            def change(ring: Keyring) -> None:
                ring.set_user_slot(data_key, name, new_password)
                ring.set_attempt_state(name, AttemptState())

            commit_with_keyring(uow, store, change)
    finally:
        store.close()
