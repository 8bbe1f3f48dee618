"""Copies of 机密 files (issue 23) to docs/screenshots: the refusal, the viewer, the watermarks.

Run: ``python scripts/file_copy_screenshots.py`` (Qt offscreen unless a display is set). Builds
a throw-away database with invented staff, a 机密 volume with a PDF and a scan, and a 复制
application approved by the 总经理 and issued to 赵敏.
"""

from __future__ import annotations

import io

import pypdfium2
from _shot import OUT, fresh_database, grab, start_app
from PIL import Image, ImageDraw, ImageFont
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app.paths import cjk_font_path
from app.services.catalogue import attach_file, copy_file, get_volume
from app.services.loans import (
    ApplicationDraft,
    RequestedVolume,
    file_application,
    issue_loan,
)
from tests.loan_helpers import approve_all, make_desk, make_volume
from ui.context import AppContext
from ui.dialogs.item_files import ImageViewer, ItemFilesDialog


def contract_pdf() -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    from app.printing.base import register_fonts

    font = register_fonts()
    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.setFont(font, 16)
    canvas.drawString(72, 760, "授信合同（样例）")
    canvas.setFont(font, 11)
    for n, line in enumerate(["第一条 授信额度：人民币伍佰万元整。", "第二条 期限：壹年。"]):
        canvas.drawString(72, 720 - n * 20, line)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def scan_png() -> bytes:
    image = Image.new("RGB", (640, 400), "#f4f1ea")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(cjk_font_path()), 28, index=0)
    draw.text((40, 40), "营业执照（样例扫描件）", font=font, fill="#333333")
    draw.rectangle((40, 100, 600, 360), outline="#555555", width=3)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def close_box_after(name: str) -> None:
    def poll() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            grab(box, name)
            box.accept()
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)


def main() -> None:
    start_app()
    work, clock, location, admin = fresh_database("archive.db")
    desk = make_desk(admin, location, clock)
    vid, code = make_volume(desk("lisi"), clock, level="confidential")
    item = get_volume(session=desk("lisi"), volume_id=vid, clock=clock).items[0].id
    pdf_id, png_id = (
        attach_file(
            session=desk("lisi"),
            item_id=item,
            source=io.BytesIO(content),
            file_name=name,
            clock=clock,
        )
        for name, content in (("授信合同.pdf", contract_pdf()), ("营业执照.png", scan_png()))
    )
    context = AppContext(location=location, clock=clock)
    # 1. a cleared archivist without an approval: the refusal
    dialog = ItemFilesDialog(None, context, desk("lisi"), item, f"{code} 第 1 件", can_attach=True)
    dialog.show()
    grab(dialog, "file-copy-viewer")
    info = next(r for r in dialog._rows if r.id == png_id)
    close_box_after("file-copy-refused")
    dialog.save_copy(info, "提供给客户核对", work / "x.png")
    dialog.close()
    # 2. the applicant with an approved, issued 复制
    draft = ApplicationDraft(
        kind="copy",
        purpose="提供给客户核对",
        volumes=(RequestedVolume(vid, items="1", page_count=1),),
        applicant_user_id=desk.ids["zhao"],
    )
    app_id = file_application(session=desk("lisi"), draft=draft, clock=clock).application_id
    approve_all(desk, app_id, "gm")
    issue_loan(session=desk("lisi"), application_id=app_id, scan=code, clock=clock)
    viewer = ImageViewer(None, "营业执照（掩码）", scan_png(), save=lambda: None)
    viewer.resize(760, 560)
    viewer.show()
    grab(viewer, "file-copy-image-viewer")
    viewer.close()
    pdf = copy_file(session=desk("zhao"), file_id=pdf_id, purpose="提供给客户核对", clock=clock)
    document = pypdfium2.PdfDocument(pdf.data)
    document[0].render(scale=80 / 72).to_pil().save(OUT / "file-copy-watermark-pdf.png")
    document.close()
    png = copy_file(session=desk("zhao"), file_id=png_id, purpose="提供给客户核对", clock=clock)
    (OUT / "file-copy-watermark-image.png").write_bytes(png.data)
    desk.close()


if __name__ == "__main__":
    main()
