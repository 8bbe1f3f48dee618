"""Forward-secure sealing of the audit chain (issue 23; in the manner of journald's FSS).

The keyed hash chain (:mod:`app.security.audit_chain`) is keyed by the data key, which every
user's password unwraps: an insider can delete an entry and recompute the chain. Sealing adds
what they cannot redo.

* At start a random seed ``S0`` is drawn. ``S0`` is the **verification key**: it is handed to
  the auditor (printed once) and never stored by the program.
* The program keeps only the current epoch key ``S_n = evolve(S_{n-1})`` (a one-way HMAC step)
  and erases the previous one as soon as the next exists (``audit_seal_state``, one row,
  overwritten in the same transaction that writes the seal).
* An epoch ends with a **seal** ``HMAC(S_n, epoch || first seq || last seq || head hash ||
  time)`` in ``audit_seal`` (append-only). Epochs end every :data:`EPOCH_ENTRIES` entries,
  every :data:`EPOCH_SECONDS` of recorded time, and at sign-in, sign-out and archiving.

Whoever holds the data key *now* holds ``S_n`` and can seal what comes from now on, but cannot
compute ``S_k`` for ``k < n``: the seals of past epochs, and with them every entry they cover,
cannot be redone. The verifier derives every ``S_k`` from ``S0`` and checks that the seals are
contiguous (epochs 0…n-1 with no gap), each MAC, that each seal's head matches the chain, and
that the stored current key is exactly ``S_n`` for the stored epoch ``n`` (so the state cannot
be wound back to an earlier epoch without a copy of that epoch's key, and a tail cut together
with its seals leaves a gap before epoch ``n``).
"""

from __future__ import annotations

import base64
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

KEY_BYTES = 32
EPOCH_ENTRIES = 100
EPOCH_SECONDS = 15 * 60
SEAL_ACTIONS = frozenset(
    {"auth.sign_in", "auth.sign_out", "audit.archive", "audit.seal_started", "time.mark_reset"}
)
KEY_PREFIX = "ARAK1"  # archive-room audit (verification) key, format 1
_EVOLVE = b"archive-room/audit-seal/evolve/v1"


def new_seed() -> bytes:
    """A fresh verification key ``S0``."""
    return secrets.token_bytes(KEY_BYTES)


def evolve(key: bytes) -> bytes:
    """``S_{n+1}`` from ``S_n``: one way (HMAC-SHA256 as a PRF keyed by the old key)."""
    return hmac.digest(key, _EVOLVE, "sha256")


def epoch_key(seed: bytes, epoch: int) -> bytes:
    """``S_epoch`` derived from the verification key."""
    key = seed
    for _ in range(epoch):
        key = evolve(key)
    return key


def seal_bytes(epoch: int, first_seq: int, last_seq: int, head_hash: bytes, at: str) -> bytes:
    """What a seal's MAC covers."""
    return (
        f"audit-seal\x1f{epoch}\x1f{first_seq}\x1f{last_seq}\x1f{head_hash.hex()}\x1f{at}".encode()
    )


def seal_mac(
    key: bytes, epoch: int, first_seq: int, last_seq: int, head_hash: bytes, at: str
) -> bytes:
    """The MAC of one seal under the epoch's key."""
    return hmac.digest(key, seal_bytes(epoch, first_seq, last_seq, head_hash, at), "sha256")


# --- the verification key as text --------------------------------------------------------
def format_verification_key(seed: bytes, database_id: str) -> str:
    """``ARAK1-<database id>-<base32 key in groups of 4>`` (what the sheet and file show)."""
    body = base64.b32encode(seed).decode("ascii").rstrip("=")
    groups = "-".join(body[i : i + 4] for i in range(0, len(body), 4))
    return f"{KEY_PREFIX}-{database_id}-{groups}"


def parse_verification_key(text: str) -> tuple[bytes, str] | None:
    """``(seed, database id)`` from a typed or read key; None when it cannot be one."""
    cleaned = "".join(text.split()).upper()
    parts = cleaned.split("-")
    if len(parts) < 3 or parts[0] != KEY_PREFIX:
        return None
    database_id = parts[1].lower()
    body = "".join(parts[2:])
    try:
        seed = base64.b32decode(body + "=" * (-len(body) % 8))
    except ValueError:
        return None
    if len(seed) != KEY_BYTES or not database_id:
        return None
    return seed, database_id


# --- verification ------------------------------------------------------------------------
@dataclass(frozen=True)
class SealRow:
    """One stored seal."""

    epoch: int
    first_seq: int
    last_seq: int
    head_hash: bytes
    closed_at: str
    mac: bytes


@dataclass
class SealProblem:
    """Something the seals show; ``reason`` keys ``app.messages.SEAL_PROBLEMS``."""

    reason: str
    epoch: int | None = None
    seq: int | None = None


@dataclass
class SealReport:
    """What verifying the seals found."""

    seals: int = 0
    state_epoch: int | None = None
    sealed_through: int = 0  # last seq covered by a valid seal
    last_sealed_at: str | None = None
    problems: list[SealProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every seal holds and none is missing."""
        return not self.problems


def verify_seals(
    seed: bytes,
    seals: Iterable[SealRow],
    state: tuple[int, bytes] | None,
    hash_at: dict[int, bytes],
    *,
    first_kept_seq: int,
    head_seq: int,
) -> SealReport:
    """Check the seals against the verification key and the chain.

    ``state``: ``(epoch, current key)`` as stored (None: no state); ``hash_at``: the chain's
    ``entry_hash`` of every seq a seal names (missing: not in the table); ``first_kept_seq``:
    where the table's chain starts (after an archive); ``head_seq``: the newest entry.
    """
    report = SealReport()
    key = seed
    expected_epoch = 0
    expected_first = None
    problems = report.problems
    for row in sorted(seals, key=lambda r: r.epoch):
        report.seals += 1
        if row.epoch != expected_epoch:
            if row.epoch < expected_epoch:
                problems.append(SealProblem("seal_duplicate", row.epoch))
                continue
            problems.append(SealProblem("seal_gap", expected_epoch))
            key = epoch_key(key, row.epoch - expected_epoch)
            expected_epoch = row.epoch
        if not hmac.compare_digest(
            seal_mac(key, row.epoch, row.first_seq, row.last_seq, row.head_hash, row.closed_at),
            row.mac,
        ):
            problems.append(SealProblem("seal_forged", row.epoch, row.last_seq))
        elif expected_first is not None and row.first_seq != expected_first:
            problems.append(SealProblem("seal_overlap", row.epoch, row.first_seq))
        elif row.last_seq >= first_kept_seq or row.last_seq == head_seq:
            stored = hash_at.get(row.last_seq)
            if row.last_seq > head_seq:
                problems.append(SealProblem("seal_truncated", row.epoch, row.last_seq))
            elif row.last_seq > 0 and stored != row.head_hash:
                problems.append(SealProblem("seal_mismatch", row.epoch, row.last_seq))
            else:
                report.sealed_through = row.last_seq
                report.last_sealed_at = row.closed_at
        else:  # archived range: the MAC holds, the entries are in the archive file
            report.sealed_through = row.last_seq
            report.last_sealed_at = row.closed_at
        expected_first = row.last_seq + 1
        key = evolve(key)
        expected_epoch += 1
    if state is None:
        problems.append(SealProblem("state_missing", expected_epoch))
        return report
    state_epoch, stored_key = state
    report.state_epoch = state_epoch
    if state_epoch > expected_epoch:
        # seals of epochs expected_epoch … state_epoch-1 are gone: the tail was cut
        problems.append(SealProblem("seal_tail_cut", expected_epoch))
        key = epoch_key(key, state_epoch - expected_epoch)
    elif state_epoch < expected_epoch:
        problems.append(SealProblem("state_rolled_back", state_epoch))
        return report
    if not hmac.compare_digest(key, stored_key):
        problems.append(SealProblem("state_forged", state_epoch))
    return report
