"""Areas not fully built yet: a plain placeholder stating what will come."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class PlaceholderPage(QWidget):
    """Title and a plain statement of what will come."""

    def __init__(self, title: str, description: str, name: str) -> None:
        super().__init__(objectName=name)
        layout = QVBoxLayout(self)
        heading = QLabel(title)
        heading.setStyleSheet("font-size: 16pt; font-weight: bold;")
        layout.addWidget(heading)
        self.message = QLabel(self.tr("此功能尚未开放。") + "\n\n" + description)
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.message)
        layout.addStretch()
