"""The auditor's page: filter, open a customer's history, export with a purpose (issue 9)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.demo import DEMO_PASSWORD
from app.services import audit
from app.services.audit import AuditFilter
from app.services.auth import SignedIn, sign_in, sign_out
from app.services.customers import reveal_customer
from app.storage.location import DatabaseLocation
from tests.factories import signed_in
from tests.gui.conftest import show_page, when_modal
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.pages.audit import AuditPage, ExportPurposeDialog


def reveal_as_archivist(location: DatabaseLocation, clock: FixedClock, purpose: str) -> None:
    with signed_in(location, "archivist", DEMO_PASSWORD, clock) as session:
        reveal_customer(session=session, customer_id=1, purpose=purpose, clock=clock)


def open_page(
    qtbot: QtBot, location: DatabaseLocation, clock: FixedClock
) -> tuple[AuditPage, SignedIn]:
    session = sign_in(location=location, username="auditor", password=DEMO_PASSWORD, clock=clock)
    page = show_page(qtbot, AuditPage, location, clock, session, (1200, 760))
    qtbot.waitUntil(page.idle)  # the entries and the summary are read in the background
    return page, session


def click(qtbot: QtBot, page: AuditPage, button: QWidget) -> None:
    """Press ``button`` and wait for the query it starts (run off the GUI thread, issue 21)."""
    button.click()  # type: ignore[attr-defined]
    qtbot.waitUntil(page.idle)


def test_filter_open_a_history_and_export_with_a_purpose(
    qtbot: QtBot, demo_copy: DatabaseLocation, tmp_path: Path
) -> None:
    clock = FixedClock()
    reveal_as_archivist(demo_copy, clock, "办理借阅核对身份")
    reveal_as_archivist(demo_copy, clock, "客户来电核实信息")
    page, session = open_page(qtbot, demo_copy, clock)
    assert page.entries.rowCount() > 0  # newest first, unfiltered
    page.purpose.setText("借阅")
    click(qtbot, page, page.search_button)
    assert [r.purpose for r in page.entries.rows] == ["办理借阅核对身份"]
    assert "用途含“借阅”" in page.status.text()
    page.purpose.clear()
    page.action.setCurrentIndex(page.action.findData("customer.reveal"))
    page.user.setCurrentText("archivist")
    click(qtbot, page, page.search_button)
    assert len(page.entries.rows) == 2

    page.history_key.setText("KH99999999")
    click(qtbot, page, page.history_button)
    assert "客户编号：不存在" in page.status.text()
    page.history_key.setText("KH00000001")
    click(qtbot, page, page.history_button)
    actions = [r.action for r in page.entries.rows]
    # the demo loads customers in bulk (no entries); its volume's moves and boxes are history too
    assert [a for a in actions if a.startswith("customer.")] == [
        "customer.reveal",
        "customer.reveal",
    ]
    assert all(r.action_label and "." not in r.action_label for r in page.entries.rows)
    assert "KH00000001 的完整历史" in page.status.text()

    click(qtbot, page, page.search_button)  # back to the filter: exports follow it
    target = tmp_path / "audit.xlsx"
    page.choose_target = lambda fmt: str(target)  # type: ignore[method-assign]
    seen: dict[str, str] = {}

    def purpose(dialog: QWidget) -> None:
        assert isinstance(dialog, ExportPurposeDialog)
        dialog._ok()
        seen["empty"] = dialog.error.text()
        dialog.purpose.setCurrentText("季度审计检查")
        dialog._ok()

    errors = when_modal(purpose)
    page.export_xlsx_button.click()
    assert errors == [] and seen["empty"] == "请填写用途"
    rows = list(load_workbook(target).active.iter_rows(min_row=3, values_only=True))
    assert [r[3] for r in rows] == ["显示完整信息", "显示完整信息"]
    assert "已导出到 audit.xlsx" in page.status.text()
    logged = audit.search_audit(
        session=session, audit_filter=AuditFilter(action="audit.export"), clock=clock
    )
    assert [r.purpose for r in logged.rows] == ["季度审计检查"]
    sign_out(session=session, clock=clock)


def test_summary_shows_reveals_per_user(qtbot: QtBot, demo_copy: DatabaseLocation) -> None:
    clock = FixedClock()
    reveal_as_archivist(demo_copy, clock, "核对")
    page, session = open_page(qtbot, demo_copy, clock)
    page.tabs.setCurrentIndex(1)
    assert ["archivist", "1"] in page.reveals.rows
    assert "共" in page.summary_total.text()
    sign_out(session=session, clock=clock)


@pytest.mark.parametrize("user", ["admin", "archivist"])
def test_only_the_auditor_gets_the_audit_page(
    qtbot: QtBot, demo_copy: DatabaseLocation, user: str
) -> None:
    clock = FixedClock()
    session = sign_in(location=demo_copy, username=user, password=DEMO_PASSWORD, clock=clock)
    window = MainWindow(AppContext(location=demo_copy, clock=clock), session)
    qtbot.addWidget(window)
    page = window.page_by_key["audit"]
    assert isinstance(page, QLabel) and "审计员" in page.text()
    assert not window.audit_warning.isVisible()
    sign_out(session=session, clock=clock)


def test_archive_old_entries_to_a_signed_file(
    qtbot: QtBot, demo_copy: DatabaseLocation, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    from ui.pages.audit import ArchiveDialog

    clock = FixedClock(datetime(2031, 1, 6, 9, 0, tzinfo=UTC))  # the demo is 5 years old now
    page, session = open_page(qtbot, demo_copy, clock)
    # five years without a write: the auditor and the administrator confirm the clock first
    audit.reset_time_mark(
        session=session,
        second_username="admin",
        second_password=DEMO_PASSWORD,
        reason="时钟已核对",
        clock=clock,
    )
    # the demo's legal hold (issue 17) would stop archiving at its volume's first entry: the
    # 总经理 releases it (another approver than the one who placed it)
    from app.services import disposition
    from app.services.auth import sign_in as sign_in_as

    gm = sign_in_as(location=demo_copy, username="gm", password=DEMO_PASSWORD, clock=clock)
    for hold in disposition.list_holds(session=gm, clock=clock, active_only=True):
        disposition.release_hold(session=gm, hold_id=hold.id, reason="诉讼已结案", clock=clock)
    sign_out(session=gm, clock=clock)
    target = tmp_path / "archive.json"
    page.choose_target = lambda fmt: str(target)  # type: ignore[method-assign]

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, ArchiveDialog)
        assert dialog.days.minimum() == 184 and dialog.days.value() == 1096
        dialog.purpose.setCurrentText("年度归档")
        dialog.second_username.setText("admin")
        dialog.second_password.setText(DEMO_PASSWORD)
        dialog._ok()

    errors = when_modal(fill)
    page.archive_button.click()
    assert errors == []
    assert target.exists() and "已归档第 1–" in page.status.text()
    assert audit.verify_audit_chain(session.store).ok
    sign_out(session=session, clock=clock)


def test_a_broken_chain_puts_a_warning_over_the_administrators_window(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    clock = FixedClock()
    session = sign_in(location=demo_copy, username="admin", password=DEMO_PASSWORD, clock=clock)
    with session.store.engine.begin() as conn:
        conn.exec_driver_sql(
            "DELETE FROM audit_entry WHERE seq = (SELECT max(seq) - 3 FROM audit_entry)"
        )
    sign_out(session=session, clock=clock)
    session = sign_in(location=demo_copy, username="admin", password=DEMO_PASSWORD, clock=clock)
    window = MainWindow(AppContext(location=demo_copy, clock=clock), session)
    qtbot.addWidget(window)
    window.show()
    assert window.audit_warning.isVisible()
    assert (
        "审计记录校验失败" in window.audit_warning.text() and "中断" in window.audit_warning.text()
    )
    window.close_for_sign_out()
    sign_out(session=session, clock=clock)


def test_verify_with_the_verification_key_checks_seals_and_keeps_the_anchor(
    qtbot: QtBot, demo_copy: DatabaseLocation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.pages.audit.dialogs import SealVerifyDialog

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))  # this workstation's anchors
    key = demo_copy.sqlite_path.with_name("demo.db.audit-key").read_text().strip()
    clock = FixedClock()
    page, session = open_page(qtbot, demo_copy, clock)

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, SealVerifyDialog)
        dialog.key.setText(key)
        dialog._ok()

    errors = when_modal(fill)
    page.verify_button.click()
    assert errors == []
    text = page.status.text()
    assert "校验通过" in text and "逐期核对" in text, text
    head = page.last_verification.head if page.last_verification else None
    assert head is not None and head.text() in text
    books = list((tmp_path / "xdg").rglob("*.jsonl"))
    assert len(books) == 1 and head.entry_hash in books[0].read_text()
    sign_out(session=session, clock=clock)


def test_the_entries_load_off_the_gui_thread_and_the_newest_query_wins(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    """A million entries: the filter runs in a worker (issue 21, point 8); a second query asked
    for before the first came back cancels it, so the table shows the last filter."""
    clock = FixedClock()
    reveal_as_archivist(demo_copy, clock, "办理借阅核对身份")
    page, session = open_page(qtbot, demo_copy, clock)
    page.purpose.setText("借阅")
    page.refresh()
    first = page.load_task
    assert first is not None
    page.purpose.clear()
    page.action.setCurrentIndex(page.action.findData("auth.sign_in"))
    page.refresh()  # asked for before the first answer was shown
    assert first.sink.is_cancelled()
    qtbot.waitUntil(page.idle)
    actions = {r.action for r in page.entries.rows}
    assert actions == {"auth.sign_in"}, actions  # never the first query's reveal
    assert "借阅" not in page.status.text()
    sign_out(session=session, clock=clock)
