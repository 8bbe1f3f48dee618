"""What a scanned code names: a place, a box or a volume (R24)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

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


@dataclass(frozen=True)
class ScanTarget:
    """What a scanned code names."""

    kind: scan_codes.ScanKind
    object_id: int
    code: str


def _reference_variants(code: str) -> list[str]:
    """档号 spellings whose scan form is ``code`` (``.`` may stand for ``·``)."""
    variants = [code]
    dots = [i for i, c in enumerate(code) if c == "."]
    for mask in range(1, 2 ** min(len(dots), 4)):
        chars = list(code)
        for bit, i in enumerate(dots[:4]):
            if mask >> bit & 1:
                chars[i] = "·"
        variants.append("".join(chars))
    return variants


def resolve_scan(*, session: SignedIn, text: str, clock: Clock) -> ScanTarget | None:
    """What a scanner typed: a place, a box or a volume (None: not a code, search as usual).

    Raises ScanRejected when the check character is wrong (never a guess) and ScanNotFound
    when a well-formed code names nothing here.
    """
    result, scanned = scan_codes.parse_scan(search_text(text))
    if result is scan_codes.ScanResult.NOT_A_CODE:
        return None
    if result is scan_codes.ScanResult.BAD_CHECK or scanned is None:
        raise ScanRejected()
    code = scanned.code
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.read")
        lid = uow.session.scalar(select(StorageLocation.id).where(StorageLocation.code == code))
        if lid is not None:
            return ScanTarget(scan_codes.ScanKind.LOCATION, lid, code)
        bid = uow.session.scalar(select(ArchiveBox.id).where(ArchiveBox.code == code))
        if bid is not None:
            return ScanTarget(scan_codes.ScanKind.BOX, bid, code)
        row = uow.session.execute(
            select(Volume.id, Volume.reference_code, Volume.secrecy_level).where(
                Volume.reference_code.in_(_reference_variants(code))
            )
        ).first()
        if row is not None:
            return ScanTarget(scan_codes.ScanKind.VOLUME, row[0], row[1])
    raise ScanNotFound(code=code)
