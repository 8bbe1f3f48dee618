"""导入向导: file and sheet → header → columns → duplicates → places → preview, import → summary.

The wizard only collects choices and shows results; reading, checking and importing are the
services' (``app.services.imports``), run off the GUI thread behind a progress dialog with a
working 取消 (``ui.tasks.run_blocking``). Each step is a page module of this package; the pages
see the wizard as a :class:`~ui.dialogs.import_wizard.host.WizardHost`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget, QWizard

from app.errors import AppError, ImportCancelled
from app.services import imports
from app.services.auth import SignedIn
from ui.context import AppContext
from ui.dialogs.import_wizard.decisions_page import DecisionsPage
from ui.dialogs.import_wizard.file_page import FilePage
from ui.dialogs.import_wizard.header_page import HeaderPage
from ui.dialogs.import_wizard.mapping_page import MappingPage
from ui.dialogs.import_wizard.places_page import PlacesPage
from ui.dialogs.import_wizard.preview_page import PreviewPage
from ui.dialogs.import_wizard.summary_page import SummaryPage
from ui.errors import show_error, show_unexpected
from ui.geometry import fit_to_screen
from ui.tasks import ProgressSink, run_blocking

log = logging.getLogger(__name__)


class ImportWizard(QWizard):
    """The import wizard for one target kind (``customers``, ``volumes`` or ``loans``)."""

    def __init__(
        self, parent: QWidget | None, context: AppContext, session: SignedIn, kind: str
    ) -> None:
        super().__init__(parent, objectName="ImportWizard")
        self.context, self.session, self.kind = context, session, kind
        self.ledger: imports.Ledger | None = None
        self.mapping: dict[int, str] = {}
        self.remembered = False
        self.check: imports.CheckResult | None = None
        self.decisions: dict[str, Any] = {}  # duplicate group key → imports.Choice
        self._places_key: object = None
        self._places_needed = False
        self.summary: imports.ImportSummary | None = None
        self.rejected_target: Path | None = None  # tests set it instead of a file dialog
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        fit_to_screen(self, 980, 640)
        self.file_page = FilePage(self)
        self.header_page = HeaderPage(self)
        self.mapping_page = MappingPage(self)
        self.decisions_page = DecisionsPage(self)
        self.places_page = PlacesPage(self)
        self.preview_page = PreviewPage(self)
        self.summary_page = SummaryPage(self)
        for page in (
            self.file_page,
            self.header_page,
            self.mapping_page,
            self.decisions_page,
            self.places_page,
            self.preview_page,
            self.summary_page,
        ):
            self.addPage(page)
        self.retranslate_ui()

    def done(self, result: int) -> None:
        """Close; the rows the check and the import froze out of the collector go back to it."""
        self.check = None
        super().done(result)
        imports.thaw()

    def nextId(self) -> int:
        """The next step, past those that do not apply to this ledger."""
        ids = self.pageIds()
        nid = super().nextId()
        while nid != -1 and not self._applies(self.page(nid)):
            at = ids.index(nid) + 1
            nid = ids[at] if at < len(ids) else -1
        return nid

    def _applies(self, page: object) -> bool:
        if page is self.decisions_page:
            return self.kind != "loans"  # a register's repeated lines are refused, not grouped
        if page is self.places_page:
            return self.kind == "volumes" and self._places_missing()
        return True

    def _places_missing(self) -> bool:
        """True when the ledger's 存放位置 name places the tree lacks (or text it cannot read).

        Read once per mapping (a few queries): the step is skipped when every place exists.
        """
        if self.ledger is None or "location" not in self.mapping.values():
            return False
        key = (id(self.ledger), tuple(sorted(self.mapping.items())))
        if self._places_key != key:
            try:
                plan = imports.plan_missing_places(
                    session=self.session,
                    ledger=self.ledger,
                    mapping=self.mapping,
                    clock=self.context.clock,
                )
                self._places_needed = bool(plan.new or plan.unreadable)
            except AppError:
                self._places_needed = True  # the step itself shows the error
            self._places_key = key
        return self._places_needed

    def retranslate_ui(self) -> None:
        """Window title and buttons."""
        label = imports.kind_of(self.kind).label
        self.setWindowTitle(self.tr("导入{0}").format(self.tr(label)))
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("下一步 >"))
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("< 上一步"))
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("取消"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("完成"))

    def run(self, label: str, fn: Callable[[ProgressSink], Any]) -> Any:
        """Run ``fn(sink)`` off the GUI thread with progress; errors shown, None returned."""
        try:
            return run_blocking(self, label, fn)
        except ImportCancelled as exc:
            show_error(self, exc, self.tr("已取消"))
        except AppError as exc:
            show_error(self, exc)
        except Exception as exc:  # a bug: a message, never a traceback
            log.exception("import step failed")
            show_unexpected(self, exc)
        return None
