"""Reading and verifying a backup folder against its manifest; listing a target."""

from __future__ import annotations

import hmac
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.errors import (
    AppError,
    BackupDamaged,
    BackupTargetFailed,
)
from app.storage.backup.copying import _hash_range
from app.storage.backup.manifest import (
    DB_NAME,
    FORMAT,
    MANIFEST,
    PREFIX,
    FileEntry,
    Manifest,
    NullSink,
    Sink,
    VerifyResult,
    _Meter,
    manifest_tag,
)


def read_manifest(folder: Path) -> Manifest:
    """Parse ``manifest.json``; raise BackupDamaged when it is missing or malformed."""
    try:
        raw = (folder / MANIFEST).read_bytes()
    except FileNotFoundError as exc:
        raise BackupDamaged(path=str(folder), detail="缺少清单文件 manifest.json") from exc
    except OSError as exc:
        raise BackupTargetFailed(path=str(folder), detail=exc.strerror or "") from exc
    try:
        doc = json.loads(raw.decode("utf-8"))
        body, tag = doc["body"], str(doc["tag"])
        if body.get("format") != FORMAT or not isinstance(body.get("files"), list):
            raise ValueError("format")
        manifest = Manifest(body, tag)
        _ = manifest.created_at, manifest.files, manifest.counts, manifest.database_id
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, AttributeError) as exc:
        raise BackupDamaged(path=str(folder), detail="清单文件格式错误或被改动") from exc
    return manifest


def _safe_rel(rel: str) -> bool:
    parts = rel.split("/")
    return bool(rel) and not rel.startswith("/") and ".." not in parts and "\\" not in rel


def verify_folder(
    folder: Path,
    *,
    data_key: bytes | None,
    now: datetime,
    sink: Sink | None = None,
    meter: _Meter | None = None,
    vault_days: int | None = None,
) -> VerifyResult:
    """Read every file of a backup and compare it with the manifest (and the tag with a key).

    A vault copy removed by rotation after its window is expected, not a problem.
    """
    from app.domain.backups import vault_copy_expired

    manifest = read_manifest(folder)
    days = int(manifest.body.get("vault_days", 30)) if vault_days is None else vault_days
    result = VerifyResult(
        manifest, tag_checked=data_key is not None, vault_expired=False, problems=[]
    )
    if data_key is not None and not hmac.compare_digest(
        manifest.tag, manifest_tag(data_key, manifest.body)
    ):
        # nothing in a manifest that does not authenticate is used: no file list, no dates
        result.problems.append("清单的认证标记不符：清单被改动，或备份不属于此数据库")
        return result
    links = symlinks_in(folder)
    if links:
        result.problems += [f"备份中有符号链接 {rel}（不予信任）" for rel in links]
    if meter is None:
        meter = _Meter(sink or NullSink(), manifest.total_bytes)
    listed = set()
    units: list[tuple[FileEntry, Path, int, int, str]] = []
    for entry in manifest.files:
        listed.add(entry.path)
        if not _safe_rel(entry.path):
            result.problems.append("清单中有不合法的路径")
            continue
        path = folder / entry.path
        if entry.path in links:
            continue
        if entry.kind == "vault" and vault_copy_expired(manifest.created_at, now, days):
            result.vault_expired = True  # destroyed (or being destroyed) by design: not checked
            continue
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            result.problems.append(f"缺少文件 {entry.path}")
            continue
        except OSError as exc:
            result.problems.append(f"无法读取 {entry.path}（{exc.strerror}）")
            continue
        if size != entry.size:
            result.problems.append(f"{entry.path} 的长度与清单不符（内容已改变）")
            continue
        units += [(entry, path, *span) for span in entry.spans()]
    bad: set[str] = set()

    def check(unit: tuple[FileEntry, Path, int, int, str]) -> None:
        entry, path, offset, length, expected = unit
        try:
            digest = _hash_range(path, offset, length, meter)
        except OSError as exc:
            bad.add(f"无法读取 {entry.path}（{exc.strerror}）")
            return
        if not hmac.compare_digest(digest, expected):
            bad.add(f"{entry.path} 的 SHA-256 校验值不符（内容已改变）")

    # hashlib releases the GIL: one thread per core hashes segments side by side
    workers = max(1, min(4, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(check, units))
    result.problems += sorted(bad)
    for path in folder.rglob("*"):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and rel != MANIFEST and rel not in listed and rel not in links:
            result.problems.append(f"多出清单之外的文件 {rel}")
    return result


def symlinks_in(folder: Path) -> list[str]:
    """Relative paths of every symbolic link inside ``folder`` (links are never followed)."""
    found: list[str] = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        for name in [*dirs, *files]:
            path = Path(root) / name
            if path.is_symlink():
                found.append(path.relative_to(folder).as_posix())
    return sorted(found)


def manifest_authentic(manifest: Manifest, data_key: bytes) -> bool:
    """True when ``manifest``'s tag was made with ``data_key``."""
    return hmac.compare_digest(manifest.tag, manifest_tag(data_key, manifest.body))


@dataclass(frozen=True)
class BackupListing:
    """One folder found in a backup target."""

    path: Path
    manifest: Manifest | None
    vault_present: bool
    problem: str | None = None


def list_folder(target: Path) -> list[BackupListing]:
    """Backups in ``target``, newest first (partial folders are not backups)."""
    out: list[BackupListing] = []
    try:
        entries = sorted(target.iterdir())
    except OSError:
        return out
    for entry in entries:
        if not entry.is_dir() or not entry.name.startswith(PREFIX):
            continue
        try:
            manifest: Manifest | None = read_manifest(entry)
            problem = None
        except AppError as exc:
            manifest, problem = None, exc.code
        out.append(BackupListing(entry, manifest, (entry / (DB_NAME + ".vault")).exists(), problem))
    out.sort(key=lambda b: b.manifest.created_at.timestamp() if b.manifest else 0.0, reverse=True)
    return out
