"""卷内目录 and 卷内备考表: render the PDFs, read them back with pdfium, check what readers see."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from app.domain.catalogue import Retention, Secrecy, SecrecyLevel
from app.errors import ValidationFailed
from app.messages import describe
from app.printing.catalogue_forms import (
    COLUMN_MM,
    ItemLine,
    VolumeCatalogueSheet,
    VolumeNoteSheet,
    check_note_sheet,
    format_pages,
    render_volume_catalogue,
    render_volume_note_sheet,
    wrap_lines,
)
from app.printing.page import format_printed_at
from tests.catalogue_lines import running_pages
from tests.pdf_text import compact, compact_pages

MM = 72 / 25.4
MARGIN = 18 * MM
LONG_TITLE = (
    "关于华东示范贸易有限公司与上海某某实业有限公司签订二〇二五年度经销合同、补充协议、"
    "对账单及往来函件的汇总说明（含附件清单）"
)
LONG_DOC_NUMBER = "HDSF-2025-CONTRACT-000123456789"  # no break opportunity: must still wrap
CONFIDENTIAL = Secrecy(SecrecyLevel.CONFIDENTIAL, 20, date(2025, 3, 1))
PRINTED_AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def shanghai_time() -> Iterator[None]:
    """Local time zone UTC+8 (a POSIX rule, no tz database needed)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "CST-8")
        time.tzset()
        yield
    time.tzset()


def make_items(count: int) -> list[ItemLine]:
    pages = running_pages(1 + seq % 4 for seq in range(1, count + 1))
    return [
        ItemLine(
            seq=seq,
            doc_number=LONG_DOC_NUMBER if seq == 33 else f"华示贸〔2025〕{seq}号",
            author="华东示范贸易有限公司" if seq % 3 else "客服部",
            title=LONG_TITLE if seq % 9 == 4 else f"客户往来函件第{seq}号",
            date=date(2025, 1, 1) + timedelta(days=seq),
            page_from=first,
            page_to=last,
            remarks="原件" if seq % 5 == 0 else "",
            secrecy=CONFIDENTIAL if seq in (17, 88) else Secrecy(),
        )
        for seq, (first, last) in enumerate(pages, start=1)
    ]


def catalogue(items: list[ItemLine], secrecy: Secrecy = CONFIDENTIAL) -> VolumeCatalogueSheet:
    return VolumeCatalogueSheet(
        reference_code="Z001-KH-2025-Y-0007",
        title="华东示范贸易有限公司2025年度客户档案（合同、往来函件、身份证明材料）",
        retention=Retention.PERMANENT,
        secrecy=secrecy,
        organisation="华东示范贸易有限公司",
        printed_by="王建国",
        printed_by_username="archivist",
        printed_at=PRINTED_AT,
        items=items,
    )


def note_sheet(**changes: object) -> VolumeNoteSheet:
    values: dict[str, object] = {
        "reference_code": "Z001-KH-2025-Y-0007",
        "title": "华东示范贸易有限公司2025年度客户档案",
        "retention": Retention.THIRTY_YEARS,
        "secrecy": CONFIDENTIAL,
        "organisation": "华东示范贸易有限公司",
        "printed_by": "王建国",
        "printed_by_username": "archivist",
        "printed_at": PRINTED_AT,
        "notes": "第 17 件原件为传真件，已复印存档。\n第 57 件缺第 3 页，已向客户补要。",
        "compiled_by": "李文",
        "checked_by": "张敏",
        "compiled_on": date(2026, 1, 4),
        "item_count": 120,
        "page_count": 300,
        "latest_item_date": date(2025, 12, 30),
    }
    values.update(changes)
    return VolumeNoteSheet(**values)  # type: ignore[arg-type]


def column_edges() -> list[float]:
    edges = [MARGIN]
    for width in COLUMN_MM:
        edges.append(edges[-1] + width * MM)
    return edges


def heading_top(textpage: pdfium.PdfTextPage) -> float:
    """The top of the 序号 column heading (the table starts there)."""
    searcher = textpage.search("序号")
    found = searcher.get_next()
    assert found is not None
    return float(textpage.get_charbox(found[0])[3])


def test_catalogue_of_120_items_repeats_its_header_and_lists_every_row_in_order(
    shanghai_time: None,
) -> None:
    data = render_volume_catalogue(catalogue(make_items(120)))
    pdf = pdfium.PdfDocument(data)
    texts = compact_pages(data)
    total = len(texts)
    assert total >= 4
    headings = "序号文号责任者题名日期页号备注"
    for number, text in enumerate(texts, start=1):
        # the page header, the volume's block and the column headings on every page
        assert "华东示范贸易有限公司" in text and "卷内目录" in text
        assert "档号Z001-KH-2025-Y-0007" in text
        assert "案卷题名" + compact(catalogue([]).title) in text
        assert "保管期限永久" in text and "密级机密★20年" in text
        assert headings in text
        assert text.count("机密★20年") >= 2  # the header mark and the 密级 cell
        assert f"第{number}页/共{total}页" in text
        assert "打印人：王建国（archivist）" in text
        assert "打印时间：2026-01-0517:00+08:00" in text

    # 序号 column, page by page: 1..120 in order, each once
    first, last = column_edges()[:2]
    seqs: list[int] = []
    for i in range(total):
        textpage = pdf[i].get_textpage()
        top = heading_top(textpage)
        column = textpage.get_text_bounded(left=first, right=last, bottom=20 * MM, top=top + 1)
        seqs += [int(n) for n in re.findall(r"\d+", column)]
    assert seqs == list(range(1, 121))

    everything = "".join(texts)
    assert everything.count(compact(LONG_TITLE)) == sum(1 for s in range(1, 121) if s % 9 == 4)
    assert LONG_DOC_NUMBER in everything
    assert "20250102" in everything and "1-2" in everything  # YYYYMMDD, page range
    assert "客户往来函件第120号" in everything


def test_catalogue_cells_wrap_inside_their_columns() -> None:
    """No character of the table crosses a column line: long text wraps, nothing runs over."""
    pdf = pdfium.PdfDocument(render_volume_catalogue(catalogue(make_items(40))))
    edges = column_edges()
    checked = 0
    for i in range(len(pdf)):
        textpage = pdf[i].get_textpage()
        top = heading_top(textpage) + 1
        for index in range(textpage.count_chars()):
            left, bottom, right, char_top = textpage.get_charbox(index)
            if char_top > top or bottom < 20 * MM or right - left < 0.1:
                continue
            checked += 1
            assert left >= edges[0] - 0.5 and right <= edges[-1] + 0.5
            for edge in edges[1:-1]:
                assert not (left < edge - 0.5 and right > edge + 0.5), (i, index, edge)
    assert checked > 2000


def test_every_text_on_every_page_uses_the_embedded_font() -> None:
    data = render_volume_catalogue(catalogue(make_items(30)))
    assert b"/FontFile2" in data
    assert b"WenQuanYiMicroHei" in data
    pdf = pdfium.PdfDocument(data)
    texts = 0
    for i in range(len(pdf)):
        for obj in pdf[i].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
            font = pdfium_c.FPDFTextObj_GetFont(obj.raw)
            assert pdfium_c.FPDFFont_GetIsEmbedded(font) == 1
            texts += 1
    assert texts > 100


def test_secrecy_mark_appears_only_when_a_row_is_confidential_or_above() -> None:
    plain = [ItemLine(seq=1, doc_number="", author="客服部", title="客户登记表", date=None)]
    unclassified = compact_pages(render_volume_catalogue(catalogue(plain, Secrecy())))[0]
    assert "★" not in unclassified and "密级—" in unclassified

    secret = Secrecy(SecrecyLevel.SECRET, None, date(2025, 1, 1))
    low = compact_pages(render_volume_catalogue(catalogue(plain, secret)))[0]
    assert "★" not in low and "密级秘密" in low

    row = ItemLine(seq=2, doc_number="", author="", title="授信协议", secrecy=CONFIDENTIAL)
    top_row = [*plain, row]
    marked = pdfium.PdfDocument(render_volume_catalogue(catalogue(top_row, secret)))
    textpage = marked[0].get_textpage()
    # the mark in the top right corner of the page (above the title), plus the row's 备注
    width, height = marked[0].get_size()
    corner = textpage.get_text_bounded(left=width / 2, bottom=height - 15 * MM, right=width)
    assert compact(corner) == "机密★20年"
    assert compact(textpage.get_text_range()).count("机密★20年") == 2


def test_restricted_rows_show_only_their_number() -> None:
    items = [
        ItemLine(seq=1, doc_number="甲-1", author="客服部", title="公开的说明", date=None),
        ItemLine(seq=2, doc_number="甲-2", author="财务部", title="不可见的题名", restricted=True),
    ]
    text = compact_pages(render_volume_catalogue(catalogue(items, Secrecy())))[0]
    assert "公开的说明" in text and "受限" in text
    assert "不可见的题名" not in text and "甲-2" not in text and "财务部" not in text


def test_declassified_marking_prints_struck_through() -> None:
    items = [
        ItemLine(
            seq=1,
            doc_number="",
            author="",
            title="旧合同",
            remarks="~~机密★20年~~ 解密 2025-05-01",
        )
    ]
    data = render_volume_catalogue(catalogue(items, Secrecy()))
    text = compact_pages(data)[0]
    assert "机密★20年解密2025-05-01" in text and "~~" not in text


def test_page_formatting_helpers(shanghai_time: None) -> None:
    assert format_pages(1, 4) == "1-4"
    assert format_pages(5, 5) == "5"
    assert format_pages(5, None) == "5"
    assert format_pages(None, None) == ""
    assert format_printed_at(datetime(2026, 1, 5, 16, 30, tzinfo=UTC)) == "2026-01-06 00:30 +08:00"


def test_note_sheet_renders_notes_signatures_and_mark(shanghai_time: None) -> None:
    texts = compact_pages(render_volume_note_sheet(note_sheet()))
    assert len(texts) == 1
    text = texts[0]
    for expected in (
        "卷内备考表",
        "档号Z001-KH-2025-Y-0007",
        "保管期限定期30年",
        "本卷情况说明",
        "本卷共有文件120件，共300页。",
        "第17件原件为传真件，已复印存档。",
        "第57件缺第3页，已向客户补要。",
        "立卷人：李文签字：日期：",
        "检查人：张敏签字：日期：",
        "立卷时间：2026年1月4日",
        "第1页/共1页",
        "打印时间：2026-01-0517:00+08:00",
    ):
        assert expected in text, expected
    assert text.count("机密★20年") == 2


def test_long_notes_continue_on_a_second_page_with_the_heading_repeated() -> None:
    line = "第 {n} 件：原件页码有涂改，已由立卷人核对并签注说明。"
    notes = "\n".join(line.format(n=n) for n in range(1, 46))
    texts = compact_pages(render_volume_note_sheet(note_sheet(notes=notes)))
    assert len(texts) == 2
    for number, text in enumerate(texts, start=1):
        assert "卷内备考表" in text and "档号Z001-KH-2025-Y-0007" in text
        assert f"第{number}页/共2页" in text
    assert "第45件：" in texts[1] and "立卷人：李文" in texts[1]


@pytest.mark.parametrize("notes", ["", "   ", "无", " 无。", "暂无", "/"])
def test_note_sheet_refuses_notes_that_say_nothing(notes: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        render_volume_note_sheet(note_sheet(notes=notes))
    assert [(e.field, e.reason) for e in caught.value.errors] == [("notes", "notes_empty")]
    message = describe(caught.value)
    assert "本卷情况说明：" in message and "不能为空或只写“无”" in message


def test_note_sheet_refuses_a_compiling_date_before_the_latest_item() -> None:
    with pytest.raises(ValidationFailed) as caught:
        render_volume_note_sheet(note_sheet(compiled_on=date(2025, 12, 29)))
    assert [(e.field, e.reason) for e in caught.value.errors] == [
        ("compiled_on", "before_latest_item")
    ]
    assert "立卷时间：不能早于卷内最晚一件文件的日期（2025-12-30）" in describe(caught.value)
    # the same day as the latest item is fine
    assert render_volume_note_sheet(note_sheet(compiled_on=date(2025, 12, 30)))[:5] == b"%PDF-"


def test_note_sheet_checks_every_field_at_once() -> None:
    errors = check_note_sheet(
        notes="无", compiled_by=" ", checked_by="", compiled_on=None, latest_item_date=None
    )
    assert [(e.field, e.reason) for e in errors] == [
        ("notes", "notes_empty"),
        ("compiled_by", "required"),
        ("checked_by", "required"),
        ("compiled_on", "required"),
    ]
    assert (
        check_note_sheet(
            notes="本卷文件齐全。",
            compiled_by="李文",
            checked_by="张敏",
            compiled_on=date(2026, 1, 4),
            latest_item_date=None,
        )
        == []
    )


def test_wrap_lines_keeps_numbers_whole_and_punctuation_off_line_starts() -> None:
    def measure(char: str) -> float:
        return 1.0 if ord(char) < 128 else 2.0  # Latin half, Chinese full width

    assert wrap_lines("华示贸〔2025〕10号", 14, measure) == ["华示贸〔2025〕", "10号"]
    assert wrap_lines("甲乙丙丁，戊", 8, measure) == ["甲乙丙", "丁，戊"]
    assert wrap_lines("第一行\n第二行", 100, measure) == ["第一行", "第二行"]
    assert wrap_lines("ABCDEFGHIJ", 4, measure) == ["ABCD", "EFGH", "IJ"]  # longer than a line
    assert wrap_lines("合同 HT-2025-0012 补充", 12, measure) == ["合同", "HT-2025-0012", "补充"]


def test_secrecy_mark_is_red_and_the_title_black() -> None:
    pdf = pdfium.PdfDocument(render_volume_catalogue(catalogue(make_items(3))))
    picture = pdf[0].render(scale=2).to_pil().convert("RGB")

    def pixels(left: float, top: float, right: float, bottom: float) -> list[tuple[int, int, int]]:
        """The pixels of a rectangle given in mm from the top left corner (2 px per point)."""
        x0, y0, x1, y1 = (round(v * MM * 2) for v in (left, top, right, bottom))
        return [picture.getpixel((x, y)) for y in range(y0, y1) for x in range(x0, x1)]  # type: ignore[misc]

    mark = pixels(150, 6, 192, 14)  # top right: 机密★20年
    title = pixels(80, 15, 130, 26)  # centred: 卷内目录

    def red(p: tuple[int, int, int]) -> bool:
        return p[0] > 150 and p[1] < 90 and p[2] < 90

    def dark(p: tuple[int, int, int]) -> bool:
        return max(p) < 90

    assert sum(map(red, mark)) > 150
    assert sum(map(dark, title)) > 150 and sum(map(red, title)) == 0


def test_the_forms_module_does_not_load_reportlab_until_printing() -> None:
    import subprocess
    import sys

    code = (
        "import sys, app.printing.catalogue_forms as f; "
        "f.check_note_sheet(notes='无', compiled_by='', checked_by='', compiled_on=None, "
        "latest_item_date=None); print('reportlab' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
