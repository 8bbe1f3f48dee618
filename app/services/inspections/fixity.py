"""Electronic fixity (R13, R43): the SHA-256 of every file of the volumes placed in the scope."""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy import delete

from app.clock import Clock
from app.domain.inspection_rows import FixityResult
from app.domain.inspections import DifferenceKind
from app.services.auth import SignedIn
from app.services.common import authorize
from app.services.inspections.base import (
    audit_session,
    find_session,
    home_expr,
    live_session,
    scope_places,
    unresolved,
)
from app.storage.models import (
    ArchiveBox,
    InspectionDifference,
    ItemFile,
    Volume,
    VolumePlace,
)


def verify_scope_files(
    *,
    session: SignedIn,
    inspection_id: int,
    clock: Clock,
    progress: Callable[[int, int], None] | None = None,
) -> FixityResult:
    """Check the SHA-256 of every electronic file of the volumes placed in the scope (R13).

    Each mismatch (damaged, missing or unreadable file) becomes a difference to resolve.
    """
    from app.errors import FileMissing, FixityFailed
    from app.security.vault import KeyDestroyed
    from app.services.catalogue import file_store as item_files

    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.write")
        row = live_session(uow, inspection_id, "校验电子文件")
        places = scope_places(uow, row)
        files = uow.session.execute(
            item_files.stored_files(ItemFile.key_id, Volume.reference_code)
            .join(VolumePlace, VolumePlace.volume_id == Volume.id)
            .outerjoin(ArchiveBox, ArchiveBox.id == VolumePlace.box_id)
            .where(home_expr().in_(places))
        ).all()
    store = session.store
    failed: list[tuple[int, str]] = []
    with store.new_session() as s:
        for done, (fid, state, chunks, size, sha, blob, key_id, own, code) in enumerate(files, 1):
            try:
                if state != item_files.COMPLETE:
                    raise FixityFailed(file_id=fid)
                key = item_files.sealing_key(store, key_id, own)
                stored = item_files.StoredFile(fid, chunks, size, sha, blob)
                for _plain in item_files.plain_chunks(s, store, stored, key):
                    pass
            except (FixityFailed, FileMissing, KeyDestroyed):
                failed.append((fid, code))
            if progress is not None:
                progress(done, len(files))
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.write")
        row = find_session(uow, inspection_id)
        uow.session.execute(
            delete(InspectionDifference).where(
                *unresolved(row.id), InspectionDifference.kind == DifferenceKind.FIXITY.value
            )
        )
        for fid, code in failed:
            uow.session.add(
                InspectionDifference(
                    session_id=row.id,
                    kind=DifferenceKind.FIXITY.value,
                    volume_id=None,
                    file_id=fid,
                    code=code,
                    home=f"电子文件 {fid}",
                    seen="SHA-256 不符",
                    resolution="",
                    note="",
                )
            )
        summary = {
            "checked": len(files),
            "failed": [f for f, _ in failed],
            "at": clock.now().isoformat(),
        }
        row.fixity = json.dumps(summary)
        audit_session(uow, "inspection.fixity", row, {"checked": len(files), "failed": len(failed)})
    return FixityResult(len(files), tuple(failed))
