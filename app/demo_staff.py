"""Demo staff (issue 20): departments, people, agreements, training, clerks and a 归档移交.

Dates are relative to the demo's clock, so every demo account can use customer data whenever
the demo is built (agreement signed a year ago for three years, training six weeks ago), and
every staff screen has something to show: people without accounts, a person who left, a
department whose filing clerk has no account, one hand-over recorded.
"""

from __future__ import annotations

from datetime import timedelta

from app.clock import Clock
from app.services import staff, users
from app.services.auth import SignedIn, sign_in, sign_out
from app.services.common import local_today
from app.storage.location import DatabaseLocation

# people without an account: the 销售部 and 财务部 filing clerks, and one who left
OTHER_PEOPLE = (
    ("何晓燕", "销售部", "销售内勤", "13912345678"),
    ("马丽", "财务部", "会计", "13712345678"),
    ("郭强", "销售部", "销售代表", ""),
)
POSTS = {
    "archivist": "档案管理员",
    "archivist2": "档案管理员",
    "depthead": "销售部经理",
    "csmanager": "客服部经理",
    "infoofficer": "信息管理专员",
    "gm": "总经理",
    "supervisor": "监事",
}


def add_demo_staff(session: SignedIn, clock: Clock, departments: dict[str, str]) -> None:
    """Records for every data account (linked), their papers, and the departments' clerks."""
    today = local_today(clock)
    names = sorted({*departments.values(), "财务部"})
    dep_ids = {n: staff.add_department(session=session, name=n, clock=clock) for n in names}
    person_of: dict[str, int] = {}
    for row in users.list_users(session=session, clock=clock):
        if row.username not in departments:
            continue
        person_of[row.username] = staff.register_person(
            session=session,
            draft=staff.PersonDraft(
                name=row.display_name,
                department_id=dep_ids[departments[row.username]],
                post=POSTS.get(row.username, ""),
                contact="13800138000",
                user_id=row.id,
                joined_on=today - timedelta(days=700),
            ),
            clock=clock,
        )
    for name, dep, post, phone in OTHER_PEOPLE:
        person_of[name] = staff.register_person(
            session=session,
            draft=staff.PersonDraft(
                name=name,
                department_id=dep_ids[dep],
                post=post,
                contact=phone,
                joined_on=today - timedelta(days=500),
            ),
            clock=clock,
        )
    signed = today - timedelta(days=365)
    for key, pid in person_of.items():
        staff.record_agreement(
            session=session,
            person_id=pid,
            signed_on=signed,
            valid_until=signed + timedelta(days=3 * 365),
            clock=clock,
            scan=staff.Attachment(f"保密协议-{key}.pdf", b"%PDF-1.4\n% demo scan\n%%EOF\n"),
            note="入职时签订",
        )
    staff.record_training(
        session=session,
        held_on=today - timedelta(days=45),
        topic="客户信息保护意识培训（年度）",
        trainer="孙丽",
        hours=2.0,
        attendee_ids=list(person_of.values()),
        clock=clock,
        material=staff.Attachment("培训讲义.txt", "客户信息保护意识培训讲义\n".encode()),
    )
    clerks = {"销售部": "何晓燕", "财务部": "马丽", "客服部": "infoofficer", "档案室": "archivist2"}
    for dep, who in clerks.items():
        staff.set_filing_clerk(
            session=session, department_id=dep_ids[dep], person_id=person_of[who], clock=clock
        )


def add_demo_filing(location: DatabaseLocation, clock: Clock, username: str, password: str) -> None:
    """The 销售部's hand-over of last month, received by ``username`` (the clerk signs paper)."""
    from sqlalchemy import select

    from app.domain.staff import previous_period
    from app.storage.models import Volume

    keeper = sign_in(location=location, username=username, password=password, clock=clock)
    try:
        sales = next(
            d.id for d in staff.list_departments(session=keeper, clock=clock) if d.name == "销售部"
        )
        with keeper.uow(clock) as uow:
            volumes = list(
                uow.session.scalars(
                    select(Volume.id)
                    .where(Volume.secrecy_level.is_(None))
                    .order_by(Volume.id)
                    .limit(3)
                )
            )
        staff.record_filing_handover(
            session=keeper,
            department_id=sales,
            period=previous_period(local_today(clock)),
            volume_ids=volumes,
            lines=[staff.FilingLine("销售合同及补充协议（待立卷）", 12, 48)],
            paper_signature=True,
            note="归档专人无系统账户，在纸质清单上签字",
            clock=clock,
        )
    finally:
        sign_out(session=keeper, clock=clock, reason="demo built")
