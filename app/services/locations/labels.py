"""Label stocks and label contents (R24, R17): user-defined stocks, volume labels, output audit.

User-defined stocks live in the settings table under ``label_stocks`` (a JSON list), beside
the built-in ones of ``app.domain.label_stock``. The archivist, who buys the label stock and
prints the labels, manages them (``catalogue.write``); saving and deleting are audited.

Label contents carry codes, year, retention, secrecy mark and location only; never titles or
personal data (see ``app.printing.labels``). Rendering is not an output; printing or saving
the labels is, and is audited with :func:`record_label_output`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from app.clock import Clock
from app.domain.catalogue import RETENTION_LABELS, Retention, Secrecy, SecrecyLevel, VolumeState
from app.domain.label_stock import (
    BUILTIN_KEYS,
    BUILTIN_STOCKS,
    USER_KEY_PREFIX,
    LabelStock,
    validate_stock,
)
from app.errors import FieldError, ValidationFailed
from app.printing.labels import LabelContent, LabelKind
from app.services.auth import SignedIn
from app.services.catalogue.volumes import visible_volume
from app.services.common import actor_from_row, authorize, fetch
from app.services.locations._common import _slots_in_order
from app.storage.store import UnitOfWork

SETTINGS_KEY = "label_stocks"
COUNTER_KEY = "label_stock_last_number"  # user stock keys are never reused after a delete
log = logging.getLogger(__name__)
AUDITED_CODES_MAX = 200  # codes listed in one output entry; the count is always there


def _user_stocks(uow: UnitOfWork) -> list[LabelStock]:
    """The stored user stocks (records that no longer validate are skipped, not fatal)."""
    records = uow.settings.raw().get(SETTINGS_KEY, [])
    stocks: list[LabelStock] = []
    if not isinstance(records, list):
        return stocks
    for record in records:
        if not isinstance(record, dict):
            continue
        try:
            stocks.append(validate_stock(LabelStock.from_record(record)))
        except (TypeError, ValidationFailed):
            log.warning("skipped a stored label stock that is no longer valid")
    return stocks


def list_label_stocks(*, session: SignedIn, clock: Clock) -> list[LabelStock]:
    """The built-in stocks, then the user's stocks by name."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "print.forms")
        users = sorted(_user_stocks(uow), key=lambda s: s.name)
    return [*BUILTIN_STOCKS, *users]


def _next_key(uow: UnitOfWork, stocks: Sequence[LabelStock]) -> str:
    """A key no user stock ever had (the counter survives deletions)."""
    numbers = [
        int(s.key[len(USER_KEY_PREFIX) :])
        for s in stocks
        if s.key.startswith(USER_KEY_PREFIX) and s.key[len(USER_KEY_PREFIX) :].isdigit()
    ]
    last = uow.settings.raw().get(COUNTER_KEY, 0)
    number = max([*numbers, last if isinstance(last, int) else 0]) + 1
    uow.settings.put(COUNTER_KEY, number)
    return f"{USER_KEY_PREFIX}{number}"


def save_label_stock(*, session: SignedIn, stock: LabelStock, clock: Clock) -> LabelStock:
    """Add (empty ``key``) or change a user stock; returns it as saved. Audited.

    Built-in stocks cannot be changed (save a copy under a new name instead); names are
    unique among all stocks.
    """
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "catalogue.write")
        if stock.key in BUILTIN_KEYS:
            raise ValidationFailed([FieldError("stock", "builtin_stock")])
        clean = validate_stock(replace(stock, builtin=False))
        stocks = _user_stocks(uow)
        before = next((s for s in stocks if s.key == clean.key), None)
        if clean.key and before is None:
            raise ValidationFailed([FieldError("stock", "not_found")])
        folded = clean.name.casefold()
        if any(
            s.name.casefold() == folded and s.key != clean.key for s in [*BUILTIN_STOCKS, *stocks]
        ):
            raise ValidationFailed([FieldError("stock_name", "taken")])
        if not clean.key:
            clean = replace(clean, key=_next_key(uow, stocks))
        if before == clean:
            return clean
        kept = [s for s in stocks if s.key != clean.key] + [clean]
        uow.settings.put(SETTINGS_KEY, [s.to_record() for s in kept])
        uow.audit.record(
            "label_stock.save",
            object_type="label_stock",
            object_id=clean.key,
            details={
                "before": before.to_record() if before else None,
                "after": clean.to_record(),
            },
        )
        uow.commit()
    return clean


def delete_label_stock(*, session: SignedIn, key: str, clock: Clock) -> None:
    """Delete a user stock (built-in ones stay). Audited."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "catalogue.write")
        if key in BUILTIN_KEYS:
            raise ValidationFailed([FieldError("stock", "builtin_stock")])
        stocks = _user_stocks(uow)
        gone = next((s for s in stocks if s.key == key), None)
        if gone is None:
            raise ValidationFailed([FieldError("stock", "not_found")])
        uow.settings.put(SETTINGS_KEY, [s.to_record() for s in stocks if s.key != key])
        uow.audit.record(
            "label_stock.delete",
            object_type="label_stock",
            object_id=key,
            details={"before": gone.to_record()},
        )
        uow.commit()


def _secrecy(level: str | None, term: int | None) -> Secrecy:
    return Secrecy(SecrecyLevel(level) if level else None, term)


def volume_labels(
    *,
    session: SignedIn,
    volume_ids: Sequence[int],
    clock: Clock,
    kind: LabelKind = LabelKind.VOLUME,
    locations: dict[int, str] | None = None,
) -> list[LabelContent]:
    """Label contents of volumes, in the order given (within the reader's clearance).

    ``locations`` maps a volume id to its location code when the caller knows it. The title
    is never on a label (it carries the customer's name). Destroyed volumes get no label.
    """
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "print.forms"))
        out: list[LabelContent] = []
        for volume_id in volume_ids:
            volume = visible_volume(uow, reader, volume_id)
            if volume.state == VolumeState.DESTROYED:
                raise ValidationFailed(
                    [FieldError("volume", "destroyed_no_label", {"code": volume.reference_code})]
                )
            out.append(
                LabelContent(
                    kind=kind,
                    code=volume.reference_code,
                    year=volume.year,
                    retention_label=RETENTION_LABELS[Retention(volume.retention)],
                    secrecy_mark=_secrecy(
                        volume.secrecy_level, volume.secrecy_term_years
                    ).marking(),
                    location_code=(locations or {}).get(volume_id, ""),
                )
            )
    return out


def box_labels(*, session: SignedIn, box_ids: Sequence[int], clock: Clock) -> list[LabelContent]:
    """Spine labels of boxes: code, strongest secrecy mark inside, years, 起止档号, place.

    The mark of a box is the strongest of all its volumes, also those above the reader's
    clearance (a marking is never secret; a box must not look ordinary because of who prints).
    """
    from sqlalchemy import select

    from app.printing.labels import box_label
    from app.storage.models import ArchiveBox, StorageLocation, Volume, VolumePlace

    with session.uow(clock) as uow:
        authorize(uow, session.actor, "print.forms")
        out: list[LabelContent] = []
        for box_id in box_ids:
            box = fetch(uow, ArchiveBox, box_id, "box")
            rows = uow.session.execute(
                select(
                    Volume.reference_code,
                    Volume.year,
                    Volume.retention,
                    Volume.secrecy_level,
                    Volume.secrecy_term_years,
                )
                .join(VolumePlace, VolumePlace.volume_id == Volume.id)
                .where(VolumePlace.box_id == box.id)
                .order_by(Volume.reference_code)
            )
            volumes = [
                LabelContent(
                    kind=LabelKind.VOLUME,
                    code=code,
                    year=year,
                    retention_label=RETENTION_LABELS[Retention(retention)],
                    secrecy_mark=_secrecy(level, term).marking(),
                )
                for code, year, retention, level, term in rows
            ]
            place = uow.session.get(StorageLocation, box.location_id) if box.location_id else None
            out.append(box_label(box.code, volumes, location_code=place.code if place else ""))
        return out


def location_labels(*, session: SignedIn, location_id: int, clock: Clock) -> list[LabelContent]:
    """Shelf labels of every 层/位 at and below a place, in walking order (R21, R24)."""
    from app.printing.labels import location_label
    from app.storage.models import StorageLocation

    with session.uow(clock) as uow:
        authorize(uow, session.actor, "print.forms")
        root = fetch(uow, StorageLocation, location_id, "location")
        nodes = _slots_in_order(uow, root) or [root]
        return [
            location_label(n.code, secure=n.secure_effective, capacity=n.capacity) for n in nodes
        ]


def record_label_output(
    *,
    session: SignedIn,
    labels: Sequence[LabelContent],
    stock: LabelStock,
    start: int,
    kind: str,
    clock: Clock,
) -> None:
    """Audit printing (``kind="print"``) or saving (``"save"``) a label sheet, before it is made."""
    if kind not in ("print", "save", "calibration"):
        raise ValidationFailed([FieldError("output", "format", {"expected": "打印或保存"})])
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "print.forms")
        codes = [label.code for label in labels]
        details: dict[str, Any] = {
            "output": kind,
            "stock": stock.key,
            "start": start + 1,
            "labels": len(codes),
            "codes": codes[:AUDITED_CODES_MAX],
        }
        if len(codes) > AUDITED_CODES_MAX:
            details["codes_not_listed"] = len(codes) - AUDITED_CODES_MAX
        uow.audit.record("print.labels", object_type="labels", purpose="标签", details=details)
        uow.commit()
