"""Disposition (issue 17: R12, R44, R46): queue, appraisal, 销毁清册, approval, carrying out."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from app.domain.roles import ApproverTitle
from app.errors import DispositionRefused, HoldInForce, PermissionDenied, ValidationFailed
from app.messages import describe
from app.services import disposition as D
from app.services.auth import SignedIn
from app.services.catalogue import VolumeDraft, create_volume, get_volume
from app.services.loans import issue_loan
from app.storage.location import DatabaseLocation
from app.storage.models import DestructionListVolume, LocationMove, Volume
from tests.disposition_helpers import (
    appraise_for_destruction,
    carry_out,
    decide,
    expired_volume,
    new_customer,
    open_appraisal,
    witnesses,
)
from tests.loan_helpers import PASSWORD, Desk, approve_all, staff_application

W = D.Witness


def appraisers(desk: Desk) -> list[int]:
    return [desk.ids["zhao"], desk.ids["both"]]


def approved_list(desk: Desk, volume_ids: list[int]) -> D.ListRef:
    """Appraised 销毁, compiled by lisi, approved by the 客服部经理 and the 总经理."""
    lisi, clock = desk("lisi"), desk.clock
    appraise_for_destruction(lisi, clock, appraisers(desk), volume_ids)
    ref = D.compile_list(session=lisi, volume_ids=volume_ids, clock=clock)
    D.submit_list(session=lisi, list_id=ref.id, clock=clock)
    for who in ("manager", "gm"):
        D.approve_list(session=desk(who), list_id=ref.id, opinion="同意", clock=clock)
    return ref


def assert_tally_exact(session: SignedIn) -> None:
    """The trigger-kept counts (migration 0021) equal a count of the volumes themselves."""
    with session.store.engine.connect() as conn:
        kept = {tuple(r) for r in conn.execute(text("SELECT * FROM volume_tally WHERE n <> 0"))}
        counted = {
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT retention, year, category_code, COALESCE(retention_until, 0), state, "
                    "COALESCE(secrecy_level, ''), count(*) FROM volume GROUP BY 1, 2, 3, 4, 5, 6"
                )
            )
        }
    assert kept == counted and kept


# --- the queue ---------------------------------------------------------------------------------
def test_the_queue_lists_expired_volumes_by_category_and_year_and_shows_why_some_wait(
    desk: Desk,
) -> None:
    lisi, clock = desk("lisi"), desk.clock
    c = new_customer(lisi, clock)
    old, _ = expired_volume(lisi, clock, customer_id=c, year=2010)  # ended 2020
    this_year, _ = expired_volume(lisi, clock, customer_id=c, year=2016)  # ends 2026
    next_year, _ = expired_volume(lisi, clock, customer_id=c, year=2017)  # ends 2027
    expired_volume(lisi, clock, customer_id=c, year=2010, retention="Y")  # permanent: never
    expired_volume(lisi, clock, customer_id=c, year=2000, retention="D30")  # ends 2030
    held, _ = expired_volume(lisi, clock, customer_id=new_customer(lisi, clock, "李小龙"))
    lent, _ = expired_volume(lisi, clock, customer_id=c, year=2011)
    app_id = staff_application(desk, [lent], applicant="both")
    approve_all(desk, app_id, "info")
    issue_loan(session=lisi, application_id=app_id, volume_id=lent, clock=clock)
    hold = D.place_hold(session=lisi, reason="诉讼保全", volume_ids=[held], clock=clock)

    queue = D.list_appraisal_queue(session=lisi, clock=clock)
    assert queue.last_year == 2026
    assert {r.volume_id for r in queue.rows} == {old, this_year}
    assert {r.volume_id: r.blocked for r in queue.blocked} == {
        held: f"冻结 {hold.label()}",
        lent: "借出中",
    }
    groups = {(g.year, g.ready, g.blocked) for g in queue.groups}
    assert groups == {(2010, 1, 1), (2011, 0, 1), (2016, 1, 0)}
    assert queue.ready_total == 2 and queue.blocked_total == 2
    assert_tally_exact(lisi)  # volumes created, one lent

    ahead = D.list_appraisal_queue(session=lisi, clock=clock, look_ahead_years=1)
    assert {r.volume_id for r in ahead.rows} == {old, this_year, next_year}
    one_group = D.list_appraisal_queue(session=lisi, clock=clock, year=2016)
    assert [r.volume_id for r in one_group.rows] == [this_year]


def test_volumes_in_repair_wait_too_and_decided_ones_leave_the_queue(desk: Desk) -> None:
    lisi, clock = desk("lisi"), desk.clock
    c = new_customer(lisi, clock)
    repair, _ = expired_volume(lisi, clock, customer_id=c, year=2010)
    decided, _ = expired_volume(lisi, clock, customer_id=c, year=2010)
    with lisi.uow(clock) as uow:  # 在修: set as the repair service does (state only)
        v = uow.session.get(Volume, repair)
        assert v is not None
        v.state = "in_repair"
        uow.commit()
    ref = open_appraisal(lisi, clock, appraisers(desk))
    decide(lisi, clock, ref.id, decided, "destroy")
    queue = D.list_appraisal_queue(session=lisi, clock=clock)
    assert queue.rows == []
    assert [(r.volume_id, r.blocked) for r in queue.blocked] == [(repair, "在修")]
    with pytest.raises(DispositionRefused) as caught:
        decide(lisi, clock, ref.id, repair, "destroy")
    assert "在修" in describe(caught.value)


# --- appraisal -----------------------------------------------------------------------------------
def test_an_appraisal_needs_two_named_appraisers(desk: Desk) -> None:
    lisi, clock = desk("lisi"), desk.clock
    today = clock.now().date()
    for ids in ([desk.ids["zhao"]], [desk.ids["zhao"], desk.ids["zhao"]]):
        with pytest.raises(DispositionRefused) as caught:
            D.start_appraisal(session=lisi, appraiser_ids=ids, appraised_on=today, clock=clock)
        assert caught.value.params["reason"] == "appraisers"
    with pytest.raises(ValidationFailed):  # the administrator may not appraise (三员)
        open_appraisal(lisi, clock, [desk.ids["zhao"], 1])
    with pytest.raises(PermissionDenied):
        open_appraisal(desk.admin, clock, appraisers(desk))
    ref = open_appraisal(lisi, clock, appraisers(desk))
    assert ref.number == "JD2026-0001"
    detail = D.get_appraisal(session=lisi, appraisal_id=ref.id, clock=clock)
    assert detail.appraisers == ["赵敏", "郑双"] and detail.state == "open"


def test_extending_or_making_permanent_changes_retention_and_expiry_when_closed(
    desk: Desk,
) -> None:
    lisi, clock = desk("lisi"), desk.clock
    c = new_customer(lisi, clock)
    ext, _ = expired_volume(lisi, clock, customer_id=c, year=2010)
    perm, _ = expired_volume(lisi, clock, customer_id=c, year=2011)
    moved, _ = expired_volume(lisi, clock, customer_id=c, year=2012)
    ref = open_appraisal(lisi, clock, appraisers(desk))
    with pytest.raises(ValidationFailed):  # an extension needs its new year and a reason
        decide(lisi, clock, ref.id, ext, "extend")
    decide(lisi, clock, ref.id, ext, "extend", new_until=2031, reason="合同纠纷尚未了结")
    decide(lisi, clock, ref.id, perm, "permanent")
    with pytest.raises(ValidationFailed):  # 移交 names the receiving archive
        decide(lisi, clock, ref.id, moved, "transfer")
    decide(lisi, clock, ref.id, moved, "transfer", recipient="市档案馆")
    D.close_appraisal(session=lisi, appraisal_id=ref.id, opinion="经鉴定", clock=clock)
    assert get_volume(session=lisi, volume_id=ext, clock=clock).expires.isoformat() == (
        "2031-12-31"
    )
    assert get_volume(session=lisi, volume_id=perm, clock=clock).expires is None
    assert_tally_exact(lisi)  # retention extended, made permanent
    queue = D.list_appraisal_queue(session=lisi, clock=clock)
    assert {ext, perm, moved}.isdisjoint({r.volume_id for r in queue.rows})
    with pytest.raises(DispositionRefused):  # a closed appraisal is not edited
        decide(lisi, clock, ref.id, ext, "destroy")


def test_a_held_volume_cannot_be_appraised_and_the_refusal_names_the_hold(desk: Desk) -> None:
    lisi, clock = desk("lisi"), desk.clock
    c = new_customer(lisi, clock)
    vid, _ = expired_volume(lisi, clock, customer_id=c)
    D.place_hold(session=desk("manager"), reason="诉讼保全", customer_ids=[c], clock=clock)
    ref = open_appraisal(lisi, clock, appraisers(desk))
    with pytest.raises(HoldInForce) as caught:
        decide(lisi, clock, ref.id, vid, "destroy")
    assert "DJ2026-0001（诉讼保全）" in describe(caught.value)


# --- the 清册 and its approval -------------------------------------------------------------------
def test_a_list_is_built_from_destroy_decisions_and_a_volume_is_on_one_open_list_only(
    desk: Desk,
) -> None:
    lisi, clock = desk("lisi"), desk.clock
    c = new_customer(lisi, clock)
    a, code_a = expired_volume(lisi, clock, customer_id=c, year=2010, title="2010年度购销合同")
    b, _ = expired_volume(lisi, clock, customer_id=c, year=2011)
    undecided, _ = expired_volume(lisi, clock, customer_id=c, year=2012)
    appraise_for_destruction(lisi, clock, appraisers(desk), [a, b])
    with pytest.raises(DispositionRefused) as caught:
        D.compile_list(session=lisi, volume_ids=[undecided], clock=clock)
    assert caught.value.params["reason"] == "not_destroy_decision"
    ref = D.compile_list(session=lisi, volume_ids=[a, b], clock=clock)
    assert ref.number == "XH2026-0001"
    with pytest.raises(DispositionRefused) as other:
        D.compile_list(session=lisi, volume_ids=[a], clock=clock)
    assert other.value.params["reason"] == "on_other_list"
    assert "XH2026-0001" in describe(other.value)
    detail = D.get_destruction_list(session=lisi, list_id=ref.id, clock=clock)
    first = detail.rows[0]
    assert (first.seq, first.reference_code, first.title) == (1, code_a, "2010年度购销合同")
    assert first.date_range == "2010-03-01—2010-03-02"
    assert (first.quantity, first.retention, first.kept) == ("2件/10页", "定期10年", "15年")
    assert first.reason == "保管期满，经鉴定已失去保存价值"
    assert detail.appraisers == ["赵敏", "郑双"]


def test_appraisers_and_the_compiler_never_approve_and_the_route_runs_in_order(
    desk: Desk,
) -> None:
    lisi, clock = desk("lisi"), desk.clock
    c = new_customer(lisi, clock)
    vid, _ = expired_volume(lisi, clock, customer_id=c)
    appraise_for_destruction(lisi, clock, appraisers(desk), [vid])
    ref = D.compile_list(session=lisi, volume_ids=[vid], clock=clock)
    with pytest.raises(DispositionRefused):  # not submitted yet
        D.approve_list(session=desk("manager"), list_id=ref.id, opinion="", clock=clock)
    assert D.submit_list(session=lisi, list_id=ref.id, clock=clock) == ["客服部经理", "总经理"]
    with pytest.raises(DispositionRefused) as own:  # 郑双 appraised it
        D.approve_list(session=desk("both"), list_id=ref.id, opinion="", clock=clock)
    assert own.value.params["reason"] == "self_approval"
    with pytest.raises(DispositionRefused) as early:  # the 总经理 signs after the manager
        D.approve_list(session=desk("gm"), list_id=ref.id, opinion="", clock=clock)
    assert early.value.params["reason"] == "approver_not_in_route"
    assert [s.number for s in D.list_approval_queue(session=desk("manager"), clock=clock)] == [
        ref.number
    ]
    assert D.list_approval_queue(session=desk("both"), clock=clock) == []
    assert D.approve_list(session=desk("manager"), list_id=ref.id, opinion="", clock=clock) == (
        "pending"
    )
    assert D.approve_list(session=desk("gm"), list_id=ref.id, opinion="", clock=clock) == (
        "approved"
    )


def test_a_compiler_who_is_an_approver_cannot_approve_their_own_list(desk: Desk) -> None:
    both, clock = desk("both"), desk.clock
    c = new_customer(both, clock)
    vid, _ = expired_volume(both, clock, customer_id=c)
    appraise_for_destruction(both, clock, [desk.ids["zhao"], desk.ids["lisi"]], [vid])
    ref = D.compile_list(session=both, volume_ids=[vid], clock=clock)
    with pytest.raises(DispositionRefused) as caught:
        D.approve_list(session=both, list_id=ref.id, opinion="", clock=clock)
    assert caught.value.params["reason"] == "self_approval"


def test_confidential_volumes_always_need_the_general_manager(desk: Desk) -> None:
    lisi, clock = desk("lisi"), desk.clock
    c = new_customer(lisi, clock)
    vid, _ = expired_volume(lisi, clock, customer_id=c, level="confidential")
    D.update_disposition_settings(
        session=desk.admin,
        settings=D.DispositionSettings(route=(ApproverTitle.CS_MANAGER,)),
        clock=clock,
    )
    appraise_for_destruction(lisi, clock, appraisers(desk), [vid])
    ref = D.compile_list(session=lisi, volume_ids=[vid], clock=clock)
    assert D.submit_list(session=lisi, list_id=ref.id, clock=clock) == ["客服部经理", "总经理"]


def test_a_rejected_list_keeps_its_reason_and_frees_its_volumes(desk: Desk) -> None:
    lisi, clock = desk("lisi"), desk.clock
    c = new_customer(lisi, clock)
    vid, _ = expired_volume(lisi, clock, customer_id=c)
    appraise_for_destruction(lisi, clock, appraisers(desk), [vid])
    ref = D.compile_list(session=lisi, volume_ids=[vid], clock=clock)
    D.submit_list(session=lisi, list_id=ref.id, clock=clock)
    with pytest.raises(ValidationFailed):
        D.reject_list(session=desk("manager"), list_id=ref.id, reason="", clock=clock)
    D.reject_list(session=desk("manager"), list_id=ref.id, reason="清册题名不全", clock=clock)
    detail = D.get_destruction_list(session=lisi, list_id=ref.id, clock=clock)
    assert (detail.summary.state_label, detail.rejection_reason) == ("已退回", "清册题名不全")
    again = D.compile_list(session=lisi, volume_ids=[vid], clock=clock)
    assert again.number == "XH2026-0002"


def test_an_approved_list_cannot_be_edited_only_annotated(desk: Desk) -> None:
    lisi, clock = desk("lisi"), desk.clock
    c = new_customer(lisi, clock)
    vid, _ = expired_volume(lisi, clock, customer_id=c)
    other, _ = expired_volume(lisi, clock, customer_id=c, year=2011)
    ref = approved_list(desk, [vid])
    appraise_for_destruction(lisi, clock, appraisers(desk), [other])
    for attempt in (
        lambda: D.add_list_volumes(session=lisi, list_id=ref.id, volume_ids=[other], clock=clock),
        lambda: D.remove_list_volume(session=lisi, list_id=ref.id, volume_id=vid, clock=clock),
        lambda: D.set_list_row(
            session=lisi, list_id=ref.id, volume_id=vid, reason="x", remarks="", clock=clock
        ),
    ):
        with pytest.raises(DispositionRefused) as caught:
            attempt()
        assert caught.value.params["reason"] == "list_closed"
    D.add_list_note(session=lisi, list_id=ref.id, text="第1行题名应为“购销合同”", clock=clock)
    detail = D.get_destruction_list(session=lisi, list_id=ref.id, clock=clock)
    assert [n.text for n in detail.notes] == ["第1行题名应为“购销合同”"]
    assert not hasattr(D, "delete_list")  # the 清册 is kept permanently


# --- carrying out --------------------------------------------------------------------------------
def test_every_refusal_before_the_destruction(desk: Desk) -> None:
    lisi, clock = desk("lisi"), desk.clock
    c = new_customer(lisi, clock)
    vid, _ = expired_volume(lisi, clock, customer_id=c)
    ref = approved_list(desk, [vid])

    def attempt(method: str = "粉碎", people: tuple[D.Witness, ...] = witnesses()) -> str:
        with pytest.raises((DispositionRefused, HoldInForce)) as caught:
            D.carry_out_list(
                session=lisi,
                list_id=ref.id,
                carried_out_on=clock.now().date(),
                place="公司碎纸室",
                method=method,
                witnesses=people,
                clock=clock,
            )
        return str(caught.value.params.get("reason", caught.value.code))

    assert attempt(method="出售") == "method_sale"
    assert attempt(method="当作废纸卖掉") == "method_sale"
    assert attempt(method="填埋") == "method_unknown"
    assert attempt(people=(W("zhao", PASSWORD),)) == "witness_count"
    assert attempt(people=(W("zhao", PASSWORD), W("ZHAO", PASSWORD))) == "witness_count"
    assert attempt(people=(W("lisi", PASSWORD), W("zhao", PASSWORD))) == "witness_conflict"
    assert attempt(people=(W("manager", PASSWORD), W("zhao", PASSWORD))) == "witness_conflict"
    assert attempt(people=(W("zhao", "wrong"), W("head", PASSWORD))) == "witness_password"
    D.place_hold(session=desk("manager"), reason="税务稽查", volume_ids=[vid], clock=clock)
    assert attempt() == "hold_in_force"
    with lisi.uow(clock) as uow:
        v = uow.session.get(Volume, vid)
        assert v is not None and v.state == "on_shelf"


def test_carrying_out_destroys_frees_the_place_and_keeps_the_entry_and_its_code(
    desk: Desk,
) -> None:
    from app.services import locations as L

    lisi, clock = desk("lisi"), desk.clock
    L.create_location_batch(
        session=lisi,
        spec=L.BatchSpec(room="K1", columns="1", faces="A", sections="1", layers="1", capacity=2),
        clock=clock,
    )
    box = L.create_box(session=lisi, draft=L.BoxDraft(), clock=clock)
    c = new_customer(lisi, clock)
    vid, code = expired_volume(lisi, clock, customer_id=c)
    L.put_volume(session=lisi, volume_id=vid, box_id=box.id, clock=clock)
    ref = approved_list(desk, [vid])
    with pytest.raises(PermissionDenied):  # the 三员 take no part
        carry_out(desk.admin, clock, ref.id, method="shred")
    result = carry_out(lisi, clock, ref.id)
    assert (result.volumes, result.places_freed) == (1, 1)
    v = get_volume(session=lisi, volume_id=vid, clock=clock)
    assert v.reference_code == code and v.state == "destroyed"
    with lisi.uow(clock) as uow:
        row = uow.session.get(Volume, vid)
        assert row is not None
        assert row.index_remarks.endswith("销毁情况：2026-01-05 按销毁清册 XH2026-0001 粉碎销毁")
        move = uow.session.scalars(
            select(LocationMove).where(LocationMove.object_id == vid).order_by(LocationMove.id)
        ).all()[-1]
        assert (move.reason, move.from_box_id, move.to_location_id) == ("销毁", box.id, None)
        assert (
            uow.session.scalar(
                select(DestructionListVolume.open_volume_id).where(
                    DestructionListVolume.volume_id == vid
                )
            )
            is None
        )
    where = L.where_is_volume(session=lisi, volume_id=vid, clock=clock)
    assert (where.box_id, where.location_id, where.state) == (None, None, "destroyed")
    detail = D.get_destruction_list(session=lisi, list_id=ref.id, clock=clock)
    assert detail.summary.state_label == "已销毁"
    assert detail.witnesses == ["赵敏", "钱部长"] and detail.method_label == "粉碎"
    # the 档号 stays taken: the next volume of the same scope gets the next number
    again = create_volume(
        session=lisi,
        draft=VolumeDraft(customer_id=c, year=2010, title="补充材料", retention="D10"),
        clock=clock,
    )
    new_code = get_volume(session=lisi, volume_id=again.volume_id, clock=clock).reference_code
    assert new_code != code
    assert int(new_code.rsplit("-", 1)[-1]) == int(code.rsplit("-", 1)[-1]) + 1
    assert_tally_exact(lisi)  # a volume destroyed
    # and nothing can be done with the volume any more
    with pytest.raises(DispositionRefused):
        carry_out(lisi, clock, ref.id, place="x")


def test_the_auditor_lists_every_list_and_verifies_each_destroyed_volume(
    desk: Desk, location: DatabaseLocation
) -> None:
    from app.services.auth import sign_in
    from tests.conftest import AUDITOR_PASSWORD, AUDITOR_USER

    lisi, clock = desk("lisi"), desk.clock
    c = new_customer(lisi, clock)
    vid, _ = expired_volume(lisi, clock, customer_id=c)
    ref = approved_list(desk, [vid])
    carry_out(lisi, clock, ref.id, method="焚烧")
    auditor = sign_in(
        location=location, username=AUDITOR_USER, password=AUDITOR_PASSWORD, clock=clock
    )
    desk.sessions[AUDITOR_USER] = auditor
    assert [s.number for s in D.list_destruction_lists(session=auditor, clock=clock)] == [
        "XH2026-0001"
    ]
    check = D.verify_destructions(session=auditor, clock=clock)
    assert check.ok and (check.volumes, check.lists) == (1, 1)
    with pytest.raises(PermissionDenied):
        D.verify_destructions(session=lisi, clock=clock)
    # a volume marked destroyed outside the procedure is a finding
    other, code = expired_volume(lisi, clock, customer_id=c, year=2011)
    with lisi.uow(clock) as uow:
        row = uow.session.get(Volume, other)
        assert row is not None
        row.state = "destroyed"
        uow.commit()
    findings = D.verify_destructions(session=auditor, clock=clock).findings
    assert [(f.reference_code, f.problem) for f in findings] == [(code, "没有已执行的销毁清册")]


def test_migration_0021_counts_the_volumes_already_there_and_matches_the_model(
    desk: Desk,
) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from app.storage import migrate
    from app.storage.models import Base

    lisi, clock = desk("lisi"), desk.clock
    c = new_customer(lisi, clock)
    for year in (2009, 2010, 2010):
        expired_volume(lisi, clock, customer_id=c, year=year)
    engine = lisi.store.engine
    cfg = migrate._config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0020")
        assert "volume_tally" not in inspect(conn).get_table_names()
    assert migrate.upgrade(engine) is True
    with engine.connect() as conn:
        found = inspect(conn)
        model = Base.metadata.tables["volume_tally"]
        assert {col["name"] for col in found.get_columns("volume_tally")} == set(
            model.columns.keys()
        )
        pk = found.get_pk_constraint("volume_tally")["constrained_columns"]
        assert pk == [col.name for col in model.primary_key.columns]
    assert_tally_exact(lisi)  # the volumes made before the upgrade are counted
    expired_volume(lisi, clock, customer_id=c, year=2011)
    assert_tally_exact(lisi)  # and the triggers count the next one
