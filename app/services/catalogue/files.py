"""Listing an item's files (names masked) and opening one with a recorded purpose (R40)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import select

from app.clock import Clock
from app.domain import file_types
from app.errors import (
    CustomerUnreadable,
    FieldError,
    FileMissing,
    FixityFailed,
    ValidationFailed,
)
from app.services.auth import SignedIn
from app.services.catalogue.file_intake import mask_file_name
from app.services.catalogue.file_store import (
    COMPLETE,
    StoredFile,
    decrypt_name,
    file_row,
    file_sealing_key,
    item_customer,
    plain_chunks,
)
from app.services.common import authorize
from app.storage.models import (
    Customer,
    ItemFile,
)
from app.storage.store import UnitOfWork


@dataclass(frozen=True)
class ItemFileInfo:
    """An attached file as listed: the name masked (it may hold a person's name)."""

    id: int
    item_id: int
    masked_name: str
    media_type: str
    type_label: str
    size: int
    sha256: str


@dataclass(frozen=True)
class PlainFile:
    """A stored file decrypted: its full name and content."""

    name: str
    content: bytes  # b"" when written to a sink


def read_plain(
    uow: UnitOfWork,
    f: ItemFile,
    customer: Customer,
    purpose: str,
    when: str,
    sink: BinaryIO | None = None,
) -> PlainFile:
    """The file's name and content after the fixity check (a failure is audited, committed)."""
    store = uow.store
    key = file_sealing_key(store, f, customer)
    parts: list[bytes] = []
    write: Callable[[bytes], object] = parts.append if sink is None else sink.write
    try:
        name = decrypt_name(store, customer.key_id, f)
        stored = StoredFile(f.id, f.chunk_count, f.size, f.sha256, f.blob_name)
        for plain in plain_chunks(uow.session, store, stored, key):
            write(plain)
    except (FixityFailed, FileMissing) as exc:
        uow.audit.record(
            "file.fixity_failed" if isinstance(exc, FixityFailed) else "file.missing",
            object_type="item_file",
            object_id=f.id,
            purpose=purpose[:200],
            details={"item_id": f.item_id, "sha256": f.sha256, "when": when},
        )
        uow.commit()
        raise
    return PlainFile(name, b"".join(parts))


def open_file(
    *,
    session: SignedIn,
    file_id: int,
    purpose: str,
    clock: Clock,
    sink: BinaryIO | None = None,
) -> bytes:
    """The plain content of a file, after its fixity check; the purpose is recorded (R40).

    With ``sink`` the content is written there chunk by chunk and ``b""`` returned; on
    :class:`FixityFailed` the caller must discard what the sink received. A failed check is
    audited (``file.fixity_failed``) and nothing is returned.
    """
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValidationFailed([FieldError("purpose", "required")])
    with session.uow(clock) as uow:
        user = authorize(uow, session.actor, "file.open")
        f, customer = file_row(uow, file_id, user)
        plain = read_plain(uow, f, customer, purpose, "open", sink)
        uow.audit.record_view(  # once per session, file and purpose (issue 9)
            "file.open",
            object_type="item_file",
            object_id=f.id,
            purpose=purpose[:200],
            details={
                "item_id": f.item_id,
                "name": mask_file_name(plain.name),
                "media_type": f.media_type,
                "size": f.size,
            },
        )
        uow.commit()
        return plain.content


def list_item_files(*, session: SignedIn, item_id: int, clock: Clock) -> list[ItemFileInfo]:
    """The files of one item with masked names (opening one needs a purpose)."""
    store = session.store
    with session.uow(clock) as uow:
        user = authorize(uow, session.actor, "catalogue.read")
        _item, customer = item_customer(uow, item_id, user)
        files = uow.session.scalars(
            select(ItemFile)
            .where(ItemFile.item_id == item_id, ItemFile.state == COMPLETE)
            .order_by(ItemFile.id)
        ).all()
        out = []
        for f in files:
            try:
                masked = mask_file_name(decrypt_name(store, customer.key_id, f))
            except (CustomerUnreadable, FixityFailed):
                masked = "（无法解密）"
            kind = file_types.ALLOWED.get(f.media_type)
            out.append(
                ItemFileInfo(
                    id=f.id,
                    item_id=f.item_id,
                    masked_name=masked,
                    media_type=f.media_type,
                    type_label=kind.label if kind else f.media_type,
                    size=f.size,
                    sha256=f.sha256,
                )
            )
        return out
