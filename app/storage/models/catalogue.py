"""The catalogue: volumes (案卷), items (件), their files, 档号 counters and ledger imports."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.storage.models.base import Base
from app.storage.models.columns import encrypted


class Volume(Base):
    """A volume (卷) of a customer's archive (R10–R12, R15)."""

    __tablename__ = "volume"
    __table_args__ = (
        # the appraisal queue (issue 17): covering range scans and the few volumes that are out
        Index(
            "ix_volume_retention_year",
            "retention",
            "year",
            "category_code",
            "retention_until",
            "state",
            "secrecy_level",
        ),
        Index("ix_volume_state", "state"),
        # statistics (issue 19): the holdings are one scan of this index, never of the table
        Index(
            "ix_volume_holdings",
            "category_code",
            "year",
            "retention",
            "secrecy_level",
            "state",
            "item_count",
            "page_count",
        ),
        Index("ix_volume_created_items", "created_at", "item_count"),  # growth per month
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference_code: Mapped[str] = mapped_column(String(64), unique=True)  # 档号, never reused
    # NULL: imported from a ledger that did not name the customer, to be linked (待关联)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
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
    openness: Mapped[str | None] = mapped_column(String(16))  # public | internal | non_secret
    date_from: Mapped[date | None] = mapped_column(Date)  # 起止日期 of the ledger
    date_to: Mapped[date | None] = mapped_column(Date)
    link_hint: Mapped[str] = mapped_column(String(200), default="")  # ledger's customer text
    # last year of a retention extended by an appraisal (issue 17); None: as ``retention`` says
    retention_until: Mapped[int | None] = mapped_column(Integer, index=True)


class VolumeTally(Base):
    """Volumes per (retention, year, 门类, extended end, state, 密级): the queue's counts.

    Kept by triggers on ``volume`` (``app/storage/volume_tally.py``, migration 0021), never
    written by services. ``until_year`` 0 and ``secrecy_level`` "" stand for NULL.
    """

    __tablename__ = "volume_tally"

    retention: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    until_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(16), primary_key=True)
    secrecy_level: Mapped[str] = mapped_column(String(16), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class ArchiveItem(Base):
    """An item (件) inside a volume: a contract, a letter, an ID copy, a disc (R10, R13, R15)."""

    __tablename__ = "archive_item"
    __table_args__ = (
        UniqueConstraint("volume_id", "seq", name="uq_archive_item_volume_seq"),
        Index("ix_archive_item_carrier", "carrier"),  # statistics: items by 载体
    )

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
    name_enc: Mapped[bytes] = encrypted()  # file names may hold personal data
    media_type: Mapped[str] = mapped_column(String(128))  # detected from the content (docx: 71)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))  # fixity of the plain content
    chunk_count: Mapped[int] = mapped_column(Integer, default=0)
    # writing | complete | destroyed (issue 17: the key or chunks are gone, the row kept)
    state: Mapped[str] = mapped_column(String(16), default="writing")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # SQLite: random name of the blob in ``<db>.files/`` (storage.blob_files); None: file_chunk
    blob_name: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # the file's own key in the vault (issue 17: destroyed with the file); None: older files,
    # sealed under the customer's key
    key_id: Mapped[str | None] = mapped_column(String(32), nullable=True)


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
