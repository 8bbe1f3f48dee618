"""Finding what a scan (or a typed 档号) names: a volume, or the application waiting for it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from app.clock import Clock
from app.domain.loans import ApplicationState
from app.domain.scan_codes import ScanResult, parse_scan, scan_form
from app.errors import FieldError, ScanRejected, ValidationFailed
from app.services.auth import SignedIn
from app.services.common import authorize
from app.storage.models import Loan, UseApplication, UseApplicationVolume, Volume

BAD_CHECK = "扫码校验失败：请重新扫描（或手工输入档号）。"


def scanned_code(text: str) -> str | None:
    """The 档号 scan form of a scanned label or typed 档号 (None: not a 档号).

    A label whose check character does not match is refused (rescan or type it).
    """
    result, scanned = parse_scan(text)
    if result == ScanResult.BAD_CHECK:
        raise ScanRejected(detail=BAD_CHECK)
    if scanned is not None:
        return scanned.code
    try:
        return scan_form(text)
    except ValueError:
        return None


def same_code(reference_code: str, scanned: str) -> bool:
    """True when a stored 档号's scan form is ``scanned``."""
    try:
        return scan_form(reference_code) == scanned
    except ValueError:
        return False


def match_volume(candidates: Sequence[Volume], text: str) -> Volume | None:
    """The volume among ``candidates`` whose 档号 was scanned or typed."""
    code = scanned_code(text)
    if code is None:
        return None
    return next((v for v in candidates if same_code(v.reference_code, code)), None)


def find_application_for_scan(*, session: SignedIn, scan: str, clock: Clock) -> int:
    """The approved application waiting to issue the scanned volume (oldest first).

    Lets the desk issue by scanning the volume alone; refused when no approved application
    asks for it, or it is already out under each of them.
    """
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "loan.write")
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


# What a scanner types for the separators a 档号 may hold (app.domain.scan_codes._TO_ASCII).
_SCAN_ALTERNATIVES = {".": (".", "·"), "(": ("(", "（"), ")": (")", "）"), " ": (" ", "　")}
_MAX_VARIANTS = 64


def stored_code_variants(scanned: str) -> list[str]:
    """The 档号 spellings whose scan form is ``scanned`` (exact index look-ups, no scan)."""
    variants = [""]
    for char in scanned:
        options = _SCAN_ALTERNATIVES.get(char, (char,))
        variants = [v + o for v in variants for o in options]
        if len(variants) > _MAX_VARIANTS:
            return [scanned]
    return variants


def volume_id_for_scan(*, session: SignedIn, scan: str, clock: Clock) -> int | None:
    """The volume whose label was scanned (or whose 档号 was typed), or None.

    A label holds the 档号's scan form (``·`` typed as ``.``): the stored spellings are
    looked up through the unique index and checked with :func:`scan_form`.
    """
    code = scanned_code(scan)
    if code is None:
        return None
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "loan.read")
        for volume_id, stored in uow.session.execute(
            select(Volume.id, Volume.reference_code).where(
                Volume.reference_code.in_(stored_code_variants(code))
            )
        ):
            if same_code(stored, code):
                return int(volume_id)
    return None
