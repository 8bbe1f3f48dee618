"""Finding what a scan (or a typed code) names at the loan desk: a volume, a loan, an application.

Every field reads its text with the one input rule (:func:`app.domain.scan_codes.read_code`):
a label's QR code, a 档号 typed with ``·``, ``.`` or ``-``, a loan number (``JY2026-000001``),
each with or without its check character; a wrong check character is refused.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from app.clock import Clock
from app.domain import scan_codes
from app.domain.loans import ApplicationState, LoanState
from app.domain.scan_codes import ScannedCode, ScanResult, loose_key, read_code
from app.errors import FieldError, ScanRejected, ValidationFailed
from app.services.auth import SignedIn
from app.services.common import authorize
from app.services.locations._common import ScanRejected as LocationScanRejected
from app.services.locations.scan import find_volume, volume_matches
from app.storage.models import Loan, UseApplication, UseApplicationVolume, Volume
from app.storage.store import UnitOfWork

BAD_CHECK = "扫码校验失败：请重新扫描（或手工输入档号、登记号）。"


def read_scan(text: str) -> ScannedCode | None:
    """``text`` read by the one input rule (None: not a code); a wrong check is refused."""
    result, scanned = read_code(text)
    if result is ScanResult.BAD_CHECK:
        raise ScanRejected(detail=BAD_CHECK)
    return scanned


def scanned_code(text: str) -> str | None:
    """The scan form of a scanned label or typed code (None: not a code)."""
    scanned = read_scan(text)
    return scanned.code if scanned is not None else None


def same_code(reference_code: str, scanned: str) -> bool:
    """True when a stored 档号 is the code read (``·`` typed as ``.`` or ``-``)."""
    try:
        return loose_key(reference_code) == loose_key(scanned)
    except ValueError:
        return False


def match_volume(candidates: Sequence[Volume], text: str) -> Volume | None:
    """The volume among ``candidates`` whose 档号 was scanned or typed."""
    scanned = read_scan(text)
    if scanned is None:
        return None
    close = [v for v in candidates if same_code(v.reference_code, scanned.code)]
    chosen = scan_codes.best_match(scanned.code, [v.reference_code for v in close])
    if chosen is None:
        return None
    if not scanned.confirms(chosen):
        raise ScanRejected(detail=BAD_CHECK)
    return next(v for v in close if v.reference_code == chosen)


def find_application_for_scan(*, session: SignedIn, scan: str, clock: Clock) -> int:
    """The approved application waiting to issue the scanned volume (oldest first).

    Lets the desk issue by scanning the volume alone; refused when no approved application
    asks for it, or it is already out under each of them. Only the applications asking for a
    volume the code may name are read (the 档号 index), not every approved one's volumes.
    """
    scanned = read_scan(scan)
    with session.read_uow(clock) as uow:  # reads only: not queued behind other desks' loans
        authorize(uow, session.actor, "loan.write")
        named = [vid for vid, _code in volume_matches(uow, scanned.code)] if scanned else []
        rows = list(
            uow.session.execute(
                select(UseApplication.id, Volume)
                .join(
                    UseApplicationVolume, UseApplicationVolume.application_id == UseApplication.id
                )
                .join(Volume, Volume.id == UseApplicationVolume.volume_id)
                .where(
                    UseApplication.state == ApplicationState.APPROVED.value,
                    UseApplication.renewal_of_loan_id.is_(None),
                    UseApplicationVolume.volume_id.in_(named),
                )
                .order_by(UseApplication.id)
            ).all()
        )
        issued = set(
            uow.session.execute(
                select(Loan.application_id, Loan.volume_id).where(
                    Loan.application_id.in_({app_id for app_id, _v in rows})
                )
            ).all()
        )
        for app_id, volume in rows:
            if (app_id, volume.id) in issued:
                continue
            if match_volume([volume], scan) is not None:
                return int(app_id)
    raise ValidationFailed([FieldError("scan", "no_approved_application")])


def stored_code_variants(scanned: str) -> list[str]:
    """The 档号 spellings a code in scan form may stand for (exact index look-ups, no scan)."""
    return scan_codes.spellings(scanned) or [scanned]


def _volume_of(uow: UnitOfWork, scanned: ScannedCode) -> int | None:
    try:
        found = find_volume(uow, scanned)
    except LocationScanRejected:
        raise ScanRejected(detail=BAD_CHECK) from None
    return found[0] if found is not None else None


def volume_id_for_scan(*, session: SignedIn, scan: str, clock: Clock) -> int | None:
    """The volume whose label was scanned (or whose 档号 was typed), or None."""
    scanned = read_scan(scan)
    if scanned is None:
        return None
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "loan.read")
        return _volume_of(uow, scanned)


def open_loan_for_scan(uow: UnitOfWork, text: str) -> Loan | None:
    """The open register entry of a scanned or typed slip (loan number) or volume (档号)."""
    scanned = read_scan(text)
    if scanned is None:
        return None
    loan = uow.session.scalar(
        select(Loan).where(Loan.number == scanned.code, Loan.state == LoanState.OUT.value)
    )
    if loan is not None:
        if not scanned.confirms(loan.number):
            raise ScanRejected(detail=BAD_CHECK)
        return loan
    volume_id = _volume_of(uow, scanned)
    if volume_id is None:
        if not scanned.verified:
            raise ScanRejected(detail=BAD_CHECK)
        return None
    return uow.session.scalar(
        select(Loan).where(Loan.volume_id == volume_id, Loan.state == LoanState.OUT.value)
    )
