"""Storage locations, boxes and moves (issue 6, R20–R26)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.storage.models.base import Base


class StorageLocation(Base):
    """A node of the location tree: 库房, 密集架, 列, 面, 柜, 节, 层 or 位 (R20).

    ``grid_id`` (the face or cabinet above), ``section_no``, ``layer_no`` and ``position_no``
    are kept on every node below a grid so the shelf map and the walking order (R21) are read
    with one indexed query. ``secure_effective`` is true when the node or an ancestor is a
    secure place (保险柜/涉密专柜, R22).
    """

    __tablename__ = "storage_location"
    __table_args__ = (Index("ix_storage_location_grid", "grid_id", "section_no", "layer_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("storage_location.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(64), unique=True)
    segment: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(64))
    ordinal: Mapped[int] = mapped_column(Integer)
    path_key: Mapped[str] = mapped_column(String(128), index=True)  # tree order, zero-padded
    capacity: Mapped[int | None] = mapped_column(Integer)  # boxes (layers and positions)
    secure: Mapped[bool] = mapped_column(Boolean, default=False)
    secure_effective: Mapped[bool] = mapped_column(Boolean, default=False)
    custodian_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    category_code: Mapped[str | None] = mapped_column(String(8))  # 门类 reserved here
    grid_id: Mapped[int | None] = mapped_column(Integer)
    section_no: Mapped[int | None] = mapped_column(Integer)
    layer_no: Mapped[int | None] = mapped_column(Integer)
    position_no: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)


class ArchiveBox(Base):
    """An archive box (档案盒) holding volumes; it stands in a 层 or 位 (R21)."""

    __tablename__ = "archive_box"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # 盒号, never reused
    category_code: Mapped[str] = mapped_column(String(8), default="")
    year: Mapped[int | None] = mapped_column(Integer)
    retention: Mapped[str | None] = mapped_column(String(8))
    capacity: Mapped[int] = mapped_column(Integer, default=10)  # volumes
    location_id: Mapped[int | None] = mapped_column(ForeignKey("storage_location.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    placed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)


class VolumePlace(Base):
    """Where a volume is kept: in a box, or directly in a place (a safe's 层)."""

    __tablename__ = "volume_place"

    volume_id: Mapped[int] = mapped_column(ForeignKey("volume.id"), primary_key=True)
    box_id: Mapped[int | None] = mapped_column(ForeignKey("archive_box.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("storage_location.id"), index=True)
    placed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MoveBatch(Base):
    """A bulk move applied as one (R23); ``undone_at`` once reversed by its undo batch."""

    __tablename__ = "move_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    count: Mapped[int] = mapped_column(Integer)
    undo_of: Mapped[int | None] = mapped_column(ForeignKey("move_batch.id"))
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LocationMove(Base):
    """One move of a box or a volume: from, to, reason, who, when (R23)."""

    __tablename__ = "location_move"
    __table_args__ = (Index("ix_location_move_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_name: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(8))  # box | volume
    object_id: Mapped[int] = mapped_column(Integer)
    from_location_id: Mapped[int | None] = mapped_column(Integer, index=True)
    to_location_id: Mapped[int | None] = mapped_column(Integer, index=True)
    from_box_id: Mapped[int | None] = mapped_column(Integer)
    to_box_id: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(16))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("move_batch.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")


class CustodyHandover(Base):
    """A custodian hand-over of secure places with its item-by-item list (R22, R26)."""

    __tablename__ = "custody_handover"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    from_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    to_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    witness: Mapped[str] = mapped_column(String(64), default="")  # 监交人
    note: Mapped[str] = mapped_column(Text, default="")
    listing: Mapped[str] = mapped_column(Text)  # JSON: places, boxes and volumes handed over
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
