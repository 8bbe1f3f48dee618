"""Editing customers: status history, edits without revealing, stale versions, history view."""

from __future__ import annotations

import json

import pytest

from app.clock import FixedClock
from app.errors import ValidationFailed
from app.services.auth import SignedIn
from app.services.customer_edits import (
    CustomerChanges,
    change_customer_status,
    customer_history,
    update_customer,
)
from app.services.customers import (
    PhoneInput,
    find_customers_by_phone,
    get_customer,
    register_customer,
    reveal_customer,
    search_customers,
)
from app.storage.models import AuditEntry, Customer, CustomerStatusChange
from tests.factories import VALID_ID, person


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


def test_status_changes_are_dated_and_kept(archivist: SignedIn, clock: FixedClock) -> None:
    cid = register_customer(session=archivist, draft=person(), clock=clock).customer_id
    clock.advance(days=30)
    v = change_customer_status(
        session=archivist,
        customer_id=cid,
        status="lost",
        note="合同到期未续",
        expected_version=1,
        clock=clock,
    )
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
        change_customer_status(
            session=archivist,
            customer_id=cid,
            status="registered",
            note="",
            expected_version=1,
            clock=clock,
        )
    assert info.value.errors[0].reason == "stale"


def test_edit_keeps_protected_values_unless_given(archivist: SignedIn, clock: FixedClock) -> None:
    cid = register_customer(session=archivist, draft=person(), clock=clock).customer_id
    update_customer(
        session=archivist,
        customer_id=cid,
        changes=basic_changes(remarks="老客户"),
        expected_version=1,
        clock=clock,
    )
    full = reveal_customer(session=archivist, customer_id=cid, purpose="核对修改结果", clock=clock)
    assert full.id_number == VALID_ID and full.phones == ("+8613812345678",)
    assert full.importance == "important" and full.remarks == "老客户"
    update_customer(
        session=archivist,
        customer_id=cid,
        changes=basic_changes(phones=(PhoneInput("139 1234 5678"),)),
        expected_version=2,
        clock=clock,
    )
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
    assert details["phones"] == {"after": ["139****5678"]} and "13912345678" not in entry.details  # type: ignore[union-attr]


def test_edit_is_validated_and_renamed_customers_are_found_by_the_new_name(
    archivist: SignedIn, clock: FixedClock
) -> None:
    cid = register_customer(session=archivist, draft=person(), clock=clock).customer_id
    with pytest.raises(ValidationFailed) as info:
        update_customer(
            session=archivist,
            customer_id=cid,
            changes=basic_changes(name=" ", id_number=""),
            expected_version=1,
            clock=clock,
        )
    assert {e.field for e in info.value.errors} == {"name", "id_number"}
    update_customer(
        session=archivist,
        customer_id=cid,
        changes=basic_changes(name="张君宝"),
        expected_version=1,
        clock=clock,
    )
    assert [
        r.id for r in search_customers(session=archivist, query="zhangjunbao", clock=clock).rows
    ] == [cid]
    assert search_customers(session=archivist, query="三丰", clock=clock).rows == []


def test_history_lists_what_happened_newest_first(archivist: SignedIn, clock: FixedClock) -> None:
    cid = register_customer(session=archivist, draft=person(), clock=clock).customer_id
    clock.advance(hours=1)
    reveal_customer(session=archivist, customer_id=cid, purpose="电话核实", clock=clock)
    clock.advance(hours=1)
    change_customer_status(
        session=archivist,
        customer_id=cid,
        status="lost",
        note="迁出",
        expected_version=1,
        clock=clock,
    )
    history = customer_history(session=archivist, customer_id=cid, clock=clock)
    assert [h.action for h in history] == ["变更状态", "查看完整信息", "登记"]
    assert "迁出" in history[0].summary and history[1].summary == "电话核实"
    assert all(h.who == "lisi" for h in history)
