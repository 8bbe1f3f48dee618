"""The set-up wizard hands the audit verification key to the auditor in person (issue 23).

The key is given to the auditor only, shown and printed once as a sheet with a QR code at
set-up, like the recovery key: the auditor signs in on the wizard's last page with the one-time
password of the page before, sets their own password, and only then sees the key.
"""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PySide6.QtWidgets import QMessageBox, QWidget, QWizard
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.errors import WrongCredentials
from app.services import audit
from app.services.auth import sign_in, sign_out
from app.storage.location import DatabaseLocation
from tests.factories import signed_in
from tests.gui.conftest import when_modal
from ui.context import AppContext
from ui.dialogs.setup_wizard import SetupWizard

ADMIN_PASSWORD = "Setup-Wizard-Pass-1"
AUDITOR_OWN = "Auditor-Own-Pass-7"


def created(qtbot: QtBot, location: DatabaseLocation, clock: FixedClock) -> SetupWizard:
    """A wizard whose database exists and whose recovery key was kept: on the auditor's page."""
    wizard = SetupWizard(AppContext(location=location, clock=clock))
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    org = wizard.organisation
    org.organisation_name.setText("华东示范贸易有限公司")
    org.fonds_name.setText("华东示范贸易有限公司客户档案")
    org.fonds_code.setText("Z001")
    wizard.next()
    wizard.three.auditor_display_name.setText("周敏")
    wizard.next()
    admin = wizard.admin
    admin.username.setText("boss")
    admin.display_name.setText("王建国")
    admin.password.setText(ADMIN_PASSWORD)
    admin.password_confirm.setText(ADMIN_PASSWORD)
    wizard.next()  # creates the database
    assert wizard.currentPage() is wizard.recovery
    wizard.recovery.confirm.setChecked(True)
    wizard.next()
    assert wizard.currentPage() is wizard.audit_key
    return wizard


def one_time_password(wizard: SetupWizard, username: str) -> str:
    match = re.search(rf"{username} 的一次性密码：(\S+)", wizard.recovery.one_time.text())
    assert match is not None
    return match.group(1)


def test_the_auditor_receives_the_key_in_person_and_it_verifies_the_trail(
    qtbot: QtBot, tmp_path: Path, clock: FixedClock
) -> None:
    location = DatabaseLocation.parse(tmp_path / "new.db")
    wizard = created(qtbot, location, clock)
    page = wizard.audit_key
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert page.auditor.text() == "shenji"
    assert not finish.isEnabled() and not page.panel.isVisible()
    assert not audit.sealing_started(wizard.session.store)  # type: ignore[union-attr]

    page.one_time_password.setText("Not-The-Password-1")
    assert page.issue_key() is False
    assert "用户名或密码错误" in page.errors.text("old_password")
    secret = one_time_password(wizard, "shenji")
    page.one_time_password.setText(secret)
    page.new_password.setText("weak")
    page.password_confirm.setText("weak")
    assert page.issue_key() is False  # the password policy applies to the auditor too
    assert "至少需要 10 个字符" in page.errors.text("new_password")
    assert page.panel.key_label.text() == ""

    page.one_time_password.setText(secret)
    page.new_password.setText(AUDITOR_OWN)
    page.password_confirm.setText(AUDITOR_OWN)
    page.issue_button.click()
    key = page.panel.key_label.text()
    assert key.startswith("ARAK1-") and page.panel.isVisible()
    assert not page.form.isVisible() and not page.later.isVisible()
    assert page.one_time_password.text() == page.new_password.text() == ""
    assert not finish.isEnabled()  # not before the auditor confirms the sheet is kept

    warned: list[str] = []

    def dismiss(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        warned.append(box.text())
        box.accept()

    errors = when_modal(dismiss)
    wizard.reject()  # closing would lose the unseen key: refused
    qtbot.waitUntil(lambda: bool(warned) or bool(errors))
    assert errors == [] and wizard.isVisible() and "密钥单" in warned[0]

    sheet = tmp_path / "审计验证密钥单.pdf"
    page.panel.save_sheet_to(sheet)
    page.panel.confirm.setChecked(True)
    assert finish.isEnabled()
    finish.click()
    assert wizard.result() == QWizard.DialogCode.Accepted

    pdf = pdfium.PdfDocument(sheet)
    text = pdf[0].get_textpage().get_text_range()
    assert "审计验证密钥单" in text and "周敏" in text
    [qr] = zxingcpp.read_barcodes(pdf[0].render(scale=3).to_pil())
    assert qr.text == key
    admin = wizard.session
    assert admin is not None
    assert audit.sealing_started(admin.store)
    sign_out(session=admin, clock=clock)

    # the one-time password the administrator saw is gone; the auditor's own password opens
    with pytest.raises(WrongCredentials):
        sign_in(location=location, username="shenji", password=secret, clock=clock)
    with signed_in(location, "shenji", AUDITOR_OWN, clock) as auditor:
        assert not auditor.actor.must_change_password
        result = audit.verify_sealed_trail(auditor.store, qr.text, clock)
        assert result.ok and result.keyed, result.problems


def test_an_absent_auditor_receives_the_key_at_the_first_sign_in_instead(
    qtbot: QtBot, tmp_path: Path, clock: FixedClock
) -> None:
    location = DatabaseLocation.parse(tmp_path / "new.db")
    wizard = created(qtbot, location, clock)
    wizard.audit_key.later.setChecked(True)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    admin = wizard.session
    assert admin is not None
    assert not audit.sealing_started(admin.store)  # nobody but the auditor will see it
    sign_out(session=admin, clock=clock)
