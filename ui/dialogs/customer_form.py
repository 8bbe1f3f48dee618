"""New-customer form: inline validation next to each field; Enter saves, Esc cancels.

Built on :class:`ui.dialogs.form.FormDialog` with ``enter_submits=True`` (Enter saves).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from app.domain.customers import (
    CLASS_RULES,
    FIELD_CLASSES,
    GENERAL_CATEGORIES,
    LABELS,
    Category,
    IdType,
    Importance,
    InfoClass,
    Kind,
    Party,
    Status,
)
from app.domain.privacy import DEFAULT_BASES, DEFAULT_PURPOSES
from app.errors import FieldError, ValidationFailed
from app.services.customers import (
    NO_RESPONSIBLE,
    AddressInput,
    BankAccountInput,
    CustomerChanges,
    CustomerDetail,
    CustomerDraft,
    Kept,
    PhoneInput,
)
from app.services.users import StaffRow
from ui.dialogs.form import FormDialog, add_form_row
from ui.widgets.consent_editor import ConsentEditor, parse_date
from ui.widgets.contact_list import ContactListEditor, ContactRow

_Item = TypeVar("_Item", PhoneInput, AddressInput, BankAccountInput)


def _combo(name: str, values: list[Any]) -> QComboBox:
    box = QComboBox(objectName=name)
    for v in values:
        box.addItem(LABELS[v], v.value)
    return box


class CustomerFormDialog(FormDialog):
    """Collects a :class:`CustomerDraft`; the caller runs the service and reports back.

    ``parse_errors`` holds problems found while reading the form itself (a date typed wrongly);
    they are shown like the service's own field errors. ``staff`` are the accounts offered as
    负责人员 (``services.users.list_staff``). ``register`` (new customer) or ``update``
    (existing one) calls the service; saving shows its errors next to the fields.
    """

    def __init__(
        self,
        parent: QWidget | None = None,
        existing: CustomerDetail | None = None,
        staff: Sequence[StaffRow] = (),
        *,
        register: Callable[[CustomerDraft], Any] | None = None,
        update: Callable[[CustomerChanges], Any] | None = None,
        purposes: Sequence[str] = DEFAULT_PURPOSES,
        bases: Sequence[str] = tuple(DEFAULT_BASES),
    ) -> None:
        super().__init__(parent, title="", object_name="CustomerFormDialog", enter_submits=True)
        self._register = register
        self._update = update
        self.setMinimumWidth(980)
        self.existing = existing
        self._purposes, self._bases = tuple(purposes), tuple(bases)
        self._staff = list(staff)
        self._initial_responsible: int | None = None
        self._build_ui()
        self._connect_signals()
        self.retranslate_ui()
        self._sync_choices()
        if existing is not None:
            self._load(existing)

    # -- construction -------------------------------------------------------------------
    def _add_rows(self, form: QFormLayout, rows: Sequence[tuple[str, QWidget, str]]) -> None:
        for label, widget, field in rows:
            add_form_row(form, self.errors, self.tr(label), widget, field)
            self.watch(widget, field)

    def _build_ui(self) -> None:
        grid = QGridLayout()
        self.layout_.addLayout(grid)

        basic = QGroupBox(self.tr("基本信息"))
        form = QFormLayout(basic)
        self.party = _combo("party", list(Party))
        self.kind = _combo("kind", list(Kind))
        self.category = QComboBox(objectName="category")
        self.name = QLineEdit(objectName="name")
        self.status = _combo("status", list(Status))
        self.importance = _combo("importance", [Importance.NORMAL, Importance.IMPORTANT])
        self._add_rows(
            form,
            (
                ("客户性质：", self.party, "party"),
                ("客户类型：", self.kind, "kind"),
                ("客户类别：", self.category, "category"),
                ("名称：", self.name, "name"),
                ("状态：", self.status, "status"),
                ("重要程度：", self.importance, "importance"),
            ),
        )
        self.responsible = QComboBox(objectName="responsible")
        self.responsible.addItem(self.tr("（未指定）"), None)
        for person in self._staff:
            self.responsible.addItem(f"{person.display_name}（{person.username}）", person.id)
        self._add_rows(
            form,
            (("负责人员：", self.responsible, "responsible_user_id"),),
        )
        grid.addWidget(basic, 0, 0)

        ident = QGroupBox(
            self.tr("证件（{classes}）").format(
                classes=class_labels(("id_number", "gender", "birth_date"))
            )
        )
        form = QFormLayout(ident)
        self.id_type = QComboBox(objectName="id_type")
        self.id_number = QLineEdit(objectName="id_number")
        self.gender = QComboBox(objectName="gender")
        self.gender.addItem(self.tr("（按证件自动）"), None)
        self.gender.addItem(self.tr("男"), "male")
        self.gender.addItem(self.tr("女"), "female")
        self.birth_date = QLineEdit(objectName="birth_date")
        self.birth_date.setPlaceholderText("YYYY-MM-DD")
        self._add_rows(
            form,
            (
                ("证件类型：", self.id_type, "id_type"),
                ("证件号码：", self.id_number, "id_number"),
                ("性别：", self.gender, "gender"),
                ("出生日期：", self.birth_date, "birth_date"),
            ),
        )
        grid.addWidget(ident, 0, 1)

        contacts = QGroupBox(
            self.tr("联系方式（{classes}，加密保存）").format(
                classes=class_labels(("phones", "bank_accounts", "addresses", "email"))
            )
        )
        form = QFormLayout(contacts)
        self.phone_list = ContactListEditor(
            group="phones",
            name="phone",
            errors=self.errors,
            add_text=self.tr("添加电话"),
            placeholder=self.tr("手机或固话，如 010-12345678 转 123"),
        )
        self.bank_list = ContactListEditor(
            group="bank_accounts",
            name="bank_account",
            errors=self.errors,
            add_text=self.tr("添加银行账号"),
            placeholder=self.tr("12–19 位数字"),
            extra_placeholder=self.tr("开户行"),
        )
        self.address_list = ContactListEditor(
            group="addresses",
            name="address",
            errors=self.errors,
            add_text=self.tr("添加地址"),
            placeholder=self.tr("省市区、街道门牌"),
        )
        form.addRow(self.tr("电话："), self.phone_list)
        form.addRow(self.tr("银行账号："), self.bank_list)
        form.addRow(self.tr("地址："), self.address_list)
        for editor in self._lists():
            editor.add_row()
        self.email = QLineEdit(objectName="email")  # made after the lists: Tab reaches it last
        self._add_rows(form, (("电子邮箱：", self.email, "email"),))
        grid.addWidget(contacts, 1, 1)

        consent = QGroupBox(self.tr("同意与处理依据（R4）及备注"))
        form = QFormLayout(consent)
        # a new customer needs a consent or a legal basis; an existing one's entries are kept
        # on the customer page (同意 tab), so the form shows only the remarks then
        self.consent_editor = ConsentEditor(self, self._purposes, self._bases)
        if self.existing is None:
            self._add_rows(form, self.consent_editor.rows())
        self.remarks = QPlainTextEdit(objectName="remarks")
        self.remarks.setMinimumHeight(60)  # takes the height the contact lists leave
        self._add_rows(form, (("备注：", self.remarks, "remarks"),))
        # a correction asked by the customer names their request (更正请求编号), audited
        self.change_purpose = QLineEdit(objectName="change_purpose")
        self.change_purpose.setPlaceholderText(self.tr("如客户更正请求编号 CX2026-0001"))
        if self.existing is not None:
            self._add_rows(form, (("修改依据：", self.change_purpose, "purpose"),))
        grid.addWidget(consent, 1, 0)

        self.finish(stretch=False)
        self.ok_button.setDefault(True)

    def _connect_signals(self) -> None:
        # the ID number is checked against the document type, gender and birth date: a
        # corrected number (or type) clears those messages too, not only its own
        self.clears_with(self.id_number, "id_type", "gender", "birth_date")
        self.clears_with(self.id_type, "id_number", "gender", "birth_date")
        self.party.currentIndexChanged.connect(self._sync_choices)
        self.kind.currentIndexChanged.connect(self._sync_choices)

    def retranslate_ui(self) -> None:
        """Set every visible string."""
        if self.existing is None:
            self.setWindowTitle(self.tr("新建客户"))
        else:
            self.setWindowTitle(self.tr("修改客户 {0}").format(self.existing.number))
        self.ok_button.setText(self.tr("保存 (Enter)"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消 (Esc)"))

    def _sync_choices(self) -> None:
        """Offer only categories of the kind and documents of the party."""
        kind = self.kind.currentData()
        current = self.category.currentData()
        self.category.clear()
        for c in Category:
            if (c in GENERAL_CATEGORIES) == (kind == Kind.GENERAL.value):
                self.category.addItem(LABELS[c], c.value)
        party = self.party.currentData()
        if current is None or self.sender() is self.party:
            # a sensible default: a person is 个人, an organisation a 经销单位 (general kind)
            person = party == Party.PERSON.value
            current = (Category.INDIVIDUAL if person else Category.DEALER).value
        index = self.category.findData(current)
        self.category.setCurrentIndex(max(index, 0))
        current_doc = self.id_type.currentData()
        self.id_type.clear()
        docs = (
            [IdType.USCC]
            if party == Party.ORG.value
            else [IdType.RESIDENT_ID, IdType.PASSPORT, IdType.HK_MACAO_PERMIT, IdType.TAIWAN_PERMIT]
        )
        for d in docs:
            self.id_type.addItem(LABELS[d], d.value)
        index = self.id_type.findData(current_doc)
        self.id_type.setCurrentIndex(max(index, 0))
        person = party == Party.PERSON.value
        self.gender.setEnabled(person)
        self.birth_date.setEnabled(person)

    # -- contact lists ------------------------------------------------------------------
    def _lists(self) -> tuple[ContactListEditor, ContactListEditor, ContactListEditor]:
        return self.phone_list, self.bank_list, self.address_list

    @property
    def phones(self) -> list[QLineEdit]:
        """The phone fields, in order."""
        return self.phone_list.edits()

    @staticmethod
    def _list_changes(
        editor: ContactListEditor, new: Callable[[ContactRow], _Item]
    ) -> tuple[_Item | Kept, ...] | None:
        """None when nothing changed (keep); otherwise every row in order, stored ones Kept.

        Blank new rows are passed too so that error positions match the rows.
        """
        if editor.unchanged():
            return None
        out: list[_Item | Kept] = []
        for row in editor.rows:
            if row.kept is not None and not row.text():
                out.append(Kept(row.kept, row.extra_text() or None))
            else:
                out.append(new(row))
        return tuple(out)

    # -- reading the form ---------------------------------------------------------------
    def _load(self, d: CustomerDetail) -> None:
        """Fill in an existing customer; protected fields stay empty (empty = unchanged)."""
        for box, value in (
            (self.party, d.party),
            (self.kind, d.kind),
            (self.importance, d.importance),
            (self.status, d.status),
        ):
            box.setCurrentIndex(max(box.findData(value), 0))
        self._sync_choices()
        self.category.setCurrentIndex(max(self.category.findData(d.category), 0))
        if d.id_type:
            self.id_type.setCurrentIndex(max(self.id_type.findData(d.id_type), 0))
        offered = self.responsible.findData(d.responsible_user_id) >= 0
        if d.responsible_user_id is not None and not offered:
            # no longer offered (disabled, or lost the role): shown so that saving keeps it
            name = d.responsible_name or str(d.responsible_user_id)
            self.responsible.addItem(self.tr("{0}（已停用）").format(name), d.responsible_user_id)
        self.responsible.setCurrentIndex(max(self.responsible.findData(d.responsible_user_id), 0))
        self._initial_responsible = d.responsible_user_id
        self.party.setEnabled(False)
        self.status.setEnabled(False)  # status changes are dated: use 变更状态
        keep = self.tr("现为 {0}，留空表示不修改")
        if d.party == Party.ORG.value:
            self.name.setText(d.name)
        else:
            self.name.setPlaceholderText(keep.format(d.name))
        self.id_number.setPlaceholderText(keep.format(d.id_number or "—"))
        self.phone_list.set_stored(list(d.phones), keep)
        self.bank_list.set_stored(
            list(d.bank_accounts), self.tr("现为 {0}，留空不改"), self.tr("开户行，留空不改")
        )
        self.address_list.set_stored(list(d.addresses), keep)
        self.email.setPlaceholderText(keep.format(d.email or "—"))
        self.gender.setEnabled(False)
        self.birth_date.setEnabled(False)
        self.remarks.setPlainText(d.remarks)

    def changes(self) -> tuple[CustomerChanges, list[FieldError]]:
        """Return the edit; empty protected fields mean "keep what is stored"."""
        problems: list[FieldError] = []
        # all slots (blanks included) so error positions match the fields; none typed = keep
        phones = self._list_changes(self.phone_list, lambda r: PhoneInput(r.edit.text()))
        addresses = self._list_changes(self.address_list, lambda r: AddressInput(r.edit.text()))
        banks = self._list_changes(
            self.bank_list, lambda r: BankAccountInput(r.edit.text(), r.extra_text())
        )
        chosen = self.responsible.currentData()
        responsible = (
            None  # unchanged: keep
            if chosen == self._initial_responsible
            else (NO_RESPONSIBLE if chosen is None else int(chosen))
        )
        changes = CustomerChanges(
            name=self.name.text() if self.name.text().strip() else None,
            kind=self.kind.currentData(),
            category=self.category.currentData(),
            importance=self.importance.currentData(),
            consent_date=self.existing.consent_date if self.existing else None,
            consent_purpose=self.existing.consent_purpose if self.existing else "",
            consent_until=self.existing.consent_until if self.existing else None,
            consent_method=self.existing.consent_method if self.existing else "",
            remarks=self.remarks.toPlainText(),
            responsible_user_id=responsible,
            id_type=self.id_type.currentData() if self.id_number.text().strip() else None,
            id_number=self.id_number.text() if self.id_number.text().strip() else None,
            phones=phones,
            addresses=addresses,
            bank_accounts=banks,
            email=self.email.text() if self.email.text().strip() else None,
            purpose=self.change_purpose.text(),
        )
        return changes, problems

    def draft(self) -> tuple[CustomerDraft, list[FieldError]]:
        """Return the draft and any problems reading the form itself."""
        problems: list[FieldError] = []
        person = self.party.currentData() == Party.PERSON.value
        consent, basis = self.consent_editor.read(problems)
        draft = CustomerDraft(
            party=self.party.currentData(),
            kind=self.kind.currentData(),
            category=self.category.currentData(),
            name=self.name.text(),
            status=self.status.currentData(),
            importance=self.importance.currentData(),
            gender=self.gender.currentData() if person else None,
            birth_date=parse_date(self.birth_date.text(), "birth_date", problems)
            if person
            else None,
            id_type=self.id_type.currentData() if self.id_number.text().strip() else None,
            id_number=self.id_number.text(),
            phones=tuple(PhoneInput(r.edit.text()) for r in self.phone_list.rows),
            addresses=tuple(AddressInput(r.edit.text()) for r in self.address_list.rows),
            bank_accounts=tuple(
                BankAccountInput(r.edit.text(), r.extra_text()) for r in self.bank_list.rows
            ),
            email=self.email.text(),
            responsible_user_id=self.responsible.currentData(),
            consent=consent,
            legal_basis=basis,
            remarks=self.remarks.toPlainText(),
        )
        return draft, problems

    def submit(self) -> Any:
        """Read the form, then register the new customer or update the existing one."""
        if self.existing is None:
            draft, problems = self.draft()
            if problems:
                raise ValidationFailed(problems)
            return self._register(draft) if self._register is not None else draft
        changes, problems = self.changes()
        if problems:
            raise ValidationFailed(problems)
        return self._update(changes) if self._update is not None else changes

    def show_validation(self, exc: ValidationFailed) -> None:
        """Put each message next to its field; focus the first field in error."""
        leftovers = self.errors.show(exc)
        self.general.setText("\n".join(leftovers))
        for item in exc.errors:
            widget = self._field_widget(item.field)
            if widget is not None:
                widget.setFocus()
                break

    def _field_widget(self, field: str) -> QWidget | None:
        for editor in self._lists():
            if field.startswith(editor.group + "."):
                return editor.widget_for(field)
        return self.findChild(QWidget, field)


class StatusDialog(FormDialog):
    """Choose the new status and say why (the page changes it and shows any error here)."""

    def __init__(self, current: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, title="", object_name="StatusDialog")
        self.setWindowTitle(self.tr("变更客户状态"))
        self.box = _combo("new_status", list(Status))
        self.box.setCurrentIndex(max(self.box.findData(current), 0))
        self.note = QLineEdit(objectName="status_note")
        self.note.setPlaceholderText(self.tr("原因，如：合同到期未续签"))
        self.add_field(self.tr("新状态："), self.box, "status")
        self.add_field(self.tr("说明："), self.note, "note")
        self.finish()
        self.ok_button.setText(self.tr("确定"))

    def submit(self) -> str:
        """The chosen status (the page calls the service after the dialog closes)."""
        return self.status()

    def status(self) -> str:
        """The chosen status code."""
        return str(self.box.currentData())


def class_labels(fields: Sequence[str]) -> str:
    """The classes (基础/业务/敏感信息, seed 004) of ``fields``, most protected first.

    Group titles name them from the one class table, so a title never calls a field
    sensitive that the table files as business information (or the other way round).
    """
    classes = {FIELD_CLASSES[f] for f in fields}
    return "、".join(CLASS_RULES[c].label for c in reversed(InfoClass) if c in classes)
