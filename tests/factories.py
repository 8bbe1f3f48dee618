"""Small factories shared by tests."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, text

from app.clock import Clock
from app.domain.roles import ApproverTitle, Role
from app.security.crypto import KdfParams
from app.services import catalogue, users
from app.services.auth import SignedIn, change_password, sign_in, sign_out
from app.services.catalogue import VolumeDraft, create_volume
from app.services.customers import (
    BankAccountInput,
    CustomerChanges,
    CustomerDraft,
    PhoneInput,
    SaveResult,
    register_customer,
    update_customer,
)
from app.services.incidents import IncidentDraft
from app.services.users import OneTimePassword
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
        # R4 (issue 18): registration needs a consent or a stated legal basis
        "legal_basis": "合同必需",
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
    if {Role(r) for r in kwargs.get("roles", ())} & {Role.ARCHIVIST, Role.APPROVER}:
        give_clearance_papers(admin, clock, result.username, kwargs.get("display_name", ""))
    return result


def give_clearance_papers(admin: SignedIn, clock: Clock, username: str, name: str = "") -> int:
    """A staff record for ``username`` with a 保密协议 (no end date) and training today (R28).

    Issue 20: an archivist or approver handles customer data (reveal, export, print, lend)
    only with a valid agreement and current training, so every data account the factories make
    gets both by default. Tests of the gate itself take them away or make accounts without.
    Returns the person id.
    """
    from app.services import staff
    from app.services.common import local_today

    uid = next(u.id for u in users.list_users(session=admin, clock=clock) if u.username == username)
    today = local_today(clock)
    person_id = staff.register_person(
        session=admin, draft=staff.PersonDraft(name=name or username, user_id=uid), clock=clock
    )
    staff.record_agreement(
        session=admin, person_id=person_id, signed_on=today, valid_until=None, clock=clock
    )
    staff.record_training(
        session=admin,
        held_on=today,
        topic="客户信息保护意识培训",
        trainer="安全保密员",
        hours=2,
        attendee_ids=[person_id],
        clock=clock,
    )
    return person_id


def classified_item(
    session: SignedIn,
    clock: Clock,
    volume_id: int,
    title: str,
    *,
    days_ago: int,
    level: str = "secret",
    term_years: int = 1,
) -> int:
    """An item of ``volume_id`` classified ``level`` for ``term_years`` since ``days_ago`` days."""
    draft = catalogue.ItemDraft(
        title=title,
        secrecy_level=level,
        secrecy_term_years=term_years,
        secrecy_since=clock.now().date() - timedelta(days=days_ago),
    )
    return catalogue.add_item(session=session, volume_id=volume_id, draft=draft, clock=clock)


def phone_sharing_pair(session: SignedIn, clock: Clock) -> tuple[int, int]:
    """``person()`` and 张小, a potential customer with the same phone: a suspected duplicate."""
    first = register_customer(session=session, draft=person(), clock=clock).customer_id
    draft = potential(name="张小", phones=person().phones)
    return first, register_customer(session=session, draft=draft, clock=clock).customer_id


def audit_actions(session: SignedIn) -> list[str]:
    """Every audit entry's action code, oldest first."""
    from app.storage.models import AuditEntry

    with session.store.new_session() as s:
        return [e.action for e in s.query(AuditEntry).order_by(AuditEntry.id)]


NEW_PASSWORD = "Brand-New-Pass-7"


def change_to_new_password(session: SignedIn, clock: Clock, old_password: str) -> None:
    """``session``'s user changes their own password to ``NEW_PASSWORD`` (typed twice)."""
    change_password(
        session=session,
        old_password=old_password,
        new_password=NEW_PASSWORD,
        confirm=NEW_PASSWORD,
        clock=clock,
    )


def loss_incident(clock: Clock, *affected: str) -> IncidentDraft:
    """A 缺页 incident (loss) found two hours ago at the return count, naming ``affected``."""
    return IncidentDraft(
        kind="loss",
        title="借出案卷归还时缺页",
        found_at=clock.now() - timedelta(hours=2),
        found_by="李四",
        description="归还清点时发现第 3–5 页缺失。",
        measures="封存该卷，通知借阅人查找。",
        reported_to="客服部经理 刘芳",
        affected=affected,
    )


def potential(**overrides: object) -> CustomerDraft:
    """A potential customer (潜在客户) known by name only: no ID, phones or bank accounts."""
    values: dict[str, object] = {
        "id_number": "",
        "id_type": None,
        "status": "potential",
        "phones": (),
        "bank_accounts": (),
    }
    values.update(overrides)
    return person(**values)


def edit_customer(
    session: SignedIn, clock: Clock, customer_id: int, version: int, changes: CustomerChanges
) -> SaveResult:
    """``update_customer`` of the customer as seen at ``version``."""
    return update_customer(
        session=session,
        customer_id=customer_id,
        changes=changes,
        expected_version=version,
        clock=clock,
    )


def prospect(name: str, *phones: str, **overrides: object) -> CustomerDraft:
    """A potential customer (潜在客户) known by name and phone numbers only."""
    values: dict[str, object] = {"id_number": "", "id_type": None, "status": "potential"}
    values.update(phones=tuple(PhoneInput(p) for p in phones), bank_accounts=(), **overrides)
    return person(name=name, **values)


def customer_with_volume(session: SignedIn, clock: Clock) -> tuple[Any, Any]:
    """A registered ``person()`` and a 2024 客户档案 volume of theirs (both services' results)."""
    saved = register_customer(session=session, draft=person(), clock=clock)
    draft = VolumeDraft(customer_id=saved.customer_id, year=2024, title="客户档案", retention="Y")
    return saved, create_volume(session=session, draft=draft, clock=clock)


# Argon2id with small parameters for the tests' accounts: each is derived when the account is
# made and at every sign-in, thousands of times a run. The app's default (64 MiB, 3 passes)
# is what tests/unit/test_crypto.py and the set-up wizard's tests use.
TEST_KDF = KdfParams(memory_kib=1024, time_cost=1, parallelism=1)


def ask_for_user(
    session: SignedIn,
    clock: Clock,
    username: str,
    roles: Sequence[Role] = (Role.ARCHIVIST,),
    title: ApproverTitle | None = None,
    *,
    display_name: str = "李四",
    password: str | None = PASSWORD,
    **extra: Any,
) -> OneTimePassword:
    """``users.create_user`` as ``session`` asks it; a role grant stays pending (三员分立).

    With ``password`` (default ``PASSWORD``) no change is asked at sign-in, with
    ``password=None`` a one-time password is issued. ``extra``: e.g. ``kdf``.
    """
    known = {"password": password, "require_change": False} if password else {}
    extra.setdefault("kdf", TEST_KDF)  # a real Argon2id derivation, with small parameters
    return users.create_user(
        session=session,
        username=username,
        display_name=display_name,
        roles=list(roles),
        approver_title=title,
        clock=clock,
        **known,
        **extra,
    )


def add_user(
    admin: SignedIn,
    clock: Clock,
    username: str,
    roles: Sequence[Role] = (Role.ARCHIVIST,),
    title: ApproverTitle | None = None,
    **options: Any,
) -> OneTimePassword:
    """A working account: :func:`ask_for_user`, its grant confirmed by the 安全保密员."""
    result = ask_for_user(admin, clock, username, roles, title, **options)
    if result.pending_change is not None:
        confirm_as_security(admin, clock)
    if set(roles) & {Role.ARCHIVIST, Role.APPROVER}:  # R28: papers for customer data (issue 20)
        give_clearance_papers(admin, clock, username, str(options.get("display_name", "")))
    return result


def set_roles(
    session: SignedIn,
    clock: Clock,
    user_id: int,
    roles: Sequence[Role],
    title: ApproverTitle | None = None,
) -> int | None:
    """``users.set_roles`` as ``session`` asks it; the pending change's id when it waits."""
    return users.set_roles(
        session=session, user_id=user_id, roles=list(roles), approver_title=title, clock=clock
    )


AUDIT_TABLES = ("audit_entry", "audit_checkpoint", "audit_seal")


@contextmanager
def signed_in(
    location: DatabaseLocation, username: str, password: str, clock: Clock
) -> Iterator[SignedIn]:
    """``username`` signed in for the block and signed out after it, also when it fails."""
    session = sign_in(location=location, username=username, password=password, clock=clock)
    try:
        yield session
    finally:
        sign_out(session=session, clock=clock)


@contextmanager
def as_audit_table_owner(conn: Connection) -> Iterator[Connection]:
    """Tamper with the audit tables on ``conn`` as an insider holding the owner's rights.

    On PostgreSQL the append-only triggers of migration 0011 refuse UPDATE, DELETE and TRUNCATE
    to every role, the owner included; the owner can still switch them off (``ALTER TABLE ...
    DISABLE TRIGGER``). Inside this block they are off on ``conn``'s transaction and switched
    on again before it ends (a rollback also undoes the switch), so a test can play that insider
    and show the tampering is *detected* instead of refused. On SQLite there is no trigger: the
    database key is the only barrier, and the insider holds it.
    """
    kinds = ("append_only", "no_truncate")
    triggers = [(table, f"{table}_{kind}") for table in AUDIT_TABLES for kind in kinds]
    on_pg = conn.dialect.name == "postgresql"
    if on_pg:
        for table, trigger in triggers:
            conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    yield conn  # an error in the block leaves the switch to the caller's rollback
    if on_pg:
        for table, trigger in triggers:
            conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")


@contextmanager
def refused_audit(admin: SignedIn, action: str) -> Iterator[None]:
    """While inside, the database refuses to write audit entries of ``action``."""
    engine = admin.store.engine
    on_pg = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        if on_pg:
            conn.execute(
                text(
                    "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    f"IF NEW.action = '{action}' THEN RAISE EXCEPTION 'audit refused'; END IF; "
                    "RETURN NEW; END $$"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_entry "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_audit()"
                )
            )
        else:
            conn.execute(
                text(
                    "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_entry "
                    f"WHEN NEW.action = '{action}' BEGIN SELECT RAISE(ABORT, 'audit refused'); END"
                )
            )
    try:
        yield
    finally:
        with engine.begin() as conn:
            if on_pg:
                conn.execute(text("DROP TRIGGER refuse_audit ON audit_entry"))
                conn.execute(text("DROP FUNCTION refuse_audit()"))
            else:
                conn.execute(text("DROP TRIGGER refuse_audit"))


def add_archivist(admin: SignedIn, clock: Clock, username: str = "lisi") -> int:
    """Create an archivist with the known password ``PASSWORD``; return the user id."""
    add_user(admin, clock, username)
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
    add_user(admin, clock, username, roles, title, display_name="测试用户")
    return sign_in(location=location, username=username, password=PASSWORD, clock=clock)


def erase_customer(
    session: SignedIn,
    customer_id: int,
    clock: Clock,
    *,
    approver: str = "manager",
    reason: str = "customer_request",
) -> str:
    """Erase a customer the only way there is (R8): ``session`` requests, ``approver`` (a
    configured erasure approver, 客服部经理 by default) approves, ``session`` carries it out;
    returns the outcome (delete/anonymise)."""
    from app.services import privacy

    number = privacy.request_erasure(
        session=session, customer_id=customer_id, reason=reason, clock=clock
    )
    [request] = [
        r
        for r in privacy.list_erasure_requests(session=session, clock=clock, open_only=True)
        if r.number == number
    ]
    deciding = sign_in(
        location=session.store.location, username=approver, password=PASSWORD, clock=clock
    )
    try:
        privacy.decide_erasure(session=deciding, request_id=request.id, approve=True, clock=clock)
    finally:
        sign_out(session=deciding, clock=clock)
    return privacy.carry_out_erasure(session=session, request_id=request.id, clock=clock)


def raise_a_shelved_volume(session: SignedIn, clock: Clock, location_id: int) -> Any:
    """Make the first volume of the first box at ``location_id`` 机密 (an item added so).

    It stays on the ordinary shelf: the one must-move volume (须移入保密柜) the home card,
    the shelf map and the screenshots show. Returns that box (``BoxRow``).
    """
    from app.domain.scan_codes import scan_payload
    from app.services import locations

    box = locations.list_boxes_at(session=session, location_id=location_id, clock=clock)[0]
    code = scan_payload(box.references[0])
    found = locations.resolve_scan(session=session, text=code, clock=clock)
    assert found is not None
    draft = catalogue.ItemDraft(title="授信审批表", secrecy_level="confidential")
    catalogue.add_item(session=session, volume_id=found.object_id, draft=draft, clock=clock)
    return box
