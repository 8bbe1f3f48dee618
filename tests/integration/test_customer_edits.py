"""Editing customers: status history, edits without revealing, stale versions, history view."""

from __future__ import annotations

import json

import pytest

from app.clock import FixedClock
from app.errors import ValidationFailed
from app.messages import describe
from app.services.auth import SignedIn
from app.services.customers import (
    CustomerChanges,
    PhoneInput,
    change_customer_status,
    customer_history,
    find_customers_by_phone,
    get_customer,
    register_customer,
    reveal_customer,
    search_customers,
)
from app.storage.models import AuditEntry, Customer, CustomerStatusChange
from tests.factories import VALID_ID, edit_customer, erase_customer, person, phone_sharing_pair


def version_of(session: SignedIn, customer_id: int) -> int:
    with session.store.new_session() as s:
        return s.get(Customer, customer_id).version  # type: ignore[union-attr]


def basic_changes(**overrides: object) -> CustomerChanges:
    values: dict[str, object] = {
        "name": "张三丰",
        "kind": "general",
        "category": "individual",
        "importance": "important",
    }
    values.update(overrides)
    return CustomerChanges(**values)  # type: ignore[arg-type]


def set_status(
    session: SignedIn,
    clock: FixedClock,
    customer_id: int,
    status: str,
    version: int,
    note: str = "",
) -> int:
    return change_customer_status(
        session=session,
        customer_id=customer_id,
        status=status,
        note=note,
        expected_version=version,
        clock=clock,
    )


def test_status_changes_are_dated_and_kept(archivist: SignedIn, clock: FixedClock) -> None:
    cid = register_customer(session=archivist, draft=person(), clock=clock).customer_id
    clock.advance(days=30)
    v = set_status(archivist, clock, cid, "lost", 1, note="合同到期未续")
    assert v == 2
    with archivist.store.new_session() as s:
        rows = (
            s.query(CustomerStatusChange)
            .filter_by(customer_id=cid)
            .order_by(CustomerStatusChange.id)
            .all()
        )
    assert [(r.old_status, r.new_status) for r in rows] == [
        (None, "registered"),
        ("registered", "lost"),
    ]
    assert rows[1].changed_at.date() == clock.now().date() and rows[1].note == "合同到期未续"
    with pytest.raises(ValidationFailed) as info:  # someone else's older view
        set_status(archivist, clock, cid, "registered", 1)
    # another desk's change is named: who, and when (issue 22: several desks, one database)
    error = info.value.errors[0]
    assert (error.field, error.reason) == ("customer", "changed_by")
    assert error.params["who"] == f"{archivist.actor.display_name}（{archivist.actor.username}）"
    assert error.params["at"] == clock.now().astimezone().strftime("%H:%M")
    assert describe(info.value).endswith(
        f"客户：已被{error.params['who']}于 {error.params['at']} 修改，请重新载入后再修改"
    )


def test_edit_keeps_protected_values_unless_given(archivist: SignedIn, clock: FixedClock) -> None:
    cid = register_customer(session=archivist, draft=person(), clock=clock).customer_id
    edit_customer(archivist, clock, cid, 1, basic_changes(remarks="老客户"))
    full = reveal_customer(session=archivist, customer_id=cid, purpose="核对修改结果", clock=clock)
    assert full.id_number == VALID_ID and full.phones == ("+8613812345678",)
    assert full.importance == "important" and full.remarks == "老客户"
    edit_customer(archivist, clock, cid, 2, basic_changes(phones=(PhoneInput("139 1234 5678"),)))
    assert find_customers_by_phone(session=archivist, phone="13812345678", clock=clock) == []
    assert find_customers_by_phone(session=archivist, phone="13912345678", clock=clock) == [cid]
    assert get_customer(session=archivist, customer_id=cid, clock=clock).phones == ("139****5678",)
    with archivist.store.new_session() as s:
        entry = (
            s.query(AuditEntry)
            .filter_by(action="customer.update")
            .order_by(AuditEntry.id.desc())
            .first()
        )
    details = json.loads(entry.details)  # type: ignore[union-attr]
    assert details["phones"] == {"before": ["138****5678"], "after": ["139****5678"]}
    assert "13912345678" not in entry.details and "13812345678" not in entry.details  # type: ignore[union-attr]


def test_edit_is_validated_and_renamed_customers_are_found_by_the_new_name(
    archivist: SignedIn, clock: FixedClock
) -> None:
    cid = register_customer(session=archivist, draft=person(), clock=clock).customer_id
    with pytest.raises(ValidationFailed) as info:
        edit_customer(archivist, clock, cid, 1, basic_changes(name=" ", id_number=""))
    assert {e.field for e in info.value.errors} == {"name", "id_number"}
    edit_customer(archivist, clock, cid, 1, basic_changes(name="张君宝"))
    assert [
        r.id for r in search_customers(session=archivist, query="zhangjunbao", clock=clock).rows
    ] == [cid]
    assert search_customers(session=archivist, query="三丰", clock=clock).rows == []


def test_history_lists_what_happened_newest_first(archivist: SignedIn, clock: FixedClock) -> None:
    cid = register_customer(session=archivist, draft=person(), clock=clock).customer_id
    clock.advance(hours=1)
    reveal_customer(session=archivist, customer_id=cid, purpose="电话核实", clock=clock)
    clock.advance(hours=1)
    set_status(archivist, clock, cid, "lost", 1, note="迁出")
    history = customer_history(session=archivist, customer_id=cid, clock=clock)
    assert [h.action for h in history] == ["变更客户状态", "显示完整信息", "登记客户"]
    assert "迁出" in history[0].summary and history[1].summary == "电话核实"
    assert all(h.who == "lisi" for h in history)


def test_a_cleared_duplicate_is_not_raised_again_by_an_edit(
    archivist: SignedIn, location, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    from app.services.auth import sign_in, sign_out
    from app.services.customers import BankAccountInput, clear_duplicate_flag, list_duplicate_flags
    from tests.factories import PASSWORD

    a, b = phone_sharing_pair(archivist, clock)
    manager = sign_in(location=location, username="manager", password=PASSWORD, clock=clock)
    (flag,) = list_duplicate_flags(session=manager, clock=clock)
    clear_duplicate_flag(session=manager, flag_id=flag.id, note="父女共用家庭电话", clock=clock)
    sign_out(session=manager, clock=clock)
    # editing A's bank account re-checks bank accounts only, and never re-opens the cleared pair
    edit_customer(
        archivist,
        clock,
        a,
        1,
        basic_changes(bank_accounts=(BankAccountInput("6222 0212 3456 7890 110"),)),
    )
    edit_customer(archivist, clock, a, 2, basic_changes(phones=(PhoneInput("13812345678"),)))
    assert list_duplicate_flags(session=archivist, clock=clock) == []
    assert not get_customer(session=archivist, customer_id=b, clock=clock).suspected_duplicate


def test_deleting_one_of_a_pair_clears_the_other_mark(
    archivist: SignedIn, clock: FixedClock
) -> None:
    from app.services.customers import list_duplicate_flags

    a, b = phone_sharing_pair(archivist, clock)
    assert get_customer(session=archivist, customer_id=a, clock=clock).suspected_duplicate
    erase_customer(archivist, b, clock)
    assert list_duplicate_flags(session=archivist, clock=clock) == []
    assert not get_customer(session=archivist, customer_id=a, clock=clock).suspected_duplicate


def test_identity_numbers_in_other_digit_scripts_are_the_same_number(
    archivist: SignedIn, clock: FixedClock
) -> None:
    register_customer(session=archivist, draft=person(), clock=clock)
    arabic_indic = VALID_ID.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    with pytest.raises(ValidationFailed) as info:
        register_customer(
            session=archivist, draft=person(name="张三", id_number=arabic_indic), clock=clock
        )
    assert [e.reason for e in info.value.errors] == ["duplicate_id"]


def test_a_name_change_is_audited_masked_and_the_index_remarks_are_kept(
    archivist: SignedIn, clock: FixedClock
) -> None:
    cid = register_customer(
        session=archivist, draft=person(index_remarks="机密★20年"), clock=clock
    ).customer_id
    edit_customer(archivist, clock, cid, 1, basic_changes(name="张五丰", remarks="家住张家口"))
    with archivist.store.new_session() as s:
        entry = s.query(AuditEntry).filter_by(action="customer.update").one()
        row = s.get(Customer, cid)
    details = json.loads(entry.details)
    assert details["name"] == {
        "before": "张**",
        "after": "张**",
    }  # recorded although both mask alike
    assert "张家口" not in entry.details and "张五丰" not in entry.details
    assert row is not None and row.index_remarks == "机密★20年"  # not wiped by an edit
    assert [r.id for r in search_customers(session=archivist, query="机密★", clock=clock).rows] == [
        cid
    ]


def test_a_customer_whose_key_is_gone_gives_a_clear_error(
    archivist: SignedIn, clock: FixedClock
) -> None:
    from app.errors import CustomerUnreadable
    from app.services.customers import list_customers

    cid = register_customer(session=archivist, draft=person(), clock=clock).customer_id
    with archivist.store.new_session() as s:
        key_id = s.get(Customer, cid).key_id  # type: ignore[union-attr]
    archivist.store.vault.destroy([key_id])  # e.g. an old database copy restored without its vault
    with pytest.raises(CustomerUnreadable):
        get_customer(session=archivist, customer_id=cid, clock=clock)
    with pytest.raises(CustomerUnreadable):
        edit_customer(archivist, clock, cid, 1, basic_changes())
    assert list_customers(session=archivist, clock=clock)[0].id_number == "（无法解密）"
