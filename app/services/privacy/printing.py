"""Printing a customer's own report and the 对外提供 register (not re-exported: loads ReportLab).

The report shows the customer's data in full (it answers their own request, purpose 客户查询)
to a user who may reveal, and the print is audited with the request number (R40).
"""

from __future__ import annotations

import json

from sqlalchemy import select

from app.clock import Clock
from app.domain import catalogue as catalogue_rules
from app.domain import privacy as rules
from app.domain.customers import CLASS_RULES, FIELD_CLASSES, LABELS, InfoClass
from app.domain.loans import KIND_LABELS, UseKind
from app.errors import FieldError, ValidationFailed
from app.printing.customer_report import CustomerReport, ReportField, ReportUse
from app.services.audit.labels import action_label
from app.services.auth import SignedIn
from app.services.common import authorize, form_stamp
from app.services.customers.consents import load_entries, purpose_settings
from app.services.customers.records import CustomerDetail
from app.services.customers.reveal import classes_kept_masked, read_detail
from app.services.customers.stored import load_customer
from app.services.privacy.periods import storage_ends
from app.services.privacy.settings import privacy_settings
from app.storage.models import (
    AuditEntry,
    Customer,
    DataProvision,
    DataRecipient,
    SubjectRequest,
    UseLog,
    UserAccount,
    Volume,
)
from app.storage.store import UnitOfWork


def _label(value: str | None) -> str:
    if not value:
        return ""
    for key, text in LABELS.items():
        if key.value == value:
            return text
    return value


def report_fields(d: CustomerDetail) -> list[ReportField]:
    """The customer's fields by class (R7, seed 004): 基础, then 业务, then 敏感."""
    values = {
        "number": d.number,
        "name": d.name,
        "party": _label(d.party),
        "kind": _label(d.kind),
        "category": _label(d.category),
        "status": _label(d.status),
        "importance": _label(d.importance),
        "responsible": d.responsible_name,
        "index_remarks": d.index_remarks,
        "remarks": d.remarks,
        "addresses": "；".join(d.addresses),
        "email": d.email,
        "gender": {"male": "男", "female": "女"}.get(d.gender or "", d.gender or ""),
        "birth_date": d.birth_date,
        "id_number": f"{_label(d.id_type)} {d.id_number}".strip() if d.id_number else "",
        "phones": "；".join(d.phones),
        "bank_accounts": "；".join(d.bank_accounts),
    }
    titles = {
        "number": "客户编号",
        "name": "名称/姓名",
        "party": "客户性质",
        "kind": "客户类型",
        "category": "客户类别",
        "status": "状态",
        "importance": "重要程度",
        "responsible": "负责人员",
        "index_remarks": "索引备注",
        "remarks": "备注",
        "addresses": "地址",
        "email": "电子邮箱",
        "gender": "性别",
        "birth_date": "出生日期",
        "id_number": "证件",
        "phones": "电话",
        "bank_accounts": "银行账号",
    }
    order = [InfoClass.BASIC, InfoClass.BUSINESS, InfoClass.SENSITIVE]
    out = []
    for cls in order:
        if not CLASS_RULES[cls].in_report:
            continue
        for key, c in FIELD_CLASSES.items():
            if c != cls or key not in values:
                continue
            out.append(ReportField(CLASS_RULES[cls].label, titles[key], values[key] or "（无）"))
    return out


def _uses(uow: UnitOfWork, c: Customer) -> list[ReportUse]:
    names = dict(uow.session.execute(select(UserAccount.id, UserAccount.display_name)).all())
    uses = []
    for e in uow.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_type == "customer", AuditEntry.object_id == str(c.id))
        .order_by(AuditEntry.occurred_at, AuditEntry.id)
    ):
        try:
            use = json.loads(e.details or "{}").get("use", "")
        except ValueError:
            use = ""
        purpose = "：".join(p for p in (use, e.purpose or "") if p)
        who = names.get(e.actor_id, e.actor_name) if e.actor_id else e.actor_name
        uses.append(ReportUse(e.occurred_at, str(who), action_label(e.action), purpose))
    for log, code in uow.session.execute(
        select(UseLog, Volume.reference_code)
        .join(Volume, Volume.id == UseLog.volume_id)
        .where(Volume.customer_id == c.id)
        .order_by(UseLog.occurred_at)
    ):
        try:
            kind = KIND_LABELS[UseKind(log.kind)]
        except ValueError:
            kind = log.kind
        what = f"案卷{kind}（{code}）"
        uses.append(ReportUse(log.occurred_at, log.applicant_name, what, log.purpose))
    uses.sort(key=lambda u: u.at)
    return uses


def print_customer_report(
    *, session: SignedIn, customer_id: int, clock: Clock, request_number: str = ""
) -> bytes:
    """The customer's own report as a PDF; the full values are shown for purpose 客户查询."""
    from app.printing.customer_report import render_customer_report

    with session.uow(clock) as uow:
        user = authorize(uow, session.actor, "customer.reveal")
        authorize(uow, session.actor, "privacy.read")
        c = load_customer(uow, customer_id)
        request = None
        if request_number.strip():
            request = uow.session.scalar(
                select(SubjectRequest).where(SubjectRequest.number == request_number.strip())
            )
            if request is None or request.customer_id != c.id:
                raise ValidationFailed([FieldError("request", "not_found")])
        # classes the printer may not reveal stay masked (R7: 敏感 only for some posts)
        detail = read_detail(session.store, uow, c, masked=classes_kept_masked(user))
        settings = purpose_settings(uow)
        consents = []
        for row, entry in load_entries(uow, c.id):
            covered = rules.entry_purposes(entry, settings.bases)
            kind = (
                row.basis
                if row.kind == rules.EntryKind.BASIS
                else f"{rules.METHOD_LABELS.get(rules.Method(row.method), '')}同意"
            )
            dates = f"{row.given_on} 至 {row.valid_until or '长期'}"
            withdrawn = "；".join(f"{p} {w}" for p, w in covered.items() if w is not None)
            consents.append((kind, "、".join(covered), dates, withdrawn or "—"))
        volumes = []
        for v in uow.session.scalars(
            select(Volume).where(Volume.customer_id == c.id).order_by(Volume.reference_code)
        ):
            retention = catalogue_rules.Retention(v.retention).label if v.retention else ""
            level = catalogue_rules.SecrecyLevel(v.secrecy_level).label if v.secrecy_level else "—"
            volumes.append((v.reference_code, v.title, retention, level))
        provisions = [
            (str(p.provided_on), f"{r.name}（{r.uscc}）", p.purpose, p.fields)
            for p, r in uow.session.execute(
                select(DataProvision, DataRecipient)
                .join(DataRecipient, DataRecipient.id == DataProvision.recipient_id)
                .where(DataProvision.customer_id == c.id)
                .order_by(DataProvision.id)
            )
        ]
        uses = _uses(uow, c)
        end = storage_ends(uow, [c], privacy_settings(uow).lost_years)[c.id]
        org = uow.settings.load().organisation.organisation_name
        uow.audit.record(
            "customer.report",
            object_type="customer",
            object_id=c.id,
            purpose=f"{rules.SUBJECT_REQUEST}{(' ' + request.number) if request else ''}",
            details={"number": c.number, "request": request.number if request else None},
        )
        uow.commit()
    report = CustomerReport(
        **form_stamp(session.actor, org, clock.now()),
        customer_number=c.number,
        customer_name=detail.name,
        request_number=request.number if request else "",
        received_on=request.received_on if request else None,
        due_on=request.due_on if request else None,
        storage_end=end.ends.isoformat() if end.ends else "尚未届满（无确定期限）",
        fields=tuple(report_fields(detail)),
        consents=tuple(consents),
        volumes=tuple(volumes),
        uses=tuple(uses),
        provisions=tuple(provisions),
    )
    return render_customer_report(report)


def print_provision_register(*, session: SignedIn, clock: Clock) -> bytes:
    """The 对外提供登记簿 (R36): every provision with its recipient; the print is audited."""
    from app.printing.list_table import ListDocument, render_list
    from app.services.privacy.recipients import list_provisions

    rows = list_provisions(session=session, clock=clock)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "privacy.read")
        org = uow.settings.load().organisation.organisation_name
        uow.audit.record(
            "print.provisions",
            object_type="data_provision",
            purpose="对外提供登记簿",
            details={"rows": len(rows)},
        )
        uow.commit()
    doc = ListDocument(
        **form_stamp(session.actor, org, clock.now()),
        title="客户信息对外提供登记簿",
        marking="内部 · 不含个人信息",
        notes=("每次对外提供均须客户明示同意并与接收方签订保密协议（R36）",),
        headers=(
            "编号",
            "日期",
            "客户编号",
            "接收方（统一社会信用代码）",
            "用途",
            "提供内容",
            "经办人",
        ),
        widths=(1.4, 1.2, 1.4, 3.2, 1.8, 1.6, 0.9),
        rows=[
            (
                r.number,
                r.provided_on.isoformat(),
                r.customer_number,
                f"{r.recipient}（{r.recipient_uscc}）",
                f"{r.purpose}（申请 {r.application}）" if r.application else r.purpose,
                r.fields,
                r.operator,
            )
            for r in rows
        ],
    )
    return render_list(doc)
