"""Typed errors to Chinese messages (through Qt's translation) and error display helpers."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from app.errors import AppError, ValidationFailed
from app.messages import describe, describe_field_error

if TYPE_CHECKING:
    from app.services.auth import SignedIn
    from ui.context import AppContext

log = logging.getLogger(__name__)
T = TypeVar("T")


def _tr(text: str) -> str:
    return QCoreApplication.translate("messages", text)


def message_for(error: AppError) -> str:
    """Return the translated message for ``error``."""
    return describe(error, _tr)


def show_error(parent: QWidget | None, error: AppError, title: str | None = None) -> None:
    """Show ``error`` in a modal message box."""
    QMessageBox.warning(
        parent, title or QCoreApplication.translate("errors", "无法完成操作"), message_for(error)
    )


def show_unexpected(parent: QWidget | None, exc: BaseException) -> None:
    """Show a bug as a plain message, never a traceback (the log has the details).

    The log gets the error's type and where it was raised, never its message: a driver's
    message may quote the values of a statement.
    """
    where = "".join(traceback.format_tb(exc.__traceback__)[-8:])
    log.error("unexpected %s, raised at:\n%s", type(exc).__name__, where)
    QMessageBox.critical(
        parent,
        QCoreApplication.translate("errors", "程序错误"),
        QCoreApplication.translate(
            "errors",
            "发生了意外错误（{kind}），操作未完成，数据未被修改。请重试；如反复出现，请联系系统管理员。",
        ).format(kind=type(exc).__name__),
    )


class Refused(Enum):
    """What :meth:`UseCases.attempt` returns for a refused use case (the refusal was shown)."""

    REFUSED = "refused"


REFUSED = Refused.REFUSED


class UseCases:
    """For a widget holding ``_session`` (who works) and ``_context`` (the clock): its actions.

    :meth:`attempt` calls a use case as that user at that clock and shows a refusal in a message
    box, in place of the ``session=``/``clock=`` arguments and the ``try``/``except
    AppError``/``show_error`` around every such call.
    """

    _session: SignedIn
    _context: AppContext

    def attempt(self, use_case: Callable[..., T], /, **arguments: Any) -> T | Refused:
        """``use_case(session=, clock=, **arguments)``; REFUSED once a refusal is shown."""
        try:
            return use_case(session=self._session, clock=self._context.clock, **arguments)
        except AppError as exc:
            show_error(self if isinstance(self, QWidget) else None, exc)
            return REFUSED


class FieldErrors:
    """Red labels next to form fields; ``show`` distributes a ValidationFailed over them."""

    def __init__(self) -> None:
        self._labels: dict[str, QLabel] = {}

    def label_for(self, field: str) -> QLabel:
        """Return (creating) the error label of ``field``; place it under the field."""
        label = self._labels.get(field)
        if label is None:
            label = QLabel()
            label.setObjectName(f"error_{field}")
            label.setStyleSheet("color: #b00020;")
            label.setWordWrap(True)
            label.hide()
            self._labels[field] = label
        return label

    def bind(self, field: str, label: QLabel) -> None:
        """Show ``field``'s messages in ``label`` (list rows re-bind theirs as rows come and go)."""
        label.setObjectName(f"error_{field}")
        label.setStyleSheet("color: #b00020;")
        label.setWordWrap(True)
        self._labels[field] = label

    def forget(self, group: str) -> None:
        """Drop the labels of the ``group.N`` fields (a list about to number its rows again)."""
        for field in [f for f in self._labels if f.startswith(group + ".")]:
            del self._labels[field]

    def clear(self) -> None:
        """Hide every message."""
        for label in self._labels.values():
            label.clear()
            label.hide()

    def show(self, error: ValidationFailed) -> list[str]:
        """Show each field's message; return messages for fields without a label."""
        self.clear()
        leftovers: list[str] = []
        by_field: dict[str, list[str]] = {}
        for item in error.errors:
            by_field.setdefault(item.field, []).append(describe_field_error(item, _tr))
        for field, texts in by_field.items():
            if field in self._labels:
                self._labels[field].setText("\n".join(texts))
                self._labels[field].show()
            else:
                leftovers.extend(texts)
        return leftovers

    def text(self, field: str) -> str:
        """Return the message currently shown for ``field``."""
        label = self._labels.get(field)
        return label.text() if label is not None and not label.isHidden() else ""


def save_with_status(
    parent: QWidget, errors: FieldErrors, status: QLabel, save: Callable[[], object]
) -> bool:
    """Run ``save``; True when it saved (``status`` then says 已保存).

    A refusal of fields shows beside them (the rest in ``status``); any other refusal in a
    message box.
    """
    errors.clear()
    try:
        save()
    except ValidationFailed as exc:
        status.setText("\n".join(errors.show(exc)))
        return False
    except AppError as exc:
        show_error(parent, exc)
        return False
    status.setText(_tr("已保存。"))
    return True
