"""Every report's numbers against the hand-counted archive room of tests/statistics_fixtures.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import func, select

from app.clock import FixedClock
from app.domain.roles import ApproverTitle, Role
from app.domain.statistics import Report, ReportFilter
from app.errors import PermissionDenied, ValidationFailed
from app.services.auth import SignedIn
from app.services.loans import overdue_count
from app.services.statistics import compute_report, get_overview
from app.storage.location import DatabaseLocation
from app.storage.models import AuditEntry
from tests import statistics_fixtures as fx
from tests.factories import sign_in_as

JAN = fx.PERIOD


@pytest.fixture
def room(archivist: SignedIn, clock: FixedClock) -> Iterator[fx.Fixture]:
    yield fx.build(archivist, clock)


def report(session: SignedIn, clock: FixedClock, kind: str, **filters: object) -> Report:
    return compute_report(
        session=session,
        kind=kind,
        period_from=JAN[0],
        period_to=JAN[1],
        filters=ReportFilter(**filters),  # type: ignore[arg-type]
        clock=clock,
    )


def rows(r: Report, key: str) -> list[tuple[object, ...]]:
    return [tuple(row) for row in r.table(key).rows]


def test_holdings_counts_volumes_items_pages_by_each_classification(
    archivist: SignedIn, clock: FixedClock, room: fx.Fixture
) -> None:
    r = report(archivist, clock, "holdings")
    assert rows(r, "summary") == [
        ("案卷", 5),
        ("件", 10),
        ("页", 45),
        ("电子文件（个）", 1),
        ("电子文件容量（MB）", 2.0),
    ]
    assert rows(r, "by_category") == [("HT", 2, 4, 20), ("KH", 3, 6, 25), ("合计", 5, 10, 45)]
    assert rows(r, "by_year") == [
        ("2023", 1, 0, 0),
        ("2024", 2, 5, 20),
        ("2025", 2, 5, 25),
        ("合计", 5, 10, 45),
    ]
    assert rows(r, "by_retention") == [
        ("永久", 2, 7, 32),
        ("定期30年", 2, 2, 8),
        ("定期10年", 1, 1, 5),
        ("合计", 5, 10, 45),
    ]
    assert rows(r, "by_level") == [
        ("非密", 2, 3, 12),
        ("秘密", 1, 2, 8),
        ("机密", 1, 1, 5),
        ("绝密", 1, 4, 20),
        ("合计", 5, 10, 45),
    ]
    assert rows(r, "by_state") == [
        ("在架", 2, 7, 32),
        ("借出", 1, 2, 8),
        ("在修", 1, 1, 5),
        ("已销毁", 1, 0, 0),
        ("合计", 5, 10, 45),
    ]
    assert rows(r, "by_carrier") == [
        ("纸质", 7),
        ("光盘", 1),
        ("磁盘", 1),
        ("电子文件", 1),
        ("合计", 10),
    ]
    assert rows(r, "growth") == [("2026-01", 2, 5), ("合计", 2, 5)]
    assert rows(r, "places") == [("K1", 6, 1, 5), ("合计", 6, 1, 5)]


def test_holdings_filters_by_category_year_and_level(
    archivist: SignedIn, clock: FixedClock, room: fx.Fixture
) -> None:
    assert report(archivist, clock, "holdings", category="HT").value("summary", "案卷") == 2
    assert report(archivist, clock, "holdings", year=2024).value("summary", "页") == 20
    assert report(archivist, clock, "holdings", level="secret").value("summary", "案卷") == 1
    unclassified = report(archivist, clock, "holdings", level="none")
    assert unclassified.value("summary", "案卷") == 2
    assert rows(unclassified, "by_carrier")[-1] == ("合计", 3)
    assert unclassified.value("summary", "电子文件（个）") == 0


def test_use_counts_persons_volumes_items_and_pages(
    archivist: SignedIn, clock: FixedClock, room: fx.Fixture
) -> None:
    r = report(archivist, clock, "use")
    assert rows(r, "summary") == [("人次", 4), ("卷次", 5), ("件次", 10), ("复制页数", 6)]
    assert rows(r, "by_kind") == [
        ("查阅", 1, 1, 1, 0),
        ("外借", 2, 3, 8, 0),
        ("复制", 1, 1, 1, 6),
        ("摘抄", 0, 0, 0, 0),
        ("对外提供", 0, 0, 0, 0),
        ("合计", 4, 5, 10, 6),
    ]
    assert rows(r, "by_department") == [
        ("财务部", 1, 1, 1, 6),
        ("销售部", 3, 4, 9, 0),
        ("合计", 4, 5, 10, 6),
    ]
    assert rows(r, "by_level") == [
        ("非密", 3, 3, 7, 6),
        ("秘密", 1, 1, 2, 0),
        ("机密", 1, 1, 1, 0),
        ("绝密", 0, 0, 0, 0),
        ("合计", 4, 5, 10, 6),
    ]
    assert rows(r, "by_purpose") == [("核对合同条款", 4, 5, 10, 6), ("合计", 4, 5, 10, 6)]
    assert rows(r, "by_month") == [("2026-01", 5, 6), ("合计", 5, 6)]
    top = rows(r, "top_volumes")
    assert [t[2:] for t in top] == [
        ("KH", "2024", "非密", 3),
        ("KH", "2024", "秘密", 1),
        ("KH", "2025", "机密", 1),
    ]
    assert [t[0] for t in top] == [1, 2, 3] and top[0][1] == "Z001-KH·2024-Y-0001"


def test_use_filtered_by_department_and_level(
    archivist: SignedIn, clock: FixedClock, room: fx.Fixture
) -> None:
    sales = report(archivist, clock, "use", department="销售部")
    assert rows(sales, "summary") == [("人次", 3), ("卷次", 4), ("件次", 9), ("复制页数", 0)]
    assert rows(sales, "by_month") == [("2026-01", 4, 0), ("合计", 4, 0)]
    secret = report(archivist, clock, "use", level="secret")
    assert secret.value("summary", "卷次") == 1
    # a use counts under the 密级 its volume had when it was used: declassifying v2 later
    # changes neither the level filter nor the by-level rows
    from app.storage.models import Volume

    before = rows(report(archivist, clock, "use"), "by_level")
    with archivist.uow(clock) as uow:
        v2 = uow.session.get(Volume, room.volumes["v2"])
        assert v2 is not None
        v2.secrecy_level = None
        uow.commit()
    assert rows(report(archivist, clock, "use"), "by_level") == before
    assert report(archivist, clock, "use", level="secret").value("summary", "卷次") == 1


def test_top_volumes_name_volumes_by_code_never_by_title(
    admin: SignedIn,
    archivist: SignedIn,
    location: DatabaseLocation,
    clock: FixedClock,
    room: fx.Fixture,
) -> None:
    head = sign_in_as(admin, location, clock, "head", [Role.APPROVER], ApproverTitle.DEPT_HEAD)
    for reader in (head, archivist):  # a title names its customer and may be classified
        top = str(rows(report(reader, clock, "use"), "top_volumes"))
        assert "Z001-KH·2025-D10-0003" in top
        for title in (fx.SECRET_TITLE, fx.CONFIDENTIAL_TITLE, "张三丰"):
            assert title not in top


def test_loans_counts_issued_returned_duration_overdue_and_damage(
    archivist: SignedIn, clock: FixedClock, room: fx.Fixture
) -> None:
    r = report(archivist, clock, "loans")
    assert rows(r, "summary") == [
        ("本期借出", 3),
        ("本期归还", 3),
        ("平均借期（天）", 6.7),
        ("续借次数", 0),
        ("当前逾期未还", 1),
        ("本期违规：逾期归还", 1),
        ("本期违规：逾期未还", 1),
        ("损坏、遗失报告", 1),
    ]
    assert rows(r, "by_month") == [("2026-01", 3, 3), ("合计", 3, 3)]
    assert rows(r, "by_department") == [("销售部", 3), ("合计", 3)]
    assert rows(r, "damage") == [("短缺", 0, 0), ("损坏", 1, 0), ("遗失", 0, 0), ("合计", 1, 0)]


def test_overdue_now_is_the_home_cards_count(
    archivist: SignedIn, clock: FixedClock, room: fx.Fixture
) -> None:
    overview = get_overview(session=archivist, clock=clock)
    assert overview.figure("loans", "当前逾期未还") == overdue_count(session=archivist, clock=clock)
    assert report(archivist, clock, "loans").value("summary", "当前逾期未还") == 1


def test_inspections_counts_due_done_differences_climate_and_tasks(
    archivist: SignedIn, clock: FixedClock, room: fx.Fixture
) -> None:
    r = report(archivist, clock, "inspections")
    assert rows(r, "summary") == [
        ("应做半年定期检查（库房）", 1),
        ("已完成半年定期检查（库房）", 1),
        ("本期结束的检查（次）", 1),
        ("发现差异（条）", 3),
        ("其中已处理", 2),
        ("温湿度超标天数（库房·天）", 2),
        ("新开修复任务", 2),
        ("完成修复任务", 1),
        ("当前未完成修复任务", 1),
    ]
    assert rows(r, "rooms") == [("K1", "2025-12-01", 1, "已完成")]
    assert rows(r, "differences")[:2] == [("缺失", 2, 1, 1), ("错位", 1, 1, 0)]
    assert rows(r, "differences")[-1] == ("合计", 3, 2, 1)
    assert rows(r, "climate") == [("K1", 5, 3, 2), ("合计", 5, 3, 2)]
    assert rows(r, "tasks")[:2] == [("修补", 1, 1, 0), ("复制", 1, 0, 1)]
    february = compute_report(
        session=archivist,
        kind="inspections",
        period_from=fx.date(2026, 2, 1),
        period_to=fx.date(2026, 2, 28),
        clock=clock,
    )
    assert february.value("summary", "应做半年定期检查（库房）") == 0  # next due 2026-07-10


def test_customers_counts_by_classification_new_and_lost(
    archivist: SignedIn, clock: FixedClock, room: fx.Fixture
) -> None:
    r = report(archivist, clock, "customers")
    assert rows(r, "summary") == [("客户总数", 3), ("本期新增", 3), ("本期流失", 1)]
    assert rows(r, "by_status") == [("潜在", 1), ("在册", 1), ("流失", 1), ("合计", 3)]
    assert rows(r, "by_kind") == [("一般客户", 2), ("特殊客户", 1), ("合计", 3)]
    assert rows(r, "by_importance") == [("重要", 1), ("一般", 2), ("合计", 3)]
    assert ("律师", 1) in rows(r, "by_category")
    assert rows(r, "by_month") == [("2026-01", 3, 1), ("合计", 3, 1)]


def test_customers_by_region_consent_and_storage_period(
    archivist: SignedIn, clock: FixedClock, room: fx.Fixture
) -> None:
    r = report(archivist, clock, "customers")
    assert rows(r, "by_region") == [
        ("上海市", 1),  # 王律师 310104…
        ("北京市", 1),  # 张三丰 110105…
        ("（证件未载明地区）", 1),  # 李雷: no ID
        ("合计", 3),
    ]
    assert rows(r, "consent_states") == [
        ("有有效的授权同意", 1),  # 王律师
        ("依据法定或合同必需（无有效同意）", 1),  # 张三丰 (his consent ended 2025-12-31)
        ("授权同意已过期或已撤回", 1),  # 李雷 (basis ended 01-15)
        ("未登记授权同意或依据", 0),
        ("合计", 3),
    ]
    assert rows(r, "consent_period") == [
        ("登记授权同意", 1),
        ("登记法定或合同依据", 3),
        ("撤回的同意用途", 1),
    ]
    storage = dict((k, v) for k, v in rows(r, "storage"))
    assert storage["已匿名化客户（统计时）"] == 0
    assert storage["本期删除申请：待审批"] == 1
    assert storage["本期删除申请：已执行"] == 0
    assert storage["尚未办结的删除申请（统计时）"] == 1
    # a month without the request: none in the period, still one open now
    feb = compute_report(
        session=archivist,
        kind="customers",
        period_from=date(2026, 2, 1),
        period_to=date(2026, 2, 28),
        clock=clock,
    )
    assert dict((k, v) for k, v in rows(feb, "storage"))["本期删除申请：待审批"] == 0
    assert rows(feb, "consent_period")[0] == ("登记授权同意", 0)


def test_destruction_counts_appraisals_lists_and_destroyed_volumes(
    archivist: SignedIn, clock: FixedClock, room: fx.Fixture
) -> None:
    r = report(archivist, clock, "activity")
    assert rows(r, "appraisal") == [
        ("销毁", 1),
        ("延长保管", 1),
        ("转为永久", 0),
        ("移交", 0),
        ("合计", 2),
    ]
    assert rows(r, "destruction") == [
        ("编制销毁清册", 2),
        ("批准的清册", 1),
        ("退回的清册", 1),
        ("执行销毁的清册", 1),
        ("销毁案卷", 1),
        ("其中粉碎", 1),
        ("其中焚烧", 0),
        ("其中送指定机构销毁", 0),
    ]
    assert r.value("summary", "销毁案卷") == 1


def test_filing_hand_overs_on_time_late_missing_and_not_yet_due(
    archivist: SignedIn, clock: FixedClock, room: fx.Fixture
) -> None:
    r = compute_report(
        session=archivist,
        kind="holdings",
        period_from=date(2025, 11, 1),
        period_to=date(2026, 1, 31),
        clock=clock,
    )
    # today is 2026-01-20: November and December are due (by 12-10 and 01-10), January is not
    assert rows(r, "filing") == [
        ("财务部", 0, 1, 1, 1, 1, 1, 3),
        ("销售部", 2, 0, 0, 1, 3, 7, 29),
        ("合计", 2, 1, 1, 2, 4, 8, 32),
    ]
    o = get_overview(session=archivist, clock=clock)
    assert o.report.table("filing_overdue").title == "归档移交（2025-12，2026-01-10 前）"
    assert rows(o.report, "filing_overdue") == [
        ("应移交部门", 2),
        ("已移交", 1),
        ("逾期未移交", 1),
        ("逾期未移交：财务部", 1),
    ]
    # on the deadline day nothing is overdue yet
    clock._now = fx.at(1, 10)
    assert rows(get_overview(session=archivist, clock=clock).report, "filing_overdue")[2] == (
        "逾期未移交",
        0,
    )


def test_activity_counts_incidents_and_audit_entries(
    archivist: SignedIn, clock: FixedClock, room: fx.Fixture
) -> None:
    r = report(archivist, clock, "activity")
    assert rows(r, "incidents") == [
        ("泄密", 0, 0, 0),
        ("丢失", 1, 1, 0),
        ("其他", 0, 0, 0),
        ("合计", 1, 1, 0),
    ]
    with archivist.uow(clock) as uow:
        in_jan = uow.session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.occurred_at >= fx.at(1, 1, 0), AuditEntry.occurred_at < fx.at(2, 1, 0)
            )
        )
    assert r.value("summary", "操作记录") == in_jan
    assert ("登记客户", 3) in rows(r, "audit_actions")  # the three registrations of 01-05
    assert r.value("summary", "事件") == 1


def test_overview_reads_the_reports_totals(
    archivist: SignedIn, clock: FixedClock, room: fx.Fixture
) -> None:
    o = get_overview(session=archivist, clock=clock)
    assert (o.month_from, o.month_to) == JAN
    assert [r for t in o.report.tables for r in t.rows] == [
        ("案卷", 5),
        ("件", 10),
        ("页", 45),
        ("人次", 4),
        ("卷次", 5),
        ("件次", 10),
        ("复制页数", 6),
        ("借出", 3),
        ("归还", 3),
        ("当前逾期未还", 1),
        ("客户总数", 3),
        ("本月新增", 3),
        ("本月登记事件", 1),
        ("应移交部门", 2),
        ("已移交", 1),
        ("逾期未移交", 1),
        ("逾期未移交：财务部", 1),
    ]


def test_a_reversed_period_is_refused_and_three_roles_read_no_statistics(
    admin: SignedIn, archivist: SignedIn, clock: FixedClock
) -> None:
    with pytest.raises(ValidationFailed):
        compute_report(
            session=archivist,
            kind="use",
            period_from=JAN[1],
            period_to=JAN[0],
            clock=clock,
        )
    with pytest.raises(PermissionDenied):
        get_overview(session=admin, clock=clock)


def test_every_report_computes_on_an_empty_database(archivist: SignedIn, clock: FixedClock) -> None:
    for kind in ("holdings", "use", "loans", "inspections", "customers", "activity"):
        r = report(archivist, clock, kind)
        assert r.tables and all(
            t.rows
            or t.key in ("places", "top_volumes", "rooms", "climate", "audit_actions", "filing")
            for t in r.tables
        )


def test_the_running_totals_follow_inserts_edits_and_deletes_and_rebuild_to_the_same(
    archivist: SignedIn, clock: FixedClock, room: fx.Fixture
) -> None:
    """The overview's totals (kept by triggers) equal a fresh count after every kind of write."""
    from app.services.statistics import customers as customer_stats
    from app.services.statistics import holdings as holdings_stats
    from app.services.statistics.common import Query
    from app.storage import stat_counters
    from app.storage.models import Volume

    def both() -> tuple[object, object]:
        with archivist.uow(clock) as uow:
            q = Query(uow, archivist.actor, JAN[0], JAN[1], ReportFilter(), clock)
            direct = uow.session.execute(
                select(
                    func.count(Volume.id), func.sum(Volume.item_count), func.sum(Volume.page_count)
                )
            ).one()
            counted = (tuple(int(x) for x in direct), customer_stats.customer_totals(q))
            kept = (holdings_stats.holdings_counters(q), customer_stats.customer_counters(q))
            h = holdings_stats.holdings_totals(q)  # from the per-group totals
            assert (h.volumes, h.items, h.pages) == kept[0]
            states = dict(
                uow.session.execute(select(Volume.state, func.count()).group_by(Volume.state)).all()
            )
            assert h.by_state == states
        return counted, kept

    counted, kept = both()
    assert counted == kept == ((5, 10, 45), (3, 3))
    with archivist.uow(clock) as uow:
        v1 = uow.session.get(Volume, room.volumes["v1"])
        assert v1 is not None
        v1.page_count += 7
        v1.item_count += 1
        v1.state = "on_loan"  # moves between groups
        extra = Volume(
            reference_code="Z001-HT·2026-Y-0009",
            customer_id=room.customers["wang"],
            year=2026,
            title="临时卷",
            retention="Y",
            created_at=fx.at(1, 20),
            category_code="HT",
            fonds_code="Z001",
            item_count=2,
            page_count=3,
            state="on_shelf",
        )
        uow.session.add(extra)
        uow.commit()
        extra_id = extra.id
    assert both()[1][0] == (6, 13, 55)
    with archivist.uow(clock) as uow:
        uow.session.delete(uow.session.get(Volume, extra_id))
        uow.commit()
    clock._now = fx.at(1, 21)
    from app.services.customers import register_customer
    from tests.factories import prospect

    register_customer(session=archivist, draft=prospect("新客户", "13700000000"), clock=clock)
    counted, kept = both()
    assert counted == kept == ((5, 11, 52), (4, 4))
    with archivist.store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE stat_counter SET n = 0")
        stat_counters.rebuild(conn)
    assert both()[1] == kept
