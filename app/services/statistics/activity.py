"""事件与操作统计 (R45, R40, R50): incidents and the audit trail's activity, as counts.

Incidents by kind and status (found in the period); destruction (销毁, R44): appraisal decisions,
destruction lists compiled, decided and carried out, volumes destroyed by method; audit entries
by area and the most frequent actions, sign-ins and refusals. Counts only: no actor name,
object, title or detail leaves the trail or the lists.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import func, select

from app.domain.disposition import Decision, ListState, Method
from app.domain.statistics import Report, ReportKind, Table
from app.services.audit.labels import AREA_LABELS, action_label
from app.services.incidents import KINDS, STATUSES
from app.services.statistics.common import Query, bar, group_rows, labelled_table, pie, table
from app.storage.models import (
    AppraisalDecision,
    AuditEntry,
    DestructionList,
    DestructionListVolume,
    Incident,
)

TOP_ACTIONS = 12
SIGN_INS = ("auth.sign_in",)
REFUSALS = ("auth.sign_in_failed", "auth.account_locked", "auth.sign_in_refused")


def incident_count(q: Query) -> int:
    """Incidents found in the period (the overview reads this)."""
    return int(
        q.uow.session.scalar(select(func.count(Incident.id)).where(q.in_period(Incident.found_at)))
        or 0
    )


def build(q: Query) -> Report:
    """The activity report for ``q``."""
    session = q.uow.session
    rows = session.execute(
        select(Incident.kind, Incident.status, func.count())
        .where(q.in_period(Incident.found_at))
        .group_by(Incident.kind, Incident.status)
    ).all()
    by_kind: dict[str, list[int]] = {}
    for kind, status, n in rows:
        acc = by_kind.setdefault(str(kind), [0, 0, 0])
        acc[0] += int(n)
        acc[1 if status == "open" else 2] += int(n)
    t_incidents = labelled_table(
        "incidents",
        "事件（本期发现）",
        ("类别", "登记", f"其中{STATUSES['open']}", f"其中{STATUSES['closed']}"),
        by_kind,
        KINDS,
    )
    actions = Counter(
        {
            str(a): int(n)
            for a, n in session.execute(
                select(AuditEntry.action, func.count())
                .where(q.in_period(AuditEntry.occurred_at))
                .group_by(AuditEntry.action)
            )
        }
    )
    areas: Counter[str] = Counter()
    for action, n in actions.items():
        areas[AREA_LABELS.get(action.split(".", 1)[0], "系统")] += n
    t_areas = table(
        "audit_areas",
        "操作记录（按业务）",
        ("业务", "条数"),
        group_rows({k: int(v) for k, v in areas.items()}, [k for k, _ in areas.most_common()]),
    )
    top = actions.most_common(TOP_ACTIONS)
    t_actions = table(
        "audit_actions",
        "最常见的操作",
        ("操作", "条数"),
        [(action_label(a), n) for a, n in top],
    )
    t_destruction = destruction_table(q)
    t_decisions = decision_table(q)
    t_summary = table(
        "summary",
        "概况",
        ("项目", "数量"),
        (
            ("事件", t_incidents.rows[-1][1]),
            ("销毁案卷", dict((r[0], r[1]) for r in t_destruction.rows)["销毁案卷"]),
            ("操作记录", sum(actions.values())),
            ("登录", sum(actions[a] for a in SIGN_INS)),
            ("登录失败、锁定、拒绝", sum(actions[a] for a in REFUSALS)),
        ),
    )
    charts = [bar("操作记录（按业务）", t_areas)]
    if int(t_incidents.rows[-1][1]):
        charts.append(pie("事件（按类别）", t_incidents))
    return q.report(
        ReportKind.ACTIVITY,
        tables=(t_summary, t_incidents, t_decisions, t_destruction, t_areas, t_actions),
        charts=charts,
        notes=("只统计条数，不含操作人、对象和题名；销毁按清册的编制、审批和执行时间统计。",),
        filtered=False,
    )


def decision_table(q: Query) -> Table:
    """Appraisal decisions (鉴定) made in the period, by decision."""
    counts = {
        str(d): int(n)
        for d, n in q.uow.session.execute(
            select(AppraisalDecision.decision, func.count())
            .where(q.in_period(AppraisalDecision.decided_at))
            .group_by(AppraisalDecision.decision)
        )
    }
    return labelled_table(
        "appraisal", "鉴定意见（本期）", ("意见", "案卷数"), counts, Decision.labels()
    )


def destruction_table(q: Query) -> Table:
    """Destruction lists compiled, approved, returned and carried out in the period (R44)."""
    session = q.uow.session

    def lists(*where: Any) -> int:
        return int(session.scalar(select(func.count(DestructionList.id)).where(*where)) or 0)

    decided = q.in_period(DestructionList.decided_at)
    done = q.in_period(DestructionList.carried_out_at)
    by_method = dict(
        session.execute(
            select(DestructionList.method, func.count(DestructionListVolume.id))
            .join(DestructionListVolume, DestructionListVolume.list_id == DestructionList.id)
            .where(done, DestructionList.state == ListState.DESTROYED.value)
            .group_by(DestructionList.method)
        ).all()
    )
    return table(
        "destruction",
        "销毁（本期）",
        ("项目", "数量"),
        (
            ("编制销毁清册", lists(q.in_period(DestructionList.compiled_at))),
            (
                "批准的清册",
                lists(
                    decided,
                    DestructionList.state.in_(
                        (ListState.APPROVED.value, ListState.DESTROYED.value)
                    ),
                ),
            ),
            ("退回的清册", lists(decided, DestructionList.state == ListState.REJECTED.value)),
            ("执行销毁的清册", lists(done, DestructionList.state == ListState.DESTROYED.value)),
            ("销毁案卷", sum(int(n) for n in by_method.values())),
            *((f"其中{m.label}", int(by_method.get(m.value, 0))) for m in Method),
        ),
    )
