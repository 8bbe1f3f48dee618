"""What a scanned or typed code names: a place, a box or a volume (R24, issue 21).

Every scan field reads its text with :func:`app.domain.scan_codes.read_code` (the one input
rule) and looks the code up here: :func:`find_code` inside a unit of work (the inspection and
loan services use it), :func:`resolve_scan` as a query of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.clock import Clock
from app.domain import scan_codes
from app.domain.search_text import search_text
from app.services.auth import SignedIn
from app.services.common import authorize
from app.services.locations._common import ScanNotFound, ScanRejected
from app.storage.models import (
    ArchiveBox,
    StorageLocation,
    Volume,
)
from app.storage.store import UnitOfWork


@dataclass(frozen=True)
class ScanTarget:
    """What a scanned code names."""

    kind: scan_codes.ScanKind
    object_id: int
    code: str


def _reference_variants(code: str) -> list[str]:
    """档号 spellings whose scan form is ``code`` (kept for callers of the old name)."""
    return scan_codes.spellings(code) or [code]


def volume_matches(uow: UnitOfWork, form: str) -> list[tuple[int, str]]:
    """(id, 档号) of the volumes a code in scan form may name (``·`` typed as ``.`` or ``-``)."""
    spelled = scan_codes.spellings(form)
    if spelled is not None:
        query = select(Volume.id, Volume.reference_code).where(Volume.reference_code.in_(spelled))
    else:  # too many separators to spell out: compare loosely (a scan of the table)
        column = func.upper(func.replace(func.replace(Volume.reference_code, "·", "-"), ".", "-"))
        query = select(Volume.id, Volume.reference_code).where(column == scan_codes.loose_key(form))
    key = scan_codes.loose_key(form)
    rows: list[tuple[int, str]] = []
    for vid, stored in uow.session.execute(query):
        try:
            if scan_codes.loose_key(stored) == key:
                rows.append((int(vid), str(stored)))
        except ValueError:
            continue
    return rows


def find_volume(uow: UnitOfWork, scanned: scan_codes.ScannedCode) -> tuple[int, str] | None:
    """The volume (id, 档号) a read code names, or None; a check that does not fit is refused."""
    rows = volume_matches(uow, scanned.code)
    chosen = scan_codes.best_match(scanned.code, [stored for _vid, stored in rows])
    if chosen is None:
        return None
    if not scanned.confirms(chosen):
        raise ScanRejected()
    return next(row for row in rows if row[1] == chosen)


def find_code(uow: UnitOfWork, scanned: scan_codes.ScannedCode) -> ScanTarget | None:
    """The place, box or volume a read code names (None: nothing here).

    Raises ScanRejected when a check character was given and does not fit what was found,
    or fitted nothing as typed and nothing was found (a misread, never a guess).
    """
    code = scanned.code
    lid = uow.session.scalar(select(StorageLocation.id).where(StorageLocation.code == code))
    if lid is not None:
        if not scanned.confirms(code):
            raise ScanRejected()
        return ScanTarget(scan_codes.ScanKind.LOCATION, lid, code)
    bid = uow.session.scalar(select(ArchiveBox.id).where(ArchiveBox.code == code))
    if bid is not None:
        if not scanned.confirms(code):
            raise ScanRejected()
        return ScanTarget(scan_codes.ScanKind.BOX, bid, code)
    volume = find_volume(uow, scanned)
    if volume is not None:
        return ScanTarget(scan_codes.ScanKind.VOLUME, volume[0], volume[1])
    if not scanned.verified:
        raise ScanRejected()
    return None


def read_or_reject(text: str) -> scan_codes.ScannedCode | None:
    """``text`` read by the one input rule (None: not a code); a wrong check is refused."""
    result, scanned = scan_codes.read_code(text)
    if result is scan_codes.ScanResult.BAD_CHECK:
        raise ScanRejected()
    return scanned


def resolve_scan(*, session: SignedIn, text: str, clock: Clock) -> ScanTarget | None:
    """A scanned or typed code: a place, a box or a volume (None: not a code, search as usual).

    Raises ScanRejected when the check character is wrong (never a guess) and ScanNotFound
    when a code names nothing here.
    """
    scanned = read_or_reject(search_text(text))
    if scanned is None:
        return None
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.read")
        target = find_code(uow, scanned)
    if target is None:
        raise ScanNotFound(code=scanned.code)
    return target
