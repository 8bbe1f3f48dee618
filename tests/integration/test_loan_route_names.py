"""Loan routes name the people who hold each title (issue 21, point 7).

"Loans route to a role title instead of named people": a filed application, the desk's list,
the approval view and a quick loan's plan show each step with who may sign it — never the
applicant or whoever entered it (R34), the applicant's own 部门负责人 when there is one, and
"无人担任" for a title nobody may sign.
"""

from __future__ import annotations

from app.domain.roles import ApproverTitle, Role
from app.services import users
from app.services.auth import SignedIn
from app.services.loans import (
    ApplicationDraft,
    RequestedVolume,
    file_application,
    get_application,
    list_applications,
    list_title_holders,
    set_staff_department,
)
from tests.factories import add_user
from tests.loan_helpers import FAST_KDF, Desk, approve_all, make_volume

SERVICE = "信息管理专员（孙专员、郑双）或客服部经理（刘芳）或总经理（周总）"


def _file(desk: Desk, kind: str, applicant: str, volume_id: int, by: str = "lisi"):  # type: ignore[no-untyped-def]
    draft = ApplicationDraft(
        kind=kind,
        purpose="核对合同条款",
        volumes=(RequestedVolume(volume_id),),
        applicant_user_id=desk.ids[applicant],
        phone="13812345678",
        reason="客户投诉处理需要",
    )
    return file_application(session=desk(by), draft=draft, clock=desk.clock)


def test_a_filed_application_names_who_may_sign_each_step(desk: Desk) -> None:
    vid, _code = make_volume(desk("lisi"), desk.clock)
    saved = _file(desk, "consult", "zhao", vid)  # 赵敏 of 销售部, entered by 李四
    assert saved.steps == ("部门负责人（钱部长）", SERVICE)

    [row] = list_applications(session=desk("lisi"), clock=desk.clock)
    assert row.waiting_for == "部门负责人（钱部长）；" + SERVICE
    approve_all(desk, saved.application_id, "head")
    [row] = list_applications(session=desk("lisi"), clock=desk.clock)
    assert row.waiting_for == SERVICE  # the signed step is gone
    view = get_application(
        session=desk("lisi"), application_id=saved.application_id, clock=desk.clock
    )
    assert view.named_steps == ("部门负责人（钱部长）", SERVICE)
    assert view.steps == (
        "部门负责人",
        "信息管理专员或客服部经理或总经理",
    )  # the printed form's blocks


def test_the_applicants_own_department_head_is_named_and_nobody_signs_their_own(
    desk: Desk, admin: SignedIn
) -> None:
    add_user(
        admin,
        desk.clock,
        "head2",
        [Role.APPROVER],
        ApproverTitle.DEPT_HEAD,
        display_name="冯部长",
        kdf=FAST_KDF,
    )
    desk.ids["head2"] = next(
        r.id for r in users.list_users(session=admin, clock=desk.clock) if r.username == "head2"
    )
    set_staff_department(
        session=admin, user_id=desk.ids["head2"], department="客服部", clock=desk.clock
    )
    vid, _code = make_volume(desk("lisi"), desk.clock)
    # 销售部's own head only, not the head of 客服部
    assert _file(desk, "consult", "zhao", vid).steps[0] == "部门负责人（钱部长）"
    # the applicant is an information officer: the other one signs, never the applicant
    assert _file(desk, "loan", "both", vid).steps == ("信息管理专员（孙专员）",)
    # an applicant from a department without a head of its own: every head is named
    assert _file(desk, "consult", "lisi", vid, by="zhao").steps[0] == (
        "部门负责人（冯部长、钱部长）"
    )
    # the general manager asks for a copy: the only 总经理 cannot sign it
    assert _file(desk, "copy", "gm", vid).steps == ("总经理（无人担任）",)

    holders = list_title_holders(session=admin, clock=desk.clock)  # the routing editor's names
    assert holders[ApproverTitle.INFO_OFFICER] == ["孙专员", "郑双"]
    assert holders[ApproverTitle.DEPT_HEAD] == ["冯部长·客服部", "钱部长·销售部"]
