"""Sign-in, sign-out, idle unlock, password change and recovery."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from app.clock import Clock
from app.domain.accounts import Actor
from app.domain.lockout import AttemptState, register_failure
from app.domain.passwords import check_password
from app.errors import (
    AccountDisabled,
    AccountLocked,
    DatabaseMissing,
    FieldError,
    RecoveryKeyInvalid,
    UserNotFound,
    ValidationFailed,
    WrongCredentials,
)
from app.security.keyring import Keyring
from app.services.common import actor_from_row, find_user
from app.storage.location import DatabaseLocation
from app.storage.models import UserAccount
from app.storage.store import Store, UnitOfWork, keyring_store_for, open_store

log = logging.getLogger(__name__)


@dataclass
class SignedIn:
    """A signed-in user on an unlocked store."""

    store: Store
    actor: Actor

    def uow(self, clock: Clock) -> UnitOfWork:
        """Return a unit of work acting as the signed-in user."""
        return self.store.unit_of_work(self.actor, clock)


def database_exists(location: DatabaseLocation) -> bool:
    """Return True when ``location`` holds a database that has been set up."""
    if location.is_sqlite:
        path = location.sqlite_path
        return (path.exists() and path.stat().st_size > 0) or location.keyring_path.exists()
    return keyring_store_for(location).exists()


def open_keyring(location: DatabaseLocation) -> Keyring:
    """Read the keyring of ``location`` (checks that the database file is there first)."""
    if location.is_sqlite and not location.sqlite_path.exists():
        raise DatabaseMissing(path=str(location.sqlite_path))
    return Keyring.load(keyring_store_for(location))


def _wrong(keyring: Keyring) -> WrongCredentials:
    policy = keyring.lockout
    return WrongCredentials(max_failures=policy.max_failures, minutes=policy.lock_minutes)


def _count_failure(keyring: Keyring, username: str, clock: Clock) -> AttemptState:
    now = clock.now()
    state = register_failure(keyring.attempt_state(username), keyring.lockout, now)
    keyring.set_attempt_state(username, state)
    keyring.add_event(username, "failed", now)
    if state.is_locked(now):
        keyring.add_event(username, "locked", now)
    keyring.save()
    return state


def _flush_events(uow: UnitOfWork, keyring: Keyring) -> None:
    """Write failed sign-ins and locks queued in the keyring into the audit trail."""
    users = {keyring.label_for(u.username): u for u in uow.session.query(UserAccount).all()}

    def resolve(label: str) -> str | None:
        user = users.get(label)
        return user.username if user else None

    for username, kind, at in keyring.take_events(resolve):
        user = users.get(keyring.label_for(username)) if username else None
        uow.audit.record(
            "auth.sign_in_failed" if kind == "failed" else "auth.account_locked",
            object_type="user",
            object_id=user.id if user else None,
            actor_name=username or "（未知用户名）",
            actor=actor_from_row(user) if user else None,
            at=at,
        )


def sign_in(*, location: DatabaseLocation, username: str, password: str, clock: Clock) -> SignedIn:
    """Unlock the store with ``username``'s password and start a session.

    Raises:
        WrongCredentials: unknown user or wrong password (counted towards the lock).
        AccountLocked: too many failures; ``until`` says when to retry.
        AccountDisabled: the account was disabled.
        StorageError: the database or keyring is missing, damaged, foreign or too new.
    """
    keyring = open_keyring(location)
    now = clock.now()
    state = keyring.attempt_state(username)
    if state.is_locked(now):
        raise AccountLocked(until=state.locked_until)
    data_key = keyring.unwrap_with_password(username, password)
    if data_key is None:
        state = _count_failure(keyring, username, clock)
        if state.is_locked(now):
            raise AccountLocked(until=state.locked_until)
        raise _wrong(keyring)
    keyring.verify(data_key)
    store = open_store(location, data_key, keyring, clock)
    try:
        with store.unit_of_work(None, clock) as uow:
            _flush_events(uow, keyring)
            user = find_user(uow, username)
            if user is None or user.disabled:
                uow.audit.record(
                    "auth.sign_in_refused", object_type="user", actor_name=username[:64]
                )
                uow.commit()
                raise AccountDisabled()
            actor = actor_from_row(user)
            user.last_sign_in_at = now
            uow.audit.record("auth.sign_in", object_type="user", object_id=user.id, actor=actor)
            uow.commit()
        keyring.set_attempt_state(username, AttemptState())
        keyring.save()
    except BaseException:
        store.close()
        raise
    log.info("signed in (user id %s)", actor.user_id)
    return SignedIn(store=store, actor=actor)


def sign_out(*, session: SignedIn, clock: Clock, reason: str = "user") -> None:
    """End the session: audit it and forget the key."""
    try:
        with session.uow(clock) as uow:
            uow.audit.record(
                "auth.sign_out",
                object_type="user",
                object_id=session.actor.user_id,
                details={"reason": reason},
            )
            uow.commit()
    finally:
        session.store.close()


def record_idle_lock(*, session: SignedIn, clock: Clock) -> None:
    """Audit that the window locked itself after the idle time."""
    with session.uow(clock) as uow:
        uow.audit.record("auth.idle_lock", object_type="user", object_id=session.actor.user_id)
        uow.commit()


def unlock(*, session: SignedIn, password: str, clock: Clock) -> None:
    """Re-check the signed-in user's password after an idle lock.

    Failures count towards the account lock; the caller signs out on AccountLocked.
    """
    keyring = session.store.keyring()
    username = session.actor.username
    now = clock.now()
    state = keyring.attempt_state(username)
    if state.is_locked(now):
        raise AccountLocked(until=state.locked_until)
    if keyring.unwrap_with_password(username, password) is None:
        state = _count_failure(keyring, username, clock)
        with session.uow(clock) as uow:
            _flush_events(uow, keyring)
            uow.commit()
        keyring.save()
        if state.is_locked(now):
            raise AccountLocked(until=state.locked_until)
        raise _wrong(keyring)
    keyring.set_attempt_state(username, AttemptState())
    keyring.save()
    with session.uow(clock) as uow:
        uow.audit.record("auth.unlock", object_type="user", object_id=session.actor.user_id)
        uow.commit()


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
    keyring = store.keyring()
    username = session.actor.username
    if keyring.unwrap_with_password(username, old_password) is None:
        raise ValidationFailed([FieldError("old_password", "wrong")])
    with session.uow(clock) as uow:
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
        commit_with_keyring(
            uow, keyring, lambda: keyring.set_user_slot(store.data_key, username, new_password)
        )
    session.actor = replace(session.actor, must_change_password=False)


def commit_with_keyring(uow: UnitOfWork, keyring: Keyring, change: Callable[[], None]) -> None:
    """Apply and save a keyring change, then commit; undo the keyring if the commit fails.

    The keyring and the database are two stores; this order means a crash leaves at worst a
    slot for a change that did not commit, never a committed account without its slot.
    """
    backup = copy.deepcopy(keyring.doc)
    change()
    keyring.save()
    try:
        uow.commit()
    except BaseException:
        keyring.doc = backup
        keyring.save()
        raise


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

            def change() -> None:
                keyring.set_user_slot(data_key, user.username, new_password)
                keyring.set_attempt_state(user.username, AttemptState())

            commit_with_keyring(uow, keyring, change)
    finally:
        store.close()
