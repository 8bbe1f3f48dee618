"""Excel export of a volume list (R40): the rows the reader may see, with a recorded purpose.

The rows come from the same services as the screen (``search_catalogue`` / ``list_volumes``),
so the one access check decides here too: volumes above the reader's clearance appear as
"受限" rows with their 档号 only, or not at all for title searches.
"""

from __future__ import annotations

import io

from app.clock import Clock, format_local
from app.errors import FieldError, ValidationFailed
from app.services.auth import SignedIn
from app.services.catalogue import VolumeRow, search_catalogue
from app.services.common import authorize

HEADERS = ("档号", "案卷题名", "年度", "保管期限", "保管期限到期", "密级", "状态", "件数", "页数")
STATE_LABELS = {"on_shelf": "在架", "on_loan": "借出", "in_repair": "在修", "destroyed": "已销毁"}


def export_volumes_xlsx(
    *, session: SignedIn, query: str, purpose: str, clock: Clock, limit: int = 10_000
) -> bytes:
    """The volumes the screen would list for ``query`` as an .xlsx workbook (audited)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    purpose = " ".join(purpose.split())
    if not purpose:
        raise ValidationFailed([FieldError("purpose", "required")])
    rows: list[VolumeRow] = search_catalogue(session=session, query=query, clock=clock, limit=limit)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "案卷目录"
    sheet.append(
        [
            f"导出：{session.actor.display_name}（{session.actor.username}）"
            f"　{format_local(clock.now())}　用途：{purpose}"
        ]
    )
    sheet.append(list(HEADERS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for v in rows:
        sheet.append(
            [
                v.reference_code,
                v.title,
                v.year,
                v.retention,
                v.expires.isoformat() if v.expires else "永久",
                v.secrecy,
                STATE_LABELS.get(v.state, v.state),
                "" if v.restricted else v.item_count,
                "" if v.restricted else v.page_count,
            ]
        )
    for column, width in zip("ABCDEFGHI", (24, 40, 8, 10, 14, 12, 8, 6, 6), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "catalogue.read")
        uow.audit.record(
            "export.volumes",
            object_type="volume",
            purpose=purpose,
            details={"query": query, "rows": len(rows)},
        )
        uow.commit()
    return out.getvalue()
