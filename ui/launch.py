"""Console entry point: the command line of ``app.cli`` plus the GUI (imported only when needed)."""

from __future__ import annotations

import sys
from typing import Any


def _run_gui(*args: Any, **kwargs: Any) -> int:
    from ui.app import run_gui

    return run_gui(*args, **kwargs)


def main(argv: list[str] | None = None) -> int:
    """Run ``archive-room``."""
    import multiprocessing

    multiprocessing.freeze_support()  # the large demo's worker process, in a PyInstaller build
    from app.cli import main as cli_main

    return cli_main(argv, run_gui=_run_gui)


if __name__ == "__main__":
    sys.exit(main())
