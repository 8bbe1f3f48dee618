"""The audit verification key sheet, printed once for the auditor (A4, kept outside the app).

Like the recovery-key sheet, with a QR code of the key so that it can be read back into the
auditor's page or a file for ``archive-room check --audit-key``. No personal data: the key,
the organisation, the database id, the auditor's name as the receiver.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.units import mm

from app.clock import format_local
from app.printing.base import PAGE_W
from app.printing.key_sheet import KeySheetDrawing
from app.printing.labels import draw_qr, qr_matrix

TITLE = "档案室审计验证密钥单"


@dataclass(frozen=True)
class AuditKeySheet:
    """What the sheet shows."""

    verification_key: str
    organisation_name: str
    database_id: str
    database_display: str
    issued_at: datetime
    issued_to: str


def render_audit_key_sheet(sheet: AuditKeySheet) -> bytes:
    """Return the PDF bytes of the sheet."""
    page = KeySheetDrawing(TITLE)
    page.heading(
        "仅交审计员本人 · 请存放于保险柜，不得交给系统管理员或保存在本程序所在电脑", gap=14 * mm
    )
    rows = [
        ("单位名称", sheet.organisation_name),
        ("数据库标识", sheet.database_id),
        ("数据库位置", sheet.database_display),
        ("发放时间", format_local(sheet.issued_at)),
        ("领取人（审计员）", sheet.issued_to),
    ]
    page.facts(rows, value_at=36 * mm, width=64)
    page.skip(6 * mm)
    prefix, database_id, *groups = sheet.verification_key.split("-")
    half = (len(groups) + 1) // 2
    page.key_box(
        "验证密钥（抄录时连同前缀和数据库标识一起，不区分大小写）：",
        [
            (11, 7 * mm, f"{prefix}-{database_id}-"),
            (16, 16 * mm, "-".join(groups[:half]) + "-"),
            (16, 25 * mm, "-".join(groups[half:])),
        ],
        height=30 * mm,
    )
    page.skip(6 * mm)
    side = 42 * mm
    draw_qr(
        page.canvas, qr_matrix(sheet.verification_key), (PAGE_W - side) / 2, page.y - side, side
    )
    page.skip(side + 9 * mm)
    notes = [
        "用途：核对审计记录的封印。程序只保存当期的封印密钥，旧的用后即毁；凭本密钥可逐期核对，",
        "　　　持有数据库密钥的人也无法重做过去各期的封印，删改、截尾或换回旧副本都会被发现。",
        "使用：审计员页面“校验（含封印）”中输入或扫描本密钥；或在命令行运行",
        "　　　archive-room check --db 数据库 --user 审计员 --audit-key 密钥文件。",
        "本密钥只显示和打印一次（初始设置时或审计员首次登录时），程序不保存、不会再次显示。",
        "每次审计复核请抄录或打印审计链头（序号:校验值），作为锚点与本单一起保管。",
        "如怀疑本密钥泄露，请登记事件；泄露后伪造的封印无法与真实封印区分。",
    ]
    page.notes(notes, step=6.5 * mm)
    page.skip(8 * mm)
    page.signatures(
        "领取人签字：________________　　日期：____________　　监督人签字：____________"
    )
    return page.finish(
        organisation=sheet.organisation_name, printed_by=sheet.issued_to, printed_at=sheet.issued_at
    )
