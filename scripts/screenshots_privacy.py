"""Screenshots of the personal data lifecycle (issue 18) into docs/screenshots/privacy-*.png.

Run: ``python scripts/screenshots_privacy.py``: the consent editor of the customer form, a
customer's 同意 tab, the 到期处理 queue, the request flow (request, approval) and the customer
report PDF (first page rendered at 60 dpi).
"""

from __future__ import annotations

from _shot import demo_database, demo_sign_in, grab, png, start_app, work_dir

from app.clock import FixedClock
from app.services import privacy
from app.services.auth import sign_out
from app.services.customers import search_customers
from app.services.privacy import printing
from ui.context import AppContext
from ui.dialogs.customer_form import CustomerFormDialog
from ui.dialogs.privacy import DecisionDialog, ErasureRequestDialog
from ui.pages.customers import CustomersPage
from ui.pages.privacy import PrivacyPage


def main() -> None:
    start_app()
    clock = FixedClock()
    demo = demo_database(work_dir(), clock)
    context = AppContext(location=demo, clock=clock)
    lisi = demo_sign_in(demo, "archivist", clock)

    form = CustomerFormDialog(None)
    form.name.setText("钱多多")
    form.consent_editor.choose("consent", ("合同履行", "客户服务"))
    form.consent_editor.given_on.setText("2026-01-05")
    form.consent_editor.valid_until.setText("2031-01-04")
    form.resize(1000, 700)
    form.show()
    grab(form, "privacy-consent-editor")
    form.close()

    page = CustomersPage(context, lisi)
    page.resize(1366, 700)
    page.show()
    first = search_customers(session=lisi, query="KH00000011", clock=clock).rows[0]
    page.pane.show_customer(first.id)
    page.tabs.setCurrentWidget(page.pane.consents)
    grab(page, "privacy-consent-tab")
    page.close()

    queue = PrivacyPage(context, lisi)
    queue.resize(1366, 600)
    queue.show()
    grab(queue, "privacy-queue")
    due = queue.due.rows[0]
    request = ErasureRequestDialog(queue, context, lisi, due.customer_id, reason="period_ended")
    request.note.setText("客户来函要求删除")
    request.show()
    grab(request, "privacy-request")
    request.close()

    manager = demo_sign_in(demo, "csmanager", clock)
    approvals = PrivacyPage(context, manager)
    approvals.resize(1366, 600)
    approvals.show()
    approvals.refresh()
    approvals.tabs.setCurrentWidget(approvals.requests)
    approvals.requests.select_row(0)
    grab(approvals, "privacy-requests")
    row = approvals.requests.rows[0]
    decision = DecisionDialog(approvals, context, manager, row, approve=True)
    decision.note.setText("存储期限已满，同意匿名化")
    decision.show()
    grab(decision, "privacy-approval")
    decision.close()
    sign_out(session=manager, clock=clock)

    number = privacy.list_subject_requests(session=lisi, clock=clock)[0].number
    pdf = printing.print_customer_report(
        session=lisi, customer_id=first.id, clock=clock, request_number=number
    )
    png(pdf, "privacy-report", dpi=60)
    sign_out(session=lisi, clock=clock)


if __name__ == "__main__":
    main()
