"""New volume (案卷) and new item (卷内文件) dialogs, with messages next to the fields."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QStringListModel, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from app.domain.catalogue import (
    CARRIER_LABELS,
    DEFAULT_TERM_YEARS,
    RETENTION_LABELS,
    SECRECY_LABELS,
    Carrier,
    Retention,
    SecrecyLevel,
)
from app.errors import AppError
from app.services.catalogue import ItemDraft, VolumeDetails, VolumeDraft
from ui.dialogs.form import FormDialog
from ui.geometry import fit_to_screen
from ui.widgets.dates import date_edit, day_of


class _OptionalDate(QWidget):
    """A date that may be left empty (a checkbox switches it on)."""

    def __init__(self, name: str, today: date, checked: bool) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.enabled = QCheckBox(objectName=f"{name}_set")
        self.edit = date_edit(name, today)
        self.enabled.setChecked(checked)
        self.edit.setEnabled(checked)
        self.enabled.toggled.connect(self.edit.setEnabled)
        layout.addWidget(self.enabled)
        layout.addWidget(self.edit, 1)

    def value(self) -> date | None:
        """The date, or None when switched off."""
        if not self.enabled.isChecked():
            return None
        return day_of(self.edit)


class _CatalogueForm(FormDialog):
    """A catalogue form whose ``submit`` is a callback given by the page (it calls the service)."""

    def __init__(
        self, parent: QWidget | None, *, title: str, object_name: str, submit: Any
    ) -> None:
        super().__init__(parent, title=title, object_name=object_name)
        self._submit_fn = submit

    def submit(self) -> Any:
        """Run the page's callback with this dialog."""
        return self._submit_fn(self)

    def _filing_rows(self, details: VolumeDetails, today: date) -> None:
        """The 立卷 fields of the 备考表 (立卷人, 检查人, 立卷时间, 本卷情况说明), filled in."""
        self.compiled_by = QLineEdit(details.compiled_by, objectName="compiled_by")
        self.checked_by = QLineEdit(details.checked_by, objectName="checked_by")
        hint = self.tr("填写备考表任一项时必填（打印备考表的要求）")
        self.compiled_by.setPlaceholderText(hint)
        self.checked_by.setPlaceholderText(hint)
        self.compiled_on = _OptionalDate(
            "compiled_on", details.compiled_on or today, checked=details.compiled_on is not None
        )
        self.notes = QPlainTextEdit(details.notes, objectName="notes")
        self.notes.setPlaceholderText(
            self.tr("本卷情况说明：如文件缺损、修改、补充、移出、销毁等情况；不能为空或只写“无”")
        )
        self.notes.setFixedHeight(80)
        for label, widget, field in (
            (self.tr("立卷人"), self.compiled_by, "compiled_by"),
            (self.tr("检查人"), self.checked_by, "checked_by"),
            (self.tr("立卷时间"), self.compiled_on, "compiled_on"),
            (self.tr("本卷情况说明"), self.notes, "notes"),
        ):
            self.add_field(label, widget, field)


def _whole_code(text: str) -> bool:
    """A complete 客户编号 (KH and 8 digits) or a scanned code with its check character."""
    from app.domain.scan_codes import read_code

    if len(text) == 10 and text[:2].upper() == "KH" and text[2:].isdigit():
        return True
    return read_code(text)[1] is not None and not text.isdigit() and text[:2].upper() == "KH"


class VolumeFormDialog(_CatalogueForm):
    """新建案卷: customer (picked by name, pinyin or number), year, title, retention, 立卷 details.

    ``find_customers(text)`` (optional) returns ``(客户编号, 名称)`` pairs for what is typed; they
    are offered as the user types and picking one puts its 客户编号 in the box.
    """

    def __init__(
        self,
        parent: QWidget | None,
        today: date,
        submit: Any,
        find_customers: Callable[[str], Sequence[tuple[str, str]]] | None = None,
    ) -> None:
        super().__init__(parent, title="", object_name="VolumeFormDialog", submit=submit)
        self.setWindowTitle(self.tr("新建案卷"))
        self.customer = QLineEdit(objectName="customer")
        self.customer.setPlaceholderText(self.tr("客户名称、拼音或客户编号（可扫码）"))
        self._find_customers = find_customers
        self.customer_choices = QStringListModel(self)
        self.completer = QCompleter(self.customer_choices, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.customer.setCompleter(self.completer)
        self.customer.textEdited.connect(self._offer_customers)
        self.completer.activated.connect(self.pick_customer)
        self.year = QSpinBox(objectName="year")
        self.year.setRange(1900, today.year + 1)
        self.year.setValue(today.year)
        self.title_edit = QLineEdit(objectName="title")
        self.retention = QComboBox(objectName="retention")
        for r in Retention:
            self.retention.addItem(RETENTION_LABELS[r], r.value)
        self.org_code = QLineEdit(objectName="org_code")
        self.org_code.setPlaceholderText(self.tr("档号规则含机构代码时必填，如 BGS"))
        for label, widget, field in (
            (self.tr("客户编号"), self.customer, "customer"),
            (self.tr("年度"), self.year, "year"),
            (self.tr("案卷题名"), self.title_edit, "title"),
            (self.tr("保管期限"), self.retention, "retention"),
            (self.tr("机构（问题）代码"), self.org_code, "org_code"),
        ):
            self.add_field(label, widget, field)
        self._filing_rows(VolumeDetails("", "", "", today, ""), today)
        self.finish()
        fit_to_screen(self, 520, 560)

    def _offer_customers(self, text: str) -> None:
        """Search as the user types (names, pinyin, numbers)."""
        text = text.strip()
        if self._find_customers is None or not text:
            return
        if text[:2].upper() == "KH" and text[2:].isdigit():
            text = text.upper()  # a 客户编号 typed in lower case
        if _whole_code(text):  # a whole 客户编号 or a scan: Enter goes on, no list in the way
            self.completer.popup().hide()
            self.customer_choices.setStringList([])
            return
        try:
            found = self._find_customers(text)
        except AppError:
            found = []
        self.customer_choices.setStringList([f"{number}  {name}" for number, name in found])
        if found:
            self.completer.complete()

    def pick_customer(self, choice: str) -> None:
        """A customer chosen from the list: its 客户编号 goes in the box."""
        number = choice.split()[0] if choice.split() else ""
        QTimer.singleShot(0, lambda: self.customer.setText(number))  # after the completer

    def customer_code(self) -> str:
        """The typed or scanned customer code (a picked entry's 客户编号)."""
        parts = self.customer.text().split()
        return parts[0] if len(parts) > 1 and parts[0][:2].upper() == "KH" else self.customer.text()

    def draft(self, customer_id: int) -> VolumeDraft:
        """The typed volume for ``customer_id``."""
        return VolumeDraft(
            customer_id=customer_id,
            year=self.year.value(),
            title=self.title_edit.text(),
            retention=str(self.retention.currentData()),
            org_code=self.org_code.text(),
            compiled_by=self.compiled_by.text(),
            checked_by=self.checked_by.text(),
            compiled_on=self.compiled_on.value(),
            notes=self.notes.toPlainText(),
        )


class ItemFormDialog(_CatalogueForm):
    """添加卷内文件: title, 文号, 责任者, date, pages, carrier and secrecy."""

    def __init__(self, parent: QWidget | None, reference_code: str, today: date, submit: Any):
        super().__init__(parent, title="", object_name="ItemFormDialog", submit=submit)
        self.setWindowTitle(self.tr("添加卷内文件 — {0}").format(reference_code))
        self.title_edit = QLineEdit(objectName="title")
        self.doc_number = QLineEdit(objectName="doc_number")
        self.author = QLineEdit(objectName="author")
        self.doc_date = _OptionalDate("doc_date", today, checked=True)
        self.page_from = QSpinBox(objectName="page_from")
        self.page_from.setRange(0, 99999)
        self.page_from.setSpecialValueText(self.tr("（无）"))
        self.page_to = QSpinBox(objectName="page_to")
        self.page_to.setRange(0, 99999)
        self.page_to.setSpecialValueText(self.tr("（同起始页）"))
        self.carrier = QComboBox(objectName="carrier")
        for c in Carrier:
            self.carrier.addItem(CARRIER_LABELS[c], c.value)
        self.secrecy = QComboBox(objectName="secrecy_level")
        self.secrecy.addItem(self.tr("无"), None)
        for s in SecrecyLevel:
            self.secrecy.addItem(SECRECY_LABELS[s], s.value)
        self.term = QSpinBox(objectName="secrecy_term_years")
        self.term.setRange(0, 50)
        self.term.setSpecialValueText(self.tr("默认（秘密10年/机密20年/绝密30年）"))
        self.since = _OptionalDate("secrecy_since", today, checked=True)
        self.remarks = QLineEdit(objectName="remarks")
        self.secrecy.currentIndexChanged.connect(self._secrecy_changed)
        for label, widget, field in (
            (self.tr("题名"), self.title_edit, "title"),
            (self.tr("文号"), self.doc_number, "doc_number"),
            (self.tr("责任者"), self.author, "author"),
            (self.tr("日期"), self.doc_date, "doc_date"),
            (self.tr("起始页号"), self.page_from, "page_from"),
            (self.tr("终止页号"), self.page_to, "page_to"),
            (self.tr("载体"), self.carrier, "carrier"),
            (self.tr("密级"), self.secrecy, "secrecy_level"),
            (self.tr("保密期限（年）"), self.term, "secrecy_term_years"),
            (self.tr("定密日期"), self.since, "secrecy_since"),
            (self.tr("备注"), self.remarks, "remarks"),
        ):
            self.add_field(label, widget, field)
        self.finish()
        self._secrecy_changed()
        fit_to_screen(self, 540, 600)

    def _secrecy_changed(self) -> None:
        classified = self.secrecy.currentData() is not None
        self.term.setEnabled(classified)
        self.since.setEnabled(classified)
        level = self.secrecy.currentData()
        if level:
            self.term.setToolTip(
                self.tr("不填时按 {0} 年").format(DEFAULT_TERM_YEARS[SecrecyLevel(level)])
            )

    def draft(self) -> ItemDraft:
        """The typed item."""
        level = self.secrecy.currentData()
        return ItemDraft(
            title=self.title_edit.text(),
            doc_number=self.doc_number.text(),
            author=self.author.text(),
            doc_date=self.doc_date.value(),
            page_from=self.page_from.value() or None,
            page_to=(self.page_to.value() or None) if self.page_from.value() else None,
            carrier=str(self.carrier.currentData()),
            secrecy_level=level,
            secrecy_term_years=(self.term.value() or None) if level else None,
            secrecy_since=self.since.value() if level else None,
            remarks=self.remarks.text(),
        )


class VolumeDetailsDialog(_CatalogueForm):
    """修改案卷信息: title and the 立卷 details printed on the 卷内备考表 (档号 never changes)."""

    def __init__(
        self,
        parent: QWidget | None,
        reference_code: str,
        details: VolumeDetails,
        today: date,
        submit: Any,
    ) -> None:
        super().__init__(parent, title="", object_name="VolumeDetailsDialog", submit=submit)
        self.setWindowTitle(self.tr("修改案卷信息 — {0}").format(reference_code))
        self.title_edit = QLineEdit(details.title, objectName="title")
        self.add_field(self.tr("案卷题名"), self.title_edit, "title")
        self._filing_rows(details, today)
        self.finish()
        fit_to_screen(self, 540, 420)

    def details(self) -> VolumeDetails:
        """The typed details."""
        return VolumeDetails(
            title=self.title_edit.text(),
            compiled_by=self.compiled_by.text(),
            checked_by=self.checked_by.text(),
            compiled_on=self.compiled_on.value(),
            notes=self.notes.toPlainText(),
        )


# -- kept only for ui/dialogs/locations.py, which still imports these; delete both once its
