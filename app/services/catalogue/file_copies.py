"""Copies of stored files (issue 23, R31, R40): saved or printed from the viewer, audited.

* A 机密/绝密 file is shown, never copied, unless the signed-in user holds an approved,
  issued, unexpired 复制 of this item (``app.services.loans.copies``); a refused attempt is
  audited (``file.copy_refused``) and nothing leaves the database.
* A copy is watermarked where the format allows (PDF: every page; images): who took it,
  when, under which 申请编号 (``app.printing.watermark``). Other formats of 机密/绝密 files
  leave unmodified, and only under such an approval.
* Every copy is audited (``file.save`` / ``file.print``) with the item, the 档号 and the
  申请编号; never the file's name.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from app.clock import Clock
from app.domain import file_types
from app.domain.catalogue import MARKED_LEVELS, SECRECY_LABELS, SecrecyLevel
from app.errors import CopyNeedsApproval, FieldError, ValidationFailed
from app.printing.stamp import printed_by_text
from app.printing.watermark import CopyMark, can_watermark, watermark
from app.services.auth import SignedIn
from app.services.catalogue.file_store import file_row
from app.services.catalogue.files import read_plain
from app.services.common import authorize, local_today
from app.services.loans.copies import copy_grant
from app.storage.models import ArchiveItem, Volume

OUTPUTS = {"save": "file.save", "print": "file.print"}
RESTRICTED_LEVELS = frozenset(level.value for level in MARKED_LEVELS)  # 机密, 绝密
_ORDER = {level: n for n, level in enumerate([None, *(lv.value for lv in SecrecyLevel)])}


@dataclass(frozen=True)
class FileCopy:
    """What may be written or printed: the bytes (watermarked where possible) and their type."""

    data: bytes
    media_type: str
    suffix: str  # ".pdf", ".png" … ("" when the stored type has none)
    watermarked: bool
    application: str  # the 申请编号 the copy was taken under ("" when none was needed)


def _stronger(a: str | None, b: str | None) -> str | None:
    """The stronger of two stored levels (an unknown value counts as the strongest)."""
    return a if _ORDER.get(a, 99) >= _ORDER.get(b, 99) else b


def copy_restricted(level: str | None) -> bool:
    """True for 机密/绝密 (and any level this version does not know): copies need approval."""
    return level is not None and (level in RESTRICTED_LEVELS or level not in _ORDER)


def _suffix(media_type: str) -> str:
    kind = file_types.ALLOWED.get(media_type)
    return "." + sorted(kind.extensions, key=len)[0] if kind else ""


def copy_file(
    *, session: SignedIn, file_id: int, purpose: str, clock: Clock, output: str = "save"
) -> FileCopy:
    """A copy of a stored file to save or print, checked, watermarked and audited.

    Raises :class:`CopyNeedsApproval` for a 机密/绝密 file without this user's approved copy
    of this item (the attempt is audited as ``file.copy_refused``).
    """
    purpose = (purpose or "").strip()
    errors: list[FieldError] = []
    if not purpose:
        errors.append(FieldError("purpose", "required"))
    if output not in OUTPUTS:
        errors.append(FieldError("output", "format", {"expected": "打印或保存"}))
    if errors:
        raise ValidationFailed(errors)
    with session.uow(clock) as uow:
        user = authorize(uow, session.actor, "file.open")
        f, customer = file_row(uow, file_id, user)
        item = uow.session.get(ArchiveItem, f.item_id)
        assert item is not None
        volume = uow.session.get(Volume, item.volume_id)
        assert volume is not None
        which = {"item_id": item.id, "reference_code": volume.reference_code, "seq": item.seq}
        level = _stronger(item.secrecy_level, volume.secrecy_level)
        word = SECRECY_LABELS[SecrecyLevel(level)] if level in _ORDER and level else ""
        grant = None
        if copy_restricted(level):
            grant = copy_grant(uow, user, item, volume, local_today(clock))
            if grant is None:
                uow.audit.record(
                    "file.copy_refused",
                    object_type="item_file",
                    object_id=f.id,
                    purpose=purpose[:200],
                    details={**which, "output": output, "level": word},
                )
                uow.commit()
                raise CopyNeedsApproval()
        plain = read_plain(uow, f, customer, purpose, output)
        data, media_type, suffix, marked = plain.content, f.media_type, _suffix(f.media_type), False
        if can_watermark(f.media_type):
            mark = CopyMark(
                printed_by_text(user.display_name, user.username),
                clock.now(),
                grant.application_number if grant else "",
                word,
            )
            try:
                done = watermark(plain.content, f.media_type, mark)
            except ValueError as exc:  # unreadable as its format: never handed out unmarked
                raise ValidationFailed([FieldError("file", "not_watermarkable")]) from exc
            if done is not None:
                data, media_type, suffix, marked = done.data, done.media_type, done.suffix, True
        uow.audit.record(
            OUTPUTS[output],
            object_type="item_file",
            object_id=f.id,
            purpose=purpose[:200],
            details={
                **which,
                "application": grant.application_number if grant else None,
                "loan": grant.loan_number if grant else None,
                "media_type": f.media_type,
                "size": f.size,
                "watermarked": marked,
                "copy_sha256": hashlib.sha256(data).hexdigest(),
            },
        )
        uow.commit()
        return FileCopy(data, media_type, suffix, marked, grant.application_number if grant else "")
