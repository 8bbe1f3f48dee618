"""A small archive room whose every statistic is counted by hand (issue 19).

Customers are registered through the service (so real names, phones and ID numbers exist to be
looked for in the outputs); volumes, loans, uses, inspections and readings are written as rows
with the dates the counts below depend on. The period is January 2026; "today" is 2026-01-20.

Hand counts (see tests/integration/test_statistics_reports.py for each figure):

volumes  v1 KH 2024 Y  非密 在架 3件 12页 filed 2026-01-02   items: 3 paper
         v2 KH 2024 D30 秘密 借出 2件 8页 filed 2026-01-03   items: paper, disc
         v3 KH 2025 D10 机密 在修 1件 5页 filed 2025-12-15   items: electronic (one 2 MiB file)
         v4 HT 2025 Y  绝密 在架 4件 20页 filed 2026-02-01   items: 3 paper, disk
         v5 HT 2023 D30 非密 已销毁 0件 0页 filed 2025-06-01
uses     A1 外借 销售部: L1 v1 01-06→01-08 (due 01-09, 3 items),
                         L2 v2 01-06 out (due 01-09, 2 items)
         A2 复制 财务部: L3 v1 01-10 (1 item, 6 pages copied)
         A3 查阅 销售部: L4 v3 01-12 (1 item)
         A4 外借 财务部: L5 v4 2025-12-20→2026-01-03 (due 2025-12-23, 4 items; use in December)
         A5 外借 销售部: L6 v1 01-15→01-19 (due 01-18, 3 items), damage report 01-19
room     K1 (set up 2025-06-01), one 层 of 6 box places, one box on it
session  JC2026-0001 半年定期 2026-01-10 closed: 缺失 ×2 (归位, 转下次), 错位 ×1 (说明)
climate  01-05 20.0/50.0 21.0/52.0 · 01-06 25.0/50.0 (too warm) · 01-07 20.0/50.0 23.0/50.0
         (swing 3 °C) → 5 readings, 3 days, 2 days out of range
tasks    修补 opened 01-10 done 01-15; 复制 opened 01-11 open
incident SJ-2026-001 丢失 found 01-08, open
customers 张三丰 在册 一般 (lost on 01-12), 李雷 潜在 一般, 王律师 在册 特殊 律师 重要
          regions (ID codes): 张三丰 110105 北京市, 王律师 310104 上海市, 李雷 no ID
          each registered 01-05 with a 合同必需 basis; 李雷's basis ended 01-15; 王律师 consent
          01-06 (open purpose); 张三丰 old consent 2025-06-01→2025-12-31, a purpose withdrawn
          01-10 → states: consent 1, basis 1 (张三丰), ended 1 (李雷), none 0
          erasure request SC2026-0001 for 张三丰 pending, requested 01-14
disposal  appraisal JD2026-0001 01-02: v5 destroy, v3 extend; 销毁清册 XH2026-0001 (v5)
          compiled 01-03, approved 01-05, destroyed 01-07 by 粉碎; XH2026-0002 compiled 01-09,
          rejected 01-10
filing    销售部 (clerk 刘文书): 2025-11 on 2025-12-05 (on time), 2025-12 on 01-08 (on time,
          2 卷 5 件 20 页); 财务部 (clerk 陈会计): 2025-11 on 2025-12-15 (late, 1 卷 1 件 3 页),
          2025-12 none (overdue since 01-10)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.clock import FixedClock
from app.services.auth import SignedIn
from app.services.customers import register_customer
from app.storage.models import (
    Appraisal,
    AppraisalDecision,
    ArchiveBox,
    ArchiveItem,
    ConsentPurpose,
    Customer,
    CustomerConsent,
    CustomerStatusChange,
    DamageReport,
    Department,
    DestructionList,
    DestructionListVolume,
    EnvironmentReading,
    ErasureRequest,
    FilingHandover,
    Incident,
    InspectionDifference,
    InspectionSession,
    ItemFile,
    Loan,
    RepairTask,
    StaffPerson,
    StorageLocation,
    UseApplication,
    UseLog,
    Volume,
)
from tests.factories import VALID_ID, person, prospect

LAWYER_ID = "310104198001011239"
PERIOD = (date(2026, 1, 1), date(2026, 1, 31))
TODAY = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)
# personal values that must never appear in any output
PERSONAL = (
    "张三丰",
    "李雷",
    "王律师",
    VALID_ID,
    LAWYER_ID,
    "13812345678",
    "138 1234 5678",
    "1381234",
    "13912345678",
    "6222021234567890128",
    "赵敏",
    "钱多多",
    "孙悟空",
    "刘文书",
    "陈会计",
)
SECRET_TITLE = "秘密合同汇编"
CONFIDENTIAL_TITLE = "机密协议汇编"


@dataclass(frozen=True)
class Fixture:
    """Ids of what was made."""

    volumes: dict[str, int]
    customers: dict[str, int]


def at(month: int, day: int, hour: int = 9, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=UTC)


def build(session: SignedIn, clock: FixedClock) -> Fixture:
    """Write the archive room above (``session``: an archivist); leaves the clock at TODAY."""
    clock._now = at(1, 5)  # registrations fall in the period
    customers = {
        "zhang": register_customer(session=session, draft=person(), clock=clock).customer_id,
        "li": register_customer(
            session=session, draft=prospect("李雷", "13912345678"), clock=clock
        ).customer_id,
        "wang": register_customer(
            session=session,
            draft=person(
                name="王律师",
                id_number=LAWYER_ID,
                kind="special",
                category="lawyer",
                importance="important",
                phones=(),
                bank_accounts=(),
            ),
            clock=clock,
        ).customer_id,
    }
    volumes: dict[str, int] = {}
    with session.uow(clock) as uow:
        s = uow.session
        zhang = s.get(Customer, customers["zhang"])
        assert zhang is not None
        zhang.status = "lost"
        s.add(
            CustomerStatusChange(
                customer_id=zhang.id,
                old_status="registered",
                new_status="lost",
                changed_at=at(1, 12),
                note="",
            )
        )
        specs = {
            "v1": ("KH", 2024, "Y", None, "on_shelf", 3, 12, at(1, 2), "张三丰2024年度客户档案"),
            "v2": ("KH", 2024, "D30", "secret", "on_loan", 2, 8, at(1, 3), SECRET_TITLE),
            "v3": (
                "KH",
                2025,
                "D10",
                "confidential",
                "in_repair",
                1,
                5,
                at(12, 15, year=2025),
                CONFIDENTIAL_TITLE,
            ),
            "v4": ("HT", 2025, "Y", "top_secret", "on_shelf", 4, 20, at(2, 1), "绝密合同"),
            "v5": ("HT", 2023, "D30", None, "destroyed", 0, 0, at(6, 1, year=2025), "已销毁卷"),
        }
        for n, (key, (cat, year, ret, level, state, items, pages, made, title)) in enumerate(
            specs.items(), start=1
        ):
            v = Volume(
                reference_code=f"Z001-{cat}·{year}-{ret}-{n:04d}",
                customer_id=customers["wang"],
                year=year,
                title=title,
                retention=ret,
                secrecy_level=level,
                created_at=made,
                category_code=cat,
                fonds_code="Z001",
                item_count=items,
                page_count=pages,
                state=state,
            )
            s.add(v)
            s.flush()
            volumes[key] = v.id
        carriers = {
            "v1": ["paper"] * 3,
            "v2": ["paper", "disc"],
            "v3": ["electronic"],
            "v4": ["paper"] * 3 + ["disk"],
        }
        item_ids: dict[str, list[int]] = {}
        for key, kinds in carriers.items():
            for seq, carrier in enumerate(kinds, start=1):
                item = ArchiveItem(
                    volume_id=volumes[key],
                    seq=seq,
                    title=f"件{seq}",
                    carrier=carrier,
                    created_at=at(1, 2),
                )
                s.add(item)
                s.flush()
                item_ids.setdefault(key, []).append(item.id)
        for state, size in (("complete", 2 * 1_048_576), ("writing", 999)):
            s.add(
                ItemFile(
                    item_id=item_ids["v3"][0],
                    name_enc=b"x",
                    media_type="application/pdf",
                    size=size,
                    sha256="0" * 64,
                    state=state,
                    created_at=at(1, 2),
                )
            )
        _uses(s, volumes)
        _room(s, volumes)
        _privacy(s, customers, session.actor.user_id)
        _disposal(s, volumes)
        _filing(s, session.actor.user_id)
        s.add(
            Incident(
                number="SJ-2026-001",
                kind="loss",
                title="一盒复印件找不到",
                found_at=at(1, 8),
                found_by="档案室",
                description="清点时发现",
                measures="已查找",
                reported_to="客服部",
                status="open",
                created_at=at(1, 8),
                updated_at=at(1, 8),
            )
        )
        uow.commit()
    clock._now = TODAY
    return Fixture(volumes, customers)


def _uses(s, volumes: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    apps = {
        "A1": ("loan", "销售部", "赵敏"),
        "A2": ("copy", "财务部", "钱多多"),
        "A3": ("consult", "销售部", "孙悟空"),
        "A4": ("loan", "财务部", "钱多多"),
        "A5": ("loan", "销售部", "赵敏"),
    }
    ids: dict[str, int] = {}
    for n, (key, (kind, dept, who)) in enumerate(apps.items(), start=1):
        a = UseApplication(
            number=f"SQ2026-{n:06d}",
            kind=kind,
            state="approved",
            applicant_name=who,
            department=dept,
            purpose="核对合同条款",
            created_at=at(1, 1),
        )
        s.add(a)
        s.flush()
        ids[key] = a.id
    loans = [
        # number, app, volume, kind, issued, due, returned, items, pages copied
        ("L1", "A1", "v1", "loan", at(1, 6), date(2026, 1, 9), at(1, 8), 3, 0),
        ("L2", "A1", "v2", "loan", at(1, 6), date(2026, 1, 9), None, 2, 0),
        ("L3", "A2", "v1", "copy", at(1, 10), date(2026, 1, 10), at(1, 10, 11), 1, 6),
        ("L4", "A3", "v3", "consult", at(1, 12), date(2026, 1, 12), at(1, 12, 11), 1, 0),
        ("L5", "A4", "v4", "loan", at(12, 20, year=2025), date(2025, 12, 23), at(1, 3), 4, 0),
        ("L6", "A5", "v1", "loan", at(1, 15), date(2026, 1, 18), at(1, 19), 3, 0),
    ]
    for number, app, vol, kind, issued, due, back, items, pages in loans:
        loan = Loan(
            number=f"JY2026-{number}",
            application_id=ids[app],
            volume_id=volumes[vol],
            kind=kind,
            state="returned" if back else "out",
            issued_at=issued,
            due_on=due,
            returned_at=back,
            expected_items=items,
        )
        s.add(loan)
        s.flush()
        dept = apps[app][1]
        s.add(
            UseLog(
                occurred_at=issued,
                kind=kind,
                application_id=ids[app],
                loan_id=loan.id,
                volume_id=volumes[vol],
                applicant_name=apps[app][2],
                department=dept,
                purpose="核对合同条款",
                pages_copied=pages,
            )
        )
        if number == "L6":
            s.add(
                DamageReport(
                    loan_id=loan.id,
                    volume_id=volumes[vol],
                    kind="damage",
                    description="封面破损",
                    state="open",
                    opened_at=at(1, 19),
                )
            )


def _place(s: Session, kind: str, code: str, name: str, **more: Any) -> StorageLocation:
    """The first place of its parent, set up on 2025-06-01, flushed so that it has an id."""
    segment = code.rsplit("-", 1)[-1]  # the code's own part: "K1", "1" of "K1-01-A-1-1"
    place = StorageLocation(
        kind=kind,
        code=code,
        segment=segment,
        name=name,
        ordinal=1,
        created_at=at(6, 1, year=2025),
        **more,
    )
    s.add(place)
    s.flush()
    return place


def _room(s, volumes: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    room = _place(s, "storeroom", "K1", "一号库房", path_key="0001")
    layer = _place(
        s, "layer", "K1-01-A-1-1", "1层", parent_id=room.id, path_key="0001.0001", capacity=6
    )
    s.add(ArchiveBox(code="H000001", location_id=layer.id, created_at=at(6, 1, year=2025)))
    session = InspectionSession(
        number="JC2026-0001",
        kind="half_yearly",
        room_id=room.id,
        scope_kind="room",
        scope_ids=f"[{room.id}]",
        scope_label="一号库房",
        inspected_on=date(2026, 1, 10),
        inspectors='[{"user_id": null, "name": "甲"}, {"user_id": null, "name": "乙"}]',
        status="closed",
        created_at=at(1, 10),
        closed_at=at(1, 10, 16),
    )
    s.add(session)
    s.flush()
    for kind, resolution in (("missing", "moved"), ("missing", "carried"), ("misplaced", "noted")):
        s.add(
            InspectionDifference(
                session_id=session.id,
                kind=kind,
                volume_id=volumes["v1"],
                code="X",
                resolution=resolution,
            )
        )
    for when, t, rh in (
        (at(1, 5, 8), 200, 500),
        (at(1, 5, 15), 210, 520),
        (at(1, 6, 8), 250, 500),
        (at(1, 7, 8), 200, 500),
        (at(1, 7, 15), 230, 500),
        (at(2, 3, 8), 300, 800),  # after the period
    ):
        s.add(EnvironmentReading(room_id=room.id, taken_at=when, temperature_dc=t, humidity_pm=rh))
    repairs = [
        # volume, kind, due, made, done (None: still open)
        ("v1", "mend", date(2026, 1, 20), at(1, 10), at(1, 15)),
        ("v2", "copy", date(2026, 2, 20), at(1, 11), None),
    ]
    for vol, kind, due, made, done in repairs:
        s.add(
            RepairTask(
                volume_id=volumes[vol],
                kind=kind,
                responsible_name="档案室",
                due_on=due,
                state="done" if done else "open",
                created_at=made,
                done_at=done,
            )
        )


def _privacy(s, customers: dict[str, int], user_id: int) -> None:  # type: ignore[no-untyped-def]
    li = s.query(CustomerConsent).filter_by(customer_id=customers["li"]).one()
    li.valid_until = date(2026, 1, 15)
    new, old = (
        CustomerConsent(
            customer_id=customers[who],
            kind="consent",
            method="written",
            given_on=given,
            valid_until=until,
            created_at=made,
        )
        for who, given, until, made in (
            ("wang", date(2026, 1, 6), None, at(1, 6)),
            ("zhang", date(2025, 6, 1), date(2025, 12, 31), at(6, 1, year=2025)),
        )
    )
    s.add_all([new, old])
    s.flush()
    s.add(ConsentPurpose(consent_id=new.id, purpose="marketing"))
    s.add(ConsentPurpose(consent_id=old.id, purpose="marketing", withdrawn_on=date(2026, 1, 10)))
    s.add(
        ErasureRequest(
            number="SC2026-0001",
            customer_id=customers["zhang"],
            customer_number="KH00000001",
            reason="consent_withdrawn",
            outcome="anonymise",
            state="pending",
            requested_by=user_id,
            requested_at=at(1, 14),
        )
    )


def _disposal(s, volumes: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    appraisal = Appraisal(
        number="JD2026-0001", state="closed", appraised_on=date(2026, 1, 2), created_at=at(1, 2)
    )
    s.add(appraisal)
    s.flush()
    for key, decision in (("v5", "destroy"), ("v3", "extend")):
        s.add(
            AppraisalDecision(
                appraisal_id=appraisal.id,
                volume_id=volumes[key],
                decision=decision,
                new_retention_until=2040 if decision == "extend" else None,
                decided_at=at(1, 2),
            )
        )
    done = DestructionList(
        number="XH2026-0001",
        state="destroyed",
        compiled_by_name="档案员",
        compiled_at=at(1, 3),
        decided_at=at(1, 5),
        carried_out_on=date(2026, 1, 7),
        carried_out_at=at(1, 7),
        method="shred",
    )
    refused = DestructionList(
        number="XH2026-0002",
        state="rejected",
        compiled_by_name="档案员",
        compiled_at=at(1, 9),
        decided_at=at(1, 10),
    )
    s.add_all([done, refused])
    s.flush()
    s.add(
        DestructionListVolume(
            list_id=done.id, volume_id=volumes["v5"], seq=1, reference_code="v5", title="已销毁卷"
        )
    )


def _filing(s, user_id: int) -> None:  # type: ignore[no-untyped-def]
    for dept, clerk, handovers in (
        (
            "销售部",
            "刘文书",
            (("2025-11", at(12, 5, year=2025), 1, 2, 9), ("2025-12", at(1, 8), 2, 5, 20)),
        ),
        ("财务部", "陈会计", (("2025-11", at(12, 15, year=2025), 1, 1, 3),)),
    ):
        d = Department(name=dept, created_at=at(1, 1, year=2025))
        s.add(d)
        s.flush()
        p = StaffPerson(
            name=clerk,
            department_id=d.id,
            state="active",
            joined_on=date(2025, 1, 1),
            created_at=at(1, 1, year=2025),
        )
        s.add(p)
        s.flush()
        d.filing_clerk_id = p.id
        for n, (period, when, v, i, pages) in enumerate(handovers, start=1):
            s.add(
                FilingHandover(
                    number=f"GD-{dept}-{n}",
                    department_id=d.id,
                    period=period,
                    clerk_person_id=p.id,
                    clerk_name=clerk,
                    clerk_confirmed="password",
                    archivist_user_id=user_id,
                    archivist_name="档案员",
                    occurred_at=when,
                    volumes=v,
                    items=i,
                    pages=pages,
                )
            )
