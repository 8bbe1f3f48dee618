"""Legal holds (冻结, R46): what they cover, who places and releases them, what refusals say."""

from __future__ import annotations

import pytest

from app.errors import DispositionRefused, HoldInForce, PermissionDenied, ValidationFailed
from app.messages import describe
from app.services.disposition import (
    VolumeQuery,
    holds_covering_customer,
    holds_covering_volume,
    holds_covering_volumes,
    list_holds,
    place_hold,
    refuse_if_held,
    release_hold,
)
from tests.disposition_helpers import expired_volume, new_customer
from tests.loan_helpers import Desk


def test_a_hold_on_a_customer_covers_the_customer_and_all_their_volumes(desk: Desk) -> None:
    lisi, clock = desk("lisi"), desk.clock
    zhang = new_customer(lisi, clock, "张三丰")
    li = new_customer(lisi, clock, "李小龙")
    v1, _ = expired_volume(lisi, clock, customer_id=zhang)
    v2, _ = expired_volume(lisi, clock, customer_id=li)
    hold = place_hold(session=lisi, reason="诉讼保全", customer_ids=[zhang], clock=clock)
    assert hold.number == "DJ2026-0001"
    with lisi.uow(clock) as uow:
        assert [h.number for h in holds_covering_customer(uow, zhang)] == ["DJ2026-0001"]
        assert holds_covering_customer(uow, li) == []
        assert holds_covering_volume(uow, v1) == [hold]
        assert holds_covering_volume(uow, v2) == []
        # a connection works as well as a unit of work
        assert holds_covering_customer(uow.session.connection(), zhang) == [hold]


def test_a_hold_on_a_volume_covers_its_customer_too(desk: Desk) -> None:
    lisi, clock = desk("lisi"), desk.clock
    zhang = new_customer(lisi, clock)
    v1, _ = expired_volume(lisi, clock, customer_id=zhang)
    v2, _ = expired_volume(lisi, clock, customer_id=zhang, year=2011)
    hold = place_hold(session=lisi, reason="审计调阅", volume_ids=[v1], clock=clock)
    with lisi.uow(clock) as uow:
        assert holds_covering_volume(uow, v1) == [hold]
        assert holds_covering_volume(uow, v2) == []
        assert holds_covering_customer(uow, zhang) == [hold]


def test_a_hold_by_query_covers_the_matching_volumes_and_their_customers(desk: Desk) -> None:
    lisi, clock = desk("lisi"), desk.clock
    zhang = new_customer(lisi, clock)
    li = new_customer(lisi, clock, "李小龙")
    v2010, _ = expired_volume(lisi, clock, customer_id=zhang, year=2010)
    v2012, _ = expired_volume(lisi, clock, customer_id=li, year=2012)
    hold = place_hold(
        session=lisi,
        reason="税务稽查",
        query=VolumeQuery(year_from=2009, year_to=2011),
        clock=clock,
    )
    with lisi.uow(clock) as uow:
        assert holds_covering_volumes(uow, [v2010, v2012]) == {v2010: [hold]}
        assert holds_covering_customer(uow, zhang) == [hold]
        assert holds_covering_customer(uow, li) == []


def test_refusals_name_every_hold_in_force(desk: Desk) -> None:
    lisi, clock = desk("lisi"), desk.clock
    zhang = new_customer(lisi, clock)
    v1, _ = expired_volume(lisi, clock, customer_id=zhang)
    place_hold(session=lisi, reason="诉讼保全", customer_ids=[zhang], clock=clock)
    place_hold(session=desk("manager"), reason="审计调阅", volume_ids=[v1], clock=clock)
    with lisi.uow(clock) as uow:
        refs = holds_covering_volume(uow, v1)
    with pytest.raises(HoldInForce) as caught:
        refuse_if_held(refs)
    text = describe(caught.value)
    assert "DJ2026-0001（诉讼保全）" in text and "DJ2026-0002（审计调阅）" in text


def test_only_another_approver_releases_a_hold_and_then_it_covers_nothing(desk: Desk) -> None:
    lisi, manager, gm, clock = desk("lisi"), desk("manager"), desk("gm"), desk.clock
    zhang = new_customer(lisi, clock)
    hold = place_hold(session=manager, reason="诉讼保全", customer_ids=[zhang], clock=clock)
    with pytest.raises(PermissionDenied):
        release_hold(session=lisi, hold_id=hold.id, reason="结案", clock=clock)
    with pytest.raises(DispositionRefused) as own:
        release_hold(session=manager, hold_id=hold.id, reason="结案", clock=clock)
    assert own.value.params["reason"] == "release_own_hold"
    with pytest.raises(ValidationFailed):
        release_hold(session=gm, hold_id=hold.id, reason="  ", clock=clock)
    release_hold(session=gm, hold_id=hold.id, reason="诉讼结案", clock=clock)
    with lisi.uow(clock) as uow:
        assert holds_covering_customer(uow, zhang) == []
    rows = list_holds(session=lisi, clock=clock)
    assert [(r.number, r.state_label, r.released_by, r.customers) for r in rows] == [
        ("DJ2026-0001", "已解除", "周总", 1)
    ]
    with pytest.raises(DispositionRefused):
        release_hold(session=gm, hold_id=hold.id, reason="again", clock=clock)


def test_a_hold_must_name_something_and_a_reason(desk: Desk) -> None:
    lisi, clock = desk("lisi"), desk.clock
    with pytest.raises(DispositionRefused):
        place_hold(session=lisi, reason="诉讼保全", clock=clock)
    with pytest.raises(ValidationFailed):
        place_hold(session=lisi, reason="", customer_ids=[1], clock=clock)
    with pytest.raises(ValidationFailed):
        place_hold(session=lisi, reason="x", customer_ids=[999], clock=clock)
