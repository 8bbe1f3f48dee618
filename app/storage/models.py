"""SQLAlchemy 2 typed ORM models (portable between SQLCipher and PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a stable constraint naming convention (needed by migrations)."""

    metadata = MetaData(naming_convention=NAMING)


class Setting(Base):
    """One configuration value (JSON text); also holds the database id and organisation."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class UserAccount(Base):
    """A person who signs in. The password itself lives only as a keyring slot."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    username_key: Mapped[str] = mapped_column(String(64), unique=True)  # casefolded
    display_name: Mapped[str] = mapped_column(String(64))
    approver_title: Mapped[str | None] = mapped_column(String(32))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )


class UserRole(Base):
    """One role held by one user."""

    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)

    user: Mapped[UserAccount] = relationship(back_populates="roles")


class AuditEntry(Base):
    """An append-only audit record, one link of the keyed hash chain (``security.audit_chain``).

    ``seq`` numbers the chain without gaps (assigned under the write lock); ``entry_hash`` is the
    HMAC over ``prev_hash`` and the other columns, content serialised canonically by
    ``AuditRecorder``.
    """

    __tablename__ = "audit_entry"
    __table_args__ = (
        # the auditor's filters, newest first by key (issue 9)
        Index("ix_audit_entry_object", "object_type", "object_id"),
        Index("ix_audit_entry_action_seq", "action", "seq"),
        Index("ix_audit_entry_actor_name_seq", "actor_name", "seq"),
        # with a date range the rows are found by time, then sorted (services.audit.view._order)
        Index("ix_audit_entry_action_at", "action", "occurred_at"),
        Index("ix_audit_entry_actor_name_at", "actor_name", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int | None] = mapped_column(Integer, unique=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))  # indexed with seq and with time (above)
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64))
    purpose: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[str] = mapped_column(Text, default="{}")
    workstation: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[bytes | None] = mapped_column(LargeBinary)
    entry_hash: Mapped[bytes | None] = mapped_column(LargeBinary)


class Customer(Base):
    """A customer (客户) and their entry in the index (R1, R4, R7).

    Protected values (identity number, birth date, e-mail, phones, addresses, bank accounts) are
    encrypted under the customer's own key from the vault (``key_id``) and bound to ``row_key``;
    exact look-ups go through blind indexes (R6, R14). Deleting the customer destroys the key (R8).
    """

    __tablename__ = "customer"
    __table_args__ = (
        UniqueConstraint("id_number_bidx", name="uq_customer_id_number_bidx"),
        # the list's sort orders, read by key (keyset windows, never OFFSET)
        Index("ix_customer_name", "name"),
        Index("ix_customer_party", "party"),
        Index("ix_customer_category", "kind", "category"),
        Index("ix_customer_importance", "importance"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)  # 客户编号, never reused
    row_key: Mapped[str] = mapped_column(String(32), unique=True)  # binds ciphertexts to the row
    key_id: Mapped[str] = mapped_column(String(32))  # the customer's key in the vault
    party: Mapped[str] = mapped_column(String(8))  # person | org
    kind: Mapped[str] = mapped_column(String(16))  # general | special
    category: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    importance: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    gender: Mapped[str | None] = mapped_column(String(8))
    birth_date_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    id_type: Mapped[str | None] = mapped_column(String(16))
    id_number_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    id_number_bidx: Mapped[bytes | None] = mapped_column(LargeBinary)
    email_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    responsible_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    consent_date: Mapped[date | None] = mapped_column(Date)
    consent_purpose: Mapped[str] = mapped_column(String(200), default="")
    consent_until: Mapped[date | None] = mapped_column(Date)
    consent_method: Mapped[str] = mapped_column(String(32), default="")
    remarks: Mapped[str] = mapped_column(Text, default="")
    index_remarks: Mapped[str] = mapped_column(Text, default="")  # 备注栏 of the index
    suspected_duplicate: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)


class CustomerPhone(Base):
    """One phone number of a customer (E.164, extension after ``;ext=``)."""

    __tablename__ = "customer_phone"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(String(16), default="")
    phone_enc: Mapped[bytes] = mapped_column(LargeBinary)
    phone_bidx: Mapped[bytes] = mapped_column(LargeBinary, index=True)
    tail_bidx: Mapped[bytes] = mapped_column(LargeBinary, index=True)  # last 4 digits (R14)


class CustomerAddress(Base):
    """One postal address of a customer."""

    __tablename__ = "customer_address"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(String(16), default="")
    address_enc: Mapped[bytes] = mapped_column(LargeBinary)


class CustomerBankAccount(Base):
    """One bank account of a customer."""

    __tablename__ = "customer_bank_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    bank_name: Mapped[str] = mapped_column(String(100), default="")
    account_enc: Mapped[bytes] = mapped_column(LargeBinary)
    account_bidx: Mapped[bytes] = mapped_column(LargeBinary, index=True)


class CustomerStatusChange(Base):
    """Dated history of a customer's status (潜在/在册/流失)."""

    __tablename__ = "customer_status_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    old_status: Mapped[str | None] = mapped_column(String(16))
    new_status: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    changed_by: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(200), default="")


class DuplicateFlag(Base):
    """A 疑似重复 (suspected duplicate) awaiting an approver's review (R3)."""

    __tablename__ = "duplicate_flag"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    other_customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(16))  # phone | bank_account
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cleared_by: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(200), default="")


class Volume(Base):
    """A volume (卷) of a customer's archive (R10–R12, R15)."""

    __tablename__ = "volume"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference_code: Mapped[str] = mapped_column(String(64), unique=True)  # 档号, never reused
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(String(300))
    retention: Mapped[str] = mapped_column(String(8))  # Y | D30 | D10
    secrecy_level: Mapped[str | None] = mapped_column(String(16), index=True)  # or None
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    fonds_code: Mapped[str] = mapped_column(String(16), default="")
    category_code: Mapped[str] = mapped_column(String(8), default="")
    org_code: Mapped[str] = mapped_column(String(16), default="")
    number: Mapped[int | None] = mapped_column(Integer)  # 卷号 within the 档号's scope
    secrecy_term_years: Mapped[int | None] = mapped_column(Integer)
    secrecy_since: Mapped[date | None] = mapped_column(Date)  # 定密 date
    declassified_on: Mapped[date | None] = mapped_column(Date)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    compiled_by: Mapped[str] = mapped_column(String(64), default="")  # 立卷人
    checked_by: Mapped[str] = mapped_column(String(64), default="")  # 检查人
    compiled_on: Mapped[date | None] = mapped_column(Date)  # 立卷时间
    notes: Mapped[str] = mapped_column(Text, default="")  # 本卷情况说明
    state: Mapped[str] = mapped_column(String(16), default="on_shelf")
    index_remarks: Mapped[str] = mapped_column(Text, default="")  # 备注栏, marking first
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)


class ArchiveItem(Base):
    """An item (件) inside a volume: a contract, a letter, an ID copy, a disc (R10, R13, R15)."""

    __tablename__ = "archive_item"
    __table_args__ = (UniqueConstraint("volume_id", "seq", name="uq_archive_item_volume_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    volume_id: Mapped[int] = mapped_column(ForeignKey("volume.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)  # 序号
    doc_number: Mapped[str] = mapped_column(String(64), default="")  # 文号
    author: Mapped[str] = mapped_column(String(100), default="")  # 责任者
    title: Mapped[str] = mapped_column(String(300))
    doc_date: Mapped[date | None] = mapped_column(Date)
    page_from: Mapped[int | None] = mapped_column(Integer)
    page_to: Mapped[int | None] = mapped_column(Integer)
    carrier: Mapped[str] = mapped_column(String(16), default="paper")
    secrecy_level: Mapped[str | None] = mapped_column(String(16))
    secrecy_term_years: Mapped[int | None] = mapped_column(Integer)
    secrecy_since: Mapped[date | None] = mapped_column(Date)
    declassified_on: Mapped[date | None] = mapped_column(Date)
    remarks: Mapped[str] = mapped_column(Text, default="")
    index_remarks: Mapped[str] = mapped_column(Text, default="")  # 备注栏, marking first
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)


class ItemFile(Base):
    """An electronic file attached to an item, stored encrypted in chunks (R13).

    The chunks are ``file_chunk`` rows (PostgreSQL) or one blob file beside a SQLite database.
    """

    __tablename__ = "item_file"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("archive_item.id"), index=True)
    name_enc: Mapped[bytes] = mapped_column(LargeBinary)  # file names may hold personal data
    media_type: Mapped[str] = mapped_column(String(64))  # detected from the content
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))  # fixity of the plain content
    chunk_count: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), default="writing")  # writing | complete
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # SQLite: random name of the blob in ``<db>.files/`` (storage.blob_files); None: file_chunk
    blob_name: Mapped[str | None] = mapped_column(String(32), nullable=True)


class FileChunk(Base):
    """One encrypted chunk of an :class:`ItemFile`."""

    __tablename__ = "file_chunk"

    file_id: Mapped[int] = mapped_column(
        ForeignKey("item_file.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ReferenceCounter(Base):
    """The last number issued per 档号 scope (the code without its number): never goes back."""

    __tablename__ = "reference_counter"

    scope: Mapped[str] = mapped_column(String(128), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class KeyringRow(Base):
    """The keyring document for PostgreSQL databases (SQLite keeps it in a sidecar file)."""

    __tablename__ = "keyring"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document: Mapped[str] = mapped_column(Text)


# --- storage locations, boxes and moves (issue 6, R20–R26) -------------------------------------
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


# --- import of ledgers (issue 10) -----------------------------------------------------------
class ImportBatch(Base):
    """One import of a ledger: what it wrote, so it can be undone as a whole.

    Rows of one import get consecutive ids (the import holds the write lock), so ``spans``
    records per table ``[first_id, last_id, count]`` as JSON instead of a row per record.
    """

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # customers | volumes
    state: Mapped[str] = mapped_column(String(16), default="done")  # done | undone
    mode: Mapped[str] = mapped_column(String(16))  # all_or_nothing | valid_rows
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_imported: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    spans: Mapped[str] = mapped_column(Text, default="{}")
    header_signature: Mapped[str] = mapped_column(String(32), default="")
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    undone_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


# --- audit trail (issue 9) -------------------------------------------------------------------
class AuditCheckpoint(Base):
    """A signed checkpoint of the audit chain's head (PostgreSQL; SQLite uses a file)."""

    __tablename__ = "audit_checkpoint"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    entry_hash: Mapped[bytes] = mapped_column(LargeBinary)
    at: Mapped[str] = mapped_column(String(32))
    mac: Mapped[bytes] = mapped_column(LargeBinary)


class Incident(Base):
    """A suspected leak or loss of customer information (R45): what, when, who, measures."""

    __tablename__ = "incident"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)  # SJ-2026-001, never reused
    kind: Mapped[str] = mapped_column(String(16))  # leak | loss | other
    title: Mapped[str] = mapped_column(String(200))
    found_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    found_by: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    measures: Mapped[str] = mapped_column(Text, default="")  # immediate measures
    reported_to: Mapped[str] = mapped_column(String(200), default="")
    follow_up: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | closed
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)


class IncidentLink(Base):
    """A customer or volume affected by an incident (shown with that record)."""

    __tablename__ = "incident_link"
    __table_args__ = (Index("ix_incident_link_object", "object_type", "object_id"),)

    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), primary_key=True
    )
    object_type: Mapped[str] = mapped_column(String(16), primary_key=True)  # customer | volume
    object_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(64))  # 客户编号 or 档号 as entered


# --- consultation and loans (issue 7: R30–R35, R40) -----------------------------------------
class StaffDepartment(Base):
    """The department (部门) a staff account belongs to: finds a borrower's department head."""

    __tablename__ = "staff_department"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    department: Mapped[str] = mapped_column(String(64), index=True)


class UseApplication(Base):
    """A 查阅/外借/复制/摘抄/对外提供 application (R30–R32) and its decision.

    The outsider's credential number and the applicant's phone are personal data: encrypted
    (bound to ``number``) and printed masked.
    """

    __tablename__ = "use_application"
    __table_args__ = (Index("ix_use_application_state", "state", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)  # 申请编号 SQ2026-000001
    kind: Mapped[str] = mapped_column(String(16))  # UseKind
    state: Mapped[str] = mapped_column(String(16))  # ApplicationState
    applicant_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    applicant_name: Mapped[str] = mapped_column(String(64))
    outsider: Mapped[bool] = mapped_column(Boolean, default=False)
    unit: Mapped[str] = mapped_column(String(100), default="")  # 单位 (outsiders)
    department: Mapped[str] = mapped_column(String(64), default="")  # 部门
    credential: Mapped[str | None] = mapped_column(String(16))  # letter | work_id
    credential_number_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    purpose: Mapped[str] = mapped_column(String(200))  # 利用目的
    reason: Mapped[str] = mapped_column(Text, default="")
    requested_from: Mapped[date | None] = mapped_column(Date)
    requested_until: Mapped[date | None] = mapped_column(Date)
    secrecy_level: Mapped[str | None] = mapped_column(String(16))  # highest of the material
    steps: Mapped[str] = mapped_column(Text, default="[]")  # the route when filed (JSON)
    renewal_of_loan_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)


class UseApplicationVolume(Base):
    """One volume (or items of it, with page ranges for copies) asked for by an application."""

    __tablename__ = "use_application_volume"
    __table_args__ = (
        UniqueConstraint("application_id", "volume_id", name="uq_use_application_volume_pair"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("use_application.id", ondelete="CASCADE"), index=True
    )
    volume_id: Mapped[int] = mapped_column(ForeignKey("volume.id"), index=True)
    items: Mapped[str] = mapped_column(String(200), default="")  # 件 序号, e.g. "1,3-4"
    pages: Mapped[str] = mapped_column(String(200), default="")  # page ranges to copy
    page_count: Mapped[int] = mapped_column(Integer, default=0)  # pages to copy or excerpt
    copies: Mapped[int] = mapped_column(Integer, default=1)  # 份数


class UseApproval(Base):
    """One approver's signature on one step of an application (or the rejection)."""

    __tablename__ = "use_approval"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("use_application.id", ondelete="CASCADE"), index=True
    )
    step: Mapped[int] = mapped_column(Integer)
    approver_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    approver_name: Mapped[str] = mapped_column(String(64))
    approver_title: Mapped[str] = mapped_column(String(32))
    decision: Mapped[str] = mapped_column(String(16))  # approve | reject
    opinion: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Loan(Base):
    """A register entry (借阅登记簿): one volume handed out under an approved application."""

    __tablename__ = "loan"
    __table_args__ = (
        Index("ix_loan_state_due", "state", "due_on"),
        Index("ix_loan_issued_at", "issued_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)  # 登记号 JY2026-000001
    application_id: Mapped[int] = mapped_column(ForeignKey("use_application.id"), index=True)
    volume_id: Mapped[int] = mapped_column(ForeignKey("volume.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))  # out | returned
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    due_on: Mapped[date] = mapped_column(Date)
    renewals: Mapped[int] = mapped_column(Integer, default=0)
    expected_pages: Mapped[int] = mapped_column(Integer, default=0)
    expected_items: Mapped[int] = mapped_column(Integer, default=0)
    returned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    returned_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    counted_pages: Mapped[int | None] = mapped_column(Integer)
    counted_items: Mapped[int | None] = mapped_column(Integer)
    condition: Mapped[str | None] = mapped_column(String(16))
    effect: Mapped[str] = mapped_column(String(200), default="")  # 利用效果
    remarks: Mapped[str] = mapped_column(Text, default="")
    reminders: Mapped[int] = mapped_column(Integer, default=0)  # 催还通知 printed
    last_reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)


class DamageReport(Base):
    """A shortfall, damage or loss found at return (R33): open until resolved."""

    __tablename__ = "damage_report"
    __table_args__ = (Index("ix_damage_report_state", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id"), index=True)
    volume_id: Mapped[int] = mapped_column(ForeignKey("volume.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # ReportKind
    expected_pages: Mapped[int] = mapped_column(Integer, default=0)
    counted_pages: Mapped[int] = mapped_column(Integer, default=0)
    expected_items: Mapped[int] = mapped_column(Integer, default=0)
    counted_items: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16))  # open | resolved
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    resolution: Mapped[str] = mapped_column(Text, default="")


class UseLog(Base):
    """Every use of the archives (R40): purpose, time, user; feeds the statistics (R50)."""

    __tablename__ = "use_log"
    __table_args__ = (Index("ix_use_log_occurred_at", "occurred_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(16))  # UseKind
    application_id: Mapped[int] = mapped_column(ForeignKey("use_application.id"), index=True)
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loan.id"))
    volume_id: Mapped[int] = mapped_column(ForeignKey("volume.id"))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    applicant_user_id: Mapped[int | None] = mapped_column(Integer)
    applicant_name: Mapped[str] = mapped_column(String(64))
    department: Mapped[str] = mapped_column(String(100), default="")
    purpose: Mapped[str] = mapped_column(String(200))
    pages_copied: Mapped[int] = mapped_column(Integer, default=0)


# --- inspections (issue 8: R25, R41, R42, R13) ----------------------------------------------
class InspectionSession(Base):
    """A 库房检查: half-yearly (半年定期), special (专项) or after an incident (突发) (R41)."""

    __tablename__ = "inspection_session"
    __table_args__ = (Index("ix_inspection_session_room", "room_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)  # JC2026-0001
    kind: Mapped[str] = mapped_column(String(16))  # InspectionKind
    room_id: Mapped[int] = mapped_column(ForeignKey("storage_location.id"))
    scope_kind: Mapped[str] = mapped_column(String(16))  # room | shelves | face
    scope_ids: Mapped[str] = mapped_column(Text)  # JSON list of storage_location ids
    scope_label: Mapped[str] = mapped_column(String(200))
    inspected_on: Mapped[date] = mapped_column(Date)
    inspectors: Mapped[str] = mapped_column(Text)  # JSON [{"user_id": 3 | null, "name": "李四"}]
    status: Mapped[str] = mapped_column(String(16))  # open | counting | findings | closed
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    current_place_id: Mapped[int | None] = mapped_column(Integer)  # the last place label scanned
    measures: Mapped[str] = mapped_column(Text, default="")  # 处理措施
    review: Mapped[str] = mapped_column(Text, default="")  # 复查
    note: Mapped[str] = mapped_column(Text, default="")
    fixity: Mapped[str] = mapped_column(Text, default="")  # JSON result of the last check
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    counted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)


class InspectionExpected(Base):
    """One volume expected in the scope when counting started (placed − on loan − in repair)."""

    __tablename__ = "inspection_expected"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("inspection_session.id", ondelete="CASCADE"), primary_key=True
    )
    volume_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    box_id: Mapped[int | None] = mapped_column(Integer)
    location_id: Mapped[int | None] = mapped_column(Integer)  # its home place


class InspectionScan(Base):
    """One code scanned during counting (kept so that a session resumes after a restart)."""

    __tablename__ = "inspection_scan"
    __table_args__ = (Index("ix_inspection_scan_session", "session_id", "kind", "object_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("inspection_session.id", ondelete="CASCADE"))
    scanned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    code: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16))  # volume | box | location | unknown
    object_id: Mapped[int | None] = mapped_column(Integer)
    place_id: Mapped[int | None] = mapped_column(Integer)  # where it was seen (last place label)


class InspectionFound(Base):
    """A volume seen during counting (directly or in a scanned box), where it was seen."""

    __tablename__ = "inspection_found"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("inspection_session.id", ondelete="CASCADE"), primary_key=True
    )
    volume_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    place_id: Mapped[int | None] = mapped_column(Integer)
    scan_id: Mapped[int] = mapped_column(Integer)


class InspectionDifference(Base):
    """A difference the count or the fixity check found; resolved by an explicit action."""

    __tablename__ = "inspection_difference"
    __table_args__ = (Index("ix_inspection_difference_session", "session_id", "resolution"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("inspection_session.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # DifferenceKind
    volume_id: Mapped[int | None] = mapped_column(Integer)
    file_id: Mapped[int | None] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(80))
    home: Mapped[str] = mapped_column(String(120), default="")  # where the register has it
    seen: Mapped[str] = mapped_column(String(120), default="")  # where it was found
    resolution: Mapped[str] = mapped_column(String(16), default="")  # "": open; Resolution
    note: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class InspectionCheck(Base):
    """One checklist line of a session: 正常/异常 with a note (R25, R41)."""

    __tablename__ = "inspection_check"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("inspection_session.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(100))
    ok: Mapped[bool | None] = mapped_column(Boolean)  # None: not checked yet
    note: Mapped[str] = mapped_column(Text, default="")


class EnvironmentReading(Base):
    """A temperature and relative-humidity reading of a room (twice-daily log or a session)."""

    __tablename__ = "environment_reading"
    __table_args__ = (Index("ix_environment_reading_room", "room_id", "taken_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("storage_location.id"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_session.id"))
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    temperature_dc: Mapped[int] = mapped_column(Integer)  # tenths of a °C
    humidity_pm: Mapped[int] = mapped_column(Integer)  # tenths of a % RH
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class ConditionRecord(Base):
    """The condition of a volume found at an inspection (fading, damage, damp, mould, pests)."""

    __tablename__ = "condition_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    volume_id: Mapped[int] = mapped_column(ForeignKey("volume.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_session.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # ConditionKind
    description: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class RepairTask(Base):
    """A repair task (修补, 复制, 更换盒, 除霉) with a responsible person and a due date (R41)."""

    __tablename__ = "repair_task"
    __table_args__ = (Index("ix_repair_task_state", "state", "due_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    volume_id: Mapped[int] = mapped_column(ForeignKey("volume.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_session.id"), index=True)
    condition_id: Mapped[int | None] = mapped_column(ForeignKey("condition_record.id"))
    kind: Mapped[str] = mapped_column(String(16))  # TaskKind
    responsible_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    responsible_name: Mapped[str] = mapped_column(String(64))
    due_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16))  # open | out | done
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
