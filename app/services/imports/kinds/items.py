"""The item (件) side of a volume ledger row: 件号, 题名, 页号, 载体, 密级 → a checked item.

A volume ledger has one row per item with its volume's columns repeated (``volumes``). This
module reads a row's item cells with the item form's rules (``catalogue.check_item_draft``),
turns a volume's checked items into table rows for the bulk insert (件号 given or numbered
in order) and checks and removes imported items on undo.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from app.domain.catalogue import Carrier, Secrecy, SecrecyLevel
from app.errors import FieldError
from app.imports import cells
from app.services import catalogue
from app.services.imports.kinds.base import CHUNK, KindContext, ParsedRow, Progress, check_cancel
from app.services.imports.kinds.bulk import insert_rows, quick_delete
from app.services.imports.kinds.parsing import (
    cell_choice,
    cell_date,
    cell_int,
    cell_text,
    fold_table,
)
from app.services.imports.kinds.volume_words import secrecy_words
from app.storage import catalogue_index, catalogue_search
from app.storage.models import ArchiveItem, ItemFile
from app.storage.store import UnitOfWork

CARRIERS = fold_table(
    {
        Carrier.PAPER: ("纸质", "纸", "纸张", "paper"),
        Carrier.DISC: ("光盘", "disc"),
        Carrier.DISK: ("磁盘", "硬盘", "u盘", "移动硬盘", "disk"),
        Carrier.ELECTRONIC: ("电子文件", "电子", "electronic"),
    }
)


def pages(row: ParsedRow, errors: list[FieldError]) -> tuple[int | None, int | None]:
    """页号: one page (``5``) or a range (``5-8``, ``5~8``, ``5至8``)."""
    raw = row.values.get("pages")
    text = cells.text(raw).replace(" ", "")
    if not text:
        return None, None
    for sep in ("-", "~", "～", "至", "—", "–"):
        if sep in text:
            a, _, b = text.partition(sep)
            first, e1 = cells.as_int(a)
            last, e2 = cells.as_int(b)
            if e1 or e2 or first is None:
                errors.append(FieldError("pages", "number_format"))
                return None, None
            return first, last
    number, error = cells.as_int(raw)
    if error:
        errors.append(FieldError("pages", error))
    return number, None


def secrecy_cell(
    row: ParsedRow, errors: list[FieldError], warnings: list[FieldError]
) -> tuple[str | None, int | None, str | None]:
    """``机密``, ``机密★20年``, ``绝密★长期``, or an openness word (公开, 内部, 非密).

    Returns (level value or None, term or None, openness or None).
    """
    level, term, openness = secrecy_words(cell_text(row, "secrecy_level"), warnings, errors)
    return (level.value if level else None), term, openness


@dataclass
class ItemCells:
    """The item part of a checked row (no item: a row for the volume alone, maybe marked)."""

    item: catalogue.CleanItem | None
    seq: int | None
    doc_date: date | None
    page_from: int | None
    page_to: int | None
    volume_secrecy: Secrecy  # 密级 of a row without an item: the volume's own marking
    openness: str | None  # 公开 / 内部 / 非密 written in the 密级 column


def check_item_cells(
    ctx: KindContext, row: ParsedRow, errors: list[FieldError], warnings: list[FieldError]
) -> ItemCells:
    """Read and check the item cells of ``row`` (errors appended to ``errors``)."""
    level, term, openness = secrecy_cell(row, errors, warnings)
    term_cell = cell_int(row, "secrecy_term_years", errors)
    since = cell_date(row, "secrecy_since", errors)
    if not cell_text(row, "title"):
        volume_secrecy = Secrecy()
        if level:
            volume_secrecy = Secrecy(
                SecrecyLevel(level),
                term_cell if term_cell is not None else term,
                since or ctx.today,
            )
        return ItemCells(None, None, None, None, None, volume_secrecy, openness)
    page_from, page_to = pages(row, errors)
    doc_date = cell_date(row, "doc_date", errors)
    seq = cell_int(row, "seq", errors)
    item = catalogue.check_item_draft(
        catalogue.ItemDraft(
            title=cell_text(row, "title"),
            doc_number=cell_text(row, "doc_number"),
            author=cell_text(row, "author"),
            doc_date=doc_date,
            page_from=page_from,
            page_to=page_to,
            carrier=cell_choice(row, "carrier", CARRIERS, errors, "paper") or "paper",
            secrecy_level=level,
            secrecy_term_years=term_cell if term_cell is not None else term,
            secrecy_since=since,
            remarks=cell_text(row, "remarks"),
        ),
        today=ctx.today,
        errors=errors,
    )
    return ItemCells(item, seq, doc_date, page_from, page_to, Secrecy(), openness)


@dataclass
class VolumeItems:
    """A volume's item rows to insert, their markings and the volume's page count."""

    rows: list[dict[str, Any]]
    secrecies: list[Secrecy]
    pages: int


def item_rows(
    members: Sequence[ItemCells], volume_id: int, first_id: int, now: datetime
) -> VolumeItems:
    """The items of one volume as table rows (ids from ``first_id``; missing 件号 numbered)."""
    used = {m.seq for m in members if m.seq is not None}
    counter = 0
    out = VolumeItems([], [], 0)
    for m in members:
        if m.item is None:
            continue
        seq = m.seq
        if seq is None:
            counter += 1
            while counter in used:
                counter += 1
            seq = counter
        item = m.item
        out.secrecies.append(item.secrecy)
        out.pages = max(out.pages, m.page_to or m.page_from or 0)
        out.rows.append(
            {
                "id": first_id + len(out.rows),
                "volume_id": volume_id,
                "seq": seq,
                "doc_number": item.doc_number,
                "author": item.author,
                "title": item.title,
                "doc_date": m.doc_date,
                "page_from": m.page_from,
                "page_to": m.page_to,
                "carrier": item.carrier.value,
                "secrecy_level": item.secrecy.level.value if item.secrecy.level else None,
                "secrecy_term_years": item.secrecy.term,
                "secrecy_since": item.secrecy.since,
                "declassified_on": None,
                "remarks": item.remarks,
                "index_remarks": catalogue.marking_for_index(item.secrecy),
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
    return out


def insert_items(uow: UnitOfWork, items: list[dict[str, Any]], progress: Progress | None) -> None:
    """Insert the item rows in chunks, and their search entries."""
    conn = uow.session.connection()
    for start in range(0, len(items), CHUNK):
        check_cancel(progress)
        insert_rows(conn, ArchiveItem.__table__, items[start : start + CHUNK])
    if items:
        catalogue_index.insert_item_entries(
            conn,
            [
                catalogue_search.item_entry(
                    i["id"], i["title"], i["doc_number"], i["author"], i["index_remarks"]
                )
                for i in items
            ],
        )


def items_unchanged(uow: UnitOfWork, span: list[int]) -> bool:
    """True when every imported item is there, unedited, without attached files."""
    session = uow.session
    within = ArchiveItem.id.between(span[0], span[1])
    if session.scalar(select(func.count()).where(within)) != span[2]:
        return False
    if session.scalar(select(func.count()).where(within, ArchiveItem.version != 1)):
        return False
    attached = session.scalar(
        select(func.count()).select_from(ItemFile).where(ItemFile.item_id.between(span[0], span[1]))
    )
    return not attached


def delete_items(uow: UnitOfWork, span: list[int]) -> None:
    """Remove the imported items and their search entries."""
    catalogue_index.remove_span(uow.session.connection(), "item", span[0], span[1])
    uow.session.execute(quick_delete(ArchiveItem).where(ArchiveItem.id.between(span[0], span[1])))
