"""The lockout on every path that takes a password, and the keyring's own limits (issue 23):
``verify --user`` / ``restore --user``, a held keyring lock, edited Argon2 and lockout values."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path

import pytest

from app.cli.main import main
from app.clock import FixedClock
from app.errors import KeyringBusy, KeyringDamaged, WrongCredentials
from app.messages.describe import describe
from app.security import keyring as kr
from app.services.auth import SignedIn, sign_in, sign_out
from app.services.backup import run_backup
from app.storage.location import DatabaseLocation
from tests.conftest import ADMIN_PASSWORD


def _cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str, secret: str
) -> tuple[int, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(secret + "\n"))
    code = main(list(args))
    return code, capsys.readouterr().err


@pytest.fixture
def backup(admin: SignedIn, clock: FixedClock, tmp_path: Path) -> Path:
    report = run_backup(session=admin, clock=clock, target=tmp_path / "备份")
    sign_out(session=admin, clock=clock)
    return Path(report.path)


def test_verify_with_a_password_counts_towards_the_live_lock(
    backup: Path,
    location: DatabaseLocation,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = str(location.sqlite_path)
    args = ("verify", str(backup), "--user", "boss", "--db", db)
    code, _err = _cli(monkeypatch, capsys, *args, secret=ADMIN_PASSWORD)
    assert code == 0
    messages = set()
    for n in range(5):
        code, err = _cli(monkeypatch, capsys, *args, secret=f"Wrong-Guess-{n}")
        assert code == 1
        messages.add(err)
    code, err = _cli(monkeypatch, capsys, *args, secret=ADMIN_PASSWORD)  # right, but locked
    assert code == 1 and "用户名或密码错误" in err
    assert messages == {err}  # locked or wrong: one message
    # the live database's own sign-in is locked as well (same count)
    with pytest.raises(WrongCredentials):
        sign_in(location=location, username="boss", password=ADMIN_PASSWORD, clock=FixedClock())
    # the backup itself was never written to
    assert _cli(monkeypatch, capsys, "verify", str(backup), secret="")[0] == 0


def test_restore_with_a_password_is_locked_out_too(
    backup: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = str(tmp_path / "新机器" / "archive.db")
    args = ("restore", str(backup), "--db", target, "--user", "boss")
    for n in range(5):
        code, err = _cli(monkeypatch, capsys, *args, secret=f"Wrong-Guess-{n}")
        assert code == 1 and "用户名或密码错误" in err
    code, err = _cli(monkeypatch, capsys, *args, secret=ADMIN_PASSWORD)
    assert code == 1 and "用户名或密码错误" in err
    assert not Path(target).exists()


def test_a_held_keyring_lock_times_out_with_a_message(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_out(session=admin, clock=clock)
    monkeypatch.setattr(kr, "LOCK_TIMEOUT_SECONDS", 0.3)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with kr.FileKeyringStore(location.keyring_path).locked():
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        held.wait(10)
        with pytest.raises(KeyringBusy) as info:
            sign_in(location=location, username="boss", password=ADMIN_PASSWORD, clock=clock)
        assert "钥匙环正被其他登录或其他工作站占用" in describe(info.value)
    finally:
        release.set()
        holder.join()
    sign_in(location=location, username="boss", password=ADMIN_PASSWORD, clock=clock).store.close()


@pytest.mark.parametrize(
    "kdf",
    [
        {"m": 64 * 1024 * 1024, "t": 3, "p": 2},  # 64 GiB of memory
        {"m": 65536, "t": 1_000_000, "p": 2},  # a million passes
        {"m": 262144, "t": 12, "p": 2},  # each within its range, together too much work
        {"m": 65536, "t": 3, "p": 4096},
    ],
)
def test_edited_argon2_parameters_are_refused_before_any_work(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock, kdf: dict[str, int]
) -> None:
    sign_out(session=admin, clock=clock)
    doc = json.loads(location.keyring_path.read_text())
    for slot in doc["body"]["slots"].values():
        if slot["kind"] == "user":
            slot["kdf"].update(kdf)
    location.keyring_path.write_text(json.dumps(doc))
    with pytest.raises(KeyringDamaged):
        sign_in(location=location, username="boss", password=ADMIN_PASSWORD, clock=clock)


def test_an_edited_lockout_policy_cannot_lift_the_limit(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    sign_out(session=admin, clock=clock)
    doc = json.loads(location.keyring_path.read_text())
    doc["body"]["lockout"] = {"max_failures": 100000, "lock_minutes": 0}
    location.keyring_path.write_text(json.dumps(doc))
    policy = kr.Keyring.load(kr.FileKeyringStore(location.keyring_path)).lockout
    assert (policy.max_failures, policy.lock_minutes) == (20, 1)
