"""Volumes imported without a customer (待关联): the list with suggestions, and linking them.

A 案卷目录 often names the customer only in the title (``张三丰2020年度客户档案``) or not at
all. Such volumes are imported unlinked and listed here, each with a suggestion: the customer
whose 客户编号 the title or the ledger's customer cell holds, else the one customer whose
name it holds (the longest name found, when exactly one customer has it). The operator links
them one by one or takes the suggestions in a batch (:func:`link_volumes`, one audit entry).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from app.clock import Clock
from app.errors import FieldError, ValidationFailed
from app.security import access
from app.security.masking import mask_name
from app.services.auth import SignedIn
from app.services.common import actor_from_row, authorize, count_where
from app.storage.models import Customer, Volume
from app.storage.store import UnitOfWork

_NUMBER = re.compile(r"KH\d{8}", re.IGNORECASE)
_CJK_RUN = re.compile(r"[\u3400-\u9fff·]{2,}")
MAX_NAME = 12  # longest customer name looked for inside a title


@dataclass(frozen=True)
class LinkSuggestion:
    """The customer a volume probably belongs to, and why."""

    customer_id: int
    number: str
    name: str  # masked (R5)
    basis: str  # "number" | "name"


@dataclass(frozen=True)
class UnlinkedVolume:
    """A volume without a customer, with the ledger's hint and a suggestion (or None)."""

    id: int
    reference_code: str
    year: int
    title: str
    hint: str  # masked
    suggestion: LinkSuggestion | None


def _candidates(text: str) -> set[str]:
    """Every run of 2…MAX_NAME CJK characters inside ``text`` (names it may hold)."""
    out: set[str] = set()
    for run in _CJK_RUN.findall(text):
        for size in range(2, min(MAX_NAME, len(run)) + 1):
            for start in range(0, len(run) - size + 1):
                out.add(run[start : start + size])
    return out


def suggest(uow: UnitOfWork, title: str, hint: str) -> LinkSuggestion | None:
    """The customer ``title`` or ``hint`` names: by 客户编号, else by a unique name."""
    for text in (hint, title):
        found = _NUMBER.search(text)
        if found:
            row = uow.session.execute(
                select(Customer.id, Customer.number, Customer.name).where(
                    Customer.number == found.group(0).upper()
                )
            ).first()
            if row is not None:
                return LinkSuggestion(row[0], row[1], mask_name(row[2]), "number")
    names = _candidates(hint) | _candidates(title)
    if hint.strip():
        names.add(hint.strip())
    if not names:
        return None
    counts: dict[str, list[tuple[int, str]]] = {}
    for cid, number, name in uow.session.execute(
        select(Customer.id, Customer.number, Customer.name).where(Customer.name.in_(names))
    ):
        counts.setdefault(name, []).append((cid, number))
    for name in sorted(counts, key=len, reverse=True):
        if len(counts[name]) == 1:
            cid, number = counts[name][0]
            return LinkSuggestion(cid, number, mask_name(name), "name")
        break  # the longest name found is ambiguous: no suggestion
    return None


def list_unlinked_volumes(
    *, session: SignedIn, clock: Clock, limit: int = 500
) -> list[UnlinkedVolume]:
    """Volumes without a customer (oldest first), each with a suggestion when one is found."""
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "catalogue.read"))
        volumes = uow.session.scalars(
            select(Volume)
            .where(
                Volume.customer_id.is_(None), access.secrecy_clause(reader, Volume.secrecy_level)
            )
            .order_by(Volume.id)
            .limit(limit)
        ).all()
        return [
            UnlinkedVolume(
                v.id,
                v.reference_code,
                v.year,
                v.title,
                mask_name(v.link_hint) if v.link_hint else "",
                suggest(uow, v.title, v.link_hint),
            )
            for v in volumes
        ]


def get_unlinked_count(*, session: SignedIn, clock: Clock) -> int:
    """How many volumes wait for a customer (the 档案 page shows it on its button)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "catalogue.read")
        return count_where(uow, Volume.customer_id.is_(None))


def link_volumes(*, session: SignedIn, links: Mapping[int, int], clock: Clock) -> int:
    """Link volumes to customers (volume id → customer id), all or nothing, one audit entry.

    Raises ValidationFailed naming the first volume that is gone or linked already, or a
    customer that does not exist.
    """
    if not links:
        raise ValidationFailed([FieldError("volume", "required")])
    with session.uow(clock) as uow:
        uow.claim_writes()
        authorize(uow, session.actor, "catalogue.write")
        volumes = {
            v.id: v for v in uow.session.scalars(select(Volume).where(Volume.id.in_(list(links))))
        }
        known = set(
            uow.session.scalars(select(Customer.id).where(Customer.id.in_(set(links.values()))))
        )
        now = clock.now()
        for vid, cid in links.items():
            volume = volumes.get(vid)
            if volume is None:
                raise ValidationFailed([FieldError("volume", "not_found")])
            if volume.customer_id is not None:
                raise ValidationFailed(
                    [FieldError("volume", "already_linked", {"code": volume.reference_code})]
                )
            if cid not in known:
                raise ValidationFailed([FieldError("customer", "not_found")])
            volume.customer_id = cid
            volume.link_hint = ""
            volume.updated_at = now
            volume.version += 1
        uow.session.flush()
        ordered: Sequence[int] = sorted(links)
        uow.audit.record(
            "catalogue.link_volumes",
            object_type="volume",
            object_id=ordered[0],
            details={
                "count": len(ordered),
                "volumes": [volumes[v].reference_code for v in ordered[:50]],
                "customers": sorted(set(links.values()))[:50],
            },
        )
        uow.commit()
        return len(ordered)
