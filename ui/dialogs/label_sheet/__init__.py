"""打印标签: choose a label stock and a start position, preview and print; calibration page; stocks.

The dialog (:mod:`.dialog`) is given the label contents (``LabelContent``, built by the caller:
volume, box or shelf labels) and a :class:`LabelActions` (:mod:`.actions`) with what it may
call. The sheet diagram and the stock-sized print preview are in :mod:`.diagram`, the stock
editor in :mod:`.stock_editor`.
"""

from ui.dialogs.label_sheet.actions import (
    LabelActions,
    OutputRecorder,
    SheetMemory,
    session_actions,
)
from ui.dialogs.label_sheet.diagram import LabelPreviewDialog, SheetDiagramWidget
from ui.dialogs.label_sheet.dialog import LabelSheetDialog
from ui.dialogs.label_sheet.stock_editor import LabelStockDialog

__all__ = [
    "LabelActions",
    "LabelPreviewDialog",
    "LabelSheetDialog",
    "LabelStockDialog",
    "OutputRecorder",
    "SheetDiagramWidget",
    "SheetMemory",
    "session_actions",
]
