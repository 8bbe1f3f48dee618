"""Loan-register (借阅登记簿) rows: the columns, the 档号 as typed, and the checks of each line.

A register line names a volume by its 档号, typed with ``·``, ``.``, ``-`` or spaces
(``Z001-KH·2020-Y-0001``, ``Z001-KH.2020-Y-0001``, ``Z001 KH 2020 Y 0001``): the 档号 is
compared without its separators. Each line is checked on its own (dates readable, not in the
future, due and return not before the loan) and against the others (the same line twice, one
volume out twice) and the database (unknown 档号, a volume out or destroyed already).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.domain.catalogue import VolumeState
from app.domain.loans import LoanState, UseKind
from app.errors import FieldError
from app.imports.layout import FieldSpec
from app.services.imports.kinds.base import KindContext, ParsedRow, RowOutcome
from app.services.imports.kinds.parsing import cell_choice, cell_date, cell_text, fold_table
from app.storage.models import Loan, Volume

LOAN_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("reference_code", "档号", ("档号", "案卷档号", "档案号"), required=True),
    FieldSpec(
        "borrower",
        "借阅人",
        ("借阅人", "借阅者", "借用人", "借阅人姓名", "利用者", "利用人"),
        required=True,
    ),
    FieldSpec("department", "单位/部门", ("借阅单位", "借阅部门", "单位", "部门", "所在部门")),
    FieldSpec("purpose", "利用目的", ("利用目的", "借阅目的", "借阅事由", "用途", "事由")),
    FieldSpec("use_kind", "利用方式", ("利用方式", "借阅方式", "方式")),
    FieldSpec(
        "loaned_on",
        "借出日期",
        ("借出日期", "借阅日期", "借出时间", "借阅时间", "借出"),
        required=True,
    ),
    FieldSpec(
        "due_on", "应还日期", ("应还日期", "归还期限", "约定归还日期", "应归还日期", "到期日期")
    ),
    FieldSpec(
        "returned_on",
        "归还日期",
        ("归还日期", "实际归还日期", "还回日期", "归还时间", "实还日期", "归还"),
    ),
    FieldSpec("handled_by", "经办人", ("经办人", "经手人", "办理人")),
    FieldSpec("remarks", "备注", ("备注", "附注")),
)
USE_KINDS = fold_table(
    {
        UseKind.LOAN: ("外借", "借出", "借阅", "借用"),
        UseKind.CONSULT: ("查阅", "阅览", "查档", "调阅"),
        UseKind.COPY: ("复制", "复印"),
        UseKind.EXCERPT: ("摘抄", "摘录"),
        UseKind.EXTERNAL: ("对外提供",),
    }
)
_SEPARATORS = re.compile(r"[\s·.\-－—・•_/]+")


def code_key(text: str) -> str:
    """A 档号 compared without separators: ``Z001-KH·2020-Y-0001`` → ``Z001KH2020Y0001``."""
    return _SEPARATORS.sub("", text).upper()


@dataclass
class LoanRowClean:
    """A checked register line."""

    volume_id: int
    reference_code: str
    borrower: str
    department: str
    purpose: str
    kind: UseKind
    loaned_on: date
    due_on: date | None
    returned_on: date | None
    remarks: str

    @property
    def state(self) -> LoanState:
        """Out until a return date is given."""
        return LoanState.RETURNED if self.returned_on else LoanState.OUT


class VolumeCodes:
    """Every volume's 档号 by its separator-free key, with its state and open loan."""

    def __init__(self, ctx: KindContext) -> None:
        session = ctx.uow.session
        self.by_key: dict[str, tuple[int, str, str]] = {}
        for vid, code, state in session.execute(
            select(Volume.id, Volume.reference_code, Volume.state)
        ):
            self.by_key[code_key(code)] = (vid, code, state)
        self.open_loans: dict[int, str] = dict(
            session.execute(
                select(Loan.volume_id, Loan.number).where(Loan.state == LoanState.OUT.value)
            ).all()
        )


def check_loan_row(ctx: KindContext, row: ParsedRow, volumes: VolumeCodes) -> RowOutcome:
    """One register line: its volume, its dates in order, within today."""
    errors: list[FieldError] = []
    warnings: list[FieldError] = []
    typed = cell_text(row, "reference_code")
    found = volumes.by_key.get(code_key(typed)) if typed else None
    if not typed:
        errors.append(FieldError("reference_code", "required"))
    elif found is None:
        errors.append(FieldError("reference_code", "volume_unknown"))
    borrower = cell_text(row, "borrower")[:64]
    if not borrower:
        errors.append(FieldError("borrower", "required"))
    loaned = cell_date(row, "loaned_on", errors)
    due = cell_date(row, "due_on", errors)
    returned = cell_date(row, "returned_on", errors)
    if loaned is None and not any(e.field == "loaned_on" for e in errors):
        errors.append(FieldError("loaned_on", "required"))
    if loaned is not None and loaned > ctx.today:
        errors.append(FieldError("loaned_on", "loan_future"))
    if returned is not None and returned > ctx.today:
        errors.append(FieldError("returned_on", "future"))
    if loaned is not None:
        if due is not None and due < loaned:
            errors.append(FieldError("due_on", "before_loan"))
        if returned is not None and returned < loaned:
            errors.append(FieldError("returned_on", "before_loan"))
    kind = cell_choice(row, "use_kind", USE_KINDS, errors, UseKind.LOAN.value)
    extra = [cell_text(row, "remarks"), cell_text(row, "handled_by")]
    remarks = "；".join(x for x in extra if x)
    clean = None
    if found is not None and loaned is not None:
        clean = LoanRowClean(
            volume_id=found[0],
            reference_code=found[1],
            borrower=borrower,
            department=cell_text(row, "department")[:64],
            purpose=cell_text(row, "purpose")[:200],
            kind=UseKind(kind or UseKind.LOAN.value),
            loaned_on=loaned,
            due_on=due,
            returned_on=returned,
            remarks=remarks[:1000],
        )
    return RowOutcome(row.number, errors, warnings, clean)


def check_across(
    outcomes: Sequence[RowOutcome], rows: Sequence[ParsedRow], volumes: VolumeCodes
) -> None:
    """The same line twice; one volume out twice (in the file, or out already); destroyed."""
    seen: dict[tuple[str, ...], int] = {}
    open_rows: dict[int, int] = {}
    for o, row in zip(outcomes, rows, strict=True):
        line = tuple(cell_text(row, k) for k in sorted(row.values) if k != "remarks")
        key = (code_key(cell_text(row, "reference_code")), *line)
        if any(line):
            first = seen.get(key)
            if first is not None:
                o.errors.append(FieldError("reference_code", "line_twice", {"row": first}))
                continue
            seen[key] = o.row
        c: LoanRowClean | None = o.clean
        if c is None or o.errors:
            continue
        state = volumes.by_key[code_key(c.reference_code)][2]
        if state == VolumeState.DESTROYED.value:
            o.errors.append(FieldError("reference_code", "volume_gone"))
            continue
        if c.state is LoanState.OUT:
            if c.volume_id in open_rows:
                o.errors.append(
                    FieldError("reference_code", "open_twice", {"row": open_rows[c.volume_id]})
                )
                continue
            out = volumes.open_loans.get(c.volume_id)
            if out is not None or state == VolumeState.IN_REPAIR.value:
                o.errors.append(FieldError("reference_code", "volume_out", {"loan": out or "在修"}))
                continue
            open_rows[c.volume_id] = o.row
