"""Customer data follows the confidentiality agreement and training (R28, issue 20).

Every path that releases customer data — reveal, export, print, open a file, lend — is refused
for an archivist or approver whose person lacks a valid agreement or whose training is overdue
beyond the grace period; masked lists still work and the person's home card says why.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest

from app.domain.roles import Role
from app.domain.staff import StaffPolicy
from app.errors import CustomerDataSuspended, PermissionDenied
from app.services import staff, users
from app.services.auth import sign_out
from app.services.catalogue import attach_file, open_file, volume_catalogue_pdf
from app.services.common import local_today
from app.services.customers import get_customer, reveal_customer
from app.services.exports import ExportFormat, export_customers, export_volumes
from app.services.loans import issue_loan
from app.services.loans import printing as loan_printing
from app.storage.location import DatabaseLocation
from tests.factories import PASSWORD, confirm_as_security
from tests.loan_helpers import Desk, approve_all, make_volume, staff_application


def _archivist_without_papers(desk: Desk, username: str, display_name: str) -> None:
    """An archivist account, its role confirmed by the 安全保密员, with no staff record (R28)."""
    users.create_user(
        session=desk.admin,
        username=username,
        display_name=display_name,
        roles=[Role.ARCHIVIST],
        approver_title=None,
        password=PASSWORD,
        require_change=False,
        clock=desk.clock,
    )
    confirm_as_security(desk.admin, desk.clock)


def _approved_application(desk: Desk) -> tuple[int, int]:
    """李四 makes a volume; a staff application for it approved by 孙专员: (volume, application)."""
    vid, _code = make_volume(desk("lisi"), desk.clock)
    app_id = staff_application(desk, [vid])
    approve_all(desk, app_id, "info")
    return vid, app_id


def _customer_of(desk: Desk, volume_id: int) -> int:
    from app.services.catalogue import get_volume

    detail = get_volume(session=desk("lisi"), volume_id=volume_id, clock=desk.clock)
    assert detail.customer_id is not None
    return detail.customer_id


def _release_attempts(desk: Desk, who: str, volume_id: int, app_id: int) -> dict[str, object]:
    """Try every release path as ``who``; return what each raised (or "ok")."""
    session = desk(who)
    customer_id = _customer_of(desk, volume_id)
    outcomes: dict[str, object] = {}
    calls = {
        "reveal": lambda: reveal_customer(
            session=session, customer_id=customer_id, purpose="核对", clock=desk.clock
        ),
        "export_customers": lambda: export_customers(
            session=session, purpose="对账", clock=desk.clock, fmt=ExportFormat.XLSX
        ),
        "export_volumes": lambda: export_volumes(
            session=session, query="", purpose="对账", clock=desk.clock
        ),
        "print_catalogue": lambda: volume_catalogue_pdf(
            session=session, volume_id=volume_id, clock=desk.clock
        ),
        "print_register": lambda: loan_printing.register_pdf(
            session=session, clock=desk.clock, open_only=True
        ),
        "issue_loan": lambda: issue_loan(
            session=session, application_id=app_id, volume_id=volume_id, clock=desk.clock
        ),
    }
    for name, call in calls.items():
        try:
            call()
            outcomes[name] = "ok"
        except CustomerDataSuspended as exc:
            outcomes[name] = exc
    return outcomes


def test_overdue_training_beyond_grace_stops_every_release_path_until_trained(desk: Desk) -> None:
    staff.set_staff_policy(
        session=desk.admin,
        policy=StaffPolicy(training_interval_months=1, training_grace_days=5),
        clock=desk.clock,
    )
    vid, app_id = _approved_application(desk)
    desk.clock.advance(days=33)  # due after a month, within the 5-day grace: a warning only
    gaps = staff.get_my_compliance(session=desk("lisi"), clock=desk.clock)
    assert [g.code for g in gaps] == ["training_due"] and not gaps[0].blocking
    desk.clock.advance(days=5)  # beyond the grace period
    outcomes = _release_attempts(desk, "lisi", vid, app_id)
    assert all(isinstance(o, CustomerDataSuspended) for o in outcomes.values()), outcomes
    refusal = outcomes["reveal"]
    assert isinstance(refusal, CustomerDataSuspended) and isinstance(refusal, PermissionDenied)
    assert "保密培训已逾期" in refusal.params["missing"]
    # masked reading still works, and the home card says why
    get_customer(session=desk("lisi"), customer_id=_customer_of(desk, vid), clock=desk.clock)
    [gap] = staff.get_my_compliance(session=desk("lisi"), clock=desk.clock)
    assert gap.code == "training_overdue" and gap.blocking
    # approvers are gated alike
    with pytest.raises(CustomerDataSuspended):
        reveal_customer(
            session=desk("info"),
            customer_id=_customer_of(desk, vid),
            purpose="审批",
            clock=desk.clock,
        )
    # trained again: everything works
    lisi = next(
        p for p in staff.list_people(session=desk.admin, clock=desk.clock) if p.username == "lisi"
    )
    assert lisi.blocked
    staff.record_training(
        session=desk.admin,
        held_on=local_today(desk.clock),
        topic="客户信息保护意识培训（补训）",
        trainer="周敏",
        hours=1.5,
        attendee_ids=[lisi.id],
        clock=desk.clock,
    )
    outcomes = _release_attempts(desk, "lisi", vid, app_id)
    assert set(outcomes.values()) == {"ok"}, outcomes


def test_an_account_without_a_valid_agreement_may_sign_in_but_not_release_data(desk: Desk) -> None:
    clock = desk.clock
    _archivist_without_papers(desk, "newbie", "新员工")
    vid, app_id = _approved_application(desk)
    newbie = desk("newbie")  # signing in needs no papers
    assert [g.code for g in staff.get_my_compliance(session=newbie, clock=clock)] == ["no_person"]
    outcomes = _release_attempts(desk, "newbie", vid, app_id)
    assert all(isinstance(o, CustomerDataSuspended) for o in outcomes.values()), outcomes
    # the administrator's card names the account
    notes = staff.list_compliance_notes(session=desk.admin, clock=clock)
    assert [(n.username, n.blocking) for n in notes if n.username == "newbie"] == [("newbie", True)]
    uid = newbie.actor.user_id
    pid = staff.register_person(
        session=desk.admin, draft=staff.PersonDraft(name="新员工", user_id=uid), clock=clock
    )
    today = local_today(clock)
    staff.record_training(
        session=desk.admin,
        held_on=today,
        topic="入职保密培训",
        trainer="周敏",
        hours=2,
        attendee_ids=[pid],
        clock=clock,
    )
    gaps = staff.get_my_compliance(session=newbie, clock=clock)
    assert [g.code for g in gaps] == ["no_agreement"]
    # an agreement that ended yesterday does not count
    staff.record_agreement(
        session=desk.admin,
        person_id=pid,
        signed_on=today - timedelta(days=800),
        valid_until=today - timedelta(days=1),
        clock=clock,
    )
    [gap] = staff.get_my_compliance(session=newbie, clock=clock)
    assert gap.code == "agreement_expired" and gap.on == today - timedelta(days=1)
    with pytest.raises(CustomerDataSuspended):
        issue_loan(session=newbie, application_id=app_id, volume_id=vid, clock=clock)
    scan = io.BytesIO(b"%PDF-1.4\n% signed agreement\n")
    staff.record_agreement(
        session=desk.admin,
        person_id=pid,
        signed_on=today,
        valid_until=today + timedelta(days=20),
        clock=clock,
        scan=staff.Attachment("保密协议-新员工.pdf", scan.getvalue()),
    )
    gaps = staff.get_my_compliance(session=newbie, clock=clock)
    assert [(g.code, g.blocking) for g in gaps] == [("agreement_ending", False)]
    assert set(_release_attempts(desk, "newbie", vid, app_id).values()) == {"ok"}


def test_opening_an_electronic_file_needs_the_papers_too(desk: Desk) -> None:
    from app.services.catalogue import ItemDraft, add_item

    staff.set_staff_policy(
        session=desk.admin,
        policy=StaffPolicy(training_interval_months=1, training_grace_days=0),
        clock=desk.clock,
    )
    vid, _code = make_volume(desk("lisi"), desk.clock, items=0)
    item_id = add_item(
        session=desk("lisi"), volume_id=vid, draft=ItemDraft(title="合同"), clock=desk.clock
    )
    fid = attach_file(
        session=desk("lisi"),
        item_id=item_id,
        source=io.BytesIO("合同正文\n".encode()),
        file_name="合同.txt",
        clock=desk.clock,
    )
    assert open_file(session=desk("lisi"), file_id=fid, purpose="核对", clock=desk.clock)
    desk.clock.advance(days=32)
    with pytest.raises(CustomerDataSuspended):
        open_file(session=desk("lisi"), file_id=fid, purpose="核对", clock=desk.clock)


def test_the_three_are_not_gated_and_the_agreement_scan_is_encrypted_and_audited(
    desk: Desk,
) -> None:
    from sqlalchemy import select

    from app.storage.models import AuditEntry, StaffAgreement

    clock = desk.clock
    pid = next(
        p.id for p in staff.list_people(session=desk.admin, clock=clock) if p.username == "zhao"
    )
    content = b"%PDF-1.4\n" + "赵敏 保密协议 签字页".encode() + b"\n%%EOF\n"
    aid = staff.record_agreement(
        session=desk.admin,
        person_id=pid,
        signed_on=date(2026, 1, 2),
        valid_until=date(2029, 1, 1),
        clock=clock,
        scan=staff.Attachment("赵敏保密协议.pdf", content),
    )
    with desk.admin.uow(clock) as uow:
        row = uow.session.get(StaffAgreement, aid)
        assert row is not None and row.scan_enc is not None
        assert "赵敏".encode() not in row.scan_enc and b"PDF" not in row.scan_enc
    [listed] = [
        a
        for a in staff.list_agreements(session=desk.admin, person_id=pid, clock=clock)
        if a.id == aid
    ]
    assert listed.scan_name != "赵敏保密协议" and listed.scan_name.endswith(".pdf")
    opened = staff.open_agreement_scan(
        session=desk.admin, agreement_id=aid, purpose="核对签字", clock=clock
    )
    assert opened.content == content and opened.name == "赵敏保密协议.pdf"
    with desk.admin.uow(clock) as uow:
        entry = uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "staff.agreement_open")
        ).one()
        assert entry.purpose == "核对签字"
    with pytest.raises(PermissionDenied):
        staff.open_agreement_scan(
            session=desk("lisi"), agreement_id=aid, purpose="看看", clock=clock
        )
    sign_out(session=desk("lisi"), clock=clock)


def test_an_upgraded_installation_keeps_its_accounts_working_through_the_transition(
    desk: Desk, location: DatabaseLocation
) -> None:
    """R28's gate arrives by upgrade: accounts that existed then get ``upgrade_grace_days``."""
    from alembic import command
    from sqlalchemy import select

    from app.services.compliance import UPGRADE_SETTING, upgrade_transition
    from app.storage import migrate
    from app.storage.models import Setting, UserAccount

    clock = desk.clock
    _archivist_without_papers(desk, "veteran", "老员工")
    vid, app_id = _approved_application(desk)
    vid2, app2 = _approved_application(desk)  # lent at the end, after the first is out
    engine = desk.admin.store.engine
    with desk.admin.uow(clock) as uow:  # a new installation: no transition, the gate holds
        assert upgrade_transition(uow.session) is None
    assert isinstance(_release_attempts(desk, "veteran", vid, app_id)["reveal"], Exception)
    # the version is installed over this database: 0020 → head
    cfg = migrate._config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0020")
    assert migrate.upgrade(engine) is True
    with desk.admin.uow(clock) as uow:
        upgrade = upgrade_transition(uow.session)
        last = uow.session.scalar(select(UserAccount.id).order_by(UserAccount.id.desc()))
    assert upgrade is not None and upgrade[1] == last and upgrade[0] == date.today()

    def upgraded_on(day: date) -> None:  # when the upgrade happened, in the test's calendar
        with engine.begin() as conn:
            conn.execute(
                Setting.__table__.update()
                .where(Setting.key == UPGRADE_SETTING)
                .values(value=f'{{"installed_on": "{day.isoformat()}", "last_account": {last}}}')
            )

    today = local_today(clock)
    upgraded_on(today)
    until = today + timedelta(days=StaffPolicy().upgrade_grace_days)
    [gap] = staff.get_my_compliance(session=desk("veteran"), clock=clock)
    assert (gap.code, gap.blocking, gap.on) == ("no_person", False, until)
    assert f"升级过渡期至 {until.isoformat()}" in gap.text
    assert set(_release_attempts(desk, "veteran", vid, app_id).values()) == {"ok"}
    notes = staff.list_compliance_notes(session=desk.admin, clock=clock)
    assert [(n.blocking, "升级过渡期" in n.text) for n in notes if n.username == "veteran"] == [
        (False, True)
    ]
    # an account made after the upgrade meets R28 from its first day
    _archivist_without_papers(desk, "latecomer", "新来的")
    late = desk("latecomer")
    assert [(g.code, g.blocking) for g in staff.get_my_compliance(session=late, clock=clock)] == [
        ("no_person", True)
    ]
    # 91 days after the upgrade the default 90 days are over: every release path is refused
    upgraded_on(today - timedelta(days=91))
    outcomes = _release_attempts(desk, "veteran", vid, app_id)
    assert all(isinstance(o, CustomerDataSuspended) for o in outcomes.values()), outcomes
    # the grace is a setting: 120 days give the account its data back
    staff.set_staff_policy(
        session=desk.admin, policy=StaffPolicy(upgrade_grace_days=120), clock=clock
    )
    assert set(_release_attempts(desk, "veteran", vid2, app2).values()) == {"ok"}
