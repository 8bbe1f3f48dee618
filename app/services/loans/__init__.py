"""Consultation and loan use cases (R30–R35, R40): applications, approvals, lending, returns.

* An application (查阅/外借/复制/摘抄/对外提供) names the applicant (a staff account, or an
  outsider with a 介绍信/工作证), purpose, reason and the volumes; its approval route is taken
  from the routing table (``app.domain.loans``) by kind and the material's highest level.
* Approvers sign in themselves (at the desk or their own workstation) and sign one step each;
  nobody decides an application they made or entered (R34), and only a title of an open step
  may sign it. A rejection keeps its reason.
* An approved application is issued volume by volume by scanning (or picking) it; the register
  entry (``loan``) is closed (注销) at return after counting face to face (R33). A shortfall or
  damage opens a report that stays open until resolved.
* Every issue is a use (R40) in ``use_log``, which the statistics count (人次, 卷次, pages).

Reads follow ``app.security.access``: titles above the reader's clearance show as "受限".

Modules: ``settings`` (periods, routing table), ``staff`` (applicants, departments),
``applications``, ``approvals``, ``issue``, ``returns`` (and damage/loss reports),
``renewals``, ``overdue``, ``statistics``, ``scan``, ``copies``, ``quick`` (快速借出),
``rows`` (list rows and views), ``shared`` (helpers), ``printing`` (the desk's printouts;
import it directly).
"""

from app.services.loans.applications import (
    ApplicationDraft,
    ApplicationSaved,
    RequestedVolume,
    file_application,
    get_application,
    list_applications,
)
from app.services.loans.approvals import approval_queue, approve_application, reject_application
from app.services.loans.copies import copy_approved
from app.services.loans.issue import LoanIssued, issue_loan
from app.services.loans.overdue import list_open_loans, list_overdue, overdue_count
from app.services.loans.quick import (
    ApproverChoice,
    QuickLoanDone,
    QuickLoanPlan,
    plan_quick_loan,
    quick_loan,
)
from app.services.loans.renewals import request_renewal
from app.services.loans.returns import (
    DamageReportRow,
    ReturnCheck,
    ReturnCount,
    ReturnDone,
    find_open_loan,
    get_return_check,
    list_damage_reports,
    resolve_damage_report,
    return_loan,
)
from app.services.loans.rows import (
    ApplicationRow,
    ApplicationView,
    ApplicationVolumeLine,
    ApprovalLine,
    LoanRow,
    application_view,
    loan_rows,
)
from app.services.loans.scan import (
    find_application_for_scan,
    stored_code_variants,
    volume_id_for_scan,
)
from app.services.loans.settings import (
    LOAN_DAYS,
    LOAN_ESCALATION_DAYS,
    LOAN_HOLIDAYS,
    LOAN_MAX_DAYS,
    LOAN_ROUTING,
    LOAN_WORKING_DAYS,
    SETTING_KEYS,
    LoanSettings,
    get_loan_settings,
    loan_settings,
    update_loan_settings,
)
from app.services.loans.shared import (
    TABLE,
    TITLE_ORDER,
    decrypt_field,
    local_date,
    local_today,
    step_label,
    utc_range,
)
from app.services.loans.staff import (
    BorrowerRow,
    department_heads,
    list_borrowers,
    list_title_holders,
    set_staff_department,
)
from app.services.loans.statistics import UseStatistics, use_statistics

__all__ = [
    "LOAN_DAYS",
    "LOAN_ESCALATION_DAYS",
    "LOAN_HOLIDAYS",
    "LOAN_MAX_DAYS",
    "LOAN_ROUTING",
    "LOAN_WORKING_DAYS",
    "SETTING_KEYS",
    "TABLE",
    "TITLE_ORDER",
    "ApplicationDraft",
    "ApplicationRow",
    "ApplicationSaved",
    "ApplicationView",
    "ApplicationVolumeLine",
    "ApprovalLine",
    "ApproverChoice",
    "BorrowerRow",
    "DamageReportRow",
    "LoanIssued",
    "LoanRow",
    "LoanSettings",
    "QuickLoanDone",
    "QuickLoanPlan",
    "RequestedVolume",
    "ReturnCheck",
    "ReturnCount",
    "ReturnDone",
    "UseStatistics",
    "application_view",
    "approval_queue",
    "approve_application",
    "copy_approved",
    "decrypt_field",
    "department_heads",
    "file_application",
    "find_application_for_scan",
    "find_open_loan",
    "get_application",
    "get_loan_settings",
    "get_return_check",
    "issue_loan",
    "list_applications",
    "list_borrowers",
    "list_damage_reports",
    "list_open_loans",
    "list_overdue",
    "list_title_holders",
    "loan_rows",
    "loan_settings",
    "local_date",
    "local_today",
    "overdue_count",
    "plan_quick_loan",
    "quick_loan",
    "reject_application",
    "request_renewal",
    "resolve_damage_report",
    "return_loan",
    "set_staff_department",
    "step_label",
    "stored_code_variants",
    "update_loan_settings",
    "use_statistics",
    "utc_range",
    "volume_id_for_scan",
]
