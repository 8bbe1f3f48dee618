"""The recovery sheet PDF: read back its text, check the embedded font, render it to pixels."""

from __future__ import annotations

from datetime import UTC, datetime

import pypdfium2 as pdfium

from app.printing.recovery_sheet import RecoverySheet, render_recovery_sheet
from app.security.keyring import new_recovery_key


def make_sheet(key: str) -> bytes:
    return render_recovery_sheet(
        RecoverySheet(
            recovery_key=key,
            organisation_name="华东示范贸易有限公司",
            fonds_name="华东示范贸易有限公司客户档案",
            fonds_code="Z001",
            database_id="0123456789abcdef0123456789abcdef",
            database_display="/srv/archive/archive.db",
            created_at=datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
            created_by="王建国（boss）",
        )
    )


def test_recovery_sheet_reads_back_with_key_and_chinese_text() -> None:
    key = new_recovery_key()
    data = make_sheet(key)
    pdf = pdfium.PdfDocument(data)
    assert len(pdf) == 1
    page = pdf[0]
    width, height = page.get_size()
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    text = page.get_textpage().get_text_range()
    compact = text.replace(" ", "").replace("\r", "").replace("\n", "")
    assert "档案室数据库恢复密钥单" in compact
    assert "华东示范贸易有限公司客户档案" in compact
    assert key.replace("-", "") in compact
    assert "第1页" in compact and "打印人" in compact
    assert b"/FontFile2" in data  # the TrueType font is embedded


def test_recovery_sheet_renders_ink_where_the_key_is() -> None:
    pdf = pdfium.PdfDocument(make_sheet(new_recovery_key()))
    image = pdf[0].render(scale=1).to_pil().convert("L")
    w, h = image.size
    # the key box sits roughly in the upper middle of the page: it must contain dark pixels
    box = image.crop((int(w * 0.1), int(h * 0.30), int(w * 0.9), int(h * 0.50)))
    dark = sum(box.histogram()[:100])
    assert dark > 2000
