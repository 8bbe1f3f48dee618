"""A whole day at the desk, played by keyboard alone and again with a scanner (issue 21).

The operator registers a customer, files a volume with two items, shelves it in a new box,
prints its label, lends it (快速借出, the approver present at the desk), takes it back, then
starts an inspection and scans a face — in the main window, with no mouse. Every user action
the test sends is counted (:class:`Operator`): one key or shortcut, one field typed (with the
Enter or Tab that leaves it), one code scanned or typed with its Enter, one button reached by
keyboard and pressed. The fast paths must stay within their counts (docs/operator-guide.md,
"操作步数"): shelving 3, a quick loan ≤ 5, a return 2.

Typing: ASCII goes key by key; Chinese text is set whole, as an input method commits a word
(``qtbot.keyClicks`` cannot send non-ASCII). In the keyboard day codes are typed without
check characters, a 档号's ``·`` as ``.`` or ``-``; in the scanner day every code is a label's
payload (``<code>*<check>``) followed by Enter, as a keyboard-wedge scanner sends it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QMessageBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.domain.scan_codes import scan_payload
from app.services import locations as L
from app.services.auth import SignedIn, sign_in, sign_out
from app.services.loans import list_open_loans
from app.storage.location import DatabaseLocation
from tests.factories import PASSWORD
from tests.gui.conftest import FilePrinter, cjk_font, when_modal
from tests.integration.test_locations import shelf
from tests.loan_helpers import STAFF, add_staff
from ui.context import AppContext
from ui.dialogs.catalogue_forms import ItemFormDialog, VolumeFormDialog
from ui.dialogs.customer_form import CustomerFormDialog
from ui.dialogs.label_sheet import LabelSheetDialog
from ui.dialogs.loans import ApproverSignInDialog, ReturnDialog
from ui.dialogs.locations import BoxDialog
from ui.dialogs.print_preview import PrintPreviewDialog
from ui.main_window import MainWindow
from ui.pages.archives import ArchivesPage
from ui.pages.customers import CustomersPage
from ui.pages.inspections import InspectionsPage, NewInspectionDialog
from ui.pages.loans import LoansPage
from ui.pages.locations import LocationsPage

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# The fast paths' counts (issue 21, docs/operator-guide.md "操作步数").
SHELVE_ACTIONS = 3
QUICK_LOAN_MAX_ACTIONS = 5
RETURN_ACTIONS = 2


@dataclass
class Operator:
    """Sends the operator's keys and counts them, step by step."""

    qtbot: QtBot
    scanner: bool
    shots: bool
    log: list[tuple[str, str]] = field(default_factory=list)
    step: str = ""
    shot_number: int = 0

    def begin(self, step: str) -> None:
        self.step = step

    def count(self, step: str | None = None) -> int:
        return sum(1 for s, _what in self.log if s == (step or self.step))

    def _note(self, what: str) -> None:
        self.log.append((self.step, what))

    def key(
        self,
        widget: QWidget,
        key: Qt.Key,
        modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
    ) -> None:
        """One key (or shortcut)."""
        self._note(f"key {key.name} {modifier.name}")
        self.settle(widget)
        self.qtbot.keyClick(widget, key, modifier)

    def settle(self, widget: QWidget) -> None:
        """The window manager's part: a closed dialog hands the focus back to its window."""
        top = widget.window()
        modal = QApplication.activeModalWidget()
        if modal is not None and modal is not top:
            return  # a dialog above it is still open
        if top.isVisible() and QApplication.activeWindow() is not top:
            top.activateWindow()
            self.qtbot.waitUntil(lambda: QApplication.activeWindow() is top)

    def ctrl(self, widget: QWidget, key: Qt.Key) -> None:
        self.key(widget, key, Qt.KeyboardModifier.ControlModifier)

    def type(self, widget: QWidget, text: str, *, enter: bool = True) -> None:
        """Fill one field and leave it with Enter."""
        self._note(f"type {widget.objectName()}")
        edit = widget
        if isinstance(widget, QComboBox):
            edit = widget.lineEdit()
        elif isinstance(widget, QAbstractSpinBox):
            edit = widget.findChild(QLineEdit)
        assert isinstance(edit, QLineEdit), widget
        edit.selectAll()  # what Tab into the field does
        if text.isascii():
            self.qtbot.keyClicks(widget, text)  # keys go to the focused field
        else:  # an input method commits the word whole
            edit.insert(text)
        if enter:
            self.qtbot.keyClick(widget, Qt.Key.Key_Return)

    def code(self, widget: QLineEdit, code: str, typed: str) -> None:
        """Scan a label (scanner day) or type the code (keyboard day), then Enter."""
        self._note(f"code {code}")
        text = scan_payload(code) if self.scanner else typed
        self.qtbot.keyClicks(widget, text)
        self.qtbot.keyClick(widget, Qt.Key.Key_Return)

    def press(self, button: QAbstractButton) -> None:
        """Reach a button with Tab and press Space."""
        self._note(f"press {button.objectName()}")
        button.setFocus()
        self.qtbot.keyClick(button, Qt.Key.Key_Space)

    def shot(self, widget: QWidget, name: str) -> None:
        if not self.shots:
            return
        self.shot_number += 1
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(SCREENSHOTS / f"operator-day-{self.shot_number:02d}-{name}.png"))


class Errors:
    """The errors raised in modal handlers (each handler fills its own list later)."""

    def __init__(self) -> None:
        self.lists: list[list[BaseException]] = []

    def raised(self) -> list[str]:
        return [repr(e) for found in self.lists for e in found]


def modal(
    kind: type[QWidget], handler: Callable[[Any], None], errors: Errors, *, attempts: int = 500
) -> None:
    """Run ``handler`` on the next modal dialog of ``kind``; its errors show in ``errors``."""
    errors.lists.append(when_modal(handler, attempts=attempts, kind=kind))


@pytest.fixture
def day(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> Iterator[tuple[SignedIn, DatabaseLocation, FixedClock]]:
    """A store room, the operator, a colleague who borrows and the one 信息管理专员."""
    add_staff(admin, clock, {name: STAFF[name] for name in ("lisi", "zhao", "info")})
    operator = sign_in(location=location, username="lisi", password=PASSWORD, clock=clock)
    shelf(operator, clock, columns="1", faces="A", sections="1-2", layers="1-2")
    yield operator, location, clock
    sign_out(session=operator, clock=clock)


def decoded(pdf: Path) -> list[str]:
    image = pdfium.PdfDocument(pdf.read_bytes())[0].render(scale=2).to_pil()
    return [b.text for b in zxingcpp.read_barcodes(image)]


def play_the_day(
    qtbot: QtBot,
    day: tuple[SignedIn, DatabaseLocation, FixedClock],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    scanner: bool,
) -> Operator:
    session, location, clock = day
    op = Operator(qtbot, scanner=scanner, shots=not scanner)
    label_file = tmp_path / "label.pdf"
    monkeypatch.setattr("ui.dialogs.print_preview.QPrintDialog", FilePrinter(label_file))
    window = MainWindow(AppContext(location=location, clock=clock), session)
    qtbot.addWidget(window)
    window.setFont(cjk_font())
    window.resize(1366, 768)
    window.show()
    with qtbot.waitActive(window):
        window.activateWindow()
    errors = Errors()
    customers = window.page_by_key["customers"]
    archives = window.page_by_key["archives"]
    places = window.page_by_key["locations"]
    desk = window.page_by_key["loans"]
    checks = window.page_by_key["inspections"]
    assert isinstance(customers, CustomersPage) and isinstance(archives, ArchivesPage)
    assert isinstance(places, LocationsPage) and isinstance(desk, LoansPage)
    assert isinstance(checks, InspectionsPage)

    # -- 1. register a customer ------------------------------------------------------------
    op.begin("登记客户")
    op.ctrl(window, Qt.Key.Key_2)

    def register(dialog: QWidget) -> None:
        assert isinstance(dialog, CustomerFormDialog)
        op.type(dialog.name, "上海示范律师事务所")
        dialog.consent_editor.choose("合同必需")  # R4: a legal basis (issue 18)
        op.shot(dialog, "customer-form")
        op.ctrl(dialog.name, Qt.Key.Key_Return)
        assert not dialog.isVisible(), dialog.general.text()
        modal(QMessageBox, notice, errors, attempts=30)

    def notice(box: QMessageBox) -> None:  # a note after saving (e.g. no ID number yet)
        op.key(box, Qt.Key.Key_Return)

    modal(CustomerFormDialog, register, errors)
    op.ctrl(customers, Qt.Key.Key_N)
    assert errors.raised() == []
    number = customers.search.text()
    assert number.startswith("KH")
    op.shot(window, "customer")

    # -- 2. a volume with two items --------------------------------------------------------
    op.begin("新建案卷")
    op.ctrl(window, Qt.Key.Key_3)

    def file_volume(dialog: QWidget) -> None:
        assert isinstance(dialog, VolumeFormDialog)
        op.type(dialog.customer, scan_payload(number) if scanner else number)
        op.type(dialog.title_edit, "上海示范律师事务所2026年度客户档案")
        op.shot(dialog, "volume-form")
        op.ctrl(dialog.title_edit, Qt.Key.Key_Return)
        assert not dialog.isVisible(), dialog.general.text()

    modal(VolumeFormDialog, file_volume, errors)
    op.ctrl(archives, Qt.Key.Key_N)
    assert errors.raised() == []
    assert archives.volumes.rows, archives.count_label.text()
    reference = archives.volumes.rows[0].reference_code
    assert "·" in reference
    for n, title in enumerate(("委托代理合同", "授权委托书")):

        def add(dialog: QWidget, n: int = n, title: str = title) -> None:
            assert isinstance(dialog, ItemFormDialog)
            op.type(dialog.title_edit, title)
            op.type(dialog.page_from, str(n * 4 + 1))
            op.type(dialog.page_to, str(n * 4 + 4))
            op.ctrl(dialog.title_edit, Qt.Key.Key_Return)
            assert not dialog.isVisible(), dialog.general.text()

        modal(ItemFormDialog, add, errors)
        op.ctrl(archives, Qt.Key.Key_I)
        assert errors.raised() == []
    assert archives.items.rowCount() == 2
    op.shot(window, "volume")

    # -- 3. shelve it in a new box -----------------------------------------------------------
    op.begin("新建档案盒")
    op.ctrl(window, Qt.Key.Key_4)
    modal(BoxDialog, lambda dialog: op.ctrl(dialog, Qt.Key.Key_Return), errors)
    op.ctrl(places, Qt.Key.Key_N)
    assert errors.raised() == [] and not any(
        isinstance(w, BoxDialog) for w in QApplication.topLevelWidgets() if w.isVisible()
    )
    box = places.boxes.rows[0].code
    op.settle(places)
    assert places.scan.hasFocus()
    op.begin("上架")
    op.code(places.scan, reference, reference.replace("·", "."))
    assert "尚未上架" in places.status.text() and box in places.status.text()
    op.code(places.scan, box, box.lower())
    assert "回车上架" in places.status.text(), places.status.text()
    op.shot(window, "shelve-proposal")
    op.key(places.scan, Qt.Key.Key_Return)
    assert "已上架" in places.status.text(), places.status.text()
    where = L.where_is_volume(session=session, volume_id=archives.volumes.rows[0].id, clock=clock)
    assert where.box_code == box and where.location_code.startswith("K1-01-A")
    assert op.count() == SHELVE_ACTIONS
    op.shot(window, "shelved")

    # -- 4. print its label -----------------------------------------------------------------
    op.begin("打印标签")
    op.ctrl(window, Qt.Key.Key_3)

    def label(dialog: QWidget) -> None:
        assert isinstance(dialog, LabelSheetDialog)
        op.shot(dialog, "label-sheet")

        def print_it(preview: QWidget) -> None:
            assert isinstance(preview, PrintPreviewDialog)
            op.ctrl(preview, Qt.Key.Key_P)  # Qt's print dialog: Enter (counted with Ctrl+P)
            op.key(preview, Qt.Key.Key_Escape)

        modal(PrintPreviewDialog, print_it, errors)
        op.key(dialog, Qt.Key.Key_Return)  # the default button: 预览并打印
        op.key(dialog, Qt.Key.Key_Escape)

    modal(LabelSheetDialog, label, errors)
    op.ctrl(archives, Qt.Key.Key_F)  # find it: the 档号 typed with . for its ·, or scanned
    op.code(archives.search, reference, reference.replace("·", "."))
    assert [r.reference_code for r in archives.volumes.rows] == [reference]
    assert archives.volume_label.text().startswith(reference), archives.count_label.text()
    op.key(
        archives,
        Qt.Key.Key_P,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert errors.raised() == []
    assert scan_payload(reference) in decoded(label_file)

    # -- 5. lend it: 快速借出 with the approver at the desk ----------------------------------
    op.begin("借出")
    op.ctrl(window, Qt.Key.Key_5)
    slip_file = tmp_path / "slip.pdf"

    def slip_printer() -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(slip_file))
        printer.setResolution(150)
        return printer

    desk.quick.slip_printer = slip_printer
    op.settle(desk)
    assert desk.issue_scan.hasFocus()
    op.begin("快速借出")
    op.code(desk.issue_scan, reference, reference.replace("·", "-").lower())
    assert desk.quick.isVisible() and desk.quick.borrower.hasFocus(), desk.issue_status.text()
    op.type(desk.quick.borrower, "zhao")
    op.type(desk.quick.purpose, "核对合同条款")
    op.shot(window, "quick-loan")

    def approver(dialog: QWidget) -> None:
        assert isinstance(dialog, ApproverSignInDialog)
        op.settle(dialog)
        assert dialog.username.text() == "info" and dialog.password.hasFocus()
        op.shot(dialog, "approver-sign-in")
        op.type(dialog.password, PASSWORD)

    modal(ApproverSignInDialog, approver, errors)
    op.ctrl(desk.quick.lend_button, Qt.Key.Key_Return)
    assert errors.raised() == []
    [loan] = list_open_loans(session=session, clock=clock)
    assert loan.reference_code == reference and loan.borrower == "赵敏"
    qtbot.waitUntil(lambda: desk.quick.last_printed is not None)  # drawn off the GUI thread
    assert decoded(slip_file) == [scan_payload(loan.number)]  # the slip came out of the printer
    assert op.count() <= QUICK_LOAN_MAX_ACTIONS
    op.shot(window, "lent")

    # -- 6. it comes back ------------------------------------------------------------------
    op.begin("归还")
    op.settle(desk)
    assert desk.issue_scan.hasFocus()

    def count_back(dialog: QWidget) -> None:
        assert isinstance(dialog, ReturnDialog)
        assert dialog.expected_label.text() == "2 件，8 页"
        op.shot(dialog, "return")
        op.ctrl(dialog.counted_items, Qt.Key.Key_Return)

    modal(ReturnDialog, count_back, errors)
    op.code(desk.issue_scan, loan.number, reference.replace("·", "."))
    assert errors.raised() == []
    assert list_open_loans(session=session, clock=clock) == []
    assert "已归还注销" in desk.issue_status.text()
    assert op.count() == RETURN_ACTIONS
    op.shot(window, "returned")

    # -- 7. an inspection: start it, scan a face ---------------------------------------------
    op.begin("检查")
    op.ctrl(window, Qt.Key.Key_6)

    def start(dialog: QWidget) -> None:
        assert isinstance(dialog, NewInspectionDialog)
        op.type(dialog.others, "王五")
        op.ctrl(dialog.others, Qt.Key.Key_Return)
        assert not dialog.isVisible(), dialog.general.text()

    modal(NewInspectionDialog, start, errors)
    op.press(checks.new_button)
    assert errors.raised() == []
    op.press(checks.start_count)
    assert checks.scan_box.isEnabled()
    op.code(checks.scan_box, "K1-01-A", "k1-01-a")
    assert checks.ack.text().startswith("位置"), checks.ack.text()
    op.shot(window, "inspection")
    window.close()
    return op


def report(op: Operator) -> dict[str, int]:
    steps: dict[str, int] = {}
    for step, _what in op.log:
        steps[step] = steps.get(step, 0) + 1
    return steps


# the offscreen platform cannot raise the name completer's popup nor let it grab the keyboard
OFFSCREEN_POPUP = pytest.mark.qt_log_ignore(
    "This plugin does not support raise", "This plugin does not support grabbing the keyboard"
)


@OFFSCREEN_POPUP
@pytest.mark.parametrize("scanner", [False, True], ids=["by_keyboard_alone", "with_a_scanner"])
def test_a_day_at_the_desk(
    qtbot: QtBot,
    day: tuple[SignedIn, DatabaseLocation, FixedClock],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    scanner: bool,
) -> None:
    op = play_the_day(qtbot, day, tmp_path, monkeypatch, scanner=scanner)
    steps = report(op)
    print("actions with a scanner:" if scanner else "actions by keyboard:", steps)
    assert steps["上架"] == SHELVE_ACTIONS
    assert steps["快速借出"] <= QUICK_LOAN_MAX_ACTIONS
    assert steps["归还"] == RETURN_ACTIONS
