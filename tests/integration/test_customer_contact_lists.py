"""Editing contact lists: stored entries kept by position, others removed, new ones added."""

from __future__ import annotations

import json

import pytest

from app.clock import FixedClock
from app.errors import ValidationFailed
from app.services.auth import SignedIn
from app.services.customers import (
    AddressInput,
    BankAccountInput,
    CustomerChanges,
    Kept,
    PhoneInput,
    find_customers_by_phone,
    get_customer,
    register_customer,
    reveal_customer,
    search_customers,
    update_customer,
)
from app.storage.models import AuditEntry, CustomerAddress, CustomerBankAccount, CustomerPhone
from tests.factories import edit_customer, person, prospect

ACCOUNT_1 = "6222021234567890128"  # passes Luhn
ACCOUNT_2 = "6217000010000000007"


def changes(**overrides: object) -> CustomerChanges:
    values: dict[str, object] = {
        "name": None,
        "kind": "general",
        "category": "individual",
        "importance": "normal",
    }
    values.update(overrides)
    return CustomerChanges(**values)  # type: ignore[arg-type]


def test_removed_entries_are_gone_kept_ones_stay_and_the_audit_shows_both(
    archivist: SignedIn, clock: FixedClock
) -> None:
    cid = register_customer(
        session=archivist,
        draft=person(
            phones=(PhoneInput("138 1234 5678", "手机"), PhoneInput("010-66668888 转 12", "办公")),
            addresses=(
                AddressInput("北京市朝阳区建国路1号"),
                AddressInput("上海市浦东新区世纪大道2号"),
            ),
            bank_accounts=(
                BankAccountInput(ACCOUNT_1, "工商银行"),
                BankAccountInput(ACCOUNT_2, "建设银行"),
            ),
        ),
        clock=clock,
    ).customer_id
    result = edit_customer(
        archivist,
        clock,
        cid,
        1,
        changes(
            phones=(Kept(1), PhoneInput("139 1234 5678")),
            addresses=(Kept(1),),
            bank_accounts=(Kept(0, bank_name="工商银行北京分行"),),
        ),
    )
    assert result.warnings == () and result.duplicates == ()
    assert find_customers_by_phone(session=archivist, phone="13812345678", clock=clock) == []
    assert find_customers_by_phone(session=archivist, phone="01066668888", clock=clock) == [cid]
    assert find_customers_by_phone(session=archivist, phone="13912345678", clock=clock) == [cid]
    assert search_customers(session=archivist, query=ACCOUNT_2, clock=clock).rows == []
    assert [
        r.id for r in search_customers(session=archivist, query=ACCOUNT_1, clock=clock).rows
    ] == [cid]
    full = reveal_customer(session=archivist, customer_id=cid, purpose="核对修改", clock=clock)
    assert full.phones == ("+861066668888;ext=12", "+8613912345678")
    assert full.addresses == ("上海市浦东新区世纪大道2号",)
    assert full.bank_accounts == (ACCOUNT_1,)
    with archivist.store.new_session() as s:
        phones = s.query(CustomerPhone).filter_by(customer_id=cid).order_by("position").all()
        assert [(p.position, p.label) for p in phones] == [(0, "办公"), (1, "")]
        assert s.query(CustomerAddress).filter_by(customer_id=cid).count() == 1
        (bank,) = s.query(CustomerBankAccount).filter_by(customer_id=cid).all()
        assert bank.bank_name == "工商银行北京分行"
        entry = s.query(AuditEntry).filter_by(action="customer.update").one()
    details = json.loads(entry.details)
    assert details["phones"] == {
        "before": ["138****5678", "106***8888"],
        "after": ["106***8888", "139****5678"],
    }
    assert details["addresses"] == {
        "before": ["北京市朝阳区****", "上海市浦东新****"],
        "after": ["上海市浦东新****"],
    }
    assert details["bank_accounts"] == {
        "before": ["622202*********0128（工商银行）", "621700*********0007（建设银行）"],
        "after": ["622202*********0128（工商银行北京分行）"],
    }
    for plain in ("13812345678", "66668888", "建国路", "世纪大道", ACCOUNT_1, ACCOUNT_2):
        assert plain not in entry.details


def test_an_unchanged_list_is_not_audited_and_an_empty_one_removes_everything(
    archivist: SignedIn, clock: FixedClock
) -> None:
    cid = register_customer(session=archivist, draft=person(), clock=clock).customer_id
    edit_customer(archivist, clock, cid, 1, changes(phones=(Kept(0),), bank_accounts=(Kept(0),)))
    edit_customer(archivist, clock, cid, 2, changes(phones=(), bank_accounts=()))
    detail = get_customer(session=archivist, customer_id=cid, clock=clock)
    assert detail.phones == () and detail.bank_accounts == ()
    with archivist.store.new_session() as s:
        assert s.query(CustomerPhone).filter_by(customer_id=cid).count() == 0
        entries = (
            s.query(AuditEntry).filter_by(action="customer.update").order_by(AuditEntry.id).all()
        )
    first, second = (json.loads(e.details) for e in entries)
    assert "phones" not in first and "bank_accounts" not in first
    assert second["phones"] == {"before": ["138****5678"], "after": []}


def test_errors_name_the_row_and_stale_positions_are_refused(
    archivist: SignedIn, clock: FixedClock
) -> None:
    cid = register_customer(session=archivist, draft=person(), clock=clock).customer_id
    with pytest.raises(ValidationFailed) as info:
        edit_customer(
            archivist,
            clock,
            cid,
            1,
            changes(
                phones=(Kept(0), PhoneInput(""), PhoneInput("12345")),
                bank_accounts=(BankAccountInput("12"), Kept(0)),
            ),
        )
    assert sorted((e.field, e.reason) for e in info.value.errors) == [
        ("bank_accounts.0", "format"),
        ("phones.2", "phone_too_short"),
    ]
    with pytest.raises(ValidationFailed) as info:
        update_customer(
            session=archivist,
            customer_id=cid,
            changes=changes(phones=(Kept(1),)),  # the form saw a phone that is not there
            expected_version=1,
            clock=clock,
        )
    assert [(e.field, e.reason) for e in info.value.errors] == [("customer", "stale")]
    assert version_unchanged(archivist, cid, clock)


def version_unchanged(session: SignedIn, cid: int, clock: FixedClock) -> bool:
    return get_customer(session=session, customer_id=cid, clock=clock).version == 1


def test_a_phone_added_beside_kept_ones_is_checked_for_duplicates(
    archivist: SignedIn, clock: FixedClock
) -> None:
    a = register_customer(session=archivist, draft=person(), clock=clock).customer_id
    b = register_customer(
        session=archivist,
        draft=prospect("王五", "13700001111"),
        clock=clock,
    ).customer_id
    assert not get_customer(session=archivist, customer_id=b, clock=clock).suspected_duplicate
    result = edit_customer(
        archivist, clock, b, 1, changes(phones=(Kept(0), PhoneInput("138-1234-5678")))
    )
    assert [(d.other_customer_id, d.reason) for d in result.duplicates] == [(a, "phone")]
    assert get_customer(session=archivist, customer_id=a, clock=clock).suspected_duplicate
    assert find_customers_by_phone(session=archivist, phone="13700001111", clock=clock) == [b]
