"""Excel export of a volume list (R40): the rows the reader may see, with a recorded purpose.

Kept for its callers; the work is done by :func:`app.services.exports.export_volumes`, which
writes any list as .xlsx or PDF with the exporter, time, purpose and secrecy marking.
"""

from __future__ import annotations

from app.clock import Clock
from app.services.auth import SignedIn
from app.services.exports import ExportFormat, export_volumes


def export_volumes_xlsx(
    *, session: SignedIn, query: str, purpose: str, clock: Clock, limit: int = 10_000
) -> bytes:
    """The volumes the screen would list for ``query`` as an .xlsx workbook (audited)."""
    return export_volumes(
        session=session,
        query=query,
        purpose=purpose,
        clock=clock,
        fmt=ExportFormat.XLSX,
        limit=limit,
    )
