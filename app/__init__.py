"""档案室 (Archive Room): the Qt-free core of the customer-archive application."""

__version__ = "0.1.0"
APP_NAME = "archive-room"
APP_AUTHOR = "ArchiveRoom"
