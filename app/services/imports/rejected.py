"""The rejected-rows workbook: the refused rows as they were in the file, with the reasons."""

from __future__ import annotations

import io
from collections.abc import Sequence

from app.clock import Clock, format_local
from app.imports import cells
from app.security.cells import safe_row
from app.services.auth import SignedIn
from app.services.common import authorize
from app.services.imports.checking import describe_outcome
from app.services.imports.kinds.base import RowOutcome
from app.services.imports.ledger import Ledger
from app.services.imports.registry import kind_of


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
        authorize(uow, session.actor, target.permission, releases=True)
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
        safe_row(
            [
                "内部 · 含个人信息，改正后重新导入，用后删除"
                f"　导出：{actor.display_name}（{actor.username}）　{format_local(clock.now())}"
            ]
        )
    )
    sheet.append(safe_row(["原行号", "未导入原因", *ledger.header.names]))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    rows = ledger.sheet.rows
    for o in bad:
        index = o.row - ledger.sheet.first_row
        raw = rows[index] if 0 <= index < len(rows) else ()
        values = [cells.text(v) if not isinstance(v, int | float) else v for v in raw]
        sheet.append(safe_row([o.row, describe_outcome(o), *values]))
    for row in sheet.iter_rows(min_row=3, max_col=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["B"].width = 50
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
