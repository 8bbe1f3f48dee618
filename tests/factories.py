"""Small factories shared by tests."""

from __future__ import annotations

from typing import Any

from app.clock import Clock
from app.domain.roles import ApproverTitle, Role
from app.services import users
from app.services.auth import SignedIn, sign_in, sign_out
from app.services.customers import BankAccountInput, CustomerDraft, PhoneInput
from app.storage.location import DatabaseLocation

PASSWORD = "Harbor-Own-Pass-1"
VALID_ID = "11010519491231002X"  # GB 11643-1999 worked example


def person(**overrides: object) -> CustomerDraft:
    """A valid registered person; override any field."""
    values: dict[str, object] = {
        "party": "person",
        "kind": "general",
        "category": "individual",
        "name": "张三丰",
        "status": "registered",
        "id_type": "resident_id",
        "id_number": VALID_ID,
        "phones": (PhoneInput("138 1234 5678", "手机"),),
        "bank_accounts": (BankAccountInput("6222 0212 3456 7890 128", "工商银行"),),
    }
    values.update(overrides)
    return CustomerDraft(**values)  # type: ignore[arg-type]


def confirm_as_security(admin: SignedIn, clock: Clock) -> None:
    """The 安全保密员 signs in and confirms every pending change they may (issue 23)."""
    from app.demo import DEMO_ADMIN, DEMO_PASSWORD, DEMO_SECURITY
    from app.services import account_review
    from tests.conftest import SECURITY_PASSWORD, SECURITY_USER

    demo = admin.actor.username == DEMO_ADMIN.username  # a copy of the demo database
    officer = sign_in(
        location=admin.store.location,
        username=DEMO_SECURITY.username if demo else SECURITY_USER,
        password=DEMO_PASSWORD if demo else SECURITY_PASSWORD,
        clock=clock,
    )
    try:
        for change in account_review.list_pending_changes(session=officer, clock=clock):
            if change.may_confirm:
                account_review.confirm_change(session=officer, change_id=change.id, clock=clock)
    finally:
        sign_out(session=officer, clock=clock)


def create_user(admin: SignedIn, **kwargs: Any) -> users.OneTimePassword:
    """``users.create_user`` by the administrator, its role grant confirmed by the 安全保密员.

    三员分立 (issue 23): the administrator only asks for roles; tests that need a working
    account get it granted here in one step.
    """
    clock = kwargs["clock"]
    result = users.create_user(session=admin, **kwargs)
    if result.pending_change is not None:
        confirm_as_security(admin, clock)
    return result


def add_archivist(admin: SignedIn, clock: Clock, username: str = "lisi") -> int:
    """Create an archivist with the known password ``PASSWORD``; return the user id."""
    create_user(
        admin,
        username=username,
        display_name="李四",
        roles=[Role.ARCHIVIST],
        approver_title=None,
        password=PASSWORD,
        require_change=False,
        clock=clock,
    )
    return next(
        u.id for u in users.list_users(session=admin, clock=clock) if u.username == username
    )


def add_item(
    session: SignedIn, clock: Clock, customer_id: int, *, title: str = "身份证复印件"
) -> int:
    """A volume and one item (件) for ``customer_id``, made with the ORM; return the item id.

    For tests that need an item before the catalogue services exist.
    """
    from sqlalchemy import func, select

    from app.storage.models import ArchiveItem, Volume

    with session.uow(clock) as uow:
        count = uow.session.scalar(select(func.count()).select_from(Volume)) or 0
        volume = Volume(
            reference_code=f"Z001-KH-2026-Y-{count + 1:07d}",
            customer_id=customer_id,
            year=2026,
            title="客户档案2026年度",
            retention="Y",
            created_at=clock.now(),
        )
        uow.session.add(volume)
        uow.session.flush()
        item = ArchiveItem(volume_id=volume.id, seq=1, title=title, created_at=clock.now())
        uow.session.add(item)
        uow.session.flush()
        item_id = item.id
        uow.commit()
    return item_id


def sign_in_as(
    admin: SignedIn,
    location: DatabaseLocation,
    clock: Clock,
    username: str,
    roles: list[Role],
    title: ApproverTitle | None = None,
) -> SignedIn:
    """Create a user with ``roles`` (and approver ``title``) and sign them in."""
    create_user(
        admin,
        username=username,
        display_name="测试用户",
        roles=roles,
        approver_title=title,
        password=PASSWORD,
        require_change=False,
        clock=clock,
    )
    return sign_in(location=location, username=username, password=PASSWORD, clock=clock)
