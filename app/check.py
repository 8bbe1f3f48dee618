"""``archive-room check``: verify the store: file, keyring, key, integrity, schema."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from app.clock import Clock
from app.errors import AppError, DatabaseMissing, KeyringDamaged
from app.messages import describe
from app.security.anchors import Anchor
from app.security.keyring import Keyring
from app.storage import migrate
from app.storage.engine import PAGE_SIZE
from app.storage.keyring_store import keyring_store_for
from app.storage.location import DatabaseLocation
from app.storage.store import Store, integrity_problems, open_store

SQLITE_PLAIN_HEADER = b"SQLite format 3\x00"


@dataclass
class CheckReport:
    """What ``check`` found: lines of passed checks and problems."""

    passed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


def check_structure(location: DatabaseLocation, report: CheckReport) -> Keyring | None:
    """Checks that need no key: file present and page-aligned, keyring well-formed."""
    if location.is_sqlite:
        path = location.sqlite_path
        if not path.exists():
            report.problems.append(describe(DatabaseMissing(path=str(path))))
            return None
        if not path.is_file():
            report.problems.append(f"不是数据库文件（是文件夹或特殊文件）：{path}")
            return None
        size = path.stat().st_size
        if size == 0 or size % PAGE_SIZE != 0:
            report.problems.append(
                f"数据库文件长度 {size} 字节不是页大小 {PAGE_SIZE} 的整数倍：文件被截断或已损坏。"
                "请从备份恢复。"
            )
        else:
            report.passed.append(f"数据库文件存在，长度 {size} 字节（{size // PAGE_SIZE} 页）")
        with path.open("rb") as handle:
            if handle.read(16) == SQLITE_PLAIN_HEADER:
                report.problems.append("数据库文件未加密（明文 SQLite），不是本程序创建的数据库。")
    try:
        keyring = Keyring.load(keyring_store_for(location))
    except AppError as exc:
        report.problems.append(describe(exc))
        return None
    report.passed.append(f"钥匙环格式正确（{len(keyring.body['slots'])} 个密钥槽）")
    return keyring


def check_with_key(
    location: DatabaseLocation,
    keyring: Keyring,
    data_key: bytes,
    clock: Clock,
    report: CheckReport,
    *,
    remove_orphan_files: bool = False,
    audit_key: str | None = None,
    anchors: Sequence[Anchor] = (),
) -> None:
    """Checks that need the data key: keyring MAC, decryption, integrity, schema revision.

    ``remove_orphan_files`` deletes files in ``<db>.files/`` that no record names (left by a
    crash during an attach) instead of reporting them.
    """
    try:
        keyring.verify(data_key)
    except KeyringDamaged as exc:
        report.problems.append(describe(exc))
        return
    report.passed.append("钥匙环认证码校验通过")
    try:
        store = open_store(location, data_key, keyring, clock, upgrade=False)
    except AppError as exc:
        report.problems.append(describe(exc))
        return
    try:
        problems = integrity_problems(store.engine) if location.is_sqlite else []
        if problems:
            report.problems.append("SQLite 完整性检查发现问题：" + "；".join(problems[:10]))
        elif location.is_sqlite:
            report.passed.append("SQLite 完整性检查通过（integrity_check、foreign_key_check）")
        current, head = migrate.schema_state(store.engine)
        if current == head:
            report.passed.append(f"数据库结构为最新版本（{head}）")
        else:
            report.problems.append(f"数据库结构版本 {current} 不是最新的 {head}")
        check_vault(store, report)
        check_files(store, report, remove_orphans=remove_orphan_files, clock=clock)
        if current == head:
            check_audit_chain(store, report, audit_key=audit_key, anchors=anchors, clock=clock)
        else:  # the chain's columns come with the upgrade, done at the next sign-in
            report.skipped.append("审计链校验（数据库结构不是最新版本：登录一次完成升级后再校验）")
    except AppError as exc:
        report.problems.append(describe(exc))
    except Exception as exc:  # a damaged file can fail in many driver-specific ways
        report.problems.append(
            f"读取数据库时出错（{type(exc).__name__}）：文件可能已损坏，请从备份恢复。"
        )
    finally:
        store.close()


def check_vault(store: Store, report: CheckReport) -> None:
    """The customer key vault: present, this database's, every customer's key in it."""
    from sqlalchemy import select

    from app.security.crypto import DecryptionFailed
    from app.security.vault import vault_key
    from app.storage.models import Customer

    try:
        vault = store.vault
    except AppError as exc:  # missing, foreign, garbage: never made anew here
        report.problems.append(describe(exc))
        return
    with store.new_session() as session:
        wanted = set(session.scalars(select(Customer.key_id)).all())
    with vault._engine.connect() as conn:
        held = set(conn.execute(select(vault_key.c.key_id)).scalars().all())
    missing = len({str(k) for k in wanted} - held)
    if missing:
        report.problems.append(
            f"客户密钥库中缺少 {missing} 位客户的密钥：其受保护信息无法读取。"
            "密钥库可能被换成了旧的副本，请从包含正确密钥库的备份恢复。"
        )
        return
    try:
        for key_id in sorted(held)[:3]:  # a sample unwraps with this database's key
            vault.key(key_id)
    except DecryptionFailed:
        report.problems.append("客户密钥库中的密钥无法用本数据库的密钥解开：密钥库不属于此数据库。")
        return
    report.passed.append(f"客户密钥库校验通过：{len(held)} 把密钥，{len(wanted)} 位客户")


def check_audit_chain(
    store: Store,
    report: CheckReport,
    *,
    audit_key: str | None = None,
    anchors: Sequence[Anchor] = (),
    clock: Clock | None = None,
) -> None:
    """The whole audit chain, its checkpoints, its seals and the anchors (issue 23).

    With ``audit_key`` (the auditor's verification key) every seal's MAC is checked; without
    it only what needs no key (no gap in the epochs, the anchors). The first problem is named.
    """
    from app.clock import SystemClock
    from app.services.audit import verify_sealed_trail

    sealed = verify_sealed_trail(store, audit_key, clock or SystemClock(), anchors=anchors)
    result = sealed.chain
    if result.ok:
        report.passed.append(
            f"审计链校验通过：{result.checked} 条记录"
            f"（第 {result.first_seq or 0}–{result.head_seq} 条），{result.checkpoints} 个检查点"
        )
    else:
        first = result.first_break
        assert first is not None
        more = f"（共发现 {len(result.breaks)} 处问题）" if len(result.breaks) > 1 else ""
        report.problems.append(
            "审计链校验失败："
            + first.describe()
            + more
            + "请保留数据库现状并通知审计员；从备份恢复前先复制一份当前文件作证据。"
        )
    for problem in sealed.problems:
        report.problems.append("审计封印或锚点校验失败：" + problem)
    if sealed.problems:
        return
    if sealed.keyed and sealed.seals is not None:
        report.passed.append(
            f"审计封印校验通过（验证密钥）：{sealed.seals.seals} 期封印，"
            f"已封印到第 {sealed.seals.sealed_through} 条，当前一期未封印 {sealed.unsealed} 条"
        )
    elif sealed.started:
        report.skipped.append("审计封印的认证码（未提供验证密钥：用 --audit-key FILE）")
    else:
        report.skipped.append("审计封印（此数据库尚未发放审计验证密钥）")
    if sealed.anchors_checked:
        report.passed.append(f"锚点：{sealed.anchors_checked} 个，审计链均未回滚、未改写")
    report.passed.append(f"当前审计链头（锚点）：{sealed.head.text()}")


def _ids(ids: list[int]) -> str:
    shown = "、".join(str(i) for i in ids[:20])
    return shown + (f" 等（共 {len(ids)} 个）" if len(ids) > 20 else f"（共 {len(ids)} 个）")


def check_orphan_files(
    store: Store, report: CheckReport, *, remove: bool = False, clock: Clock | None = None
) -> None:
    """Files in ``<db>.files/`` that no record names (a crash during an attach).

    Reported as a problem, or deleted with ``remove``.
    """
    from app.clock import SystemClock
    from app.services.catalogue import blob_folder, find_orphan_blobs, remove_orphan_blobs

    if not store.location.is_sqlite:
        return
    folder = blob_folder(store).path
    if remove:
        removed = remove_orphan_blobs(store, clock or SystemClock())
        if removed:
            report.passed.append(f"已删除 {removed} 个无记录对应的电子文件存储文件（{folder}）")
        return
    orphans = find_orphan_blobs(store)
    if orphans:
        report.problems.append(
            f"电子文件文件夹 {folder} 中有 {len(orphans)} 个无记录对应的文件"
            "（附加文件时程序中断留下的，不含可读内容）。"
            "请运行 archive-room check --remove-orphan-files 删除。"
        )


def check_files(
    store: Store,
    report: CheckReport,
    *,
    remove_orphans: bool = False,
    clock: Clock | None = None,
) -> None:
    """Fixity of every electronic file (R13): chunk tags, order, end and SHA-256.

    Also: every blob file present, none left over (SQLite).
    """
    from app.security.vault import VAULT_SUFFIX
    from app.services.catalogue import count_files, verify_all_files

    check_orphan_files(store, report, remove=remove_orphans, clock=clock)
    if count_files(store) == 0:
        report.passed.append("电子文件：无")
        return
    if store.location.is_sqlite:
        path = store.location.sqlite_path
        vault = path.with_name(path.name + VAULT_SUFFIX)
        if not vault.exists():
            report.problems.append(
                f"找不到客户密钥库文件：{vault}\n无法校验电子文件。请从备份中恢复该文件。"
            )
            return
    result = verify_all_files(store)
    if result.ok:
        mib = result.bytes_checked / (1 << 20)
        report.passed.append(
            f"电子文件校验通过：{result.checked} 个文件，{mib:.1f} MiB（分块认证与 SHA-256）"
        )
        return
    found = (  # (file ids, what is wrong, what to do)
        (
            result.failed_ids,
            "电子文件内容已损坏或被篡改（分块认证或 SHA-256 不符）",
            "请从备份恢复这些文件。",
        ),
        (
            result.unreadable_ids,
            "电子文件无法解密（客户密钥已销毁或密钥库损坏）",
            "请从包含密钥库的备份恢复。",
        ),
        (
            result.missing_ids,
            "电子文件的加密存储文件缺失（数据库旁的 .files 文件夹中找不到）",
            "请从包含 .files 文件夹的备份恢复。",
        ),
        (result.incomplete_ids, "电子文件记录未写完", ""),
    )
    for ids, problem, advice in found:
        if ids:
            report.problems.append(f"{problem}，编号：{_ids(ids)}。{advice}")
