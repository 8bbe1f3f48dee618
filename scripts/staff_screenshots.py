"""Regenerate the 人员 screenshots offscreen: staff page, hand-over wizard, printed lists.

Run: ``python scripts/staff_screenshots.py``. Builds the small demo, gives 赵磊 (archivist2) a
customer to look after, runs his leaving hand-over through the wizard and renders the
归档移交清单, the 交接清单 and an access review.
"""

from __future__ import annotations

from _shot import demo_database, demo_sign_in, grab, main_window, png, start_app, work_dir

from app.clock import SystemClock
from app.demo import DEMO_PASSWORD
from app.domain.staff import StaffPolicy, StaffState
from app.services import staff, users
from app.services.customers import register_customer
from app.services.staff import printing as staff_printing
from tests.factories import potential
from ui.context import AppContext
from ui.pages.staff import StaffPage
from ui.pages.staff.handover_wizard import HandoverWizard


def main() -> None:
    """Build a demo and grab the screens."""
    start_app()
    clock = SystemClock()
    location = demo_database(work_dir(), clock)
    admin = demo_sign_in(location, "admin", clock)
    desk = demo_sign_in(location, "archivist", clock)
    auditor = demo_sign_in(location, "auditor", clock)
    leaver_id = next(
        u.id for u in users.list_users(session=admin, clock=clock) if u.username == "archivist2"
    )
    register_customer(
        session=desk,
        draft=potential(name="冯一鸣", responsible_user_id=leaver_id),  # R4: a stated basis
        clock=clock,
    )
    # a person without papers shows on the list and the administrator's home card
    staff.register_person(
        session=admin, draft=staff.PersonDraft(name="新入职员工", post="客服专员"), clock=clock
    )
    window = main_window(location, clock, admin, (1360, 820))
    window.show_area("staff")
    page = window.page_by_key["staff"]
    assert isinstance(page, StaffPage)
    grab(window, "staff-page")
    page.tabs.setCurrentIndex(1)
    grab(window, "staff-departments")
    window.show_area("home")
    window.refresh_home()
    grab(window, "staff-home-admin")
    context = AppContext(location=location, clock=clock)
    desk_page = StaffPage(context, desk)
    leaver = next(p for p in desk_page.people.rows if p.username == "archivist2")
    accounts = [
        (u.id, f"{u.display_name}（{u.username}）")
        for u in users.list_users(session=admin, clock=clock)
    ]
    wizard = HandoverWizard(context, desk, leaver, accounts)
    wizard.show()
    grab(wizard, "staff-handover-wizard-1")
    wizard.advance()
    wizard.successor.setCurrentIndex(wizard.successor.findText("李秀英（archivist）"))
    wizard.leaving.setCurrentIndex(wizard.leaving.findData(StaffState.LEFT))
    wizard.supervisor.setText("陈志强")
    grab(wizard, "staff-handover-wizard-2")
    wizard.advance()
    wizard.successor_user.setText("archivist")
    wizard.successor_password.setText(DEMO_PASSWORD)
    wizard.advance()
    grab(wizard, "staff-handover-wizard-done")
    sheet = wizard.result_sheet
    assert sheet is not None
    png(
        staff_printing.staff_handover_pdf(session=desk, handover_id=sheet.id, clock=clock),
        "form-staff-handover",
    )
    filing = staff.list_filing_handovers(session=desk, clock=clock)[0]
    png(
        staff_printing.filing_pdf(session=desk, handover_id=filing.id, clock=clock),
        "form-filing-handover",
    )
    review = staff.start_access_review(session=admin, clock=clock)
    for line in staff.get_access_review(session=admin, review_id=review, clock=clock).lines:
        decision = "changed" if line.username == "infoofficer" else "confirmed"
        note = "兼任档案管理员与审批人，建议分设账户" if decision == "changed" else ""
        staff.decide_review_line(
            session=admin, line_id=line.id, decision=decision, note=note, clock=clock
        )
    staff.close_access_review(session=auditor, review_id=review, note="复核无误", clock=clock)
    png(
        staff_printing.access_review_pdf(session=auditor, review_id=review, clock=clock),
        "form-access-review",
    )
    # a training interval of one month: the demo's training (45 days ago) is now overdue, so
    # the archivist's home says customer data is withheld and why
    staff.set_staff_policy(
        session=admin,
        policy=StaffPolicy(training_interval_months=1, training_grace_days=7),
        clock=clock,
    )
    window.close()
    desk_window = main_window(location, clock, desk, (1360, 820))
    desk_window.show_area("home")
    desk_window.refresh_home()
    grab(desk_window, "staff-home-archivist")


if __name__ == "__main__":
    main()
