"""The recovery-key sheet printed once at setup (A4, kept in the safe)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.units import mm

from app.clock import format_local
from app.printing.base import FONT, MARGIN, PAGE_H, PAGE_W, new_canvas
from app.printing.page import PageSetup, paint_footer

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
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, TITLE)
    y = PAGE_H - MARGIN - 10 * mm
    canvas.setFont(FONT, 20)
    canvas.drawCentredString(PAGE_W / 2, y, TITLE)
    y -= 9 * mm
    canvas.setFont(FONT, 11)
    canvas.drawCentredString(PAGE_W / 2, y, "机密 ★ 请存放于保险柜，不得复印、拍照或以电子方式保存")
    y -= 16 * mm
    rows = [
        ("单位名称", sheet.organisation_name),
        ("全宗名称", sheet.fonds_name),
        ("全宗号", sheet.fonds_code),
        ("数据库标识", sheet.database_id),
        ("数据库位置", sheet.database_display),
        ("生成时间", format_local(sheet.created_at)),
        ("生成人", sheet.created_by),
    ]
    for label, value in rows:
        canvas.setFont(FONT, 11)
        canvas.drawString(MARGIN, y, f"{label}：")
        canvas.drawString(MARGIN + 28 * mm, y, value[:70])
        y -= 7.5 * mm
    y -= 8 * mm
    canvas.setFont(FONT, 12)
    canvas.drawString(MARGIN, y, "恢复密钥（共 13 组，每组 4 个字符，不含数字 0/1 和字母 O/I）：")
    y -= 6 * mm
    box_h = 34 * mm
    canvas.setLineWidth(1.2)
    canvas.rect(MARGIN, y - box_h, PAGE_W - 2 * MARGIN, box_h)
    groups = sheet.recovery_key.split("-")
    canvas.setFont("Courier-Bold", 19)
    lines = [groups[:7], groups[7:]]
    ly = y - 13 * mm
    for line in lines:
        canvas.drawCentredString(PAGE_W / 2, ly, "  ".join(line))
        ly -= 12 * mm
    y -= box_h + 14 * mm
    canvas.setFont(FONT, 10.5)
    notes = [
        "用途：所有用户都忘记密码、或系统管理员账户无法登录时，凭此密钥为用户重新设置密码。",
        "使用方法：在命令行运行 archive-room recover --db 数据库路径 --user 用户名，按提示输入本密钥。",
        "每次使用都会记入审计记录。本密钥只在初始设置时显示和打印一次，程序不会再次显示。",
        "持有本密钥即可解密数据库：请按涉密载体管理，登记、专人保管，交接时写入交接清单。",
        "如怀疑密钥泄露，请立即报告并按事件登记处理。",
    ]
    for note in notes:
        canvas.drawString(MARGIN, y, "· " + note)
        y -= 7 * mm
    y -= 14 * mm
    canvas.setFont(FONT, 11)
    canvas.drawString(
        MARGIN,
        y,
        "保管人签字：________________　　日期：____________　　监督人签字：________________",
    )
    footer = PageSetup(
        organisation=sheet.organisation_name,
        title=TITLE,
        printed_by=sheet.created_by,
        printed_by_username="",
        printed_at=sheet.created_at,
    )
    paint_footer(canvas, footer, 1, 1)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
