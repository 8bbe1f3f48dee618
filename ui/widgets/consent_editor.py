"""The consent editor (R4): a consent (purposes, method, dates, signed form) or a legal basis.

Used by the customer form (registration) and the 添加同意 dialog of a customer.

The widgets are laid out by the caller's form (``rows()`` gives label, widget and field name so
that the service's field errors land next to them); ``read()`` turns them into the service's
``ConsentInput`` or a legal basis.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app.domain import privacy as rules
from app.errors import FieldError
from app.services.privacy import ConsentInput
from ui.files import open_file_name

CONSENT = "consent"  # the basis combo's value for 客户同意


def _tr(text: str) -> str:
    return QCoreApplication.translate("ConsentEditor", text)


def parse_date(text: str, field: str, problems: list[FieldError]) -> date | None:
    """A typed YYYY-MM-DD date (None when empty); a wrong one adds a problem."""
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text.replace("/", "-").replace(".", "-"))
    except ValueError:
        problems.append(FieldError(field, "format", {"expected": "YYYY-MM-DD 格式的日期"}))
        return None


class ConsentEditor:
    """The widgets of one consent or legal basis entry."""

    def __init__(
        self,
        parent: QWidget,
        purposes: Sequence[str] = rules.DEFAULT_PURPOSES,
        bases: Sequence[str] = tuple(rules.DEFAULT_BASES),
        *,
        allow_basis: bool = True,
    ) -> None:
        self._parent = parent
        self.basis = QComboBox(parent, objectName="consent_basis")
        if allow_basis:
            self.basis.addItem(_tr("（请选择）"), None)
        self.basis.addItem(_tr("客户同意"), CONSENT)
        if allow_basis:
            for name in bases:
                self.basis.addItem(_tr("处理依据：{0}").format(name), name)
        self.purposes_box = QWidget(parent, objectName="consent_purposes")
        row = QHBoxLayout(self.purposes_box)
        row.setContentsMargins(0, 0, 0, 0)
        self.purpose_checks: dict[str, QCheckBox] = {}
        for name in purposes:
            check = QCheckBox(name, self.purposes_box, objectName=f"purpose_{name}")
            self.purpose_checks[name] = check
            row.addWidget(check)
        row.addStretch(1)
        self.method = QComboBox(parent, objectName="consent_method")
        for m in rules.Method:
            self.method.addItem(rules.METHOD_LABELS[m], m.value)
        self.given_on = QLineEdit(parent, objectName="consent_given_on")
        self.given_on.setPlaceholderText("YYYY-MM-DD")
        self.valid_until = QLineEdit(parent, objectName="consent_valid_until")
        self.valid_until.setPlaceholderText(_tr("YYYY-MM-DD，留空表示长期"))
        self.form_box = QWidget(parent, objectName="consent_form_box")
        form_row = QHBoxLayout(self.form_box)
        form_row.setContentsMargins(0, 0, 0, 0)
        self.form_button = QPushButton(
            _tr("附签字同意书…"), self.form_box, objectName="consent_form"
        )
        self.form_label = QLabel(_tr("（未附）"), self.form_box)
        form_row.addWidget(self.form_button)
        form_row.addWidget(self.form_label, 1)
        self.form_path: Path | None = None
        self.form_button.clicked.connect(self._pick_form)
        self.basis.currentIndexChanged.connect(self._sync)
        self._sync()

    def rows(self) -> list[tuple[str, QWidget, str]]:
        """``(label, widget, field)`` for the caller's form, in order."""
        return [
            (_tr("处理依据："), self.basis, "consent"),
            (_tr("同意用途："), self.purposes_box, "consent.purposes"),
            (_tr("同意方式："), self.method, "consent.method"),
            (_tr("同意日期："), self.given_on, "consent.given_on"),
            (_tr("有效期至："), self.valid_until, "consent.valid_until"),
            (_tr("签字同意书："), self.form_box, "consent.form"),
        ]

    def _sync(self) -> None:
        is_consent = self.basis.currentData() == CONSENT
        for w in (self.purposes_box, self.method, self.form_box):
            w.setEnabled(is_consent)

    def _pick_form(self) -> None:
        chosen = open_file_name(
            self._parent, "consent_form", _tr("选择签字同意书"), _tr("扫描件 (*.pdf *.jpg *.png)")
        )
        if chosen:
            self.set_form(Path(chosen))

    def set_form(self, path: Path) -> None:
        """Attach the signed form at ``path`` (its name shown masked to the first character)."""
        self.form_path = path
        self.form_label.setText(_tr("已选择（{0} 字节）").format(path.stat().st_size))

    def choose(self, basis: str | None, purposes: Sequence[str] = ()) -> None:
        """Select ``basis`` (``CONSENT`` or a legal basis) and tick ``purposes``."""
        self.basis.setCurrentIndex(max(self.basis.findData(basis), 0))
        for name, check in self.purpose_checks.items():
            check.setChecked(name in purposes)

    def read(self, problems: list[FieldError]) -> tuple[ConsentInput | None, str]:
        """The entry typed: ``(consent, "")``, ``(None, basis)`` or ``(None, "")`` (nothing)."""
        chosen = self.basis.currentData()
        given = parse_date(self.given_on.text(), "consent.given_on", problems)
        until = parse_date(self.valid_until.text(), "consent.valid_until", problems)
        if chosen is None:
            return None, ""
        if chosen != CONSENT:
            if given is None and until is None:
                return None, str(chosen)
            entry = ConsentInput(
                kind=rules.EntryKind.BASIS.value,
                basis=str(chosen),
                given_on=given,
                valid_until=until,
            )
            return entry, ""
        content = self.form_path.read_bytes() if self.form_path is not None else None
        entry = ConsentInput(
            kind=rules.EntryKind.CONSENT.value,
            purposes=tuple(n for n, c in self.purpose_checks.items() if c.isChecked()),
            method=str(self.method.currentData()),
            given_on=given,
            valid_until=until,
            form=content,
            form_name=self.form_path.name if self.form_path is not None else "",
        )
        return entry, ""
