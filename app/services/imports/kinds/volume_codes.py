"""A 档号 used twice: by two different volumes of the file, or by a volume registered already.

Such rows are one duplicate group (``services.imports.duplicates``), shown together for the
operator's choice: import one of the volumes under the 档号, import all of them (the others
get a new 档号 from the pattern, and a note in their 备注栏 says which 档号 the ledger gave),
or skip them. Without a choice the check's refusals stand (``code_in_file``, ``code_taken``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.errors import FieldError
from app.services.imports.duplicates import (
    Decision,
    choice_of,
    flagged_group,
    skip,
)
from app.services.imports.kinds.base import KindContext, RowOutcome
from app.services.imports.kinds.bulk import chunks
from app.services.imports.kinds.volume_rows import VolumeRowClean
from app.storage.models import Volume


def _identity(c: VolumeRowClean, head: VolumeRowClean) -> tuple[Any, ...]:
    """Which volume a row describes (a row without a title is its 档号's first volume)."""
    return (c.customer_id, c.year, c.volume.retention, c.volume.title or head.volume.title)


def _renumber(rows: list[RowOutcome], code: str, index: int, why: str) -> None:
    """These rows become a volume of their own with a new 档号, noted in its 备注栏."""
    for o in rows:
        c: VolumeRowClean = o.clean
        c.group = ("renumbered", code, index)
        c.reference_code = ""
        o.warnings.append(FieldError("reference_code", "kept_both"))
    rows[0].clean.notes_extra.append(f"台账档号 {code} {why}，已另编档号")


def settle_codes(ctx: KindContext, outcomes: list[RowOutcome]) -> set[str]:
    """Group the rows of each 档号 used twice and apply the operator's choice.

    Returns the 档号 registered already that still name a volume of the file (refused as
    ``code_taken`` by the caller).
    """
    by_code: dict[str, list[RowOutcome]] = {}
    for o in outcomes:
        if o.clean.group[0] == "code":
            by_code.setdefault(o.clean.group[1], []).append(o)
    taken: set[str] = set()
    for chunk in chunks(list(by_code)):
        taken.update(
            ctx.uow.session.scalars(
                select(Volume.reference_code).where(Volume.reference_code.in_(chunk))
            )
        )
    for code, members in by_code.items():
        head: VolumeRowClean = members[0].clean
        parts: dict[tuple[Any, ...], list[RowOutcome]] = {}
        for o in members:
            parts.setdefault(_identity(o.clean, head), []).append(o)
        registered = code in taken
        if len(parts) < 2 and not registered:
            continue
        partitions = list(parts.values())
        group = flagged_group(
            "reference_code",
            code,
            [p[0] for p in partitions],
            [code] if registered else [],
            allow_all=True,
            default=Decision.SKIP if registered else Decision.ONE,
            shown=code,
        )
        ctx.duplicates.append(group)
        if group.key not in ctx.decisions:
            continue  # the refusals of the check stand
        choice = choice_of(ctx, group)
        taken.discard(code)
        if choice.decision is Decision.SKIP or (choice.decision is Decision.ONE and registered):
            for n, o in enumerate(members):
                o.clean.group = ("skipped", code, n)
                skip(o)
        elif choice.decision is Decision.ONE:
            kept = next((p for p in partitions if choice.keep in {o.row for o in p}), partitions[0])
            for n, part in enumerate(partitions):
                if part is kept:
                    continue
                for o in part:
                    o.clean.group = ("skipped", code, n)
                    skip(o)
        else:  # all: the first keeps the 档号 unless it is registered; the others renumbered
            for n, part in enumerate(partitions):
                if n == 0 and not registered:
                    continue
                _renumber(part, code, n, "已被占用" if registered else "在台账中重复")
    return taken
