"""档案 page: volumes and the items of the selected one.

``page`` builds the page and lists; ``models`` are its two tables; ``notes`` the notes after a
volume's heading (place, incidents, condition); ``actions`` what the buttons do.
"""

from ui.pages.archives.models import ItemTableModel, VolumeTableModel
from ui.pages.archives.page import ArchivesPage

__all__ = ["ArchivesPage", "ItemTableModel", "VolumeTableModel"]
