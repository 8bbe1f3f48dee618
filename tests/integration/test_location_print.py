"""排架清单 and 档案保管交接清单: render from a real database, read the PDFs back with pdfium."""

from __future__ import annotations

import ctypes
import re

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from sqlalchemy import select

from app.clock import FixedClock
from app.domain.roles import ApproverTitle, Role
from app.errors import PermissionDenied, ValidationFailed
from app.printing.location_forms import SHELF_COLUMNS
from app.services import locations as L
from app.services.auth import SignedIn
from app.services.locations import printing as P
from app.storage.location import DatabaseLocation
from app.storage.models import AuditEntry
from tests.factories import add_archivist, sign_in_as
from tests.integration.test_locations import box, fill_order, me, place_id, safe, shelf, volume
from tests.pdf_text import compact, compact_pages

MM = 72 / 25.4
PLACE = re.compile(r"K1-(?:01-A-\d-\d|G3-\d-\d)")
CUSTOMER = "张三丰"  # the test volumes' customer, also in their titles


def coloured_texts(data: bytes) -> list[tuple[str, tuple[int, int, int]]]:
    """Every text object of every page with its fill colour."""
    pdf = pdfium.PdfDocument(data)
    out = []
    for i in range(len(pdf)):
        page = pdf[i]
        textpage = page.get_textpage()
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
            size = pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
            buffer = (ctypes.c_ushort * (size // 2))()
            pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, buffer, size)
            text = bytes(buffer)[: size - 2].decode("utf-16-le")
            rgba = [ctypes.c_uint() for _ in range(4)]
            pdfium_c.FPDFPageObj_GetFillColor(obj.raw, *(ctypes.byref(c) for c in rgba))
            out.append((text, (rgba[0].value, rgba[1].value, rgba[2].value)))
    return out


def is_red(colour: tuple[int, int, int]) -> bool:
    r, g, b = colour
    return r > 150 and g < 60 and b < 60


def reference(s: SignedIn, clock: FixedClock, volume_id: int) -> str:
    return L.where_is_volume(session=s, volume_id=volume_id, clock=clock).reference_code


@pytest.fixture
def stocked(archivist: SignedIn, clock: FixedClock) -> dict[str, object]:
    """One face (2 节 × 3 层) and a safe, with boxes placed out of walking order.

    K1-01-A-2-1: box b1 with an open volume; K1-01-A-1-2: box b2 with a 秘密 volume and an open
    one; K1-01-A-1-1: empty box b3; the safe's K1-G3-1-1: box b4 with a 机密 volume, and a 绝密
    volume kept directly in K1-G3-1-2.
    """
    shelf(archivist, clock, columns="1", faces="A", sections="1-2", layers="1-3", capacity=3)
    # cabinet 3: a cabinet's ordinal in the room is its number, and the shelf took ordinal 1
    safe(archivist, clock, custodian=me(archivist), cabinets="3")
    boxes = {}
    for name, where in (
        ("b1", "K1-01-A-2-1"),
        ("b2", "K1-01-A-1-2"),
        ("b3", "K1-01-A-1-1"),
        ("b4", "K1-G3-1-1"),
    ):
        boxes[name] = box(archivist, clock)
        L.place_box(
            session=archivist,
            box_id=boxes[name],
            location_id=place_id(archivist, clock, where),
            clock=clock,
        )
    vols = {
        "open1": volume(archivist, clock),
        "secret": volume(archivist, clock, "secret"),
        "open2": volume(archivist, clock),
        "confidential": volume(archivist, clock, "confidential"),
        "top": volume(archivist, clock, "top_secret"),
    }
    for name, target in (
        ("open1", "b1"),
        ("secret", "b2"),
        ("open2", "b2"),
        ("confidential", "b4"),
    ):
        L.put_volume(session=archivist, volume_id=vols[name], box_id=boxes[target], clock=clock)
    L.put_volume(
        session=archivist,
        volume_id=vols["top"],
        location_id=place_id(archivist, clock, "K1-G3-1-2"),
        clock=clock,
    )
    codes = {name: reference(archivist, clock, vid) for name, vid in vols.items()}
    box_codes = {
        name: L.get_box(session=archivist, box_id=bid, clock=clock).code
        for name, bid in boxes.items()
    }
    return {"volumes": vols, "codes": codes, "boxes": box_codes}


# --- 排架清单 ----------------------------------------------------------------------------------
def test_shelf_list_of_a_room_prints_every_volume_and_empty_box_in_walking_order(
    archivist: SignedIn, clock: FixedClock, stocked: dict[str, dict[str, str]]
) -> None:
    room = place_id(archivist, clock, "K1")
    sheet = P.shelf_list_sheet(session=archivist, location_id=room, clock=clock)
    codes, boxes = stocked["codes"], stocked["boxes"]
    assert [(r.location_code, r.box_code, r.reference_code) for r in sheet.rows] == [
        ("K1-01-A-1-1", boxes["b3"], ""),  # an empty box has its own row
        ("K1-01-A-1-2", boxes["b2"], min(codes["secret"], codes["open2"])),
        ("K1-01-A-1-2", boxes["b2"], max(codes["secret"], codes["open2"])),
        ("K1-01-A-2-1", boxes["b1"], codes["open1"]),
        ("K1-G3-1-1", boxes["b4"], codes["confidential"]),
        ("K1-G3-1-2", "", codes["top"]),  # a volume kept directly in the safe's 层
    ]
    text = "".join(
        compact_pages(P.shelf_list_pdf(session=archivist, location_id=room, clock=clock))
    )
    assert "".join(SHELF_COLUMNS) in text  # the headings, in this order
    assert PLACE.findall(text) == [r.location_code for r in sheet.rows]
    assert "范围：库房K1（K1）" in text and "合计：4个档案盒，5卷" in text
    # one titled table per face or cabinet, numbered through
    assert text.index("A面（K1-01-A）序号") < text.index("保险柜G3（K1-G3）序号")
    assert re.findall(r"(\d)K1-(?:01-A|G3)-\d-\d", text) == ["1", "2", "3", "4", "5", "6"]
    assert "空盒" in text and "机密★20年" in text and "绝密★30年" in text
    assert "2024" in text and "永久" in text and "1/4" in text  # 年度, 保管期限, 件数/页数


def test_shelf_list_follows_the_configured_order_layer_by_layer(
    archivist: SignedIn, clock: FixedClock, stocked: dict[str, dict[str, str]]
) -> None:
    fill_order(archivist, clock, "layer_first")
    face = place_id(archivist, clock, "K1-01-A")
    text = "".join(
        compact_pages(P.shelf_list_pdf(session=archivist, location_id=face, clock=clock))
    )
    # 层 1 of 节 1 and then of 节 2, before 层 2 of 节 1
    assert PLACE.findall(text) == ["K1-01-A-1-1", "K1-01-A-2-1", "K1-01-A-1-2", "K1-01-A-1-2"]
    assert "排架顺序：按层" in text


def test_shelf_list_prints_no_titles_and_no_customer_names(
    archivist: SignedIn, clock: FixedClock, stocked: dict[str, dict[str, str]]
) -> None:
    room = place_id(archivist, clock, "K1")
    text = "".join(
        compact_pages(P.shelf_list_pdf(session=archivist, location_id=room, clock=clock))
    )
    assert CUSTOMER not in text and "客户档案" not in text and "题名" not in SHELF_COLUMNS
    assert "1381234" not in text  # nor any other personal value


def test_shelf_list_marks_classified_rows_in_red_words_and_the_header(
    archivist: SignedIn, clock: FixedClock, stocked: dict[str, dict[str, str]]
) -> None:
    room = place_id(archivist, clock, "K1")
    data = P.shelf_list_pdf(session=archivist, location_id=room, clock=clock)
    pdf = pdfium.PdfDocument(data)
    width, height = pdf[0].get_size()
    corner = (
        pdf[0].get_textpage().get_text_bounded(left=width / 2, bottom=height - 15 * MM, right=width)
    )
    assert "绝密★30年" in compact(corner)  # the strongest mark, at the top right
    coloured = coloured_texts(data)
    for word in ("秘密", "机密★20年", "绝密★30年"):
        assert any(word in text and is_red(colour) for text, colour in coloured), word
    codes = stocked["codes"]
    assert all(not is_red(colour) for text, colour in coloured if codes["open1"] in text)
    # a list of the open face only carries no mark
    face = place_id(archivist, clock, "K1-01-A")
    face_pdf = pdfium.PdfDocument(
        P.shelf_list_pdf(session=archivist, location_id=face, clock=clock)
    )
    assert "★" not in compact(face_pdf[0].get_textpage().get_text_range())


@pytest.fixture
def info_officer(admin: SignedIn, location: DatabaseLocation, clock: FixedClock) -> SignedIn:
    """A 信息管理专员 (approver) signed in: cleared for 秘密, not for 机密 or 绝密."""
    return sign_in_as(admin, location, clock, "xinxi", [Role.APPROVER], ApproverTitle.INFO_OFFICER)


def test_rows_above_the_readers_clearance_show_the_reference_code_only(
    info_officer: SignedIn,
    archivist: SignedIn,
    clock: FixedClock,
    stocked: dict[str, dict[str, str]],
) -> None:
    room = place_id(archivist, clock, "K1")
    sheet = P.shelf_list_sheet(session=info_officer, location_id=room, clock=clock)
    restricted = {r.reference_code for r in sheet.rows if r.restricted}
    codes = stocked["codes"]
    assert restricted == {codes["confidential"], codes["top"]}
    text = "".join(
        compact_pages(P.shelf_list_pdf(session=info_officer, location_id=room, clock=clock))
    )
    assert codes["confidential"] in text and codes["top"] in text
    assert text.count("受限") >= 2 and "机密" not in text and "绝密" not in text
    assert "秘密" in text  # within an 信息管理专员's clearance


def test_a_long_shelf_list_repeats_its_headings_and_numbers_its_pages(
    archivist: SignedIn, clock: FixedClock
) -> None:
    shelf(archivist, clock, columns="1", faces="A", sections="1-2", layers="1-6", capacity=7)
    face = place_id(archivist, clock, "K1-01-A")
    boxes = [box(archivist, clock) for _ in range(70)]
    requests = L.spread_over(session=archivist, box_ids=boxes, target_id=face, clock=clock)
    L.bulk_move(session=archivist, requests=requests, reason=L.MoveReason.SHELVE, clock=clock)
    pages = compact_pages(P.shelf_list_pdf(session=archivist, location_id=face, clock=clock))
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert "".join(SHELF_COLUMNS) in text and "排架清单" in text
        assert f"第{number}页/共{len(pages)}页" in text and "打印人：李四（lisi）" in text
        assert "范围：A面（K1-01-A）" in text
    numbers = [int(n) for n in re.findall(r"(\d+)K1-01-A-\d-\d", "".join(pages))]
    assert numbers == list(range(1, 71))
    assert "合计：70个档案盒，0卷，共70行" in pages[-1]


def test_printing_a_shelf_list_is_audited_with_the_place_and_row_count(
    archivist: SignedIn, clock: FixedClock, stocked: dict[str, dict[str, str]]
) -> None:
    room = place_id(archivist, clock, "K1")
    P.record_shelf_list_output(session=archivist, location_id=room, kind="print", clock=clock)
    with pytest.raises(ValidationFailed) as bad:
        P.record_shelf_list_output(session=archivist, location_id=room, kind="mail", clock=clock)
    assert bad.value.errors[0].field == "output"
    with archivist.uow(clock) as uow:
        entry = uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "print.shelf_list")
        ).one()
        uow.session.expunge(entry)
    assert entry.object_id == str(room) and entry.purpose == "排架清单"
    assert '"rows":6' in entry.details and '"output":"print"' in entry.details
    assert '"code":"K1"' in entry.details


def test_shelf_lists_need_the_right_to_read_locations(
    admin: SignedIn, archivist: SignedIn, clock: FixedClock, stocked: dict[str, dict[str, str]]
) -> None:
    room = place_id(archivist, clock, "K1")
    with pytest.raises(PermissionDenied):
        P.shelf_list_pdf(session=admin, location_id=room, clock=clock)


# --- 档案保管交接清单 -----------------------------------------------------------------------------
def hand_over(
    admin: SignedIn, archivist: SignedIn, clock: FixedClock, **handover: object
) -> L.HandoverSheet:
    """``archivist`` hands the places over to a new archivist (wangwu)."""
    other = add_archivist(admin, clock, username="wangwu")
    values: dict[str, object] = {"witness": "", "note": ""} | handover
    return L.hand_over_custody(
        session=archivist,
        to_user_id=other,
        clock=clock,
        **values,  # type: ignore[arg-type]
    )


def test_handover_list_prints_every_line_totals_and_three_signatures(
    admin: SignedIn, archivist: SignedIn, clock: FixedClock, stocked: dict[str, dict[str, str]]
) -> None:
    sheet = hand_over(
        admin,
        archivist,
        clock,
        location_ids=[place_id(archivist, clock, "K1-G3")],
        witness="赵六",
        note="岗位调整，保险柜整体移交",
    )
    data = P.handover_pdf(session=archivist, handover_id=sheet.handover_id, clock=clock)
    pages = compact_pages(data)
    text = "".join(pages)
    codes = stocked["codes"]
    assert f"交接编号：JJ{sheet.handover_id:06d}" in text and "档案保管交接清单" in text
    assert "移交人李四接收人李四" in text  # both test archivists are called 李四
    assert "监交人赵六" in text and "交接位置K1-G3" in text and "说明岗位调整" in text
    assert "序号位置盒号档号密级件数页数核对" in text
    assert f"1K1-G3-1-1{stocked['boxes']['b4']}{codes['confidential']}机密14□" in text
    assert f"2K1-G3-1-2{codes['top']}绝密14□" in text
    assert text.count("□") == 2
    assert "合计1盒2卷28" in text  # 1 box, 2 volumes, 2 件, 8 页
    assert "绝密★30年" in pages[0]  # the header mark
    last = pages[-1]
    for who in ("移交人：李四签字：日期：", "接收人：李四签字：日期：", "监交人：赵六签字：日期："):
        assert who in last
    assert CUSTOMER not in text and "客户档案" not in text
    red = [t for t, colour in coloured_texts(data) if is_red(colour)]
    assert any("机密" in t for t in red) and any("绝密" in t for t in red)


def test_a_long_handover_list_keeps_the_signatures_on_its_last_page(
    admin: SignedIn, archivist: SignedIn, clock: FixedClock
) -> None:
    safe(archivist, clock, custodian=me(archivist), layers="1-6", capacity=10)
    cabinet = place_id(archivist, clock, "K1-G1")
    layers = [place_id(archivist, clock, f"K1-G1-1-{n}") for n in range(1, 7)]
    requests = [
        L.MoveRequest(L.Target.BOX, box(archivist, clock), to_location_id=layers[i // 10])
        for i in range(55)
    ]
    L.bulk_move(session=archivist, requests=requests, reason=L.MoveReason.SHELVE, clock=clock)
    sheet = hand_over(admin, archivist, clock, location_ids=[cabinet])
    pages = compact_pages(
        P.handover_pdf(session=archivist, handover_id=sheet.handover_id, clock=clock)
    )
    assert len(pages) >= 2
    assert all("序号位置盒号档号密级件数页数核对" in p for p in pages if "（空盒）" in p)
    assert all(f"交接编号：JJ{sheet.handover_id:06d}" in p for p in pages)
    assert "".join(pages).count("（空盒）") == 55
    assert "签字" not in "".join(pages[:-1]) and pages[-1].count("签字：") == 3
    assert "合计55盒0卷00" in "".join(pages) and "以上共55个档案盒、0卷" in pages[-1]
    assert "★" not in "".join(pages)


def test_a_handover_printout_is_audited_with_its_line_count(
    admin: SignedIn, archivist: SignedIn, clock: FixedClock, stocked: dict[str, dict[str, str]]
) -> None:
    sheet = hand_over(
        admin, archivist, clock, location_ids=[place_id(archivist, clock, "K1-G3")], witness="赵六"
    )
    P.record_handover_output(
        session=archivist, handover_id=sheet.handover_id, kind="save", clock=clock
    )
    with pytest.raises(L.NotFound):
        P.record_handover_output(session=archivist, handover_id=999, kind="save", clock=clock)
    with archivist.uow(clock) as uow:
        entry = uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "print.custody_handover")
        ).one()
        uow.session.expunge(entry)
    assert entry.object_id == str(sheet.handover_id) and entry.purpose == "档案保管交接清单"
    assert '"rows":2' in entry.details and '"output":"save"' in entry.details


def test_handover_lines_above_the_readers_clearance_show_the_reference_code_only(
    admin: SignedIn,
    info_officer: SignedIn,
    archivist: SignedIn,
    clock: FixedClock,
    stocked: dict[str, dict[str, str]],
) -> None:
    sheet = hand_over(
        admin, archivist, clock, location_ids=[place_id(archivist, clock, "K1-G3")], witness="赵六"
    )
    form = P.handover_form(session=info_officer, handover_id=sheet.handover_id, clock=clock)
    assert [line.restricted for line in form.lines] == [True, True] and form.secrecy_mark == ""
    text = "".join(
        compact_pages(
            P.handover_pdf(session=info_officer, handover_id=sheet.handover_id, clock=clock)
        )
    )
    codes = stocked["codes"]
    assert f"{codes['confidential']}受限□" in text and f"{codes['top']}受限□" in text
    assert "机密" not in text and "绝密" not in text
