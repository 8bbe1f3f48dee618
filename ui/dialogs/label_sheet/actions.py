"""What the 打印标签 dialog may do (list, save, delete stocks; audit an output), and its memory.

:class:`SheetMemory` keeps, per computer and user, the last stock and where its sheet ends, so
the next labels go on the rest of a half-used sheet.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

from app.domain.label_stock import LabelStock
from app.printing.labels import LabelContent

if TYPE_CHECKING:
    from app.clock import Clock
    from app.services.auth import SignedIn

OutputRecorder = Callable[[Sequence[LabelContent], LabelStock, int, str], None]


@dataclass(frozen=True)
class LabelActions:
    """What the dialog may do; each raises ``AppError`` when refused."""

    list_stocks: Callable[[], list[LabelStock]]
    save_stock: Callable[[LabelStock], LabelStock]
    delete_stock: Callable[[str], None]
    record_output: OutputRecorder | None = None
    now: Callable[[], datetime] | None = None  # printed on the calibration page


def session_actions(session: SignedIn, clock: Clock) -> LabelActions:
    """The actions backed by ``app.services.locations.labels`` for the signed-in user."""
    from app.services.locations import labels as service

    def record(labels: Sequence[LabelContent], stock: LabelStock, start: int, kind: str) -> None:
        service.record_label_output(
            session=session, labels=labels, stock=stock, start=start, kind=kind, clock=clock
        )

    return LabelActions(
        list_stocks=lambda: service.list_label_stocks(session=session, clock=clock),
        save_stock=lambda stock: service.save_label_stock(
            session=session, stock=stock, clock=clock
        ),
        delete_stock=lambda key: service.delete_label_stock(session=session, key=key, clock=clock),
        record_output=record,
        now=clock.now,
    )


class SheetMemory:
    """Remembers, per computer and user (QSettings), the last stock and where its sheet ends.

    After a print the next free position of the last sheet is kept, so the next labels go on
    the rest of that sheet unless the user starts a new one.
    """

    def __init__(self, store: MutableMapping[str, object] | None = None) -> None:
        self._store = store

    def _get(self, key: str) -> object:
        if self._store is not None:
            return self._store.get(key)
        return QSettings().value(key)

    def _set(self, key: str, value: object) -> None:
        if self._store is not None:
            self._store[key] = value
        else:
            QSettings().setValue(key, value)

    def last_stock(self) -> str | None:
        """The key of the stock printed on last, if any."""
        value = self._get("labels/stock")
        return str(value) if value else None

    def next_start(self, stock: LabelStock) -> int:
        """The first free position of ``stock``'s last sheet (0 for a new sheet)."""
        try:
            value = int(str(self._get(f"labels/next_start/{stock.key}") or 0))
        except ValueError:
            return 0
        return value if 0 <= value < stock.per_page else 0

    def printed(self, stock: LabelStock, start: int, count: int) -> None:
        """Note that ``count`` labels went on ``stock`` from ``start``."""
        self._set("labels/stock", stock.key)
        self._set(f"labels/next_start/{stock.key}", (start + count) % stock.per_page)
