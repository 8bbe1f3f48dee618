"""Carrying out an approved 销毁清册 (R44, R13): two 监销人, an allowed method, crypto-erasure.

Before anything is written: the list is approved; the method is one of the configured ones and
never a sale (出售 as scrap is refused whatever the settings say); two distinct 监销人 confirm
with their own passwords at the desk, each allowed to witness and neither the compiler nor an
approver of the list; no volume is held, out or already destroyed.

Then one transaction: each volume becomes 已销毁 with a 销毁情况 line in its 备注栏 (the catalogue
entry stays, searchable; its 档号 is never issued again, the counters only go up); its place is
freed with a move row recording the removal; its electronic files are crypto-erased — each
file's own key is destroyed in the vault (older files, sealed under the customer's key, lose
their stored chunks) — and the rows are kept as ``destroyed`` with their SHA-256. The erasure
happens before the commit, as for customer deletion (R8): if the commit then fails, the files
are unreadable and the operator carries the list out again; an erasure can never be lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import delete, insert, select, update

from app.clock import Clock
from app.domain import disposition as rules
from app.domain.catalogue import VolumeState
from app.domain.disposition import FILE_DESTROYED
from app.domain.roles import may
from app.errors import (
    AccountLocked,
    DispositionRefused,
    FieldError,
    ValidationFailed,
    WrongCredentials,
)
from app.services.auth import SignedIn, check_password_with_lockout
from app.services.common import (
    actor_from_row,
    authorize,
    clean_text,
    fetch,
    find_user,
    local_today,
)
from app.services.disposition.holds import holds_covering_volumes, refuse_if_held
from app.services.disposition.shared import disposition_settings, list_changed, state_block
from app.storage import blob_files
from app.storage.models import (
    ArchiveBox,
    ArchiveItem,
    DestructionApproval,
    DestructionList,
    DestructionListVolume,
    FileChunk,
    ItemFile,
    LocationMove,
    UserAccount,
    Volume,
    VolumePlace,
)
from app.storage.store import UnitOfWork

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
MOVE_REASON = "销毁"
BATCH = 500


@dataclass(frozen=True)
class Witness:
    """A 监销人 at the desk: their user name and password (checked like a sign-in)."""

    username: str
    password: str


@dataclass(frozen=True)
class CarryOutResult:
    """What the destruction did."""

    number: str
    volumes: int
    files_erased: int
    places_freed: int


def normalise_method(text: str, allowed: tuple[str, ...]) -> str:
    """The method's stored value (a label is accepted); a sale or an unknown one is refused."""
    text = text.strip()
    if rules.method_is_sale(text):
        raise DispositionRefused(reason="method_sale")
    for m in rules.Method:
        if text in (m.value, m.label):
            text = m.value
            break
    if text not in allowed:
        raise DispositionRefused(reason="method_unknown", method=text or "（空）")
    return text


def _check_witnesses(session: SignedIn, witnesses: tuple[Witness, ...], clock: Clock) -> None:
    """Both passwords, before anything is read (failures count towards the account's lock)."""
    names = [w.username.strip().casefold() for w in witnesses]
    if len(witnesses) != 2 or any(not n for n in names) or len(set(names)) != 2:
        raise DispositionRefused(reason="witness_count")
    for w in witnesses:
        try:
            check_password_with_lockout(session.store.keyring_store, w.username, w.password, clock)
        except AccountLocked:
            raise
        except WrongCredentials as exc:
            raise DispositionRefused(reason="witness_password", name=w.username.strip()) from exc


def _witness_users(
    uow: UnitOfWork, dl: DestructionList, witnesses: tuple[Witness, ...]
) -> list[UserAccount]:
    approvers = set(
        uow.session.scalars(
            select(DestructionApproval.approver_user_id).where(DestructionApproval.list_id == dl.id)
        )
    )
    users = []
    for w in witnesses:
        user = find_user(uow, w.username)
        if user is None or user.disabled:
            raise DispositionRefused(reason="witness_not_staff", name=w.username.strip())
        if user.id == dl.compiled_by or user.id in approvers:
            raise DispositionRefused(reason="witness_conflict", name=user.display_name)
        if not may(actor_from_row(user).roles, "disposition.witness"):
            raise DispositionRefused(reason="witness_not_staff", name=user.display_name)
        users.append(user)
    return users


def carry_out_list(
    *,
    session: SignedIn,
    list_id: int,
    carried_out_on: date,
    place: str,
    method: str,
    witnesses: tuple[Witness, ...],
    clock: Clock,
    progress: Progress | None = None,
) -> CarryOutResult:
    """Destroy the volumes of an approved list, witnessed by two 监销人 (see the module)."""
    errors: list[FieldError] = []
    place = clean_text(errors, "place", place, 100, required=True)
    today = local_today(clock)
    if carried_out_on > today:
        errors.append(FieldError("carried_out_on", "in_future"))
    if errors:
        raise ValidationFailed(errors)
    with session.uow(clock) as uow:
        uow.claim_writes()
        authorize(uow, session.actor, "disposition.carry_out")
        dl = fetch(uow, DestructionList, list_id, "destruction_list")
        if dl.state != rules.ListState.APPROVED.value:
            raise DispositionRefused(
                reason="list_not_approved", number=dl.number, state=rules.ListState(dl.state).label
            )
        value = normalise_method(method, disposition_settings(uow).methods)
        if dl.decided_at is not None and carried_out_on < dl.decided_at.astimezone().date():
            raise ValidationFailed([FieldError("carried_out_on", "before_approval")])
    # passwords outside the write transaction: a wrong one is counted in the keyring
    _check_witnesses(session, witnesses, clock)
    with session.uow(clock) as uow:
        uow.claim_writes()
        recorder = authorize(uow, session.actor, "disposition.carry_out")
        dl = fetch(uow, DestructionList, list_id, "destruction_list")
        if dl.state != rules.ListState.APPROVED.value:  # another desk was quicker
            raise DispositionRefused(
                reason="list_not_approved", number=dl.number, state=rules.ListState(dl.state).label
            )
        people = _witness_users(uow, dl, witnesses)
        result = _destroy(uow, dl, carried_out_on, place, value, people, progress)
        dl.state = rules.ListState.DESTROYED.value
        dl.carried_out_on, dl.carried_out_at = carried_out_on, clock.now()
        dl.place, dl.method = place, value
        dl.witness1_id, dl.witness1_name = people[0].id, people[0].display_name
        dl.witness2_id, dl.witness2_name = people[1].id, people[1].display_name
        dl.recorded_by = recorder.id
        list_changed(
            uow,
            dl,
            "disposition.carry_out",
            volumes=result.volumes,
            files=result.files_erased,
            method=rules.method_label(value),
            place=place,
            date=carried_out_on.isoformat(),
            witnesses=[p.display_name for p in people],
        )
        uow.commit()
    log.info("destruction list %s carried out: %d volumes", result.number, result.volumes)
    return result


def _destroy(
    uow: UnitOfWork,
    dl: DestructionList,
    on: date,
    place: str,
    method: str,
    witnesses: list[UserAccount],
    progress: Progress | None,
) -> CarryOutResult:
    """The writes of one carrying out (inside the caller's transaction)."""
    ids = list(
        uow.session.scalars(
            select(DestructionListVolume.volume_id)
            .where(DestructionListVolume.list_id == dl.id)
            .order_by(DestructionListVolume.seq)
        )
    )
    refuse_if_held([h for hs in holds_covering_volumes(uow, ids).values() for h in hs])
    line = f"销毁情况：{on.isoformat()} 按销毁清册 {dl.number} {rules.method_label(method)}销毁"
    now = uow.clock.now()
    actor = uow.actor
    total = len(ids)
    files_erased = places_freed = 0
    key_ids: list[str] = []
    blob_names: list[str] = []
    for start in range(0, total, BATCH):
        chunk = ids[start : start + BATCH]
        vols = uow.session.execute(
            select(
                Volume.id, Volume.state, Volume.reference_code, Volume.index_remarks, Volume.version
            ).where(Volume.id.in_(chunk))
        ).all()
        for _vid, state, code, _r, _v in vols:
            why = state_block(state)
            if why:
                raise DispositionRefused(reason="volume_unavailable", code=code, why=why)
        uow.session.execute(
            update(Volume),
            [
                {
                    "id": vid,
                    "state": VolumeState.DESTROYED.value,
                    "index_remarks": f"{remarks}\n{line}" if remarks else line,
                    "version": version + 1,
                    "updated_at": now,
                }
                for vid, _s, _c, remarks, version in vols
            ],
        )
        placed = uow.session.execute(
            select(
                VolumePlace.volume_id,
                VolumePlace.box_id,
                VolumePlace.location_id,
                ArchiveBox.location_id,
            )
            .outerjoin(ArchiveBox, ArchiveBox.id == VolumePlace.box_id)
            .where(VolumePlace.volume_id.in_(chunk))
        ).all()
        if placed:
            uow.session.execute(
                insert(LocationMove),
                [
                    {
                        "occurred_at": now,
                        "actor_id": actor.user_id if actor else None,
                        "actor_name": actor.username if actor else "system",
                        "object_type": "volume",
                        "object_id": vid,
                        "from_location_id": loc if loc is not None else box_loc,
                        "to_location_id": None,
                        "from_box_id": box,
                        "to_box_id": None,
                        "reason": MOVE_REASON,
                        "note": dl.number,
                    }
                    for vid, box, loc, box_loc in placed
                ],
            )
            uow.session.execute(delete(VolumePlace).where(VolumePlace.volume_id.in_(chunk)))
            places_freed += len(placed)
        files = uow.session.execute(
            select(ItemFile.id, ItemFile.key_id, ItemFile.blob_name)
            .join(ArchiveItem, ArchiveItem.id == ItemFile.item_id)
            .where(ArchiveItem.volume_id.in_(chunk), ItemFile.state != FILE_DESTROYED)
        ).all()
        if files:
            file_ids = [f for f, _k, _b in files]
            key_ids += [k for _f, k, _b in files if k]
            blob_names += [b for _f, _k, b in files if b]
            # older files (no key of their own) lose their chunks: rows here, blobs below
            uow.session.execute(delete(FileChunk).where(FileChunk.file_id.in_(file_ids)))
            uow.session.execute(
                update(ItemFile)
                .where(ItemFile.id.in_(file_ids))
                .values(state=FILE_DESTROYED, name_enc=b"", blob_name=None)
            )
            files_erased += len(files)
        uow.audit.record_many(  # one entry per volume: each volume's history shows it
            "disposition.volume_destroyed",
            object_type="volume",
            objects=[
                (vid, {"number": dl.number, "method": rules.method_label(method)}) for vid in chunk
            ],
        )
        if progress is not None:
            progress(min(start + BATCH, total), total)
    uow.session.execute(
        update(DestructionListVolume)
        .where(DestructionListVolume.list_id == dl.id)
        .values(open_volume_id=None)
    )
    uow.session.flush()
    # erase before the commit (see the module docstring): keys first, then the blob files
    store = uow.store
    if key_ids:
        store.vault.destroy(key_ids)
    if blob_names and store.location.is_sqlite:  # the blobs beside an embedded database
        folder = blob_files.BlobFolder.beside(store.location.sqlite_path)
        for name in blob_names:
            _shred(folder.path_of(name))
    return CarryOutResult(dl.number, total, files_erased, places_freed)


def _shred(path: Path) -> None:
    """Overwrite a blob file with zeros, then delete it (best effort: it is ciphertext)."""
    try:
        size = path.stat().st_size
        with path.open("r+b") as handle:
            for _ in range(0, size, 1 << 20):
                handle.write(b"\0" * min(1 << 20, size - handle.tell()))
            handle.flush()
        path.unlink()
    except FileNotFoundError:
        return
    except OSError:
        log.warning("a destroyed file's blob could not be removed")
