"""Small factories shared by tests."""

from __future__ import annotations

from app.clock import Clock
from app.domain.roles import Role
from app.services import users
from app.services.auth import SignedIn
from app.services.customers import BankAccountInput, CustomerDraft, PhoneInput

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


def add_archivist(admin: SignedIn, clock: Clock, username: str = "lisi") -> int:
    """Create an archivist with the known password ``PASSWORD``; return the user id."""
    users.create_user(
        session=admin,
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
