"""What runs once after a sign-in, before the workspace opens (issue 23).

* The auditor's first sign-in on a database without seals: the verification key is issued and
  shown once (``ui.dialogs.audit_key``).
* The daily secrecy check: automatic only for a cleared user whose clock agrees with the
  recorded time (``services.catalogue.run_daily_checks``); otherwise a cleared user is shown
  the items whose term has ended and confirms their declassification. Other users: nothing.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from app.domain.roles import Role, may
from app.errors import AppError
from app.services.auth import SignedIn
from ui.context import AppContext

log = logging.getLogger(__name__)


def tr(text: str) -> str:
    """Translate in this module's context."""
    return QCoreApplication.translate("SignInHooks", text)


def after_sign_in(context: AppContext, session: SignedIn, parent: QWidget | None = None) -> None:
    """Issue the auditor's key if due, then the secrecy check (errors are logged, not fatal)."""
    if Role.AUDITOR in session.actor.roles:
        issue_audit_key_if_due(context, session, parent)
    secrecy_check(context, session, parent)


def issue_audit_key_if_due(
    context: AppContext, session: SignedIn, parent: QWidget | None = None
) -> bool:
    """Show the verification key once at an auditor's first sign-in; True when issued."""
    from app.services.audit import sealing_started, start_audit_sealing
    from ui.dialogs.audit_key import AuditKeyDialog

    try:
        if sealing_started(session.store):
            return False
        issued = start_audit_sealing(session=session, clock=context.clock)
    except AppError as exc:
        log.warning("audit key not issued: %s", exc.code)
        return False
    AuditKeyDialog(session.store, issued, parent).exec()
    return True


def secrecy_check(context: AppContext, session: SignedIn, parent: QWidget | None = None) -> int:
    """Run the daily check; offer the due list to a cleared user; return items declassified.

    The due list is a non-modal question: the confirmation declassifies when answered.
    """
    from app.services.catalogue import (
        declassify_expired,
        list_due_declassifications,
        run_daily_checks,
    )

    try:
        done = run_daily_checks(session=session, clock=context.clock)
        if done:
            log.info("daily secrecy check declassified %s items", done)
        if not may(session.actor.roles, "catalogue.write"):
            return done
        due = list_due_declassifications(session=session, clock=context.clock)
    except AppError as exc:  # the check runs again at the next sign-in
        log.warning("daily secrecy check failed: %s", exc.code)
        return 0
    if not due:
        return done
    shown = "\n".join(f"{d.reference_code}  {d.marking}" for d in due[:15])
    more = tr("\n……共 {0} 件").format(len(due)) if len(due) > 15 else ""
    # not modal: the workspace opens beside it; nothing happens until the user answers
    box = QMessageBox(
        QMessageBox.Icon.Question,
        tr("保密期限已满"),
        tr("以下卷内文件的保密期限已满，解密后不可撤销。是否现在确认解密？\n\n") + shown + more,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        parent,
    )
    box.setObjectName("declassify_due")
    box.setWindowModality(Qt.WindowModality.NonModal)
    ids = [d.item_id for d in due]

    def answered(button: object) -> None:
        if box.standardButton(button) != QMessageBox.StandardButton.Yes:  # type: ignore[arg-type]
            return
        try:
            declassify_expired(session=session, clock=context.clock, item_ids=ids)
        except AppError as exc:
            from ui.errors import message_for

            QMessageBox.warning(parent, tr("未能解密"), message_for(exc))

    box.buttonClicked.connect(answered)
    box.finished.connect(lambda _r: _OPEN.remove(box) if box in _OPEN else None)
    _OPEN.append(box)
    box.show()
    return done


_OPEN: list[QMessageBox] = []  # prompts shown and not yet answered (kept from the collector)
