"""Insiders at the keyboard (issue 23): hostile input in search boxes, a clearance withdrawn
while signed in.

* a NUL (or any control character) typed or pasted into a search box never raises: customer
  search, catalogue search and 档号 lookup, the location scan box;
* a location service reads the clearance in its own transaction, so an archivist demoted to
  a 秘密-cleared approver after signing in no longer sees where 机密 volumes are.
"""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import delete

from app.domain.roles import Role
from app.domain.search_text import search_text
from app.errors import AppError
from app.services import locations as L
from app.services.catalogue import ItemDraft, add_item, find_by_reference, search_catalogue
from app.services.customers import search_customers
from app.storage.models import UserRole
from tests.loan_helpers import Desk, make_volume

HOSTILE = [
    "\x00",
    "张\x00三",
    "Z001\x00-KH",
    "13812345678\x00",
    "a\x01\x1fb",
    "\x7f",
    "\x00*",
    "\x85",
]


def test_control_characters_become_spaces() -> None:
    assert search_text("张\x00三") == "张 三"
    assert search_text("\x00\x01\x7f") == ""
    assert search_text(" Z001-KH·2024 ") == "Z001-KH·2024"  # ordinary text unchanged


@pytest.mark.parametrize("typed", HOSTILE)
def test_a_nul_in_any_search_box_never_raises(desk: Desk, typed: str) -> None:
    s = desk("lisi")
    make_volume(s, desk.clock, title="张三丰2024年度客户档案")
    search_customers(session=s, query=typed, clock=desk.clock)
    search_catalogue(session=s, query=typed, clock=desk.clock)
    find_by_reference(session=s, prefix=typed, clock=desk.clock)
    with contextlib.suppress(AppError):  # a bad check character is refused by name: fine
        L.resolve_scan(session=s, text=typed, clock=desk.clock)


def test_words_around_a_nul_still_find_the_volume(desk: Desk) -> None:
    s = desk("lisi")
    _vid, code = make_volume(s, desk.clock, title="张三丰2024年度客户档案")
    by_code = search_catalogue(session=s, query=code[:8] + "\x00", clock=desk.clock)
    assert code in [v.reference_code for v in by_code]
    assert (
        find_by_reference(session=s, prefix=code + "\x00", clock=desk.clock)[0].reference_code
        == code
    )


def demote(desk: Desk, username: str) -> None:
    """Take the archivist role away in the database (what the role manager's change leaves)."""
    with desk.admin.store.new_session() as db:
        db.execute(
            delete(UserRole).where(
                UserRole.user_id == desk.ids[username], UserRole.role == Role.ARCHIVIST.value
            )
        )
        db.commit()


def test_a_demoted_archivist_no_longer_sees_where_secret_volumes_are(desk: Desk) -> None:
    lisi, both = desk("lisi"), desk("both")  # both: 档案管理员 + 信息管理专员, cleared to 绝密
    L.create_location_batch(
        session=lisi,
        spec=L.BatchSpec(room="K1", columns="1", faces="A", sections="1", layers="1", capacity=2),
        clock=desk.clock,
    )
    vid, _code = make_volume(lisi, desk.clock)
    box = L.create_box(session=lisi, draft=L.BoxDraft(category_code="KH"), clock=desk.clock)
    L.put_volume(session=lisi, volume_id=vid, box_id=box.id, clock=desk.clock)
    L.place_box(session=lisi, box_id=box.id, clock=desk.clock)
    add_item(  # raised to 机密 on an ordinary shelf: listed under 须移入保密柜
        session=lisi,
        volume_id=vid,
        draft=ItemDraft(title="授信", page_from=13, page_to=14, secrecy_level="confidential"),
        clock=desk.clock,
    )
    assert [r.volume_id for r in L.list_must_move(session=both, clock=desk.clock)] == [vid]
    assert L.object_history(session=both, object_type="volume", object_id=vid, clock=desk.clock)
    demote(desk, "both")  # now an approver cleared to 秘密, in the same signed-in session
    with pytest.raises(AppError):
        L.object_history(session=both, object_type="volume", object_id=vid, clock=desk.clock)
    assert L.list_must_move(session=both, clock=desk.clock) == []
    assert L.get_box(session=both, box_id=box.id, clock=desk.clock).secrecy_label == "受限"
