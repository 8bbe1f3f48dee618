"""The sealed dump stream of PostgreSQL backups: opens only whole, in order, under its key."""

from __future__ import annotations

import io
import os
import struct
from pathlib import Path

import pytest

from app.storage.backup.sealed_stream import (
    CHUNK,
    MAGIC,
    SealedStreamBroken,
    open_stream,
    seal_stream,
)

KEY = bytes(range(32))


def _sealed(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "dump"
    with path.open("wb") as out:
        seal_stream(io.BytesIO(data), out, KEY)
    return path


def _records(raw: bytes) -> list[bytes]:
    out, at = [], len(MAGIC)
    while at < len(raw):
        (size,) = struct.unpack(">I", raw[at : at + 4])
        out.append(raw[at : at + 4 + size])
        at += 4 + size
    return out


@pytest.mark.parametrize("size", [0, 1, CHUNK, 2 * CHUNK + 7])
def test_what_is_sealed_opens_back_the_same(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    path = _sealed(tmp_path, data)
    assert b"".join(open_stream(path, KEY)) == data
    assert size < 64 or data[:64] not in path.read_bytes()


def test_a_wrong_key_a_cut_a_dropped_or_swapped_record_or_a_flipped_bit_do_not_open(
    tmp_path: Path,
) -> None:
    data = os.urandom(3 * CHUNK + 5)
    path = _sealed(tmp_path, data)
    raw = path.read_bytes()
    records = _records(raw)
    assert len(records) == 4
    variants = {
        "wrong key": (raw, bytes(32)),
        "cut before the last record": (MAGIC + b"".join(records[:3]), KEY),
        "dropped record": (MAGIC + records[0] + b"".join(records[2:]), KEY),
        "swapped records": (MAGIC + records[1] + records[0] + b"".join(records[2:]), KEY),
        "flipped bit": (raw[:100] + bytes([raw[100] ^ 1]) + raw[101:], KEY),
        "trailing bytes": (raw + b"x", KEY),
    }
    for name, (content, key) in variants.items():
        broken = tmp_path / name.replace(" ", "_")
        broken.write_bytes(content)
        with pytest.raises(SealedStreamBroken):
            b"".join(open_stream(broken, key))
