"""The keyring: the database's data key, stored only wrapped, one slot per user plus recovery.

A slot (version 2) holds an X25519 key pair: the private half is sealed under the password's
(or the recovery key's) key-encryption key, the data key is sealed to the public half. So the
data key can be replaced (key rotation, :mod:`app.security.rekey`) for every active slot at once
without anyone's password, and a removed slot's old copy (in a backup) opens only the old key.
The ``root`` is the first data key, sealed under the current one: what was derived from it once
(blind indexes, field and audit keys) stays readable after a rotation without re-encrypting.

The keyring is a JSON document. Its ``body`` (slots, ids, lockout policy) is authenticated with
an HMAC whose key derives from the data key, so a damaged or swapped keyring is reported rather
than trusted. Failed sign-in counters live outside the body (``attempts``): a wrong password
cannot compute the MAC, and anyone able to edit that file could attack the wrapped keys offline
anyway; lockout is an online control. For SQLite the document is a sidecar file next to the
database; for PostgreSQL a one-row table.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import secrets
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from app.clock import as_utc
from app.domain.lockout import AttemptState, LockoutPolicy, bounded_policy
from app.errors import KeyringBusy, KeyringDamaged, KeyringMissing, KeyringTooNew
from app.security import crypto
from app.storage.files import atomic_write_bytes, os_error_to_app

FORMAT = "archive-room-keyring"
FORMAT_VERSION = 1
RECOVERY_LABEL = "recovery"
EVENT_KINDS = frozenset({"failed", "locked"})
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
_RECOVERY_GROUPS = 13  # 13 groups of 4 = 52 characters = 260 bits
# the data keys a rotation keeps in the body, each sealed under a subkey of the current one
_WRAPS = {"root": "keyring-root-wrap/v1", "previous": "keyring-previous-wrap/v1"}

# How long a sign-in waits for another one's keyring update before giving up with a message
# (issue 23: a held lock used to freeze every sign-in for good). Updates inside the lock are
# short (load, change, save: no Argon2), so this only trips on a hung or stuck holder.
LOCK_TIMEOUT_SECONDS = 15.0
_LOCK_POLL_SECONDS = 0.02

# Argon2id parameters are read from a slot *before* the keyring can be authenticated (the MAC
# needs the data key the parameters unlock). They are therefore bounded first: an edited
# keyring cannot make a sign-in arbitrarily slow or memory-hungry. The ceiling is four times
# the default work; the floor admits the tests' fast parameters.
KDF_MEMORY_KIB = (1024, 4 * crypto.DEFAULT_KDF.memory_kib)
KDF_TIME_COST = (1, 4 * crypto.DEFAULT_KDF.time_cost)
KDF_PARALLELISM = (1, 8)
KDF_MAX_WORK = 4 * crypto.DEFAULT_KDF.memory_kib * crypto.DEFAULT_KDF.time_cost


def kdf_params_within_bounds(params: crypto.KdfParams) -> bool:
    """True when ``params`` cost no more than the ceiling (and no less than the floor)."""
    return (
        KDF_MEMORY_KIB[0] <= params.memory_kib <= KDF_MEMORY_KIB[1]
        and KDF_TIME_COST[0] <= params.time_cost <= KDF_TIME_COST[1]
        and KDF_PARALLELISM[0] <= params.parallelism <= KDF_PARALLELISM[1]
        and params.memory_kib * params.time_cost <= KDF_MAX_WORK
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _seal_to(public: bytes, secret: bytes, aad: bytes) -> bytes:
    """Seal ``secret`` to an X25519 public key (ephemeral key agreement, HKDF, AES-GCM)."""
    ephemeral = X25519PrivateKey.generate()
    eph_pub = ephemeral.public_key().public_bytes_raw()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public))
    key = crypto.derive_subkey(shared + eph_pub + public, "keyslot-seal/v2")
    return eph_pub + crypto.seal(key, secret, aad)


def _open_from(private: bytes, sealed: bytes, aad: bytes) -> bytes:
    """Reverse :func:`_seal_to` with the private key; raise DecryptionFailed."""
    if len(sealed) < 32:
        raise crypto.DecryptionFailed
    me = X25519PrivateKey.from_private_bytes(private)
    eph_pub = sealed[:32]
    shared = me.exchange(X25519PublicKey.from_public_bytes(eph_pub))
    public = me.public_key().public_bytes_raw()
    key = crypto.derive_subkey(shared + eph_pub + public, "keyslot-seal/v2")
    return crypto.open_sealed(key, sealed[32:], aad)


def _new_pair_slot(kek: bytes, data_key: bytes, aad: bytes) -> dict[str, Any]:
    """The sealed parts of a version-2 slot: private key under ``kek``, data key to the public."""
    private = X25519PrivateKey.generate()
    public = private.public_key().public_bytes_raw()
    return {
        "v": 2,
        "public": _b64(public),
        "private": _b64(crypto.seal(kek, private.private_bytes_raw(), aad + b"/private")),
        "wrapped": _b64(_seal_to(public, data_key, aad)),
    }


def _open_slot(slot: dict[str, Any], kek: bytes, aad: bytes) -> bytes:
    """The data key from ``slot`` with its key-encryption key; raise DecryptionFailed."""
    if slot.get("v") == 2:
        private = crypto.open_sealed(kek, _unb64(slot["private"]), aad + b"/private")
        return _open_from(private, _unb64(slot["wrapped"]), aad)
    return crypto.open_sealed(kek, _unb64(slot["wrapped"]), aad)


def _canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


# --- recovery key text ----------------------------------------------------------------------
def new_recovery_key() -> str:
    """Return a fresh recovery key as 13 groups of 4 unambiguous characters."""
    chars = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(4 * _RECOVERY_GROUPS))
    return "-".join(chars[i : i + 4] for i in range(0, len(chars), 4))


def normalize_recovery_key(text: str) -> str | None:
    """Return the canonical form of a typed recovery key, or None when it cannot be one."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(cleaned) != 4 * _RECOVERY_GROUPS or any(c not in _RECOVERY_ALPHABET for c in cleaned):
        return None
    return "-".join(cleaned[i : i + 4] for i in range(0, len(cleaned), 4))


def _recovery_kek(recovery_key: str, salt: bytes) -> bytes:
    # The recovery key already carries 260 bits of entropy: HKDF is enough, no Argon2 needed.
    return crypto.derive_subkey(salt + recovery_key.encode("ascii"), "recovery-kek/v1")


# --- storage of the document ------------------------------------------------------------------
class KeyringStore(Protocol):
    """Where the keyring document lives."""

    description: str

    def locked(self) -> AbstractContextManager[None]:
        """Hold an exclusive lock for a load → change → save cycle (other workstations wait)."""
        ...

    def exists(self) -> bool:
        """Return True when a keyring document is stored."""
        ...

    def load(self) -> dict[str, Any]:
        """Return the stored document; raise KeyringMissing or KeyringDamaged."""
        ...

    def save(self, doc: dict[str, Any]) -> None:
        """Replace the stored document atomically."""
        ...


class FileKeyringStore:
    """A sidecar JSON file, written atomically (temp file, fsync, rename)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.description = str(path)

    @contextmanager
    def locked(self, timeout: float | None = None) -> Iterator[None]:
        """Lock ``<keyring>.lock`` exclusively (flock on POSIX, msvcrt on Windows).

        Raises KeyringBusy when the lock is not free within ``timeout`` seconds (default
        :data:`LOCK_TIMEOUT_SECONDS`).
        """
        lock_path = self.path.with_name(self.path.name + ".lock")
        try:
            handle = open(lock_path, "a+b")  # noqa: SIM115 (held for the whole block)
        except OSError as exc:
            raise os_error_to_app(exc, lock_path) from exc
        try:
            wait = LOCK_TIMEOUT_SECONDS if timeout is None else timeout
            if not _lock_file(handle.fileno(), wait):
                raise KeyringBusy(seconds=round(wait))
            try:
                yield
            finally:
                _unlock_file(handle.fileno())
        finally:
            handle.close()

    def exists(self) -> bool:
        """Return True when the sidecar file exists."""
        return self.path.exists()

    def load(self) -> dict[str, Any]:
        """Read and parse the sidecar file."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError as exc:
            raise KeyringMissing(path=str(self.path)) from exc
        except OSError as exc:
            raise KeyringDamaged(path=str(self.path)) from exc
        return parse_document(raw, str(self.path))

    def save(self, doc: dict[str, Any]) -> None:
        """Write the document atomically next to the database."""
        atomic_write_bytes(self.path, json.dumps(doc, indent=1, sort_keys=True).encode())


def _try_lock(fd: int) -> bool:
    """One non-blocking attempt at the exclusive lock."""
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _lock_file(fd: int, timeout: float) -> bool:
    """Take the lock, polling until ``timeout`` seconds have passed; False when it stayed held."""
    deadline = time.monotonic() + max(0.0, timeout)
    while not _try_lock(fd):
        if time.monotonic() >= deadline:
            return False
        time.sleep(_LOCK_POLL_SECONDS)
    return True


def _unlock_file(fd: int) -> None:
    if os.name == "nt":  # pragma: no cover
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)


def parse_document(raw: bytes, where: str) -> dict[str, Any]:
    """Parse and structurally check a keyring document."""
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise KeyringDamaged(path=where) from exc
    if (
        not isinstance(doc, dict)
        or doc.get("format") != FORMAT
        or not isinstance(doc.get("body"), dict)
        or not isinstance(doc["body"].get("slots"), dict)
        or not isinstance(doc.get("mac"), str)
    ):
        raise KeyringDamaged(path=where)
    body = doc["body"]
    version = body.get("version")
    if isinstance(version, int) and version > FORMAT_VERSION:
        raise KeyringTooNew(path=where)
    if (
        version != FORMAT_VERSION
        or not isinstance(body.get("keyring_id"), str)
        or not isinstance(body.get("database_id"), str)
        or not isinstance(body.get("lockout", {}), dict)
        or not all(isinstance(s, dict) for s in body["slots"].values())
    ):
        raise KeyringDamaged(path=where)
    if not isinstance(doc.get("attempts"), dict):
        doc["attempts"] = {}
    if not isinstance(doc.get("events"), list):
        doc["events"] = []
    return doc


# --- the keyring itself ----------------------------------------------------------------------
@dataclass
class SignInEvent:
    """A failed sign-in or lock recorded before the database could be opened."""

    label: str
    kind: str  # "failed" | "locked"
    at: datetime


@dataclass
class Keyring:
    """An in-memory keyring document bound to its store."""

    store: KeyringStore
    doc: dict[str, Any]
    _pending: list[SignInEvent] = field(default_factory=list)

    # -- creation -----------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        store: KeyringStore,
        data_key: bytes,
        *,
        database_id: str,
        lockout: LockoutPolicy,
        now: datetime,
    ) -> Keyring:
        """Start a new keyring for ``database_id`` (not saved until :meth:`save`)."""
        body = {
            "version": FORMAT_VERSION,
            "keyring_id": uuid.uuid4().hex,
            "database_id": database_id,
            "created_at": as_utc(now).isoformat(),
            "key_version": 1,
            "lockout": {"max_failures": lockout.max_failures, "lock_minutes": lockout.lock_minutes},
            "slots": {},
        }
        ring = cls(store, {"format": FORMAT, "body": body, "mac": "", "attempts": {}, "events": []})
        ring.seal(data_key)
        return ring

    @classmethod
    def load(cls, store: KeyringStore) -> Keyring:
        """Read the keyring from ``store`` (authenticity is checked on unlock)."""
        return cls(store, store.load())

    def save(self) -> None:
        """Write the document back to its store."""
        self.store.save(self.doc)

    def document_json(self) -> str:
        """The document as stored (for writing it inside a database transaction)."""
        return json.dumps(self.doc, sort_keys=True)

    # -- properties ---------------------------------------------------------------------
    @property
    def body(self) -> dict[str, Any]:
        """The authenticated part."""
        body: dict[str, Any] = self.doc["body"]
        return body

    @property
    def database_id(self) -> str:
        """The database this keyring belongs to."""
        return str(self.body["database_id"])

    @property
    def lockout(self) -> LockoutPolicy:
        """The lockout policy copied here so it applies before the database is open."""
        # read before the body is authenticated: an edited keyring must not lift the limit
        data = self.body.get("lockout", {})
        try:
            policy = LockoutPolicy(
                max_failures=int(data.get("max_failures", 5)),
                lock_minutes=int(data.get("lock_minutes", 15)),
            )
        except (TypeError, ValueError):
            policy = LockoutPolicy()
        return bounded_policy(policy)

    def label_for(self, username: str) -> str:
        """Return the slot label of ``username`` (a hash: no names in the file)."""
        text = f"{self.body['keyring_id']}\x00{username.strip().casefold()}"
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def has_user(self, username: str) -> bool:
        """Return True when ``username`` has a slot."""
        return self.label_for(username) in self.body["slots"]

    # -- authenticity -------------------------------------------------------------------
    def _mac(self, data_key: bytes) -> str:
        key = crypto.derive_subkey(data_key, "keyring-mac/v1")
        return crypto.mac(key, _canonical(self.body)).hex()

    def seal(self, data_key: bytes) -> None:
        """Recompute the MAC after a change to the body."""
        self.doc["mac"] = self._mac(data_key)

    def verify(self, data_key: bytes) -> None:
        """Raise KeyringDamaged unless the body's MAC matches ``data_key``."""
        if not secrets.compare_digest(self._mac(data_key), str(self.doc.get("mac", ""))):
            raise KeyringDamaged(path=self.store.description)

    # -- slots --------------------------------------------------------------------------
    def _aad(self, label: str) -> bytes:
        return f"archive-room/keyslot/v1/{self.body['keyring_id']}/{label}".encode()

    def set_user_slot(
        self,
        data_key: bytes,
        username: str,
        password: str,
        params: crypto.KdfParams = crypto.DEFAULT_KDF,
    ) -> None:
        """(Re)wrap the data key for ``username`` under ``password``; re-encrypts nothing."""
        label = self.label_for(username)
        salt = os.urandom(16)
        kek = crypto.derive_password_key(password, salt, params)
        self.body["slots"][label] = {
            "kind": "user",
            "salt": _b64(salt),
            "kdf": {"alg": "argon2id", **params.as_dict()},
            **_new_pair_slot(kek, data_key, self._aad(label)),
        }
        self.seal(data_key)

    def remove_user_slot(self, data_key: bytes, username: str) -> None:
        """Remove ``username``'s slot (disabled accounts can no longer decrypt the store)."""
        self.body["slots"].pop(self.label_for(username), None)
        self.doc["attempts"].pop(self.label_for(username), None)
        self.seal(data_key)

    def set_recovery_slot(self, data_key: bytes, recovery_key: str) -> None:
        """Wrap the data key under the recovery key."""
        salt = os.urandom(16)
        kek = _recovery_kek(recovery_key, salt)
        self.body["slots"][RECOVERY_LABEL] = {
            "kind": "recovery",
            "salt": _b64(salt),
            "kdf": {"alg": "hkdf-sha256"},
            **_new_pair_slot(kek, data_key, self._aad(RECOVERY_LABEL)),
        }
        self.seal(data_key)

    def unwrap_with_password(self, username: str, password: str) -> bytes | None:
        """Return the data key, or None when the user has no slot or the password is wrong."""
        slot = self.body["slots"].get(self.label_for(username))
        if not isinstance(slot, dict) or slot.get("kind") != "user":
            # Spend the same time as a real attempt so user names cannot be probed.
            crypto.derive_password_key(password, b"\x00" * 16)
            return None
        try:
            params = crypto.KdfParams.from_dict(slot["kdf"])
            if not kdf_params_within_bounds(params):  # checked before any Argon2 work
                raise ValueError("kdf parameters out of bounds")
            kek = crypto.derive_password_key(password, _unb64(slot["salt"]), params)
            key = _open_slot(slot, kek, self._aad(self.label_for(username)))
        except crypto.DecryptionFailed:
            return None
        except (KeyError, ValueError, TypeError) as exc:
            raise KeyringDamaged(path=self.store.description) from exc
        return key

    def unwrap_with_recovery_key(self, recovery_key: str) -> bytes | None:
        """Return the data key, or None when the recovery key does not fit."""
        normal = normalize_recovery_key(recovery_key)
        slot = self.body["slots"].get(RECOVERY_LABEL)
        if normal is None or not isinstance(slot, dict):
            return None
        try:
            kek = _recovery_kek(normal, _unb64(slot["salt"]))
            return _open_slot(slot, kek, self._aad(RECOVERY_LABEL))
        except crypto.DecryptionFailed:
            return None
        except (KeyError, ValueError, TypeError) as exc:
            raise KeyringDamaged(path=self.store.description) from exc

    # -- rotation ---------------------------------------------------------------------------
    @property
    def key_version(self) -> int:
        """How many data keys this keyring has had (1 until the first rotation)."""
        return int(self.body.get("key_version", 1))

    def root_key(self, data_key: bytes) -> bytes:
        """The first data key (derivation root); it is ``data_key`` until the first rotation."""
        root = self._open_wrapped("root", data_key)
        return data_key if root is None else root

    def previous_key(self, data_key: bytes) -> bytes | None:
        """The data key being replaced while a rotation is unfinished (else None)."""
        return self._open_wrapped("previous", data_key)

    def _open_wrapped(self, name: str, data_key: bytes) -> bytes | None:
        """The key kept as ``name`` (see _WRAPS), sealed under ``data_key``; None if absent."""
        sealed = self.body.get(name)
        if sealed is None:
            return None
        key = crypto.derive_subkey(data_key, _WRAPS[name])
        try:
            return crypto.open_sealed(key, _unb64(str(sealed)), self._aad(name))
        except (crypto.DecryptionFailed, ValueError) as exc:
            raise KeyringDamaged(path=self.store.description) from exc

    def has_legacy_slot(self, username: str) -> bool:
        """True when ``username``'s slot predates key pairs (it cannot follow a rotation)."""
        slot = self.body["slots"].get(self.label_for(username))
        return isinstance(slot, dict) and slot.get("v") != 2

    def slot_params(self, username: str) -> crypto.KdfParams:
        """The Argon2 parameters of ``username``'s slot (kept when the slot is re-made)."""
        slot = self.body["slots"].get(self.label_for(username)) or {}
        try:
            return crypto.KdfParams.from_dict(slot["kdf"])
        except (KeyError, TypeError, ValueError):
            return crypto.DEFAULT_KDF

    def slot_labels(self) -> dict[str, str]:
        """Label → kind of every slot."""
        return {label: str(slot.get("kind")) for label, slot in self.body["slots"].items()}

    def rotate(self, old_key: bytes, new_key: bytes, keep: set[str]) -> list[str]:
        """Seal ``new_key`` to the slots labelled in ``keep`` (and recovery); drop all others.

        Call only after :meth:`verify` with ``old_key``. Version-1 slots (made before key pairs)
        cannot be re-sealed without their password: they are dropped and their labels returned
        (those accounts need a new one-time password). ``old_key`` is kept sealed under the new
        key (``previous``) until :meth:`finish_rotation`, so an interrupted rotation resumes.
        """
        root = self.root_key(old_key)
        dropped: list[str] = []
        slots: dict[str, Any] = {}
        for label, slot in self.body["slots"].items():
            wanted = label == RECOVERY_LABEL or label in keep
            if not wanted:
                continue
            if slot.get("v") != 2:
                dropped.append(label)
                continue
            public = _unb64(str(slot["public"]))
            slots[label] = {**slot, "wrapped": _b64(_seal_to(public, new_key, self._aad(label)))}
        self.body["slots"] = slots
        self.doc["attempts"] = {k: v for k, v in self.doc["attempts"].items() if k in slots}
        self.body["key_version"] = self.key_version + 1
        wrap = crypto.derive_subkey(new_key, _WRAPS["root"])
        self.body["root"] = _b64(crypto.seal(wrap, root, self._aad("root")))
        prev = crypto.derive_subkey(new_key, _WRAPS["previous"])
        self.body["previous"] = _b64(crypto.seal(prev, old_key, self._aad("previous")))
        # earlier keys, for reading backups made before this rotation (sealed under the new key)
        history = [*self.history_keys(old_key), old_key]
        hist = crypto.derive_subkey(new_key, "keyring-history-wrap/v1")
        self.body["history"] = [
            _b64(crypto.seal(hist, k, self._aad(f"history/{n}"))) for n, k in enumerate(history)
        ]
        self.seal(new_key)
        return dropped

    def history_keys(self, data_key: bytes) -> list[bytes]:
        """The data keys before the current one, oldest first (to read older backups)."""
        hist = crypto.derive_subkey(data_key, "keyring-history-wrap/v1")
        out = []
        for n, sealed in enumerate(self.body.get("history", [])):
            try:
                out.append(crypto.open_sealed(hist, _unb64(str(sealed)), self._aad(f"history/{n}")))
            except (crypto.DecryptionFailed, ValueError) as exc:
                raise KeyringDamaged(path=self.store.description) from exc
        return out

    def finish_rotation(self, data_key: bytes) -> None:
        """Forget the previous data key (every file is under ``data_key`` now)."""
        self.body.pop("previous", None)
        self.seal(data_key)

    def set_lockout(self, data_key: bytes, policy: LockoutPolicy) -> None:
        """Copy the lockout policy into the authenticated body."""
        self.body["lockout"] = {
            "max_failures": policy.max_failures,
            "lock_minutes": policy.lock_minutes,
        }
        self.seal(data_key)

    # -- failed attempts ------------------------------------------------------------------
    def attempt_state(self, username: str) -> AttemptState:
        """Return the failure count and lock of ``username``."""
        data = self.doc["attempts"].get(self.label_for(username)) or {}
        until = data.get("locked_until")
        try:
            locked = as_utc(datetime.fromisoformat(until)) if until else None
            return AttemptState(
                failures=int(data.get("failures", 0)),
                locked_until=locked,
                locks=int(data.get("locks", 0)),
            )
        except (TypeError, ValueError):
            return AttemptState()

    def set_attempt_state(self, username: str, state: AttemptState) -> None:
        """Store the failure count and lock of ``username`` (caller saves)."""
        label = self.label_for(username)
        if state.failures == 0 and state.locked_until is None and state.locks == 0:
            self.doc["attempts"].pop(label, None)
            return
        self.doc["attempts"][label] = {
            "failures": state.failures,
            "locked_until": state.locked_until.isoformat() if state.locked_until else None,
            "locks": state.locks,
        }

    def add_event(self, username: str, kind: str, at: datetime) -> None:
        """Queue a failed sign-in or lock for the audit trail (flushed on the next unlock)."""
        self.doc["events"].append(
            {"label": self.label_for(username), "kind": kind, "at": as_utc(at).isoformat()}
        )
        del self.doc["events"][:-1000]  # bounded: a flood of guesses cannot fill the disk

    def take_events(
        self, resolve: Callable[[str], str | None], now: datetime
    ) -> list[tuple[str | None, str, datetime]]:
        """Remove queued events; return ``(username or None, kind, at)`` for each.

        ``resolve`` maps a label back to a known user name. The queue is outside the MAC, so
        only the two known kinds are accepted and times in the future are clamped to ``now``.
        """
        out = []
        for ev in self.doc.get("events", []):
            try:
                kind = str(ev["kind"])
                at = min(as_utc(datetime.fromisoformat(ev["at"])), as_utc(now))
                if kind in EVENT_KINDS:
                    out.append((resolve(str(ev["label"])), kind, at))
            except (KeyError, TypeError, ValueError):
                continue
        self.doc["events"] = []
        return out
