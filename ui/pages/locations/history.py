"""The 移动记录 tab: the moves into and out of the selected place, read when the tab is shown."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QWidget

from app.errors import AppError
from app.services import locations as L
from ui.dialogs.locations import moment
from ui.errors import show_error
from ui.widgets.table_panel import TablePanel

COLUMNS = ("时间", "对象", "从", "到", "原因", "经办人")


def _cells(m: L.MoveRow) -> Sequence[str]:
    return (moment(m.occurred_at), m.label, m.from_code, m.to_code, m.reason, m.actor)


class MoveHistoryPanel(TablePanel):
    """Moves of one place; :meth:`load` reads them once per place (a face's history is long)."""

    def __init__(
        self, moves_of: Callable[[int], Sequence[L.MoveRow]], parent: QWidget | None = None
    ) -> None:
        super().__init__(name="move_history", columns=COLUMNS, cells=_cells, parent=parent)
        self._moves_of = moves_of
        self._for: int | None = None  # the place whose moves the tab should show
        self._shown: int | None = None  # the place whose moves it shows

    def show_for(self, location_id: int) -> None:
        """The place whose moves to show next time :meth:`load` is called."""
        self._for = location_id
        self._shown = None

    def load(self) -> None:
        """Read and show the moves of the place, unless they are shown already."""
        target = self._for
        if target is None or self._shown == target:
            return
        try:
            moves = self._moves_of(target)
        except AppError as exc:
            show_error(self, exc)
            return
        self._shown = target
        self.set_rows(moves)
