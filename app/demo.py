"""Demo database: realistic Chinese customers, volumes and one user of every role.

三员分立 (issue 23): set-up creates the 系统管理员, the 安全保密员 and the 安全审计员; the
administrator creates the staff accounts and the 安全保密员 grants their roles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app import demo_bulk, demo_staff
from app.clock import Clock
from app.domain import reference_code
from app.domain.roles import ApproverTitle, Role
from app.services import users
from app.services.auth import SignedIn, sign_out
from app.services.catalogue import PATTERN_SETTING
from app.services.customers import NUMBER_SETTING
from app.services.setup import SetupRequest, initialize_database
from app.storage.location import DatabaseLocation

DEMO_PASSWORD = "Demo#2026pass"
SIZES = {"small": 200, "large": 1_000_000}


@dataclass(frozen=True)
class DemoAccount:
    """A demo sign-in."""

    username: str
    display_name: str
    roles: tuple[Role, ...]
    title: ApproverTitle | None = None


DEMO_ADMIN = DemoAccount("admin", "王建国", (Role.ADMIN,))
DEMO_SECURITY = DemoAccount("baomi", "孙丽", (Role.SECURITY,))
DEMO_AUDITOR = DemoAccount("auditor", "周敏", (Role.AUDITOR,))
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DEMO_ADMIN,
    DEMO_SECURITY,
    DemoAccount("archivist", "李秀英", (Role.ARCHIVIST,)),
    DemoAccount("archivist2", "赵磊", (Role.ARCHIVIST,)),
    DemoAccount("depthead", "陈志强", (Role.APPROVER,), ApproverTitle.DEPT_HEAD),
    DemoAccount("csmanager", "刘芳", (Role.APPROVER,), ApproverTitle.CS_MANAGER),
    DemoAccount("infoofficer", "杨静", (Role.APPROVER, Role.ARCHIVIST), ApproverTitle.INFO_OFFICER),
    DemoAccount("gm", "黄伟民", (Role.APPROVER,), ApproverTitle.GENERAL_MANAGER),
    DemoAccount("supervisor", "吴建华", (Role.APPROVER,), ApproverTitle.SUPERVISOR),
    DEMO_AUDITOR,
)
_THREE = (DEMO_ADMIN, DEMO_SECURITY, DEMO_AUDITOR)
# Departments of the demo staff (the loan desk tells a borrower's department head of overdue).
DEMO_DEPARTMENTS = {
    "archivist": "档案室",
    "archivist2": "档案室",
    "depthead": "销售部",
    "csmanager": "客服部",
    "infoofficer": "客服部",
    "gm": "总经理办公室",
    "supervisor": "监事会",
}

Progress = Callable[[int, int], None]


def build_demo(
    *,
    location: DatabaseLocation,
    clock: Clock,
    size: str = "small",
    progress: Progress | None = None,
    catalogue: bool = True,
) -> list[DemoAccount]:
    """Create a demo database at ``location``; return the sign-ins (password DEMO_PASSWORD)."""
    count = SIZES[size]
    result = initialize_database(
        location=location,
        request=SetupRequest(
            organisation_name="华东示范贸易有限公司",
            fonds_name="华东示范贸易有限公司客户档案",
            fonds_code="Z001",
            admin_username=DEMO_ADMIN.username,
            admin_display_name=DEMO_ADMIN.display_name,
            admin_password=DEMO_PASSWORD,
            admin_password_confirm=DEMO_PASSWORD,
            security_username=DEMO_SECURITY.username,
            security_display_name=DEMO_SECURITY.display_name,
            security_password=DEMO_PASSWORD,
            auditor_username=DEMO_AUDITOR.username,
            auditor_display_name=DEMO_AUDITOR.display_name,
            auditor_password=DEMO_PASSWORD,
        ),
        clock=clock,
    )
    session = result.session
    try:
        for account in DEMO_ACCOUNTS:
            if account in _THREE:
                continue
            users.create_user(
                session=session,
                username=account.username,
                display_name=account.display_name,
                roles=account.roles,
                approver_title=account.title,
                password=DEMO_PASSWORD,
                require_change=False,
                clock=clock,
            )
        _grant_requested_roles(location, clock)
        from app.services.loans import set_staff_department

        for row in users.list_users(session=session, clock=clock):
            if row.username in DEMO_DEPARTMENTS:
                set_staff_department(
                    session=session,
                    user_id=row.id,
                    department=DEMO_DEPARTMENTS[row.username],
                    clock=clock,
                )
        # issue 20: staff records with agreement and training, so the demo accounts may use
        # customer data (R28), and departments with filing clerks
        demo_staff.add_demo_staff(session, clock, DEMO_DEPARTMENTS)
        _insert_customers(session, clock, count, progress, catalogue)  # with search indexes
    finally:
        sign_out(session=session, clock=clock, reason="demo built")
    if catalogue and size == "small":
        shelve_demo(location, clock)
        demo_staff.add_demo_filing(location, clock, "archivist", DEMO_PASSWORD)
        from app.demo_privacy import privacy_samples

        privacy_samples(location, clock, DEMO_PASSWORD)
        from app.demo_disposition import dispose_demo

        dispose_demo(location, clock, DEMO_PASSWORD)  # issue 17: every 鉴定销毁 screen shows data
        release_demo_report(location, clock)
    write_demo_audit_key(location, clock)
    return list(DEMO_ACCOUNTS)


def _grant_requested_roles(location: DatabaseLocation, clock: Clock) -> None:
    """The 安全保密员 confirms the role grants the administrator asked for."""
    from app.services import account_review
    from app.services.auth import sign_in

    officer = sign_in(
        location=location, username=DEMO_SECURITY.username, password=DEMO_PASSWORD, clock=clock
    )
    try:
        for change in account_review.list_pending_changes(session=officer, clock=clock):
            account_review.confirm_change(session=officer, change_id=change.id, clock=clock)
    finally:
        sign_out(session=officer, clock=clock, reason="demo built")


AUDIT_KEY_SUFFIX = ".audit-key"


def write_demo_audit_key(location: DatabaseLocation, clock: Clock) -> None:
    """Issue the demo's verification key as its auditor and write it to ``<db>.audit-key``.

    A real database hands the key to the auditor only (printed once); a demo keeps it beside
    the file so that ``archive-room check --audit-key`` works on demos the same way.
    """
    from app.services.audit.sealing import start_audit_sealing
    from app.services.auth import sign_in
    from app.storage.files import atomic_write_bytes

    auditor = next(a for a in DEMO_ACCOUNTS if Role.AUDITOR in a.roles)
    session = sign_in(
        location=location, username=auditor.username, password=DEMO_PASSWORD, clock=clock
    )
    try:
        issued = start_audit_sealing(session=session, clock=clock)
    finally:
        sign_out(session=session, clock=clock, reason="demo built")
    if location.is_sqlite:
        path = location.sqlite_path
        atomic_write_bytes(
            path.with_name(path.name + AUDIT_KEY_SUFFIX), (issued.text + "\n").encode()
        )


def release_demo_report(location: DatabaseLocation, clock: Clock) -> None:
    """A released 馆藏统计 of the current month with one hand-out (the 报表发布 tab, issue 19)."""
    from app.domain.statistics import month_of
    from app.services import statistics
    from app.services.auth import sign_in

    first, last = month_of(clock.now().astimezone().date())
    keeper = sign_in(location=location, username="archivist", password=DEMO_PASSWORD, clock=clock)
    manager = sign_in(location=location, username="csmanager", password=DEMO_PASSWORD, clock=clock)
    try:
        rid = statistics.compile_report(
            session=keeper, kind="holdings", period_from=first, period_to=last, clock=clock
        )
        statistics.submit_report(session=keeper, report_id=rid, clock=clock)
        statistics.approve_report(session=manager, report_id=rid, opinion="同意", clock=clock)
        statistics.record_distribution(
            session=keeper,
            report_id=rid,
            recipient="总经理办公室",
            copies=1,
            given_on=clock.now().astimezone().date(),
            clock=clock,
        )
    finally:
        sign_out(session=manager, clock=clock)
        sign_out(session=keeper, clock=clock)


def shelve_demo(location: DatabaseLocation, clock: Clock, per_box: int = 5) -> None:
    """Shelve the small demo as an archivist would (R21, R22).

    A 密集架 of 4 列 × A/B × 5 节 × 6 层 and a 保险柜; five volumes a box, the 机密/绝密
    volumes in boxes of their own in the safe.
    """
    from sqlalchemy import select

    from app.domain.catalogue import MARKED_LEVELS
    from app.services import locations as places
    from app.services.auth import sign_in
    from app.storage.models import StorageLocation, Volume

    keeper = sign_in(location=location, username="archivist", password=DEMO_PASSWORD, clock=clock)
    try:
        places.create_location_batch(
            session=keeper,
            spec=places.BatchSpec(
                room="K1", room_name="一号库房", columns="1-4", sections="1-5", layers="1-6"
            ),
            clock=clock,
        )
        places.create_location_batch(
            session=keeper,
            spec=places.BatchSpec(
                room="K1",
                unit="cabinet",
                cabinets="1",
                sections="1",
                layers="1-4",
                capacity=4,
                secure=True,
                custodian_id=keeper.actor.user_id,
            ),
            clock=clock,
        )
        marked = {level.value for level in MARKED_LEVELS}
        with keeper.uow(clock) as uow:
            rows = list(
                uow.session.execute(
                    select(Volume.id, Volume.secrecy_level, Volume.year, Volume.retention).order_by(
                        Volume.reference_code
                    )
                )
            )
        for secure in (False, True):
            # a box holds volumes of one year and retention, in 档号 order (DA/T 22-2015)
            runs: dict[tuple[int, str], list[int]] = {}
            for vid, level, year, retention in rows:
                if (level in marked) == secure:
                    runs.setdefault((year, retention), []).append(vid)
            box_ids = []
            requests = []
            for (year, retention), volumes in sorted(runs.items()):
                for start in range(0, len(volumes), per_box):
                    box = places.create_box(
                        session=keeper,
                        draft=places.BoxDraft(year=year, retention=retention),
                        clock=clock,
                    )
                    box_ids.append(box.id)
                    requests += [
                        places.MoveRequest(places.Target.VOLUME, vid, to_box_id=box.id)
                        for vid in volumes[start : start + per_box]
                    ]
            if not requests:
                continue
            places.bulk_move(
                session=keeper, requests=requests, reason=places.MoveReason.SHELVE, clock=clock
            )
            target = "K1-G1" if secure else "K1-01-A"
            with keeper.uow(clock) as uow:
                target_id = uow.session.scalar(
                    select(StorageLocation.id).where(StorageLocation.code == target)
                )
            assert target_id is not None
            shelf_moves = places.spread_over(
                session=keeper, box_ids=box_ids, target_id=target_id, clock=clock
            )
            places.bulk_move(
                session=keeper, requests=shelf_moves, reason=places.MoveReason.SHELVE, clock=clock
            )
    finally:
        sign_out(session=keeper, clock=clock, reason="demo shelved")


def _insert_customers(
    session: SignedIn, clock: Clock, count: int, progress: Progress | None, catalogue: bool
) -> None:
    """Bulk-load ``count`` generated customers, then record the load in the audit trail."""
    last = demo_bulk.load_customers(
        session.store, clock.now(), count, progress, catalogue=catalogue
    )
    with session.uow(clock) as uow:
        uow.settings.put(NUMBER_SETTING, last)
        if demo_bulk.pattern_for(count) != reference_code.DEFAULT_PATTERN:
            uow.settings.put(PATTERN_SETTING, demo_bulk.pattern_for(count))
        uow.audit.record(
            "demo.generate",
            object_type="customer",
            details={"customers": last, "volumes": last},
        )
        uow.commit()
