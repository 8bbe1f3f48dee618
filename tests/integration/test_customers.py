"""Customer registry on a real encrypted store: validation, duplicates, masking, reveal, erasure."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from app.clock import FixedClock
from app.errors import PermissionDenied, ValidationFailed
from app.security.vault import KeyDestroyed
from app.services.auth import SignedIn, sign_in, sign_out
from app.services.customers import (
    CustomerDraft,
    PhoneInput,
    clear_duplicate_flag,
    find_customer_by_id_number,
    find_customers_by_phone,
    find_customers_by_phone_tail,
    get_customer,
    list_customers,
    list_duplicate_flags,
    register_customer,
    reveal_customer,
)
from app.storage.location import DatabaseLocation
from app.storage.models import AuditEntry, Customer
from app.storage.store import open_store
from tests.factories import (
    PASSWORD,
    VALID_ID,
    add_user,
    audit_actions,
    erase_customer,
    person,
    phone_sharing_pair,
    potential,
    prospect,
)


def test_registering_a_person_stores_masked_and_derived_values(
    archivist: SignedIn, clock: FixedClock
) -> None:
    result = register_customer(session=archivist, draft=person(), clock=clock)
    assert result.number == "KH00000001" and result.duplicates == ()
    detail = get_customer(session=archivist, customer_id=result.customer_id, clock=clock)
    assert detail.masked and detail.name == "张**"
    assert detail.id_number == "110***********002X"
    assert detail.phones == ("138****5678",)
    assert detail.bank_accounts == ("622202*********0128",)
    assert detail.gender == "female" and detail.birth_date == "1949-**-**"  # derived from the ID
    rows = list_customers(session=archivist, clock=clock)
    assert [(r.number, r.id_number, r.phone) for r in rows] == [
        ("KH00000001", "110***********002X", "138****5678")
    ]


def test_bad_identity_number_saves_nothing(archivist: SignedIn, clock: FixedClock) -> None:
    with pytest.raises(ValidationFailed) as info:
        register_customer(
            session=archivist,
            draft=person(
                id_number="110105194912310021", phones=(PhoneInput("12345"),), email="not-mail"
            ),
            clock=clock,
        )
    assert {(e.field, e.reason) for e in info.value.errors} == {
        ("id_number", "checksum"),
        ("phones.0", "phone_too_short"),
        ("email", "format"),
    }
    assert list_customers(session=archivist, clock=clock) == []
    assert archivist.store.vault.count() == 0  # not even a key was made


def test_typed_gender_and_birth_date_must_match_the_id(
    archivist: SignedIn, clock: FixedClock
) -> None:
    with pytest.raises(ValidationFailed) as info:
        register_customer(
            session=archivist, draft=person(gender="male", birth_date=date(1950, 1, 1)), clock=clock
        )
    assert {e.field for e in info.value.errors} == {"gender", "birth_date"}


def test_same_identity_number_twice_is_refused(archivist: SignedIn, clock: FixedClock) -> None:
    register_customer(session=archivist, draft=person(), clock=clock)
    with pytest.raises(ValidationFailed) as info:
        register_customer(
            session=archivist,
            draft=person(name="张三", id_number="１１０１０５ １９４９１２３１ ００２ｘ"),
            clock=clock,
        )
    assert [(e.field, e.reason, e.params) for e in info.value.errors] == [
        ("id_number", "duplicate_id", {"number": "KH00000001"})
    ]


def test_shared_phone_saves_but_flags_both_for_review(
    archivist: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    first = register_customer(session=archivist, draft=person(), clock=clock)
    second = register_customer(
        session=archivist,
        draft=prospect("李四", "+86 13812345678"),
        clock=clock,
    )
    assert [(d.other_number, d.reason) for d in second.duplicates] == [("KH00000001", "phone")]
    flags = list_duplicate_flags(session=archivist, clock=clock)
    assert [(f.customer_id, f.other_customer_id, f.reason) for f in flags] == [
        (second.customer_id, first.customer_id, "phone")
    ]
    assert flags[0].customer == "KH00000002 李*" and flags[0].other == "KH00000001 张**"
    assert all(r.suspected_duplicate for r in list_customers(session=archivist, clock=clock))
    with pytest.raises(PermissionDenied):  # an archivist cannot clear it
        clear_duplicate_flag(session=archivist, flag_id=flags[0].id, note="不同的人", clock=clock)
    manager = sign_in(location=location, username="manager", password=PASSWORD, clock=clock)
    with pytest.raises(ValidationFailed):
        clear_duplicate_flag(session=manager, flag_id=flags[0].id, note=" ", clock=clock)
    clear_duplicate_flag(
        session=manager, flag_id=flags[0].id, note="父女共用家庭电话，已核实", clock=clock
    )
    sign_out(session=manager, clock=clock)
    assert list_duplicate_flags(session=archivist, clock=clock) == []
    assert not any(r.suspected_duplicate for r in list_customers(session=archivist, clock=clock))
    assert audit_actions(archivist).count("customer.duplicate_cleared") == 1


def test_lookups_by_full_value_and_phone_tail(archivist: SignedIn, clock: FixedClock) -> None:
    result = register_customer(session=archivist, draft=person(), clock=clock)
    assert find_customers_by_phone(session=archivist, phone="138-1234-5678", clock=clock) == [
        result.customer_id
    ]
    assert (
        find_customers_by_phone(session=archivist, phone="1381234567", clock=clock) == []
    )  # no substrings
    assert find_customers_by_phone_tail(session=archivist, last4="5678", clock=clock) == [
        result.customer_id
    ]
    assert (
        find_customer_by_id_number(session=archivist, id_number=VALID_ID.lower(), clock=clock)
        == result.customer_id
    )
    assert (
        find_customer_by_id_number(session=archivist, id_number=VALID_ID[:-1], clock=clock) is None
    )


def test_reveal_needs_a_purpose_and_is_audited(
    archivist: SignedIn, admin: SignedIn, clock: FixedClock
) -> None:
    result = register_customer(session=archivist, draft=person(), clock=clock)
    with pytest.raises(ValidationFailed):
        reveal_customer(
            session=archivist, customer_id=result.customer_id, purpose="  ", clock=clock
        )
    with pytest.raises(PermissionDenied):  # the administrator never sees customer data
        reveal_customer(session=admin, customer_id=result.customer_id, purpose="看看", clock=clock)
    full = reveal_customer(
        session=archivist, customer_id=result.customer_id, purpose="办理借阅核对身份", clock=clock
    )
    assert (
        full.id_number == VALID_ID and full.phones == ("+8613812345678",) and full.name == "张三丰"
    )
    with archivist.store.new_session() as s:
        entry = s.query(AuditEntry).filter_by(action="customer.reveal").one()
        created = s.query(AuditEntry).filter_by(action="customer.create").one()
    assert entry.purpose == "办理借阅核对身份" and entry.actor_name == "lisi"
    assert VALID_ID not in created.details and "13812345678" not in created.details
    assert json.loads(created.details)["id_number"] == "110***********002X"


@pytest.mark.sqlite_only
def test_deleted_customer_cannot_be_read_from_an_earlier_database_copy(
    archivist: SignedIn, location: DatabaseLocation, clock: FixedClock, tmp_path: Path
) -> None:
    result = register_customer(session=archivist, draft=person(), clock=clock)
    keep = register_customer(
        session=archivist,
        draft=prospect("王五", "13912345678"),
        clock=clock,
    )
    # an "older backup": a copy of the database file taken before the deletion
    from app.storage.store import checkpoint

    checkpoint(archivist.store.engine)
    old_copy = tmp_path / "old" / "archive.db"
    old_copy.parent.mkdir()
    shutil.copy2(location.sqlite_path, old_copy)
    with archivist.store.new_session() as s:
        key_id = s.get(Customer, result.customer_id).key_id  # type: ignore[union-attr]
    erase_customer(archivist, result.customer_id, clock)
    assert find_customer_by_id_number(session=archivist, id_number=VALID_ID, clock=clock) is None
    vault = archivist.store.vault
    with pytest.raises(KeyDestroyed):
        vault.key(key_id)
    # Open the old copy with the current vault and data key: the row is there, its values are not.
    shutil.copy2(location.keyring_path, old_copy.with_name("archive.db.keyring"))
    shutil.copy2(
        location.sqlite_path.with_name("archive.db.vault"), old_copy.with_name("archive.db.vault")
    )
    data_key = archivist.store.data_key
    from app.security.keyring import FileKeyringStore, Keyring

    ring = Keyring.load(FileKeyringStore(old_copy.with_name("archive.db.keyring")))
    old = open_store(DatabaseLocation.parse(old_copy), data_key, ring, clock, upgrade=False)
    try:
        with old.new_session() as s:
            row = s.get(Customer, result.customer_id)
            assert (
                row is not None and row.id_number_enc is not None
            )  # the ciphertext is still in the copy
        with pytest.raises(KeyDestroyed):
            old.vault.key(row.key_id)
        # the customer that was kept still opens from the same copy
        with old.new_session() as s:
            kept = s.get(Customer, keep.customer_id)
        assert kept is not None and len(old.vault.key(kept.key_id)) == 32
        raw = old_copy.read_bytes() + old_copy.with_name("archive.db.vault").read_bytes()
        assert VALID_ID.encode() not in raw
    finally:
        old.close()
    assert "erasure.delete" in audit_actions(archivist)


def test_only_archivists_register(admin: SignedIn, clock: FixedClock) -> None:
    with pytest.raises(PermissionDenied):
        register_customer(session=admin, draft=person(), clock=clock)


def register_many(session: SignedIn, clock: FixedClock) -> dict[str, int]:
    ids = {}
    for name, extra in [
        ("张三", {}),
        ("张三丰", {}),
        ("单雄信", {}),
        ("欧阳娜娜", {"remarks": "重要的长期客户"}),
        ("John Smith", {}),
    ]:
        draft = potential(name=name, **extra)
        ids[name] = register_customer(session=session, draft=draft, clock=clock).customer_id
    org = CustomerDraft(
        legal_basis="合同必需",
        party="org",
        kind="special",
        category="lawyer",
        name="深圳华信律师事务所",
        id_type="uscc",
        id_number="91350100M000100Y43",
        phones=(PhoneInput("0755-86012345 转 12"),),
    )
    ids["org"] = register_customer(session=session, draft=org, clock=clock).customer_id
    return ids


def hits(session: SignedIn, clock: FixedClock, query: str) -> list[int]:
    from app.services.customers import search_customers

    return [r.id for r in search_customers(session=session, query=query, clock=clock).rows]


def test_search_by_name_pinyin_short_queries_and_numbers(
    archivist: SignedIn, clock: FixedClock
) -> None:
    ids = register_many(archivist, clock)
    assert hits(archivist, clock, "张三") == [
        ids["张三"],
        ids["张三丰"],
    ]  # shorter exact prefix first
    assert hits(archivist, clock, "三丰") == [ids["张三丰"]]
    assert hits(archivist, clock, "zs") == [
        ids["张三"],
        ids["张三丰"],
    ]  # pinyin initials, 2 letters
    assert hits(archivist, clock, "zhangsanfeng") == [ids["张三丰"]]
    assert hits(archivist, clock, "shanxiongxin") == [ids["单雄信"]]  # surname reading of 单
    assert hits(archivist, clock, "雄") == [ids["单雄信"]]  # one character
    assert hits(archivist, clock, "oynn") == [ids["欧阳娜娜"]]
    assert hits(archivist, clock, "smith") == [ids["John Smith"]]
    assert hits(archivist, clock, "jo") == [ids["John Smith"]]
    assert hits(archivist, clock, "长期客户") == [ids["欧阳娜娜"]]  # remarks
    assert hits(archivist, clock, "华信律师") == [ids["org"]]
    assert hits(archivist, clock, "91350100M000100Y43") == [ids["org"]]  # exact credit code
    assert hits(archivist, clock, "0755 8601 2345") == [ids["org"]]  # exact phone, any format
    assert hits(archivist, clock, "2345") == [ids["org"]]  # phone tail
    assert hits(archivist, clock, "8601234") == []  # never a substring of a phone
    assert hits(archivist, clock, "kh00000001") == [ids["张三"]]


def test_search_ranks_exact_numbers_first_and_counts(
    archivist: SignedIn, clock: FixedClock
) -> None:
    from app.services.customers import search_customers

    ids = register_many(archivist, clock)
    result = search_customers(session=archivist, query="KH00000006", clock=clock)
    assert result.rows[0].id == ids["org"] and result.exact_ids == {ids["org"]}
    result = search_customers(session=archivist, query="张", clock=clock)
    assert result.total == 2 and not result.capped
    assert all(r.name.endswith("*") for r in result.rows)  # masked in results too


def test_deleted_customer_leaves_the_index(archivist: SignedIn, clock: FixedClock) -> None:
    ids = register_many(archivist, clock)
    erase_customer(archivist, ids["张三丰"], clock)
    assert hits(archivist, clock, "zhangsanfeng") == []
    assert hits(archivist, clock, "三丰") == []


def test_search_filters_apply_to_every_candidate(archivist: SignedIn, clock: FixedClock) -> None:
    from app.services.customers import CustomerFilter, search_customers

    ids = register_many(archivist, clock)
    important = CustomerFilter(importance="important")
    found = search_customers(session=archivist, query="张", clock=clock, filters=important)
    assert found.rows == []
    lawyers = CustomerFilter(kind="special")
    result = search_customers(session=archivist, query="华信", clock=clock, filters=lawyers)
    assert [r.id for r in result.rows] == [ids["org"]] and result.total == 1


def test_pinyin_typed_with_spaces_is_found(archivist: SignedIn, clock: FixedClock) -> None:
    ids = register_many(archivist, clock)
    assert hits(archivist, clock, "zhang san feng") == [ids["张三丰"]]


def test_nobody_clears_a_flag_on_customers_they_entered(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    from app.domain.roles import ApproverTitle, Role

    roles = [Role.ARCHIVIST, Role.APPROVER]
    add_user(admin, clock, "both", roles, ApproverTitle.INFO_OFFICER, display_name="杨静")
    session = sign_in(location=location, username="both", password=PASSWORD, clock=clock)
    phone_sharing_pair(session, clock)
    (flag,) = list_duplicate_flags(session=session, clock=clock)
    with pytest.raises(ValidationFailed) as info:
        clear_duplicate_flag(session=session, flag_id=flag.id, note="我自己核实过", clock=clock)
    assert [e.reason for e in info.value.errors] == ["own_entry"]
    sign_out(session=session, clock=clock)
