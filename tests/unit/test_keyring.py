import copy
import json
from pathlib import Path

import pytest

from app.clock import FixedClock
from app.domain.lockout import LockoutPolicy
from app.errors import KeyringDamaged, KeyringMissing
from app.security import crypto
from app.security.keyring import FileKeyringStore, Keyring, new_recovery_key, normalize_recovery_key


def make_ring(tmp_path: Path) -> tuple[Keyring, bytes]:
    key = crypto.random_key()
    ring = Keyring.create(
        FileKeyringStore(tmp_path / "x.keyring"),
        key,
        database_id="db1",
        lockout=LockoutPolicy(),
        now=FixedClock().now(),
    )
    ring.set_user_slot(key, "Alice", "Alice-Pass-2026")
    ring.save()
    return ring, key


def test_user_slot_unwraps_only_with_the_right_password(tmp_path: Path) -> None:
    _, key = make_ring(tmp_path)
    loaded = Keyring.load(FileKeyringStore(tmp_path / "x.keyring"))
    assert loaded.unwrap_with_password("alice", "Alice-Pass-2026") == key  # user names ignore case
    assert loaded.unwrap_with_password("Alice", "alice-pass-2026") is None
    assert loaded.unwrap_with_password("bob", "Alice-Pass-2026") is None


def test_slot_stores_argon2id_parameters_and_no_user_name(tmp_path: Path) -> None:
    make_ring(tmp_path)
    text = (tmp_path / "x.keyring").read_text()
    assert "Alice" not in text and "alice" not in text
    slot = next(iter(json.loads(text)["body"]["slots"].values()))
    assert slot["kdf"] == {"alg": "argon2id", "m": 65536, "t": 3, "p": 2}


def test_rewrapping_a_slot_changes_only_that_slot_and_keeps_the_key(tmp_path: Path) -> None:
    ring, key = make_ring(tmp_path)
    ring.set_user_slot(key, "bob", "Bob-Pass-2026x")
    bob_before = copy.deepcopy(ring.body["slots"][ring.label_for("bob")])
    ring.set_user_slot(key, "alice", "New-Alice-Pass-1")
    assert ring.unwrap_with_password("alice", "Alice-Pass-2026") is None
    assert ring.unwrap_with_password("alice", "New-Alice-Pass-1") == key
    assert ring.body["slots"][ring.label_for("bob")] == bob_before
    ring.verify(key)


def test_recovery_slot_accepts_the_key_typed_loosely(tmp_path: Path) -> None:
    ring, key = make_ring(tmp_path)
    recovery = new_recovery_key()
    ring.set_recovery_slot(key, recovery)
    typed = recovery.replace("-", " ").lower()
    assert normalize_recovery_key(typed) == recovery
    assert ring.unwrap_with_recovery_key(typed) == key
    wrong = ("B" if recovery[0] != "B" else "C") + recovery[1:]
    assert ring.unwrap_with_recovery_key(wrong) is None
    assert ring.unwrap_with_recovery_key("too short") is None


def test_recovery_keys_avoid_look_alike_characters() -> None:
    for _ in range(50):
        key = new_recovery_key()
        assert len(key.replace("-", "")) == 52
        assert not set(key) & set("01OI")


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["body"].update(database_id="other"),
        lambda d: d["body"]["lockout"].update(max_failures=1000),
        lambda d: d["body"]["slots"].popitem(),
        lambda d: d.update(mac="00" * 32),
    ],
)
def test_altered_keyring_body_is_reported(tmp_path: Path, mutate) -> None:  # type: ignore[no-untyped-def]
    _, key = make_ring(tmp_path)
    doc = json.loads((tmp_path / "x.keyring").read_text())
    mutate(doc)
    (tmp_path / "x.keyring").write_text(json.dumps(doc))
    loaded = Keyring.load(FileKeyringStore(tmp_path / "x.keyring"))
    with pytest.raises(KeyringDamaged):
        loaded.verify(key)


def test_keyring_of_another_database_does_not_verify(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _, key_a = make_ring(tmp_path / "a")
    ring_b, _ = make_ring(tmp_path / "b")
    with pytest.raises(KeyringDamaged):
        ring_b.verify(key_a)


@pytest.mark.parametrize(
    "content", [b"", b"not json", b"{}", b'{"format": "archive-room-keyring"}', b"\xff\xfe"]
)
def test_unreadable_keyring_is_damaged(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "x.keyring").write_bytes(content)
    with pytest.raises(KeyringDamaged):
        Keyring.load(FileKeyringStore(tmp_path / "x.keyring"))


def test_missing_keyring_is_reported(tmp_path: Path) -> None:
    with pytest.raises(KeyringMissing):
        Keyring.load(FileKeyringStore(tmp_path / "none.keyring"))
