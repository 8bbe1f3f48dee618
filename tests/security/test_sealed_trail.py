"""Insiders against the audit trail: each attack beats the keyed chain alone, not the seals.

The data key is in every user's hands (every password unwraps it), so an archivist, an
approver, the administrator or the auditor can recompute the hash chain and its checkpoints.
What they cannot recompute is a seal of a past epoch: its key was erased when the next epoch
began, and only the auditor's verification key derives it again (issue 23).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.services.audit import verify_audit_chain, verify_sealed_trail
from app.services.auth import sign_out
from tests.conftest import ADMIN_PASSWORD, SECURITY_PASSWORD, SECURITY_USER
from tests.factories import PASSWORD
from tests.security.conftest import Insider, Office, copy_files, every_row, open_insider, put_back


def verify(office: Office, *, key: str | None = None, anchors: tuple = ()):  # type: ignore[no-untyped-def]
    session = office.sign_in("audit")
    try:
        return verify_sealed_trail(
            session.store, office.key.text if key is None else key, office.clock, anchors=anchors
        )
    finally:
        sign_out(session=session, clock=office.clock)


def own_entry(insider: Insider, username: str = "lisi") -> int:
    with insider.engine.connect() as conn:
        return int(
            conn.exec_driver_sql(
                "SELECT min(seq) FROM audit_entry WHERE actor_name = ? AND action = ?",
                (username, "customer.create"),
            ).scalar_one()
        )


def test_an_untouched_trail_verifies_with_the_auditors_key(office: Office) -> None:
    office.work()
    result = verify(office)
    assert result.ok, result.problems
    assert result.keyed and result.seals is not None and result.seals.seals >= 3
    assert result.unsealed == 0  # sign-out sealed everything


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("lisi", PASSWORD),
        ("wang", PASSWORD),
        ("boss", ADMIN_PASSWORD),
        ("audit", PASSWORD),
        (SECURITY_USER, SECURITY_PASSWORD),
    ],
    ids=["archivist", "approver", "admin", "auditor", "security_officer"],
)
def test_an_entry_deleted_and_the_chain_recomputed_with_the_data_key_is_detected(
    office: Office, insider_factory: list[Insider], username: str, password: str
) -> None:
    office.work()
    office.work()
    insider = open_insider(insider_factory, office.location, username, password)
    victim = own_entry(insider)
    insider.sql(f"DELETE FROM audit_entry WHERE seq = {victim}")
    insider.rechain()
    insider.close()
    session = office.sign_in("audit")
    try:
        assert verify_audit_chain(session.store).ok  # the keyed chain alone is fooled
    finally:
        sign_out(session=session, clock=office.clock)
    result = verify(office)
    assert not result.ok
    assert any("重算了审计链" in p or "不符" in p for p in result.problems), result.problems


def test_reforging_the_seals_with_the_current_epoch_key_is_detected(
    office: Office, insider_factory: list[Insider]
) -> None:
    """The insider reads the stored (current) key and reseals every epoch with it."""
    from sqlalchemy.orm import Session

    from app.security import seal_store, sealing
    from app.storage.models import AuditSeal

    office.work()
    insider = open_insider(insider_factory, office.location, "lisi")
    insider.sql(f"DELETE FROM audit_entry WHERE seq = {own_entry(insider)}")
    insider.rechain()
    with Session(insider.engine) as session, session.begin():
        state = seal_store.load_state(session, insider.data_key)
        assert state is not None
        hashes = dict(
            session.execute(
                __import__("sqlalchemy").text("SELECT seq, entry_hash FROM audit_entry")
            ).all()
        )
        for seal in session.query(AuditSeal).all():
            last = min(seal.last_seq, max(hashes))
            seal.last_seq = last
            seal.head_hash = hashes[last]
            seal.mac = sealing.seal_mac(
                state.key, seal.epoch, seal.first_seq, last, seal.head_hash, seal.closed_at
            )
    result = verify(office)
    assert not result.ok
    assert any("与验证密钥不符" in p for p in result.problems), result.problems


def test_the_tail_cut_together_with_its_checkpoints_and_seals_is_detected(
    office: Office, insider_factory: list[Insider], tmp_path: Path
) -> None:
    office.work()
    insider = open_insider(insider_factory, office.location, "lisi")
    with insider.engine.connect() as conn:
        epochs = conn.exec_driver_sql("SELECT epoch, first_seq FROM audit_seal ORDER BY epoch")
        last_epoch, first_of_last = epochs.fetchall()[-1]
    insider.sql(
        f"DELETE FROM audit_entry WHERE seq >= {first_of_last}",
        f"DELETE FROM audit_seal WHERE epoch >= {last_epoch}",
    )
    insider.rechain()  # checkpoints rewritten to the shortened head
    insider.close()
    result = verify(office)
    assert any("截去" in p for p in result.problems), result.problems
    # the command line names it and exits non-zero
    key_file = tmp_path / "audit.key"
    key_file.write_text(office.key.text)
    run = subprocess.run(
        [
            *(sys.executable, "-m", "app.cli", "check"),
            *("--db", str(office.location.sqlite_path), "--user", "audit"),
            *("--audit-key", str(key_file)),
        ],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "截去" in run.stderr


def test_the_sign_in_warns_the_auditor_of_a_cut_tail_even_without_the_key(
    office: Office, insider_factory: list[Insider]
) -> None:
    office.work()
    insider = open_insider(insider_factory, office.location, "boss", ADMIN_PASSWORD)
    with insider.engine.connect() as conn:
        top = conn.exec_driver_sql("SELECT max(epoch) FROM audit_seal").scalar_one()
    insider.sql(f"DELETE FROM audit_seal WHERE epoch = {top}")
    insider.close()
    session = office.sign_in("audit")
    try:
        assert session.audit_warning is not None and "截去" in session.audit_warning
    finally:
        sign_out(session=session, clock=office.clock)


def test_putting_back_an_older_seal_state_alone_is_detected(
    office: Office, insider_factory: list[Insider], tmp_path: Path
) -> None:
    """An insider who kept an old epoch key puts it back to reseal from there."""
    insider = open_insider(insider_factory, office.location, "lisi")
    with insider.engine.connect() as conn:
        old = conn.exec_driver_sql("SELECT * FROM audit_seal_state").fetchone()
    insider.close()
    office.work()
    office.work()
    insider = open_insider(insider_factory, office.location, "lisi")
    with insider.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE audit_seal_state SET epoch = ?, sealed_key = ?, opened_at = ?, opened_seq = ?",
            tuple(old[1:]),
        )
    insider.close()
    result = verify(office)
    assert any("旧的副本" in p for p in result.problems), result.problems


def test_whole_files_rolled_back_to_an_earlier_copy_are_detected_by_the_anchors(
    office: Office, tmp_path: Path
) -> None:
    office.work()
    copy_files(office.location, tmp_path / "kept")  # an insider keeps today's files
    office.work()  # … the auditor reviews later: the head is shown and kept as an anchor
    session = office.sign_in("audit")
    try:
        review = verify_sealed_trail(session.store, office.key.text, office.clock, keep_anchor=True)
    finally:
        sign_out(session=session, clock=office.clock)
    assert review.ok, review.problems
    anchor = review.head
    office.admin.store.close()
    put_back(office.location, tmp_path / "kept")  # every file, all consistent with each other
    # the chain, checkpoints and seals of the old copy hold by themselves …
    session = office.sign_in("audit")
    try:
        assert verify_audit_chain(session.store).ok
        # … but the chain ends before the anchor this workstation kept: reported at sign-in
        assert session.audit_warning is not None and "回滚" in session.audit_warning
    finally:
        sign_out(session=session, clock=office.clock)
    # and on another workstation, with the anchor the auditor wrote down
    from app.security.anchors import anchor_folder

    for book in anchor_folder().glob("*.jsonl"):
        book.unlink()
    result = verify(office, anchors=(anchor,))
    assert any("回滚" in p for p in result.problems), result.problems


def test_a_restore_through_the_app_is_not_taken_for_a_rollback(
    office: Office, tmp_path: Path
) -> None:
    from app.services.backup import prepare_restore, run_backup, switch_to_restored

    office.work()
    backup = Path(run_backup(session=office.admin, clock=office.clock, target=tmp_path / "b").path)
    office.work()
    session = office.sign_in("audit")
    try:  # the auditor's review after the backup keeps an anchor past the backup's head
        review = verify_sealed_trail(session.store, office.key.text, office.clock, keep_anchor=True)
    finally:
        sign_out(session=session, clock=office.clock)
    assert review.ok, review.problems
    summary = prepare_restore(session=office.admin, clock=office.clock, backup=backup)
    sign_out(session=office.admin, clock=office.clock)
    switch_to_restored(
        db=office.location.sqlite_path, staged=Path(summary.staged_path), now=office.clock.now()
    )
    assert not Path(summary.staged_path + ".restore-head").exists()
    session = office.sign_in("audit")
    try:  # the restore is in the trail (backup.restore) and the anchor book knows of it
        assert session.audit_warning is None, session.audit_warning
    finally:
        sign_out(session=session, clock=office.clock)
    assert verify(office).ok
    # the anchor the auditor printed before the restore still tells the restore apart on paper
    result = verify(office, anchors=(review.head,))
    assert any("回滚" in p or "不一致" in p or "改写" in p for p in result.problems), (
        result.problems
    )


def test_check_takes_the_anchor_on_the_command_line(office: Office, tmp_path: Path) -> None:
    office.work()
    key_file = tmp_path / "audit.key"
    key_file.write_text(office.key.text)
    result = verify(office)
    good = result.head.text()
    bad = f"{result.head.seq}:{'0' * 64}"
    base = [sys.executable, "-m", "app.cli", "check", "--db", str(office.location.sqlite_path)]
    base += ["--user", "audit", "--audit-key", str(key_file)]

    def run(anchor: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*base, "--anchor", anchor],
            input=PASSWORD + "\n",
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
        )

    ok = run(good)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "审计封印校验通过（验证密钥）" in ok.stdout and "锚点：1 个" in ok.stdout
    wrong = run(bad)
    assert wrong.returncode == 1 and "锚点不符" in wrong.stderr


def test_a_wrong_or_foreign_verification_key_is_refused(office: Office) -> None:
    from app.security.sealing import format_verification_key, new_seed

    office.work()
    foreign = format_verification_key(new_seed(), office.key.database_id)
    assert any("不符" in p for p in verify(office, key=foreign).problems)
    other_db = format_verification_key(new_seed(), "0" * 32)
    assert any("另一个数据库" in p for p in verify(office, key=other_db).problems)
    assert any("格式不正确" in p for p in verify(office, key="hello").problems)


def test_the_program_never_stores_the_verification_key(office: Office) -> None:
    """Neither the database (decrypted) nor any side file holds S0 in any form."""
    from app.security.sealing import parse_verification_key

    parsed = parse_verification_key(office.key.text)
    assert parsed is not None
    seed = parsed[0]
    office.work()
    office.admin.store.close()
    insider = Insider(office.location, "lisi", PASSWORD)
    try:
        with insider.engine.connect() as conn:
            dump = every_row(conn)
            (state,) = conn.exec_driver_sql("SELECT sealed_key FROM audit_seal_state").one()
    finally:
        insider.close()
    assert seed.hex().encode() not in dump.lower() and repr(seed).encode()[2:-1] not in dump
    from app.security import seal_store
    from app.security.crypto import DecryptionFailed, open_sealed

    with pytest.raises(DecryptionFailed):  # the stored key is S_n for n ≥ 1, never S0
        open_sealed(seal_store.state_key(insider.data_key), bytes(state), b"audit_seal_state/0")
    db = office.location.sqlite_path
    for path in db.parent.glob(db.name + "*"):
        if path.is_file():
            assert seed not in path.read_bytes()


def test_every_audit_export_prints_the_chain_head_and_keeps_it_as_an_anchor(
    office: Office, tmp_path: Path
) -> None:
    """A review's export is an anchor: on paper, and in this workstation's book."""
    import io

    import pypdfium2 as pdfium
    from openpyxl import load_workbook

    from app.services.audit import AuditFilter, export_audit

    office.work()
    copy_files(office.location, tmp_path / "kept")  # an insider keeps today's files
    office.work()
    session = office.sign_in("audit")
    try:
        pdf, xlsx = (
            export_audit(
                session=session,
                audit_filter=AuditFilter(),
                fmt=fmt,
                purpose="季度审查",
                clock=office.clock,
            )
            for fmt in ("pdf", "xlsx")
        )
        chain = verify_audit_chain(session.store)
    finally:
        sign_out(session=session, clock=office.clock)
    head = f"{chain.head_seq}:{chain.head_hash.hex()}"  # the second export's own entry
    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert sheet is not None
    assert f"审计链头（锚点，请留存）：{head}" in str(sheet["A1"].value)
    doc = pdfium.PdfDocument(pdf)
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    flat = "".join(text.split())
    assert "审计链头（锚点，请留存）" in flat
    assert f"{chain.head_seq - 1}:" in flat  # the PDF's own head: just before the workbook's
    from app.security.anchors import anchor_folder

    [book] = anchor_folder().glob("*.jsonl")
    assert chain.head_hash.hex() in book.read_text()
    # all files put back to the copy: the sign-in finds the chain ends before the export's head
    office.admin.store.close()
    put_back(office.location, tmp_path / "kept")
    session = office.sign_in("audit")
    try:
        assert session.audit_warning is not None and "回滚" in session.audit_warning
    finally:
        sign_out(session=session, clock=office.clock)
