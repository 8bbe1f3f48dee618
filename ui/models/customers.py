"""Windowed table model of customers: knows the row count, reads rows by id in pages.

Two ways to fill it:

* :meth:`CustomerTableModel.set_ids` / :meth:`set_rows`: a known id list (search results).
* :meth:`start_listing`: the whole (filtered) registry. The model gets the row count and
  the ids at both ends, so the first and the last rows paint at once; :meth:`extend` then
  fills the row-to-id map slice by slice (the page feeds it in idle time). Rows in between
  that are not mapped yet show "加载中…" for that moment.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.domain.customers import LABELS, Category, Importance, Kind, Party, Status
from app.services.customers import CustomerRow

Index = QModelIndex | QPersistentModelIndex
LONG_CELL = 12  # characters: a longer cell may be elided, its tooltip shows it whole
PAGE = 50  # rows read per window: a screenful, so the first paint stays quick


def label(enum: type[Any], value: str) -> str:
    """Chinese label of an enum value (the raw value when unknown)."""
    try:
        return LABELS[enum(value)]
    except (ValueError, KeyError):
        return value


def _missing(customer_id: int, name: str = "（已删除或无法读取）") -> CustomerRow:
    return CustomerRow(
        id=customer_id,
        number="—",
        name=name,
        party="",
        kind="",
        category="",
        status="",
        importance="",
        id_number="",
        phone="",
        suspected_duplicate=False,
    )


class CustomerTableModel(QAbstractTableModel):
    """Rows are an id list; row data comes from ``fetch(ids)`` one page at a time and is cached.

    ``fetch`` is the service call (``get_customer_rows``); the model never holds a session.
    """

    COLUMNS: ClassVar[list[str]] = [
        "客户编号",
        "名称",
        "性质",
        "类别",
        "状态",
        "重要程度",
        "证件号码",
        "电话",
    ]

    SORTABLE: ClassVar[tuple[str, ...]] = (
        "number",
        "name",
        "party",
        "category",
        "status",
        "importance",
    )  # sort key per column (the page lists in that order); ID and phone cannot be sorted

    def __init__(self, fetch: Callable[[list[int]], list[CustomerRow]]) -> None:
        super().__init__()
        self._fetch = fetch
        self._ids: list[int] | array[int] = []
        self._count = 0  # rows shown; while listing, more than the ids mapped so far
        self._tail: list[int] = []  # while listing: the last ids, so the end paints at once
        self._complete = True
        self._cache: dict[int, CustomerRow] = {}
        self._highlight = ""

    # -- content ------------------------------------------------------------------------
    def set_ids(self, ids: list[int], highlight: str = "") -> None:
        """Show these customers (a list view or search result)."""
        self.beginResetModel()
        self._ids = list(ids)
        self._count, self._tail, self._complete = len(self._ids), [], True
        self._cache.clear()
        self._highlight = highlight
        self.endResetModel()

    def start_listing(self, count: int, head: list[int], tail: list[int]) -> None:
        """Show ``count`` customers knowing only the first (``head``) and last (``tail``) ids."""
        self.beginResetModel()
        self._ids = array("q", head)
        self._count = max(count, len(head))
        self._tail = tail if len(head) < self._count else []
        self._complete = len(head) >= self._count
        self._cache.clear()
        self._highlight = ""
        self.endResetModel()

    @property
    def complete(self) -> bool:
        """True when every row's id is known."""
        return self._complete

    def extend(self, ids: list[int], *, last: bool) -> None:
        """Map the next ``ids`` (list order); ``last``: nothing follows them."""
        if self._complete:
            return
        assert isinstance(self._ids, array)
        start = len(self._ids)
        self._ids.extend(ids)
        mapped = len(self._ids)
        if last or mapped >= self._count:
            self._complete, self._tail = True, []
            if mapped != self._count:  # customers came or went meanwhile: the exact count
                self.beginResetModel()
                self._count = mapped
                self.endResetModel()
                return
        if mapped > start:
            self.dataChanged.emit(
                self.index(start, 0),
                self.index(min(mapped, self._count) - 1, len(self.COLUMNS) - 1),
            )

    def set_rows(
        self, rows: list[CustomerRow], highlight: str = "", all_ids: list[int] | None = None
    ) -> None:
        """Show search results: the first rows already read, the rest (``all_ids``) on demand."""
        self.beginResetModel()
        self._ids = list(all_ids) if all_ids else [r.id for r in rows]
        self._count, self._tail, self._complete = len(self._ids), [], True
        self._cache = {r.id: r for r in rows}
        self._highlight = highlight
        self.endResetModel()

    def id_at(self, row: int) -> int | None:
        """Customer id in ``row`` (None while the list has not mapped that row yet)."""
        if row < len(self._ids):
            return self._ids[row]
        tail_start = self._count - len(self._tail)
        if self._tail and tail_start <= row < self._count:
            return self._tail[row - tail_start]
        return None

    def _page_ids(self, row: int) -> list[int]:
        start = (row // PAGE) * PAGE
        ids = (self.id_at(r) for r in range(start, min(start + PAGE, self._count)))
        return [i for i in ids if i is not None]

    def row_at(self, row: int) -> CustomerRow | None:
        """The DTO in ``row`` (fetching its page when needed)."""
        cid = self.id_at(row)
        if cid is None:
            return _missing(0, self.tr("加载中…"))
        if cid not in self._cache:
            page_ids = self._page_ids(row)
            if len(self._cache) > 20 * PAGE:
                self._cache.clear()
            fetched = {r.id: r for r in self._fetch(page_ids)}
            for pid in page_ids:
                # ids the fetch did not return (deleted meanwhile, or a read error) get a
                # placeholder so repainting does not fetch the whole page again and again
                self._cache[pid] = fetched.get(pid) or _missing(pid)
        return self._cache.get(cid)

    @property
    def highlight(self) -> str:
        """The search text to highlight in names."""
        return self._highlight

    # -- Qt API -------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Number of customers shown."""
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Number of columns."""
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles."""
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == Qt.ItemDataRole.DisplayRole and horizontal and 0 <= section < len(self.COLUMNS):
            return self.tr(self.COLUMNS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text; 疑似重复 rows are tinted and say so in the tooltip."""
        if not index.isValid() or not 0 <= index.row() < self._count:
            return None
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.BackgroundRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            return QColor("#fff3cd") if row.suspected_duplicate else None
        values = [
            row.number + (" ⚠" if row.suspected_duplicate else ""),
            row.name,
            label(Party, row.party),
            label(Kind, row.kind) + "·" + label(Category, row.category),
            label(Status, row.status),
            label(Importance, row.importance),
            row.id_number,
            row.phone,
        ]
        if role == Qt.ItemDataRole.ToolTipRole:  # a long name may be elided: shown whole here
            text = values[index.column()]
            whole = text if len(text) > LONG_CELL else ""
            note = self.tr("疑似重复，待审批人复核") if row.suspected_duplicate else ""
            return "\n".join(t for t in (whole, note) if t) or None
        return values[index.column()]
