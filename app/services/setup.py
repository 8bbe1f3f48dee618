"""First start: create the database, its keyring, the organisation and the three accounts.

三员分立 (issue 23): set-up creates the 系统管理员 (who signs in at once), the 安全保密员 and the
安全审计员. The two others either type their own password at the wizard, or receive a
one-time password (shown once) that they must change at their first sign-in; an account
still holding its one-time password can do nothing else.
"""

from __future__ import annotations

import logging
import os
import uuid
from dataclasses import dataclass, field

from app.clock import Clock
from app.domain.passwords import check_password
from app.domain.roles import Role
from app.errors import DatabaseAlreadyExists, FieldError, ValidationFailed
from app.security import crypto
from app.security.keyring import Keyring, new_recovery_key
from app.services.accounts_validation import check_display_name, check_username
from app.services.auth import SignedIn, database_exists
from app.services.common import actor_from_row
from app.services.users import generate_one_time_password
from app.storage import migrate
from app.storage.engine import KeyHolder, engine_for
from app.storage.files import os_error_to_app
from app.storage.keyring_store import keyring_store_for
from app.storage.location import DatabaseLocation
from app.storage.models import KeyringRow, UserAccount, UserRole
from app.storage.settings import Organisation, SecuritySettings
from app.storage.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SetupRequest:
    """What the setup wizard collects."""

    organisation_name: str
    fonds_name: str
    fonds_code: str
    admin_username: str
    admin_display_name: str
    admin_password: str
    admin_password_confirm: str
    security_username: str = "baomi"
    security_display_name: str = "安全保密员"
    security_password: str | None = None  # None: a one-time password is generated
    auditor_username: str = "shenji"
    auditor_display_name: str = "安全审计员"
    auditor_password: str | None = None

    def three(self) -> list[tuple[Role, str, str, str | None]]:
        """``(role, username, display name, password or None)`` of the three accounts."""
        return [
            (Role.ADMIN, self.admin_username, self.admin_display_name, self.admin_password),
            (
                Role.SECURITY,
                self.security_username,
                self.security_display_name,
                self.security_password,
            ),
            (Role.AUDITOR, self.auditor_username, self.auditor_display_name, self.auditor_password),
        ]


@dataclass(frozen=True)
class SetupResult:
    """The signed-in administrator and the recovery key to show and print once."""

    session: SignedIn
    recovery_key: str
    # user name → one-time password of the 安全保密员 / 安全审计员 when none was typed
    one_time_passwords: dict[str, str] = field(default_factory=dict)


def validate_setup(request: SetupRequest) -> list[FieldError]:
    """Check the wizard's input with the default policy."""
    errors: list[FieldError] = []
    if not request.organisation_name.strip():
        errors.append(FieldError("organisation_name", "required"))
    if not request.fonds_name.strip():
        errors.append(FieldError("fonds_name", "required"))
    code = request.fonds_code.strip()
    if not code:
        errors.append(FieldError("fonds_code", "required"))
    elif not (code.isascii() and code.isalnum() and len(code) <= 8):
        errors.append(FieldError("fonds_code", "format", {"expected": "1–8 位字母或数字，如 Z001"}))
    policy = SecuritySettings().password_policy
    seen: set[str] = set()
    for role, username, display_name, password in request.three():
        prefix = "" if role is Role.ADMIN else f"{role.value}_"
        errors += [_prefixed(e, prefix) for e in check_username(username)]
        errors += [_prefixed(e, prefix) for e in check_display_name(display_name)]
        key = username.strip().casefold()
        if key and key in seen:
            errors.append(FieldError(f"{prefix}username", "taken"))
        seen.add(key)
        if password is not None:
            errors += [
                _prefixed(e, prefix) for e in check_password(password, policy, username=username)
            ]
    if request.admin_password != request.admin_password_confirm:
        errors.append(FieldError("password_confirm", "mismatch"))
    return errors


def _prefixed(error: FieldError, prefix: str) -> FieldError:
    """``error`` on the field of the 安全保密员 / 安全审计员 (``security_username`` …)."""
    return FieldError(prefix + error.field, error.reason, error.params) if prefix else error


def initialize_database(
    *,
    location: DatabaseLocation,
    request: SetupRequest,
    clock: Clock,
    kdf: crypto.KdfParams = crypto.DEFAULT_KDF,
) -> SetupResult:
    """Create a new database at ``location``; all or nothing.

    Raises:
        ValidationFailed: a wizard field is wrong.
        DatabaseAlreadyExists: something is already there (never overwritten).
        StorageError: the folder is read-only, the disk is full, the server is unreachable.
    """
    errors = validate_setup(request)
    if errors:
        raise ValidationFailed(errors)
    if database_exists(location):
        raise DatabaseAlreadyExists(path=location.display())
    if location.is_sqlite:
        try:
            location.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise os_error_to_app(exc, location.sqlite_path.parent) from exc

    data_key = crypto.random_key()
    database_id = uuid.uuid4().hex
    holder = KeyHolder(data_key)
    engine = engine_for(location, holder)
    keyring_store = keyring_store_for(location, engine)
    store = Store(location, engine, holder, keyring_store)
    security = SecuritySettings()
    recovery_key = new_recovery_key()
    try:
        migrate.upgrade(engine)
        if location.is_sqlite:
            from app.storage import catalogue_search, search_sqlite

            with engine.begin() as conn:
                search_sqlite.ensure_schema(conn)
                catalogue_search.ensure_schema(conn)
        if location.is_sqlite and os.name == "posix":
            location.sqlite_path.chmod(0o600)  # only the operator's account reads the file
        now = clock.now()
        with store.unit_of_work(None, clock) as uow:
            uow.settings.put("database_id", database_id)
            uow.settings.put_dataclass(
                Organisation(
                    organisation_name=request.organisation_name.strip(),
                    fonds_name=request.fonds_name.strip(),
                    fonds_code=request.fonds_code.strip().upper(),
                )
            )
            uow.settings.put_dataclass(security)
            accounts: list[tuple[UserAccount, str]] = []
            for role, username, display_name, password in request.three():
                given = password is not None
                account = UserAccount(
                    username=username.strip(),
                    username_key=username.strip().casefold(),
                    display_name=display_name.strip(),
                    created_at=now,
                    password_changed_at=now if given else None,
                    last_sign_in_at=now if role is Role.ADMIN else None,
                    must_change_password=not given,
                    roles=[UserRole(role=role.value)],
                )
                uow.session.add(account)
                secret = password if password is not None else generate_one_time_password()
                accounts.append((account, secret))
            uow.session.flush()
            admin = accounts[0][0]
            actor = actor_from_row(admin)
            uow.audit.record(
                "system.setup",
                object_type="database",
                object_id=database_id,
                actor=actor,
                details={
                    "organisation_name": request.organisation_name.strip(),
                    "fonds_code": request.fonds_code.strip().upper(),
                },
            )
            for account, _secret in accounts:
                uow.audit.record(
                    "user.create",
                    object_type="user",
                    object_id=account.id,
                    actor=actor,
                    details={
                        "username": account.username,
                        "roles": [r.role for r in account.roles],
                    },
                )
            uow.audit.record("auth.sign_in", object_type="user", object_id=admin.id, actor=actor)
            keyring = Keyring.create(
                keyring_store,
                data_key,
                database_id=database_id,
                lockout=security.lockout_policy,
                now=now,
            )
            for account, secret in accounts:
                keyring.set_user_slot(data_key, account.username, secret, kdf)
            keyring.set_recovery_slot(data_key, recovery_key)
            uow.session.flush()
            if location.is_sqlite:
                keyring.save()  # the sidecar first: a committed database always has its keyring
            else:
                # PostgreSQL: the keyring row commits in the same transaction as everything else
                uow.session.add(KeyringRow(id=1, document=keyring.document_json()))
            uow.commit()
    except BaseException:
        store.close()
        _remove_partial(location)
        raise
    log.info("database initialised")
    store.take_lease(actor.username, now)
    one_time = {a.username: secret for a, secret in accounts[1:] if a.must_change_password}
    return SetupResult(
        session=SignedIn(store=store, actor=actor),
        recovery_key=recovery_key,
        one_time_passwords=one_time,
    )


def _remove_partial(location: DatabaseLocation) -> None:
    """Delete what a failed setup left behind (it was all new: nothing of value is lost)."""
    if not location.is_sqlite:
        return
    path = location.sqlite_path
    for candidate in (
        path,
        location.keyring_path,
        *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal")),
    ):
        try:
            candidate.unlink(missing_ok=True)
        except OSError:
            log.warning("could not remove a partial file after failed setup")
