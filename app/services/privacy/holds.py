"""Holds (冻结, R46) as the lifecycle sees them: one query, wired to the disposition area.

A customer under a hold, or with a volume under one, may not be deleted or anonymised; the
refusal names the hold. The holds themselves are the disposition area's (issue 17); this module
is the single place that asks it.
"""

from __future__ import annotations

from app.errors import OnHold
from app.storage.store import UnitOfWork


def holds_on_customer(uow: UnitOfWork, customer_id: int) -> list[str]:
    """The holds in force on the customer or their volumes, by name (empty: none)."""
    try:
        from app.services.disposition import holds  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # the disposition area is not in this build
        return []
    finder = getattr(holds, "holds_on_customer", None)
    if finder is None:
        return []
    return [str(name) for name in finder(uow, customer_id)]


def refuse_if_held(uow: UnitOfWork, customer_id: int) -> None:
    """Raise :class:`OnHold` naming the holds on the customer (R46)."""
    names = holds_on_customer(uow, customer_id)
    if names:
        raise OnHold(hold="、".join(names))
