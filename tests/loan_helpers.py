"""Loan desk fixtures: staff with cheap key slots, volumes with items, quick applications."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from app.clock import FixedClock
from app.domain.roles import ApproverTitle, Role
from app.printing.loan_forms import REGISTER_TITLE, RegisterSheet
from app.services import users
from app.services.auth import SignedIn, sign_in, sign_out
from app.services.catalogue import ItemDraft, VolumeDraft, add_item, create_volume, get_volume
from app.services.customers import register_customer
from app.services.loans import (
    ApplicationDraft,
    LoanIssued,
    RequestedVolume,
    ReturnCount,
    ReturnDone,
    approve_application,
    file_application,
    issue_loan,
    return_loan,
    set_staff_department,
)
from app.storage.location import DatabaseLocation
from tests.factories import PASSWORD, TEST_KDF, add_user, potential

FAST_KDF = TEST_KDF  # tests only
# user name → (display name, roles, title, department)
Person = tuple[str, list[Role], ApproverTitle | None, str]
STAFF: dict[str, Person] = {
    "lisi": ("李四", [Role.ARCHIVIST], None, "档案室"),
    "zhao": ("赵敏", [Role.ARCHIVIST], None, "销售部"),  # a staff borrower
    "head": ("钱部长", [Role.APPROVER], ApproverTitle.DEPT_HEAD, "销售部"),
    "info": ("孙专员", [Role.APPROVER], ApproverTitle.INFO_OFFICER, "客服部"),
    "manager": ("刘芳", [Role.APPROVER], ApproverTitle.CS_MANAGER, "客服部"),
    "gm": ("周总", [Role.APPROVER], ApproverTitle.GENERAL_MANAGER, "总经理办公室"),
    "sup": ("吴监事", [Role.APPROVER], ApproverTitle.SUPERVISOR, "监事会"),
    "both": ("郑双", [Role.ARCHIVIST, Role.APPROVER], ApproverTitle.INFO_OFFICER, "客服部"),
}


@dataclass
class Desk:
    """A database with the loan desk's people; sessions are signed in on first use."""

    admin: SignedIn
    location: DatabaseLocation
    clock: FixedClock
    ids: dict[str, int] = field(default_factory=dict)
    sessions: dict[str, SignedIn] = field(default_factory=dict)

    def __call__(self, username: str) -> SignedIn:
        if username not in self.sessions:
            self.sessions[username] = sign_in(
                location=self.location, username=username, password=PASSWORD, clock=self.clock
            )
        return self.sessions[username]

    def close(self) -> None:
        for session in self.sessions.values():
            sign_out(session=session, clock=self.clock)


def add_staff(
    admin: SignedIn, clock: FixedClock, people: dict[str, Person] = STAFF
) -> dict[str, int]:
    """Create ``people`` (known password, cheap key slots) in their departments; user ids."""
    for username, (name, roles, title, _department) in people.items():
        add_user(admin, clock, username, roles, title, display_name=name, kdf=FAST_KDF)
    ids = {row.username: row.id for row in users.list_users(session=admin, clock=clock)}
    for username, (_n, _r, _t, department) in people.items():
        set_staff_department(
            session=admin, user_id=ids[username], department=department, clock=clock
        )
    return ids


def make_desk(admin: SignedIn, location: DatabaseLocation, clock: FixedClock) -> Desk:
    desk = Desk(admin, location, clock)
    desk.ids.update(add_staff(admin, clock))
    return desk


def make_volume(
    session: SignedIn,
    clock: FixedClock,
    *,
    level: str | None = None,
    items: int = 3,
    pages_each: int = 4,
    title: str = "张三丰2024年度客户档案",
    customer_id: int | None = None,
    filed: bool = False,
) -> tuple[int, str]:
    """A volume with ``items`` items of ``pages_each`` pages (the last ones at ``level``).

    ``filed``: with its 备考表 details (立卷人, 检查人, 立卷时间, 本卷情况说明) filled in.
    """
    if customer_id is None:
        from app.services.customers.consents import ConsentInput

        # a written consent to every default purpose, 对外提供 included (R36, issue 18)
        consent = ConsentInput(
            purposes=("合同履行", "客户服务", "营销", "对外提供"), given_on=date(2026, 1, 1)
        )
        draft = potential(legal_basis="", consent=consent)
        customer_id = register_customer(session=session, draft=draft, clock=clock).customer_id
    draft = VolumeDraft(
        customer_id=customer_id,
        year=2024,
        title=title,
        retention="Y",
        **(
            {
                "compiled_by": "李四",
                "checked_by": "王五",
                "compiled_on": clock.now().astimezone().date(),
                "notes": "本卷完整",
            }
            if filed
            else {}
        ),
    )
    return volume_with_items(
        session, clock, draft, items, pages_each=pages_each, item_title="往来函件", level=level
    )


def volume_with_items(
    session: SignedIn,
    clock: FixedClock,
    draft: VolumeDraft,
    items: int,
    *,
    pages_each: int,
    item_title: str,
    level: str | None,
) -> tuple[int, str]:
    """Create ``draft`` and ``items`` items in it; return the volume's id and 档号.

    Item ``n`` (from 1) is "``item_title``第n号", dated March ``n`` of the volume's year, with
    pages ``pages_each`` long one after the other, at secrecy ``level``.
    """
    saved = create_volume(session=session, draft=draft, clock=clock)
    for n in range(items):
        add_item(
            session=session,
            volume_id=saved.volume_id,
            draft=ItemDraft(
                title=f"{item_title}第{n + 1}号",
                doc_date=date(draft.year, 3, 1 + n),
                page_from=n * pages_each + 1,
                page_to=(n + 1) * pages_each,
                secrecy_level=level,
            ),
            clock=clock,
        )
    code = get_volume(session=session, volume_id=saved.volume_id, clock=clock).reference_code
    return saved.volume_id, code


def outsider_draft(
    kind: str, purpose: str, *volumes: RequestedVolume, **extra: object
) -> ApplicationDraft:
    """An outsider's application: 陈律师 of a law firm with a 介绍信 (``extra`` adds fields)."""
    return ApplicationDraft(
        kind=kind,
        purpose=purpose,
        volumes=volumes,
        outsider=True,
        applicant_name="陈律师",
        unit="上海某某律师事务所",
        credential="letter",
        credential_number="沪律函2026第0012号",
        **extra,  # type: ignore[arg-type]
    )


def staff_application(
    desk: Desk,
    volume_ids: list[int],
    *,
    kind: str = "loan",
    applicant: str = "zhao",
    by: str = "lisi",
    page_count: int = 0,
    purpose: str = "核对合同条款",
) -> int:
    """An application by a staff member, entered at the desk by ``by``; returns its id."""
    draft = ApplicationDraft(
        kind=kind,
        purpose=purpose,
        volumes=tuple(RequestedVolume(v, page_count=page_count) for v in volume_ids),
        applicant_user_id=desk.ids[applicant],
        phone="13812345678",
        reason="客户投诉处理需要",
    )
    return file_application(session=desk(by), draft=draft, clock=desk.clock).application_id


def approve_all(desk: Desk, application_id: int, *approvers: str) -> str:
    state = ""
    for name in approvers:
        state = approve_application(
            session=desk(name), application_id=application_id, opinion="同意", clock=desk.clock
        )
    return state


def lend(desk: Desk, volume_id: int, code: str) -> LoanIssued:
    """赵敏's loan of the volume, approved by 孙专员, issued by scanning ``code`` at 李四's desk."""
    app_id = staff_application(desk, [volume_id])
    approve_all(desk, app_id, "info")
    return issue_loan(session=desk("lisi"), application_id=app_id, scan=code, clock=desk.clock)


def return_at_desk(desk: Desk, loan_id: int, count: ReturnCount | None = None) -> ReturnDone:
    """The loan back at 李四's desk, counted as ``count`` (default: a ``make_volume()`` volume's
    12 pages and 3 items, intact, counted face to face)."""
    return return_loan(
        session=desk("lisi"),
        loan_id=loan_id,
        count=count or ReturnCount(12, 3, "intact", face_to_face=True),
        clock=desk.clock,
    )


def january_register(rows: list[tuple[str, ...]]) -> RegisterSheet:
    """The 借阅登记簿 of January 2026 with ``rows``, printed by 李四 on 2026-01-05."""
    return RegisterSheet(
        title=REGISTER_TITLE,
        scope="2026-01-01 至 2026-01-31",
        organisation="华东示范贸易有限公司",
        printed_by="李四",
        printed_by_username="lisi",
        printed_at=datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
        rows=rows,
    )
