"""About: versions of the app and the libraries it stands on."""

from __future__ import annotations

import platform
import sys

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from app import __version__


def version_lines() -> list[str]:
    """Return "name version" lines for the About box."""
    import alembic
    import cryptography
    import reportlab
    import sqlalchemy
    import sqlcipher3

    return [
        f"档案室 {__version__}",
        f"Python {sys.version.split()[0]} ({platform.system()} {platform.machine()})",
        f"Qt {qVersion()} / PySide6 {pyside_version}",
        f"SQLAlchemy {sqlalchemy.__version__} / Alembic {alembic.__version__}",
        f"SQLCipher (SQLite {sqlcipher3.sqlite_version})",
        f"cryptography {cryptography.__version__} / ReportLab {reportlab.Version}",
    ]


class AboutDialog(QDialog):
    """Name, purpose, versions, font licence."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("关于档案室"))
        layout = QVBoxLayout(self)
        title = QLabel(self.tr("档案室 · 客户档案管理"))
        title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        layout.addWidget(title)
        self.versions = QLabel("\n".join(version_lines()), objectName="versions")
        layout.addWidget(self.versions)
        font = QLabel(self.tr("界面与打印字体：文泉驿微米黑（Apache License 2.0）"))
        layout.addWidget(font)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
