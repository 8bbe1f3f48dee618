"""Personal data lifecycle (issue 18): consent at registration, purpose binding, storage ends,
erasure requests with approval, erasure verified against an earlier copy and a backup."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import FixedClock
from app.domain.roles import ApproverTitle, Role
from app.errors import (
    ApproverNotInRoute,
    HoldInForce,
    PermissionDenied,
    PurposeRefused,
    SelfApprovalRefused,
    ValidationFailed,
)
from app.messages import describe
from app.security.vault import KeyDestroyed
from app.services import privacy
from app.services.auth import SignedIn, sign_in, sign_out
from app.services.backup import prepare_restore, run_backup
from app.services.catalogue import VolumeDraft, create_volume
from app.services.customers import (
    change_customer_status,
    get_customer,
    register_customer,
    reveal_customer,
    search_customers,
)
from app.services.disposition.holds import place_hold, release_hold
from app.storage.engine import sqlcipher_engine
from app.storage.location import DatabaseLocation
from app.storage.models import Customer, CustomerConsent, ErasureRequest, Volume
from app.storage.store import checkpoint, open_store
from tests.factories import PASSWORD, VALID_ID, add_user, person, prospect

CONSENT = privacy.ConsentInput(
    purposes=("合同履行", "客户服务", "营销"),
    method="written",
    given_on=date(2026, 1, 2),
    valid_until=date(2030, 12, 31),
    form=b"%PDF-1.4 signed consent form",
    form_name="同意书.pdf",
)


def _fields(exc: ValidationFailed) -> set[tuple[str, str]]:
    return {(e.field, e.reason) for e in exc.errors}


def _approver(admin: SignedIn, location: DatabaseLocation, clock: FixedClock) -> SignedIn:
    """刘芳, the 客服部经理 the archivist fixture creates (a configured erasure approver)."""
    return sign_in(location=location, username="manager", password=PASSWORD, clock=clock)


# --- consent at registration (R4) -----------------------------------------------------------
def _consenting(
    session: SignedIn,
    clock: FixedClock,
    name: str,
    phone: str,
    consent_until: date,
    volume: tuple[int, str] | None = None,
) -> int:
    """The id of a prospect registered on a consent (合同履行, given 2020-01-01) ending
    ``consent_until``, no legal basis; with ``volume`` (year, retention) a volume of theirs."""
    consent = privacy.ConsentInput(
        purposes=("合同履行",), given_on=date(2020, 1, 1), valid_until=consent_until
    )
    draft = prospect(name, phone, legal_basis="", consent=consent)
    customer_id = register_customer(session=session, draft=draft, clock=clock).customer_id
    if volume is not None:
        year, retention = volume
        create_volume(
            session=session,
            draft=VolumeDraft(
                customer_id=customer_id, year=year, title="客户档案", retention=retention
            ),
            clock=clock,
        )
    return customer_id


def test_registration_needs_a_consent_or_a_legal_basis(
    archivist: SignedIn, clock: FixedClock
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        register_customer(session=archivist, draft=person(legal_basis=""), clock=clock)
    assert ("consent", "consent_or_basis") in _fields(refused.value)
    assert "同意或处理依据" in describe(refused.value)
    with pytest.raises(ValidationFailed) as unknown:
        register_customer(session=archivist, draft=person(legal_basis="领导同意"), clock=clock)
    assert ("consent.basis", "unknown_basis") in _fields(unknown.value)
    with pytest.raises(ValidationFailed) as no_purpose:
        draft = person(legal_basis="", consent=privacy.ConsentInput(given_on=date(2026, 1, 2)))
        register_customer(session=archivist, draft=draft, clock=clock)
    assert ("consent.purposes", "required") in _fields(no_purpose.value)

    with_consent = register_customer(
        session=archivist, draft=person(legal_basis="", consent=CONSENT), clock=clock
    )
    rows = privacy.list_consents(
        session=archivist, customer_id=with_consent.customer_id, clock=clock
    )
    assert [(r.kind, r.label, r.has_form, r.in_force) for r in rows] == [
        ("consent", "书面同意", True, True)
    ]
    assert [p.purpose for p in rows[0].purposes] == ["合同履行", "客户服务", "营销"]
    name, content = privacy.open_consent_form(
        session=archivist, consent_id=rows[0].id, purpose="核对签字", clock=clock
    )
    assert (name, content) == ("同意书.pdf", CONSENT.form)
    # the signed form is stored encrypted, never as the plain bytes
    with archivist.store.new_session() as s:
        stored = s.scalars(select(CustomerConsent.form_enc)).one()
    assert stored is not None and CONSENT.form not in stored

    by_basis = register_customer(
        session=archivist,
        draft=prospect("王五", "13912345678", legal_basis="法定义务"),
        clock=clock,
    )
    basis = privacy.list_consents(session=archivist, customer_id=by_basis.customer_id, clock=clock)
    assert [(r.kind, r.label) for r in basis] == [("basis", "法定义务")]
    assert {p.purpose for p in basis[0].purposes} == {"合同履行", "客户服务"}


def test_the_old_consent_fields_still_make_a_consent(
    archivist: SignedIn, clock: FixedClock
) -> None:
    draft = person(
        legal_basis="",
        consent_date=date(2025, 3, 1),
        consent_purpose="签订服务合同",
        consent_method="电子签名",
    )
    saved = register_customer(session=archivist, draft=draft, clock=clock)
    [row] = privacy.list_consents(session=archivist, customer_id=saved.customer_id, clock=clock)
    assert (row.kind, row.method, row.note) == ("consent", "electronic", "签订服务合同")


# --- purpose binding (R4, R36) --------------------------------------------------------------
def test_a_withdrawn_purpose_is_refused_at_once_and_the_others_stay(
    archivist: SignedIn, clock: FixedClock
) -> None:
    cid = register_customer(
        session=archivist, draft=person(legal_basis="", consent=CONSENT), clock=clock
    ).customer_id
    shown = reveal_customer(
        session=archivist, customer_id=cid, purpose="新品推介", use="营销", clock=clock
    )
    assert shown.id_number == VALID_ID
    [row] = privacy.list_consents(session=archivist, customer_id=cid, clock=clock)
    privacy.withdraw_consent(
        session=archivist, consent_id=row.id, purposes=("营销",), clock=clock, note="客户来电"
    )
    with pytest.raises(PurposeRefused) as refused:
        reveal_customer(
            session=archivist, customer_id=cid, purpose="新品推介", use="营销", clock=clock
        )
    assert refused.value.params["purpose"] == "营销"
    assert "撤回" in describe(refused.value)
    # withdrawing twice is refused; the other purposes are untouched
    with pytest.raises(ValidationFailed):
        privacy.withdraw_consent(
            session=archivist, consent_id=row.id, purposes=("营销",), clock=clock
        )
    reveal_customer(session=archivist, customer_id=cid, purpose="核对地址", clock=clock)


def test_a_legal_basis_never_covers_marketing_or_provision_and_expiry_ends_a_consent(
    archivist: SignedIn, clock: FixedClock
) -> None:
    cid = register_customer(session=archivist, draft=person(), clock=clock).customer_id
    reveal_customer(session=archivist, customer_id=cid, purpose="履约核对", clock=clock)
    with pytest.raises(PurposeRefused) as marketing:
        reveal_customer(session=archivist, customer_id=cid, purpose="推介", use="营销", clock=clock)
    assert "明示同意" in describe(marketing.value)

    short = privacy.ConsentInput(
        purposes=("客户服务",), given_on=date(2026, 1, 2), valid_until=date(2026, 1, 31)
    )
    other = register_customer(
        session=archivist,
        draft=prospect("赵六", "13700001111", legal_basis="", consent=short),
        clock=clock,
    ).customer_id
    reveal_customer(session=archivist, customer_id=other, purpose="回访", clock=clock)
    clock.advance(days=30)  # 2026-02-04: the consent ended on 2026-01-31
    with pytest.raises(PurposeRefused) as expired:
        reveal_customer(session=archivist, customer_id=other, purpose="回访", clock=clock)
    assert "过期" in describe(expired.value)


# --- storage periods and the 到期处理 queue (R4, R8) ----------------------------------------
def test_the_queue_lists_each_rule_when_its_date_has_passed(
    archivist: SignedIn, clock: FixedClock
) -> None:
    # consent: ended 2025-06-30
    by_consent = _consenting(archivist, clock, "甲一", "13700000001", date(2025, 6, 30))
    # volumes: consent ended 2019? no — consent 2025-06-30, but a D30 volume of 2010 keeps it
    # until 2040-12-31 (the latest date wins)
    by_volume = _consenting(
        archivist, clock, "乙二", "13700000002", date(2025, 6, 30), volume=(2010, "D30")
    )
    # a D10 volume of 2012 ended 2022-12-31, before the consent: the consent's date decides
    old_volume = _consenting(
        archivist, clock, "丙三", "13700000003", date(2025, 9, 30), volume=(2012, "D10")
    )
    # 流失: an open legal basis ends the day the customer is lost; kept 3 more years
    lost = register_customer(
        session=archivist, draft=prospect("丁四", "13700000004"), clock=clock
    ).customer_id
    version = get_customer(session=archivist, customer_id=lost, clock=clock).version
    change_customer_status(
        session=archivist,
        customer_id=lost,
        status="lost",
        note="合作终止",
        expected_version=version,
        clock=clock,
    )
    # an open legal basis of an active customer never ends; a permanent volume neither
    register_customer(session=archivist, draft=prospect("戊五", "13700000005"), clock=clock)

    due = privacy.list_storage_due(session=archivist, clock=clock)
    assert [(r.customer_id, r.ends, r.rule) for r in due] == [
        (by_consent, date(2025, 6, 30), "consent"),
        (old_volume, date(2025, 9, 30), "consent"),
    ]
    end = privacy.get_storage_end(session=archivist, customer_id=by_volume, clock=clock)
    assert (end.ends, end.rule) == (date(2040, 12, 31), "volumes")
    end = privacy.get_storage_end(session=archivist, customer_id=lost, clock=clock)
    assert (end.ends, end.rule) == (date(2029, 1, 5), "lost")
    assert due[0].name == "甲*" and due[1].volumes == 1

    clock.advance(days=365 * 3 + 2)  # 2029-01-06: the lost customer's three years are over
    due = privacy.list_storage_due(session=archivist, clock=clock)
    assert [r.customer_id for r in due] == [by_consent, old_volume, lost]


# --- deletion and anonymisation with approval (R8, R34, R46) ---------------------------------
def test_a_deletion_is_approved_by_someone_else_then_carried_out(
    admin: SignedIn, archivist: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    cid = register_customer(session=archivist, draft=person(), clock=clock).customer_id
    number = privacy.request_erasure(
        session=archivist, customer_id=cid, reason="customer_request", clock=clock, note="来函"
    )
    with pytest.raises(ValidationFailed) as twice:
        privacy.request_erasure(
            session=archivist, customer_id=cid, reason="customer_request", clock=clock
        )
    assert ("customer", "has_open_request") in _fields(twice.value)
    [req] = privacy.list_erasure_requests(session=archivist, clock=clock, open_only=True)
    assert (req.number, req.outcome, req.state, req.requested_by) == (
        number,
        "delete",
        "pending",
        "李四",
    )
    # the archivist may not approve, nor carry out before approval
    with pytest.raises(PermissionDenied):
        privacy.decide_erasure(session=archivist, request_id=req.id, approve=True, clock=clock)
    with pytest.raises(ValidationFailed):
        privacy.carry_out_erasure(session=archivist, request_id=req.id, clock=clock)
    # an approver whose post is not configured for erasures is refused, naming who may
    add_user(admin, clock, "head", [Role.APPROVER], ApproverTitle.DEPT_HEAD, display_name="周七")
    head = sign_in(location=location, username="head", password=PASSWORD, clock=clock)
    try:
        with pytest.raises(ApproverNotInRoute):
            privacy.decide_erasure(session=head, request_id=req.id, approve=True, clock=clock)
    finally:
        sign_out(session=head, clock=clock)
    manager = _approver(admin, location, clock)
    try:
        privacy.decide_erasure(session=manager, request_id=req.id, approve=True, clock=clock)
    finally:
        sign_out(session=manager, clock=clock)
    with archivist.store.new_session() as s:
        key_id = s.get(Customer, cid).key_id  # type: ignore[union-attr]
    assert privacy.carry_out_erasure(session=archivist, request_id=req.id, clock=clock) == "delete"
    with archivist.store.new_session() as s:
        assert s.get(Customer, cid) is None
        done = s.scalars(select(ErasureRequest)).one()
    assert (done.state, done.customer_id, done.customer_number) == (
        "done",
        None,
        req.customer_number,
    )
    with pytest.raises(KeyDestroyed):
        archivist.store.vault.key(key_id)


def test_a_customer_is_erased_only_by_carrying_out_an_approved_request(
    admin: SignedIn, archivist: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    import app.services.customers as customer_services

    # no direct path: one archivist cannot delete a customer on their own word (R8)
    assert not hasattr(customer_services, "delete_customer")
    root = Path(__file__).resolve().parents[2]
    callers = sorted(
        str(f.relative_to(root))
        for top in ("app", "ui")
        for f in (root / top).rglob("*.py")
        if "remove_customer(" in f.read_text(encoding="utf-8")
    )
    assert callers == ["app/services/customers/erasure.py", "app/services/privacy/erasure.py"]
    # a pending request and a refused one are never carried out
    cid = register_customer(session=archivist, draft=person(), clock=clock).customer_id
    privacy.request_erasure(
        session=archivist, customer_id=cid, reason="customer_request", clock=clock
    )
    [req] = privacy.list_erasure_requests(session=archivist, clock=clock, open_only=True)
    with pytest.raises(ValidationFailed) as pending:
        privacy.carry_out_erasure(session=archivist, request_id=req.id, clock=clock)
    assert "待审批" in describe(pending.value)
    manager = _approver(admin, location, clock)
    try:
        privacy.decide_erasure(
            session=manager, request_id=req.id, approve=False, note="合同未结清", clock=clock
        )
    finally:
        sign_out(session=manager, clock=clock)
    with pytest.raises(ValidationFailed) as refused:
        privacy.carry_out_erasure(session=archivist, request_id=req.id, clock=clock)
    assert "已驳回" in describe(refused.value)
    with archivist.store.new_session() as s:
        assert s.get(Customer, cid) is not None  # still there, readable


def test_nobody_approves_their_own_erasure_request(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock, archivist: SignedIn
) -> None:
    add_user(
        admin,
        clock,
        "both",
        [Role.ARCHIVIST, Role.APPROVER],
        ApproverTitle.INFO_OFFICER,
        display_name="杨静",
    )
    both = sign_in(location=location, username="both", password=PASSWORD, clock=clock)
    try:
        cid = register_customer(session=both, draft=person(), clock=clock).customer_id
        privacy.request_erasure(
            session=both, customer_id=cid, reason="customer_request", clock=clock
        )
        [req] = privacy.list_erasure_requests(session=both, clock=clock)
        with pytest.raises(SelfApprovalRefused):
            privacy.decide_erasure(session=both, request_id=req.id, approve=True, clock=clock)
    finally:
        sign_out(session=both, clock=clock)


def test_a_request_on_hold_is_refused_naming_the_hold(
    admin: SignedIn, archivist: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    cid = register_customer(session=archivist, draft=person(), clock=clock).customer_id
    hold = place_hold(session=archivist, reason="诉讼保全", customer_ids=[cid], clock=clock)
    with pytest.raises(HoldInForce) as refused:
        privacy.request_erasure(
            session=archivist, customer_id=cid, reason="customer_request", clock=clock
        )
    assert hold.number in describe(refused.value)
    manager = _approver(admin, location, clock)
    try:
        release_hold(session=manager, hold_id=hold.id, reason="已结案", clock=clock)
    finally:
        sign_out(session=manager, clock=clock)
    privacy.request_erasure(
        session=archivist, customer_id=cid, reason="customer_request", clock=clock
    )
    [req] = privacy.list_erasure_requests(session=archivist, clock=clock)
    # a hold placed after the request stops the approval and the erasure too
    again = place_hold(session=archivist, reason="审计调取", customer_ids=[cid], clock=clock)
    manager = _approver(admin, location, clock)
    try:
        with pytest.raises(HoldInForce) as at_approval:
            privacy.decide_erasure(session=manager, request_id=req.id, approve=True, clock=clock)
    finally:
        sign_out(session=manager, clock=clock)
    assert again.number in describe(at_approval.value)
    # the storage queue leaves held customers out
    assert cid not in {
        r.customer_id for r in privacy.list_storage_due(session=archivist, clock=clock)
    }


def test_a_period_ended_request_needs_the_period_to_have_ended(
    archivist: SignedIn, clock: FixedClock
) -> None:
    cid = register_customer(session=archivist, draft=person(), clock=clock).customer_id
    with pytest.raises(ValidationFailed) as refused:
        privacy.request_erasure(
            session=archivist, customer_id=cid, reason="period_ended", clock=clock
        )
    assert ("reason", "not_due") in _fields(refused.value)


@pytest.mark.sqlite_only  # backups copy the embedded database file
def test_erasure_is_verified_against_an_earlier_copy_and_a_backup(
    admin: SignedIn,
    archivist: SignedIn,
    location: DatabaseLocation,
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    deleted = register_customer(session=archivist, draft=person(), clock=clock).customer_id
    kept_draft = person(
        name="欧阳娜娜",
        id_number="11010119900307803X",
        phones=(),
        bank_accounts=(),
        email="nana@example.cn",
        remarks="长期合作",
    )
    anonymised = register_customer(session=archivist, draft=kept_draft, clock=clock).customer_id
    create_volume(
        session=archivist,
        draft=VolumeDraft(customer_id=anonymised, year=2024, title="合作合同", retention="D30"),
        clock=clock,
    )
    checkpoint(archivist.store.engine)
    earlier = tmp_path / "earlier" / "archive.db"
    earlier.parent.mkdir()
    shutil.copy2(location.sqlite_path, earlier)
    backup = Path(run_backup(session=admin, clock=clock, target=tmp_path / "backups").path)

    manager = _approver(admin, location, clock)
    try:
        for cid in (deleted, anonymised):
            privacy.request_erasure(
                session=archivist, customer_id=cid, reason="customer_request", clock=clock
            )
        requests = privacy.list_erasure_requests(session=archivist, clock=clock)
        for req in requests:
            privacy.decide_erasure(session=manager, request_id=req.id, approve=True, clock=clock)
    finally:
        sign_out(session=manager, clock=clock)
    outcomes = {
        r.customer_number: privacy.carry_out_erasure(
            session=archivist, request_id=r.id, clock=clock
        )
        for r in requests
    }
    assert sorted(outcomes.values()) == ["anonymise", "delete"]

    # the anonymised customer: pseudonym, nothing protected, volumes and history kept
    detail = get_customer(session=archivist, customer_id=anonymised, clock=clock)
    assert detail.name.startswith("匿名客户") and detail.id_number == "" and detail.email == ""
    assert detail.remarks == "" and detail.phones == ()
    assert search_customers(session=archivist, query="欧阳", clock=clock).rows == []
    with pytest.raises(PurposeRefused):
        reveal_customer(session=archivist, customer_id=anonymised, purpose="核对", clock=clock)
    with archivist.store.new_session() as s:
        assert s.scalars(select(Volume.id).where(Volume.customer_id == anonymised)).all()
        keys = {c.id: c.key_id for c in s.scalars(select(Customer))}
        old_keys = dict(keys)

    # every earlier copy, opened with the current keys, yields none of the erased values
    data_key = archivist.store.data_key
    from app.security.keyring import FileKeyringStore, Keyring

    for folder, db_name in ((earlier.parent, "archive.db"), (backup, "database.db")):
        copy = folder / db_name
        probe = tmp_path / f"probe-{folder.name}" / "archive.db"
        probe.parent.mkdir()
        shutil.copy2(copy, probe)
        shutil.copy2(location.keyring_path, probe.with_name("archive.db.keyring"))
        # the current vault, not the copy's own (a backup's vault copy expires, R8)
        shutil.copy2(
            location.sqlite_path.with_name("archive.db.vault"), probe.with_name("archive.db.vault")
        )
        ring = Keyring.load(FileKeyringStore(probe.with_name("archive.db.keyring")))
        old = open_store(DatabaseLocation.parse(probe), data_key, ring, clock, upgrade=False)
        try:
            with old.new_session() as s:
                rows = {c.id: c for c in s.scalars(select(Customer))}
            assert set(rows) >= {deleted, anonymised}
            for cid in (deleted, anonymised):
                assert rows[cid].id_number_enc is not None  # the ciphertext is in the copy …
                with pytest.raises(KeyDestroyed):  # … and nothing opens it
                    old.vault.key(rows[cid].key_id)
            raw = probe.read_bytes() + probe.with_name("archive.db.vault").read_bytes()
            for plain in (VALID_ID, "11010119900307803X", "nana@example.cn", "13812345678"):
                assert plain.encode() not in raw
        finally:
            old.close()
    assert deleted not in old_keys

    # restoring the backup with the current vault erases them there too (purged, anonymised)
    sign_out(session=archivist, clock=clock)
    summary = prepare_restore(session=admin, clock=clock, backup=backup)
    assert summary.erased_customers == 2
    engine = sqlcipher_engine(Path(summary.staged_path), data_key)
    try:
        with Session(engine) as s:
            restored = {c.id: c for c in s.scalars(select(Customer))}
            assert deleted not in restored
            kept = restored[anonymised]
            assert kept.name.startswith("匿名客户") and kept.remarks == ""
            assert kept.id_number_enc is None and kept.email_enc is None
    finally:
        engine.dispose()


def test_anonymising_keeps_the_volumes_files_readable_under_a_key_of_their_own(
    admin: SignedIn, archivist: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    import io

    from app.services.catalogue import attach_file, list_item_files, open_file
    from app.storage.models import ItemFile
    from tests.factories import add_item

    cid = register_customer(session=archivist, draft=person(), clock=clock).customer_id
    item = add_item(archivist, clock, cid)
    content = "张三丰的授信材料\n".encode() * 3000  # several KiB, one chunk
    file_id = attach_file(
        session=archivist,
        item_id=item,
        source=io.BytesIO(content),
        file_name="授信材料.txt",
        clock=clock,
    )
    with archivist.store.new_session() as s:
        old_key = s.get(Customer, cid).key_id  # type: ignore[union-attr]
        old_blob = s.get(ItemFile, file_id).blob_name  # type: ignore[union-attr]
    privacy.request_erasure(
        session=archivist, customer_id=cid, reason="customer_request", clock=clock
    )
    [req] = privacy.list_erasure_requests(session=archivist, clock=clock)
    assert req.outcome == "anonymise"
    manager = _approver(admin, location, clock)
    try:
        privacy.decide_erasure(session=manager, request_id=req.id, approve=True, clock=clock)
    finally:
        sign_out(session=manager, clock=clock)
    assert privacy.carry_out_erasure(session=archivist, request_id=req.id, clock=clock) == (
        "anonymise"
    )
    with pytest.raises(KeyDestroyed):
        archivist.store.vault.key(old_key)
    # the file is still there, checked and readable, its name too
    assert open_file(session=archivist, file_id=file_id, purpose="年度检查", clock=clock) == content
    [info] = list_item_files(session=archivist, item_id=item, clock=clock)
    assert info.id == file_id
    with archivist.store.new_session() as s:
        row = s.get(Customer, cid)
        new_blob = s.get(ItemFile, file_id).blob_name  # type: ignore[union-attr]
    assert row is not None and row.key_id != old_key and row.id_number_enc is None
    if old_blob is not None:  # embedded database: a new blob file, the old one removed
        folder = location.sqlite_path.with_name(location.sqlite_path.name + ".files")
        assert new_blob != old_blob and not (folder / old_blob).exists()
        assert (folder / str(new_blob)).exists()
