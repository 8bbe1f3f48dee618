"""Exports of lists: masked by default; unmasked needs the role and a purpose and is logged."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.clock import FixedClock
from app.errors import PermissionDenied, ValidationFailed
from app.services import exports
from app.services.auth import SignedIn
from app.services.catalogue import ItemDraft, VolumeDraft, add_item, create_volume
from app.services.customers import register_customer
from app.storage.models import AuditEntry
from tests.factories import VALID_ID, person
from tests.pdf_text import pdf_text


def _rows(data: bytes) -> list[tuple[object, ...]]:
    return list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


def _exports(session: SignedIn) -> list[AuditEntry]:
    with session.store.new_session() as s:
        rows = s.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "export.customers")
            .order_by(AuditEntry.id)
        ).all()
        s.expunge_all()
        return list(rows)


def test_a_customer_export_is_masked_by_default_and_says_who_when_and_why(
    archivist: SignedIn, clock: FixedClock
) -> None:
    register_customer(session=archivist, draft=person(), clock=clock)
    data = exports.export_customers(session=archivist, purpose="年度盘点", clock=clock)
    rows = _rows(data)
    text = str(rows)
    assert VALID_ID not in text and "13812345678" not in text and "张三丰" not in text
    assert rows[0][0] == "客户目录" and rows[1][0] == "密级/标识：内部·已脱敏"
    assert rows[2][0].startswith("导出人：李四（lisi）　导出时间：")
    assert rows[3][0] == "用途：年度盘点"
    header = next(i for i, r in enumerate(rows) if r[0] == "客户编号")
    assert rows[header + 1][:2] == ("KH00000001", "张**")
    assert rows[header + 1][7] == "110***********002X"
    entry = _exports(archivist)[-1]
    assert entry.purpose == "年度盘点" and '"unmasked":false' in entry.details


def test_an_unmasked_export_needs_the_role_and_a_purpose_and_is_logged(
    archivist: SignedIn, admin: SignedIn, clock: FixedClock
) -> None:
    register_customer(session=archivist, draft=person(), clock=clock)
    with pytest.raises(ValidationFailed):
        exports.export_customers(session=archivist, purpose="  ", clock=clock, unmasked=True)
    with pytest.raises(PermissionDenied):  # the administrator may not read customers (三员分立)
        exports.export_customers(session=admin, purpose="备份核对", clock=clock, unmasked=True)
    assert _exports(archivist) == []  # refused exports leave nothing to log
    data = exports.export_customers(
        session=archivist, purpose="移交清点", clock=clock, unmasked=True
    )
    rows = _rows(data)
    assert rows[1][0] == "密级/标识：敏感·含完整个人信息"
    # a leading + is escaped: Excel would read "+86…" as a formula (issue 23)
    assert any(r[1] == "张三丰" and r[7] == VALID_ID and r[8] == "'+8613812345678" for r in rows)
    entry = _exports(archivist)[-1]
    assert entry.purpose == "移交清点" and '"unmasked":true' in entry.details
    assert VALID_ID not in entry.details


def test_a_customer_pdf_export_carries_the_marking_and_masks_values(
    archivist: SignedIn, clock: FixedClock
) -> None:
    register_customer(session=archivist, draft=person(), clock=clock)
    data = exports.export_customers(
        session=archivist, purpose="上级检查", clock=clock, fmt=exports.ExportFormat.PDF
    )
    text = pdf_text(data)
    assert "内部·已脱敏" in text and "用途：上级检查" in text and "打印人：李四（lisi）" in text
    assert "110***********002X" in text and VALID_ID not in text
    assert "第 1 页 / 共 1 页" in text


def test_a_volume_export_is_marked_with_the_highest_level_it_shows(
    archivist: SignedIn, clock: FixedClock
) -> None:
    owner = register_customer(session=archivist, draft=person(), clock=clock)
    saved = create_volume(
        session=archivist,
        draft=VolumeDraft(
            customer_id=owner.customer_id, year=2024, title="合作协议", retention="Y"
        ),
        clock=clock,
    )
    add_item(
        session=archivist,
        volume_id=saved.volume_id,
        draft=ItemDraft(title="估值报告", secrecy_level="confidential"),
        clock=clock,
    )
    data = exports.export_volumes(
        session=archivist, query="", purpose="年度盘点", clock=clock, fmt=exports.ExportFormat.PDF
    )
    text = pdf_text(data)
    assert "机密★20年" in text and saved.reference_code in text
    workbook = exports.export_volumes(session=archivist, query="", purpose="年度盘点", clock=clock)
    assert _rows(workbook)[1][0] == "密级/标识：机密★20年"
    assert exports.volume_marking([]) == "非涉密"
