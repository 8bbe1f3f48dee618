"""Opens every dialog of the app on a demo database and reports whether it fits the screen.

Run in a child process by ``test_layout_1366.py`` with the offscreen platform given a
1366×768 screen (a Qt application's screen cannot change once it runs): prints one JSON
object ``{dialog name: [x, y, width, height] of its frame and the client height}`` and
the available geometry.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date

from PySide6.QtWidgets import QApplication, QWidget

from app.clock import FixedClock
from app.demo import DEMO_PASSWORD
from app.services.auth import sign_in
from app.storage.location import DatabaseLocation


def _dialogs(location: DatabaseLocation) -> list[tuple[str, Callable[[], QWidget]]]:
    from app.domain.catalogue import Retention, Secrecy
    from app.printing.catalogue_forms import (
        ItemLine,
        VolumeCatalogueSheet,
        render_volume_catalogue,
    )
    from app.printing.label_content import LabelContent, LabelKind
    from app.services import users
    from app.services.catalogue import VolumeDetails
    from ui.context import AppContext
    from ui.dialogs.about import AboutDialog
    from ui.dialogs.backup import BackupDialog
    from ui.dialogs.catalogue_forms import ItemFormDialog, VolumeDetailsDialog, VolumeFormDialog
    from ui.dialogs.customer_form import CustomerFormDialog, StatusDialog
    from ui.dialogs.duplicates import DuplicateReviewDialog
    from ui.dialogs.help import GuideDialog, ShortcutsDialog
    from ui.dialogs.import_wizard.history import ImportHistoryDialog
    from ui.dialogs.import_wizard.wizard import ImportWizard
    from ui.dialogs.incidents import IncidentRegisterDialog
    from ui.dialogs.inspection_settings import InspectionSettingsDialog
    from ui.dialogs.label_sheet import LabelSheetDialog, session_actions
    from ui.dialogs.loans.application import ApplicationDialog
    from ui.dialogs.loans.approval import ApprovalDialog
    from ui.dialogs.locations.batch_create import BatchCreateDialog
    from ui.dialogs.password import ChangePasswordDialog
    from ui.dialogs.print_preview import PrintPreviewDialog
    from ui.dialogs.privacy import (
        ConsentDialog,
        ErasureRequestDialog,
        PrivacySettingsDialog,
        ProvisionDialog,
        RecipientDialog,
        SubjectRequestDialog,
    )
    from ui.dialogs.secrecy_review import SecrecyReviewDialog
    from ui.dialogs.sign_in import SignInDialog
    from ui.dialogs.user_edit import UserEditDialog
    from ui.pages.statistics.dialogs import CompileDialog, DistributionDialog, ReviseDialog
    from ui.widgets.loan_routing import LoanRoutingDialog

    clock = FixedClock()
    from app.domain.statistics import Report, Table

    report = Report(
        "use",
        "利用统计",
        date(2026, 1, 1),
        date(2026, 1, 31),
        tables=(Table("利用概况", ("项目", "数量"), (("人次", 4), ("卷次", 5)), "summary"),),
    )
    context = AppContext(location=location, clock=clock)
    admin = sign_in(location=location, username="admin", password=DEMO_PASSWORD, clock=clock)
    archivist = sign_in(
        location=location, username="archivist", password=DEMO_PASSWORD, clock=clock
    )
    today = date(2026, 3, 2)
    staff = users.list_staff(session=archivist, clock=clock)
    details = VolumeDetails("张三丰客户档案", "李秀英", "赵磊", today, "原件齐全")
    pdf = render_volume_catalogue(
        VolumeCatalogueSheet(
            reference_code="Z001-KH·2024-Y-0001",
            title="张三丰客户档案",
            retention=Retention.PERMANENT,
            secrecy=Secrecy(),
            organisation="华东示范贸易有限公司",
            printed_by="李秀英",
            printed_by_username="archivist",
            printed_at=clock.now(),
            items=[ItemLine(seq=n, doc_number="", author="", title="合同") for n in range(1, 40)],
        )
    )
    labels = [
        LabelContent(LabelKind.VOLUME, f"Z001-KH·2024-Y-{n:04d}", 2024, "永久") for n in (1, 2)
    ]
    none = lambda *_a: None  # noqa: E731
    return [
        ("PrintPreviewDialog", lambda: PrintPreviewDialog("卷内目录", pdf, context)),
        ("VolumeFormDialog", lambda: VolumeFormDialog(None, today, none)),
        ("ItemFormDialog", lambda: ItemFormDialog(None, "Z001-KH·2024-Y-0001", today, none)),
        ("VolumeDetailsDialog", lambda: VolumeDetailsDialog(None, "Z001", details, today, none)),
        ("CustomerFormDialog", lambda: CustomerFormDialog(None, None, staff)),
        ("StatusDialog", lambda: StatusDialog("potential", None)),
        ("DuplicateReviewDialog", lambda: DuplicateReviewDialog(archivist, clock, None)),
        ("GuideDialog", lambda: GuideDialog(None)),
        ("ShortcutsDialog", lambda: ShortcutsDialog(None, [])),
        ("AboutDialog", lambda: AboutDialog(None)),
        ("ImportWizard", lambda: ImportWizard(None, context, archivist, "customers")),
        ("ImportHistoryDialog", lambda: ImportHistoryDialog(None, context, archivist, "customers")),
        ("IncidentRegisterDialog", lambda: IncidentRegisterDialog(None, context, archivist)),
        ("InspectionSettingsDialog", lambda: InspectionSettingsDialog(None, context, admin)),
        (
            "LabelSheetDialog",
            lambda: LabelSheetDialog(None, labels, session_actions(archivist, clock)),
        ),
        ("ApplicationDialog", lambda: ApplicationDialog(None, [], none, none, today)),
        ("ApprovalDialog", lambda: ApprovalDialog(None, context, admin)),
        ("BatchCreateDialog", lambda: BatchCreateDialog(None, [], none, none)),
        ("BackupDialog", lambda: BackupDialog(context, admin)),
        ("ChangePasswordDialog", lambda: ChangePasswordDialog(context, archivist)),
        ("SecrecyReviewDialog", lambda: SecrecyReviewDialog(None, context, archivist)),
        ("SignInDialog", lambda: SignInDialog(context)),
        ("UserEditDialog", lambda: UserEditDialog(None)),
        ("LoanRoutingDialog", lambda: LoanRoutingDialog(context, admin)),
        # issue 18
        ("ConsentDialog", lambda: ConsentDialog(None, context, archivist, 1)),
        ("ErasureRequestDialog", lambda: ErasureRequestDialog(None, context, archivist, 1)),
        ("SubjectRequestDialog", lambda: SubjectRequestDialog(None, context, archivist, 1)),
        ("RecipientDialog", lambda: RecipientDialog(None, context, archivist)),
        ("ProvisionDialog", lambda: ProvisionDialog(None, context, archivist, [])),
        ("PrivacySettingsDialog", lambda: PrivacySettingsDialog(None, context, admin)),
        ("CompileReportDialog", lambda: CompileDialog(None, none)),
        ("DistributionDialog", lambda: DistributionDialog(None, today, none)),
        ("ReviseReportDialog", lambda: ReviseDialog(None, report, none)),
    ]


def main(argv: list[str]) -> int:
    app = QApplication.instance() or QApplication([])
    location = DatabaseLocation.parse(argv[1])
    frames: dict[str, object] = {}
    messages: list[str] = []

    def dismiss() -> None:  # a message box a dialog opened while loading (reported)
        from PySide6.QtWidgets import QMessageBox

        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            messages.append(box.text())
            box.reject()

    from PySide6.QtCore import QTimer

    timer = QTimer()
    timer.timeout.connect(dismiss)
    timer.start(50)
    for name, make in _dialogs(location):
        try:
            dialog = make()
            dialog.show()
            app.processEvents()
            g, inner = dialog.frameGeometry(), dialog.geometry()
            frames[name] = [g.x(), g.y(), g.width(), g.height(), inner.height()]
            dialog.close()
            dialog.deleteLater()
        except Exception as exc:  # reported to the test, which fails with it
            frames[name] = f"{type(exc).__name__}: {exc}"
        if messages:
            frames[name] = f"message: {messages}"
            messages.clear()
    area = app.primaryScreen().availableGeometry()
    print(
        json.dumps(
            {"available": [area.x(), area.y(), area.width(), area.height()], "frames": frames},
            ensure_ascii=False,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
