"""An account holding a one-time password can do nothing but change it, whichever way it signs
in (issue 23): enforced in ``services.auth`` / ``authorize``, not by the GUI."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.errors import PasswordChangeRequired
from app.services import users
from app.services.auth import change_password, sign_out
from app.services.customers import list_customers
from app.services.loans import approval_queue, approve_application
from app.services.settings import get_settings
from tests.factories import signed_in
from tests.loan_helpers import Desk, make_volume, staff_application
from ui.context import AppContext
from ui.dialogs.loans import ApproverSignInDialog

NEW = "Own-Choice-Pass-9"


def test_main_sign_in_with_a_one_time_password_can_only_change_it(
    desk: Desk, clock: FixedClock
) -> None:
    otp = users.reset_password(session=desk.admin, user_id=desk.ids["zhao"], clock=clock)
    with signed_in(desk.location, "zhao", otp.password, clock) as session:
        assert session.actor.must_change_password
        with pytest.raises(PasswordChangeRequired):
            list_customers(session=session, clock=clock)
        with pytest.raises(PasswordChangeRequired):
            session.uow(clock)
        # the password policy stays readable for the change dialog
        assert get_settings(session=session, clock=clock).security.password_min_length
        change_password(
            session=session, old_password=otp.password, new_password=NEW, confirm=NEW, clock=clock
        )
        assert list_customers(session=session, clock=clock) is not None


def test_a_session_signed_in_before_the_reset_is_stopped_too(desk: Desk, clock: FixedClock) -> None:
    before = desk("zhao")
    list_customers(session=before, clock=clock)
    users.reset_password(session=desk.admin, user_id=desk.ids["zhao"], clock=clock)
    with pytest.raises(PasswordChangeRequired):  # authorize reads the account, not the snapshot
        list_customers(session=before, clock=clock)


def test_the_loan_desk_approver_sign_in_cannot_approve_with_a_one_time_password(
    qtbot: QtBot, desk: Desk, clock: FixedClock
) -> None:
    vid, _code = make_volume(desk("lisi"), clock, items=1)
    application = staff_application(desk, [vid])
    otp = users.reset_password(session=desk.admin, user_id=desk.ids["info"], clock=clock)
    dialog = ApproverSignInDialog(None, AppContext(location=desk.location, clock=clock))
    qtbot.addWidget(dialog)
    dialog.username.setText("info")
    dialog.password.setText(otp.password)
    dialog.attempt()
    approver = dialog.session
    assert approver is not None and approver.actor.must_change_password
    try:
        with pytest.raises(PasswordChangeRequired):
            approval_queue(session=approver, clock=clock)
        with pytest.raises(PasswordChangeRequired):
            approve_application(
                session=approver, application_id=application, opinion="同意", clock=clock
            )
    finally:
        sign_out(session=approver, clock=clock)
