"""Personal data lifecycle (issue 18; R4, R5, R7, R8, R36, R46).

consents: a customer's consents and legal bases (add, withdraw, list, the signed form);
periods: storage ends and the 到期处理 queue; erasure: deletion and anonymisation requests,
approval by someone else, carrying them out (anonymise: the anonymisation itself); subject: a
customer's own requests with deadlines; recipients: third parties with 保密协议 and 对外提供;
settings: purposes, legal bases, years, deadlines, approvers; holds: the one query to the
disposition area's holds. ``printing`` (the customer's report, the 对外提供 register) loads
ReportLab and is imported where it prints. Purpose binding itself is
``app.services.customers.consents`` (every use checks it there).
"""

from app.services.customers.consents import ConsentInput, require_purpose
from app.services.privacy.consents import (
    ConsentRow,
    PurposeState,
    add_consent,
    list_consents,
    open_consent_form,
    withdraw_consent,
)
from app.services.privacy.erasure import (
    ErasureRow,
    carry_out_erasure,
    decide_erasure,
    list_erasure_requests,
    request_erasure,
)
from app.services.privacy.holds import holds_on_customer
from app.services.privacy.periods import DueRow, get_storage_end, list_storage_due
from app.services.privacy.recipients import (
    ProvisionRow,
    RecipientInput,
    RecipientRow,
    add_recipient,
    list_provisions,
    list_recipients,
    provide_data,
)
from app.services.privacy.settings import (
    PrivacySettings,
    get_privacy_settings,
    update_privacy_settings,
)
from app.services.privacy.subject import (
    SubjectRow,
    answer_subject_request,
    count_overdue_subject_requests,
    list_subject_requests,
    record_subject_request,
)

__all__ = [
    "ConsentInput",
    "ConsentRow",
    "DueRow",
    "ErasureRow",
    "PrivacySettings",
    "ProvisionRow",
    "PurposeState",
    "RecipientInput",
    "RecipientRow",
    "SubjectRow",
    "add_consent",
    "add_recipient",
    "answer_subject_request",
    "carry_out_erasure",
    "count_overdue_subject_requests",
    "decide_erasure",
    "get_privacy_settings",
    "get_storage_end",
    "holds_on_customer",
    "list_consents",
    "list_erasure_requests",
    "list_provisions",
    "list_recipients",
    "list_storage_due",
    "list_subject_requests",
    "open_consent_form",
    "provide_data",
    "record_subject_request",
    "request_erasure",
    "require_purpose",
    "update_privacy_settings",
    "withdraw_consent",
]
