"""The 人员 page and the leaving hand-over wizard, driven as a user would (issue 20, R26–R28)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.demo import DEMO_PASSWORD
from app.domain.staff import StaffState
from app.errors import OpenHoldings
from app.services import staff, users
from app.services.auth import SignedIn, sign_in, sign_out
from app.services.customers import register_customer
from app.storage.location import DatabaseLocation
from tests.factories import potential, signed_in
from tests.gui.conftest import when_modal
from ui.context import AppContext
from ui.pages.home import HomePage
from ui.pages.staff import StaffPage
from ui.pages.staff.handover_wizard import HandoverWizard


def _session(location: DatabaseLocation, username: str, clock: FixedClock) -> SignedIn:
    return sign_in(location=location, username=username, password=DEMO_PASSWORD, clock=clock)


@contextmanager
def _signed_in(
    location: DatabaseLocation, clock: FixedClock, *usernames: str
) -> Iterator[tuple[SignedIn, ...]]:
    """The demo ``usernames`` signed in for the block, signed out in reverse order after it."""
    with ExitStack() as stack:
        yield tuple(
            stack.enter_context(signed_in(location, name, DEMO_PASSWORD, clock))
            for name in usernames
        )


@pytest.fixture
def admin_page(
    qtbot: QtBot, demo_copy: DatabaseLocation, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[StaffPage, list[str]]]:
    """The administrator's 人员 page, shown; and the texts of the refusals it shows."""
    clock = FixedClock()
    with _signed_in(demo_copy, clock, "admin") as (admin,):
        page = StaffPage(AppContext(location=demo_copy, clock=clock), admin)
        qtbot.addWidget(page)
        page.show()
        shown: list[str] = []
        monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *_a: shown.append(text))
        yield page, shown


def test_the_administrator_sees_everyone_with_their_papers_masked_contacts_and_clerks(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    clock = FixedClock()
    with _signed_in(demo_copy, clock, "admin") as (admin,):
        page = StaffPage(AppContext(location=demo_copy, clock=clock), admin)
        qtbot.addWidget(page)
        page.resize(1200, 640)
        page.show()
        names = [p.name for p in page.people.rows]
        assert {"李秀英", "赵磊", "何晓燕", "马丽"} <= set(names)
        row = next(p for p in page.people.rows if p.name == "李秀英")
        assert row.contact == "138****8000" and row.status_text == "正常"
        cells = page.people.model.cells(row)
        assert "13800138000" not in cells  # masked on screen (R5)
        assert page.people.findChild(QWidget, "staff_agreement").isVisible()
        assert not page.people.findChild(QWidget, "staff_handover").isVisible()  # the archivist's
        clerks = {d.name: d.filing_clerk_name for d in page.departments}
        assert clerks["销售部"] == "何晓燕" and clerks["档案室"] == "赵磊"
        assert "没有逾期" in page.filing_status.text()


def test_a_leaving_archivist_hands_everything_over_in_the_wizard_then_can_be_disabled(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    clock = FixedClock()
    context = AppContext(location=demo_copy, clock=clock)
    with _signed_in(demo_copy, clock, "admin", "archivist") as (admin, desk):
        leaver_id = next(
            u.id for u in users.list_users(session=admin, clock=clock) if u.username == "archivist2"
        )
        register_customer(
            session=desk,
            draft=potential(name="冯一鸣", responsible_user_id=leaver_id),
            clock=clock,
        )
        with pytest.raises(OpenHoldings):
            users.disable_user(session=admin, user_id=leaver_id, clock=clock)
        page = StaffPage(context, desk)
        qtbot.addWidget(page)
        page.show()
        leaver = next(p for p in page.people.rows if p.username == "archivist2")
        accounts = [
            (u.id, f"{u.display_name}（{u.username}）")
            for u in users.list_users(session=admin, clock=clock)
        ]
        wizard = HandoverWizard(context, desk, leaver, accounts, page)
        qtbot.addWidget(wizard)
        wizard.show()
        kinds = {h.kind_label for h in wizard.holdings.rows}
        assert kinds == {"负责的客户", "部门归档专人"}
        assert all("冯一鸣" not in h.what for h in wizard.holdings.rows)
        assert "2 项" in wizard.step_label.text()
        wizard.advance()
        assert wizard.pages.currentIndex() == 1
        wizard.advance()  # no supervisor yet: stays
        assert wizard.pages.currentIndex() == 1
        wizard.successor.setCurrentIndex(wizard.successor.findText("李秀英（archivist）"))
        wizard.leaving.setCurrentIndex(wizard.leaving.findData(StaffState.LEFT))
        wizard.supervisor.setText("陈志强")  # typed Chinese (QTest sends no IME input)
        wizard.advance()
        assert wizard.pages.currentIndex() == 2 and wizard.next.text() == "确认交接"
        qtbot.keyClicks(wizard.successor_user, "archivist")
        qtbot.keyClicks(wizard.successor_password, "wrong-password")
        wizard.advance()
        assert wizard.pages.currentIndex() == 2 and "密码错误" in wizard.general.text()
        assert wizard.successor_password.text() == ""  # never kept
        qtbot.keyClicks(wizard.successor_password, DEMO_PASSWORD)
        wizard.advance()
        assert wizard.pages.currentIndex() == 3
        assert wizard.result_sheet is not None and wizard.result_sheet.remaining == 0
        assert "离职" in wizard.done_label.text() and wizard.print_button.isVisible()
        page.refresh()
        assert next(p for p in page.people.rows if p.username == "archivist2").state_label == "离职"
        assert [h.number for h in page.handovers.rows] == [wizard.result_sheet.number]
        clerks = {d.name: d.filing_clerk_name for d in page.departments}
        assert clerks["档案室"] == "李秀英"
        users.disable_user(session=admin, user_id=leaver_id, clock=clock)


def test_the_home_screen_tells_the_person_and_the_administrator_what_is_missing(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    from app.domain.staff import StaffPolicy

    clock = FixedClock()
    admin = _session(demo_copy, "admin", clock)
    staff.set_staff_policy(
        session=admin,
        policy=StaffPolicy(training_interval_months=1, training_grace_days=0),
        clock=clock,
    )
    clock.advance(days=10)  # the demo's training was 45 days ago: now overdue
    desk = _session(demo_copy, "archivist", clock)
    try:
        home = HomePage(desk.actor, "档案室", clock.now())
        qtbot.addWidget(home)
        home.show_papers(staff.get_my_compliance(session=desk, clock=clock))
        text = home.cards["papers"].body.text()
        assert "暂停使用客户信息" in text and "保密培训已逾期" in text
        admin_home = HomePage(admin.actor, "档案室", clock.now())
        qtbot.addWidget(admin_home)
        admin_home.show_staff(staff.list_compliance_notes(session=admin, clock=clock))
        assert "李秀英（archivist）" in admin_home.cards["staff"].body.text()
        # had this database been upgraded to the gate's version today, its accounts would be in
        # the upgrade transition: the same gap is a dated warning, not a suspension
        import json

        from app.services.common import local_today
        from app.services.compliance import UPGRADE_SETTING
        from app.storage.models import Setting

        with desk.store.engine.begin() as conn:
            conn.execute(
                Setting.__table__.insert().values(
                    key=UPGRADE_SETTING,
                    value=json.dumps(
                        {"installed_on": local_today(clock).isoformat(), "last_account": 10**6}
                    ),
                )
            )
        home.show_papers(staff.get_my_compliance(session=desk, clock=clock))
        text = home.cards["papers"].body.text()
        assert "暂停使用客户信息（" not in text and "升级过渡期至" in text
        assert "保密培训已逾期" in text
    finally:
        sign_out(session=desk, clock=clock)
        sign_out(session=admin, clock=clock)


def test_an_access_review_is_decided_line_by_line_and_closed_by_the_auditor(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    clock = FixedClock()
    context = AppContext(location=demo_copy, clock=clock)
    with _signed_in(demo_copy, clock, "admin", "auditor") as (admin, auditor):
        page = StaffPage(context, admin)
        qtbot.addWidget(page)
        page.show()
        tab = page.reviews
        assert tab is not None and "下次审查应于 2026-07-05" in tab.due.text()
        qtbot.mouseClick(tab.reviews.findChild(QWidget, "review_start"), Qt.MouseButton.LeftButton)
        assert len(tab.reviews.rows) == 1 and tab.reviews.rows[0].open_lines == len(tab.lines.rows)
        tab.lines.select_row(0)
        qtbot.mouseClick(tab.lines.findChild(QWidget, "line_confirm"), Qt.MouseButton.LeftButton)
        assert tab.lines.rows[0].decision_label == "确认"
        qtbot.mouseClick(
            tab.lines.findChild(QWidget, "line_confirm_rest"), Qt.MouseButton.LeftButton
        )
        assert {line.decision for line in tab.lines.rows} == {"confirmed"}
        shown: list[str] = []

        def read_and_close(box: QWidget) -> None:
            assert isinstance(box, QMessageBox)
            shown.append(box.text())
            box.accept()

        errors = when_modal(read_and_close)
        qtbot.mouseClick(tab.reviews.findChild(QWidget, "review_close"), Qt.MouseButton.LeftButton)
        assert errors == [] and len(shown) == 1
        assert tab.reviews.rows[0].closed_at is None  # not by the one who decided every line
        auditor_page = StaffPage(context, auditor)
        qtbot.addWidget(auditor_page)
        auditor_tab = auditor_page.reviews
        assert auditor_tab is not None
        assert not auditor_tab.reviews.findChild(QWidget, "review_start").isVisibleTo(auditor_tab)
        auditor_tab.reviews.select_row(0)
        auditor_tab.close_review()
        assert auditor_tab.reviews.rows[0].closed_at is not None


def test_a_review_line_marked_for_change_keeps_its_note_and_an_empty_note_is_refused(
    qtbot: QtBot, admin_page: tuple[StaffPage, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """需变更 asks what must change: without it the line is refused and stays pending."""
    from PySide6.QtWidgets import QInputDialog

    page, shown = admin_page
    tab = page.reviews
    assert tab is not None
    qtbot.mouseClick(tab.reviews.findChild(QWidget, "review_start"), Qt.MouseButton.LeftButton)
    tab.lines.select_row(0)
    answers = iter([("", True), ("取消审批人角色", True)])
    monkeypatch.setattr(QInputDialog, "getText", lambda *_a, **_k: next(answers))
    change = tab.lines.findChild(QWidget, "line_change")
    qtbot.mouseClick(change, Qt.MouseButton.LeftButton)  # no note: refused
    assert len(shown) == 1 and tab.lines.rows[0].decision == "pending"
    tab.lines.select_row(0)
    qtbot.mouseClick(change, Qt.MouseButton.LeftButton)
    assert len(shown) == 1
    assert (tab.lines.rows[0].decision, tab.lines.rows[0].note) == ("changed", "取消审批人角色")


def test_a_department_is_added_once_and_given_its_filing_clerk(
    admin_page: tuple[StaffPage, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """新增部门 (a name already taken is refused with a message) and 指定归档专人."""
    from PySide6.QtWidgets import QInputDialog

    page, shown = admin_page
    monkeypatch.setattr(QInputDialog, "getText", lambda *_a, **_k: ("法务部", True))
    page.add_department()
    names = [d.name for d in page.departments]
    assert "法务部" in names and shown == []
    page.add_department()  # the same name again
    assert len(shown) == 1 and [d.name for d in page.departments].count("法务部") == 1
    page.department_list.select_row(names.index("法务部"))
    person = next(p for p in page.people.rows if p.state != "left")
    label = f"{person.name}（{person.department or '—'}）"
    monkeypatch.setattr(QInputDialog, "getItem", lambda *_a, **_k: (label, True))
    page.choose_clerk()
    assert {d.name: d.filing_clerk_name for d in page.departments}["法务部"] == person.name
    assert len(shown) == 1


def test_a_filing_hand_over_is_printed_from_the_list(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    """打印移交清单: the selected 归档移交's list in the preview (drawn off the GUI thread)."""
    from tests.gui.conftest import previewed
    from tests.pdf_text import pdf_text

    clock = FixedClock()
    with _signed_in(demo_copy, clock, "admin", "archivist") as (admin, desk):
        legal = staff.add_department(session=admin, name="法务部", clock=clock)
        clerk = staff.register_person(
            session=admin, draft=staff.PersonDraft(name="孙丽", department_id=legal), clock=clock
        )
        staff.set_filing_clerk(session=admin, department_id=legal, person_id=clerk, clock=clock)
        done = staff.record_filing_handover(
            session=desk,
            department_id=legal,
            period="2025-12",
            volume_ids=[],
            paper_signature=True,
            note="本月无归档",
            clock=clock,
        )
        page = StaffPage(AppContext(location=demo_copy, clock=clock), desk)
        qtbot.addWidget(page)
        page.show()
        row = [f.id for f in page.filings.rows].index(done.row.id)
        page.filings.select_row(row)
        title, pdf = previewed(qtbot, page.filings.findChild(QWidget, "filing_print"))
        assert title.endswith(f"归档移交清单 {done.row.number}")
        text = pdf_text(pdf)
        assert "归档移交清单" in text and done.row.number in text and "法务部" in text


def test_the_administrator_records_a_person_an_agreement_with_its_scan_training_and_policy(
    qtbot: QtBot, demo_copy: DatabaseLocation, tmp_path: Path
) -> None:
    from ui.pages.staff.dialogs import (
        AgreementDialog,
        PersonDialog,
        StaffPolicyDialog,
        TrainingDialog,
    )

    clock = FixedClock()
    context = AppContext(location=demo_copy, clock=clock)
    with _signed_in(demo_copy, clock, "admin") as (admin,):
        page = StaffPage(context, admin)
        qtbot.addWidget(page)
        form = PersonDialog(context, admin, page.departments, [], parent=page)
        qtbot.addWidget(form)
        form.save()
        assert form.errors.text("name")  # required, nothing saved
        form.name.setText("韩梅梅")  # type: ignore[attr-defined]
        form.department.setCurrentIndex(form.department.findText("客服部"))
        form.contact.setText("139 0000 1111")
        form.save()
        assert form.result() and isinstance(form.result_value, int)
        page.refresh()
        added = next(p for p in page.people.rows if p.name == "韩梅梅")
        assert added.contact == "139****1111" and added.department == "客服部"
        scan = tmp_path / "scan.pdf"
        scan.write_bytes(b"%PDF-1.4\n%%EOF\n")
        agreement = AgreementDialog(context, admin, added, page)
        qtbot.addWidget(agreement)
        agreement.scan.set_path(scan)
        agreement.open_ended.setChecked(True)
        agreement.save()
        assert agreement.result()
        training = TrainingDialog(context, admin, page.people.rows, page)
        qtbot.addWidget(training)
        training.trainer.setText("孙丽")  # type: ignore[attr-defined]
        training.save()
        assert training.errors.text("attendees")  # nobody ticked
        training.check_all()
        training.save()
        assert training.result()
        page.refresh()
        assert next(p for p in page.people.rows if p.name == "韩梅梅").status_text == "正常"
        policy = StaffPolicyDialog(context, admin, page)
        qtbot.addWidget(policy)
        policy.boxes["filing_day"].setValue(15)
        policy.save()
        assert staff.get_staff_policy(session=admin, clock=clock).filing_day == 15
