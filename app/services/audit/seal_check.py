"""Checks of the seals and anchors that need no verification key (sign-in, ``check``).

Without the key the seals' MACs cannot be checked, but their epochs must run without a gap up
to the stored state's epoch, and the chain must reach every anchor this workstation kept.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select

from app.messages import SEAL_PROBLEMS
from app.security import seal_store, sealing
from app.security.anchors import Anchor, AnchorBook
from app.security.audit import AuditChain
from app.security.audit_chain import ChainReport, time_text
from app.storage.models import AuditEntry
from app.storage.store import Store, read_database_id

log = logging.getLogger("app.services.audit")


def describe_seal_problem(problem: sealing.SealProblem) -> str:
    """A Chinese sentence for one problem."""
    template = SEAL_PROBLEMS.get(problem.reason, problem.reason)
    return template.format(epoch=problem.epoch, seq=problem.seq)


def chain_anchor(report: ChainReport, at: datetime) -> Anchor:
    """The head the report ended at, as an anchor."""
    return Anchor(report.head_seq, report.head_hash.hex(), time_text(at))


def check_anchors(store: Store, report: ChainReport, anchors: Iterable[Anchor]) -> list[str]:
    """Problems of ``anchors`` against the chain: rolled back, or rewritten."""
    wanted = sorted({a.seq: a for a in anchors}.values(), key=lambda a: a.seq)
    if not wanted:
        return []
    first = report.first_seq or 1
    with store.new_session() as session:
        found = seal_store.hashes_at(session, [a.seq for a in wanted if a.seq >= first])
    problems: list[str] = []
    for anchor in wanted:
        if anchor.seq > report.head_seq:
            problems.append(
                SEAL_PROBLEMS["anchor_rolled_back"].format(head=report.head_seq, seq=anchor.seq)
            )
            break
        if anchor.seq < first or anchor.seq == 0:
            continue  # archived: the archive's own entry anchors the start
        if found.get(anchor.seq, b"").hex() != anchor.entry_hash:
            problems.append(SEAL_PROBLEMS["anchor_mismatch"].format(seq=anchor.seq))
            break
    return problems


def workstation_anchors(store: Store) -> AnchorBook | None:
    """This workstation's anchor book for the database (None: no database id)."""
    database_id = read_database_id(store.engine)
    try:
        return AnchorBook(database_id) if database_id else None
    except ValueError:
        return None


def unkeyed_problems(
    seals: list[sealing.SealRow], state: tuple[int, bytes] | None
) -> list[sealing.SealProblem]:
    """What can be seen without the verification key: gaps, and the state's epoch."""
    problems: list[sealing.SealProblem] = []
    epochs = [s.epoch for s in seals]
    expected = 0
    for epoch in epochs:
        if epoch != expected:
            problems.append(sealing.SealProblem("seal_gap", expected))
            break
        expected += 1
    if state is None:
        problems.append(sealing.SealProblem("state_missing", expected))
    elif state[0] > expected:
        problems.append(sealing.SealProblem("seal_tail_cut", expected))
    elif state[0] < expected:
        problems.append(sealing.SealProblem("state_rolled_back", state[0]))
    return problems


def quick_seal_problems(store: Store) -> list[str]:
    """At sign-in: seals contiguous up to the state, and this workstation's anchors."""
    with store.new_session() as session:
        if not seal_store.sealing_started(session):
            return []
        state = seal_store.read_state_raw(session, store.data_key)
        seals = seal_store.read_seals(session)
        head = AuditChain.head(session)
        first = session.scalar(select(func.min(AuditEntry.seq))) or 1
    problems = [describe_seal_problem(p) for p in unkeyed_problems(seals, state)]
    book = workstation_anchors(store)
    if book is not None:
        report = ChainReport(first_seq=int(first), head_seq=head[0], head_hash=head[1])
        problems += check_anchors(store, report, book.read())
    return problems
