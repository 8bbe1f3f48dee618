"""Labels (R24, R17): render the sheets, rasterise them, decode every QR code, read the text."""

from __future__ import annotations

import re
from dataclasses import replace

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
import zxingcpp
from PIL.Image import Image

from app.domain.label_stock import BUILTIN_STOCKS, LabelStock, builtin_stock
from app.domain.scan_codes import scan_payload
from app.errors import ValidationFailed
from app.printing.labels import (
    LabelContent,
    LabelKind,
    box_label,
    location_label,
    qr_matrix,
    qr_operators,
    render_calibration,
    render_labels,
    split_code,
)

DPI = 200
PX_PER_MM = DPI / 25.4
SHEET = builtin_stock("a4-3x8")
assert SHEET is not None


def stock(key: str) -> LabelStock:
    found = builtin_stock(key)
    assert found is not None
    return found


def compact(text: str) -> str:
    """Text without white space; pdfium reports a hyphen ending a line as U+FFFE."""
    return re.sub(r"\s+", "", text.replace("\ufffe", "-"))


def page_texts(data: bytes) -> list[str]:
    pdf = pdfium.PdfDocument(data)
    return [compact(pdf[i].get_textpage().get_text_range()) for i in range(len(pdf))]


def page_images(data: bytes, dpi: int = DPI) -> list[Image]:
    pdf = pdfium.PdfDocument(data)
    return [pdf[i].render(scale=dpi / 72).to_pil().convert("L") for i in range(len(pdf))]


def cell_at(sheet: LabelStock, x_mm: float, y_mm: float) -> int:
    """The position index whose label contains (x, y) mm from the top left."""
    for index in range(sheet.per_page):
        left, top = sheet.origin(index)
        if left <= x_mm < left + sheet.label_width and top <= y_mm < top + sheet.label_height:
            return index
    raise AssertionError(f"({x_mm:.1f}, {y_mm:.1f}) mm is on no label")


def decoded(data: bytes, sheet: LabelStock) -> list[dict[int, str]]:
    """For each page: position index → the text of the QR code found on that label."""
    pages = []
    for image in page_images(data):
        found: dict[int, str] = {}
        for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
            corner = code.position.top_left
            index = cell_at(sheet, corner.x / PX_PER_MM, corner.y / PX_PER_MM)
            assert index not in found, "two QR codes on one label"
            found[index] = code.text
        pages.append(found)
    return pages


def volume_label(n: int, **changes: object) -> LabelContent:
    values: dict[str, object] = {
        "kind": LabelKind.VOLUME,
        "code": f"Z001-KH·2024-Y-{n:04d}",
        "year": 2024,
        "retention_label": "永久",
        "location_code": "K1-03-A-2-4",
    }
    values.update(changes)
    return LabelContent(**values)  # type: ignore[arg-type]


def mixed_labels(count: int) -> list[LabelContent]:
    labels = []
    for n in range(1, count + 1):
        if n % 3 == 0:
            labels.append(LabelContent(LabelKind.SHELF, f"K1-{n:02d}-A-{n % 5 + 1}-{n % 6 + 1}"))
        elif n % 3 == 1:
            labels.append(
                volume_label(
                    n,
                    kind=LabelKind.BOX_SPINE,
                    code=f"H-2024-{n:03d}",
                    secrecy_mark="机密★20年" if n % 4 == 1 else "",
                    extra_lines=("盒内 12 卷",),
                )
            )
        else:
            labels.append(volume_label(n, secrecy_mark="秘密" if n % 5 == 0 else ""))
    return labels


# --- QR codes ------------------------------------------------------------------------------
def test_every_qr_code_decodes_to_the_scan_payload_of_its_label_on_every_page() -> None:
    labels = mixed_labels(30)  # 24 on the first sheet, 6 on the second
    pages = decoded(render_labels(labels, SHEET), SHEET)
    assert len(pages) == 2
    assert pages[0] == {i: scan_payload(labels[i].code) for i in range(24)}
    assert pages[1] == {i: scan_payload(labels[24 + i].code) for i in range(6)}
    assert pages[0][1] == "Z001-KH.2024-Y-0002*" + pages[0][1][-1]  # scan form: ASCII "."


@pytest.mark.parametrize("sheet", BUILTIN_STOCKS, ids=lambda s: s.key)
def test_qr_codes_decode_on_every_built_in_stock(sheet: LabelStock) -> None:
    labels = mixed_labels(min(sheet.per_page, 10) + 1)  # always spills onto a second page
    pages = decoded(render_labels(labels, sheet), sheet)
    expected = [scan_payload(label.code) for label in labels]
    got = [text for page in pages for _, text in sorted(page.items())]
    assert got == expected


def test_qr_codes_use_error_correction_m() -> None:
    data = render_labels([volume_label(1)], stock("roll-60x40"))
    (code,) = zxingcpp.read_barcodes(page_images(data)[0])
    assert code.ec_level == "M"


def test_a_qr_symbol_is_one_rectangle_per_run_of_dark_modules_in_module_units() -> None:
    on, off = True, False
    matrix = [[on, on, off, on], [off] * 4, [on] * 4, [off, on, off, off]]
    assert qr_operators(matrix).splitlines() == [
        "0 3 2 1 re",
        "3 3 1 1 re",
        "0 1 4 1 re",
        "1 0 1 1 re",
        "f",
    ]
    real = qr_matrix(scan_payload("K1-03-A-2-4"))
    runs = sum(1 for row in real for a, b in zip([False, *row], row, strict=False) if b and not a)
    assert len(qr_operators(real).splitlines()) == runs + 1


# --- start position --------------------------------------------------------------------------
def test_start_position_leaves_the_first_positions_of_the_first_sheet_empty() -> None:
    labels = mixed_labels(5)
    pages = decoded(render_labels(labels, SHEET, start=7), SHEET)
    assert len(pages) == 1
    assert sorted(pages[0]) == [7, 8, 9, 10, 11]
    assert [pages[0][i] for i in range(7, 12)] == [scan_payload(x.code) for x in labels]


def test_labels_after_a_late_start_continue_at_the_top_of_the_next_sheet() -> None:
    labels = mixed_labels(5)
    pages = decoded(render_labels(labels, SHEET, start=22), SHEET)
    assert [sorted(page) for page in pages] == [[22, 23], [0, 1, 2]]
    assert pages[1][0] == scan_payload(labels[2].code)


def test_a_start_position_off_the_sheet_is_refused() -> None:
    with pytest.raises(ValidationFailed) as refused:
        render_labels(mixed_labels(1), SHEET, start=24)
    assert refused.value.errors[0].field == "start_position"
    with pytest.raises(ValidationFailed):
        render_labels(mixed_labels(1), stock("roll-60x40"), start=1)


def test_an_empty_list_or_a_code_no_scanner_can_type_is_refused() -> None:
    with pytest.raises(ValidationFailed) as empty:
        render_labels([], SHEET)
    assert empty.value.errors[0].reason == "labels_empty"
    with pytest.raises(ValidationFailed) as bad:
        render_labels([volume_label(1), volume_label(2, code="张三-001")], SHEET)
    assert [(e.field, e.reason) for e in bad.value.errors] == [("labels.1", "scan_chars")]


# --- readable text ---------------------------------------------------------------------------
def test_label_text_shows_code_with_check_character_year_retention_secrecy_and_location() -> None:
    label = volume_label(7, secrecy_mark="机密★20年")
    for key in ("a4-3x8", "a4-2x7", "a4-4x10", "a4-spine-20", "a4-spine-40", "roll-50x30"):
        (text,) = page_texts(render_labels([label], stock(key)))
        assert "案卷" in text, key
        assert "机密★20年" in text, key
        assert compact(label.readable_code) in text, key  # Z001-KH·2024-Y-0007*<check>
        assert label.readable_code.endswith("*" + scan_payload(label.code)[-1])
        assert "2024年" in text and "永久" in text, key
        assert "位置K1-03-A-2-4" in text, key


def test_shelf_and_box_labels_name_their_kind_and_box_lines() -> None:
    shelf = LabelContent(LabelKind.SHELF, "K1-03-A-2-4")
    box = volume_label(1, kind=LabelKind.BOX_SPINE, code="H-2024-001", extra_lines=("盒内 12 卷",))
    first, second = page_texts(render_labels([shelf, box], stock("roll-60x40")))
    assert first == "存放位置" + compact(shelf.readable_code)
    assert "档案盒" in second and "盒内12卷" in second and "H-2024-001*" in second


def test_every_text_uses_the_embedded_cjk_font() -> None:
    data = render_labels(mixed_labels(6), SHEET)
    assert b"/FontFile2" in data
    pdf = pdfium.PdfDocument(data)
    texts = 0
    for obj in pdf[0].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
        assert pdfium_c.FPDFFont_GetIsEmbedded(pdfium_c.FPDFTextObj_GetFont(obj.raw)) == 1
        texts += 1
    assert texts >= 6 * 3


def test_secrecy_mark_is_red_only_on_classified_labels() -> None:
    labels = [volume_label(1, secrecy_mark="机密★20年"), volume_label(2), volume_label(3)]
    labels[2] = replace(labels[2], secrecy_mark="秘密")
    picture = pdfium.PdfDocument(render_labels(labels, SHEET))[0].render(scale=2).to_pil()
    rgb = picture.convert("RGB")

    def red_pixels(index: int) -> int:
        left, top = SHEET.origin(index)
        px = 2 * 72 / 25.4
        box = (round(left * px), round(top * px), round((left + 70) * px), round((top + 37) * px))
        colours = rgb.crop(box).getcolors(maxcolors=1 << 20) or []
        return sum(n for n, (r, g, b) in colours if r > 150 and g < 90 and b < 90)

    assert red_pixels(0) > 100
    assert red_pixels(1) == 0
    assert red_pixels(2) > 50


def test_a_long_code_is_broken_after_separators_and_shrinks_to_fit() -> None:
    assert split_code("Z001-KH·2024-Y-0001*K", 2) == ["Z001-KH·", "2024-Y-0001*K"]
    assert split_code("ABCDEFG", 3) == ["ABCDEFG"]
    long_code = "Z001-KH·2024-D30-BGS-0000123"
    label = volume_label(1, code=long_code)
    for key in ("a4-4x10", "a4-spine-20"):
        data = render_labels([label], stock(key))
        assert compact(label.readable_code) in page_texts(data)[0]
        pdf = pdfium.PdfDocument(data)
        textpage = pdf[0].get_textpage()
        sheet = stock(key)
        right = (sheet.left_margin + sheet.label_width) * 72 / 25.4
        for i in range(textpage.count_chars()):
            box = textpage.get_charbox(i)
            assert box[2] <= right + 0.5, (key, i)  # nothing runs off the label


# --- calibration page ------------------------------------------------------------------------
def test_calibration_page_outlines_and_numbers_every_position_and_marks_the_used_ones() -> None:
    data = render_calibration(SHEET, start=4)
    pdf = pdfium.PdfDocument(data)
    assert len(pdf) == 1
    width, height = pdf[0].get_size()
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
    (text,) = page_texts(data)
    assert "标签纸校准页" in text and compact(SHEET.name) in text
    for index in range(24):
        row, column = divmod(index, 3)
        assert f"{index + 1}（{row + 1}行{column + 1}列）" in text
    assert text.count("已用") == 4 and text.count("从此开始") == 1
    assert "下方横线长100mm" in text


def test_calibration_page_of_a_roll_label_fits_the_label() -> None:
    roll = stock("roll-60x40")
    pdf = pdfium.PdfDocument(render_calibration(roll))
    width, height = pdf[0].get_size()
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (60, 40)
    textpage = pdf[0].get_textpage()
    for i in range(textpage.count_chars()):
        left, bottom, right, top = textpage.get_charbox(i)
        assert left >= -0.5 and right <= width + 0.5 and bottom >= -0.5 and top <= height + 0.5


# --- box and location labels from plain contents ---------------------------------------------
def test_a_box_label_shows_the_strongest_mark_longest_retention_and_first_and_last_code() -> None:
    inside = [
        volume_label(1, year=2023, retention_label="定期10年"),
        volume_label(2, secrecy_mark="秘密"),
        volume_label(3, secrecy_mark="机密★20年"),
        volume_label(4, secrecy_mark="机密★10年", retention_label="定期30年"),
    ]
    box = box_label("H-2024-001", inside, location_code="K1-03-A-2-4")
    assert (box.kind, box.code, box.location_code) == (
        LabelKind.BOX_SPINE,
        "H-2024-001",
        "K1-03-A-2-4",
    )
    assert box.secrecy_mark == "机密★20年"
    assert box.retention_label == "永久"
    assert box.year is None
    assert box.extra_lines == (
        "盒内 4 卷，2023–2024年",
        "起 Z001-KH·2024-Y-0001",
        "止 Z001-KH·2024-Y-0004",
    )
    top = box_label("H-1", [volume_label(1, secrecy_mark="绝密★30年"), *inside])
    assert top.secrecy_mark == "绝密★30年"
    plain = box_label("H-2", [volume_label(9)])
    assert (plain.year, plain.secrecy_mark, plain.extra_lines) == (
        2024,
        "",
        ("盒内 1 卷", "起 Z001-KH·2024-Y-0009"),
    )
    (text,) = page_texts(render_labels([box], stock("a4-spine-30")))
    assert "机密★20年" in text and "起Z001-KH·2024-Y-0001" in text


def test_a_secure_location_label_says_so_without_naming_the_custodian() -> None:
    label = location_label("K1-BXG-01", secure=True, capacity=6)
    assert label.kind == LabelKind.SHELF
    assert label.extra_lines == ("涉密专柜 · 专人管理", "容量 6 盒")
    (text,) = page_texts(render_labels([label], SHEET))
    assert "存放位置K1-BXG-01*" in text and "涉密专柜·专人管理" in text


def test_the_labels_module_does_not_load_reportlab_until_rendering() -> None:
    import subprocess
    import sys

    code = (
        "import sys, app.services.locations, app.printing.labels as l; "
        "l.check_labels([l.location_label('K1-01')]); print('reportlab' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("sheet", BUILTIN_STOCKS, ids=lambda s: s.key)
def test_every_character_stays_inside_its_own_label(sheet: LabelStock) -> None:
    long_box = box_label(
        "H-2024-D30-BGS-000123",
        [volume_label(1, code="Z001-KH·2024-D30-BGS-0000123", secrecy_mark="绝密★30年")] * 2,
        location_code="K12-03-A-2-4-11",
    )
    labels = [long_box, *mixed_labels(min(sheet.per_page, 8))]
    pdf = pdfium.PdfDocument(render_labels(labels, sheet))
    mm = 72 / 25.4
    boxes = []
    for index in range(sheet.per_page):
        left, top = sheet.origin(index)
        bottom = (sheet.page_height - top - sheet.label_height) * mm
        boxes.append(
            (left * mm, bottom, (left + sheet.label_width) * mm, bottom + sheet.label_height * mm)
        )
    checked = 0
    for page in range(len(pdf)):
        textpage = pdf[page].get_textpage()
        for i in range(textpage.count_chars()):
            x0, y0, x1, y1 = textpage.get_charbox(i)
            if x1 - x0 <= 0:
                continue  # a generated space or line break
            inside = [
                b
                for b in boxes
                if b[0] - 0.5 <= x0 and x1 <= b[2] + 0.5 and b[1] - 0.5 <= y0 and y1 <= b[3] + 0.5
            ]
            assert inside, (sheet.key, page, i, textpage.get_text_range(i, 1))
            checked += 1
    assert checked > 50
