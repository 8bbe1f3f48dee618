"""Bulk moves of volumes into boxes: capacity counted across the batch, unplaced volumes (R23)."""

from __future__ import annotations

import pytest

from app.clock import FixedClock
from app.services import locations as L
from app.services.auth import SignedIn
from tests.integration.test_locations import box, place_at, shelf, volume


def into(volume_id: int, box_id: int) -> L.MoveRequest:
    return L.MoveRequest(L.Target.VOLUME, volume_id, to_box_id=box_id)


def test_a_box_s_capacity_counts_its_volumes_and_the_earlier_rows_of_the_batch(
    archivist: SignedIn, clock: FixedClock
) -> None:
    small = L.create_box(session=archivist, draft=L.BoxDraft(capacity=2), clock=clock).id
    first, second, third = (volume(archivist, clock) for _ in range(3))
    L.put_volume(session=archivist, volume_id=first, box_id=small, clock=clock)
    requests = [into(second, small), into(third, small)]
    preview = L.preview_bulk_move(session=archivist, requests=requests, clock=clock)
    assert [r.problem for r in preview.rows] == ["", "box_full"]
    with pytest.raises(L.BulkMoveRefused):
        L.bulk_move(session=archivist, requests=requests, clock=clock)
    assert L.get_box(session=archivist, box_id=small, clock=clock).volume_count == 1
    other = box(archivist, clock)
    L.bulk_move(session=archivist, requests=[into(second, small), into(third, other)], clock=clock)
    assert L.get_box(session=archivist, box_id=small, clock=clock).volume_count == 2
    assert L.where_is_volume(session=archivist, volume_id=third, clock=clock).box_id == other


def test_a_volume_without_a_place_named_twice_in_a_batch_ends_in_the_last_box(
    archivist: SignedIn, clock: FixedClock
) -> None:
    shelf(archivist, clock, columns="1", faces="A", sections="1", layers="1")
    a, b = box(archivist, clock), box(archivist, clock)
    place_at(archivist, clock, a, "K1-01-A-1-1")
    vid = volume(archivist, clock)
    L.bulk_move(session=archivist, requests=[into(vid, a), into(vid, b)], clock=clock)
    where = L.where_is_volume(session=archivist, volume_id=vid, clock=clock)
    assert where.box_id == b and where.location_code == ""
    history = L.object_history(session=archivist, object_type="volume", object_id=vid, clock=clock)
    assert [h.to_code for h in history] == [
        L.get_box(session=archivist, box_id=b, clock=clock).code,
        f"{L.get_box(session=archivist, box_id=a, clock=clock).code}（K1-01-A-1-1）",
    ]
    # its first row was overtaken by the second, so the batch cannot be undone row by row
    info = L.last_bulk_move(session=archivist, clock=clock)
    assert info is not None and not info.undoable and info.why == "moved_since"
