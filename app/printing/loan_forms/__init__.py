"""The loan desk's printed forms (R32–R35): 借阅登记簿, 复制摘抄登记簿, 申请单, 借条, 催还通知.

Pure functions over plain dataclasses (``data``) filled by ``app.services.loans.printing``
(which applied the access checks and masked personal values); ReportLab loads only when
rendering. ``register`` draws the registers, ``sheets`` the application form, slip and notices.
"""

from app.printing.loan_forms.data import (
    APPLICATION_TITLE,
    CELL_LEADING,
    CELL_PAD,
    CELL_SIZE,
    COPY_COLUMNS,
    COPY_MM,
    COPY_REGISTER_TITLE,
    NOTICE_TITLE,
    REGISTER_COLUMNS,
    REGISTER_MM,
    REGISTER_TITLE,
    ROW_MIN_MM,
    SIGNATURE_COLUMNS,
    SLIP_TITLE,
    ApplicationSheet,
    ApprovalBlock,
    LoanSlip,
    NoticeBatch,
    NoticeLine,
    OverdueNotice,
    RegisterSheet,
    format_day,
)
from app.printing.loan_forms.register import render_register
from app.printing.loan_forms.sheets import (
    qr_drawing,
    render_application,
    render_notices,
    render_slip,
)

__all__ = [
    "APPLICATION_TITLE",
    "CELL_LEADING",
    "CELL_PAD",
    "CELL_SIZE",
    "COPY_COLUMNS",
    "COPY_MM",
    "COPY_REGISTER_TITLE",
    "NOTICE_TITLE",
    "REGISTER_COLUMNS",
    "REGISTER_MM",
    "REGISTER_TITLE",
    "ROW_MIN_MM",
    "SIGNATURE_COLUMNS",
    "SLIP_TITLE",
    "ApplicationSheet",
    "ApprovalBlock",
    "LoanSlip",
    "NoticeBatch",
    "NoticeLine",
    "OverdueNotice",
    "RegisterSheet",
    "format_day",
    "qr_drawing",
    "render_application",
    "render_notices",
    "render_register",
    "render_slip",
]
