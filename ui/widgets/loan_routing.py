"""审批路线 editor (administrator): kind × secrecy level → the ordered approval steps (R30, R31)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.loans import (
    DEFAULT_ROUTING,
    KIND_LABELS,
    LEVEL_KEYS,
    LEVEL_LABELS,
    Routing,
    UseKind,
)
from app.domain.roles import TITLE_LABELS, ApproverTitle
from app.errors import AppError, ValidationFailed
from app.messages import describe_field_error
from app.services.auth import SignedIn
from app.services.loans import (
    LOAN_ROUTING,
    TITLE_ORDER,
    get_loan_settings,
    list_title_holders,
    update_loan_settings,
)
from ui.context import AppContext
from ui.errors import show_error
from ui.geometry import fit_to_screen

Cell = tuple[UseKind, str]  # (kind, level key)
KINDS = list(KIND_LABELS)
CLASSIFIED = ("confidential", "top_secret")
ERROR_BACKGROUND = QColor("#f8c9cf")
CHANGED_BACKGROUND = QColor("#ffe7a3")  # differs from the company default


def _tr_message(text: str) -> str:
    return QCoreApplication.translate("messages", text)


def cell_name(cell: Cell) -> str:
    """``外借/机密``: how the service names a cell in its errors."""
    return f"{KIND_LABELS[cell[0]]}/{LEVEL_LABELS[cell[1]]}"


def _title_label(titles: set[ApproverTitle]) -> str:
    return "或".join(TITLE_LABELS[t] for t in sorted(titles, key=TITLE_ORDER.index))


def _defaults(cell: Cell) -> list[set[ApproverTitle]]:
    return [set(step) for step in DEFAULT_ROUTING[cell[0]][cell[1]]]


SHOWN_HOLDERS = 3  # names beside a title; the rest are counted and listed in the tooltip


class LoanRoutingWidget(QWidget):
    """A table of cells; the selected cell's steps are edited in the panel beside it.

    Nothing is stored until 保存审批路线: the whole table goes through
    ``update_loan_settings`` (which validates, refuses an unsafe 机密/绝密 route and audits).
    Applications already filed keep the steps they were filed with.
    """

    def __init__(self, context: AppContext, session: SignedIn) -> None:
        super().__init__(objectName="LoanRoutingWidget")
        self._context = context
        self._session = session
        self._saved: dict[Cell, list[set[ApproverTitle]]] = {}
        self._cells: dict[Cell, list[set[ApproverTitle]]] = {}
        self._errors: dict[Cell, list[str]] = {}
        self._syncing = False
        self._build_ui()
        self._connect_signals()
        self.retranslate_ui()
        self.reload()

    # --- building ------------------------------------------------------------------------
    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        self.note = QLabel(objectName="routing_note")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        body = QHBoxLayout()
        self.table = QTableWidget(len(KINDS), len(LEVEL_KEYS), objectName="routing_table")
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setMinimumWidth(620)
        # a see-through selection: the selected cell's red or yellow stays visible
        palette = self.table.palette()
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            palette.setColor(group, QPalette.ColorRole.Highlight, QColor(26, 95, 180, 50))
            palette.setColor(group, QPalette.ColorRole.HighlightedText, QColor("black"))
        self.table.setPalette(palette)
        for row in range(len(KINDS)):
            for col in range(len(LEVEL_KEYS)):
                item = QTableWidgetItem()
                item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, col, item)
        left = QVBoxLayout()
        left.addWidget(self.table, 1)
        self.legend = QLabel(objectName="routing_legend")
        self.legend.setWordWrap(True)
        self.legend.setStyleSheet("color: #555;")
        left.addWidget(self.legend)
        body.addLayout(left, 3)

        self.panel = QGroupBox(objectName="routing_panel")
        panel = QVBoxLayout(self.panel)
        self.steps = QListWidget(objectName="routing_steps")
        self.steps.setMaximumHeight(120)
        panel.addWidget(self.steps)
        step_buttons = QHBoxLayout()
        self.add_button = QPushButton(objectName="add_step")
        self.remove_button = QPushButton(objectName="remove_step")
        self.up_button = QPushButton(objectName="step_up")
        self.down_button = QPushButton(objectName="step_down")
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            step_buttons.addWidget(button)
        panel.addLayout(step_buttons)
        self.titles_label = QLabel()
        panel.addWidget(self.titles_label)
        self.title_boxes: dict[ApproverTitle, QCheckBox] = {}
        for title in TITLE_ORDER:
            box = QCheckBox(TITLE_LABELS[title], objectName=f"step_title_{title.value}")
            self.title_boxes[title] = box
            panel.addWidget(box)
        self.rule_hint = QLabel(objectName="routing_rule_hint")
        self.rule_hint.setWordWrap(True)
        self.rule_hint.setStyleSheet("color: #555;")
        panel.addWidget(self.rule_hint)
        self.cell_error = QLabel(objectName="routing_cell_error")
        self.cell_error.setWordWrap(True)
        self.cell_error.setStyleSheet("color: #b00020;")
        panel.addWidget(self.cell_error)
        panel.addStretch()
        self.reset_cell_button = QPushButton(objectName="reset_cell")
        panel.addWidget(self.reset_cell_button)
        body.addWidget(self.panel, 2)
        layout.addLayout(body, 1)

        bottom = QHBoxLayout()
        self.reset_all_button = QPushButton(objectName="reset_all_routes")
        self.save_button = QPushButton(objectName="save_routes")
        self.status = QLabel(objectName="routing_status")
        self.status.setWordWrap(True)
        bottom.addWidget(self.reset_all_button)
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.save_button)
        layout.addLayout(bottom)

    def _connect_signals(self) -> None:
        self.table.currentCellChanged.connect(lambda *_: self._show_cell())
        self.steps.currentRowChanged.connect(lambda _row: self._show_step())
        self.add_button.clicked.connect(self.add_step)
        self.remove_button.clicked.connect(self.remove_step)
        self.up_button.clicked.connect(lambda: self.move_step(-1))
        self.down_button.clicked.connect(lambda: self.move_step(1))
        for title, box in self.title_boxes.items():
            box.toggled.connect(lambda on, t=title: self._title_toggled(t, on))
        self.reset_cell_button.clicked.connect(self.reset_cell)
        self.reset_all_button.clicked.connect(self.reset_all)
        self.save_button.clicked.connect(self.save)

    def retranslate_ui(self) -> None:
        """Set every visible string."""
        self.note.setText(
            self.tr(
                "每一格是一条审批路线：按顺序逐步审批，每一步由所列职务中的任一人签批"
                "（申请人本人不能审批）。机密、绝密材料的路线必须有一步只能由客服部经理"
                "或总经理签批（R31）。选中一格即可在右侧修改；修改后点“保存审批路线”，"
                "新提交的申请按新路线审批，已提交的申请不受影响。"
            )
        )
        self.table.setHorizontalHeaderLabels([LEVEL_LABELS[k] for k in LEVEL_KEYS])
        self.table.setVerticalHeaderLabels([KIND_LABELS[k] for k in KINDS])
        self.add_button.setText(self.tr("添加一步"))
        self.remove_button.setText(self.tr("删除此步"))
        self.up_button.setText(self.tr("上移"))
        self.down_button.setText(self.tr("下移"))
        self.titles_label.setText(self.tr("可签批此步的职务（任一人即可；括号内为现任审批人）："))
        self._name_holders()
        self.legend.setText(
            self.tr("黄色：与默认路线不同；粗体：已修改、尚未保存；红色【不符合要求】：未能保存。")
        )
        self.reset_cell_button.setText(self.tr("本格恢复默认"))
        self.reset_all_button.setText(self.tr("全部恢复默认"))
        self.save_button.setText(self.tr("保存审批路线"))
        self._show_cell()

    def _name_holders(self) -> None:
        """Each title with the people who hold it now: routes name people, not only posts."""
        try:
            holders = list_title_holders(session=self._session, clock=self._context.clock)
        except AppError:
            holders = {}
        self.holders = holders
        for title, box in self.title_boxes.items():
            people = holders.get(title, [])
            names = "、".join(people[:SHOWN_HOLDERS]) or self.tr("无人担任")
            if len(people) > SHOWN_HOLDERS:  # the panel stays narrow; all of them in the tooltip
                names += self.tr(" 等 {0} 人").format(len(people))
            box.setText(self.tr("{0}（{1}）").format(TITLE_LABELS[title], names))
            box.setToolTip("、".join(people))

    # --- state ---------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the table in force; unsaved edits are dropped."""
        self._name_holders()
        routing = get_loan_settings(session=self._session, clock=self._context.clock).routing
        self._saved = self._from_routing(routing)
        self._cells = {cell: [set(s) for s in steps] for cell, steps in self._saved.items()}
        self._errors = {}
        self._refresh_table()
        if self.table.currentRow() < 0:
            self.table.setCurrentCell(0, 0)
        self._show_cell()

    @staticmethod
    def _from_routing(routing: Routing) -> dict[Cell, list[set[ApproverTitle]]]:
        return {
            (kind, level): [set(step) for step in routing[kind][level]]
            for kind in KINDS
            for level in LEVEL_KEYS
        }

    def is_dirty(self) -> bool:
        """True when an edit is not saved yet."""
        return self._cells != self._saved

    def current_cell(self) -> Cell:
        """The selected cell (the first one when none is)."""
        row = max(self.table.currentRow(), 0)
        col = max(self.table.currentColumn(), 0)
        return KINDS[row], LEVEL_KEYS[col]

    def select_cell(self, kind: UseKind, level: str) -> None:
        """Select the cell of ``kind`` and ``level`` (a level key such as ``confidential``)."""
        self.table.setCurrentCell(KINDS.index(kind), LEVEL_KEYS.index(level))

    def cell_text(self, kind: UseKind, level: str) -> str:
        """What the table shows for a cell."""
        item = self.table.item(KINDS.index(kind), LEVEL_KEYS.index(level))
        return item.text() if item is not None else ""

    def cell_errors(self, kind: UseKind, level: str) -> list[str]:
        """Messages shown next to a cell after a refused save."""
        return list(self._errors.get((kind, level), []))

    def _steps_text(self, steps: list[set[ApproverTitle]]) -> str:
        if not steps:
            return self.tr("（没有审批环节）")
        return "\n".join(
            f"{n}. {_title_label(step) if step else self.tr('（未选职务）')}"
            for n, step in enumerate(steps, start=1)
        )

    def _refresh_table(self) -> None:
        for row, kind in enumerate(KINDS):
            for col, level in enumerate(LEVEL_KEYS):
                self._refresh_item(row, col, (kind, level))
        self.table.resizeRowsToContents()
        self._update_status()

    def _refresh_item(self, row: int, col: int, cell: Cell) -> None:
        item = self.table.item(row, col)
        if item is None:
            return
        steps = self._cells[cell]
        errors = self._errors.get(cell)
        text = self._steps_text(steps)
        item.setText(self.tr("【不符合要求】") + "\n" + text if errors else text)
        font = QFont(self.table.font())
        font.setBold(steps != self._saved.get(cell))  # bold: changed, not saved yet
        item.setFont(font)
        changed = steps != _defaults(cell)
        if errors:
            item.setBackground(QBrush(ERROR_BACKGROUND))
        else:
            item.setBackground(QBrush(CHANGED_BACKGROUND) if changed else QBrush())
        tips = [*errors] if errors else []
        if changed:
            tips.append(self.tr("与默认路线不同"))
        item.setToolTip("\n".join(tips))

    def _update_status(self) -> None:
        if self._errors:
            return  # the refusal stays visible until the next save
        self.status.setText(self.tr("有未保存的修改（粗体格子）。") if self.is_dirty() else "")

    def _changed(self) -> None:
        cell = self.current_cell()
        self._errors.pop(cell, None)
        self._refresh_item(KINDS.index(cell[0]), LEVEL_KEYS.index(cell[1]), cell)
        self.table.resizeRowsToContents()
        self._update_status()

    # --- the panel -----------------------------------------------------------------------
    def _show_cell(self) -> None:
        if not self._cells:
            return
        cell = self.current_cell()
        self.panel.setTitle(self.tr("{0} 的审批步骤").format(cell_name(cell)))
        keep = self.steps.currentRow()
        self._syncing = True
        self.steps.clear()
        for n, step in enumerate(self._cells[cell], start=1):
            label = _title_label(step) if step else self.tr("（未选职务）")
            self.steps.addItem(self.tr("第 {0} 步：{1}").format(n, label))
        self._syncing = False
        count = self.steps.count()
        self.steps.setCurrentRow(min(max(keep, 0), count - 1) if count else -1)
        if cell[1] in CLASSIFIED:
            self.rule_hint.setText(
                self.tr("本格为{0}材料：须有一步只能由客服部经理或总经理签批。").format(
                    LEVEL_LABELS[cell[1]]
                )
            )
        else:
            self.rule_hint.setText("")
        self.cell_error.setText("\n".join(self._errors.get(cell, [])))
        self.reset_cell_button.setEnabled(self._cells[cell] != _defaults(cell))
        self._show_step()

    def _show_step(self) -> None:
        if self._syncing or not self._cells:
            return
        steps = self._cells[self.current_cell()]
        index = self.steps.currentRow()
        has = 0 <= index < len(steps)
        self._syncing = True
        for title, box in self.title_boxes.items():
            box.setEnabled(has)
            box.setChecked(has and title in steps[index])
        self._syncing = False
        self.remove_button.setEnabled(has)
        self.up_button.setEnabled(has and index > 0)
        self.down_button.setEnabled(has and index < len(steps) - 1)

    def _title_toggled(self, title: ApproverTitle, on: bool) -> None:
        if self._syncing:
            return
        steps = self._cells[self.current_cell()]
        index = self.steps.currentRow()
        if not 0 <= index < len(steps):
            return
        if on:
            steps[index].add(title)
        else:
            steps[index].discard(title)
        self._changed()
        self._show_cell()

    def add_step(self) -> None:
        """Add an empty step at the end of the selected cell's route (choose its titles next)."""
        steps = self._cells[self.current_cell()]
        steps.append(set())
        self._changed()
        self._show_cell()
        self.steps.setCurrentRow(len(steps) - 1)

    def remove_step(self) -> None:
        """Remove the selected step."""
        steps = self._cells[self.current_cell()]
        index = self.steps.currentRow()
        if 0 <= index < len(steps):
            del steps[index]
            self._changed()
            self._show_cell()

    def move_step(self, delta: int) -> None:
        """Move the selected step earlier (-1) or later (+1)."""
        steps = self._cells[self.current_cell()]
        index = self.steps.currentRow()
        target = index + delta
        if 0 <= index < len(steps) and 0 <= target < len(steps):
            steps[index], steps[target] = steps[target], steps[index]
            self._changed()
            self._show_cell()
            self.steps.setCurrentRow(target)

    def reset_cell(self) -> None:
        """Put the selected cell back to the company default (saved with 保存审批路线)."""
        self._cells[self.current_cell()] = _defaults(self.current_cell())
        self._changed()
        self._show_cell()

    def reset_all(self) -> None:
        """Put every cell back to the company defaults (saved with 保存审批路线)."""
        self._cells = {cell: _defaults(cell) for cell in self._cells}
        self._errors = {}
        self._refresh_table()
        self._show_cell()

    # --- saving --------------------------------------------------------------------------
    def _local_errors(self) -> dict[Cell, list[str]]:
        """Steps the service would only call 不正确: say what is missing instead."""
        errors: dict[Cell, list[str]] = {}
        for cell, steps in self._cells.items():
            if not steps:
                errors.setdefault(cell, []).append(
                    self.tr("{0}：至少要有一步审批").format(cell_name(cell))
                )
            for n, step in enumerate(steps, start=1):
                if not step:
                    errors.setdefault(cell, []).append(
                        self.tr("{0}：第 {1} 步没有选择可签批的职务").format(cell_name(cell), n)
                    )
        return errors

    def _service_errors(self, exc: ValidationFailed) -> tuple[dict[Cell, list[str]], list[str]]:
        by_name = {cell_name(cell): cell for cell in self._cells}
        errors: dict[Cell, list[str]] = {}
        other: list[str] = []
        for item in exc.errors:
            text = describe_field_error(item, _tr_message)
            cell = by_name.get(str(item.params.get("cell", "")))
            if cell is not None:
                errors.setdefault(cell, []).append(text)
            else:
                other.append(text)
        return errors, other

    def table_json(self) -> dict[str, dict[str, list[list[str]]]]:
        """The edited table in the ``loan_routing`` setting's form."""
        return {
            kind.value: {
                level: [sorted(t.value for t in step) for step in self._cells[(kind, level)]]
                for level in LEVEL_KEYS
            }
            for kind in KINDS
        }

    def _show_errors(self, errors: dict[Cell, list[str]], other: list[str]) -> None:
        self._errors = errors
        self._refresh_table()
        count = len(errors)
        refusal = self.tr(
            "未保存：{0} 格的审批路线不符合要求（标有【不符合要求】的格子），请修改后再保存。"
        )
        lines = [refusal.format(count)] if count else []
        self.status.setText("\n".join([*lines, *other]))
        if errors:
            first = next(c for c in self._cells if c in errors)  # table order
            self.select_cell(*first)
        self._show_cell()

    def save(self) -> bool:
        """Store the whole table through the service; refused cells are marked and nothing saved."""
        self._errors = {}
        local = self._local_errors()
        if local:
            self._show_errors(local, [])
            return False
        try:
            update_loan_settings(
                session=self._session,
                changes={LOAN_ROUTING: self.table_json()},
                clock=self._context.clock,
            )
        except ValidationFailed as exc:
            self._show_errors(*self._service_errors(exc))
            return False
        except AppError as exc:
            show_error(self, exc)
            return False
        self.reload()
        self.status.setText(self.tr("已保存。新提交的申请按新的审批路线审批。"))
        return True


class LoanRoutingDialog(QDialog):
    """The routing editor in its own window, opened from 借阅设置."""

    def __init__(self, context: AppContext, session: SignedIn, parent: QWidget | None = None):
        super().__init__(parent, objectName="LoanRoutingDialog")
        layout = QVBoxLayout(self)
        self.editor = LoanRoutingWidget(context, session)
        layout.addWidget(self.editor, 1)
        row = QHBoxLayout()
        row.addStretch()
        self.close_button = QPushButton(objectName="close_routes")
        self.close_button.clicked.connect(self.reject)
        row.addWidget(self.close_button)
        layout.addLayout(row)
        fit_to_screen(self, 1080, 600)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        """Set every visible string."""
        self.setWindowTitle(self.tr("审批路线"))
        self.close_button.setText(self.tr("关闭"))

    def reject(self) -> None:
        """Close; unsaved edits are dropped only after asking."""
        if self.editor.is_dirty():
            answer = QMessageBox.question(
                self,
                self.tr("未保存的修改"),
                self.tr("审批路线有未保存的修改，关闭后这些修改将丢失。确定关闭？"),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        super().reject()
