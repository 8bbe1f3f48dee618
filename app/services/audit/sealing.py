"""The sealed audit trail's use cases: issue the verification key, verify with it, anchors.

Sealing starts when the verification key is issued: at an auditor's first sign-in (new and
upgraded databases alike), or by ``archive-room demo`` for a demo. The key is shown once, to
the auditor, and never stored (docs/security.md, "Sealed audit trail").
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from app.clock import Clock
from app.domain.accounts import Actor
from app.errors import AuditSealingStarted
from app.messages import SEAL_PROBLEMS
from app.security import seal_store, sealing
from app.security.anchors import Anchor
from app.security.audit import AuditChain
from app.security.audit_chain import ChainReport
from app.services.audit.chain import verify_audit_chain
from app.services.audit.seal_check import (
    chain_anchor,
    check_anchors,
    describe_seal_problem,
    unkeyed_problems,
    workstation_anchors,
)
from app.services.auth import SignedIn
from app.services.common import authorize
from app.storage.models import AuditEntry
from app.storage.store import Store, read_database_id

log = logging.getLogger("app.services.audit")

SEAL_STARTED_ACTION = "audit.seal_started"


@dataclass(frozen=True)
class IssuedKey:
    """A verification key, as shown once and printed (no personal data)."""

    text: str
    database_id: str
    issued_at: datetime
    issued_to: str


def sealing_started(store: Store) -> bool:
    """True once the verification key of this database was issued."""
    with store.new_session() as session:
        return seal_store.sealing_started(session)


def _issue_verification_key(store: Store, actor: Actor | None, clock: Clock) -> IssuedKey:
    """Start sealing: seal everything so far as epoch 0 and return ``S0`` as text (once).

    Raises AuditSealingStarted when a key was issued before (it is never shown again).
    """
    database_id = read_database_id(store.engine) or ""
    with store.unit_of_work(actor, clock) as uow:
        uow.claim_writes()
        if seal_store.sealing_started(uow.session):
            raise AuditSealingStarted()
        uow.audit.record(SEAL_STARTED_ACTION, object_type="audit", details={"epoch": 0})
        head = AuditChain.head(uow.session)
        first = uow.session.scalar(select(func.min(AuditEntry.seq))) or 1
        seed = seal_store.start(uow.session, store.root_key, head, int(first), clock.now())
        uow.commit()
    log.info("audit sealing started")
    name = actor.display_name if actor is not None else "系统"
    return IssuedKey(
        sealing.format_verification_key(seed, database_id), database_id, clock.now(), name
    )


def start_audit_sealing(*, session: SignedIn, clock: Clock) -> IssuedKey:
    """The auditor receives the verification key (first sign-in of an auditor)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "audit.seal")
    return _issue_verification_key(session.store, session.actor, clock)


# --- verification -----------------------------------------------------------------------------
@dataclass
class SealedVerification:
    """The chain, the seals and the anchors, verified together."""

    chain: ChainReport
    head: Anchor
    seals: sealing.SealReport | None = None
    anchors_checked: int = 0
    started: bool = False  # a verification key was issued
    keyed: bool = False  # the seals' MACs were checked with the verification key
    problems: list[str] = field(default_factory=list)  # seal and anchor problems, in Chinese

    @property
    def ok(self) -> bool:
        """True when nothing was found."""
        return self.chain.ok and not self.problems

    @property
    def unsealed(self) -> int:
        """Entries of the open epoch (after the last seal)."""
        if self.seals is None:
            return self.chain.head_seq
        return max(0, self.chain.head_seq - self.seals.sealed_through)


def verify_sealed_trail(
    store: Store,
    verification_key: str | None,
    clock: Clock,
    *,
    anchors: Iterable[Anchor] = (),
    keep_anchor: bool = False,
) -> SealedVerification:
    """Verify the whole chain, every seal with the verification key, and the anchors.

    Anchors are those given plus those this workstation kept. ``keep_anchor`` adds the head
    to the workstation's book (an auditor's review).
    """
    chain = verify_audit_chain(store)
    result = SealedVerification(chain=chain, head=chain_anchor(chain, clock.now()))
    book = workstation_anchors(store)
    known = list(anchors) + (book.read() if book is not None else [])
    result.anchors_checked = len(known)
    result.problems += check_anchors(store, chain, known)
    database_id = read_database_id(store.engine) or ""
    with store.new_session() as session:
        started = seal_store.sealing_started(session)
        state = seal_store.read_state_raw(session, store.root_key)
        seals = seal_store.read_seals(session)
        hash_at = seal_store.hashes_at(session, sorted({s.last_seq for s in seals}))
    result.started = started
    if verification_key is None:
        if started:  # without the key: contiguity and the state only (no MACs)
            result.problems += [describe_seal_problem(p) for p in unkeyed_problems(seals, state)]
    else:
        parsed = sealing.parse_verification_key(verification_key)
        if parsed is None:
            result.problems.append(SEAL_PROBLEMS["key_unreadable"])
        elif parsed[1] != database_id:
            result.problems.append(SEAL_PROBLEMS["wrong_database"].format(database_id=parsed[1]))
        elif not started and not seals:
            result.problems.append(SEAL_PROBLEMS["not_started"])
        else:
            report = sealing.verify_seals(
                parsed[0],
                seals,
                state,
                hash_at,
                first_kept_seq=chain.first_seq or 1,
                head_seq=chain.head_seq,
            )
            result.seals = report
            result.keyed = True
            result.problems += [describe_seal_problem(p) for p in report.problems]
    if keep_anchor and book is not None and chain.ok and chain.head_seq:
        try:
            book.add(result.head)
        except OSError as exc:
            log.warning("anchor not kept (%s)", type(exc).__name__)
    return result


def audit_key_sheet_pdf(store: Store, issued: IssuedKey) -> bytes:
    """The verification key sheet (PDF) for the auditor, rendered from the issued key."""
    from app.printing.audit_key_sheet import AuditKeySheet, render_audit_key_sheet
    from app.storage.settings import SettingsRepository

    with store.new_session() as session:
        name = SettingsRepository(session).load().organisation.organisation_name
    return render_audit_key_sheet(
        AuditKeySheet(
            verification_key=issued.text,
            organisation_name=name,
            database_id=issued.database_id,
            database_display=store.location.display(),
            issued_at=issued.issued_at,
            issued_to=issued.issued_to,
        )
    )
