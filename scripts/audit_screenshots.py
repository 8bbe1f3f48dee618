"""Regenerate the audit screenshots offscreen: the auditor's view, its summary, the incident form.

Run: ``python scripts/audit_screenshots.py``.
"""

from __future__ import annotations

import contextlib

from _shot import (
    OUT,
    demo_database,
    demo_sign_in,
    grab,
    main_window,
    settle,
    start_app,
    work_dir,
)

from app.clock import SystemClock
from app.errors import AppError
from app.services.auth import sign_in, sign_out
from app.services.customers import reveal_customer
from app.storage.location import DatabaseLocation
from ui.context import AppContext


def activity(location: DatabaseLocation, clock: SystemClock) -> None:
    """Some use of customer data and a mistyped password, so the trail has something to show."""
    session = demo_sign_in(location, "archivist", clock)
    for cid, purpose in ((1, "办理借阅核对身份"), (2, "客户来电核实信息"), (1, "合同签订核对")):
        reveal_customer(session=session, customer_id=cid, purpose=purpose, clock=clock)
    sign_out(session=session, clock=clock)
    with contextlib.suppress(AppError):  # a mistyped password: 登录失败 in the trail
        sign_in(location=location, username="archivist2", password="wrong", clock=clock)


def main() -> None:
    start_app()
    clock = SystemClock()
    location = demo_database(work_dir("archive-room-audit-shots-"), clock)
    activity(location, clock)
    session = demo_sign_in(location, "auditor", clock)
    window = main_window(location, clock, session, (1280, 800))
    window.show_area("audit")
    page = window.page_by_key["audit"]
    settle(page.idle)  # type: ignore[attr-defined]  # the entries are read in the background
    grab(window, "audit-view")
    page.tabs.setCurrentIndex(1)  # type: ignore[attr-defined]
    grab(window, "audit-summary")
    page.tabs.setCurrentIndex(0)  # type: ignore[attr-defined]
    page.history_key.setText("KH00000001")  # type: ignore[attr-defined]
    page.show_history()  # type: ignore[attr-defined]
    settle(page.idle)  # type: ignore[attr-defined]
    grab(window, "audit-history")
    window.close_for_sign_out()
    sign_out(session=session, clock=clock)
    incident_screens(location, clock)
    warning_screen(location, clock)


def warning_screen(location: DatabaseLocation, clock: SystemClock) -> None:
    """An entry deleted behind the program's back: the administrator's window warns."""
    session = demo_sign_in(location, "admin", clock)
    with session.store.engine.begin() as conn:
        conn.exec_driver_sql(
            "DELETE FROM audit_entry WHERE seq = (SELECT max(seq) - 5 FROM audit_entry)"
        )
    sign_out(session=session, clock=clock)
    session = demo_sign_in(location, "admin", clock)
    window = main_window(location, clock, session, (1100, 500))
    grab(window, "audit-warning")
    window.close_for_sign_out()
    sign_out(session=session, clock=clock)


def incident_screens(location: DatabaseLocation, clock: SystemClock) -> None:
    """The incident form with an error next to a field, and the register with one incident."""
    from ui.dialogs.incidents import IncidentRegisterDialog

    session = demo_sign_in(location, "archivist", clock)
    context = AppContext(location=location, clock=clock)
    register = IncidentRegisterDialog(None, context, session)
    form = register.form(None)
    form.kind.setCurrentIndex(form.kind.findData("loss"))
    form.title_edit.setText("借出案卷归还时缺页")
    form.found_by.setText("李秀英")
    form.affected.setText("KH00000001，KH99999999")
    form.description.setPlainText("归还清点时发现第 3–5 页缺失，借阅人称未拆卷。")
    form.measures.setPlainText("封存该卷；通知借阅人和所在部门查找；复核借阅登记簿。")
    form.reported_to.setText("客服部经理 刘芳")
    form.show()
    form.save()  # KH99999999 does not exist: the message stands under the field
    grab(form, "incident-form")
    form.affected.setText("KH00000001")
    form.save()
    register.refresh()
    register.show()
    grab(register, "incident-register")
    from app.services.incidents import print_incident_report

    pdf = print_incident_report(session=session, incident_id=register.model.rows[0].id, clock=clock)
    (OUT.parent.parent / "build").mkdir(exist_ok=True)
    (OUT.parent.parent / "build" / "incident-report.pdf").write_bytes(pdf)
    register.close()
    sign_out(session=session, clock=clock)


if __name__ == "__main__":
    main()
