"""The import wizard (导入向导) and the list of past imports (导入记录).

Modules: ``wizard`` (the wizard), one page module per step (``file_page``, ``header_page``,
``mapping_page``, ``preview_page`` with ``preview_model``, ``summary_page``), ``host`` (what the
pages share) and ``history`` (导入记录).
"""

from ui.dialogs.import_wizard.history import ImportHistoryDialog
from ui.dialogs.import_wizard.wizard import ImportWizard

__all__ = ["ImportHistoryDialog", "ImportWizard"]
