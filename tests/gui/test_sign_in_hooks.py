"""After a sign-in (issue 23): the auditor's key shown once; the due list for cleared users."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import zxingcpp
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.domain.roles import Role
from app.services import audit
from app.services.auth import SignedIn, sign_in, sign_out
from app.services.catalogue import VolumeDraft, create_volume, get_volume
from app.services.customers import register_customer
from app.storage.location import DatabaseLocation
from tests.factories import PASSWORD, add_archivist, add_user, classified_item, potential
from tests.gui.conftest import when_modal
from ui.context import AppContext
from ui.dialogs.audit_key import AuditKeyDialog
from ui.sign_in_hooks import after_sign_in


def test_the_auditors_first_sign_in_shows_the_key_once_with_its_sheet(
    qtbot: QtBot, admin: SignedIn, location: DatabaseLocation, clock: FixedClock, tmp_path: Path
) -> None:
    add_user(admin, clock, "audit", [Role.AUDITOR], display_name="周敏")
    session = sign_in(location=location, username="audit", password=PASSWORD, clock=clock)
    context = AppContext(location=location, clock=clock)
    seen: dict[str, object] = {}

    def keep(dialog: QWidget) -> None:
        assert isinstance(dialog, AuditKeyDialog)
        seen["key"] = dialog.key_label.text()
        ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
        assert not ok.isEnabled()  # not before the key is confirmed as kept
        dialog.save_sheet_to(tmp_path / "sheet.pdf")
        dialog.confirm.setChecked(True)
        dialog.accept()

    errors = when_modal(keep)
    after_sign_in(context, session)
    assert errors == []
    key = str(seen["key"])
    assert key.startswith("ARAK1-") and audit.sealing_started(session.store)
    pdf = pdfium.PdfDocument(tmp_path / "sheet.pdf")
    text = pdf[0].get_textpage().get_text_range()
    assert "审计验证密钥单" in text and "周敏" in text
    image = pdf[0].render(scale=3).to_pil()
    [qr] = zxingcpp.read_barcodes(image)
    assert qr.text == key
    result = audit.verify_sealed_trail(session.store, qr.text, clock)
    assert result.ok and result.keyed, result.problems
    # the next sign-in shows nothing: the key is never shown again
    sign_out(session=session, clock=clock)
    again = sign_in(location=location, username="audit", password=PASSWORD, clock=clock)
    after_sign_in(context, again)
    assert QApplication.activeModalWidget() is None
    sign_out(session=again, clock=clock)


def test_a_cleared_user_confirms_the_due_list_and_others_never_see_it(
    qtbot: QtBot, admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    add_archivist(admin, clock)
    lisi = sign_in(location=location, username="lisi", password=PASSWORD, clock=clock)
    draft = potential()
    cid = register_customer(session=lisi, draft=draft, clock=clock).customer_id
    vid = create_volume(
        session=lisi,
        draft=VolumeDraft(customer_id=cid, year=2024, title="授信档案", retention="Y"),
        clock=clock,
    ).volume_id
    classified_item(lisi, clock, vid, "旧报价", days_ago=400)
    context = AppContext(location=location, clock=clock)
    for left in QApplication.topLevelWidgets():  # a box an earlier test left open
        if left.objectName() == "declassify_due":
            left.setObjectName("")
            left.close()
    after_sign_in(context, admin)  # the administrator: nothing asked, nothing declassified
    assert not [w for w in QApplication.topLevelWidgets() if w.objectName() == "declassify_due"]
    # the archivist has signed in today already (the daily check ran then): a confirmation
    from app.services.catalogue import DAILY_CHECK_SETTING

    with lisi.uow(clock) as uow:
        uow.settings.put(DAILY_CHECK_SETTING, clock.now().astimezone().date().isoformat())
        uow.commit()
    after_sign_in(context, lisi)
    [box] = [
        w
        for w in QApplication.topLevelWidgets()
        if w.objectName() == "declassify_due" and w.isVisible()
    ]
    assert isinstance(box, QMessageBox) and "保密期限已满" in box.text()
    box.button(QMessageBox.StandardButton.Yes).click()
    assert get_volume(session=lisi, volume_id=vid, clock=clock).items[0].secrecy == ""
    sign_out(session=lisi, clock=clock)
