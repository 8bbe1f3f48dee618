"""审计 page: the entries tab (``page``), the 汇总 tab (``summary``) and its dialogs.

``dialogs`` holds the export-purpose and archive dialogs; ``dates`` the QDate helpers.
"""

from ui.pages.audit.dialogs import EXPORT_PURPOSES, ArchiveDialog, ExportPurposeDialog
from ui.pages.audit.page import AuditPage

__all__ = ["EXPORT_PURPOSES", "ArchiveDialog", "AuditPage", "ExportPurposeDialog"]
