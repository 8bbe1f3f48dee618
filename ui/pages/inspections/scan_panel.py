"""扫码清点: the scanner box, what each scan was, and the differences to settle (R42)."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.domain import inspections as rules
from app.domain.changes import Changes
from app.domain.inspection_rows import InspectionRow
from app.errors import AppError
from app.services import inspections as svc
from app.services import locations
from app.services.auth import SignedIn
from ui.context import AppContext
from ui.errors import UseCases, message_for
from ui.pages.inspections.common import RED, Host, fill, result_table, selected_data, session_state

VERDICT_COLOURS = {
    "found": "#1b5e20",
    "again": "#555555",
    "place": "#0d47a1",
    "misplaced": "#e65100",
    "on_loan_seen": "#6a1b9a",
    "unexpected": RED,
}
ACK_STYLE = "font-size: 16pt; font-weight: bold; color: {0};"
MAX_RECENT = 200  # scans listed
MAX_DIFFERENCES = 2000  # differences listed (the record prints them all)


class ScanPanel(UseCases, QWidget):
    """Counting by scanner and settling the differences, one explicit action each."""

    def __init__(self, context: AppContext, session: SignedIn, host: Host) -> None:
        super().__init__()
        self._context, self._session, self._host = context, session, host
        layout = QVBoxLayout(self)
        self.scan_hint = QLabel()
        self.scan_hint.setWordWrap(True)
        self.scan_box = QLineEdit(objectName="inspection_scan")
        self.scan_box.setProperty("handles_scans", True)  # the app-wide scan router leaves it
        self.scan_box.setStyleSheet("font-size: 14pt; padding: 4px;")
        self.ack = QLabel(objectName="scan_ack")
        self.ack.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.counts = QLabel(objectName="scan_counts")
        self.counts.setStyleSheet("font-size: 12pt;")
        self.recent = QListWidget(objectName="recent_scans")
        self.differences = result_table(
            "scan_differences", ["差异", "档号/编码", "登记位置", "发现位置", "处理"]
        )
        for w in (self.scan_hint, self.scan_box, self.ack, self.counts):
            layout.addWidget(w)
        inner = QSplitter(Qt.Orientation.Vertical)
        inner.addWidget(self.recent)
        inner.addWidget(self.differences)
        layout.addWidget(inner, 1)
        buttons = QHBoxLayout()
        self.resolve_move = QPushButton(objectName="resolve_move")
        self.resolve_lost = QPushButton(objectName="resolve_lost")
        self.resolve_note = QPushButton(objectName="resolve_note")
        for b in (self.resolve_move, self.resolve_lost, self.resolve_note):
            buttons.addWidget(b)
        buttons.addStretch()
        layout.addLayout(buttons)
        self.scan_box.returnPressed.connect(self.scan_entered)
        self.resolve_move.clicked.connect(lambda: self.resolve("moved"))
        self.resolve_lost.clicked.connect(lambda: self.resolve("lost"))
        self.resolve_note.clicked.connect(lambda: self.resolve("noted"))

    def retranslate_ui(self) -> None:
        """Set every visible string."""
        self.scan_hint.setText(
            self.tr(
                "先扫描位置标签（层/位），再逐一扫描该处的档案盒或案卷。扫码只做清点："
                "不会办理归还，也不会移动任何东西；差异在结束清点后逐项处理。"
            )
        )
        self.scan_box.setPlaceholderText(self.tr("扫码枪输入（标签二维码）"))
        self.resolve_move.setText(self.tr("归位（移到…）"))
        self.resolve_lost.setText(self.tr("报失…"))
        self.resolve_note.setText(self.tr("说明…"))

    def show_session(self, c: InspectionRow | None) -> None:
        """Enable scanning (counting) or settling (findings) and show the counts of ``c``."""
        status, paused = session_state(c)
        self.scan_box.setEnabled(status == "counting" and not paused)
        for b in (self.resolve_move, self.resolve_lost, self.resolve_note):
            b.setEnabled(status == "findings" and not paused)
        self.show_counts()

    def show_counts(self) -> None:
        """应有 / 已扫描 and where the last place label was."""
        c = self._host.current
        if c is None:
            self.counts.setText("")
            return
        where = (
            self.tr("当前位置：{0}").format(c.current_place)
            if c.current_place
            else self.tr("尚未扫描位置标签")
        )
        self.counts.setText(
            self.tr("应有 {0} 卷，已扫描 {1} 卷。{2}").format(c.expected, c.found, where)
        )

    def refresh_differences(self) -> str | None:
        """List the differences so far (counting) or as recorded (findings).

        Returns the one-line summary of the count ("" without a session, None on an error).
        """
        current = self._host.current
        if current is None:
            fill(self.differences, [])
            return ""
        try:
            rec = svc.get_reconciliation(
                session=self._session, inspection_id=current.id, clock=self._context.clock
            )
        except AppError as exc:
            self.counts.setText(message_for(exc))
            return None
        rows = rec.differences[:MAX_DIFFERENCES]
        fill(
            self.differences,
            [
                [
                    self.tr(d.kind_label),
                    d.code,
                    d.home,
                    d.seen,
                    (self.tr(d.resolution_label) + (f"：{d.note}" if d.note else ""))
                    if d.resolution
                    else self.tr("未处理"),
                ]
                for d in rows
            ],
            [d.id for d in rows],
        )
        parts = [
            self.tr("{0} {1}").format(self.tr(rules.DIFFERENCE_LABELS[k]), rec.count(k))
            for k in rules.DifferenceKind
        ]
        return self.tr("清点：应有 {0}，已清点 {1}，扫描到 {2}。差异：{3}。").format(
            rec.expected, rec.found_expected, rec.found, "，".join(parts)
        )

    def scan_entered(self) -> None:
        """One scanner code (ends with Enter): count it and say at once what it was."""
        text = self.scan_box.text()
        self.scan_box.clear()
        current = self._host.current
        if current is None or not text.strip():
            return
        clock = self._context.clock
        try:
            ack = svc.record_scan(
                session=self._session, inspection_id=current.id, text=text, clock=clock
            )
        except AppError as exc:
            self.ack.setStyleSheet(ACK_STYLE.format(RED))
            self.ack.setText(message_for(exc))
            QApplication.beep()
            return
        label = self.tr(svc.VERDICT_LABELS[ack.verdict])
        colour = VERDICT_COLOURS[ack.verdict]
        self.ack.setStyleSheet(ACK_STYLE.format(colour))
        self.ack.setText(f"{label}　{ack.code}" + (f"　{ack.detail}" if ack.detail else ""))
        item = QListWidgetItem(self.ack.text())
        item.setForeground(QColor(colour))
        self.recent.insertItem(0, item)
        while self.recent.count() > MAX_RECENT:
            self.recent.takeItem(self.recent.count() - 1)
        if ack.verdict == "place":
            self._host.current = svc.get_inspection(
                session=self._session, inspection_id=current.id, clock=clock
            )
        else:
            self._host.current = replace(current, found=ack.found, expected=ack.expected)
        self.show_counts()
        self._host.shown_own(Changes.of("inspections"))  # no reload of the page per scan

    def resolve(self, action: str) -> None:
        """Settle the selected difference explicitly."""
        diff_id = selected_data(self.differences)
        if diff_id is None:
            return
        box_id = location_id = None
        note = ""
        if action == "moved":
            target = self._ask_target()
            if target is None:
                return
            box_id, location_id = target
        else:
            prompt = self.tr("报失说明（可不填）：") if action == "lost" else self.tr("说明：")
            note, ok = QInputDialog.getText(self, self.tr("处理差异"), prompt)
            if not ok:
                return
        self.attempt(
            svc.resolve_difference,
            difference_id=diff_id,
            action=action,
            note=note,
            box_id=box_id,
            location_id=location_id,
        )
        self._host.refresh()

    def _ask_target(self) -> tuple[int | None, int | None] | None:
        """(box id, place id) the volume goes back to, asked by code (None: cancelled)."""
        code, ok = QInputDialog.getText(
            self, self.tr("归位"), self.tr("移到哪个档案盒或位置（盒号或位置编码）：")
        )
        if not ok or not code.strip():
            return None
        try:
            target = locations.resolve_scan(
                session=self._session, text=code.strip(), clock=self._context.clock
            )
        except (AppError, ValueError) as exc:
            self.ack.setText(
                message_for(exc) if isinstance(exc, AppError) else self.tr("编码格式不正确")
            )
            return None
        if target is None or target.kind.value not in ("box", "location"):
            self.ack.setText(self.tr("请填写档案盒号或位置编码"))
            return None
        if target.kind.value == "box":
            return target.object_id, None
        return None, target.object_id
