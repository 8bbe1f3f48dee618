"""The incident register (R45): record, link, update, print; audited and in the history."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pypdfium2 as pdfium
import pytest

from app.clock import FixedClock
from app.domain.roles import Role
from app.errors import PermissionDenied, ValidationFailed
from app.services import audit, incidents
from app.services.auth import SignedIn, sign_out
from app.storage.location import DatabaseLocation
from tests.factories import customer_with_volume, loss_incident, sign_in_as


def test_an_incident_links_the_affected_records_and_is_audited(
    admin: SignedIn, archivist: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    saved, volume = customer_with_volume(archivist, clock)
    row = incidents.record_incident(
        session=archivist,
        draft=loss_incident(clock, saved.number.lower(), volume.reference_code),
        clock=clock,
    )
    assert row.number == f"SJ-{clock.now().year}-001" and row.status == "处理中"
    assert set(row.affected) == {saved.number, volume.reference_code}
    for otype, oid in (("customer", saved.customer_id), ("volume", volume.volume_id)):
        linked = incidents.list_incidents_for(
            session=archivist, object_type=otype, object_id=oid, clock=clock
        )
        assert [i.number for i in linked] == [row.number]
    closed = incidents.update_incident(
        session=archivist,
        incident_id=row.id,
        draft=replace(
            loss_incident(clock, saved.number),
            status="closed",
            follow_up="缺页已找回，借阅人书面检讨。",
        ),
        expected_version=row.version,
        clock=clock,
    )
    assert closed.status == "已结案" and closed.affected == (saved.number,)
    with pytest.raises(ValidationFailed) as info:
        incidents.update_incident(
            session=archivist,
            incident_id=row.id,
            draft=loss_incident(clock),
            expected_version=row.version,
            clock=clock,
        )
    assert [e.reason for e in info.value.errors] == ["stale_record"]
    auditor = sign_in_as(admin, location, clock, "audit", [Role.AUDITOR])
    try:
        _target, history = audit.get_object_history(
            session=auditor, kind="customer", key=saved.number, clock=clock
        )
        assert [r.action for r in history][-2:] == ["incident.record", "incident.update"]
        assert "涉及：" in history[-1].details and "状态：处理中 → 已结案" in history[-1].details
        assert [i.number for i in incidents.list_incidents(session=auditor, clock=clock)] == [
            row.number
        ]
        with pytest.raises(PermissionDenied):  # the auditor changes nothing
            incidents.record_incident(session=auditor, draft=loss_incident(clock), clock=clock)
    finally:
        sign_out(session=auditor, clock=clock)


def test_bad_input_names_the_fields_and_saves_nothing(
    archivist: SignedIn, clock: FixedClock
) -> None:
    bad = replace(
        loss_incident(clock, "KH99999999"),
        title=" ",
        measures="",
        found_at=clock.now() + timedelta(days=1),
        status="closed",
    )
    with pytest.raises(ValidationFailed) as info:
        incidents.record_incident(session=archivist, draft=bad, clock=clock)
    assert sorted((e.field, e.reason) for e in info.value.errors) == [
        ("affected", "unknown_code"),
        ("follow_up", "required"),
        ("found_at", "future"),
        ("incident_title", "required"),
        ("measures", "required"),
    ]
    assert incidents.list_incidents(session=archivist, clock=clock) == []


def test_the_printed_report_holds_every_field(archivist: SignedIn, clock: FixedClock) -> None:
    row = incidents.record_incident(session=archivist, draft=loss_incident(clock), clock=clock)
    pdf = incidents.print_incident_report(session=archivist, incident_id=row.id, clock=clock)
    doc = pdfium.PdfDocument(pdf)
    text = "".join(doc[0].get_textpage().get_text_range().split())
    for expected in (
        "客户信息泄密/丢失事件报告",
        row.number,
        "借出案卷归还时缺页",
        "封存该卷",
        "客服部经理刘芳",
        "信息管理专员签字",
    ):
        assert expected in text
