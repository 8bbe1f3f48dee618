"""Copy approval (R31): whether an approved 复制/摘抄/对外提供 of a volume is out now."""

from __future__ import annotations

from sqlalchemy import select

from app.clock import Clock
from app.domain import loans as rules
from app.domain.loans import LoanState
from app.services.auth import SignedIn
from app.services.common import authorize
from app.storage.models import Loan


def copy_approved(*, session: SignedIn, volume_id: int, clock: Clock) -> bool:
    """True while an approved 复制/摘抄/对外提供 of the volume is issued and not yet returned.

    机密/绝密 file contents may then be printed or saved for it (R31: the 总经理's approval);
    otherwise the viewer stays view-only.
    """
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "loan.read")
        found = uow.session.scalar(
            select(Loan.id).where(
                Loan.volume_id == volume_id,
                Loan.state == LoanState.OUT.value,
                Loan.kind.in_([k.value for k in rules.COPY_KINDS]),
            )
        )
        return found is not None
