"""Import of existing ledgers (Excel / CSV): read, map columns, check every row, import, undo.

The wizard's steps are functions here: :func:`load_ledger` (file and sheet; limits checked
before loading), :func:`guess_columns` (header row and column guesses, or the mapping
remembered for this header set), :func:`check_ledger` (every row through the form's rules,
duplicates included), :func:`run_import` (one transaction and one audit entry; "all or
nothing" or "valid rows only"), :func:`rejected_rows_xlsx` (the refused rows with reasons) and
:func:`undo_import` (the whole import, as long as nothing else changed its rows).
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from sqlalchemy import select

from app.clock import Clock, format_local
from app.errors import (
    FieldError,
    ImportCancelled,
    ImportHasRejections,
    ImportUndoRefused,
    ValidationFailed,
)
from app.imports import cells
from app.imports.layout import FieldSpec, Header, detect_header, guess_mapping, header_at
from app.imports.source import DEFAULT_LIMITS, ImportLimits, Sheet, iter_data, read_sheet
from app.messages import describe_field_error
from app.security.masking import (
    mask_address,
    mask_bank_account,
    mask_id_number,
    mask_name,
    mask_phone,
)
from app.services.auth import SignedIn
from app.services.common import actor_from_row, authorize
from app.services.import_kinds import (
    KINDS,
    ImportKind,
    KindContext,
    ParsedRow,
    Progress,
    RowOutcome,
    spans_of,
)
from app.storage.bulk import BULK_CACHE_KIB
from app.storage.models import ImportBatch
from app.storage.store import UnitOfWork

log = logging.getLogger(__name__)
MAPPING_SETTING = "import_mapping"  # + kind + header signature
PREVIEW_ROWS = 1_000


class ImportMode(StrEnum):
    """What happens to rows that fail the checks."""

    ALL_OR_NOTHING = "all_or_nothing"  # any rejected row: nothing is imported
    VALID_ROWS = "valid_rows"  # import the valid rows; the rejected ones go to a workbook


@dataclass
class Ledger:
    """A sheet read for import, with its header (the wizard may move the header row)."""

    path: Path
    sheet: Sheet
    header: Header

    @property
    def data_rows(self) -> int:
        """Number of non-blank rows below the header."""
        return sum(1 for _ in iter_data(self.sheet, self.header.data_start))


def kind_of(key: str) -> ImportKind:
    """The import target ``key`` (``customers``, ``volumes``)."""
    return KINDS[key]


def load_ledger(
    path: Path,
    *,
    kind: str,
    sheet: str | None = None,
    limits: ImportLimits = DEFAULT_LIMITS,
    max_rows: int | None = None,
) -> Ledger:
    """Read ``sheet`` of ``path`` (limits checked before loading) and find its header.

    Raises ImportFormatUnsupported, ImportFileUnreadable, ImportTooLarge.
    """
    data = read_sheet(path, sheet, limits, max_rows=max_rows)
    return Ledger(path, data, detect_header(data, kind_of(kind).fields))


def move_header(ledger: Ledger, index: int) -> Ledger:
    """The same sheet with the header at row index ``index`` (the operator chose it)."""
    index = max(0, min(index, max(len(ledger.sheet.rows) - 1, 0)))
    return Ledger(ledger.path, ledger.sheet, header_at(ledger.sheet, index))


def _mapping_key(kind: str, header: Header) -> str:
    return f"{MAPPING_SETTING}.{kind}.{header.signature()}"


def guess_columns(
    *, session: SignedIn, kind: str, ledger: Ledger, clock: Clock
) -> tuple[dict[int, str], bool]:
    """Column index → field key: the mapping used last time for this header set, else guesses.

    The second value is True when the mapping was remembered.
    """
    target = kind_of(kind)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, target.permission)
        saved = uow.settings.raw().get(_mapping_key(kind, ledger.header))
    known = {f.key for f in target.fields}
    if isinstance(saved, dict):
        mapping = {
            int(col): str(key)
            for col, key in saved.items()
            if str(key) in known and str(col).isdigit() and int(col) < len(ledger.header.names)
        }
        if mapping:
            return dict(sorted(mapping.items())), True
    return guess_mapping(ledger.header, target.fields), False


def parsed_rows(
    ledger: Ledger, mapping: dict[int, str], limit: int | None = None
) -> list[ParsedRow]:
    """The data rows as field → cell (unmapped and not-imported columns left out)."""
    target_fields = {c: k for c, k in mapping.items()}
    out: list[ParsedRow] = []
    for number, row in iter_data(ledger.sheet, ledger.header.data_start):
        values = {key: row[col] for col, key in target_fields.items() if col < len(row)}
        out.append(ParsedRow(number, values))
        if limit is not None and len(out) >= limit:
            break
    return out


def _check_mapping(target: ImportKind, mapping: dict[int, str]) -> None:
    keys = list(mapping.values())
    errors = [
        FieldError(f.key, "required") for f in target.fields if f.required and f.key not in keys
    ]
    if target.key == "volumes" and not {
        "customer_number",
        "customer_id_number",
        "customer_name",
    } & set(keys):
        errors.append(FieldError("customer", "customer_required"))
    if errors:
        raise ValidationFailed(errors)


def _imported_mapping(target: ImportKind, mapping: dict[int, str]) -> dict[int, str]:
    imported = {f.key for f in target.fields if f.imported}
    return {c: k for c, k in mapping.items() if k in imported}


@dataclass(frozen=True)
class CheckResult:
    """Every row's verdict (in sheet order)."""

    outcomes: list[RowOutcome]

    @property
    def valid(self) -> int:
        """Rows that pass."""
        return sum(1 for o in self.outcomes if o.ok)

    @property
    def rejected(self) -> int:
        """Rows that fail."""
        return len(self.outcomes) - self.valid


def check_ledger(
    *,
    session: SignedIn,
    kind: str,
    ledger: Ledger,
    mapping: dict[int, str],
    clock: Clock,
    limit: int | None = None,
    progress: Progress | None = None,
) -> CheckResult:
    """Check the rows (the first ``limit`` for a quick preview) without writing anything.

    Raises ImportCancelled when ``progress`` says the operator cancelled.
    """
    target = kind_of(kind)
    _check_mapping(target, mapping)
    rows = parsed_rows(ledger, _imported_mapping(target, mapping), limit)
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, target.permission))
        now = clock.now()
        ctx = KindContext(uow, reader, now.astimezone().date(), now, progress=progress)
        return CheckResult(target.check(ctx, rows))


def describe_outcome(outcome: RowOutcome) -> str:
    """The reasons a row was rejected (or its warnings), in Chinese, one per line."""
    return "\n".join(describe_field_error(e) for e in outcome.errors or outcome.warnings)


_MASKERS = {
    "name": mask_name,
    "customer_name": mask_name,
    "id_number": mask_id_number,
    "customer_id_number": mask_id_number,
    "phone": mask_phone,
    "phone2": mask_phone,
    "bank_account": mask_bank_account,
    "address": mask_address,
}


def preview_cells(kind: str, ledger: Ledger, mapping: dict[int, str], row_index: int) -> list[str]:
    """One sheet row as the preview shows it: personal values masked (R5)."""
    row = ledger.sheet.rows[row_index] if row_index < len(ledger.sheet.rows) else ()
    masked = kind_of(kind).masked_fields
    out = []
    for col in range(max(len(ledger.header.names), len(row))):
        text = cells.text(row[col]) if col < len(row) else ""
        key = mapping.get(col)
        if text and key in masked:
            text = _MASKERS.get(key, mask_name)(text)
        elif text and sum(ch.isdigit() for ch in text) >= 6:
            text = mask_id_number(text)  # a number in a column not mapped as one: hide it too
        out.append(text)
    return out


def sheet_cells(kind: str, ledger: Ledger, row_index: int) -> list[str]:
    """A row for the header step: title and header rows as they are, data rows masked (R5).

    The columns are masked by the guessed mapping (the operator has not chosen one yet).
    """
    if row_index < ledger.header.data_start:
        row = ledger.sheet.rows[row_index] if row_index < len(ledger.sheet.rows) else ()
        return [cells.text(v) for v in row]
    return preview_cells(
        kind, ledger, guess_mapping(ledger.header, kind_of(kind).fields), row_index
    )


@dataclass(frozen=True)
class ImportSummary:
    """What an import did."""

    batch_id: int | None  # None: nothing was written
    kind: str
    total: int
    imported: int
    rejected: int
    flagged: int  # 疑似重复 raised (customers)
    details: dict[str, object]
    outcomes: list[RowOutcome]


def run_import(
    *,
    session: SignedIn,
    kind: str,
    ledger: Ledger,
    mapping: dict[int, str],
    mode: ImportMode,
    clock: Clock,
    progress: Progress | None = None,
) -> ImportSummary:
    """Check every row again and import in one transaction with one audit entry.

    Raises:
        ImportHasRejections: all-or-nothing and some row failed (nothing written).
        ImportCancelled: the operator cancelled (nothing written; new vault keys destroyed).
    """
    target = kind_of(kind)
    _check_mapping(target, mapping)
    rows = parsed_rows(ledger, _imported_mapping(target, mapping))
    with session.uow(clock) as uow:
        uow.claim_writes()  # consecutive ids and one counter: hold the write lock throughout
        reader = actor_from_row(authorize(uow, session.actor, target.permission))
        now = clock.now()
        ctx = KindContext(uow, reader, now.astimezone().date(), now, progress=progress)
        try:
            with _large_cache(uow):
                summary = _check_and_write(uow, target, ctx, rows, ledger, mapping, mode, kind)
            if progress is not None and progress.is_cancelled():
                raise ImportCancelled()
            uow.commit()
        except BaseException:
            if ctx.new_keys:  # keys made for rows that were never committed
                session.store.vault.destroy(ctx.new_keys)
            raise
        return summary


@contextmanager
def _large_cache(uow: UnitOfWork) -> Iterator[None]:
    """A large page cache for this transaction (SQLite): index pages stay in memory.

    A 100,000-row import inserts into several blind-index and search-index B-trees in random
    key order; with the everyday cache every insert reads pages back from the encrypted file.
    """
    if not uow.store.location.is_sqlite:
        yield
        return
    conn = uow.session.connection()
    previous = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(previous or -2000)}")


def _check_and_write(
    uow: UnitOfWork,
    target: ImportKind,
    ctx: KindContext,
    rows: list[ParsedRow],
    ledger: Ledger,
    mapping: dict[int, str],
    mode: ImportMode,
    kind: str,
) -> ImportSummary:
    """Check, write, record the batch and the audit entry (the caller commits)."""
    outcomes = target.check(ctx, rows)
    rejected = sum(1 for o in outcomes if not o.ok)
    if mode == ImportMode.ALL_OR_NOTHING and rejected:
        raise ImportHasRejections(rejected=rejected)
    written = target.write(ctx, outcomes, ctx.progress)
    imported = len(rows) - rejected
    batch = ImportBatch(
        kind=kind,
        state="done",
        mode=mode.value,
        created_at=ctx.now,
        created_by=ctx.reader.user_id,
        rows_total=len(rows),
        rows_imported=imported,
        rows_rejected=rejected,
        spans=_json(written.spans),
        header_signature=ledger.header.signature(),
    )
    uow.session.add(batch)
    uow.settings.put(_mapping_key(kind, ledger.header), {str(c): k for c, k in mapping.items()})
    uow.session.flush()
    uow.audit.record(
        f"import.{kind}",
        object_type="import_batch",
        object_id=batch.id,
        details={
            "rows": len(rows),
            "imported": imported,
            "rejected": rejected,
            "suspected_duplicates": written.flagged,
            "mode": mode.value,
            "format": ledger.path.suffix.lower().lstrip("."),
            **written.details,
        },
    )
    return ImportSummary(
        batch.id, kind, len(rows), imported, rejected, written.flagged, written.details, outcomes
    )


def _json(value: object) -> str:
    import json

    return json.dumps(value, sort_keys=True)


def rejected_rows_xlsx(
    *, session: SignedIn, kind: str, ledger: Ledger, outcomes: Sequence[RowOutcome], clock: Clock
) -> bytes:
    """The rejected rows as they were in the file, with the reasons, as a workbook (audited).

    The values are the operator's own file's (to correct and import again); the export is
    recorded like any export of customer data (R40) and the sheet says so at the top.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    target = kind_of(kind)
    bad = [o for o in outcomes if not o.ok]
    with session.uow(clock) as uow:
        authorize(uow, session.actor, target.permission)
        uow.audit.record(
            f"export.import_rejected.{kind}",
            object_type="import",
            purpose="导入未通过的行，改正后重新导入",
            details={"rows": len(bad)},
        )
        uow.commit()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "未导入的行"
    actor = session.actor
    sheet.append(
        [
            "内部 · 含个人信息，改正后重新导入，用后删除"
            f"　导出：{actor.display_name}（{actor.username}）　{format_local(clock.now())}"
        ]
    )
    sheet.append(["原行号", "未导入原因", *ledger.header.names])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    rows = ledger.sheet.rows
    for o in bad:
        index = o.row - ledger.sheet.first_row
        raw = rows[index] if 0 <= index < len(rows) else ()
        values = [cells.text(v) if not isinstance(v, int | float) else v for v in raw]
        sheet.append([o.row, describe_outcome(o), *values])
    for row in sheet.iter_rows(min_row=3, max_col=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["B"].width = 50
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class ImportRow:
    """One past import, as the list of imports shows it."""

    id: int
    kind: str
    created_at: datetime
    created_by: str
    imported: int
    rejected: int
    state: str


def list_imports(*, session: SignedIn, kind: str, clock: Clock, limit: int = 50) -> list[ImportRow]:
    """The latest imports of ``kind``, newest first."""
    from app.storage.models import UserAccount

    target = kind_of(kind)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, target.permission)
        rows = uow.session.execute(
            select(ImportBatch, UserAccount.display_name)
            .outerjoin(UserAccount, UserAccount.id == ImportBatch.created_by)
            .where(ImportBatch.kind == kind)
            .order_by(ImportBatch.id.desc())
            .limit(limit)
        ).all()
        return [
            ImportRow(
                b.id, b.kind, b.created_at, name or "", b.rows_imported, b.rows_rejected, b.state
            )
            for b, name in rows
        ]


def undo_import(*, session: SignedIn, batch_id: int, clock: Clock) -> None:
    """Remove everything one import wrote, as one audited operation.

    Refused (ImportUndoRefused) once any of its rows was changed, deleted or used since
    (edited, a volume filed for an imported customer, an item added, a flag reviewed).
    """
    with session.uow(clock) as uow:
        uow.claim_writes()
        batch = uow.session.get(ImportBatch, batch_id)
        if batch is None:
            raise ImportUndoRefused(reason="not_found")
        target = kind_of(batch.kind)
        reader = actor_from_row(authorize(uow, session.actor, target.permission))
        if batch.state != "done":
            raise ImportUndoRefused(reason="undone")
        spans = spans_of(batch.spans)
        if not target.undo(uow, spans):
            raise ImportUndoRefused(reason="changed")
        batch.state = "undone"
        batch.undone_at = clock.now()
        batch.undone_by = reader.user_id
        uow.audit.record(
            f"import.{batch.kind}.undo",
            object_type="import_batch",
            object_id=batch.id,
            details={"imported": batch.rows_imported, "spans": spans},
        )
        uow.commit()


def ledger_fields(kind: str) -> tuple[FieldSpec, ...]:
    """The fields of an import target (for the mapping step)."""
    return kind_of(kind).fields


def file_digest(path: Path) -> str:
    """A short digest of a file's bytes (tests and logs name files by it, never by name)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def check_mapping(kind: str, mapping: dict[int, str]) -> None:
    """Refuse (ValidationFailed) a mapping that leaves a required field without a column."""
    _check_mapping(kind_of(kind), mapping)
