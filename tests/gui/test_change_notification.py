"""Change notification (issue 21, point 3): a write reports the kinds of objects it changed and
every open page refreshes what shows them; no list, card or detail stays stale.

Two pages of one main window are open in each test: the one where the change is made and the
one that must show it (visible: at once; hidden: when shown again, without a new search).
"""

from __future__ import annotations

from typing import TypeVar

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.domain.changes import TABLE_KINDS, Changes
from app.domain.roles import Role
from app.domain.scan_codes import scan_payload
from app.services import inspections as I
from app.services import locations as L
from app.services.auth import SignedIn
from app.storage.models.base import Base
from tests.factories import add_user
from tests.gui.conftest import show_page
from tests.integration.test_locations import shelf
from tests.loan_helpers import (
    FAST_KDF,
    Desk,
    approve_all,
    make_volume,
    staff_application,
)
from ui.changes import ChangeTracker
from ui.main_window import MainWindow
from ui.pages.archives import ArchivesPage
from ui.pages.audit import AuditPage
from ui.pages.home import HomePage
from ui.pages.inspections import InspectionsPage
from ui.pages.loans import LoansPage
from ui.pages.locations import LocationsPage

P = TypeVar("P", bound=QWidget)


@pytest.fixture
def desk(desk: Desk, clock: FixedClock) -> Desk:
    """The loan desk with a small shelf (one column, two sections of two layers)."""
    shelf(desk("lisi"), clock, columns="1", faces="A", sections="1-2", layers="1-2")
    return desk


def open_window(qtbot: QtBot, desk: Desk, user: str) -> MainWindow:
    return show_page(qtbot, MainWindow, desk.location, desk.clock, desk(user), (1366, 768))


def open_area(
    qtbot: QtBot, desk: Desk, user: str, key: str, page_type: type[P]
) -> tuple[MainWindow, P]:
    """``user``'s main window showing the area ``key``, whose page is a ``page_type``."""
    window = open_window(qtbot, desk, user)
    page = window.page_by_key[key]
    assert isinstance(page, page_type)
    window.show_area(key)
    return window, page


def close(window: MainWindow) -> None:
    window.close_for_sign_out()


def test_every_table_has_a_kind() -> None:
    assert set(Base.metadata.tables) <= set(TABLE_KINDS)
    assert Changes.from_tables(["volume", "volume_place"]) == Changes(volumes=True, places=True)
    assert not Changes()
    assert Changes.of("loans").touches(Changes.of("loans", "volumes"))
    assert not Changes.of("audit").touches(Changes.of("loans", "volumes"))


def test_a_tracker_skips_only_the_report_its_page_already_showed() -> None:
    refreshed: list[frozenset[str]] = []
    tracker = ChangeTracker(
        Changes.of("inspections", "places"), lambda c: refreshed.append(c.kinds()), lambda: True
    )
    tracker.absorb(Changes.of("inspections"))  # a scan shown at once by the page itself
    tracker.notify(Changes.of("inspections", "audit"))
    assert refreshed == []
    tracker.notify(Changes.of("inspections"))  # the next one is someone else's
    assert refreshed == [frozenset({"inspections"})]
    tracker.absorb(Changes.of("inspections"))
    tracker.notify(Changes.of("inspections", "places"))  # more than the page showed
    assert refreshed[-1] == frozenset({"inspections", "places"})


def test_shelving_on_the_places_page_shows_in_the_archive_detail_without_a_new_search(
    qtbot: QtBot, desk: Desk
) -> None:
    lisi = desk("lisi")
    volume_id, code = make_volume(lisi, desk.clock)
    box = L.create_box(session=lisi, draft=L.BoxDraft(), clock=desk.clock)
    window = open_window(qtbot, desk, "lisi")
    archives = window.page_by_key["archives"]
    places = window.page_by_key["locations"]
    assert isinstance(archives, ArchivesPage) and isinstance(places, LocationsPage)
    window.show_area("archives")
    archives.search.setText(code)
    qtbot.waitUntil(lambda: "尚未上架" in archives.volume_label.text())

    window.show_area("locations")  # the 档案 page stays open behind it
    for text in (code, box.code, ""):  # volume, box, Enter accepts the proposed place
        places.scan.setText(text)
        places._scan_entered()
    assert "已上架" in places.status.text(), places.status.text()
    qtbot.waitUntil(lambda: bool(window.trackers["archives"].stale))

    window.show_area("archives")  # no new search: the page caught up when shown
    assert archives.search.text() == code
    assert f"存放：{box.code} K1-01-A" in archives.volume_label.text()
    assert "尚未上架" not in archives.volume_label.text()
    assert archives.volume_table.selectionModel().selectedRows()  # still selected

    # visible: a change made elsewhere (the service a dialog calls) shows at once
    target = L.resolve_scan(session=lisi, text="K1-01-A-2-2", clock=desk.clock)
    assert target is not None
    L.place_box(session=lisi, box_id=box.id, location_id=target.object_id, clock=desk.clock)
    qtbot.waitUntil(lambda: "K1-01-A-2-2" in archives.volume_label.text())
    assert L.where_is_volume(session=lisi, volume_id=volume_id, clock=desk.clock).box_code == (
        box.code
    )
    close(window)


def test_an_approval_by_an_approver_at_the_desk_shows_on_the_open_loan_page(
    qtbot: QtBot, desk: Desk
) -> None:
    volume_id, _code = make_volume(desk("lisi"), desk.clock)
    window, page = open_area(qtbot, desk, "lisi", "loans", LoansPage)
    app_id = staff_application(desk, [volume_id])  # filed at the desk
    qtbot.waitUntil(lambda: [r.state_label for r in page.applications.rows] == ["待审批"])
    approve_all(desk, app_id, "info")  # the approver's own session, at the desk
    qtbot.waitUntil(lambda: [r.state_label for r in page.applications.rows] == ["已批准"])
    close(window)


def test_the_home_cards_count_what_changed_elsewhere(qtbot: QtBot, desk: Desk) -> None:
    volume_id, _code = make_volume(desk("lisi"), desk.clock)
    # an approver: the 待我审批 card
    window, home = open_area(qtbot, desk, "info", "home", HomePage)
    card = home.card("queue")
    assert card is not None
    assert "没有等待您审批的申请" in card.body.text()
    app_id = staff_application(desk, [volume_id])  # filed at the desk by the operator
    qtbot.waitUntil(lambda: "等待您审批的申请 1 件" in card.body.text())
    approve_all(desk, app_id, "info")
    qtbot.waitUntil(lambda: "没有等待您审批的申请" in card.body.text())
    close(window)


def _listed_state(page: ArchivesPage, code: str) -> str:
    model = page.volumes
    state_column = model.columns.index("状态")
    for row, volume in enumerate(model.rows):
        if volume.reference_code == code:
            return str(model.data(model.index(row, state_column)))
    raise AssertionError(f"{code} is not listed")


def test_a_new_volume_is_listed_unplaced_as_its_detail_says_until_it_is_shelved(
    qtbot: QtBot, desk: Desk
) -> None:
    lisi = desk("lisi")
    volume_id, code = make_volume(lisi, desk.clock)
    window, archives = open_area(qtbot, desk, "lisi", "archives", ArchivesPage)
    archives.search.setText(code)
    qtbot.waitUntil(lambda: "尚未上架" in archives.volume_label.text())
    assert _listed_state(archives, code) == "未上架"  # was 在架 beside 尚未上架

    # boxed but the box not on a shelf: still not shelved, in the list and in the detail
    box = L.create_box(session=lisi, draft=L.BoxDraft(), clock=desk.clock)
    L.put_volume(session=lisi, volume_id=volume_id, box_id=box.id, clock=desk.clock)
    qtbot.waitUntil(lambda: "档案盒尚未上架" in archives.volume_label.text())
    assert _listed_state(archives, code) == "未上架"

    target = L.resolve_scan(session=lisi, text="K1-01-A-1-1", clock=desk.clock)
    assert target is not None
    L.place_box(session=lisi, box_id=box.id, location_id=target.object_id, clock=desk.clock)
    qtbot.waitUntil(lambda: "K1-01-A-1-1" in archives.volume_label.text())
    assert "尚未上架" not in archives.volume_label.text()
    assert _listed_state(archives, code) == "在架"
    close(window)


def _start_inspection(desk: Desk) -> int:
    lisi = desk("lisi")
    room = L.resolve_scan(session=lisi, text="K1", clock=desk.clock)
    assert room is not None
    return I.start_inspection(
        session=lisi,
        draft=I.InspectionDraft(
            kind="special",
            room_id=room.object_id,
            inspected_on=desk.clock.now().date(),
            inspectors=(I.Inspector(user_id=lisi.actor.user_id), I.Inspector(name="王五")),
        ),
        clock=desk.clock,
    )


def test_the_open_inspections_page_shows_a_session_started_elsewhere_and_a_scan_once(
    qtbot: QtBot, desk: Desk
) -> None:
    lisi = desk("lisi")
    _volume_id, code = make_volume(lisi, desk.clock)
    window, page = open_area(qtbot, desk, "lisi", "inspections", InspectionsPage)
    qtbot.waitUntil(lambda: page.sessions.rows == [])

    sid = _start_inspection(desk)  # as a dialog opened from another area would
    qtbot.waitUntil(lambda: [r.id for r in page.sessions.rows] == [sid])
    assert page.current is not None and page.current.id == sid

    # a change elsewhere to what the session expects: the 概况 follows without a click
    I.begin_counting(session=lisi, inspection_id=sid, clock=desk.clock)
    qtbot.waitUntil(lambda: page.scan_box.isEnabled())

    # the page's own scan is shown at once and does not reload the page behind it
    reloads: list[int] = []
    original = page.refresh
    page.refresh = lambda: (reloads.append(1), original())[1]  # type: ignore[method-assign]
    page.scan_box.setText(scan_payload(code))
    page.scan.scan_entered()
    assert page.ack.text() and page.recent.count() == 1
    window.change_bus.flush_now()
    qtbot.wait(20)
    assert reloads == []
    # the next change made elsewhere reloads it again
    I.record_scan(session=lisi, inspection_id=sid, text="K1-01-A-1-1", clock=desk.clock)
    qtbot.waitUntil(lambda: reloads == [1])
    assert page.recent.count() == 1  # the scanner's own list is kept
    close(window)


def test_the_open_statistics_page_counts_a_volume_filed_elsewhere(qtbot: QtBot, desk: Desk) -> None:
    window = open_window(qtbot, desk, "lisi")
    page = window.page_by_key["statistics"]
    window.show_area("statistics")
    assert "statistics" in window.trackers  # whichever page module 统计 is built from
    reloads: list[str] = []
    for name in ("refresh", "refresh_after_change"):  # the page reloads through either
        original = getattr(page, name, None)
        if original is not None:
            spy = lambda *a, _o=original, _n=name: (reloads.append(_n), _o(*a))[1]  # noqa: E731
            setattr(page, name, spy)
    window.change_bus.flush_now()
    reloads.clear()
    make_volume(desk("lisi"), desk.clock)  # filed in a dialog of another area
    qtbot.waitUntil(lambda: bool(reloads))
    window.show_area("home")
    reloads.clear()
    make_volume(desk("lisi"), desk.clock, title="另一卷")  # hidden: remembered, not read
    window.change_bus.flush_now()
    assert reloads == [] and window.trackers["statistics"].stale
    window.show_area("statistics")
    assert reloads  # caught up when shown
    close(window)


def test_the_open_audit_page_lists_an_entry_written_elsewhere_and_keeps_a_history(
    qtbot: QtBot, desk: Desk, admin: SignedIn
) -> None:
    add_user(admin, desk.clock, "shen", [Role.AUDITOR], display_name="沈审计", kdf=FAST_KDF)
    window, page = open_area(qtbot, desk, "shen", "audit", AuditPage)
    page.refresh()
    qtbot.waitUntil(page.idle)  # the entries are read off the GUI thread

    def labels() -> list[str]:
        return [r.action_label for r in page.entries.rows]

    assert "新建案卷" not in labels()
    volume_id, code = make_volume(desk("lisi"), desk.clock)  # another desk of this database
    qtbot.waitUntil(lambda: "新建案卷" in labels())

    # a volume's complete history stays the view and takes the next entry in
    page.history_kind.setCurrentIndex(page.history_kind.findData("volume"))
    page.history_key.setText(code)
    page.show_history()
    qtbot.waitUntil(lambda: page.idle() and "完整历史" in page.status.text())
    shown = len(page.entries.rows)
    assert "volume.move" not in [r.action for r in page.entries.rows]
    page.history_key.setText("")  # the history is kept by its key, not by the box
    lisi = desk("lisi")
    box = L.create_box(session=lisi, draft=L.BoxDraft(), clock=desk.clock)
    L.put_volume(session=lisi, volume_id=volume_id, box_id=box.id, clock=desk.clock)
    qtbot.waitUntil(lambda: "volume.move" in [r.action for r in page.entries.rows])
    assert len(page.entries.rows) > shown
    assert "完整历史" in page.status.text()
    qtbot.waitUntil(page.idle)  # the summary too, before the store closes
    close(window)
