"""Label stocks and volume labels on a real encrypted database; no personal data on any label."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from typing import Any

import pypdfium2 as pdfium
import pytest
import zxingcpp
from sqlalchemy import select

from app.clock import FixedClock
from app.domain.label_stock import BUILTIN_STOCKS, LabelStock
from app.domain.roles import ApproverTitle, Role
from app.domain.scan_codes import scan_payload
from app.errors import PermissionDenied, ValidationFailed
from app.printing.labels import LabelKind, render_labels
from app.services.auth import SignedIn, sign_in
from app.services.catalogue import ItemDraft, VolumeDraft, add_item, create_volume
from app.services.customers import register_customer
from app.services.locations import (
    delete_label_stock,
    list_label_stocks,
    record_label_output,
    save_label_stock,
    volume_labels,
)
from app.storage.location import DatabaseLocation
from app.storage.models import AuditEntry
from tests.factories import PASSWORD, VALID_ID, person, sign_in_as

MINE = LabelStock(
    key="",
    name="库房自购 3×7 63.5×38.1",
    page_width=210,
    page_height=297,
    label_width=63.5,
    label_height=38.1,
    rows=7,
    columns=3,
    top_margin=15.15,
    left_margin=7.25,
    gap_x=2.5,
    corner_radius=2,
)
NAME = "张三丰"
TITLES = ("张三丰2024年度客户档案", "张三丰与示范公司借款合同纠纷材料")
ITEM_TITLES = ("张三丰身份证复印件", "张三丰银行流水")
PHONE = "13812345678"
BANK = "6222021234567890128"


def audit_actions(session: SignedIn, prefix: str) -> list[tuple[str, str, Any]]:
    with session.store.engine.connect() as conn:
        rows = conn.execute(
            select(AuditEntry.action, AuditEntry.object_id, AuditEntry.details).where(
                AuditEntry.action.like(prefix + "%")
            )
        ).all()
    return [(a, o, json.loads(d) if isinstance(d, str) else d) for a, o, d in rows]  # type: ignore[misc]


# --- user stocks -----------------------------------------------------------------------------
def test_user_stocks_are_listed_after_the_built_in_ones_and_survive_a_new_session(
    archivist: SignedIn, location: DatabaseLocation, admin: SignedIn, clock: FixedClock
) -> None:
    saved = save_label_stock(session=archivist, stock=MINE, clock=clock)
    assert saved.key == "user:1" and not saved.builtin
    second = save_label_stock(
        session=archivist, stock=replace(MINE, name="热敏 70×50"), clock=clock
    )
    assert second.key == "user:2"
    stocks = list_label_stocks(session=archivist, clock=clock)
    assert stocks[: len(BUILTIN_STOCKS)] == list(BUILTIN_STOCKS)
    assert [s.name for s in stocks[len(BUILTIN_STOCKS) :]] == [
        "库房自购 3×7 63.5×38.1",
        "热敏 70×50",
    ]
    assert stocks[len(BUILTIN_STOCKS)] == saved

    changed = save_label_stock(session=archivist, stock=replace(saved, gap_y=0), clock=clock)
    assert changed == saved  # nothing changed: nothing written
    moved = save_label_stock(session=archivist, stock=replace(saved, top_margin=14), clock=clock)
    assert moved.top_margin == 14
    delete_label_stock(session=archivist, key="user:2", clock=clock)
    again = sign_in(location=location, username="lisi", password=PASSWORD, clock=clock)
    assert list_label_stocks(session=again, clock=clock)[len(BUILTIN_STOCKS) :] == [moved]
    third = save_label_stock(session=again, stock=replace(MINE, name="又一种"), clock=clock)
    assert third.key == "user:3"  # user:2 is never given to another stock
    delete_label_stock(session=again, key="user:3", clock=clock)

    entries = audit_actions(archivist, "label_stock.")
    assert [(a, o) for a, o, _ in entries] == [
        ("label_stock.save", "user:1"),
        ("label_stock.save", "user:2"),
        ("label_stock.save", "user:1"),
        ("label_stock.delete", "user:2"),
        ("label_stock.save", "user:3"),
        ("label_stock.delete", "user:3"),
    ]
    assert entries[2][2]["before"]["top_margin"] == 15.15
    assert entries[2][2]["after"]["top_margin"] == 14


def test_saving_a_stock_that_does_not_fit_names_the_field_and_saves_nothing(
    archivist: SignedIn, clock: FixedClock
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        save_label_stock(session=archivist, stock=replace(MINE, columns=4), clock=clock)
    assert [(e.field, e.reason) for e in refused.value.errors] == [
        ("stock_label_width", "too_wide_for_page")
    ]
    assert len(list_label_stocks(session=archivist, clock=clock)) == len(BUILTIN_STOCKS)
    assert audit_actions(archivist, "label_stock.") == []


def test_names_are_unique_among_built_in_and_user_stocks(
    archivist: SignedIn, clock: FixedClock
) -> None:
    save_label_stock(session=archivist, stock=MINE, clock=clock)
    for name in (MINE.name.upper(), BUILTIN_STOCKS[0].name, f"  {MINE.name} "):
        with pytest.raises(ValidationFailed) as taken:
            save_label_stock(session=archivist, stock=replace(MINE, name=name), clock=clock)
        assert [(e.field, e.reason) for e in taken.value.errors] == [("stock_name", "taken")]


def test_built_in_stocks_cannot_be_changed_or_deleted(
    archivist: SignedIn, clock: FixedClock
) -> None:
    builtin = BUILTIN_STOCKS[0]
    with pytest.raises(ValidationFailed) as changed:
        save_label_stock(session=archivist, stock=replace(builtin, top_margin=3), clock=clock)
    assert changed.value.errors[0].reason == "builtin_stock"
    with pytest.raises(ValidationFailed) as deleted:
        delete_label_stock(session=archivist, key=builtin.key, clock=clock)
    assert deleted.value.errors[0].reason == "builtin_stock"
    with pytest.raises(ValidationFailed) as missing:
        delete_label_stock(session=archivist, key="user:99", clock=clock)
    assert missing.value.errors[0].reason == "not_found"


def test_only_the_archivist_manages_stocks(
    admin: SignedIn, archivist: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    approver = sign_in_as(
        admin, location, clock, "wangwu", [Role.APPROVER], ApproverTitle.DEPT_HEAD
    )
    assert len(list_label_stocks(session=approver, clock=clock)) == len(BUILTIN_STOCKS)
    with pytest.raises(PermissionDenied):
        save_label_stock(session=approver, stock=MINE, clock=clock)
    with pytest.raises(PermissionDenied):
        save_label_stock(session=admin, stock=MINE, clock=clock)


# --- volume labels: no personal data, no titles ----------------------------------------------
def _customer_with_volumes(archivist: SignedIn, clock: FixedClock) -> tuple[list[int], list[str]]:
    cid = register_customer(session=archivist, draft=person(), clock=clock).customer_id
    ids = []
    for year, title in zip((2024, 2025), TITLES, strict=True):
        draft = VolumeDraft(customer_id=cid, year=year, title=title, retention="Y")
        ids.append(create_volume(session=archivist, draft=draft, clock=clock).volume_id)
    add_item(
        session=archivist,
        volume_id=ids[0],
        draft=ItemDraft(title=ITEM_TITLES[0], author=NAME),
        clock=clock,
    )
    add_item(
        session=archivist,
        volume_id=ids[1],
        draft=ItemDraft(
            title=ITEM_TITLES[1],
            author=NAME,
            secrecy_level="confidential",
            secrecy_since=date(2025, 3, 1),
        ),
        clock=clock,
    )
    return ids, [NAME, *TITLES, *ITEM_TITLES, VALID_ID, PHONE, BANK, "张"]


def test_volume_labels_carry_code_year_retention_and_secrecy_but_no_title(
    archivist: SignedIn, clock: FixedClock
) -> None:
    ids, _ = _customer_with_volumes(archivist, clock)
    first, second = volume_labels(session=archivist, volume_ids=ids, clock=clock)
    assert (first.kind, first.code, first.year, first.retention_label) == (
        LabelKind.VOLUME,
        "Z001-KH·2024-Y-0001",
        2024,
        "永久",
    )
    assert first.secrecy_mark == "" and second.secrecy_mark == "机密★20年"
    assert not hasattr(first, "title")
    boxes = volume_labels(
        session=archivist,
        volume_ids=ids[:1],
        kind=LabelKind.BOX_SPINE,
        locations={ids[0]: "K1-03-A-2-4"},
        clock=clock,
    )
    assert boxes[0].kind == LabelKind.BOX_SPINE and boxes[0].location_code == "K1-03-A-2-4"


def test_no_label_on_any_stock_shows_personal_data_or_a_title(
    archivist: SignedIn, clock: FixedClock
) -> None:
    ids, forbidden = _customer_with_volumes(archivist, clock)
    for kind in LabelKind:
        labels = volume_labels(session=archivist, volume_ids=ids, kind=kind, clock=clock)
        for stock in BUILTIN_STOCKS:
            data = render_labels(labels, stock)
            pdf = pdfium.PdfDocument(data)
            found = []
            for i in range(len(pdf)):
                text = re.sub(r"\s+", "", pdf[i].get_textpage().get_text_range())
                found.append(text)
                image = pdf[i].render(scale=150 / 72).to_pil().convert("L")
                found.extend(code.text for code in zxingcpp.read_barcodes(image))
            everything = "".join(found)
            assert scan_payload(labels[1].code) in found, stock.key  # the QR did decode
            for secret in forbidden:
                assert secret not in everything, (kind, stock.key, secret)


def test_labels_of_a_volume_above_the_readers_clearance_are_refused(
    admin: SignedIn, archivist: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    ids, _ = _customer_with_volumes(archivist, clock)
    head = sign_in_as(admin, location, clock, "zhaoliu", [Role.APPROVER], ApproverTitle.DEPT_HEAD)
    assert len(volume_labels(session=head, volume_ids=ids[:1], clock=clock)) == 1
    with pytest.raises(ValidationFailed) as refused:
        volume_labels(session=head, volume_ids=ids, clock=clock)
    assert refused.value.errors[0].reason == "no_clearance"


def test_printing_labels_is_audited_with_the_codes(archivist: SignedIn, clock: FixedClock) -> None:
    ids, _ = _customer_with_volumes(archivist, clock)
    labels = volume_labels(session=archivist, volume_ids=ids, clock=clock)

    def record(start: int, kind: str) -> None:
        """Record ``labels`` put out on the first built-in stock from label ``start`` (0-based)."""
        record_label_output(
            session=archivist,
            labels=labels,
            stock=BUILTIN_STOCKS[0],
            start=start,
            kind=kind,
            clock=clock,
        )

    record(3, "print")
    ((action, _object_id, details),) = audit_actions(archivist, "print.labels")
    assert action == "print.labels"
    assert details == {
        "output": "print",
        "stock": "a4-3x8",
        "start": 4,
        "labels": 2,
        "codes": ["Z001-KH·2024-Y-0001", "Z001-KH·2025-Y-0001"],
    }
    with pytest.raises(ValidationFailed):
        record(0, "x")  # no such kind of output
