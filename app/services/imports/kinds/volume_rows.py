"""Volume ledger rows: the columns, whose volume a row is (customer, 档号) and one row's check.

Each row is checked on its own here with the volume form's rules
(``catalogue.check_volume_draft``) and the item form's (``items``); the checks across the rows
of one volume (same 档号, 件号 once, 绝密 alone, its place) are ``volume_checks``'.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from app.domain import identity, scan_codes
from app.errors import FieldError
from app.imports.layout import FieldSpec
from app.security import access
from app.services import catalogue
from app.services.imports.kinds.base import KindContext, ParsedRow, RowOutcome
from app.services.imports.kinds.bulk import chunks
from app.services.imports.kinds.items import ItemCells, check_item_cells
from app.services.imports.kinds.parsing import cell_date, cell_int, cell_text
from app.services.imports.kinds.volume_words import date_range, retention_code
from app.storage.models import Customer

VOLUME_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("reference_code", "档号", ("档号", "档案号"), groups=True),
    FieldSpec("customer_number", "客户编号", ("客户编号", "客户号")),
    FieldSpec(
        "customer_id_number",
        "客户证件号码",
        ("身份证号", "证件号码", "身份证号码", "证件号", "统一社会信用代码"),
    ),
    FieldSpec("customer_name", "客户名称", ("客户名称", "姓名", "户名", "客户姓名", "单位名称")),
    FieldSpec(
        "volume_title",
        "案卷题名",
        ("案卷题名", "案卷名称", "案卷标题", "卷名", "题名"),  # 题名: by the rows (see layout)
        required=True,
        level="volume",
    ),
    FieldSpec("year", "年度", ("年度", "归档年度", "年份"), required=True),
    FieldSpec("retention", "保管期限", ("保管期限", "保存期限"), required=True),
    FieldSpec("org_code", "机构（问题）代码", ("机构代码", "机构（问题）代码", "问题代码")),
    FieldSpec("compiled_by", "立卷人", ("立卷人",)),
    FieldSpec("checked_by", "检查人", ("检查人",)),
    FieldSpec("compiled_on", "立卷时间", ("立卷时间", "立卷日期")),
    FieldSpec("page_count", "页数", ("页数", "总页数", "卷内页数")),
    FieldSpec("item_count", "件数", ("件数", "卷内件数", "文件件数", "件数合计")),
    FieldSpec("date_range", "起止日期", ("起止日期", "起止时间", "起止年月", "起讫日期")),
    FieldSpec("notes", "本卷情况说明", ("本卷情况说明", "备考", "情况说明")),
    FieldSpec("seq", "件号", ("件号", "顺序号", "件序号"), level="item"),
    FieldSpec("doc_number", "文号", ("文号", "文件编号"), level="item"),
    FieldSpec("author", "责任者", ("责任者", "责任人", "形成单位")),
    FieldSpec(
        "title",
        "题名（卷内文件）",
        ("题名", "文件题名", "文件名称", "件题名", "卷内文件题名"),
        level="item",
    ),
    FieldSpec("doc_date", "日期", ("日期", "文件日期", "成文日期", "形成日期")),
    FieldSpec("pages", "页号", ("页号", "页码", "页次"), level="item"),
    FieldSpec("carrier", "载体", ("载体", "载体类型")),
    FieldSpec("secrecy_level", "密级", ("密级",)),
    FieldSpec("secrecy_term_years", "保密期限（年）", ("保密期限", "保密期限年")),
    FieldSpec("secrecy_since", "定密日期", ("定密日期", "定密时间")),
    FieldSpec("remarks", "备注", ("备注", "附注")),
    FieldSpec("location", "存放位置", ("存放位置", "存放地点", "库位", "位置编码")),
)
CUSTOMER_KEYS = frozenset({"customer_number", "customer_id_number", "customer_name"})


@dataclass
class VolumeRowClean(ItemCells):
    """A checked ledger row: the volume it belongs to, and its item (if the row has one)."""

    group: tuple[Any, ...]
    customer_id: int | None  # None: imported unlinked (待关联), ``link_hint`` kept
    year: int
    volume: catalogue.CleanVolume
    compiled_on: date | None
    reference_code: str
    location_code: str = ""  # scan form of the 存放位置 cell ("" when empty)
    location_id: int | None = None  # set by the place check
    location_text: str = ""  # the 存放位置 as written (free text: parsed by the place check)
    link_hint: str = ""  # the ledger's customer name or number when not linked
    date_from: date | None = None
    date_to: date | None = None
    page_total: int | None = None  # 页数 of a 案卷目录 row
    item_total: int | None = None  # 件数 of a 案卷目录 row
    volume_remarks: str = ""  # 备注 of a row without an item: the volume's 备注栏
    notes_extra: list[str] = field(default_factory=list)  # lines the import adds to 备注栏


class CustomerLookup:
    """The customers a ledger names (by 客户编号, 证件号码 or 客户名称), read in a few queries."""

    def __init__(self, ctx: KindContext, rows: Sequence[ParsedRow]) -> None:
        session, self.bidx = ctx.uow.session, ctx.uow.store.blind_index
        numbers = {identity.compact(cell_text(r, "customer_number")).upper() for r in rows} - {""}
        digests = {
            self.bidx.digest(
                "customer.id_number", identity.compact(cell_text(r, "customer_id_number")).upper()
            )
            for r in rows
            if cell_text(r, "customer_id_number")
        }
        names = {cell_text(r, "customer_name") for r in rows} - {""}
        self.by_number: dict[str, int] = {}
        self.by_digest: dict[bytes, int] = {}
        self.by_name: dict[str, list[int]] = {}
        for chunk in chunks(sorted(numbers)):
            for number, cid in session.execute(
                select(Customer.number, Customer.id).where(Customer.number.in_(chunk))
            ):
                self.by_number[number] = cid
        for chunk in chunks(sorted(digests)):
            for digest, cid in session.execute(
                select(Customer.id_number_bidx, Customer.id).where(
                    Customer.id_number_bidx.in_(chunk)
                )
            ):
                self.by_digest[digest or b""] = cid
        for chunk in chunks(sorted(names)):
            for name, cid in session.execute(
                select(Customer.name, Customer.id).where(Customer.name.in_(chunk))
            ):
                self.by_name.setdefault(name, []).append(cid)

    def customer_of(
        self, row: ParsedRow, errors: list[FieldError], warnings: list[FieldError]
    ) -> tuple[int | None, str]:
        """The row's customer id (number, then ID number, then a unique name) and a link hint.

        A 客户编号 not found is refused (ours: a typo); a customer not found by ID number or
        name, or named ambiguously, or not named at all, leaves the volume unlinked (待关联)
        with a warning, and the name or number as the hint for linking it later.
        """
        number = identity.compact(cell_text(row, "customer_number")).upper()
        if number:
            found = self.by_number.get(number)
            if found is None:
                errors.append(FieldError("customer_number", "not_found"))
            return found, ""
        id_text = identity.compact(cell_text(row, "customer_id_number")).upper()
        name = cell_text(row, "customer_name")
        if id_text:
            cid = self.by_digest.get(self.bidx.digest("customer.id_number", id_text))
            if cid is not None:
                return cid, ""
            warnings.append(FieldError("customer_id_number", "unlinked_not_found"))
            return None, name[:200]  # never the ID number itself (personal data)
        if name:
            ids = self.by_name.get(name, [])
            if len(ids) == 1:
                return ids[0], ""
            reason = "unlinked_ambiguous" if ids else "unlinked_not_found"
            warnings.append(FieldError("customer_name", reason, {"count": len(ids)}))
            return None, name[:200]
        warnings.append(FieldError("customer", "unlinked_none"))
        return None, ""


def location_cell(row: ParsedRow) -> tuple[str, str]:
    """The 存放位置 cell: (code in scan form or "", the text as written or "")."""
    text = cell_text(row, "location")
    if not text:
        return "", ""
    try:
        return scan_codes.scan_form(text.replace("－", "-")), text
    except ValueError:
        return "", text  # free text (3号库6列B面8节3层): the place check parses it


def check_volume_row(ctx: KindContext, row: ParsedRow, customers: CustomerLookup) -> RowOutcome:
    """One row through the volume and item forms' rules, within the reader's clearance."""
    errors: list[FieldError] = []
    warnings: list[FieldError] = []
    customer_id, hint = customers.customer_of(row, errors, warnings)
    year = cell_int(row, "year", errors, year=True)
    draft = catalogue.VolumeDraft(
        customer_id=customer_id or 0,
        year=year or 0,
        title=cell_text(row, "volume_title"),
        retention=retention_code(cell_text(row, "retention"), warnings),
        org_code=cell_text(row, "org_code"),
        compiled_by=cell_text(row, "compiled_by"),
        checked_by=cell_text(row, "checked_by"),
        compiled_on=cell_date(row, "compiled_on", errors),
        notes=cell_text(row, "notes"),
    )
    volume_errors: list[FieldError] = []
    volume = catalogue.check_volume_draft(draft, today=ctx.today, errors=volume_errors)
    if year is None:  # unreadable (already reported) or empty
        volume_errors = [e for e in volume_errors if e.field != "year"]
        if not any(e.field == "year" for e in errors):
            errors.append(FieldError("year", "required"))
    errors += volume_errors
    code = "".join(cell_text(row, "reference_code").split()).upper()
    item = check_item_cells(ctx, row, errors, warnings)
    shown = item.item.secrecy.level if item.item else item.volume_secrecy.level
    if shown is not None and not access.may_see(ctx.reader, shown.value):
        errors.append(FieldError("secrecy_level", "no_clearance"))
    retention = volume.retention.value if volume.retention else ""
    owner: Any = customer_id if customer_id is not None else ("hint", hint)
    group = ("code", code) if code else ("auto", owner, year, volume.title, retention)
    date_from, date_to = date_range(cell_text(row, "date_range"), errors)
    location_code, location_text = location_cell(row)
    clean = VolumeRowClean(
        item=item.item,
        seq=item.seq,
        doc_date=item.doc_date,
        page_from=item.page_from,
        page_to=item.page_to,
        volume_secrecy=item.volume_secrecy,
        openness=item.openness,
        group=group,
        customer_id=customer_id,
        year=year or 0,
        volume=volume,
        compiled_on=draft.compiled_on,
        reference_code=code,
        location_code=location_code,
        location_text=location_text,
        link_hint=hint,
        date_from=date_from,
        date_to=date_to,
        page_total=cell_int(row, "page_count", errors),
        item_total=cell_int(row, "item_count", errors),
        volume_remarks="" if item.item else cell_text(row, "remarks")[:2000],
    )
    return RowOutcome(row.number, errors, warnings, clean)
