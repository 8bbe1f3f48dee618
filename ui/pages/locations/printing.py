"""Printing from the 库位 page: the custody hand-over list, the shelf list, box and place labels."""

from __future__ import annotations

from collections.abc import Sequence

from app.errors import AppError
from app.printing.labels import LabelContent
from app.services import locations as L
from app.services.locations import box_labels, location_labels
from app.services.locations import printing as location_print
from ui.dialogs.label_sheet import LabelSheetDialog, session_actions
from ui.dialogs.print_preview import preview_in_background
from ui.errors import REFUSED, show_error
from ui.pages.locations.view import PlaceView


class PrintingMixin(PlaceView):
    """The page's print buttons."""

    def print_handover(self, handover_id: int) -> None:
        """The 档案保管交接清单 both custodians sign (R22, R26)."""
        session, clock = self._session, self._context.clock
        preview_in_background(  # read and drawn off the GUI thread (issue 21, point 8)
            self,
            self.tr("档案保管交接清单 第 {0} 号").format(handover_id),
            lambda: location_print.handover_pdf(
                session=session, handover_id=handover_id, clock=clock
            ),
            self._context,
            on_output=lambda kind: location_print.record_handover_output(
                session=self._session, handover_id=handover_id, kind=kind, clock=clock
            ),
            file_name=f"档案保管交接清单-{handover_id}.pdf",
        )

    def print_shelf_list(self) -> None:
        """排架清单 of the selected place, in walking order (R21)."""
        target = self._target_id()
        if target is None:
            return
        session, clock = self._session, self._context.clock
        try:
            code = L.get_location(session=session, location_id=target, clock=clock).code
        except AppError as exc:
            show_error(self, exc)
            return
        preview_in_background(  # a whole 密集架 is hundreds of pages: off the GUI thread
            self,
            self.tr("排架清单 {0}").format(code),
            lambda: location_print.shelf_list_pdf(session=session, location_id=target, clock=clock),
            self._context,
            on_output=lambda kind: location_print.record_shelf_list_output(
                session=self._session, location_id=target, kind=kind, clock=clock
            ),
            file_name=f"排架清单-{code}.pdf",
        )

    def _open_labels(self, labels: Sequence[LabelContent], title: str) -> None:
        if not labels:
            self.status.setText(self.tr("没有可打印的标签。"))
            return
        actions = session_actions(self._session, self._context.clock)
        dialog = LabelSheetDialog(self, labels, actions, title=title, memory=self._label_memory)
        self.last_label_dialog = dialog
        dialog.exec()

    def print_box_labels(self) -> None:
        """Spine labels of the selected boxes (all listed when none is selected)."""
        ids = self.boxes.chosen_ids()
        labels = self.attempt(box_labels, box_ids=ids)
        if labels is REFUSED:
            return
        self._open_labels(labels, self.tr("档案盒脊背标签"))

    def print_place_labels(self) -> None:
        """Shelf labels of the selected place and every 层/位 below it."""
        target = self._target_id()
        if target is None:
            return
        labels = self.attempt(location_labels, location_id=target)
        if labels is REFUSED:
            return
        self._open_labels(labels, self.tr("位置标签"))
