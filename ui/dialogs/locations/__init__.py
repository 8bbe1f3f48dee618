"""Dialogs of the 库位 area: batch creation, place details, boxes, bulk moves, hand-over.

Batch creation shows a preview first, bulk moves a row-by-row preview, and the custody
hand-over produces the item-by-item list both sign.
"""

from ui.dialogs.locations.batch_create import BatchCreateDialog
from ui.dialogs.locations.code_rules import LocationSettingsDialog
from ui.dialogs.locations.custody import HandoverDialog
from ui.dialogs.locations.lists import (
    PROBLEM_TEXT,
    BulkMoveDialog,
    MustMoveDialog,
    VolumeHistoryDialog,
    moment,
    problem_text,
)
from ui.dialogs.locations.places import BoxDialog, LocationEditDialog

__all__ = [
    "PROBLEM_TEXT",
    "BatchCreateDialog",
    "BoxDialog",
    "BulkMoveDialog",
    "HandoverDialog",
    "LocationEditDialog",
    "LocationSettingsDialog",
    "MustMoveDialog",
    "VolumeHistoryDialog",
    "moment",
    "problem_text",
]
