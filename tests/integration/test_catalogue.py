"""The catalogue on a real encrypted database: 档号, secrecy rules, visibility (R10–R17)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from app.clock import FixedClock
from app.domain.roles import ApproverTitle, Role
from app.errors import PermissionDenied, ValidationFailed
from app.services.auth import SignedIn, sign_in, sign_out
from app.services.catalogue import (
    ItemDraft,
    VolumeDraft,
    add_item,
    create_volume,
    declassify_expired,
    extend_secrecy,
    find_by_reference,
    get_volume,
    list_volumes,
    secrecy_review_queue,
    set_reference_pattern,
)
from app.services.customers import register_customer
from app.storage.location import DatabaseLocation
from app.storage.models import AuditEntry
from tests.factories import PASSWORD, add_user, classified_item, potential, sign_in_as, signed_in


def customer(session: SignedIn, clock: FixedClock) -> int:
    draft = potential()
    return register_customer(session=session, draft=draft, clock=clock).customer_id


def volume_with_item(
    session: SignedIn,
    clock: FixedClock,
    cid: int,
    item: str,
    level: str | None = None,
    **kw: object,
) -> int:
    """A volume (``kw`` as for :func:`volume`) holding one item titled ``item`` at ``level``."""
    vid = volume(session, clock, cid, **kw)
    draft = ItemDraft(title=item, secrecy_level=level)
    add_item(session=session, volume_id=vid, draft=draft, clock=clock)
    return vid


@contextmanager
def dept_head(admin: SignedIn, location: DatabaseLocation, clock: FixedClock) -> Iterator[SignedIn]:
    """A 部门负责人 (cleared up to 秘密 only) signed in inside."""
    dept = sign_in_as(admin, location, clock, "dept", [Role.APPROVER], ApproverTitle.DEPT_HEAD)
    try:
        yield dept
    finally:
        sign_out(session=dept, clock=clock)


def volume(
    session: SignedIn, clock: FixedClock, cid: int | None = None, year: int = 2024, **kw: object
) -> int:
    """A volume of customer ``cid`` (of a new customer unless given); ``kw`` overrides fields."""
    values: dict[str, object] = {
        "customer_id": cid or customer(session, clock),
        "year": year,
        "title": "张三丰2024年度客户档案",
        "retention": "Y",
    }
    values.update(kw)
    return create_volume(session=session, draft=VolumeDraft(**values), clock=clock).volume_id  # type: ignore[arg-type]


def code_of(session: SignedIn, clock: FixedClock, vid: int) -> str:
    return get_volume(session=session, volume_id=vid, clock=clock).reference_code


def test_reference_codes_follow_the_configured_pattern_and_never_repeat(
    admin: SignedIn, archivist: SignedIn, clock: FixedClock
) -> None:
    cid = customer(archivist, clock)
    first = volume(archivist, clock, cid)
    second = volume(archivist, clock, cid, retention="长期")  # legacy word → D30
    third = volume(archivist, clock, cid)
    other_year = volume(archivist, clock, cid, year=2023)
    assert code_of(archivist, clock, first) == "Z001-KH·2024-Y-0001"  # DA/T 13-2022 style
    assert code_of(archivist, clock, second) == "Z001-KH·2024-D30-0001"
    assert code_of(archivist, clock, third) == "Z001-KH·2024-Y-0002"
    assert code_of(archivist, clock, other_year) == "Z001-KH·2023-Y-0001"

    set_reference_pattern(
        session=admin, pattern="{fonds}-{category}·{year}-{retention}-{org}-{number:4}", clock=clock
    )
    with pytest.raises(ValidationFailed) as missing_org:
        volume(archivist, clock, cid)
    assert missing_org.value.errors[0].field == "org_code"
    dat22 = volume(archivist, clock, cid, org_code="bgs")
    assert code_of(archivist, clock, dat22) == "Z001-KH·2024-Y-BGS-0001"  # DA/T 22-2015 style
    assert code_of(archivist, clock, first) == "Z001-KH·2024-Y-0001"  # never renumbered

    # back to the old pattern: its scope continues after 0002 even with 0002 destroyed
    set_reference_pattern(
        session=admin, pattern="{fonds}-{category}·{year}-{retention}-{number:4}", clock=clock
    )
    with archivist.store.engine.begin() as conn:
        conn.execute(text("UPDATE volume SET state = 'destroyed' WHERE id = :id"), {"id": third})
        # a ledger import took the next number already: it is skipped, not duplicated
        conn.execute(
            text(
                "INSERT INTO volume (reference_code, customer_id, year, title, retention, "
                "created_at) VALUES ('Z001-KH·2024-Y-0003', :cid, 2024, '导入', 'Y', "
                "'2026-01-01 00:00:00')"
            ),
            {"cid": cid},
        )
    fourth = volume(archivist, clock, cid)
    assert code_of(archivist, clock, fourth) == "Z001-KH·2024-Y-0004"
    with pytest.raises(ValidationFailed) as bad:
        set_reference_pattern(session=admin, pattern="{fonds}-{year}", clock=clock)
    assert bad.value.errors[0].field == "reference_pattern"
    assert [
        v.reference_code
        for v in find_by_reference(session=archivist, prefix="z001-kh·2024-y-000", clock=clock)
    ] == [
        "Z001-KH·2024-Y-0001",
        "Z001-KH·2024-Y-0002",
        "Z001-KH·2024-Y-0003",
        "Z001-KH·2024-Y-0004",
    ]


def test_concurrent_allocation_gives_distinct_numbers(
    archivist: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    cid = customer(archivist, clock)
    sessions = [
        sign_in(location=location, username="lisi", password=PASSWORD, clock=clock)
        for _ in range(4)
    ]
    codes: list[str] = []
    failures: list[BaseException] = []
    start = threading.Barrier(len(sessions))

    def work(session: SignedIn) -> None:
        start.wait()
        try:
            for _ in range(5):
                vid = volume(session, clock, cid)
                codes.append(code_of(session, clock, vid))
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in sessions:
        sign_out(session=s, clock=clock)
    assert failures == []
    assert len(codes) == 20 and len(set(codes)) == 20
    assert sorted(codes) == [f"Z001-KH·2024-Y-{n:04d}" for n in range(1, 21)]


def test_volume_takes_the_highest_level_and_longest_term_with_markings_in_step(
    archivist: SignedIn, clock: FixedClock
) -> None:
    vid = volume(archivist, clock)
    today = clock.now().date()
    add_item(
        session=archivist,
        volume_id=vid,
        draft=ItemDraft(title="合同", page_from=1, page_to=4),
        clock=clock,
    )
    add_item(
        session=archivist,
        volume_id=vid,
        draft=ItemDraft(title="报价单", page_from=5, secrecy_level="secret", secrecy_since=today),
        clock=clock,
    )
    v = get_volume(session=archivist, volume_id=vid, clock=clock)
    assert v.secrecy == "秘密" and v.remarks == ""  # 秘密 is shown, not written into 备注栏
    confidential = add_item(
        session=archivist,
        volume_id=vid,
        draft=ItemDraft(title="授信资料", page_from=6, page_to=9, secrecy_level="confidential"),
        clock=clock,
    )
    v = get_volume(session=archivist, volume_id=vid, clock=clock)
    assert v.secrecy == "机密★20年" and v.remarks.splitlines()[0] == "机密★20年"  # default term
    assert v.item_count == 3 and v.page_count == 9 and v.carriers == "纸质 3"
    assert [i.secrecy for i in v.items] == ["", "秘密", "机密★20年"]
    assert v.items[2].remarks == "机密★20年"
    add_item(
        session=archivist,
        volume_id=vid,
        draft=ItemDraft(title="补充协议", secrecy_level="confidential", secrecy_term_years=25),
        clock=clock,
    )
    v = get_volume(session=archivist, volume_id=vid, clock=clock)
    assert v.secrecy == "机密★25年" and v.remarks == "机密★25年"  # kept in step, not appended
    assert confidential == v.items[2].id


def test_top_secret_items_form_a_volume_of_their_own(
    archivist: SignedIn, clock: FixedClock
) -> None:
    cid = customer(archivist, clock)
    mixed = volume_with_item(archivist, clock, cid, "合同")
    with pytest.raises(ValidationFailed) as refused:
        add_item(
            session=archivist,
            volume_id=mixed,
            draft=ItemDraft(title="核心资料", secrecy_level="top_secret"),
            clock=clock,
        )
    assert refused.value.errors[0].reason == "top_secret_alone"
    alone = volume_with_item(archivist, clock, cid, "核心资料", level="top_secret")
    with pytest.raises(ValidationFailed) as refused_other:
        add_item(session=archivist, volume_id=alone, draft=ItemDraft(title="合同"), clock=clock)
    assert refused_other.value.errors[0].reason == "top_secret_volume"
    assert get_volume(session=archivist, volume_id=alone, clock=clock).secrecy == "绝密★30年"


def test_expired_terms_are_declassified_with_a_record_and_the_old_marking_struck(
    archivist: SignedIn, clock: FixedClock
) -> None:
    vid = volume(archivist, clock)
    today = clock.now().date()
    since = today - timedelta(days=365 * 10 + 30)
    add_item(
        session=archivist,
        volume_id=vid,
        draft=ItemDraft(
            title="旧合同", secrecy_level="confidential", secrecy_term_years=10, secrecy_since=since
        ),
        clock=clock,
    )
    soon = classified_item(archivist, clock, vid, "近期合同", days_ago=330, level="confidential")
    queue = secrecy_review_queue(session=archivist, clock=clock)
    assert [r.item_id for r in queue] == [soon]  # ends within 90 days
    assert declassify_expired(session=archivist, clock=clock) == 1
    assert declassify_expired(session=archivist, clock=clock) == 0  # idempotent
    v = get_volume(session=archivist, volume_id=vid, clock=clock)
    old = v.items[0]
    assert old.secrecy == "" and old.remarks == f"~~机密★10年~~ 解密 {today.isoformat()}"
    assert v.secrecy == "机密★1年"  # the other item still classified
    with archivist.store.new_session() as s:
        actions = [a.action for a in s.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions.count("secrecy.declassify") == 1


def test_extension_needs_an_approver_before_the_term_ends(
    archivist: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    vid = volume(archivist, clock)
    item = add_item(
        session=archivist,
        volume_id=vid,
        draft=ItemDraft(title="授信资料", secrecy_level="confidential", secrecy_term_years=20),
        clock=clock,
    )
    with pytest.raises(PermissionDenied):
        extend_secrecy(session=archivist, item_id=item, term_years=30, note="延长", clock=clock)
    with signed_in(location, "manager", PASSWORD, clock) as manager:
        extend_secrecy(
            session=manager, item_id=item, term_years=30, note="仍涉及商业秘密", clock=clock
        )
        v = get_volume(session=manager, volume_id=vid, clock=clock)
        assert v.items[0].secrecy == "机密★30年" and v.remarks == "机密★30年"
        with pytest.raises(ValidationFailed):
            extend_secrecy(session=manager, item_id=item, term_years=25, note="缩短", clock=clock)


@pytest.mark.parametrize(
    ("username", "roles", "title", "sees"),
    [
        ("dept", [Role.APPROVER], ApproverTitle.DEPT_HEAD, {None, "secret"}),
        ("info", [Role.APPROVER], ApproverTitle.INFO_OFFICER, {None, "secret"}),
        (
            "gm",
            [Role.APPROVER],
            ApproverTitle.GENERAL_MANAGER,
            {None, "secret", "confidential", "top_secret"},
        ),
        ("audit", [Role.AUDITOR], None, {None}),
    ],
)
def test_each_post_sees_titles_up_to_its_clearance_and_restricted_rows_otherwise(
    admin: SignedIn,
    archivist: SignedIn,
    location: DatabaseLocation,
    clock: FixedClock,
    username: str,
    roles: list[Role],
    title: ApproverTitle | None,
    sees: set[str | None],
) -> None:
    cid = customer(archivist, clock)
    levels = [None, "secret", "confidential", "top_secret"]
    by_level = {}
    for level in levels:
        vid = volume(archivist, clock, cid)
        add_item(
            session=archivist,
            volume_id=vid,
            draft=ItemDraft(title=f"题名-{level}", secrecy_level=level),
            clock=clock,
        )
        by_level[level] = vid
    add_user(admin, clock, username, roles, title, display_name="测试")
    with signed_in(location, username, PASSWORD, clock) as viewer:
        listed = {v.id: v for v in list_volumes(session=viewer, clock=clock)}
        of_customer = {v.id for v in list_volumes(session=viewer, clock=clock, customer_id=cid)}
        assert of_customer == {vid for level, vid in by_level.items() if level in sees}
        found = {v.id: v for v in find_by_reference(session=viewer, prefix="Z001", clock=clock)}
        for level, vid in by_level.items():
            for row in (
                listed[vid],
                found[vid],
                get_volume(session=viewer, volume_id=vid, clock=clock),
            ):
                if level in sees:
                    assert row.title == "张三丰2024年度客户档案" and not row.restricted
                    assert [
                        i.title
                        for i in row.items
                        or get_volume(session=viewer, volume_id=vid, clock=clock).items
                    ] == [f"题名-{level}"]
                else:  # 受限: the 档号 and nothing else
                    assert row.restricted and row.title == "受限" and row.secrecy == "受限"
                    assert row.items == [] and row.remarks == "" and row.customer_id == 0
                    assert row.reference_code.startswith("Z001-KH·2024-Y-")
        queue = {
            r.reference_code for r in secrecy_review_queue(session=viewer, clock=clock, days=40000)
        }
        assert queue == {
            get_volume(session=archivist, volume_id=by_level[lv], clock=clock).reference_code
            for lv in sees
            if lv is not None
        }


def test_bad_input_names_the_field_and_saves_nothing(
    archivist: SignedIn, clock: FixedClock
) -> None:
    cid = customer(archivist, clock)
    with pytest.raises(ValidationFailed) as bad:
        create_volume(
            session=archivist,
            draft=VolumeDraft(customer_id=cid, year=1800, title=" ", retention="很久"),
            clock=clock,
        )
    assert {e.field for e in bad.value.errors} == {"title", "retention", "year"}
    vid = volume(archivist, clock, cid)
    with pytest.raises(ValidationFailed) as bad_item:
        add_item(
            session=archivist,
            volume_id=vid,
            draft=ItemDraft(
                title="合同",
                page_from=5,
                page_to=3,
                carrier="vinyl",
                secrecy_level="绝密",
                doc_date=date(2999, 1, 1),
            ),
            clock=clock,
        )
    assert {e.field for e in bad_item.value.errors} == {
        "page_to",
        "carrier",
        "secrecy_level",
        "doc_date",
    }
    assert get_volume(session=archivist, volume_id=vid, clock=clock).item_count == 0
    assert len(list_volumes(session=archivist, clock=clock, customer_id=cid)) == 1


def test_the_daily_check_runs_once_a_day_for_the_first_cleared_user(
    admin: SignedIn, archivist: SignedIn, clock: FixedClock
) -> None:
    from app.services.catalogue import run_daily_checks

    vid = volume(archivist, clock)
    today = clock.now().date()
    classified_item(archivist, clock, vid, "旧报价", days_ago=400)
    assert run_daily_checks(session=admin, clock=clock) == 0  # not cleared: never (issue 23)
    assert run_daily_checks(session=archivist, clock=clock) == 1  # cleared, the clock agrees
    assert run_daily_checks(session=archivist, clock=clock) == 0  # once a day
    item = get_volume(session=archivist, volume_id=vid, clock=clock).items[0]
    assert item.secrecy == "" and item.remarks == f"~~秘密~~ 解密 {today.isoformat()}"
    with archivist.store.new_session() as s:
        entry = s.query(AuditEntry).filter(AuditEntry.action == "secrecy.declassify").one()
    assert entry.actor_name == "系统"


def test_search_finds_titles_pinyin_and_items_but_never_reveals_what_is_above_clearance(
    admin: SignedIn, archivist: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    from app.services.catalogue import search_catalogue

    cid = customer(archivist, clock)
    open_vol = volume_with_item(archivist, clock, cid, "年度对账单", title="华信律师事务所合作协议")
    secret_vol = volume_with_item(
        archivist, clock, cid, "估值模型说明", level="confidential", title="华信并购尽职调查"
    )

    def ids(session: SignedIn, query: str) -> list[int]:
        return [v.id for v in search_catalogue(session=session, query=query, clock=clock)]

    assert ids(archivist, "华信") == []  # 2 characters: not a title search (3+)
    assert set(ids(archivist, "华信律")) == {open_vol}
    assert set(ids(archivist, "huaxin")) == {open_vol, secret_vol}  # pinyin of titles
    assert ids(archivist, "对账单") == [open_vol]  # through its item
    assert ids(archivist, "估值模型") == [secret_vol]
    with dept_head(admin, location, clock) as dept:
        assert ids(dept, "估值模型") == []  # the item and its volume stay unseen
        assert ids(dept, "尽职调查") == []
        assert set(ids(dept, "huaxin")) == {open_vol}
        code = get_volume(session=archivist, volume_id=secret_vol, clock=clock).reference_code
        by_code = search_catalogue(session=dept, query=code, clock=clock)
        assert [(v.id, v.title) for v in by_code] == [(secret_vol, "受限")]  # 档号 only


def test_printing_follows_the_same_clearance_as_the_lists(
    admin: SignedIn, archivist: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    import pypdfium2 as pdfium

    from app.services.catalogue import volume_catalogue_pdf

    cid = customer(archivist, clock)
    open_vol = volume_with_item(archivist, clock, cid, "公开的合同")
    secret_vol = volume_with_item(archivist, clock, cid, "不应出现的题名", level="confidential")
    with dept_head(admin, location, clock) as dept:
        with pytest.raises(ValidationFailed) as refused:
            volume_catalogue_pdf(session=dept, volume_id=secret_vol, clock=clock)
        assert refused.value.errors[0].reason == "no_clearance"
        pdf = volume_catalogue_pdf(session=dept, volume_id=open_vol, clock=clock)
        document = pdfium.PdfDocument(pdf)
        text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
        assert "公开的合同" in text and "不应出现" not in text


def test_exports_show_what_the_lists_show_and_record_the_purpose(
    admin: SignedIn, archivist: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    import io

    from openpyxl import load_workbook

    from app.services.catalogue import export_volumes_xlsx

    cid = customer(archivist, clock)
    open_vol = volume(archivist, clock, cid, title="华信合作协议汇编")
    secret_vol = volume_with_item(
        archivist, clock, cid, "估值", level="top_secret", title="华信并购尽职调查"
    )
    code = get_volume(session=archivist, volume_id=secret_vol, clock=clock).reference_code

    def cells(data: bytes) -> list[list[object]]:
        sheet = load_workbook(io.BytesIO(data)).active
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        start = next(i for i, r in enumerate(rows) if r[0] == "档号") + 1  # below the header
        return rows[start:]

    with dept_head(admin, location, clock) as dept:
        with pytest.raises(ValidationFailed):
            export_volumes_xlsx(session=dept, query="", purpose=" ", clock=clock)
        listed = cells(export_volumes_xlsx(session=dept, query="", purpose="年度盘点", clock=clock))
        by_title = cells(
            export_volumes_xlsx(session=dept, query="华信并", purpose="查找", clock=clock)
        )
        by_code = cells(export_volumes_xlsx(session=dept, query=code, purpose="核对", clock=clock))
        everything = str(listed + by_title + by_code)
        assert "尽职调查" not in everything and "估值" not in everything
        assert [r[:2] for r in listed if r[0] == code] == [[code, "受限"]]
        assert by_title == []
        assert [r[:2] for r in by_code] == [[code, "受限"]]
        assert any(r[1] == "华信合作协议汇编" for r in listed) and open_vol
        with dept.store.new_session() as s:
            purposes = [
                a.purpose for a in s.query(AuditEntry).filter(AuditEntry.action == "export.volumes")
            ]
        assert purposes == ["年度盘点", "查找", "核对"]


def test_volume_details_change_with_an_audit_entry_and_the_index_follows(
    archivist: SignedIn, clock: FixedClock
) -> None:
    from app.services.catalogue import (
        VolumeDetails,
        get_volume_details,
        search_catalogue,
        update_volume_details,
    )

    vid = volume(archivist, clock, title="原题名案卷")
    view = get_volume_details(session=archivist, volume_id=vid, clock=clock)
    changed = VolumeDetails("华信补充协议汇编", "李秀英", "赵磊", clock.now().date(), "原件齐全")

    def save_as_read() -> None:
        """Save ``changed`` over the version ``view`` was read at."""
        update_volume_details(
            session=archivist,
            volume_id=vid,
            details=changed,
            expected_version=view.version,
            clock=clock,
        )

    save_as_read()
    with pytest.raises(ValidationFailed) as stale:
        save_as_read()  # the same save again: the volume changed since it was read
    assert stale.value.errors[0].reason == "changed_by"  # who and when (issue 22)
    assert stale.value.errors[0].params["at"] == clock.now().astimezone().strftime("%H:%M")
    assert [v.id for v in search_catalogue(session=archivist, query="补充协议", clock=clock)] == [
        vid
    ]
    assert search_catalogue(session=archivist, query="原题名", clock=clock) == []
    with archivist.store.new_session() as s:
        entry = s.query(AuditEntry).filter(AuditEntry.action == "volume.update").one()
    assert "原题名案卷" in entry.details and "华信补充协议汇编" in entry.details
