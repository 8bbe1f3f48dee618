"""Command line: GUI, ``demo``, ``check``, ``recover``, ``backup``, ``verify``, ``restore``.

parser: the arguments; commands: demo, check, recover; backup: backup, verify, restore;
common: exit codes and terminal helpers; main: the entry point (``ui.launch`` passes the GUI).
"""

from app.cli.common import EXIT_OK, EXIT_PROBLEM, EXIT_USAGE
from app.cli.main import GuiRunner, configure_logging, main

__all__ = ["EXIT_OK", "EXIT_PROBLEM", "EXIT_USAGE", "GuiRunner", "configure_logging", "main"]
