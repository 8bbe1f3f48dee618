"""Loans and the location tree: 借出/归还 in the move log, 借出 on the place, 存放位置 printed."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from app.services import locations as L
from app.services.loans.printing import register_pdf
from tests.integration.test_locations import boxed_on_shelf, place_id
from tests.loan_helpers import Desk, lend, make_volume, return_at_desk


def test_a_loan_and_its_return_are_moves_of_the_volume_and_its_place_is_printed(
    desk: Desk,
) -> None:
    keeper, clock = desk("lisi"), desk.clock
    vid, code = make_volume(keeper, clock)
    box = boxed_on_shelf(keeper, clock, vid)
    loan = lend(desk, vid, code)
    where = L.where_is_volume(session=keeper, volume_id=vid, clock=clock)
    assert (where.state, where.location_code) == ("on_loan", "K1-01-A-1-2")  # place kept
    # a volume out on loan cannot be moved
    with pytest.raises(Exception) as refused:
        L.put_volume(
            session=keeper,
            volume_id=vid,
            location_id=place_id(keeper, clock, "K1-01-A-1-1"),
            clock=clock,
        )
    assert "volume_on_loan" in str(refused.value)
    pdf = pdfium.PdfDocument(register_pdf(session=keeper, clock=clock, open_only=True))
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    # the narrow cell wraps, and a hyphen at a line end comes back as a break marker
    flat = "".join(c for c in text if not c.isspace() and c not in "\ufffe-")
    assert f"{box.code}K101A12" in flat
    return_at_desk(desk, loan.loan_id)
    history = L.object_history(session=keeper, object_type="volume", object_id=vid, clock=clock)
    assert [(h.reason, h.from_code, h.to_code) for h in history] == [
        ("归还", "", f"{box.code}（K1-01-A-1-2）"),
        ("借出", f"{box.code}（K1-01-A-1-2）", ""),
        ("上架", "", box.code),
    ]
    assert L.where_is_volume(session=keeper, volume_id=vid, clock=clock).state == "on_shelf"
