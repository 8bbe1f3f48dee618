"""Electronic files of items (R13, R40) on a real encrypted database: no mocks of the storage.

An embedded database keeps the chunks in blob files in ``<db>.files/``; the ``in_database``
fixture sends them to ``file_chunk`` rows instead (the PostgreSQL path) on the same SQLite file.
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text

from app.check import CheckReport, check_files
from app.clock import FixedClock
from app.domain import file_types
from app.errors import CustomerUnreadable, FileReadFailed, FixityFailed, ValidationFailed
from app.messages import describe
from app.security.keyring import FileKeyringStore, Keyring
from app.services import catalogue as item_files
from app.services.auth import SignedIn, sign_in
from app.services.catalogue import file_store
from app.services.customers import register_customer
from app.storage import blob_files, blobs
from app.storage.keyring_store import keyring_store_for
from app.storage.location import DatabaseLocation
from app.storage.models import ArchiveItem, AuditEntry, FileChunk, ItemFile, Volume
from app.storage.store import checkpoint, open_store
from tests.factories import PASSWORD, add_item, add_user, erase_customer, person, potential

SECRET_NAME = "张三丰身份证复印件.pdf"
LATIN_NAME = "zhangsanfeng-passport-scan.pdf"


# --- real files made here ----------------------------------------------------------------------
def make_pdf(pages: int = 1) -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    for n in range(pages):
        pdf.drawString(72, 720, f"Archive Room test page {n + 1}")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def make_png(width: int = 64, height: int = 48) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 4 % 256, y * 5 % 256, 128)) for x in range(width))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def make_docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("_rels/.rels", "<Relationships/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def big_text(mib: float) -> bytes:
    line = "客户档案电子文件测试行 archive room line 0123456789\n".encode()
    cut = (line * (int(mib * (1 << 20)) // len(line) + 1))[: int(mib * (1 << 20))]
    return cut.decode("utf-8", "ignore").encode().ljust(len(cut), b"\n")  # whole characters


class FailingStream(io.RawIOBase):
    """Gives ``good_chunks`` chunks of data, then fails like a pulled USB stick."""

    def __init__(self, good_chunks: int, exc: BaseException) -> None:
        self._left = good_chunks
        self._exc = exc

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._left == 0:
            raise self._exc
        self._left -= 1
        return b"A" * blobs.CHUNK_SIZE


class Pipe(io.RawIOBase):
    """A non-seekable stream over bytes, handing out small pieces."""

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = min(size if size >= 0 else len(self._data), 300_000)
        piece = bytes(self._data[self._pos : self._pos + size])
        self._pos += len(piece)
        return piece


# --- fixtures ----------------------------------------------------------------------------------
@pytest.fixture
def customer_id(archivist: SignedIn, clock: FixedClock) -> int:
    return register_customer(session=archivist, draft=person(), clock=clock).customer_id


@pytest.fixture
def item_id(archivist: SignedIn, clock: FixedClock, customer_id: int) -> int:
    return add_item(archivist, clock, customer_id)


def attach(archivist: SignedIn, clock: FixedClock, item_id: int, data: bytes, name: str) -> int:
    return item_files.attach_file(
        session=archivist, item_id=item_id, source=io.BytesIO(data), file_name=name, clock=clock
    )


def reasons(exc: pytest.ExceptionInfo[ValidationFailed]) -> list[tuple[str, str]]:
    return [(e.field, e.reason) for e in exc.value.errors]


@pytest.fixture
def in_database(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks as ``file_chunk`` rows, as on PostgreSQL."""
    monkeypatch.setattr(file_store, "stores_in_folder", lambda store: False)


def folder_of(session: SignedIn) -> blob_files.BlobFolder:
    return item_files.blob_folder(session.store)


def folder_names(session: SignedIn) -> list[str]:
    if not item_files.stores_in_folder(session.store):
        return []  # a server keeps chunks as rows
    path = folder_of(session).path
    return sorted(p.name for p in path.iterdir()) if path.exists() else []


def counts(session: SignedIn) -> tuple[int, int]:
    """Rows of item_file; chunks stored (file_chunk rows + records of every blob file)."""
    with session.store.new_session() as s:
        files = s.scalar(select(func.count()).select_from(ItemFile)) or 0
        chunks = s.scalar(select(func.count()).select_from(FileChunk)) or 0
    for name in folder_names(session):
        if blob_files.is_blob_name(name):
            chunks += len(list(folder_of(session).records(name)))
    return files, chunks


def blob_name_of(session: SignedIn, file_id: int) -> str | None:
    with session.store.new_session() as s:
        return s.scalar(select(ItemFile.blob_name).where(ItemFile.id == file_id))


def stored_records(session: SignedIn, file_id: int) -> list[bytes]:
    """The sealed chunks of a file as stored, wherever they are."""
    name = blob_name_of(session, file_id)
    if name is not None:
        return list(folder_of(session).records(name))
    with session.store.new_session() as s:
        return list(
            s.scalars(
                select(FileChunk.data).where(FileChunk.file_id == file_id).order_by(FileChunk.seq)
            )
        )


def store_records(session: SignedIn, file_id: int, records: list[bytes]) -> None:
    """Replace the stored chunks of a file (tampering), wherever they are."""
    name = blob_name_of(session, file_id)
    if name is not None:
        body = blob_files.MAGIC + b"".join(struct.pack(">I", len(r)) + r for r in records)
        folder_of(session).path_of(name).write_bytes(body)
        return
    tamper(session, "DELETE FROM file_chunk WHERE file_id = :f", f=file_id)
    for seq, data in enumerate(records):
        tamper(
            session,
            "INSERT INTO file_chunk (file_id, seq, data) VALUES (:f, :s, :d)",
            f=file_id,
            s=seq,
            d=data,
        )


def audits(session: SignedIn, action: str) -> list[AuditEntry]:
    with session.store.new_session() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)).all())


def tamper(session: SignedIn, sql: str, **params: object) -> None:
    with session.store.engine.begin() as conn:
        conn.execute(text(sql), params)


# --- round trip --------------------------------------------------------------------------------
def test_pdf_and_png_round_trip_with_type_from_content_and_audit(
    archivist: SignedIn, clock: FixedClock, item_id: int
) -> None:
    pdf, png = make_pdf(3), make_png()
    pdf_id = attach(archivist, clock, item_id, pdf, SECRET_NAME)
    png_id = item_files.attach_file(
        session=archivist, item_id=item_id, source=io.BytesIO(png), file_name="扫描件", clock=clock
    )  # no extension: fine, the type comes from the content
    assert (
        item_files.open_file(session=archivist, file_id=pdf_id, purpose="核对合同", clock=clock)
        == pdf
    )
    sink = io.BytesIO()
    assert (
        item_files.open_file(
            session=archivist, file_id=png_id, purpose="预览", clock=clock, sink=sink
        )
        == b""
    )
    assert sink.getvalue() == png
    listed = item_files.list_item_files(session=archivist, item_id=item_id, clock=clock)
    assert [(f.media_type, f.size, f.masked_name) for f in listed] == [
        (file_types.PDF, len(pdf), "张********.pdf"),
        (file_types.PNG, len(png), "扫**"),
    ]
    attached = audits(archivist, "file.attach")
    opened = audits(archivist, "file.open")
    assert len(attached) == 2 and len(opened) == 2
    assert {e.purpose for e in opened} == {"核对合同", "预览"}
    for entry in attached + opened:
        assert "张三丰" not in entry.details and "身份证" not in entry.details
    assert "张********.pdf" in attached[0].details


def test_a_file_from_a_path_and_a_pipe_and_office_and_text_types(
    archivist: SignedIn, clock: FixedClock, item_id: int, tmp_path: Path
) -> None:
    path = tmp_path / "contract.docx"
    path.write_bytes(make_docx())
    docx_id = item_files.attach_file(
        session=archivist, item_id=item_id, source=path, file_name=path.name, clock=clock
    )
    piped = make_docx()  # ZIP from a stream that cannot seek: held in memory to read its entries
    pipe_id = item_files.attach_file(
        session=archivist, item_id=item_id, source=Pipe(piped), file_name="b.docx", clock=clock
    )
    body = big_text(2.5)  # three chunks, UTF-8 split across chunk borders
    text_id = attach(archivist, clock, item_id, body, "记录.txt")
    with archivist.store.new_session() as s:
        kinds = {f.id: (f.media_type, f.chunk_count) for f in s.scalars(select(ItemFile))}
    assert kinds == {
        docx_id: (file_types.DOCX, 1),
        pipe_id: (file_types.DOCX, 1),
        text_id: (file_types.TEXT, 3),
    }
    got = item_files.open_file(session=archivist, file_id=text_id, purpose="查阅", clock=clock)
    assert got == body
    assert (
        item_files.open_file(session=archivist, file_id=pipe_id, purpose="查阅", clock=clock)
        == piped
    )


# --- tampering ---------------------------------------------------------------------------------
@pytest.mark.sqlite_only
def assert_fixity_failed(archivist: SignedIn, clock: FixedClock, file_id: int) -> None:
    """Opening the tampered file fails and is audited; the file check finds it too."""
    with pytest.raises(FixityFailed) as exc:
        item_files.open_file(session=archivist, file_id=file_id, purpose="核对", clock=clock)
    assert str(file_id) in describe(exc.value)
    failed = audits(archivist, "file.fixity_failed")
    assert [(e.object_id, e.purpose) for e in failed] == [(str(file_id), "核对")]
    assert audits(archivist, "file.open") == []
    result = item_files.verify_all_files(archivist.store)
    assert (result.checked, result.failed_ids, result.ok) == (1, [file_id], False)


@pytest.mark.sqlite_only  # blob files beside the database are the embedded engine's store
def test_one_flipped_byte_in_the_blob_file_is_detected_and_audited(
    archivist: SignedIn, clock: FixedClock, item_id: int
) -> None:
    file_id = attach(archivist, clock, item_id, make_pdf(), "合同.pdf")
    name = blob_name_of(archivist, file_id)
    assert name is not None
    path = folder_of(archivist).path_of(name)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    assert_fixity_failed(archivist, clock, file_id)


def test_one_flipped_byte_in_a_chunk_row_is_detected_and_audited(
    archivist: SignedIn, clock: FixedClock, item_id: int, in_database: None
) -> None:
    file_id = attach(archivist, clock, item_id, make_pdf(), "合同.pdf")
    assert blob_name_of(archivist, file_id) is None and folder_names(archivist) == []
    with archivist.store.new_session() as s:
        data = bytearray(s.get(FileChunk, (file_id, 0)).data)  # type: ignore[union-attr]
    data[len(data) // 2] ^= 0x01
    tamper(
        archivist, "UPDATE file_chunk SET data = :d WHERE file_id = :f", d=bytes(data), f=file_id
    )
    assert_fixity_failed(archivist, clock, file_id)


@pytest.mark.parametrize(
    "where",
    [
        pytest.param("folder", marks=pytest.mark.sqlite_only(reason="blob files beside the file")),
        "database",
    ],
)
def test_truncated_reordered_and_swapped_chunks_are_detected(
    archivist: SignedIn,
    clock: FixedClock,
    item_id: int,
    where: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if where == "database":
        monkeypatch.setattr(file_store, "stores_in_folder", lambda store: False)
    body = big_text(2.5)
    ids = [attach(archivist, clock, item_id, body, f"{n}.txt") for n in range(4)]
    assert (blob_name_of(archivist, ids[0]) is None) == (where == "database")
    truncated, dropped_tail, reordered, foreign = ids
    records = {file_id: stored_records(archivist, file_id) for file_id in ids}
    assert all(len(r) == 3 for r in records.values())
    # last chunk dropped, count adjusted to match: the new last chunk was not sealed as final
    store_records(archivist, truncated, records[truncated][:2])
    tamper(archivist, "UPDATE item_file SET chunk_count = 2 WHERE id = :f", f=truncated)
    # last chunk dropped, row untouched
    store_records(archivist, dropped_tail, records[dropped_tail][:2])
    # chunks 0 and 1 swapped
    r = records[reordered]
    store_records(archivist, reordered, [r[1], r[0], r[2]])
    # a chunk copied from another file (same customer key, same position)
    r = records[foreign]
    store_records(archivist, foreign, [r[0], records[truncated][1], r[2]])
    for file_id in ids:
        with pytest.raises(FixityFailed):
            item_files.open_file(session=archivist, file_id=file_id, purpose="核对", clock=clock)
    assert sorted(item_files.verify_all_files(archivist.store).failed_ids) == sorted(ids)
    assert len(audits(archivist, "file.fixity_failed")) == 4


def test_archive_room_check_reports_damaged_files(
    archivist: SignedIn, clock: FixedClock, item_id: int
) -> None:
    good = attach(archivist, clock, item_id, make_png(), "a.png")
    report = CheckReport()
    check_files(archivist.store, report)
    assert report.ok and any("1 个文件" in line for line in report.passed)
    bad = attach(archivist, clock, item_id, make_pdf(), "b.pdf")
    tamper(archivist, "UPDATE item_file SET sha256 = :h WHERE id = :f", h="0" * 64, f=bad)
    report = CheckReport()
    check_files(archivist.store, report)
    assert not report.ok
    assert f"编号：{bad}（共 1 个）" in report.problems[0]
    assert str(good) not in report.problems[0].split("编号：")[1].split("（")[0]


def test_check_command_verifies_files(
    archivist: SignedIn, clock: FixedClock, item_id: int, location: DatabaseLocation
) -> None:
    from app.check import check_with_key

    attach(archivist, clock, item_id, make_pdf(), "a.pdf")
    ring = Keyring.load(keyring_store_for(location, archivist.store.engine))
    report = CheckReport()
    check_with_key(location, ring, archivist.store.data_key, clock, report)
    assert report.ok, report.problems
    assert any(line.startswith("电子文件校验通过：1 个文件") for line in report.passed)


# --- refusals ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "合同.pdf", "file_type"),  # .exe as .pdf
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "setup.exe", "file_type"),
        (make_png(), "合同.pdf", "type_mismatch"),  # a PNG named .pdf
        (make_pdf(), "photo.jpg", "type_mismatch"),
        (make_pdf(), "run.exe", "type_mismatch"),  # the name claims a program
        (b"plain words\n", "a.pdf", "type_mismatch"),
        (b"text\x00with a NUL", "a.txt", "file_type"),
        (b"\xff\xfe not utf-8 \xc3\x28", "a.txt", "file_type"),
        (b"PK\x03\x04" + b"\x00" * 100, "a.docx", "file_type"),  # a broken ZIP
        (b"", "a.txt", "file_empty"),
    ],
)
def test_types_are_judged_by_content_and_spoofing_is_refused(
    archivist: SignedIn, clock: FixedClock, item_id: int, data: bytes, name: str, reason: str
) -> None:
    with pytest.raises(ValidationFailed) as exc:
        attach(archivist, clock, item_id, data, name)
    assert reasons(exc) == [("file", reason)]
    message = describe(exc.value)
    assert message.startswith("输入有误") and "电子文件" in message
    assert counts(archivist) == (0, 0)


def test_a_plain_zip_renamed_docx_is_refused(
    archivist: SignedIn, clock: FixedClock, item_id: int
) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("payload.exe", b"MZ" + b"\x00" * 50)
    with pytest.raises(ValidationFailed) as exc:
        attach(archivist, clock, item_id, out.getvalue(), "合同.docx")
    assert reasons(exc) == [("file", "file_type")]
    assert "Word 文档（docx）" in describe(exc.value)  # the message lists what is allowed


def test_spoofing_message_names_the_detected_type_and_extension(
    archivist: SignedIn, clock: FixedClock, item_id: int
) -> None:
    with pytest.raises(ValidationFailed) as exc:
        attach(archivist, clock, item_id, make_png(), "合同.pdf")
    assert "文件内容是PNG 图像，扩展名却是“.pdf”" in describe(exc.value)


def test_size_limit_from_settings_for_seekable_and_streamed_sources(
    archivist: SignedIn, clock: FixedClock, item_id: int
) -> None:
    with archivist.uow(clock) as uow:
        uow.settings.put(item_files.MAX_SIZE_SETTING, 1)
        uow.commit()
    exact = big_text(1)
    assert attach(archivist, clock, item_id, exact, "ok.txt") > 0
    over = exact + b"x"
    for source in (io.BytesIO(over), Pipe(over)):
        with pytest.raises(ValidationFailed) as exc:
            item_files.attach_file(
                session=archivist, item_id=item_id, source=source, file_name="a.txt", clock=clock
            )
        assert reasons(exc) == [("file", "too_large")]
        assert "1 MiB" in describe(exc.value)
    assert counts(archivist) == (1, 1)
    assert item_files.DEFAULT_MAX_MIB == 200


@pytest.mark.parametrize("exc", [OSError(5, "I/O error"), RuntimeError("crash")])
def test_a_failure_mid_write_leaves_no_rows(
    archivist: SignedIn, clock: FixedClock, item_id: int, exc: BaseException
) -> None:
    with pytest.raises(FileReadFailed if isinstance(exc, OSError) else RuntimeError):
        item_files.attach_file(
            session=archivist,
            item_id=item_id,
            source=FailingStream(3, exc),
            file_name="scan.txt",
            clock=clock,
        )
    assert counts(archivist) == (0, 0)
    assert folder_names(archivist) == []  # the temp file went with the failure
    assert audits(archivist, "file.attach") == []
    # the next attach works and reuses nothing half-written
    file_id = attach(archivist, clock, item_id, make_pdf(), "a.pdf")
    assert item_files.verify_all_files(archivist.store).ok
    assert counts(archivist) == (1, 1) and file_id > 0


def test_bad_names_items_and_missing_paths(
    archivist: SignedIn, clock: FixedClock, item_id: int, tmp_path: Path
) -> None:
    cases = [
        ("", "file_name", "required"),
        ("a/b.pdf", "file_name", "file_name_chars"),
        ("x" * 300 + ".pdf", "file_name", "too_long"),
    ]
    for name, fld, reason in cases:
        with pytest.raises(ValidationFailed) as exc:
            attach(archivist, clock, item_id, make_pdf(), name)
        assert reasons(exc) == [(fld, reason)]
    with pytest.raises(ValidationFailed) as exc:
        attach(archivist, clock, 999_999, make_pdf(), "a.pdf")
    assert reasons(exc) == [("item", "not_found")]
    with pytest.raises(ValidationFailed) as exc:
        item_files.attach_file(
            session=archivist,
            item_id=item_id,
            source=tmp_path / "missing.pdf",
            file_name="missing.pdf",
            clock=clock,
        )
    assert reasons(exc) == [("file", "not_found")]


def test_opening_needs_a_purpose_and_the_permission(
    archivist: SignedIn, admin: SignedIn, clock: FixedClock, item_id: int
) -> None:
    file_id = attach(archivist, clock, item_id, make_pdf(), "a.pdf")
    for purpose in ("", "   "):
        with pytest.raises(ValidationFailed) as exc:
            item_files.open_file(session=archivist, file_id=file_id, purpose=purpose, clock=clock)
        assert reasons(exc) == [("purpose", "required")]
    from app.errors import PermissionDenied

    with pytest.raises(PermissionDenied):  # the administrator manages the system, not archives
        item_files.open_file(session=admin, file_id=file_id, purpose="查看", clock=clock)
    with pytest.raises(PermissionDenied):
        attach(admin, clock, item_id, make_pdf(), "a.pdf")
    manager = sign_in(location=archivist.store.location, username="manager", password=PASSWORD,
                      clock=clock)  # fmt: skip
    try:
        with pytest.raises(PermissionDenied):  # an approver may open, not attach
            attach(manager, clock, item_id, make_pdf(), "b.pdf")
        assert item_files.open_file(session=manager, file_id=file_id, purpose="审批", clock=clock)
    finally:
        from app.services.auth import sign_out

        sign_out(session=manager, clock=clock)
    assert [e.purpose for e in audits(archivist, "file.open")] == ["审批"]
    with pytest.raises(ValidationFailed) as exc:
        item_files.open_file(session=archivist, file_id=424242, purpose="查看", clock=clock)
    assert reasons(exc) == [("file", "not_found")]


# --- confidentiality ---------------------------------------------------------------------------
def test_the_file_name_and_content_never_appear_in_plain_text(
    archivist: SignedIn, clock: FixedClock, item_id: int, location: DatabaseLocation
) -> None:
    marker = "第七号秘密合同正文 UNIQUE-CONTENT-MARKER-7311\n".encode()
    attach(archivist, clock, item_id, make_pdf(), SECRET_NAME)
    attach(archivist, clock, item_id, marker * 50, LATIN_NAME.replace(".pdf", ".txt"))
    needles = [
        SECRET_NAME.encode(),
        "张三丰身份证".encode(),
        LATIN_NAME.replace(".pdf", "").encode(),
        b"UNIQUE-CONTENT-MARKER",
    ]
    # every column of every table, as the database holds it after decryption of the file
    with archivist.store.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.exec_driver_sql(f'SELECT * FROM "{table}"'):
                for value in row:
                    raw = value if isinstance(value, bytes) else str(value).encode()
                    for needle in needles:
                        assert needle not in raw, (table, needle)
    if not location.is_sqlite:
        return  # a server keeps the chunks in file_chunk, read above
    checkpoint(archivist.store.engine)
    assert len(folder_names(archivist)) == 2
    for path in location.sqlite_path.parent.rglob("*"):
        if path.is_file():
            blob = path.read_bytes()
            for needle in needles:
                assert needle not in blob, (path.name, needle)


@pytest.mark.sqlite_only
def test_files_of_a_deleted_customer_cannot_be_read_from_an_earlier_copy(
    archivist: SignedIn, clock: FixedClock, location: DatabaseLocation, tmp_path: Path
) -> None:
    gone = register_customer(session=archivist, draft=person(), clock=clock).customer_id
    kept = register_customer(
        session=archivist,
        draft=potential(name="王五"),
        clock=clock,
    )  # fmt: skip
    gone_file = attach(archivist, clock, add_item(archivist, clock, gone), make_pdf(), "a.pdf")
    kept_file = attach(archivist, clock, add_item(archivist, clock, kept.customer_id), make_png(),
                       "b.png")  # fmt: skip
    checkpoint(archivist.store.engine)
    old = tmp_path / "old" / "archive.db"
    old.parent.mkdir()
    shutil.copy2(location.sqlite_path, old)
    shutil.copytree(folder_of(archivist).path, blob_files.folder_for(old))
    gone_blob = blob_name_of(archivist, gone_file)
    # the archive goes (the destruction procedure is another issue's), then the customer
    with archivist.uow(clock) as uow:
        volume_ids = select(Volume.id).where(Volume.customer_id == gone)
        item_ids = select(ArchiveItem.id).where(ArchiveItem.volume_id.in_(volume_ids))
        file_ids = select(ItemFile.id).where(ItemFile.item_id.in_(item_ids))
        blob_names = list(
            uow.session.scalars(select(ItemFile.blob_name).where(ItemFile.id.in_(file_ids)))
        )
        uow.session.query(FileChunk).filter(FileChunk.file_id.in_(file_ids)).delete()
        uow.session.query(ItemFile).filter(ItemFile.item_id.in_(item_ids)).delete()
        uow.session.query(ArchiveItem).filter(ArchiveItem.volume_id.in_(volume_ids)).delete()
        uow.session.query(Volume).filter(Volume.customer_id == gone).delete()
        uow.commit()
    item_files.remove_blobs_after_commit(archivist.store, blob_names)
    assert blob_names == [gone_blob] and gone_blob not in folder_names(archivist)
    assert item_files.find_orphan_blobs(archivist.store) == []
    erase_customer(archivist, gone, clock)
    # the old copy with today's keyring and vault: the chunks are there, the key is not
    for suffix in (".keyring", ".vault"):
        shutil.copy2(
            location.sqlite_path.with_name("archive.db" + suffix),
            old.with_name("archive.db" + suffix),
        )
    ring = Keyring.load(FileKeyringStore(old.with_name("archive.db.keyring")))
    store = open_store(DatabaseLocation.parse(old), archivist.store.data_key, ring, clock,
                       upgrade=False)  # fmt: skip
    try:
        then = SignedIn(store=store, actor=archivist.actor)
        assert gone_blob is not None
        assert (blob_files.folder_for(old) / gone_blob).is_file()  # the chunks are there
        with pytest.raises(CustomerUnreadable):
            item_files.open_file(session=then, file_id=gone_file, purpose="恢复", clock=clock)
        assert item_files.open_file(session=then, file_id=kept_file, purpose="核对", clock=clock)
        result = item_files.verify_all_files(store)
        assert (result.unreadable_ids, result.failed_ids) == ([gone_file], [])
    finally:
        store.close()


def test_classified_items_need_clearance_to_attach_list_or_open(
    archivist: SignedIn, admin: SignedIn, clock: FixedClock, item_id: int
) -> None:
    from app.domain.roles import ApproverTitle, Role
    from app.services.auth import sign_out

    file_id = attach(archivist, clock, item_id, make_pdf(), "a.pdf")
    with archivist.uow(clock) as uow:
        item = uow.session.get(ArchiveItem, item_id)
        assert item is not None
        item.secrecy_level = "confidential"  # 机密
        uow.commit()
    # a 部门负责人 is cleared up to 秘密 only
    add_user(admin, clock, "dept", [Role.APPROVER], ApproverTitle.DEPT_HEAD, display_name="赵六")
    dept = sign_in(location=archivist.store.location, username="dept", password=PASSWORD,
                   clock=clock)  # fmt: skip
    try:
        with pytest.raises(ValidationFailed) as exc:
            item_files.open_file(session=dept, file_id=file_id, purpose="查阅", clock=clock)
        assert reasons(exc) == [("item", "no_clearance")]
        with pytest.raises(ValidationFailed) as exc:
            item_files.list_item_files(session=dept, item_id=item_id, clock=clock)
        assert reasons(exc) == [("item", "no_clearance")]
    finally:
        sign_out(session=dept, clock=clock)
    assert audits(archivist, "file.open") == []
    # the archivist keeps the secure cabinets: cleared up to 绝密
    assert item_files.open_file(session=archivist, file_id=file_id, purpose="核对", clock=clock)
    assert attach(archivist, clock, item_id, make_png(), "b.png") > file_id


# --- blob files beside an embedded database ------------------------------------------------------
class Crash(BaseException):
    """The process dying at this point (nothing after it runs in a real crash)."""


@pytest.mark.sqlite_only
def test_the_blob_file_holds_neither_the_content_nor_the_name(
    archivist: SignedIn, clock: FixedClock, item_id: int, location: DatabaseLocation
) -> None:
    marker = "第九号合同正文 BLOB-CONTENT-MARKER-5521\n".encode()
    name = "张三丰-BLOB-NAME-MARKER.txt"
    file_id = attach(archivist, clock, item_id, marker * 30_000, name)  # two chunks
    blob = blob_name_of(archivist, file_id)
    assert blob is not None and blob_files.is_blob_name(blob)
    folder = folder_of(archivist)
    assert folder.path == location.sqlite_path.with_name("archive.db.files")
    assert folder_names(archivist) == [blob]
    data = folder.path_of(blob).read_bytes()
    assert data.startswith(blob_files.MAGIC) and len(list(folder.records(blob))) == 2
    for needle in (b"BLOB-CONTENT-MARKER", "第九号".encode(), b"BLOB-NAME-MARKER",
                   "张三丰".encode(), name.encode()):  # fmt: skip
        assert needle not in data
    if os.name == "posix":
        assert stat.S_IMODE(folder.path.stat().st_mode) == 0o700
        assert stat.S_IMODE(folder.path_of(blob).stat().st_mode) == 0o600
    with archivist.store.new_session() as s:
        assert s.scalar(select(func.count()).select_from(FileChunk)) == 0
    got = item_files.open_file(session=archivist, file_id=file_id, purpose="核对", clock=clock)
    assert got == marker * 30_000


@pytest.mark.parametrize(
    ("source", "error"),
    [
        (lambda: FailingStream(2, OSError(5, "I/O error")), FileReadFailed),
        (lambda: FailingStream(2, RuntimeError("crash")), RuntimeError),
        (lambda: io.BytesIO(big_text(1.5) + b"\x00binary"), ValidationFailed),  # 2nd chunk
        (lambda: Pipe(big_text(2.5)), ValidationFailed),  # over a 2 MiB limit, streamed
    ],
)
def test_no_temp_file_remains_after_a_failed_attach(
    archivist: SignedIn, clock: FixedClock, item_id: int, source: object, error: type
) -> None:
    with archivist.uow(clock) as uow:
        uow.settings.put(item_files.MAX_SIZE_SETTING, 2)
        uow.commit()
    with pytest.raises(error):
        item_files.attach_file(
            session=archivist,
            item_id=item_id,
            source=source(),  # type: ignore[operator]
            file_name="scan.txt",
            clock=clock,
        )
    assert folder_names(archivist) == []
    assert counts(archivist) == (0, 0)
    assert item_files.find_orphan_blobs(archivist.store) == []


def test_a_failed_commit_removes_the_published_blob(
    archivist: SignedIn, clock: FixedClock, item_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.storage.store import UnitOfWork

    def failing_commit(self: UnitOfWork) -> None:
        raise RuntimeError("disk gone")

    monkeypatch.setattr(UnitOfWork, "commit", failing_commit)
    with pytest.raises(RuntimeError):
        attach(archivist, clock, item_id, make_pdf(), "a.pdf")
    monkeypatch.undo()
    assert folder_names(archivist) == [] and counts(archivist) == (0, 0)


@pytest.mark.sqlite_only(reason="orphans are blob files beside an embedded database")
def test_a_crash_between_rename_and_commit_leaves_an_orphan_that_check_reports_and_removes(
    archivist: SignedIn,
    clock: FixedClock,
    item_id: int,
    location: DatabaseLocation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.check import check_with_key

    kept = attach(archivist, clock, item_id, make_png(), "a.png")
    publish = blob_files.BlobWriter.publish

    def publish_then_crash(self: blob_files.BlobWriter) -> None:
        publish(self)
        raise Crash

    monkeypatch.setattr(blob_files.BlobWriter, "publish", publish_then_crash)
    with pytest.raises(Crash):
        attach(archivist, clock, item_id, make_pdf(), SECRET_NAME)
    monkeypatch.undo()
    # a process killed mid-write leaves its temp file too
    (folder_of(archivist).path / f"{blob_files.TEMP_PREFIX}0123abcd").write_bytes(b"partial")
    assert counts(archivist)[0] == 1  # the row never committed
    orphans = item_files.find_orphan_blobs(archivist.store)
    kept_blob = blob_name_of(archivist, kept)
    assert len(orphans) == 2 and kept_blob not in orphans
    assert any(blob_files.is_blob_name(n) for n in orphans)
    report = CheckReport()
    check_files(archivist.store, report)
    assert not report.ok
    assert "2 个无记录对应的文件" in report.problems[0]
    assert "--remove-orphan-files" in report.problems[0]
    assert item_files.verify_all_files(archivist.store).ok  # the committed file is fine
    # archive-room check --remove-orphan-files
    ring = Keyring.load(FileKeyringStore(location.keyring_path))
    report = CheckReport()
    check_with_key(
        location, ring, archivist.store.data_key, clock, report, remove_orphan_files=True
    )
    assert report.ok, report.problems
    assert any("已删除 2 个" in line for line in report.passed)
    assert folder_names(archivist) == [kept_blob]
    assert [e.details for e in audits(archivist, "file.orphans_removed")] == ['{"count":2}']
    assert item_files.remove_orphan_blobs(archivist.store, clock) == 0
    assert item_files.open_file(session=archivist, file_id=kept, purpose="核对", clock=clock)


@pytest.mark.sqlite_only
def test_a_missing_blob_is_a_typed_error_audited_and_reported(
    archivist: SignedIn, clock: FixedClock, item_id: int
) -> None:
    from app.errors import FileMissing

    good = attach(archivist, clock, item_id, make_png(), "a.png")
    lost = attach(archivist, clock, item_id, make_pdf(), "b.pdf")
    name = blob_name_of(archivist, lost)
    assert name is not None
    folder_of(archivist).path_of(name).unlink()
    with pytest.raises(FileMissing) as exc:
        item_files.open_file(session=archivist, file_id=lost, purpose="核对", clock=clock)
    message = describe(exc.value)
    assert f"编号 {lost}" in message and ".files" in message and "备份" in message
    missing = audits(archivist, "file.missing")
    assert [(e.object_id, e.purpose) for e in missing] == [(str(lost), "核对")]
    assert audits(archivist, "file.open") == []
    result = item_files.verify_all_files(archivist.store)
    assert (result.missing_ids, result.failed_ids, result.ok) == ([lost], [], False)
    report = CheckReport()
    check_files(archivist.store, report)
    assert len(report.problems) == 1 and "缺失" in report.problems[0]
    assert f"编号：{lost}（共 1 个）" in report.problems[0]
    assert item_files.open_file(session=archivist, file_id=good, purpose="核对", clock=clock)


@pytest.mark.sqlite_only
def test_a_blob_cut_inside_a_record_fails_fixity(
    archivist: SignedIn, clock: FixedClock, item_id: int
) -> None:
    file_id = attach(archivist, clock, item_id, big_text(1.5), "a.txt")
    name = blob_name_of(archivist, file_id)
    assert name is not None
    path = folder_of(archivist).path_of(name)
    whole = path.read_bytes()
    for cut in (whole[:-100], whole[:10], b"not a blob" + whole[10:]):
        path.write_bytes(cut)
        with pytest.raises(FixityFailed):
            item_files.open_file(session=archivist, file_id=file_id, purpose="核对", clock=clock)
    assert item_files.verify_all_files(archivist.store).failed_ids == [file_id]


def test_the_in_database_path_round_trips_without_a_folder(
    archivist: SignedIn, clock: FixedClock, item_id: int, in_database: None
) -> None:
    body = big_text(2.5)
    file_id = attach(archivist, clock, item_id, body, "记录.txt")
    assert counts(archivist) == (1, 3) and folder_names(archivist) == []
    got = item_files.open_file(session=archivist, file_id=file_id, purpose="查阅", clock=clock)
    assert got == body
    assert item_files.verify_all_files(archivist.store).ok
    assert item_files.find_orphan_blobs(archivist.store) == []
