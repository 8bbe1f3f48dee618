"""工作台 by role (issue 21, point 4): each role gets its own cards with real data, no others,
and no card says a feature is not enabled; the 统计 page shows the figures that exist."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.demo import DEMO_PASSWORD
from app.errors import AppError
from app.services import users
from app.services.auth import SignedIn, sign_in, sign_out
from app.services.catalogue import ItemDraft, VolumeDraft, add_item, create_volume, list_volumes
from app.services.loans import ApplicationDraft, RequestedVolume, file_application
from app.storage.location import DatabaseLocation
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.pages.home import HomePage
from ui.pages.statistics import StatisticsPage

CLOCK = FixedClock()


def _window(qtbot: QtBot, location: DatabaseLocation, username: str) -> tuple[MainWindow, HomePage]:
    session = sign_in(location=location, username=username, password=DEMO_PASSWORD, clock=CLOCK)
    window = MainWindow(AppContext(location=location, clock=CLOCK), session)
    qtbot.addWidget(window)
    window.show()
    window.show_area("home")
    home = window.page_by_key["home"]
    assert isinstance(home, HomePage)
    return window, home


def _close(window: MainWindow) -> None:
    session: SignedIn = window._session
    window.close_for_sign_out()
    sign_out(session=session, clock=CLOCK)


def _all_text(window: MainWindow) -> str:
    return "\n".join(label.text() for label in window.findChildren(QLabel))


def _body(home: HomePage, key: str) -> str:
    card = home.card(key)
    assert card is not None, key
    return card.body.text()


def test_the_administrator_sees_accounts_security_and_backups(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    admin = sign_in(location=demo_copy, username="admin", password=DEMO_PASSWORD, clock=CLOCK)
    target = next(
        u for u in users.list_users(session=admin, clock=CLOCK) if u.username == "archivist2"
    )
    users.reset_password(session=admin, user_id=target.id, clock=CLOCK)
    sign_out(session=admin, clock=CLOCK)
    window, home = _window(qtbot, demo_copy, "admin")
    assert list(home.cards) == ["accounts", "security", "staff", "access_review", "backup"]
    assert "启用的账户 10 个，停用 0 个；系统管理员 1 个。" in _body(home, "accounts")
    assert "待修改一次性密码：archivist2" in _body(home, "accounts")
    security = _body(home, "security")
    assert "尚未修改一次性密码的账户：archivist2" in security
    assert "只有一个系统管理员账户" in security
    assert "还没有校验通过的备份" in _body(home, "backup")
    # the backup button is made once (it was added again at every close of the dialog)
    assert len(home.cards["backup"].findChildren(type(home.backup_button))) == 1
    text = _all_text(window)
    assert "尚未启用" not in text and "尚未开放" not in text and "正在读取" not in text
    home.cards["accounts"].button.click()  # type: ignore[union-attr]
    assert window.current_area() == "settings"
    _close(window)


def test_the_auditor_sees_the_chain_and_recent_alarms(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    with pytest.raises(AppError):
        sign_in(location=demo_copy, username="archivist", password="wrong password", clock=CLOCK)
    window, home = _window(qtbot, demo_copy, "auditor")
    assert list(home.cards) == ["chain", "alarms", "access_review", "backup"]
    chain = _body(home, "chain")
    assert chain.startswith("审计链完整：最新") and "库中审计记录" in chain
    alarms = _body(home, "alarms")
    assert "近 7 天的告警" in alarms and "archivist" in alarms and "登录失败" in alarms
    assert "auth." not in alarms  # labels, never codes
    text = _all_text(window)
    assert "尚未启用" not in text and "正在读取" not in text
    home.cards["alarms"].button.click()  # type: ignore[union-attr]
    assert window.current_area() == "audit"
    window.show_area("statistics")
    stats = window.page_by_key["statistics"]
    assert isinstance(stats, StatisticsPage)
    assert "不查看统计报表" in stats.message.text() and stats.overview is None  # 三员分立
    _close(window)


def test_an_approver_sees_the_applications_waiting_for_them(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    desk = sign_in(location=demo_copy, username="archivist", password=DEMO_PASSWORD, clock=CLOCK)
    volume = list_volumes(session=desk, clock=CLOCK, limit=1)[0]
    borrower = next(
        u for u in users.list_staff(session=desk, clock=CLOCK) if u.username == "archivist2"
    )
    filed = file_application(
        session=desk,
        draft=ApplicationDraft(
            kind="copy",
            purpose="核对合同条款",
            volumes=(RequestedVolume(volume.id, page_count=2),),
            applicant_user_id=borrower.id,
            phone="13812345678",
            reason="客户投诉处理需要",
        ),
        clock=CLOCK,
    )
    sign_out(session=desk, clock=CLOCK)
    window, home = _window(qtbot, demo_copy, "gm")
    assert list(home.cards) == ["queue", "overdue", "privacy", "statistics", "papers"]
    queue = _body(home, "queue")
    assert "等待您审批的申请 1 件" in queue and filed.number in queue and "复制" in queue
    assert _body(home, "overdue") == "当前没有逾期未还的借阅。"
    assert "尚未启用" not in _all_text(window)
    _close(window)
    # another approver whose title is not on the route has nothing waiting
    window, home = _window(qtbot, demo_copy, "depthead")
    assert _body(home, "queue") == "没有等待您审批的申请。"
    _close(window)


def test_the_archivist_sees_loans_inspections_tasks_reviews_and_appraisals(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    desk = sign_in(location=demo_copy, username="archivist", password=DEMO_PASSWORD, clock=CLOCK)
    customer = list_volumes(session=desk, clock=CLOCK, limit=1)[0].customer_id
    old = create_volume(
        session=desk,
        draft=VolumeDraft(
            customer_id=customer, year=2010, title="2010年度往来函件", retention="D10"
        ),
        clock=CLOCK,
    )
    add_item(
        session=desk,
        volume_id=old.volume_id,
        draft=ItemDraft(
            title="授信评估报告",
            page_from=1,
            page_to=4,
            secrecy_level="secret",
            secrecy_term_years=10,
            secrecy_since=date(2016, 2, 1),  # ends 2026-01-31: within 90 days of 2026-01-05
        ),
        clock=CLOCK,
    )
    sign_out(session=desk, clock=CLOCK)
    window, home = _window(qtbot, demo_copy, "archivist")
    assert list(home.cards) == [
        "overdue",
        "inspections",
        "tasks",
        "review",
        "appraisal",
        "privacy",
        "statistics",
        "papers",
        "filing",
    ]
    assert "馆藏" in _body(home, "statistics") and "当前逾期未还" in _body(home, "statistics")
    appraisal = _body(home, "appraisal")
    assert "保管期限已满、待鉴定的案卷" in appraisal and old.reference_code in appraisal
    assert "2020-12-31 期满" in appraisal
    # its button opens the 鉴定销毁 page, where the appraisal is made (issue 17)
    card = home.card("appraisal")
    assert card is not None and card.button is not None and card.button.text() == "去鉴定"
    card.button.click()
    assert window.current_area() == "disposition"
    window.show_area("home")
    # issue 18: the demo's customer request received 20 days before it was built is overdue
    privacy_card = _body(home, "privacy")
    assert "存储期限已届满的客户" in privacy_card and "删除/匿名化申请 1 件" in privacy_card
    assert "逾期未答复的客户请求 1 件" in privacy_card
    review = _body(home, "review")
    assert old.reference_code in review and "2026-01-31 届满" in review
    assert "半年定期检查" in _body(home, "inspections")
    assert "修复任务" in _body(home, "tasks")
    assert "尚未启用" not in _all_text(window)
    window.show_area("statistics")
    stats = window.page_by_key["statistics"]
    assert isinstance(stats, StatisticsPage)
    assert stats.overview is not None and stats.overview.overview is not None
    titles = [t.title for t in stats.overview.overview.report.tables]
    assert titles[:2] == ["馆藏（截至统计时）", "本月利用"]
    assert "尚未开放" not in stats.message.text()
    _close(window)
