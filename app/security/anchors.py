"""Anchors: chain heads an auditor was shown, kept outside the database's files (issue 23).

Every auditor review (verification, report, export) shows the chain's head — sequence number,
hash, time — on screen and on paper, and the workstation keeps it in a small file in the
user's data folder (``anchors/<database id>.jsonl``), not beside the database: putting back an
older copy of the database *and* its side files does not put back the anchors. A chain that
ends before a known anchor was rolled back; one whose entry at an anchor's sequence number has
another hash was rewritten. The printed anchors are the auditor's own record, given to
``archive-room check --anchor SEQ:HASH``; the file is a convenience for the workstation.

A restore through the app is the one rollback that is meant: switching to a restored backup
appends a *restore* line (the restore's own audit entry, ``backup.restore``). Anchors kept
before it at or after its sequence number belonged to the timeline the restore replaced and no
longer count; the restore line is an anchor itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from app.paths import user_data_dir
from app.storage.files import append_line

_ID = re.compile(r"^[0-9a-f]{8,64}$")


@dataclass(frozen=True)
class Anchor:
    """A chain head: ``seq``, ``entry_hash`` (hex) and when it was seen (UTC text)."""

    seq: int
    entry_hash: str
    at: str = ""
    restore: str = ""  # the backup's name, on the line a restore through the app appended

    def text(self) -> str:
        """``SEQ:HASH`` as printed and as ``check --anchor`` takes it."""
        return f"{self.seq}:{self.entry_hash}"


def parse_anchor(text: str) -> Anchor | None:
    """An anchor from ``SEQ:HASH`` (None when it is not one)."""
    seq, _, digest = text.strip().partition(":")
    digest = digest.strip().lower()
    if not seq.strip().isdigit() or not re.fullmatch(r"[0-9a-f]{64}", digest):
        return None
    return Anchor(int(seq), digest)


def anchor_folder() -> Path:
    """Where this workstation keeps the anchors it has shown."""
    return user_data_dir() / "anchors"


class AnchorBook:
    """The anchors of one database on this workstation (append-only JSON lines)."""

    def __init__(self, database_id: str, folder: Path | None = None) -> None:
        if not _ID.match(database_id):
            raise ValueError("database id")
        self.path = (folder or anchor_folder()) / f"{database_id}.jsonl"

    def add(self, anchor: Anchor) -> None:
        """Append one anchor (and sync it)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        record: dict[str, object] = {"seq": anchor.seq, "hash": anchor.entry_hash, "at": anchor.at}
        if anchor.restore:
            record["restore"] = anchor.restore
        append_line(self.path, json.dumps(record, ensure_ascii=False))

    def read(self) -> list[Anchor]:
        """Every anchor that still counts (lines that cannot be read are skipped).

        A restore line drops the anchors kept before it at or after its sequence number.
        """
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except (FileNotFoundError, NotADirectoryError):
            return []
        out: list[Anchor] = []
        for raw in text.splitlines():
            try:
                data = json.loads(raw)
                anchor = Anchor(
                    int(data["seq"]),
                    str(data["hash"]),
                    str(data.get("at", "")),
                    str(data.get("restore", "")),
                )
            except (ValueError, KeyError, TypeError):
                continue
            if anchor.restore:
                out = [a for a in out if a.seq < anchor.seq]
            out.append(anchor)
        return out
