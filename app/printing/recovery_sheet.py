"""The recovery-key sheet printed once at setup (A4, kept in the safe)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.units import mm

from app.clock import format_local
from app.printing.key_sheet import KeySheetDrawing

TITLE = "档案室数据库恢复密钥单"


@dataclass(frozen=True)
class RecoverySheet:
    """What the sheet shows. No personal data: the key, the organisation, the database id."""

    recovery_key: str
    organisation_name: str
    fonds_name: str
    fonds_code: str
    database_id: str
    database_display: str
    created_at: datetime
    created_by: str


def render_recovery_sheet(sheet: RecoverySheet) -> bytes:
    """Return the PDF bytes of the recovery sheet."""
    page = KeySheetDrawing(TITLE)
    page.heading("机密 ★ 请存放于保险柜，不得复印、拍照或以电子方式保存", gap=16 * mm)
    rows = [
        ("单位名称", sheet.organisation_name),
        ("全宗名称", sheet.fonds_name),
        ("全宗号", sheet.fonds_code),
        ("数据库标识", sheet.database_id),
        ("数据库位置", sheet.database_display),
        ("生成时间", format_local(sheet.created_at)),
        ("生成人", sheet.created_by),
    ]
    page.facts(rows, value_at=28 * mm, width=70)
    page.skip(8 * mm)
    groups = sheet.recovery_key.split("-")
    page.key_box(
        "恢复密钥（共 13 组，每组 4 个字符，不含数字 0/1 和字母 O/I）：",
        [(19, 13 * mm, "  ".join(groups[:7])), (19, 25 * mm, "  ".join(groups[7:]))],
        height=34 * mm,
    )
    page.skip(14 * mm)
    notes = [
        "用途：所有用户都忘记密码、或系统管理员账户无法登录时，凭此密钥为用户重新设置密码。",
        "使用方法：在命令行运行 archive-room recover --db 数据库路径 --user 用户名，按提示输入本密钥。",
        "每次使用都会记入审计记录。本密钥只在初始设置时显示和打印一次，程序不会再次显示。",
        "持有本密钥即可解密数据库：请按涉密载体管理，登记、专人保管，交接时写入交接清单。",
        "如怀疑密钥泄露，请立即报告并按事件登记处理。",
    ]
    page.notes(["· " + note for note in notes], step=7 * mm)
    page.skip(14 * mm)
    page.signatures(
        "保管人签字：________________　　日期：____________　　监督人签字：________________"
    )
    return page.finish(
        organisation=sheet.organisation_name,
        printed_by=sheet.created_by,
        printed_at=sheet.created_at,
    )
