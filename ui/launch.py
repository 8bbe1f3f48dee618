"""Console entry point: the command line of ``app.cli`` plus the GUI (imported only when needed)."""

from __future__ import annotations

import sys
from typing import Any


def _run_gui(*args: Any, **kwargs: Any) -> int:
    from ui.app import run_gui

    return run_gui(*args, **kwargs)


def harden(argv: list[str]) -> None:
    """Process-wide protections for a run that handles real data (not the demo builder)."""
    if argv[:1] != ["demo"]:
        from app.security.process import protect_memory

        protect_memory()  # no core dump, not readable by other processes (app.security.process)


def main(argv: list[str] | None = None) -> int:
    """Run ``archive-room``."""
    import multiprocessing

    multiprocessing.freeze_support()  # the large demo's worker process, in a PyInstaller build
    harden(sys.argv[1:] if argv is None else argv)
    from app.cli import main as cli_main

    return cli_main(argv, run_gui=_run_gui)


if __name__ == "__main__":
    sys.exit(main())
