"""Where resources and user data live, in a source tree and inside the PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs

from app import APP_AUTHOR, APP_NAME


def resources_dir() -> Path:
    """Return the folder holding fonts, icons and templates."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def cjk_font_path() -> Path:
    """Return the TrueType CJK font embedded in every printout and used by the GUI."""
    return resources_dir() / "fonts" / "wqy-microhei.ttc"


def operator_guide_path() -> Path:
    """Return the operator's guide (docs/operator-guide.md as shipped, screenshots beside it)."""
    return resources_dir() / "guide" / "operator-guide.md"


def user_data_dir() -> Path:
    """Return the per-user data folder (never the working directory)."""
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def user_log_dir() -> Path:
    """Return the per-user log folder."""
    return Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))


def default_database_path() -> Path:
    """Return the default embedded database file."""
    return user_data_dir() / "archive.db"
