"""检查: the half-yearly schedule, inspection sessions, scanned count, climate log, repair tasks.

:mod:`.page` lays out the page; each tab is a panel (:mod:`.session_panel` 概况,
:mod:`.scan_panel` 扫码清点, :mod:`.checks_panel` 检查项目, :mod:`.climate_panel` 温湿度,
:mod:`.tasks_panel` 修复任务) and the forms are in :mod:`.dialogs`.
"""

from ui.pages.inspections.dialogs import CloseDialog, FindingDialog, NewInspectionDialog
from ui.pages.inspections.page import InspectionsPage

__all__ = ["CloseDialog", "FindingDialog", "InspectionsPage", "NewInspectionDialog"]
