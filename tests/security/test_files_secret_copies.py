"""Insiders and 机密 files (issue 23, R31, R40): shown in the viewer, never copied out without
this applicant's approved, issued, unexpired 复制 of this item; copies watermarked and audited.

Every attack is replayed through the real viewer (``ItemFilesDialog``, the print preview) on
a real database, as a cleared archivist or approver who has the files in front of them.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.clock import FixedClock
from app.errors import CopyNeedsApproval
from app.services.auth import SignedIn
from app.services.catalogue import attach_file, copy_file, get_volume, list_item_files
from app.services.loans import (
    ApplicationDraft,
    RequestedVolume,
    file_application,
    issue_loan,
)
from app.storage.location import DatabaseLocation
from app.storage.models import AuditEntry
from tests.gui.conftest import when_modal
from tests.loan_helpers import Desk, approve_all, make_desk, make_volume, return_at_desk
from tests.pdf_text import pdf_text
from ui.context import AppContext
from ui.dialogs.item_files import ItemFilesDialog
from ui.dialogs.print_preview import PrintPreviewDialog

SECRET_NAME = "张三丰身份证复印件"  # a file name with a person in it: never in the trail


def make_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    for n in range(2):
        pdf.drawString(72, 720, f"Confidential contract page {n + 1}")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def make_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), "white").save(out, format="PNG")
    return out.getvalue()


TEXT = "合同条款：第三条 保密义务\n".encode()


@dataclass
class Secret:
    """A 机密 volume with files on its first item (and a second item with a file)."""

    desk: Desk
    volume_id: int
    code: str
    items: list[int]
    pdf: int
    png: int
    txt: int
    other_item_pdf: int


def attach(desk: Desk, item_id: int, data: bytes, suffix: str) -> int:
    return attach_file(
        session=desk("lisi"),
        item_id=item_id,
        source=io.BytesIO(data),
        file_name=SECRET_NAME + suffix,
        clock=desk.clock,
    )


@pytest.fixture
def secret(admin: SignedIn, location: DatabaseLocation, clock: FixedClock) -> Iterator[Secret]:
    desk = make_desk(admin, location, clock)
    vid, code = make_volume(desk("lisi"), clock, level="confidential")
    items = [i.id for i in get_volume(session=desk("lisi"), volume_id=vid, clock=clock).items]
    yield Secret(
        desk,
        vid,
        code,
        items,
        attach(desk, items[0], make_pdf(), ".pdf"),
        attach(desk, items[0], make_png(), ".png"),
        attach(desk, items[0], TEXT, ".txt"),
        attach(desk, items[1], make_pdf(), ".pdf"),
    )
    desk.close()


def copy_application(s: Secret, applicant: str = "zhao", items: str = "1") -> int:
    """A 复制 of item 1 (by default) for ``applicant``, approved by the 总经理 and issued."""
    draft = ApplicationDraft(
        kind="copy",
        purpose="提供给客户核对",
        volumes=(RequestedVolume(s.volume_id, items=items, pages="1-2", page_count=2),),
        applicant_user_id=s.desk.ids[applicant],
        reason="客户要求",
    )
    app_id = file_application(session=s.desk("lisi"), draft=draft, clock=s.desk.clock)
    approve_all(s.desk, app_id.application_id, "gm")
    issue_loan(
        session=s.desk("lisi"),
        application_id=app_id.application_id,
        scan=s.code,
        clock=s.desk.clock,
    )
    return app_id.application_id


def viewer(qtbot: QtBot, s: Secret, user: str, item: int) -> ItemFilesDialog:
    dialog = ItemFilesDialog(
        None,
        AppContext(location=s.desk.location, clock=s.desk.clock),
        s.desk(user),
        item,
        f"{s.code} 第 1 件",
        can_attach=False,
    )
    qtbot.addWidget(dialog)
    return dialog


def info_of(dialog: ItemFilesDialog, file_id: int) -> object:
    return next(r for r in dialog._rows if r.id == file_id)


def save_through_viewer(
    dialog: ItemFilesDialog, file_id: int, target: Path
) -> tuple[Path | None, str]:
    """Press 另存为 in the viewer; return what was written and the message box shown."""
    shown: dict[str, str] = {}

    def read_box(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        shown["text"] = box.text()
        box.accept()

    errors = when_modal(read_box)
    written = dialog.save_copy(info_of(dialog, file_id), "提供给客户核对", target)  # type: ignore[arg-type]
    assert errors == []
    return written, shown.get("text", "")


def entries(s: Secret, action: str) -> list[AuditEntry]:
    with s.desk("lisi").store.new_session() as db:
        return list(
            db.scalars(
                select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
            )
        )


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """Where copies are saved (the database lives in ``tmp_path`` itself)."""
    folder = tmp_path / "saved"
    folder.mkdir()
    return folder


# --- refused ---------------------------------------------------------------------------------
def test_a_cleared_archivist_cannot_save_or_print_a_secret_file_without_an_approval(
    qtbot: QtBot, secret: Secret, out_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = viewer(qtbot, secret, "lisi", secret.items[0])
    # docx/txt/xlsx/pptx/ofd used to go straight to a save dialog: now refused, nothing written
    target = out_dir / "副本.txt"
    written, message = save_through_viewer(dialog, secret.txt, target)
    assert written is None and not target.exists()
    assert "总经理批准" in message and "他人的批准不适用" in message
    # images: the viewer's 另存为
    written, _ = save_through_viewer(dialog, secret.png, out_dir / "scan.png")
    assert written is None and list(out_dir.iterdir()) == []
    # PDFs: the preview's 另存为 PDF… and 打印… ask the service, which refuses
    pdf = dialog.take_copy
    preview = PrintPreviewDialog(
        "预览",
        make_pdf(),
        on_output=lambda kind: pdf(info_of(dialog, secret.pdf), "核对", kind).data,  # type: ignore[arg-type]
    )
    qtbot.addWidget(preview)
    out = out_dir / "copy.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    errors = when_modal(lambda box: box.close())
    preview.save_as()
    assert errors == [] and not out.exists() and preview.saved_path is None
    refused = entries(secret, "file.copy_refused")
    assert len(refused) == 3
    for entry in refused:
        details = json.loads(entry.details)
        assert details["reference_code"] == secret.code and details["level"] == "机密"
        assert SECRET_NAME not in entry.details
    assert entries(secret, "file.save") == []


def test_a_loan_or_a_consultation_is_not_a_copy(secret: Secret) -> None:
    desk = secret.desk
    draft = ApplicationDraft(
        kind="loan",
        purpose="核对",
        volumes=(RequestedVolume(secret.volume_id),),
        applicant_user_id=desk.ids["zhao"],
    )
    app_id = file_application(session=desk("lisi"), draft=draft, clock=desk.clock).application_id
    approve_all(desk, app_id, "info", "manager")
    issue_loan(session=desk("lisi"), application_id=app_id, scan=secret.code, clock=desk.clock)
    with pytest.raises(CopyNeedsApproval):
        copy_file(session=desk("zhao"), file_id=secret.pdf, purpose="核对", clock=desk.clock)


def test_another_applicants_approval_does_not_count(
    qtbot: QtBot, secret: Secret, out_dir: Path
) -> None:
    copy_application(secret, applicant="zhao")
    # the archivist who filed and issued it, and an approver-archivist: neither is the applicant
    for user in ("lisi", "both"):
        dialog = viewer(qtbot, secret, user, secret.items[0])
        written, message = save_through_viewer(dialog, secret.txt, out_dir / f"{user}.txt")
        assert written is None and "他人的批准不适用" in message
    # the 总经理 who approved it, cleared for 绝密, holds no copy either
    with pytest.raises(CopyNeedsApproval):
        copy_file(
            session=secret.desk("gm"), file_id=secret.pdf, purpose="核对", clock=secret.desk.clock
        )
    assert list(out_dir.iterdir()) == []


def test_an_approval_covers_only_the_items_it_names(secret: Secret) -> None:
    copy_application(secret, items="1")
    desk = secret.desk
    copy_file(session=desk("zhao"), file_id=secret.pdf, purpose="核对", clock=desk.clock)
    with pytest.raises(CopyNeedsApproval):  # item 2 of the same volume
        copy_file(
            session=desk("zhao"), file_id=secret.other_item_pdf, purpose="核对", clock=desk.clock
        )


def test_an_expired_or_returned_approval_does_not_count(secret: Secret) -> None:
    desk = secret.desk
    copy_application(secret)
    copy_file(session=desk("zhao"), file_id=secret.txt, purpose="核对", clock=desk.clock)
    loan_id = entries(secret, "loan.issue")[-1].object_id
    assert loan_id is not None
    return_at_desk(desk, int(loan_id))
    with pytest.raises(CopyNeedsApproval):  # returned the same day
        copy_file(session=desk("zhao"), file_id=secret.txt, purpose="核对", clock=desk.clock)
    copy_application(secret)  # a new approval, issued today
    copy_file(session=desk("zhao"), file_id=secret.txt, purpose="核对", clock=desk.clock)
    desk.clock.advance(days=1)  # a copy is issued for the day: tomorrow it has expired
    with pytest.raises(CopyNeedsApproval):
        copy_file(session=desk("zhao"), file_id=secret.txt, purpose="核对", clock=desk.clock)


# --- allowed, watermarked, audited -----------------------------------------------------------
def test_the_applicant_saves_a_watermarked_pdf_from_the_viewer(
    qtbot: QtBot, secret: Secret, out_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app_id = copy_application(secret)
    number = json.loads(entries(secret, "loan.apply")[-1].details)["number"]
    dialog = viewer(qtbot, secret, "zhao", secret.items[0])
    info = info_of(dialog, secret.pdf)
    preview = PrintPreviewDialog(
        "预览",
        make_pdf(),
        on_output=lambda kind: dialog.take_copy(info, "提供给客户核对", kind).data,  # type: ignore[arg-type]
    )
    qtbot.addWidget(preview)
    out = out_dir / "copy.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    preview.save_as()
    assert preview.saved_path == out
    text = pdf_text(out.read_bytes())
    assert "Confidential contract page 1" in text and "Confidential contract page 2" in text
    for page in text.split("Confidential contract page")[1:]:  # on every page
        assert number in page and "赵敏（zhao）" in page and "2026-01-05" in page
    assert "机密" in text and "复制件" in text
    [saved] = entries(secret, "file.save")
    details = json.loads(saved.details)
    assert details["application"] == number and details["watermarked"] is True
    assert details["reference_code"] == secret.code and SECRET_NAME not in saved.details
    assert saved.actor_id == secret.desk.ids["zhao"] and saved.purpose == "提供给客户核对"
    assert app_id


def test_images_are_watermarked_and_other_formats_leave_unmodified_but_audited(
    qtbot: QtBot, secret: Secret, out_dir: Path
) -> None:
    copy_application(secret)
    dialog = viewer(qtbot, secret, "zhao", secret.items[0])
    image, message = save_through_viewer(dialog, secret.png, out_dir / "scan")
    assert image == out_dir / "scan.png" and "已加水印" in message
    marked = Image.open(image).convert("RGB")
    assert marked.size == (320, 200)
    assert marked.getcolors(100_000) != [(320 * 200, (255, 255, 255))]  # not the blank original
    text, message = save_through_viewer(dialog, secret.txt, out_dir / "terms.txt")
    assert text is not None and text.read_bytes() == TEXT and "已加水印" not in message
    saves = [json.loads(e.details) for e in entries(secret, "file.save")]
    assert [(d["media_type"], d["watermarked"]) for d in saves] == [
        ("image/png", True),
        ("text/plain; charset=utf-8", False),
    ]
    assert all(d["application"].startswith("SQ") for d in saves)


def test_an_outsiders_copy_is_made_by_the_archivist_who_issued_it(secret: Secret) -> None:
    desk = secret.desk
    draft = ApplicationDraft(
        kind="copy",
        purpose="律师调查取证",
        volumes=(RequestedVolume(secret.volume_id, items="1", page_count=2),),
        outsider=True,
        applicant_name="钱律师",
        unit="某律师事务所",
        credential="letter",
        credential_number="2026-017",
    )
    app_id = file_application(session=desk("lisi"), draft=draft, clock=desk.clock).application_id
    approve_all(desk, app_id, "gm")
    issue_loan(session=desk("lisi"), application_id=app_id, scan=secret.code, clock=desk.clock)
    copy = copy_file(session=desk("lisi"), file_id=secret.pdf, purpose="对外提供", clock=desk.clock)
    assert copy.watermarked and copy.application in pdf_text(copy.data)
    with pytest.raises(CopyNeedsApproval):  # a colleague at the next desk
        copy_file(session=desk("both"), file_id=secret.pdf, purpose="对外提供", clock=desk.clock)


def test_unclassified_files_are_still_copied_freely_with_who_and_when(secret: Secret) -> None:
    desk = secret.desk
    vid, _code = make_volume(desk("lisi"), desk.clock)
    item = get_volume(session=desk("lisi"), volume_id=vid, clock=desk.clock).items[0].id
    file_id = attach(desk, item, make_pdf(), ".pdf")
    assert [f.id for f in list_item_files(session=desk("lisi"), item_id=item, clock=desk.clock)]
    copy = copy_file(session=desk("lisi"), file_id=file_id, purpose="核对", clock=desk.clock)
    text = pdf_text(copy.data)
    assert copy.application == "" and "李四（lisi）" in text and "机密" not in text
