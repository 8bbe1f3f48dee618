"""File dialogs that remember their folder per purpose (QSettings), in Chinese.

Every ``QFileDialog`` of the app goes through here: the first time a purpose (``"backup"``,
``"export"``, ``"pdf"``, ``"import"``, ``"attachment"`` …) opens in the user's documents
folder, afterwards in the folder last used for that purpose on this computer. Only folder
paths are kept, never file names (they may name a customer).
"""

from __future__ import annotations

from collections.abc import MutableMapping
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

PREFIX = "folders/"


class FolderMemory:
    """The last folder used per purpose; QSettings unless a mapping is given (tests)."""

    def __init__(self, store: MutableMapping[str, object] | None = None) -> None:
        self._store = store

    def folder(self, purpose: str) -> str:
        """The folder to start in for ``purpose`` (documents folder when none or gone)."""
        key = PREFIX + purpose
        value = self._store.get(key) if self._store is not None else QSettings().value(key)
        if value and Path(str(value)).is_dir():
            return str(value)
        return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)

    def remember(self, purpose: str, chosen: str | Path) -> None:
        """Keep the folder of ``chosen`` (a file) or ``chosen`` itself (a folder)."""
        path = Path(chosen)
        folder = path if path.is_dir() else path.parent
        if self._store is not None:
            self._store[PREFIX + purpose] = str(folder)
        else:
            QSettings().setValue(PREFIX + purpose, str(folder))


memory = FolderMemory()


def save_file_name(
    parent: QWidget | None, purpose: str, caption: str, file_name: str, filters: str = ""
) -> str:
    """Ask where to save ``file_name``; starts in the purpose's folder; '' when cancelled."""
    start = str(Path(memory.folder(purpose)) / Path(file_name).name)
    name, _filter = QFileDialog.getSaveFileName(parent, caption, start, filters)
    if name:
        memory.remember(purpose, name)
    return str(name)


def open_file_name(parent: QWidget | None, purpose: str, caption: str, filters: str = "") -> str:
    """Ask for a file to open; starts in the purpose's folder; '' when cancelled."""
    name, _filter = QFileDialog.getOpenFileName(parent, caption, memory.folder(purpose), filters)
    if name:
        memory.remember(purpose, name)
    return str(name)


def existing_directory(parent: QWidget | None, purpose: str, caption: str, start: str = "") -> str:
    """Ask for a folder; starts in ``start`` or the purpose's folder; '' when cancelled."""
    name = QFileDialog.getExistingDirectory(parent, caption, start or memory.folder(purpose))
    if name:
        memory.remember(purpose, name)
    return str(name)
